"""serve's fast path writes exactly the page the full build writes, and declines whatever it cannot do exactly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import JONES_2019, MINIMAL_FILES, snapshot, write_site
from evidencesite.build.pipeline import BuildOptions, BuildResult, build
from evidencesite.cache.store import MemoryStore
from evidencesite.serve.fast_preview import FastPreview

EXTRA = {
    "content/studies/jones2019.md": JONES_2019,
    "content/pages/about.md": "---\ntitle: About\n---\nSee @jones2019.\n",
}
STUDY = "content/studies/jones2019.md"
MECHANISM = "content/mechanisms/memory.md"


@dataclass
class Served:
    """A site built as `serve` builds it: over one MemoryStore, the fast path made from the last result."""

    site: Path
    options: BuildOptions
    preview: FastPreview

    def build(self) -> BuildResult:
        result = build(self.options)
        self.preview.built = result.built
        return result


@pytest.fixture
def served(tmp_path: Path) -> Served:
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, **EXTRA})
    store = MemoryStore(site)
    served = Served(site, BuildOptions(site=site, output=tmp_path / "served", store=store), FastPreview(store))
    served.build()
    return served


def edit(site: Path, name: str, old: str, new: str) -> Path:
    path = site / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def fresh(site: Path, tmp_path: Path) -> dict[str, bytes]:
    output = tmp_path / "fresh"
    build(BuildOptions(site=site, output=output, use_cache=False))
    return snapshot(output)


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (STUDY, "Did it work", "Did it really work"),  # prose
        (STUDY, "Did it work [@jones2019; @smith2020]?", "Did it work [@smith2020; @jones2019]? Yes [@smith2020]."),
        (MECHANISM, "Memories change", "Memories may change"),  # a page with a claims table
        ("content/pages/about.md", "See @jones2019.", "See @jones2019 (and [a heading](#x)).\n\n## X\n"),
        # citations that change other pages (cited-by lists, reference counts), which the full build then updates
        ("content/pages/about.md", "See @jones2019.", "See @jones2019 and @smith2020."),
        ("content/pages/about.md", "See @jones2019.", "No citation now."),
    ],
)
def test_a_body_edit_writes_the_page_the_full_build_writes(
    served: Served, tmp_path: Path, name: str, old: str, new: str
) -> None:
    site, options = served.site, served.options
    path = edit(site, name, old, new)
    written = served.preview.write_changed_body(site, {path, path.with_name("4913")})  # vim's probe file
    assert written is not None
    expected = fresh(site, tmp_path)
    assert (options.output / written).read_bytes() == expected[written]
    result = served.build()
    assert written in result.written
    assert snapshot(options.output) == expected


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (STUDY, "title: A trial", "title: The trial"),  # front matter: lists and other pages show it
        (STUDY, "Did it work", "Did it work as in @about-nobody"),  # an unknown key: a problem to report
        (STUDY, "year: 2019", "year: 2019\ndraft: true"),
    ],
)
def test_anything_but_a_self_contained_body_edit_is_left_to_the_full_build(
    served: Served, name: str, old: str, new: str
) -> None:
    site, options = served.site, served.options
    before = snapshot(options.output)
    path = edit(site, name, old, new)
    assert served.preview.write_changed_body(site, {path}) is None
    assert snapshot(options.output) == before


def test_several_files_or_no_previous_build_decline(served: Served, tmp_path: Path) -> None:
    site = served.site
    first = edit(site, STUDY, "Did it work", "Did it work well")
    second = edit(site, "content/pages/about.md", "See", "Read")
    assert served.preview.write_changed_body(site, {first, second}) is None
    assert served.preview.write_changed_body(site, {site / "templates" / "page.html"}) is None
    assert FastPreview(MemoryStore(site)).write_changed_body(site, {first}) is None


def test_a_changed_html_policy_reaches_the_fast_path(served: Served, tmp_path: Path) -> None:
    """The fast path's Markdown renderer follows raw_html in site_config.yaml (a reviewer's find)."""
    site, options = served.site, served.options
    path = edit(site, "content/pages/about.md", "See @jones2019.", 'See @jones2019 <span onclick="x()">here</span>.')
    assert served.preview.write_changed_body(site, {path}) is not None  # sanitised: no onclick
    served.build()
    edit(site, "site_config.yaml", "citation_style: numeric", "citation_style: numeric\nraw_html: allow")
    served.build()
    path = edit(site, "content/pages/about.md", "here</span>.", "there</span>.")
    written = served.preview.write_changed_body(site, {path})
    assert written is not None
    page = (options.output / written).read_bytes()
    assert b"onclick" in page
    assert page == fresh(site, tmp_path)[written]
