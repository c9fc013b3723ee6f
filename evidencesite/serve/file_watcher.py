"""Which source files changed, from the operating system's own file events (through watchfiles).

watchfiles wraps the Rust `notify` crate: inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
Windows. Its watchers run in threads of their own; each batch of changes (quiet for QUIET_MS, or at most
LONGEST_MS old) is handed to `deliver`, from that thread. Names the loader ignores (editor swap files,
back-ups, hidden folders) are ignored here too, judged per event by the event's own name: an atomic save's
rename of `.note.md.swp` onto `note.md` arrives as "note.md added", which counts.

A root (content/, templates/, site_config.yaml…) may be created, deleted or replaced while serving, so two
watchers run: one over the root folders and everything in them, and one over the folders that hold the
roots, which reports the roots themselves and has the first watcher start again when a root folder comes
or goes. When native watching is unavailable or stops (the user's watch limit, a network folder), `open`
raises or `deliver` gets a `Changes` with `failed` set, and the caller polls instead (source_watch).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from evidencesite.content.loader import is_ignored

QUIET_MS = 10  # one save's events (temporary file, rename, back-up deleted) come within a millisecond or two
LONGEST_MS = 250  # under a stream of changes (a git checkout) still deliver this often
TOPS_QUIET_MS = 50  # the roots themselves change rarely; waking less often leaves the builds more of the CPU
MODIFIED = 2  # watchfiles.Change.modified (added is 1, deleted 3)
NATIVE_EVENTS = {"linux": "inotify", "darwin": "FSEvents", "win32": "ReadDirectoryChangesW"}


class WatcherUnavailableError(Exception):
    """Native file events cannot watch these folders; the message says why, for the one line the server logs."""


@dataclass(frozen=True)
class Changes:
    """One batch: the paths that changed, or `failed`: why native watching stopped (anything may have changed)."""

    paths: frozenset[Path] = frozenset()
    failed: str = ""


Deliver = Callable[[Changes], None]


class StopEvent(Protocol):
    def is_set(self) -> bool: ...


class Notifier(Protocol):
    """What we use of watchfiles' RustNotify (a stand-in with the same shape can be passed to `open`)."""

    def watch(
        self, debounce_ms: int, step_ms: int, timeout_ms: int, stop_event: StopEvent | None
    ) -> set[tuple[int, str]] | str: ...

    def close(self) -> None: ...


# (paths, debug, force_polling, poll_delay_ms, recursive, ignore_permission_denied) -> Notifier
NotifierFactory = Callable[[list[str], bool, bool, int, bool, bool], Notifier]


def events_name() -> str:
    """Name this system's native file events, for the server's log."""
    return NATIVE_EVENTS.get(sys.platform, "native file events")


def path_key(path: Path | str) -> str:
    """Return `path` spelled as the file system compares names: without case on Windows and macOS."""
    text = os.path.normcase(os.fspath(path))
    return text.casefold() if sys.platform in ("win32", "darwin") else text


