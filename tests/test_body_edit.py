"""Body-only edits (build/body_edit.py): only the edited pages and the search index are made, byte for byte as a
full build makes them; everything else falls back to the full build, and a stale or damaged state is never used."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, snapshot, write_site
from evidencesite.background import Pending, in_background
from evidencesite.build.pipeline import BuildOptions, BuildResult, build
from evidencesite.cache import files as cache_files
from evidencesite.cache import store as cache_store
from evidencesite.cache.output_manifest import MANIFEST_FILE, scan_output
from evidencesite.cache.site_state import HEADER_FILE, PAYLOAD_FILE

SETTLE_NS = 50_000_000  # files older than this count as settled in these tests (far above mtime granularity)
SECOND_NOTE = MINIMAL_FILES["content/studies/smith2020.md"].replace("A trial of something", "Another trial").replace(
    "[@smith2020]", "[@jones2021]"
).replace("year: 2020", "year: 2021")


@pytest.fixture(autouse=True)
def quick_settling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled 50 ms after they are written, instead of 2 s (each test would sleep otherwise)."""
    monkeypatch.setattr(cache_files, "RACY_NS", SETTLE_NS)
    monkeypatch.setattr(cache_store, "RACY_NS", SETTLE_NS)


def _settle() -> None:
    time.sleep(SETTLE_NS / 1e9 + 0.02)


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    files = dict(MINIMAL_FILES)
    files["content/studies/jones2021.md"] = SECOND_NOTE
    root = write_site(tmp_path / "site", files)
    _settle()
    return root


def _build(root: Path) -> BuildResult:
    result = build(BuildOptions(site=root, output=root.parent / "out"))
    _settle()
    return result


def _fresh(root: Path) -> dict[str, bytes]:
    build(BuildOptions(site=root, output=root.parent / "fresh", use_cache=False))
    return snapshot(root.parent / "fresh")


def _append(root: Path, name: str, text: str) -> None:
    path = root / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_prose_edit_makes_its_page_and_the_search_index_only(site_root: Path) -> None:
    assert _build(site_root).kind == "full"
    _append(site_root, "content/studies/smith2020.md", "\nA further sentence of prose.\n")
    result = _build(site_root)
    assert result.kind == "body edit"
    assert "studies/smith2020/index.html" in result.written
    assert all(p == "studies/smith2020/index.html" or p.startswith("static/search/") for p in result.written)
    assert snapshot(site_root.parent / "out") == _fresh(site_root)
    # the record of the output holds the replaced files' new stamps: exactly what a scan gives
    record = json.loads((site_root / ".cache" / MANIFEST_FILE).read_text())["files"]
    scanned = scan_output(site_root.parent / "out")
    assert {path: values[1:] for path, values in record.items()} == {path: list(stamp) for path, stamp in scanned.items()}
    # and a second edit builds from the state the first one left
    _append(site_root, "content/studies/smith2020.md", "\nOne more.\n")
    assert _build(site_root).kind == "body edit"
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


def test_a_topic_page_edit_is_a_body_edit_too(site_root: Path) -> None:
    _build(site_root)
    _append(site_root, "content/mechanisms/memory.md", "\nMore about the idea.\n")
    assert _build(site_root).kind == "body edit"
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("content/studies/smith2020.md", lambda text: text.replace("n: 40", "n: 41")),  # front matter
        ("content/studies/smith2020.md", lambda text: text + "\nSee also [@jones2021].\n"),  # a new citation
        ("content/studies/smith2020.md", lambda text: text + "\n## A new heading\n"),  # a new #fragment target
        ("content/studies/smith2020.md", lambda text: text + "\n[Memory](../mechanisms/memory.md)\n"),  # a new link
        ("content/mechanisms/memory.md", lambda text: text.replace("Memories change", "Memories shift")),  # claims stay
        ("content/studies/smith2020.md", lambda text: text.replace("[@smith2020]", "[@nobody]")),  # an error
        ("site_config.yaml", lambda text: text.replace("Test site", "Another site")),
        ("content/references.bib", lambda text: "@misc{guide, title = {Guide}, author = {Body, A}, year = {2020}}\n"),
    ],
)
def test_other_edits_are_full_builds_with_the_same_output(site_root: Path, name: str, change: object) -> None:
    _build(site_root)
    path = site_root / name
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(change(before), encoding="utf-8")  # type: ignore[operator]
    if "nobody" in path.read_text(encoding="utf-8"):
        with pytest.raises(Exception, match="nobody"):
            _build(site_root)
        return
    result = _build(site_root)
    expected = "body edit" if name.endswith("memory.md") else "full"
    assert result.kind == expected
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


