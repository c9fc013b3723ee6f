"""`build.py new` and `build.py import`: new files from skeletons, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

from conftest import snapshot

ZOTERO_BIB = """\
@article{new2021,
  author = {Nouveau, Anne and Zweit, Bert and others},
  title = {A brand new trial},
  journal = {Journal of Imports},
  year = {2021},
  volume = {4},
  number = {2},
  pages = {10--20},
  doi = {10.1000/new.2021},
  pmid = {33333333}
}

@article{smith2020,
  author = {Smith, A. B.},
  title = {Already has a note},
  year = {2020}
}
"""


def test_new_study_has_every_field_and_the_usual_sections_and_builds(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    result = run_cli("new", "--site", root, "study", "fresh2024")
    assert result.code == 0
    text = (root / "content" / "studies" / "fresh2024.md").read_text()
    for field in (
        "title:",
        "authors:",
        "year:",
        "design:",
        "substances:",
        "# journal:",
        "# doi:",
        "# pmid:",
        "# mechanisms:",
        "# finding:",
        "draft: true",
    ):
        assert field in text
    for section in (
        "## Question",
        "## Design and participants",
        "## Intervention",
        "## Main findings",
        "## Limitations",
        "## What it means",
    ):
        assert section in text
    assert run_cli("build", "--site", root, "-q").code == 0  # drafts stay out of the build
    assert not (root / "output" / "studies" / "fresh2024").exists()


def test_new_never_overwrites(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    before = (root / "content" / "studies" / "smith2020.md").read_text()
    result = run_cli("new", "--site", root, "study", "smith2020")
    assert result.code == 2
    assert "already exists; it was left untouched" in result.err
    assert (root / "content" / "studies" / "smith2020.md").read_text() == before


def test_new_mechanism_substance_and_page(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    for kind, folder, slug in (
        ("mechanism", "mechanisms", "new-idea"),
        ("substance", "substances", "nicotine"),
        ("page", "pages", "faq"),
    ):
        assert run_cli("new", "--site", root, kind, slug).code == 0
        assert (root / "content" / folder / f"{slug}.md").is_file()
    assert run_cli("check", "--site", root, "--drafts").code == 1  # skeletons are drafts: incomplete until edited
    assert run_cli("check", "--site", root).code == 0


def test_new_rejects_bad_slug(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    result = run_cli("new", "--site", root, "page", "../escape")
    assert result.code == 2
    assert not (root.parent / "escape.md").exists()


def test_import_creates_stubs_for_new_works_and_lists_existing(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    export = tmp_path / "zotero.bib"
    export.write_text(ZOTERO_BIB)
    before = (root / "content" / "studies" / "smith2020.md").read_text()
    result = run_cli("import", "--site", root, export)
    assert result.code == 0, result.err
    assert "kept    content/studies/smith2020.md (already exists, left untouched)" in result.out
    assert (root / "content" / "studies" / "smith2020.md").read_text() == before
    stub = (root / "content" / "studies" / "new2021.md").read_text()
    for expected in (
        'title: "A brand new trial"',
        '  - "Nouveau, Anne"',
        "et_al: true",
        "year: 2021",
        'journal: "Journal of Imports"',
        'volume: "4"',
        'issue: "2"',
        'pages: "10-20"',
        'doi: "10.1000/new.2021"',
        'pmid: "33333333"',
        "draft: true",
    ):
        assert expected in stub
    assert run_cli("check", "--site", root).code == 0


def test_import_of_csl_json(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    export = tmp_path / "zotero.json"
    export.write_text(
        '[{"id": "csl2022", "type": "article-journal", "title": "From Zotero", "author": [{"family": "Z", "given": "Q"}], "issued": {"date-parts": [[2022]]}, "DOI": "10.1000/x"}]'
    )
    assert run_cli("import", "--site", root, export).code == 0
    assert 'doi: "10.1000/x"' in (root / "content" / "studies" / "csl2022.md").read_text()


def test_malformed_import_gives_located_error_and_writes_nothing(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    export = tmp_path / "broken.bib"
    export.write_text(ZOTERO_BIB + "\n@article{Bad Key,\n  title = {x}\n")
    before = snapshot(root)
    result = run_cli("import", "--site", root, export)
    assert result.code == 1
    assert f"{export}:" in result.err and "error:" in result.err
    assert "nothing was written" in result.err
    assert snapshot(root) == before