class FileWatcher:
    """Native watchers over some source roots. Use `open`; `close` when done (from any thread)."""

    def __init__(self, roots: Iterable[Path], deliver: Deliver, factory: NotifierFactory) -> None:
        self.roots = [Path(root) for root in roots]
        self._deliver = deliver
        self._factory = factory
        self._root_keys = {path_key(root): root for root in self.roots}
        self._stop = threading.Event()
        self._restart = threading.Event()  # a root folder came or went: watch the root folders again
        self._threads: list[threading.Thread] = []

    @classmethod
    def open(cls, roots: Iterable[Path], deliver: Deliver, factory: NotifierFactory | None = None) -> FileWatcher:
        """Start watching: every change from now on reaches `deliver`. Raises WatcherUnavailableError."""
        if factory is None:
            from watchfiles._rust_notify import RustNotify  # the documented low-level API: it starts synchronously

            factory = RustNotify
        watcher = cls(roots, deliver, factory)
        tops = watcher._open(sorted({str(root.parent) for root in watcher.roots}), recursive=False)
        try:
            trees = watcher._open_trees()
        except BaseException:
            tops.close()
            raise
        watcher._start(watcher._watch_tops, tops)
        watcher._start(watcher._watch_trees, trees)
        return watcher

    def close(self) -> None:
        """Stop both watchers (they return within a step); closing twice does nothing."""
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2)

    def _start(self, target: Callable[[Notifier], None], notifier: Notifier) -> None:
        thread = threading.Thread(target=target, args=(notifier,), name="evidencesite-watch", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _open(self, folders: list[str], recursive: bool) -> Notifier:
        try:
            return self._factory(folders, False, False, 0, recursive, True)
        except (OSError, RuntimeError) as exc:
            raise WatcherUnavailableError(f"cannot watch {', '.join(folders)}: {exc}") from None

    def _open_trees(self) -> Notifier:
        while True:
            folders = [root for root in self.roots if root.is_dir()]
            try:
                return self._open([str(folder) for folder in folders], recursive=True)
            except WatcherUnavailableError:
                if all(folder.is_dir() for folder in folders):
                    raise  # else a root folder went meanwhile (the other watcher reports it): try without it

    def _watch_tops(self, notifier: Notifier) -> None:
        def roots_only(changes: set[tuple[int, str]]) -> frozenset[Path]:
            changed = set()
            for change, name in changes:
                root = self._root_keys.get(path_key(name))
                if root is None or (change == MODIFIED and root.is_dir()):
                    continue  # not a root, or a root folder's own attributes: not a source change
                changed.add(root)
                if not root.is_file():
                    self._restart.set()  # a root folder came or went
            return frozenset(changed)

        self._run(notifier, TOPS_QUIET_MS, self._stop, roots_only)

    def _watch_trees(self, notifier: Notifier) -> None:
        restart_or_stop = _EitherEvent(self._restart, self._stop)
        while True:
            self._run(notifier, QUIET_MS, restart_or_stop, self._inside_roots)
            if self._stop.is_set():
                return
            self._restart.clear()
            try:
                notifier = self._open_trees()
            except WatcherUnavailableError as exc:
                self._deliver(Changes(failed=str(exc)))
                return

    def _run(
        self,
        notifier: Notifier,
        quiet_ms: int,
        stop: StopEvent,
        select: Callable[[set[tuple[int, str]]], frozenset[Path]],
    ) -> None:
        """Deliver each batch `select` keeps until `stop` is set; deliver the failure if the watcher fails."""
        try:
            while not stop.is_set():
                result = notifier.watch(LONGEST_MS, quiet_ms, 0, stop)
                if isinstance(result, set) and (paths := select(result)):
                    self._deliver(Changes(paths))
        except Exception as exc:  # watchfiles raises its own RuntimeError subclass, or OSError
            if not self._stop.is_set():
                self._stop.set()
                self._deliver(Changes(failed=str(exc) or type(exc).__name__))
        finally:
            notifier.close()

    def _inside_roots(self, changes: set[tuple[int, str]]) -> frozenset[Path]:
        """Keep the changed paths below a root whose names below it the loader would not ignore."""
        kept = set()
        for _, name in changes:
            for root in self.roots:
                parts = _parts_below(root, name)
                if parts is not None and not any(is_ignored(part) for part in parts):
                    kept.add(root.joinpath(*parts))  # spelled as the root is, whatever case the system reports
        return frozenset(kept)


def _parts_below(root: Path, name: str) -> tuple[str, ...] | None:
    """Return the names leading from `root` to the path `name`, or None when it is not below `root`."""
    root_key, key = path_key(root), path_key(name)
    if key == root_key:
        return ()
    prefix = root_key.rstrip(os.sep) + os.sep
    if not key.startswith(prefix):
        return None
    return Path(name[len(prefix) :]).parts


class _EitherEvent:
    """Set when either event is: watchfiles checks one object's `is_set()` each step."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        self._events = (first, second)

    def is_set(self) -> bool:
        return any(event.is_set() for event in self._events)
