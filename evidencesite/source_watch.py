"""When `serve` rebuilds: on inotify events where it can, else by polling every source file.

A save comes as a burst of events (a temporary file written and renamed, a back-up deleted); the
watch waits until a burst has been quiet for QUIET_SECONDS and then asks for one rebuild.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .file_watcher import FileWatcher, WatcherUnavailableError
from .templating import BUILTIN_TEMPLATES

if TYPE_CHECKING:
    from tornado.ioloop import IOLoop, PeriodicCallback

POLL_SECONDS = 0.1  # a poll stats every source file: ~5 ms at 1000 notes
# One save's events (a temporary file written, renamed, its back-up deleted) come within a millisecond
# or two; each millisecond of quiet waited for is a millisecond of latency.
QUIET_SECONDS = 0.01
LONGEST_WAIT_SECONDS = 0.25  # under a stream of changes (a git checkout) still rebuild this often

OpenWatcher = Callable[[list[Path]], FileWatcher]
# Called once per burst with the paths that changed, or None when unknown (polling, or events were lost).
OnChange = Callable[[frozenset[Path] | None], None]


def source_roots(site: Path) -> list[Path]:
    """Return what a change to means a rebuild (existing or not): sources, templates, static files, settings."""
    return [site / "content", site / "templates", site / "static", site / "site_config.yaml", BUILTIN_TEMPLATES]


def snapshot_sources(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Return path -> (mtime_ns, size) for every file under `paths`."""
    result: dict[str, tuple[int, int]] = {}
    for root in paths:
        if root.is_file():
            stat = root.stat()
            result[str(root)] = (stat.st_mtime_ns, stat.st_size)
            continue
        for directory, _, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                result[path] = (stat.st_mtime_ns, stat.st_size)
    return result


class SourceWatch:
    """Call `on_change` once per burst of source changes: on inotify events where it can, by polling where not.

    `begin` before the first build, so that a save made during it is not lost; `start` once the loop
    exists. `on_change` runs on the loop and may take seconds: inotify queues the events meanwhile and a
    poll compares with a snapshot taken before the rebuild, so an edit made during a rebuild causes another.
    It receives the paths the burst changed (inotify), or None when they are not known.
    """

    def __init__(self, roots: list[Path], log: Callable[[str], None], watcher: FileWatcher | None) -> None:
        self.roots = roots
        self.log = log
        self.watcher = watcher
        self._snapshot = self._take_snapshot() if watcher is None else {}
        self._loop: IOLoop | None = None
        self._on_change: OnChange = lambda _paths: None
        self._poller: PeriodicCallback | None = None
        self._timer: object | None = None
        self._burst: tuple[float, float] | None = None  # loop times of the pending burst's first and latest events
        self._changed: set[Path] = set()  # what the pending burst changed
        self._unknown = False  # the pending burst lost events (queue overflow)

    @classmethod
    def begin(cls, roots: list[Path], log: Callable[[str], None], open_watcher: OpenWatcher) -> SourceWatch:
        """Start watching `roots` with inotify, or else take the first snapshot to poll against; log which."""
        try:
            watcher = open_watcher(roots)
        except WatcherUnavailableError as exc:
            log(f"inotify unavailable ({exc}); polling the sources every {POLL_SECONDS} s")
            return cls(roots, log, None)
        log(f"watching {watcher.folder_count()} folders for changes (inotify)")
        return cls(roots, log, watcher)

    @property
    def method(self) -> str:
        """'inotify' or 'polling'."""
        return "polling" if self.watcher is None else "inotify"

    def start(self, loop: IOLoop, on_change: OnChange) -> None:
        """Call `on_change` on `loop` after every burst of changes from now on (and for any since `begin`)."""
        self._loop, self._on_change = loop, on_change
        if self.watcher is None:
            self._start_polling()
        else:
            loop.add_handler(self.watcher.fileno(), lambda *_: self._on_readable(), loop.READ)

    def stop(self) -> None:
        """Stop calling back and close the inotify descriptor."""
        if self._poller is not None:
            self._poller.stop()
        if self._loop is not None and self._timer is not None:
            self._loop.remove_timeout(self._timer)
        self._timer = None
        if self.watcher is not None:
            if self._loop is not None:
                self._loop.remove_handler(self.watcher.fileno())
            self.watcher.close()

    def _on_readable(self) -> None:
        assert self._loop is not None
        if self._read() and self._timer is None:
            self._timer = self._loop.call_later(QUIET_SECONDS, self._settle)

    def _read(self) -> bool:
        """Add pending events to the burst; True when there were any."""
        assert self._loop is not None and self.watcher is not None
        try:
            changes = self.watcher.read_changes()
        except WatcherUnavailableError as exc:
            self._fall_back(str(exc))
            return False
        if not changes:
            return False
        self._changed |= changes.paths
        self._unknown = self._unknown or changes.overflowed
        now = self._loop.time()
        self._burst = (self._burst[0] if self._burst else now, now)
        return True

    def _settle(self) -> None:
        """Rebuild once the burst has been quiet for QUIET_SECONDS, or has gone on for LONGEST_WAIT_SECONDS."""
        assert self._loop is not None
        self._timer = None
        self._read()  # events the loop has not dispatched yet belong to this burst
        if self.watcher is None or self._burst is None:
            return  # fell back to polling, which rebuilds by itself
        first, latest = self._burst
        now = self._loop.time()
        if now < latest + QUIET_SECONDS and now < first + LONGEST_WAIT_SECONDS:
            self._timer = self._loop.call_at(min(latest + QUIET_SECONDS, first + LONGEST_WAIT_SECONDS), self._settle)
            return
        changed = None if self._unknown else frozenset(self._changed)
        self._burst, self._changed, self._unknown = None, set(), False
        self._on_change(changed)

    def _fall_back(self, reason: str) -> None:
        assert self._loop is not None and self.watcher is not None
        self.log(f"inotify stopped ({reason}); polling the sources every {POLL_SECONDS} s")
        self._loop.remove_handler(self.watcher.fileno())
        self.watcher.close()
        self.watcher = None
        if self._timer is not None:
            self._loop.remove_timeout(self._timer)
            self._timer = None
        self._burst, self._changed, self._unknown = None, set(), False
        self._snapshot = self._take_snapshot()
        self._start_polling()
        self._loop.add_callback(self._on_change, None)  # for the change that made a folder unwatchable

    def _start_polling(self) -> None:
        from tornado.ioloop import PeriodicCallback

        self._poller = PeriodicCallback(self._poll, POLL_SECONDS * 1000)
        self._poller.start()

    def _poll(self) -> None:
        current = self._take_snapshot()
        if current != self._snapshot:
            self._snapshot = current
            self._on_change(None)

    def _take_snapshot(self) -> dict[str, tuple[int, int]]:
        return snapshot_sources(p for p in self.roots if p.exists())
