"""The render cache can never make a build wrong."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import JONES_2019, MINIMAL_FILES, snapshot, write_site
from evidencesite.cache.files import CACHE_FOLDER
from evidencesite.cache.render_cache import CACHE_SUBFOLDER
from evidencesite.output.writer import MARKER
from evidencesite.site.plan import SEARCH_INDEX

EXTRA = {
    "content/studies/jones2019.md": JONES_2019,
    "content/pages/about.md": "---\ntitle: About\n---\nSee @jones2019, [@guide2020] and [the team](team.md).\n",
    "content/references.bib": "@misc{guide2020,\n  title = {A clinical guide},\n  author = {Body, Some},\n  year = {2020}\n}\n",
    "content/pages/team.md": "---\ntitle: Team\n---\nWe write.\n",
}


@pytest.fixture
def cached_site(tmp_path: Path, run_cli) -> Path:  # type: ignore[no-untyped-def]
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, **EXTRA})
    assert run_cli("build", "--site", site, "-q").code == 0
    assert list((site / CACHE_FOLDER / CACHE_SUBFOLDER).glob("*.json"))
    return site


def _fresh(site: Path, run_cli, tmp_path: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    output = tmp_path / "fresh"
    assert run_cli("build", "--site", site, "--no-cache", "--output", output, "-q").code == 0
    return snapshot(output)


def test_cached_build_is_byte_identical_to_uncached(cached_site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("build", "--site", cached_site, "-q").code == 0  # every body from the cache
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


@pytest.mark.parametrize(
    "edit",
    [
        # a cited work's authors change: every page citing it must show the new label
        ("content/studies/jones2019.md", "Jones, Q", "Zed, Q"),
        # a linked page moves: links to it must follow
        ("content/pages/team.md", "title: Team", "title: Team\nslug: people"),
        # a body changes
        ("content/pages/about.md", "See @jones2019", "Read @jones2019"),
        # a body starts citing another study: that study's cited-by list and the references page change
        ("content/pages/about.md", "See @jones2019", "See @jones2019 and @smith2020"),
        # a cited work is retracted: badge and warning wherever it is cited
        ("content/studies/jones2019.md", "year: 2019", "year: 2019\nretracted: true"),
        # a study's title changes: lists, the matrix, search and every page citing it
        ("content/studies/jones2019.md", "title: ", "title: Renamed "),
        # a bibliography work changes: the pages citing it and the references page
        ("content/references.bib", "A clinical guide", "A clinical handbook"),
    ],
)
def test_edits_reach_every_dependent_page(
    cached_site: Path, run_cli, tmp_path: Path, edit: tuple[str, str, str]
) -> None:  # type: ignore[no-untyped-def]
    name, old, new = edit
    path = cached_site / name
    path.write_text(path.read_text().replace(old, new))
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\xff not json",
        b"[]",
        json.dumps({"format": 2, "code": "other", "entries": {}}).encode(),
        json.dumps({"format": 2, "code": None, "entries": {"x": {"body": 1}}}).encode(),
    ],
)
def test_corrupted_or_foreign_cache_is_ignored(cached_site: Path, run_cli, tmp_path: Path, garbage: bytes) -> None:  # type: ignore[no-untyped-def]
    for shard in (cached_site / CACHE_FOLDER / CACHE_SUBFOLDER).glob("*.json"):
        shard.write_bytes(garbage)
    for shard in (cached_site / CACHE_FOLDER / "documents").glob("*.json"):
        shard.write_bytes(garbage)
    for record in ("output-manifest.json", "last-build.json"):
        (cached_site / CACHE_FOLDER / record).write_bytes(garbage)
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


def test_tampered_entry_with_matching_code_is_not_trusted_blindly(cached_site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import time

    from evidencesite.cache.files import RACY_NS

    time.sleep(RACY_NS / 1e9 + 0.1)  # files are stored once settled (a file just written is read again anyway)
    (cached_site / "content/pages/team.md").write_text("---\ntitle: Team\n---\nWe write, again.\n")
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    for cache_path in (cached_site / CACHE_FOLDER / CACHE_SUBFOLDER).glob("*.json"):
        data = json.loads(cache_path.read_text())
        for entry in data["entries"].values():
            entry["body"] = {"html": 42}
        cache_path.write_text(json.dumps(data))
    shards = sorted((cached_site / CACHE_FOLDER / "documents").glob("*.json"))
    shard_data = [json.loads(shard.read_text()) for shard in shards]
    entries = [entry for data in shard_data for entry in data["files"].values()]  # [stamp, front matter, page]
    assert len(entries) > 3
    for index, entry in enumerate(entries):
        entry[1] = {"data": {"s": 1}} if index % 2 else entry[1]
        entry[2] = [None, 7, "x"] if index % 3 else (entry[2] or [])[:-1]
    for shard, data in zip(shards, shard_data, strict=True):
        shard.write_text(json.dumps(data))
    (cached_site / CACHE_FOLDER / "last-build.json").unlink()  # no shortcut: every layer is read back
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


def test_check_and_no_cache_write_no_cache(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    assert run_cli("check", "--site", site).code == 0
    assert run_cli("build", "--site", site, "--no-cache", "-q").code == 0
    assert not (site / CACHE_FOLDER).exists()


def test_warnings_are_reported_again_from_the_cache(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    retracted = MINIMAL_FILES["content/studies/smith2020.md"].replace("n: 40", "n: 40\nretracted: true")
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, "content/studies/smith2020.md": retracted})
    first = run_cli("build", "--site", site)
    second = run_cli("build", "--site", site)
    assert "content/index.md:4: warning: cites 'smith2020', which is marked retracted" in first.err
    assert first.err == second.err


def test_incremental_build_deletes_dropped_pages_and_repairs_hand_edits(
    cached_site: Path, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    output = cached_site / "output"
    (cached_site / "content" / "pages" / "team.md").unlink()
    (cached_site / "content" / "pages" / "about.md").write_text("---\ntitle: About\n---\nSee @jones2019.\n")
    (output / "studies" / "smith2020" / "index.html").write_text("edited by hand")
    (output / "studies" / "jones2019" / "jones2019.bib").unlink()
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert not (output / "team").exists()
    assert snapshot(output) == _fresh(cached_site, run_cli, tmp_path)


def test_template_change_reaches_every_page(cached_site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_site(
        cached_site, {"templates/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost</h1>{% endblock %}\n"}
    )
    base = (Path(__file__).resolve().parent.parent / "templates" / "base.html").read_text()
    write_site(
        cached_site, {"templates/base.html": base.replace('<main id="main"', '<main data-variant="b" id="main"')}
    )
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    output = snapshot(cached_site / "output")
    assert all(b'data-variant="b"' in data for path, data in output.items() if path.endswith(".html"))
    assert output == _fresh(cached_site, run_cli, tmp_path)


def test_unchanged_files_are_not_rewritten(cached_site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    output = cached_site / "output"
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    note = cached_site / "content" / "studies" / "smith2020.md"
    note.write_text(note.read_text().replace("Did it work", "Did it really work"))
    result = run_cli("build", "--site", cached_site)
    assert result.code == 0
    changed = sorted(p.relative_to(output).as_posix() for p, mtime in before.items() if p.stat().st_mtime_ns != mtime)
    # the marker is made afresh by every build: it names the output's generation (output_manifest.output_identity)
    changed = [path for path in changed if path != MARKER]
    search = [path for path in changed if path.startswith(SEARCH_INDEX)]
    assert search and [path for path in changed if path not in search] == ["studies/smith2020/index.html"]
    assert f"built {1 + len(search)} files" in result.out


def test_nothing_changed_means_nothing_done_but_any_change_is_seen(cached_site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run_cli("build", "--site", cached_site)
    assert "built 0 files" in first.out
    for relative, old, new in (
        ("site_config.yaml", "Test site", "Test site!"),
        ("content/pages/team.md", "We write.", "We write more."),
    ):
        path = cached_site / relative
        path.write_text(path.read_text().replace(old, new))
        result = run_cli("build", "--site", cached_site)
        assert result.code == 0 and "built 0 files" not in result.out
        assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)
    (cached_site / "output" / "index.html").unlink()
    assert "built 1 files" in run_cli("build", "--site", cached_site).out
    assert run_cli("build", "--site", cached_site, "--base-url", "https://other.example/").code == 0
    assert "https://other.example/" in (cached_site / "output" / "sitemap.xml").read_text()


def test_incremental_update_never_follows_a_planted_link_out_of_the_output(
    cached_site: Path, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    studies = cached_site / "output" / "studies" / "smith2020"
    for child in studies.iterdir():
        child.unlink()
    studies.rmdir()
    studies.symlink_to(outside, target_is_directory=True)
    note = cached_site / "content" / "studies" / "smith2020.md"
    note.write_text(note.read_text().replace("Did it work", "Did it really work"))
    result = run_cli("build", "--site", cached_site)
    # the new tree is staged whole and swapped in: the planted link is simply not part of it
    assert result.code == 0, result.err
    assert list(outside.iterdir()) == []
    assert not studies.is_symlink() and b"Did it really work" in (studies / "index.html").read_bytes()


def test_a_long_running_process_stays_identical_to_fresh_builds(cached_site: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """`serve` keeps documents, pages, rendered bodies and search records in memory between builds."""
    from evidencesite.build.pipeline import BuildOptions, build
    from evidencesite.cache.store import MemoryStore

    options = BuildOptions(site=cached_site, output=tmp_path / "served", store=MemoryStore(cached_site))
    build(options)
    edits = [
        ("content/pages/about.md", "See @jones2019", "See @smith2020 and @jones2019"),
        ("content/studies/jones2019.md", "Jones, Q", "Zed, Q"),
        ("content/pages/team.md", "We write.", "We write [about](about.md)."),
        ("content/studies/smith2020.md", "title: ", "title: Renamed "),
    ]
    for name, old, new in edits:
        path = cached_site / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
        build(options)
        assert snapshot(tmp_path / "served") == _fresh(cached_site, run_cli, tmp_path), name


def test_a_note_rewritten_with_the_same_size_and_mtime_is_parsed_again(
    cached_site: Path, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The document cache checks the front matter it recorded against the file, not only size and mtime.

    (Another file changes too: with every input's size and mtime unchanged, the no-op check, like make,
    would rightly consider the build done.)
    """
    import os
    import time

    from evidencesite.cache.files import RACY_NS

    # Every file old enough to be trusted by its stamp (a file younger than RACY_NS is always read again,
    # which would make this test pass whatever the stamp holds), recorded by a build.
    time.sleep(RACY_NS / 1e9 + 0.1)
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    path = cached_site / "content/studies/jones2019.md"
    stat = path.stat()
    text = path.read_text()
    assert "year: 2019" in text
    path.write_text(text.replace("year: 2019", "year: 2018"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    other = cached_site / "content/pages/team.md"
    other.write_text(other.read_text() + "More.\n")
    time.sleep(RACY_NS / 1e9 + 0.1)  # the rewritten note is old enough again: only its stamp can give it away
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert "2018" in (cached_site / "output/studies/jones2019/index.html").read_text()
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


def test_adding_and_removing_the_disclaimer_page_reaches_every_footer(
    cached_site: Path, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    disclaimer = cached_site / "content/pages/disclaimer.md"
    disclaimer.write_text("---\ntitle: Disclaimer\n---\nNot medical advice.\n")
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)
    disclaimer.unlink()
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


def test_serve_reads_a_just_written_note_again_even_with_the_same_size_and_mtime(
    cached_site: Path, tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    """Timestamps are coarse: two same-length saves in one clock tick look alike, so recent files are re-read."""
    import os

    from evidencesite.build.pipeline import BuildOptions, build
    from evidencesite.cache.store import MemoryStore

    path = cached_site / "content/pages/team.md"
    path.write_text("---\ntitle: Team\n---\nWe write AAAA.\n")
    stat = path.stat()
    options = BuildOptions(site=cached_site, output=tmp_path / "served", store=MemoryStore(cached_site))
    build(options)
    path.write_text("---\ntitle: Team\n---\nWe write BBBB.\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(options)
    assert "BBBB" in (tmp_path / "served/team/index.html").read_text()
    assert snapshot(tmp_path / "served") == _fresh(cached_site, run_cli, tmp_path)


def test_a_rebuild_right_after_a_same_size_same_mtime_rewrite_is_not_skipped(
    cached_site: Path, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The no-op shortcut trusts sizes and mtimes only for inputs that were old enough when the last build started."""
    import os

    path = cached_site / "content/pages/team.md"
    stat = path.stat()
    text = path.read_text()
    path.write_text(text.replace("We write.", "We WRITE."))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert "We WRITE." in (cached_site / "output/team/index.html").read_text()
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


def test_a_dependency_upgrade_re_renders_everything(cached_site: Path, tmp_path: Path) -> None:
    """Output rendered by another version of Markdown (or any runtime dependency) is never kept."""
    import re
    import subprocess
    import sys

    from conftest import REPO

    def build(extra_path: str = "") -> str:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (extra_path, str(REPO)) if p)}
        command = [sys.executable, str(REPO / "build.py"), "build", "--site", str(cached_site)]
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "built 0 files" in build()
    fake = tmp_path / "fake-site-packages"
    dist_info = fake / "markdown-99.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: Markdown\nVersion: 99.0\n")
    upgraded = build(str(fake))
    built = int(re.search(r"built (\d+) files", upgraded).group(1))  # type: ignore[union-attr]
    assert built >= len(list((cached_site / "output").rglob("*.html")))  # every page, not a stale one kept
    assert "built 0 files" in build(str(fake))


def test_new_content_under_an_old_mtime_is_seen_by_the_no_op_check(cached_site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`cp -p`, `rsync -t` and `touch -d` restore an old mtime on new content; the file's ctime still moves."""
    import time

    from evidencesite.cache.files import RACY_NS

    time.sleep(RACY_NS / 1e9 + 0.1)  # every input old enough for the no-op check to trust their stamps
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    assert "built 0 files" in run_cli("build", "--site", cached_site).out
    path = cached_site / "content/pages/team.md"
    stat = path.stat()
    path.write_text(path.read_text().replace("We write.", "We WRITE."))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # what `cp -p` does
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    result = run_cli("build", "--site", cached_site)
    assert result.code == 0 and "built 0 files" not in result.out
    assert "We WRITE." in (cached_site / "output/team/index.html").read_text()
    assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path)


def test_every_corruption_of_a_compiled_template_is_recompiled(cached_site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Flip a bit of every compiled template, many times over: the pages stay exactly those of a fresh build."""
    entries = sorted((cached_site / CACHE_FOLDER / "jinja").glob("*.cache"))
    assert entries
    originals = {entry: entry.read_bytes() for entry in entries}
    for trial in range(12):
        for entry, data in originals.items():
            damaged = bytearray(data)
            damaged[(trial * 7919 + 31) % len(damaged)] ^= 1 << (trial % 8)
            entry.write_bytes(bytes(damaged))
        # a content edit, so the build renders pages with the (damaged) compiled templates
        (cached_site / "content/pages/team.md").write_text(f"---\ntitle: Team\n---\nWe write, take {trial}.\n")
        assert run_cli("build", "--site", cached_site, "-q").code == 0, trial
        assert snapshot(cached_site / "output") == _fresh(cached_site, run_cli, tmp_path / str(trial)), trial


def test_the_fallback_dependency_list_names_every_runtime_requirement() -> None:
    """Installed without requirements.txt beside it, the fingerprint falls back to KNOWN_DISTRIBUTIONS: keep it whole."""
    import re

    from conftest import REPO
    from evidencesite.cache.fingerprint import KNOWN_DISTRIBUTIONS

    lines = (REPO / "requirements.txt").read_text().splitlines()
    required = {m.group(1).lower() for line in lines if (m := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line))}
    assert required - set(KNOWN_DISTRIBUTIONS) == set()


def test_an_edit_rewrites_one_document_shard_and_records_the_output_as_a_scan_would(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import time

    from evidencesite.cache.documents import shard_name
    from evidencesite.cache.files import RACY_NS
    from evidencesite.cache.output_manifest import MANIFEST_FILE, scan_output

    # enough pages that an edit replaces its few files in place (staging.IN_PLACE_SHARE)
    pages = {f"content/pages/page{number}.md": f"---\ntitle: Page {number}\n---\nText {number}.\n" for number in range(80)}
    cached_site = write_site(tmp_path / "site", {**MINIMAL_FILES, **EXTRA, **pages})
    time.sleep(RACY_NS / 1e9 + 0.1)  # every file settled, so every entry is stored
    assert run_cli("build", "--site", cached_site, "-q").code == 0
    shards = {path.stem: path.stat().st_mtime_ns for path in (cached_site / CACHE_FOLDER / "documents").glob("*.json")}
    edited = cached_site / "content/pages/about.md"
    # a front-matter edit: the full build (a prose edit takes the body-edit path, which reads no other note)
    edited.write_text(edited.read_text().replace("title: About\n", "title: About\nsummary: Who we are.\n"))
    time.sleep(RACY_NS / 1e9 + 0.1)
    assert run_cli("build", "--site", cached_site, "-v").err.count("build: full") == 1
    after = {path.stem: path.stat().st_mtime_ns for path in (cached_site / CACHE_FOLDER / "documents").glob("*.json")}
    assert {name for name in after if after[name] != shards.get(name)} == {shard_name(edited)}
    # the edit replaced its pages in place and recorded their new stamps without scanning the output: the record
    # is exactly what a scan gives, so the next build trusts every file it should and no other
    record = json.loads((cached_site / CACHE_FOLDER / MANIFEST_FILE).read_text())["files"]
    scanned = scan_output(cached_site / "output")
    assert {path: values[1:] for path, values in record.items()} == {path: list(scanned[path]) for path in record}
    assert record.keys() == scanned.keys()


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: A\n---\nBody line.\n\nSecond.\n",
        "\ufeff---\r\ntitle: A\r\nyear: 2019\r\n---\r\nBody\rwith old Mac endings",
        "---\ntitle: A\n---",  # no body, no final newline
        "---\ntitle: A\n---\n",
        "---\n---\n\nAfter an empty front matter.",
        "No front matter at all.\nTwo lines.",
        "",
    ],
)
def test_a_cached_document_is_the_parsed_one(text: str) -> None:
    """decode_document cuts the body off the file's current text exactly as split_front_matter does."""
    from evidencesite.cache.documents import decode_document, encode_document
    from evidencesite.content.frontmatter import split_front_matter

    parsed = split_front_matter(text)
    cached = decode_document(encode_document(parsed), text)
    assert (cached.body, cached.body_line) == (parsed.body, parsed.body_line)
    assert cached.has_front_matter is parsed.has_front_matter
    assert (cached.raw_front_matter, cached.data) == (parsed.raw_front_matter, parsed.data)
    if "title" in text:  # the same stamp over other front matter: read again, never trusted
        with pytest.raises(ValueError):
            decode_document(encode_document(parsed), text.replace("title", "titel"))