def test_a_new_or_removed_note_is_a_full_build(site_root: Path) -> None:
    _build(site_root)
    write_site(site_root, {"content/studies/lee2022.md": SECOND_NOTE.replace("jones2021", "lee2022")})
    assert _build(site_root).kind == "full"
    (site_root / "content/studies/lee2022.md").unlink()
    assert _build(site_root).kind == "full"
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


def test_a_damaged_or_foreign_state_is_never_used(site_root: Path) -> None:
    _build(site_root)
    cache = site_root / ".cache"
    payload = (cache / PAYLOAD_FILE).read_bytes()
    (cache / PAYLOAD_FILE).write_bytes(payload[:-10] + b"0123456789")  # the digest no longer matches
    _append(site_root, "content/studies/smith2020.md", "\nText.\n")
    assert _build(site_root).kind == "full"
    header = json.loads((cache / HEADER_FILE).read_text())
    (cache / HEADER_FILE).write_text(json.dumps({**header, "code": "another generator"}))
    _append(site_root, "content/studies/smith2020.md", "\nMore text.\n")
    assert _build(site_root).kind == "full"
    (cache / HEADER_FILE).write_text("{not json")
    _append(site_root, "content/studies/smith2020.md", "\nEven more.\n")
    assert _build(site_root).kind == "full"
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


def test_an_output_changed_behind_its_back_is_a_full_build(site_root: Path) -> None:
    _build(site_root)
    page = site_root.parent / "out" / "mechanisms" / "memory" / "index.html"
    page.write_text("edited by hand", encoding="utf-8")
    _append(site_root, "content/studies/smith2020.md", "\nText.\n")
    assert _build(site_root).kind == "full"  # the page edited by hand is made again, as a full build does
    assert snapshot(site_root.parent / "out") == _fresh(site_root)
    build(BuildOptions(site=site_root, output=site_root.parent / "out", use_cache=False))  # a new output generation
    _settle()
    _append(site_root, "content/studies/smith2020.md", "\nMore.\n")
    assert _build(site_root).kind == "full"


def test_warnings_are_kept_and_strict_builds_fail_as_before(site_root: Path) -> None:
    write_site(site_root, {"content/studies/smith2020.md": MINIMAL_FILES["content/studies/smith2020.md"].replace("year: 2020\n", "")})
    _settle()
    first = _build(site_root)
    assert any("year" in d.message for d in first.diagnostics)
    _append(site_root, "content/studies/jones2021.md", "\nProse.\n")
    second = _build(site_root)
    assert second.kind == "body edit"
    assert [d.format() for d in second.diagnostics] == [d.format() for d in first.diagnostics]
    _append(site_root, "content/studies/smith2020.md", "\nProse.\n")  # its own warning may go: a full build says
    assert _build(site_root).kind == "full"
    _append(site_root, "content/studies/jones2021.md", "\nMore prose.\n")
    with pytest.raises(Exception, match="year"):
        build(BuildOptions(site=site_root, output=site_root.parent / "out", strict=True))


