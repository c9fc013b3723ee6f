"""Run a build stage's work in worker processes, the same way on Linux, macOS and Windows.

On Linux the workers are forked: they inherit the stage's job (the pages, the build plan) without
copying it. Where `fork` is absent (Windows) or unsafe (macOS: system libraries break in forked
children, which is why CPython spawns there since 3.8), workers are spawned and receive the job
pickled, once per worker. `EVIDENCESITE_START_METHOD=spawn` forces the second way on Linux (CI runs the
build tests like that), `=fork` the first.

Workers die with their parent: a killed build must not leave processes that burn the cores and, when
forked, keep the output lock's descriptor open. Each worker watches its parent from a thread (every
system) and, on Linux, also asks the kernel for SIGKILL when the parent goes (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

START_METHOD_VARIABLE = "EVIDENCESITE_START_METHOD"
START_METHODS = ("fork", "spawn")
PARALLEL_THRESHOLD = 200  # below this many items, starting processes costs more than it saves
PARENT_CHECK_SECONDS = 0.2
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

State = TypeVar("State")
Result = TypeVar("Result")


class StartMethodError(OSError):
    """EVIDENCESITE_START_METHOD names a start method this system does not have; the message says what to set."""


def start_method() -> str:
    """Return 'fork' on Linux (unless the environment forces 'spawn'), 'spawn' everywhere else."""
    available = [method for method in START_METHODS if method in multiprocessing.get_all_start_methods()]
    if not hasattr(os, "fork"):
        available = [method for method in available if method != "fork"]
    forced = os.environ.get(START_METHOD_VARIABLE, "")
    if forced:
        if forced not in available:
            raise StartMethodError(
                f"{START_METHOD_VARIABLE}={forced!r} is not a start method of this system; "
                f"set it to {' or '.join(available)}, or unset it"
            )
        return forced
    return "fork" if sys.platform.startswith("linux") and "fork" in available else "spawn"


def worker_count(items: int) -> int:
    """Use every core we may run on once there are enough items to pay for starting processes."""
    if items < PARALLEL_THRESHOLD:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def run_in_workers(
    setup: Callable[..., State],
    setup_args: tuple[Any, ...],
    work: Callable[[State, list[int]], Result],
    items: int,
    workers: int,
) -> Iterator[tuple[list[int], Result]]:
    """Yield (chunk, work(state, chunk)) for interleaved chunks of range(items), in chunk order.

    Each worker calls `setup(*setup_args)` once and keeps the state it returns. `setup` and `work` must be
    module-level functions; under spawn `setup_args` travel pickled, so they must be picklable there.
    Interleaved chunks (0, 4w, 8w… then 1, 4w+1…) spread long and short items over the workers.
    """
    step = workers * 4
    chunks = [list(range(start, items, step)) for start in range(min(step, items))]
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), setup, setup_args)
    ) as pool:
        yield from zip(chunks, pool.map(_run_chunk, [work] * len(chunks), chunks), strict=True)


# One per worker process, set by its initializer: what `setup` returned. A pool hands tasks only
# module-level callables and their arguments, so this is where a worker keeps its job between tasks.
_worker_state: Any = None


def _start_worker(parent_pid: int, setup: Callable[..., object], setup_args: tuple[Any, ...]) -> None:
    global _worker_state
    watch_parent(parent_pid)
    _worker_state = setup(*setup_args)


def _run_chunk(work: Callable[[Any, list[int]], Result], chunk: list[int]) -> Result:
    return work(_worker_state, chunk)


def watch_parent(parent_pid: int) -> None:
    """Make this process exit as soon as the process `parent_pid` (its parent) is gone."""
    if sys.platform.startswith("linux"):
        _ask_kernel_for_parent_death_signal()
    parent = multiprocessing.parent_process()  # on Windows the only reliable sign: a handle on the parent

    def parent_gone() -> bool:
        if os.name == "posix" and os.getppid() != parent_pid:  # orphans are adopted by another process
            return True
        return parent is not None and not parent.is_alive()

    def watch() -> None:
        while not parent_gone():
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)  # a worker holds nothing that needs cleaning up; its parent discards the staging folder

    if parent_gone():
        os._exit(1)
    threading.Thread(target=watch, name="evidencesite-parent-watch", daemon=True).start()


def _ask_kernel_for_parent_death_signal() -> None:
    """Linux: SIGKILL this process when its parent exits (a no-op where the C library cannot be loaded)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watching thread still ends the worker
