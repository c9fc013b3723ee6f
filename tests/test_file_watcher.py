"""The native file watcher (watchfiles) on a real folder, and the server's choice between it and polling.

Batches arrive from the watcher's threads a few milliseconds after a change, so the tests wait with a
deadline; a test that something is *not* reported waits a little longer than a batch can take.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tornado.ioloop import IOLoop
from watchfiles._rust_notify import RustNotify

from evidencesite.serve.file_watcher import (
    Changes,
    FileWatcher,
    Notifier,
    StopEvent,
    WatcherUnavailableError,
    events_name,
)
from evidencesite.serve.source_watch import POLL_SECONDS, OpenWatcher, SourceWatch

QUIET = 0.4  # longer than any batch takes to arrive (LONGEST_MS plus a step)


def make_site(root: Path) -> tuple[Path, list[Path]]:
    """A site folder with one note; returns it and the roots serve would watch (without the built-in templates)."""
    (root / "content" / "studies").mkdir(parents=True)
    (root / "content" / "studies" / "note.md").write_text("first\n")
    (root / "site_config.yaml").write_text("title: t\n")
    return root, [root / "content", root / "templates", root / "static", root / "site_config.yaml"]


class Collected:
    """What a watcher delivered, from its threads."""

    def __init__(self) -> None:
        self.batches: list[Changes] = []
        self._lock = threading.Lock()

    def __call__(self, changes: Changes) -> None:
        with self._lock:
            self.batches.append(changes)

    def take(self, expected: set[Path] | None = None, seconds: float = 5.0) -> set[Path]:
        """Wait until the delivered paths include `expected` (or, without it, for QUIET); return and forget them."""
        deadline = time.monotonic() + (seconds if expected is not None else QUIET)
        while time.monotonic() < deadline and not (expected is not None and expected <= self._paths()):
            time.sleep(0.005)
        if expected is not None:
            time.sleep(0.05)  # the rest of the burst, if any
        with self._lock:
            paths = self._paths()
            self.batches.clear()
        return paths

    def _paths(self) -> set[Path]:
        return {path for batch in list(self.batches) for path in batch.paths}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, Collected]]:
    root, roots = make_site(tmp_path / "site")
    collected = Collected()
    watcher = FileWatcher.open(roots, collected)
    yield root, collected
    watcher.close()


def test_modified_file_is_reported(site) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    note = root / "content" / "studies" / "note.md"
    with note.open("a") as handle:
        handle.write("second\n")
    assert collected.take({note}) == {note}
    assert collected.take() == set()


def test_touch_and_delete_are_reported(site) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    note = root / "content" / "studies" / "note.md"
    os.utime(note)
    assert collected.take({note}) == {note}
    note.unlink()
    assert collected.take({note}) == {note}


def test_file_in_a_new_subfolder_is_reported_and_the_folder_stays_watched(site) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    deep = root / "content" / "pages" / "deep"
    deep.mkdir(parents=True)
    (deep / "page.md").write_text("new\n")  # may land before the watch on deep/ exists: the folder is reported
    assert root / "content" / "pages" in collected.take({root / "content" / "pages"})
    (deep / "page.md").write_text("edited\n")
    assert collected.take({deep / "page.md"}) == {deep / "page.md"}


@pytest.mark.parametrize("temporary", [".note.md.swp", "note.md~", "note.md.tmp"])
def test_atomic_save_through_an_ignored_temporary_file_counts(site, temporary: str) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    folder = root / "content" / "studies"
    (folder / temporary).write_text("saved atomically\n")
    os.replace(folder / temporary, folder / "note.md")
    assert collected.take({folder / "note.md"}) == {folder / "note.md"}


def test_editor_files_alone_report_nothing(site) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    folder = root / "content" / "studies"
    for name in (".note.md.swp", "note.md~", "#note.md#", "note.md.tmp"):
        (folder / name).write_text("scratch\n")
        (folder / name).unlink()
    (folder / ".obsidian").mkdir()
    (folder / ".obsidian" / "workspace.json").write_text("{}")
    assert collected.take() == set()
    assert not collected.batches


def test_settings_are_watched_by_name_and_other_site_files_are_not(site) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    (root / "notes-to-self.txt").write_text("x")
    (root / "output").mkdir()
    (root / "output" / "index.html").write_text("x")
    assert collected.take() == set()
    replacement = root / ".site_config.yaml.swp"  # saved the way vim does: the watched file is replaced
    replacement.write_text("title: u\n")
    os.replace(replacement, root / "site_config.yaml")
    assert collected.take({root / "site_config.yaml"}) == {root / "site_config.yaml"}
    (root / "site_config.yaml").write_text("title: v\n")
    assert collected.take({root / "site_config.yaml"}) == {root / "site_config.yaml"}


def test_a_root_created_later_is_watched(site) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    (root / "templates").mkdir()
    assert collected.take({root / "templates"}) == {root / "templates"}
    time.sleep(0.1)  # the folder watcher starts again with templates/ among its roots
    (root / "templates" / "page.html").write_text("<p>")
    assert collected.take({root / "templates" / "page.html"}) == {root / "templates" / "page.html"}


def test_a_folder_moved_out_is_forgotten(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, collected = site
    os.rename(root / "content" / "studies", tmp_path / "elsewhere")
    assert collected.take({root / "content" / "studies"}) == {root / "content" / "studies"}
    (tmp_path / "elsewhere" / "note.md").write_text("outside now\n")
    assert collected.take() == set()


class FailingNotifier:
    """watchfiles' notifier, except that it fails the way it does at the user's watch limit once `trigger` exists."""

    def __init__(self, real: RustNotify, trigger: Path) -> None:
        self.real, self.trigger = real, trigger

    def watch(
        self, debounce_ms: int, step_ms: int, timeout_ms: int, stop_event: StopEvent | None
    ) -> set[tuple[int, str]] | str:
        result = self.real.watch(debounce_ms, step_ms, timeout_ms, stop_event)
        if self.trigger.exists():
            raise RuntimeError("OS file watch limit reached")
        return result

    def close(self) -> None:
        self.real.close()


def failing_after(trigger: Path) -> Callable[..., Notifier]:
    return lambda *arguments: FailingNotifier(RustNotify(*arguments), trigger)


def test_a_watcher_that_fails_while_watching_delivers_the_reason_once(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")
    collected = Collected()
    watcher = FileWatcher.open(roots, collected, failing_after(root / "content" / "pages"))
    try:
        (root / "content" / "pages").mkdir()
        deadline = time.monotonic() + 5
        while not collected.batches and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(QUIET)
        assert collected.batches == [Changes(failed="OS file watch limit reached")]
    finally:
        watcher.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "evidencesite-watch"]


def test_a_watcher_that_cannot_start_is_unavailable_with_the_reason(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")

    def refusing(*_arguments: object) -> Notifier:
        raise OSError("OS file watch limit reached")

    with pytest.raises(WatcherUnavailableError) as raised:
        FileWatcher.open(roots, Collected(), refusing)
    assert str(raised.value) == f"cannot watch {root}: OS file watch limit reached"  # the folder holding the roots


# The server's side: one rebuild per burst, no edit lost, polling when native events are unavailable.


def unavailable(roots: list[Path], deliver: object) -> FileWatcher:
    raise WatcherUnavailableError("forced off for this test")


OPENERS = [pytest.param(FileWatcher.open, id="native"), pytest.param(unavailable, id="polling")]


async def wait_until(predicate: Callable[[], object], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.005)
    return bool(predicate())


def run_watch(roots: list[Path], open_watcher: OpenWatcher, scenario: Callable[..., object]) -> list[str]:
    """Run `scenario(watch, calls)` on a fresh event loop with a started SourceWatch; return its log."""
    log: list[str] = []

    async def main() -> None:
        watch = SourceWatch.begin(roots, log.append, open_watcher)
        calls: list[object] = []
        try:
            await scenario(watch, calls)  # type: ignore[misc]
        finally:
            watch.stop()

    asyncio.run(main())
    return log


def append(path: Path, text: str) -> None:
    with path.open("a") as handle:  # appending changes the size, which a poll sees even within one mtime tick
        handle.write(text)


@pytest.mark.parametrize("open_watcher", OPENERS)
def test_a_save_during_the_first_build_is_not_lost(tmp_path: Path, open_watcher: OpenWatcher) -> None:
    root, roots = make_site(tmp_path / "site")

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        append(root / "content" / "studies" / "note.md", "saved while the first build ran\n")
        await asyncio.sleep(0.1)  # the watcher's batch may come before the loop is handed over
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        assert await wait_until(lambda: calls)

    run_watch(roots, open_watcher, scenario)


@pytest.mark.parametrize("open_watcher", OPENERS)
def test_one_save_burst_causes_one_rebuild(tmp_path: Path, open_watcher: OpenWatcher) -> None:
    root, roots = make_site(tmp_path / "site")
    folder = root / "content" / "studies"

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        # vim's save, all of it within a millisecond: probe file, back-up by rename, new file, back-up gone
        (folder / "4913").write_text("")
        (folder / "4913").unlink()
        os.rename(folder / "note.md", folder / "note.md~")
        (folder / "note.md").write_text("first\nsaved by vim\n")
        (folder / "note.md~").unlink()
        assert await wait_until(lambda: calls)
        assert not await wait_until(lambda: len(calls) > 1, seconds=QUIET)
        # native events say what the burst changed (the back-up is an ignored name); polling cannot
        assert calls[0] is None if watch.method == "polling" else calls[0] == {folder / "4913", folder / "note.md"}

    run_watch(roots, open_watcher, scenario)


@pytest.mark.parametrize("open_watcher", OPENERS)
def test_an_edit_during_a_rebuild_causes_exactly_one_more(tmp_path: Path, open_watcher: OpenWatcher) -> None:
    root, roots = make_site(tmp_path / "site")
    note = root / "content" / "studies" / "note.md"

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        def rebuild(paths: frozenset[Path] | None) -> None:
            calls.append(paths)
            if len(calls) == 1:
                for number in range(3):  # three saves while the rebuild runs (it blocks the loop)
                    append(note, f"saved while the rebuild ran ({number})\n")
                    time.sleep(0.05)

        watch.start(IOLoop.current(), rebuild)
        append(note, "the edit that starts it\n")
        assert await wait_until(lambda: len(calls) == 2)
        assert not await wait_until(lambda: len(calls) > 2, seconds=QUIET)
        assert calls[1] is None if watch.method == "polling" else calls[1] == {note}

    run_watch(roots, open_watcher, scenario)


def test_unavailable_native_events_fall_back_to_polling_and_say_so(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")
    methods: list[str] = []

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        methods.append(watch.method)
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        append(root / "content" / "studies" / "note.md", "polled\n")
        assert await wait_until(lambda: calls)

    log = run_watch(roots, unavailable, scenario)
    assert methods == ["polling"]
    assert log == [f"{events_name()} unavailable (forced off for this test); polling the sources every {POLL_SECONDS} s"]


def test_native_events_failing_while_serving_fall_back_to_polling_and_rebuild(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")
    factory = failing_after(root / "content" / "pages")

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        (root / "content" / "pages").mkdir()
        assert await wait_until(lambda: calls)
        assert watch.method == "polling" and calls == [None]
        append(root / "content" / "studies" / "note.md", "seen by the poll\n")
        assert await wait_until(lambda: len(calls) == 2)

    log = run_watch(roots, lambda paths, deliver: FileWatcher.open(paths, deliver, factory), scenario)
    assert log == [
        f"watching 2 source folders and files ({events_name()})",
        f"{events_name()} stopped (OS file watch limit reached); polling the sources every {POLL_SECONDS} s",
    ]


def test_native_watcher_is_used_and_its_threads_end_on_stop(tmp_path: Path) -> None:
    _, roots = make_site(tmp_path / "site")
    methods: list[str] = []

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        methods.append(watch.method)
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))

    log = run_watch(roots, FileWatcher.open, scenario)
    assert methods == ["native"]
    assert log == [f"watching 2 source folders and files ({events_name()})"]
    assert not [thread for thread in threading.enumerate() if thread.name == "evidencesite-watch"]
