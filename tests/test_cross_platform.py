"""What lets the generator run on Windows and macOS as well as Linux, proved on the machine the tests run on.

Worker processes started the Windows and macOS way (spawn) build the same bytes as forked ones, and die with
a killed build; the output lock is the operating system's, released when its holder dies; paths in messages
are shown as the system spells them. CI runs the build tests once more with fork unavailable and fcntl
unimportable (tests/no_fcntl), see .ci/run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import pytest

from conftest import MINIMAL_FILES, REPO, write_site
from evidencesite.errors import Diagnostics
from evidencesite.output.swap import interruptions_held
from evidencesite.output.writer import OutputError, output_lock
from evidencesite.worker_pool import (
    PARALLEL_THRESHOLD,
    START_METHOD_VARIABLE,
    StartMethodError,
    run_in_workers,
    start_method,
)

PAGES = PARALLEL_THRESHOLD + 20  # enough pages for the build to start worker processes


def many_pages_site(root: Path, words: int = 20) -> Path:
    pages = {
        f"content/pages/p{i}.md": f"---\ntitle: Page {i}\n---\n" + f"Text {i} [@smith2020]. " * words
        for i in range(PAGES)
    }
    return write_site(root, {**MINIMAL_FILES, **pages})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def build_command(site: Path, *extra: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--no-cache", "-q", *extra]


def environment(method: str) -> dict[str, str]:
    return {**os.environ, START_METHOD_VARIABLE: method}


# in CI's second run of these tests os.fork is taken away (tests/no_fcntl), as on Windows
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="this Python has no os.fork")
FORK = pytest.param("fork", marks=needs_fork)


# Worker pools


@needs_fork
def test_spawned_workers_build_the_same_bytes_as_forked_ones(tmp_path: Path) -> None:
    site = many_pages_site(tmp_path / "site")
    outputs = {}
    for method in ("fork", "spawn"):
        output = tmp_path / method
        done = subprocess.run(
            build_command(site, "--output", str(output)), env=environment(method), capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        outputs[method] = snapshot(output)
    assert len(outputs["fork"]) > PAGES
    assert outputs["spawn"] == outputs["fork"]


def _setup(offset: int) -> dict[str, int]:
    return {"offset": offset, "pid": os.getpid()}


def _work(state: dict[str, int], chunk: list[int]) -> tuple[int, list[int]]:
    return state["pid"], [index + state["offset"] for index in chunk]


@pytest.mark.parametrize("method", [FORK, "spawn"])
def test_worker_pool_runs_every_chunk_in_other_processes_in_order(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(START_METHOD_VARIABLE, method)
    results = list(run_in_workers(_setup, (1000,), _work, 30, 2))
    assert [chunk for chunk, _ in results] == [list(range(start, 30, 8)) for start in range(8)]
    assert all(values == [index + 1000 for index in chunk] for chunk, (_, values) in results)
    assert os.getpid() not in {pid for _, (pid, _) in results}


def test_start_method_is_fork_on_linux_spawn_elsewhere_and_forced_by_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(START_METHOD_VARIABLE, raising=False)
    assert start_method() == ("fork" if sys.platform.startswith("linux") and hasattr(os, "fork") else "spawn")
    monkeypatch.setenv(START_METHOD_VARIABLE, "spawn")
    assert start_method() == "spawn"
    monkeypatch.setenv(START_METHOD_VARIABLE, "threads")
    with pytest.raises(StartMethodError) as raised:
        start_method()
    assert str(raised.value).startswith(f"{START_METHOD_VARIABLE}='threads' is not a start method of this system; set it to ")
    assert str(raised.value).endswith("spawn, or unset it")


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an orphan waiting for a reaper has already stopped)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc (Linux)")
@pytest.mark.parametrize(
    ("method", "signal_number"),
    [pytest.param("fork", signal.SIGKILL, marks=needs_fork), ("spawn", signal.SIGKILL), ("spawn", signal.SIGTERM)],
)
def test_workers_of_a_killed_build_exit_and_free_the_output_lock(
    tmp_path: Path, method: str, signal_number: int
) -> None:
    site = many_pages_site(tmp_path / "site", words=60)
    log = (tmp_path / "build.log").open("w")
    build = subprocess.Popen(build_command(site), env=environment(method), stdout=log, stderr=log)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    try:
        # the workers that produce the pages run while the build holds the output lock and a staging folder exists
        while time.monotonic() < deadline and build.poll() is None:
            staging = [p for p in site.iterdir() if p.name.startswith(".evidencesite-tmp-")]
            workers = _descendants(build.pid) if staging else set()
            if len(workers) >= 2:
                break
            time.sleep(0.005)
        assert build.poll() is None, "the build finished before it could be killed: give the test more pages"
        build.send_signal(signal_number)
        build.wait(timeout=30)
    finally:
        if build.poll() is None:
            build.kill()
        log.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.02)
    assert not [pid for pid in workers if _running(pid)], "workers outlived their build"
    with output_lock(site / "output", wait_seconds=2):
        pass


# The output lock


HOLD_LOCK = """
import sys, time
from pathlib import Path
from evidencesite.output.writer import output_lock
with output_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


