"""When `serve` rebuilds: on the system's file events where it can, else by polling every source file.

A save comes as a burst of events (a temporary file written and renamed, a back-up deleted); the file
watcher hands them over once the burst has been quiet for a few milliseconds, and this asks for one rebuild
with the paths it changed. Polling (`serve --poll`, for network and VM-shared folders that deliver no
events, and the fallback when native watching fails) compares sizes and modification times every
POLL_SECONDS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from evidencesite.cache.files import Stamp
from evidencesite.cache.inputs import input_roots, walk_inputs
from evidencesite.serve.file_watcher import Changes, Deliver, FileWatcher, WatcherUnavailableError, events_name

if TYPE_CHECKING:
    from tornado.ioloop import IOLoop, PeriodicCallback

POLL_SECONDS = 0.1  # a poll stats every source file: ~5 ms at 1000 notes

OpenWatcher = Callable[[list[Path], Deliver], FileWatcher]
# Called once per burst with the paths that changed, or None when unknown (polling, or events were lost).
OnChange = Callable[[frozenset[Path] | None], None]


def source_roots(site: Path) -> list[Path]:
    """Return what a change to means a rebuild (existing or not): the build's own inputs (cache/inputs.py)."""
    return input_roots(site)


def snapshot_sources(paths: Iterable[Path]) -> dict[str, Stamp]:
    """Return path -> stamp for every file under `paths`, walked as the build's no-op check walks them."""
    return dict(walk_inputs(paths))


class SourceWatch:
    """Call `on_change` once per burst of source changes: on native file events where it can, by polling where not.

    `begin` before the first build, so that a save made during it is not lost; `start` once the loop
    exists. `on_change` runs on the loop and may take seconds: the watcher's batches queue meanwhile and
    a poll compares with a snapshot taken before the rebuild, so edits made during a rebuild cause one more.
    """

    def __init__(self, roots: list[Path], log: Callable[[str], None]) -> None:
        self.roots = roots
        self.log = log
        self.watcher: FileWatcher | None = None
        self._snapshot: dict[str, Stamp] = {}
        self._lock = threading.Lock()  # the watcher's threads hand batches over while `start` sets the loop
        self._loop: IOLoop | None = None
        self._early: list[Changes] = []  # batches that came before `start`
        self._on_change: OnChange = lambda _paths: None
        self._poller: PeriodicCallback | None = None
        self._changed: set[Path] = set()  # what the pending burst changed
        self._pending = False  # a rebuild is scheduled on the loop

    @classmethod
    def begin(cls, roots: list[Path], log: Callable[[str], None], open_watcher: OpenWatcher) -> SourceWatch:
        """Start watching `roots` with native events, or else take the first snapshot to poll against; log which."""
        watch = cls(roots, log)
        try:
            watch.watcher = open_watcher(roots, watch._receive)
        except WatcherUnavailableError as exc:
            log(f"{events_name()} unavailable ({exc}); polling the sources every {POLL_SECONDS} s")
            watch._snapshot = watch._take_snapshot()
            return watch
        log(f"watching {sum(1 for root in roots if root.exists())} source folders and files ({events_name()})")
        return watch

    @property
    def method(self) -> str:
        """'native' or 'polling'."""
        return "polling" if self.watcher is None else "native"

    def start(self, loop: IOLoop, on_change: OnChange) -> None:
        """Call `on_change` on `loop` after every burst of changes from now on (and for any since `begin`)."""
        self._on_change = on_change
        with self._lock:
            self._loop = loop
            early, self._early = self._early, []
        for changes in early:
            loop.add_callback(self._on_changes, changes)
        if self.watcher is None:
            self._start_polling()

    def stop(self) -> None:
        """Stop calling back and stop the watcher's threads."""
        if self._poller is not None:
            self._poller.stop()
        if self.watcher is not None:
            self.watcher.close()
        with self._lock:
            self._loop = None  # batches still on their way are dropped

    def _receive(self, changes: Changes) -> None:
        """Hand a batch from the watcher's thread to the loop (or keep it until `start`)."""
        with self._lock:
            if self._loop is None:
                self._early.append(changes)
                return
            loop = self._loop
        loop.add_callback(self._on_changes, changes)

    def _on_changes(self, changes: Changes) -> None:
        if self._loop is None:
            return  # stopped
        if changes.failed:
            self._fall_back(changes.failed)
            return
        if self.watcher is None:
            return  # a batch from before falling back: the poll sees everything
        self._changed |= changes.paths
        if not self._pending:  # batches that queued up during a rebuild all go into the next one
            self._pending = True
            self._loop.add_callback(self._settle)

    def _settle(self) -> None:
        self._pending = False
        if self.watcher is None or not self._changed:
            return
        changed, self._changed = frozenset(self._changed), set()
        self._on_change(changed)

    def _fall_back(self, reason: str) -> None:
        assert self._loop is not None
        if self.watcher is None:
            return
        self.log(f"{events_name()} stopped ({reason}); polling the sources every {POLL_SECONDS} s")
        self.watcher.close()
        self.watcher = None
        self._changed = set()
        self._snapshot = self._take_snapshot()
        self._start_polling()
        self._loop.add_callback(self._on_change, None)  # for the change that made native watching fail

    def _start_polling(self) -> None:
        from tornado.ioloop import PeriodicCallback

        self._poller = PeriodicCallback(self._poll, POLL_SECONDS * 1000)
        self._poller.start()

    def _poll(self) -> None:
        current = self._take_snapshot()
        if current != self._snapshot:
            self._snapshot = current
            self._on_change(None)

    def _take_snapshot(self) -> dict[str, Stamp]:
        return snapshot_sources(p for p in self.roots if p.exists())
