"""The inotify watcher on a real folder, and the server's choice between it and polling.

inotify queues an event inside the system call that caused it, so `read_changes()` right after a
write sees it: the watcher tests need no waiting. The loop tests wait with a deadline.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from tornado.ioloop import IOLoop

from evidencesite.file_watcher import (
    EVENT,
    IN_CLOSE_WRITE,
    IN_Q_OVERFLOW,
    Changes,
    FileWatcher,
    WatcherUnavailableError,
    parse_events,
)
from evidencesite.source_watch import OpenWatcher, SourceWatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux-only")


def make_site(root: Path) -> tuple[Path, list[Path]]:
    """A site folder with one note; returns it and the roots serve would watch (without the built-in templates)."""
    (root / "content" / "studies").mkdir(parents=True)
    (root / "content" / "studies" / "note.md").write_text("first\n")
    (root / "site_config.yaml").write_text("title: t\n")
    return root, [root / "content", root / "templates", root / "static", root / "site_config.yaml"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, FileWatcher]]:
    root, roots = make_site(tmp_path / "site")
    watcher = FileWatcher.open(roots)
    yield root, watcher
    watcher.close()


def test_modified_file_is_reported(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    note = root / "content" / "studies" / "note.md"
    with note.open("a") as handle:
        handle.write("second\n")
    assert watcher.read_changes() == Changes(frozenset({note}))
    assert not watcher.read_changes()


def test_touch_and_delete_are_reported(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    note = root / "content" / "studies" / "note.md"
    os.utime(note)
    assert watcher.read_changes().paths == {note}
    note.unlink()
    assert watcher.read_changes().paths == {note}


def test_file_in_a_new_subfolder_is_reported_and_the_folder_stays_watched(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    deep = root / "content" / "pages" / "deep"
    deep.mkdir(parents=True)
    (deep / "page.md").write_text("new\n")  # may land before the watch on deep/ exists: the folder is reported
    assert root / "content" / "pages" in watcher.read_changes().paths
    (deep / "page.md").write_text("edited\n")
    assert watcher.read_changes().paths == {deep / "page.md"}


@pytest.mark.parametrize("temporary", [".note.md.swp", "note.md~", "note.md.tmp"])
def test_atomic_save_through_an_ignored_temporary_file_counts(site, temporary: str) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    folder = root / "content" / "studies"
    (folder / temporary).write_text("saved atomically\n")
    os.replace(folder / temporary, folder / "note.md")
    assert watcher.read_changes().paths == {folder / "note.md"}


def test_editor_files_alone_report_nothing(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    folder = root / "content" / "studies"
    for name in (".note.md.swp", "note.md~", "#note.md#", "note.md.tmp"):
        (folder / name).write_text("scratch\n")
        (folder / name).unlink()
    (folder / ".obsidian").mkdir()
    (folder / ".obsidian" / "workspace.json").write_text("{}")
    assert not watcher.read_changes()


def test_settings_are_watched_by_name_and_other_site_files_are_not(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    (root / "notes-to-self.txt").write_text("x")
    (root / "output").mkdir()
    (root / "output" / "index.html").write_text("x")
    assert not watcher.read_changes()
    (root / "site_config.yaml").write_text("title: u\n")
    assert watcher.read_changes().paths == {root / "site_config.yaml"}


def test_a_root_created_later_is_watched(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    (root / "templates" / "partials").mkdir(parents=True)
    assert watcher.read_changes().paths == {root / "templates"}
    (root / "templates" / "partials" / "head.html").write_text("<meta>")
    assert watcher.read_changes().paths == {root / "templates" / "partials" / "head.html"}


def test_a_folder_moved_out_is_forgotten(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    watched = watcher.folder_count()
    os.rename(root / "content" / "studies", tmp_path / "elsewhere")
    assert watcher.read_changes().paths == {root / "content" / "studies"}
    assert watcher.folder_count() == watched - 1
    (tmp_path / "elsewhere" / "note.md").write_text("outside now\n")
    assert not watcher.read_changes()


def test_overflow_reports_everything_and_watches_folders_it_missed(site) -> None:  # type: ignore[no-untyped-def]
    root, watcher = site
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"max_queued_events is {limit}: too many events to overflow quickly")
    notes = [root / "content" / "studies" / name for name in ("a.md", "b.md")]
    for note in notes:
        note.write_text("x")
    for index in range(limit + 2):  # alternate names: the kernel merges identical consecutive events
        os.utime(notes[index % 2])
    (root / "content" / "pages").mkdir()  # its event is lost in the overflow
    changes = watcher.read_changes()
    assert changes.overflowed and changes
    (root / "content" / "pages" / "about.md").write_text("x")
    assert watcher.read_changes().paths == {root / "content" / "pages" / "about.md"}


def test_close_releases_the_descriptor(tmp_path: Path) -> None:
    _, roots = make_site(tmp_path / "site")
    watcher = FileWatcher.open(roots)
    fd = watcher.fileno()
    watcher.close()
    watcher.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_a_c_library_without_inotify_makes_the_watcher_unavailable(tmp_path: Path) -> None:
    _, roots = make_site(tmp_path / "site")
    with pytest.raises(WatcherUnavailableError) as raised:
        FileWatcher.open(roots, libc=SimpleNamespace())
    assert str(raised.value) == "this C library has no inotify"


class WatchLimitedLibc:
    """The real libc, except that a new watch beyond the first `watches` fails with ENOSPC, as at the user's limit."""

    def __init__(self, watches: int) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.inotify_init1, self.inotify_rm_watch = libc.inotify_init1, libc.inotify_rm_watch
        self._add_watch = libc.inotify_add_watch
        self._add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.watches = watches
        self.given: set[int] = set()

    def inotify_add_watch(self, fd: int, path: bytes, mask: int) -> int:
        wd = int(self._add_watch(fd, path, mask))
        if wd >= 0 and wd not in self.given and len(self.given) == self.watches:
            self.inotify_rm_watch(fd, wd)
            ctypes.set_errno(errno.ENOSPC)
            return -1
        self.given.add(wd)
        return wd


