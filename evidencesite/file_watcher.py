"""Linux inotify through ctypes: learn which source files changed without stat-ing every one of them.

`serve` polls every file every 100 ms where this is unavailable (not Linux, no inotify in libc, the
user's watch limit reached): `FileWatcher.open` and `read_changes` raise `WatcherUnavailableError`
with the reason, and the caller falls back. Names the loader ignores (editor swap files, back-ups, hidden
folders) are ignored here too, but an event is judged by its own name: an atomic save's rename of
`.note.md.swp` onto `note.md` arrives as IN_MOVED_TO `note.md`, which counts.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loader import is_ignored

# <sys/inotify.h>
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000

# What an editor's save, a touch, a rename or a delete produces. Not IN_MODIFY: a file being written
# in several chunks would trigger a rebuild half-way; IN_CLOSE_WRITE comes once, when it is complete.
EVENTS = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF
EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then len bytes of NUL-padded name
READ_SIZE = 64 * 1024
# A folder we may not or cannot watch any more is skipped, as os.walk skips it when polling.
SKIPPED_ERRORS = (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.ELOOP)


class WatcherUnavailableError(Exception):
    """inotify cannot watch these folders; the message says why, for the one line the server logs."""


@dataclass(frozen=True)
class Changes:
    """What one drain of the event queue found. `overflowed`: the kernel dropped events, so anything may have changed."""

    paths: frozenset[Path] = frozenset()
    overflowed: bool = False

    def __bool__(self) -> bool:
        return self.overflowed or bool(self.paths)


@dataclass
class _Watch:
    """One watched folder. A tree folder reports every entry and has its new subfolders watched; any other
    (the parent of a root or of site_config.yaml) reports only the entries in `names`."""

    path: Path
    tree: bool
    names: set[str] = field(default_factory=set)

    def reports(self, name: str) -> bool:
        return name in self.names or (self.tree and not is_ignored(name))


def parse_events(data: bytes) -> Iterator[tuple[int, int, str]]:
    """Yield (watch descriptor, mask, name) for each `struct inotify_event` in `data`; name is '' for the folder itself."""
    offset = 0
    while offset + EVENT.size <= len(data):
        wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
        offset += EVENT.size
        name = data[offset : offset + length].split(b"\0", 1)[0]
        offset += length
        yield wd, mask, os.fsdecode(name)


class FileWatcher:
    """An inotify instance watching some source roots. Use `open`; register `fileno()` for reading; `close` it."""

    def __init__(self, fd: int, libc: Any, roots: list[Path]) -> None:
        self._fd = fd
        self._libc = libc
        self._roots = roots
        self._watches: dict[int, _Watch] = {}
        self._trees: dict[Path, int] = {}

    @classmethod
    def open(cls, roots: Iterable[Path], libc: Any = None) -> FileWatcher:
        """Watch each root: a folder with every folder under it; a file, or a folder yet to be created, by
        its name in its parent folder. Raises WatcherUnavailableError. `libc` defaults to the process's own."""
        if not sys.platform.startswith("linux"):
            raise WatcherUnavailableError(f"inotify is Linux-only (this is {sys.platform})")
        if libc is None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
            except OSError as exc:
                raise WatcherUnavailableError(f"cannot load the C library: {exc}") from None
        if not all(hasattr(libc, name) for name in ("inotify_init1", "inotify_add_watch", "inotify_rm_watch")):
            raise WatcherUnavailableError("this C library has no inotify")
        if isinstance(libc, ctypes.CDLL):  # a fresh CDLL each time: these prototypes stay ours
            libc.inotify_init1.argtypes, libc.inotify_init1.restype = [ctypes.c_int], ctypes.c_int
            libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
            libc.inotify_add_watch.restype = ctypes.c_int
            libc.inotify_rm_watch.argtypes, libc.inotify_rm_watch.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            code = ctypes.get_errno()
            hint = " (the limit is fs.inotify.max_user_instances)" if code == errno.EMFILE else ""
            raise WatcherUnavailableError(f"inotify_init1 failed: {os.strerror(code)}{hint}")
        watcher = cls(fd, libc, [Path(root) for root in roots])
        try:
            watcher._watch_roots()
        except BaseException:
            watcher.close()
            raise
        return watcher

    def fileno(self) -> int:
        """The descriptor to wait on: readable when events are pending."""
        return self._fd

    def folder_count(self) -> int:
        """How many folders are watched (each costs one of the user's inotify watches)."""
        return len(self._watches)

    def close(self) -> None:
        """Close the inotify descriptor, which removes every watch; closing twice does nothing."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._watches.clear()
        self._trees.clear()

    def __enter__(self) -> FileWatcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read_changes(self) -> Changes:
        """Drain the pending events and return what changed; raises WatcherUnavailableError when a new folder
        cannot be watched (the caller must fall back, or edits inside it would be missed)."""
        changed: set[Path] = set()
        overflowed = False
        while True:
            try:
                data = os.read(self._fd, READ_SIZE)
            except BlockingIOError:
                break
            if not data:
                break
            for wd, mask, name in parse_events(data):
                if mask & IN_Q_OVERFLOW:
                    overflowed = True
                else:
                    self._handle(wd, mask, name, changed)
        if overflowed:  # folders created meanwhile went unseen: watch whatever is there now
            self._watch_roots()
        return Changes(frozenset(changed), overflowed)

    def _handle(self, wd: int, mask: int, name: str, changed: set[Path]) -> None:
        watch = self._watches.get(wd)
        if watch is None:  # a folder we stopped watching: its last events are still queued
            return
        if mask & IN_IGNORED:  # the folder is gone and the kernel dropped its watch
            self._forget(wd)
            return
        if not name:  # an event about the watched folder itself: only its deletion matters
            if mask & IN_DELETE_SELF and watch.tree:
                changed.add(watch.path)
            return
        if not watch.reports(name):
            return
        path = watch.path / name
        if mask & IN_ISDIR:
            if not mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO):
                return  # a folder's own attributes are not a source change
            if mask & (IN_MOVED_FROM | IN_DELETE):
                self._unwatch_tree(path)
            if mask & (IN_CREATE | IN_MOVED_TO):
                self._watch_tree(path)  # before the rebuild reads it, so no later edit inside is missed
        changed.add(path)

    def _watch_roots(self) -> None:
        for root in self._roots:
            self._add(root.parent, tree=False, name=root.name, follow=True)
            if root.is_dir():
                self._watch_tree(root)

    def _watch_tree(self, root: Path) -> None:
        # Like the loader and the poll: no descent into symlinked folders or into names the loader ignores.
        if self._add(root, tree=True, name=None, follow=True) is None:
            return
        for directory, subdirectories, _ in os.walk(root):
            subdirectories[:] = [d for d in subdirectories if not is_ignored(d)]
            for subdirectory in subdirectories:
                self._add(Path(directory, subdirectory), tree=True, name=None, follow=False)

    def _add(self, path: Path, *, tree: bool, name: str | None, follow: bool) -> int | None:
        mask = EVENTS | IN_ONLYDIR | IN_EXCL_UNLINK | (0 if follow else IN_DONT_FOLLOW)
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(path), mask)
        if wd < 0:
            code = ctypes.get_errno()
            if code in SKIPPED_ERRORS:
                return None
            hint = " (the limit is fs.inotify.max_user_watches)" if code == errno.ENOSPC else ""
            raise WatcherUnavailableError(f"cannot watch {path}: {os.strerror(code)}{hint}")
        # Watching the same folder twice (a root that is also a root's parent) returns the same descriptor.
        watch = self._watches.setdefault(wd, _Watch(path, tree))
        watch.tree = watch.tree or tree
        if name is not None:
            watch.names.add(name)
        if tree:
            self._trees[watch.path] = wd
        return wd

    def _unwatch_tree(self, root: Path) -> None:
        for path in [p for p in self._trees if p == root or root in p.parents]:
            wd = self._trees[path]
            self._libc.inotify_rm_watch(self._fd, wd)  # EINVAL when the kernel dropped it already: fine
            self._forget(wd)

    def _forget(self, wd: int) -> None:
        watch = self._watches.pop(wd, None)
        if watch is not None and self._trees.get(watch.path) == wd:
            del self._trees[watch.path]
