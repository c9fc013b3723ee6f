"""Swap a complete staged tree in for the output folder, so the output is always entirely old or entirely new.

Linux exchanges the two folders in one step (renameat2 RENAME_EXCHANGE); elsewhere two renames, and a
build killed between them has the old tree put back by the next one (writer.remove_stale_temporaries).
SIGINT and SIGTERM are held back while the folders move.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from evidencesite.output.writer import MARKER, MARKER_TEXT, OLD_PREFIX, discard_stage, is_own_temporary


def swap_in(stage: Path, output: Path, on_swapped: Callable[[], None] | None = None) -> None:
    """Make the complete staged tree the output, then delete the old one; `on_swapped` runs once it is in place.

    Every build, clean or incremental, stages the whole new tree (unchanged files as hard links), so the
    output holds exactly what this build planned: pages whose source is gone vanish with the old tree,
    and no file is deleted one by one (never through a link out of the output). SIGINT and SIGTERM are
    held back during the swap; a SIGKILL leaves the old or the new tree in place (see `remove_stale_temporaries`).
    """
    try:
        with interruptions_held():
            old = _swap(stage, output)
            if on_swapped is not None:
                on_swapped()
    except BaseException:
        discard_stage(stage)
        raise
    if old is not None and old.is_dir() and ((old / MARKER).is_file() or not any(old.iterdir())):
        shutil.rmtree(old, ignore_errors=True)


def replace_in_place(stage: Path, output: Path, site_paths: Sequence[str], on_swapped: Callable[[], None]) -> None:
    """Move the staged files over their old versions in `output`, each in one step; delete the staging folder.

    For small edits (staging.py decides): linking the whole unchanged tree into a staging folder and deleting
    the old one cost more than the edit (~0.75 s at 10,000 studies). The marker is renewed first, so the
    record of the previous output (output_manifest) no longer matches: a build killed while the files move
    leaves an output the next build does not trust, and that one makes every file again and swaps it in whole.
    Every path must be an existing regular file of the output reached without a symlink (output_manifest.scan_output).
    SIGINT and SIGTERM are held back while the files move.
    """
    try:
        with interruptions_held():
            fresh = output / f".{MARKER}.{os.getpid()}.tmp"
            fresh.write_bytes(MARKER_TEXT)
            os.replace(fresh, output / MARKER)  # from here on the output is this build's, or untrusted
            for site_path in site_paths:
                os.replace(os.path.join(stage, *site_path.split("/")), os.path.join(output, *site_path.split("/")))
            on_swapped()
    finally:
        discard_stage(stage)


@contextlib.contextmanager
def interruptions_held() -> Iterator[None]:
    """Hold back Ctrl-C and termination requests until the block ends; they take effect then.

    POSIX blocks the signals; Windows has no signal mask, so there Ctrl-C (and Ctrl-Break) are recorded by
    a handler and raised again afterwards (only the main thread may set handlers; elsewhere none arrive).
    """
    if hasattr(signal, "pthread_sigmask"):
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        return
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = [signal.SIGINT, *([signal.SIGBREAK] if hasattr(signal, "SIGBREAK") else [])]
    previous = {number: signal.signal(number, lambda number, _frame: received.append(number)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            signal.raise_signal(received[0])


def _swap(stage: Path, output: Path) -> Path | None:
    """Put `stage` in place of `output`; return where the previous output now is (None if there was none).

    Linux exchanges the two folders in one step (renameat2 RENAME_EXCHANGE); elsewhere, or where the file
    system refuses, two renames. A mount point cannot be renamed (EBUSY): its contents are replaced instead.
    """
    if stage.parent != output.parent:  # staged inside a mount point
        return _replace_contents(stage, output)
    if not output.exists():
        os.replace(stage, output)
        return None
    try:
        if _exchange(stage, output):
            return stage
        old = output.parent / f"{OLD_PREFIX}{output.name}-{os.getpid()}"
        os.replace(output, old)
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV, errno.EPERM):
            raise
        return _replace_contents(stage, output)
    try:
        os.replace(stage, output)
    except BaseException:
        os.replace(old, output)
        raise
    return old


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically where the system can (Linux 3.15+); False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # a C library without the call (musl before 1.2.4)
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # this file system cannot exchange
        return False
    raise OSError(number, os.strerror(number), str(second))


def _replace_contents(stage: Path, output: Path) -> Path:
    """Refill an output folder that cannot be renamed (a mount point); return the folder holding the old files.

    First the marker is replaced by a fresh file, so the record of the previous output no longer matches
    (output_manifest) and a build killed half-way is followed by a full one; then the old entries are moved
    into a folder inside the output and the new ones moved (or, across file systems, copied) in.
    """
    old = output / f"{OLD_PREFIX}{output.name}-{os.getpid()}"
    old.mkdir()
    (old / MARKER).write_bytes(MARKER_TEXT)
    fresh = output / f".{MARKER}.{os.getpid()}.tmp"
    fresh.write_bytes(MARKER_TEXT)
    os.replace(fresh, output / MARKER)
    for entry in sorted(os.listdir(output)):
        if entry != MARKER and not is_own_temporary(entry):
            os.replace(output / entry, old / entry)
    for entry in sorted(os.listdir(stage)):
        if entry != MARKER:
            _move(stage / entry, output / entry)
    discard_stage(stage)
    return old


def _move(source: Path, target: Path) -> None:
    """Rename `source` to `target`, copying instead when they lie on different file systems."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)