def test_reaching_the_watch_limit_makes_the_watcher_unavailable(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")
    with pytest.raises(WatcherUnavailableError) as raised:
        FileWatcher.open(roots, libc=WatchLimitedLibc(watches=2))
    assert str(raised.value) == (
        f"cannot watch {root / 'content' / 'studies'}: No space left on device (the limit is fs.inotify.max_user_watches)"
    )


def test_event_records_are_parsed_with_their_padded_names() -> None:
    data = EVENT.pack(1, IN_CLOSE_WRITE, 0, 16) + b"note.md".ljust(16, b"\0") + EVENT.pack(-1, IN_Q_OVERFLOW, 0, 0)
    assert list(parse_events(data)) == [(1, IN_CLOSE_WRITE, "note.md"), (-1, IN_Q_OVERFLOW, "")]


# The server's side: one rebuild per burst, no edit lost, polling when inotify is unavailable.


def unavailable(roots: list[Path]) -> FileWatcher:
    raise WatcherUnavailableError("forced off for this test")


OPENERS = [pytest.param(FileWatcher.open, id="inotify"), pytest.param(unavailable, id="polling")]


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
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        assert await wait_until(lambda: calls)

    run_watch(roots, open_watcher, scenario)


@pytest.mark.parametrize("open_watcher", OPENERS)
def test_one_save_burst_causes_one_rebuild(tmp_path: Path, open_watcher: OpenWatcher) -> None:
    root, roots = make_site(tmp_path / "site")
    folder = root / "content" / "studies"

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        # vim's save, all of it before the loop runs again: probe file, back-up by rename, new file, back-up gone
        (folder / "4913").write_text("")
        (folder / "4913").unlink()
        os.rename(folder / "note.md", folder / "note.md~")
        (folder / "note.md").write_text("first\nsaved by vim\n")
        (folder / "note.md~").unlink()
        assert await wait_until(lambda: calls)
        assert not await wait_until(lambda: len(calls) > 1, seconds=0.4)
        # inotify says what the burst changed (the back-up is an ignored name); polling cannot
        assert calls[0] is None if watch.method == "polling" else calls[0] == {folder / "4913", folder / "note.md"}

    run_watch(roots, open_watcher, scenario)


@pytest.mark.parametrize("open_watcher", OPENERS)
def test_an_edit_during_a_rebuild_causes_another(tmp_path: Path, open_watcher: OpenWatcher) -> None:
    root, roots = make_site(tmp_path / "site")
    note = root / "content" / "studies" / "note.md"

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        def rebuild(paths: frozenset[Path] | None) -> None:
            calls.append(1)
            if len(calls) == 1:
                append(note, "saved while the rebuild ran\n")

        watch.start(IOLoop.current(), rebuild)
        append(note, "the edit that starts it\n")
        assert await wait_until(lambda: len(calls) == 2)
        assert not await wait_until(lambda: len(calls) > 2, seconds=0.4)

    run_watch(roots, open_watcher, scenario)


def test_unavailable_inotify_falls_back_to_polling_and_says_so(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")
    methods: list[str] = []

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        methods.append(watch.method)
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        append(root / "content" / "studies" / "note.md", "polled\n")
        assert await wait_until(lambda: calls)

    log = run_watch(roots, unavailable, scenario)
    assert methods == ["polling"]
    assert log == ["inotify unavailable (forced off for this test); polling the sources every 0.1 s"]


def test_watch_limit_reached_while_serving_falls_back_to_polling_and_rebuilds(tmp_path: Path) -> None:
    root, roots = make_site(tmp_path / "site")
    libc = WatchLimitedLibc(watches=3)  # the site folder, content/ and content/studies/: none left for a new folder

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))
        (root / "content" / "pages").mkdir()
        assert await wait_until(lambda: calls)
        assert watch.method == "polling"
        append(root / "content" / "studies" / "note.md", "seen by the poll\n")
        assert await wait_until(lambda: len(calls) == 2)

    log = run_watch(roots, lambda paths: FileWatcher.open(paths, libc=libc), scenario)
    assert log == [
        "watching 3 folders for changes (inotify)",
        f"inotify stopped (cannot watch {root / 'content' / 'pages'}: No space left on device (the limit is fs.inotify.max_user_watches)); polling the sources every 0.1 s",
    ]


def test_available_inotify_is_used_and_closed_on_stop(tmp_path: Path) -> None:
    _, roots = make_site(tmp_path / "site")
    seen: list[tuple[str, int]] = []

    async def scenario(watch: SourceWatch, calls: list[object]) -> None:
        assert watch.watcher is not None
        seen.append((watch.method, watch.watcher.fileno()))
        watch.start(IOLoop.current(), lambda paths: calls.append(paths))

    log = run_watch(roots, FileWatcher.open, scenario)
    assert seen[0][0] == "inotify"
    assert log == ["watching 3 folders for changes (inotify)"]
    with pytest.raises(OSError):
        os.fstat(seen[0][1])