def test_a_file_read_too_soon_is_read_again(site_root: Path) -> None:
    _build(site_root)
    _append(site_root, "content/studies/smith2020.md", "\nText.\n")
    result = build(BuildOptions(site=site_root, output=site_root.parent / "out"))  # at once: the note is not settled
    assert result.kind == "body edit"
    header = json.loads((site_root / ".cache" / HEADER_FILE).read_text())
    assert str(site_root / "content/studies/smith2020.md") in header["unsettled"]
    _settle()
    again = build(BuildOptions(site=site_root, output=site_root.parent / "out"))  # no change, but its stamp proved nothing
    assert (again.kind, again.files_written) == ("body edit", 0)
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


def _double() -> int:
    return 21 * 2


def _fail() -> int:
    if os.environ.get("BACKGROUND_TEST_PARENT") != str(os.getpid()):
        os._exit(3)  # the forked child dies
    return 7


def test_background_work_gives_the_same_result_forked_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Pending(_double).result() == 42
    monkeypatch.setattr("evidencesite.background.start_method", lambda: "spawn")
    assert Pending(_double).result() == 42
    monkeypatch.undo()
    monkeypatch.setenv("BACKGROUND_TEST_PARENT", str(os.getpid()))
    assert Pending(_fail).result() == 7  # the child failed: the work is done here
    with in_background(_double) as pending:
        child = pending.child
    if child:  # not asked for: the child was reaped
        with pytest.raises(ChildProcessError):
            os.waitpid(child, 0)


def test_a_serve_build_retires_the_state_it_does_not_keep(site_root: Path) -> None:
    from evidencesite.cache.store import MemoryStore

    _build(site_root)
    assert (site_root / ".cache" / HEADER_FILE).exists()
    _append(site_root, "content/studies/smith2020.md", "\nText.\n")
    build(BuildOptions(site=site_root, output=site_root.parent / "out", store=MemoryStore(site_root)))
    _settle()
    assert not (site_root / ".cache" / HEADER_FILE).exists()
    _append(site_root, "content/studies/smith2020.md", "\nMore.\n")
    assert _build(site_root).kind == "full"  # and it saves a new state
    _append(site_root, "content/studies/smith2020.md", "\nAnd more.\n")
    assert _build(site_root).kind == "body edit"
    assert snapshot(site_root.parent / "out") == _fresh(site_root)


def _caches(root: Path) -> tuple[dict[str, str], dict[str, object], dict[str, bytes]]:
    """What the next build trusts: every output file's signature, the search index's state; and the output."""
    manifest = json.loads((root / ".cache" / MANIFEST_FILE).read_text())["files"]
    search = json.loads((root / ".cache" / "search" / "state.json").read_text())
    return {path: record[0] for path, record in manifest.items()}, search, snapshot(root.parent / "out")


@pytest.mark.parametrize(
    "edited",
    [
        ["content/studies/smith2020.md"],
        ["content/mechanisms/memory.md"],  # a term page: the menu names it on every page
        ["content/studies/smith2020.md", "content/studies/jones2021.md", "content/index.md"],  # several at once
        [f"content/pages/page{number}.md" for number in range(6)],  # a quarter of the index: indexed anew
    ],
)
def test_the_caches_left_are_the_full_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited: list[str]) -> None:
    """Not only the output: the signatures and search state a body edit leaves are the ones a full build leaves,
    so the builds after it do the same work either way."""
    results = []
    for full in (False, True):
        root = tmp_path / "site"
        for folder in (root, tmp_path / "out"):
            if folder.exists():
                import shutil

                shutil.rmtree(folder)
        pages = {f"content/pages/page{number}.md": f"---\ntitle: Page {number}\n---\nText {number}.\n" for number in range(20)}
        files = {**MINIMAL_FILES, "content/studies/jones2021.md": SECOND_NOTE, **pages}
        write_site(root, files)
        _settle()
        _build(root)
        for name in edited:
            _append(root, name, "\nA sentence of prose.\n")
        _settle()
        if full:
            monkeypatch.setattr("evidencesite.build.body_edit.build_body_edits", lambda *args: None)
        assert _build(root).kind == ("full" if full or len(edited) > 3 else "body edit")
        results.append(_caches(root))
    assert results[0] == results[1]