@contextlib.contextmanager
def lock_held_elsewhere(output: Path) -> Iterator[subprocess.Popen[str]]:
    """Hold the output lock of `output` in another process until the block ends (or the block kills it)."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(output)], cwd=REPO, stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            yield holder
        finally:
            holder.kill()


def test_a_second_build_into_the_same_folder_waits_then_refuses(tmp_path: Path) -> None:
    with lock_held_elsewhere(tmp_path / "site" / "output"):
        started = time.monotonic()
        with pytest.raises(OutputError) as raised, output_lock(tmp_path / "site" / "output", wait_seconds=0.5):
            pass
        assert time.monotonic() - started >= 0.5
        assert str(raised.value) == f"another build is writing to {tmp_path / 'site'}; try again when it has finished"


def test_the_lock_is_the_folders_whatever_the_spelling(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "site", target_is_directory=True)
    with lock_held_elsewhere(tmp_path / "site" / "output"):
        for spelling in (tmp_path / "link" / "output", tmp_path / "site" / "sub" / ".." / "output"):
            with pytest.raises(OutputError), output_lock(spelling, wait_seconds=0.2):
                pass
        with output_lock(tmp_path / "site" / "sub" / "output", wait_seconds=0.2):
            pass  # another folder: not serialised with it


def test_the_lock_of_a_killed_holder_is_free_at_once(tmp_path: Path) -> None:
    with lock_held_elsewhere(tmp_path / "site" / "output") as holder:
        holder.kill()
        holder.wait()
        with output_lock(tmp_path / "site" / "output", wait_seconds=1):
            pass
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == []  # nothing written beside the output


@pytest.mark.parametrize("signal_mask", [True, False], ids=["posix-mask", "windows-handler"])
def test_ctrl_c_during_an_update_of_the_output_takes_effect_after_it(
    signal_mask: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not signal_mask:
        monkeypatch.delattr(signal, "pthread_sigmask", raising=False)  # as on Windows
    finished = []
    with pytest.raises(KeyboardInterrupt), interruptions_held():
        signal.raise_signal(signal.SIGINT)
        finished.append(True)
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# Paths in messages


def test_windows_paths_in_messages_are_relative_to_the_site_whatever_the_case_or_slash() -> None:
    diagnostics = Diagnostics(PureWindowsPath("C:/Sites/Ketamine"))  # type: ignore[arg-type]
    assert diagnostics.display_path("c:\\sites\\KETAMINE\\content\\studies\\smith2020.md") == "content/studies/smith2020.md"
    assert diagnostics.display_path("C:/Sites/Ketamine/content/index.md") == "content/index.md"
    assert diagnostics.display_path("D:\\library\\references.bib") == "D:\\library\\references.bib"


def test_posix_paths_in_messages_are_relative_to_the_site(tmp_path: Path) -> None:
    diagnostics = Diagnostics(tmp_path / "site")
    diagnostics.error(tmp_path / "site" / "content" / "index.md", 3, "a problem")
    diagnostics.error(tmp_path / "site-other" / "index.md", 3, "another")
    assert [d.path for d in diagnostics.items] == ["content/index.md", str(tmp_path / "site-other" / "index.md")]


def test_the_ci_blocker_takes_fcntl_and_fork_away() -> None:
    """The second CI run proves something only if tests/no_fcntl really takes them away."""
    probe = "import os\ntry:\n    import fcntl\nexcept ImportError:\n    print('no fcntl')\nprint(hasattr(os, 'fork'))"
    blocked = {**os.environ, "PYTHONPATH": str(REPO / "tests" / "no_fcntl")}
    done = subprocess.run([sys.executable, "-c", probe], env=blocked, capture_output=True, text=True, check=True)
    assert done.stdout == "no fcntl\nFalse\n"
