"""The study explorer of a large site in Chromium: a generated site of 250 studies (bench/make_corpus.py) shows 100
rows to a page, and its filters, sorting, URL state and downloads work over all 250 from the data files.

Served under a sub-path (as tests/test_browser.py serves the real site) and opened from disk. The downloads are
compared with the Python exports of the same studies in the same order (csl/export_formats.py,
site/csv_exports.py), read from the build's own catalog. Skips as tests/test_browser.py does without Chromium.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from test_browser import AXE, AXE_SERIOUS, Site, _location, _visible_years, browser, open_page, serve_built

from conftest import REPO, missing_tool

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from evidencesite.content.catalog import Catalog

__all__ = ["browser", "open_page"]  # fixtures, imported to be shared
pytestmark = pytest.mark.browser
STUDIES = 250
COUNTED = "() => /of 250 stud/.test(document.getElementById('result-count').textContent)"


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Catalog]]:
    """The corpus built for and served under http://127.0.0.1:PORT/sub/; with the build's catalog."""
    from evidencesite.build.options import BuildOptions
    from evidencesite.build.pipeline import build

    root = tmp_path_factory.mktemp("large")
    site = root / "site"
    command = [sys.executable, str(REPO / "bench" / "make_corpus.py"), "--studies", str(STUDIES), "--out", str(site)]
    subprocess.run(command, check=True, capture_output=True)
    catalogs: list[Catalog] = []

    def build_corpus(output: Path, url: str) -> None:
        result = build(BuildOptions(site=site, output=output, base_url=url, use_cache=False))
        assert not result.diagnostics and result.built is not None
        catalogs.append(result.built.catalog)

    with serve_built(root / "www", build_corpus) as served:
        yield served, catalogs[0]


def _front_matter(site: Site) -> dict[str, dict[str, Any]]:
    """Each study's front matter, read from the corpus itself, by key."""
    notes = {}
    for path in sorted((site.output.parent.parent / "site" / "content" / "studies").glob("*.md")):
        notes[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
    return notes


def _shown(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all("#explorer tbody tr", "rows => rows.map(r => r.querySelector('a').href)")
    return [re.search(r"/studies/([^/]+)/index\.html$", href).group(1) for href in hrefs]  # type: ignore[union-attr]


def _download(page: Page, format: str) -> str:
    return page.evaluate("format => new Promise(done => explorerDownloadText(format, done))", format)


def test_filters_work_over_every_page_and_the_filter_survives_a_reload(large, open_page) -> None:  # type: ignore[no-untyped-def]
    site, _ = large
    notes = _front_matter(site)
    watched = open_page()
    page = watched.page
    watched.goto(site.url("studies/"))
    assert page.locator("#result-count").inner_text() == "Studies 1–100 of 250, newest first"
    assert len(_shown(page)) == 100 and page.locator("#explorer-pager").is_visible()

    mechanism = page.locator('select[name="mechanism"] option').nth(1).get_attribute("value")
    expected = {key for key, front in notes.items() if mechanism in (front.get("mechanisms") or [])}
    assert 50 < len(expected) < 100
    page.select_option('select[name="mechanism"]', mechanism)
    page.wait_for_function(COUNTED)
    assert set(_shown(page)) == expected  # from every page, not only the first
    assert page.locator("#result-count").inner_text() == f"{len(expected)} of 250 studies"
    assert not page.locator("#explorer-pager").is_visible()
    assert _location(page) == ("/sub/studies/", {"mechanism": [mechanism]})

    page.reload()
    page.wait_for_function(COUNTED)
    assert set(_shown(page)) == expected
    page.get_by_role("button", name="Clear filters").click()
    assert page.locator("#result-count").inner_text() == "Studies 1–100 of 250, newest first"
    assert _location(page) == ("/sub/studies/", {})
    assert not watched.problems, "\n".join(watched.problems)


def test_sorting_orders_every_study_shows_a_hundred_at_a_time_and_is_kept_in_the_url(large, open_page) -> None:  # type: ignore[no-untyped-def]
    site, _ = large
    years = sorted(front["year"] for front in _front_matter(site).values())
    watched = open_page()
    page = watched.page
    watched.goto(site.url("studies/page-3.html"))
    page.locator("#explorer thead th").filter(has_text="Year").get_by_role("button").click()
    page.wait_for_function(COUNTED)
    assert _visible_years(page) == years[:100]
    assert page.locator("#result-count").inner_text() == "250 of 250 studies (the first 100 shown)"
    page.get_by_role("button", name="Show more studies").click()
    page.get_by_role("button", name="Show more studies").click()
    assert _visible_years(page) == years
    assert page.get_by_role("button", name="Show more studies").is_hidden()
    assert _location(page) == ("/sub/studies/page-3.html", {"sort": ["year-asc"]})
    assert not watched.problems, "\n".join(watched.problems)


def test_an_empty_result_says_so(large, open_page) -> None:  # type: ignore[no-untyped-def]
    site, _ = large
    watched = open_page()
    page = watched.page
    # no animal study is a randomised controlled trial in the corpus
    watched.goto(site.url("studies/?design=rct&population=animal"))
    page.wait_for_function("() => /No study matches/.test(document.getElementById('result-count').textContent)")
    assert page.locator("#result-count").inner_text() == (
        "No study matches these filters (0 of 250 studies). Clear a filter to see more."
    )
    assert page.locator("#explorer tbody tr").count() == 0 and page.locator(".explorer-downloads").is_hidden()


@pytest.mark.parametrize("opened", ["served", "file://"])
def test_downloads_of_the_selection_equal_the_python_exports_of_the_same_studies(large, open_page, opened: str) -> None:  # type: ignore[no-untyped-def]
    from evidencesite.csl.export_formats import to_bibtex, to_csl_json, to_ris
    from evidencesite.site.csv_exports import study_columns, study_row, to_csv

    site, catalog = large
    watched = open_page()
    page = watched.page
    query = "?population=human&sort=title-asc"
    page.goto((site.url("studies/") if opened == "served" else site.file_url("studies/index.html")) + query)
    page.wait_for_function("() => /of 250 stud/.test(document.getElementById('result-count').textContent)")
    page.get_by_role("button", name="Show more studies").click()
    keys = _shown(page)
    assert len(keys) > 100 and page.locator(".explorer-downloads").is_visible()
    assert page.locator(".explorer-downloads").inner_text().startswith(f"Download these {page.locator('#result-count').inner_text().split()[0]} studies:")
    # the download holds every study of the selection (not only the rows drawn), in the order shown
    count = int(page.locator("#result-count").inner_text().split()[0])
    text = _download(page, "bib")
    shown_keys = re.findall(r"^@\w+\{([^,]+),$", text, re.MULTILINE)
    assert shown_keys[: len(keys)] == keys and len(shown_keys) == count
    works = [catalog.works[key] for key in shown_keys]
    assert text == to_bibtex(works)
    assert _download(page, "ris") == to_ris(works)
    assert _download(page, "json") == to_csl_json(works)
    rows = [study_row(catalog, key, catalog.studies[key].study) for key in shown_keys]  # type: ignore[arg-type]
    assert _download(page, "csv").encode("utf-8") == to_csv(study_columns(catalog), rows)
    assert not watched.problems, "\n".join(watched.problems)


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_serious_on_the_large_sites_pages_and_nothing_scrolls_sideways(large, open_page, width: int) -> None:  # type: ignore[no-untyped-def]
    if not AXE.is_file():
        missing_tool("axe-core is not installed: run `npm ci` in the repository root (package-lock.json pins it)")
    site, _ = large
    watched = open_page(width=width, height=800)
    page = watched.page
    violations = []
    for path in ("", "evidence/", "studies/page-2.html", "studies/?sort=n-desc", "references/page-2.html", "mechanisms/altered-awareness/"):
        watched.goto(site.url(path))
        if "?" in path:
            page.wait_for_function(COUNTED)
        page.add_script_tag(path=str(AXE))
        violations += [f"{path or 'home'}: {v}" for v in page.evaluate(AXE_SERIOUS, None)]
        if page.evaluate("document.scrollingElement.scrollWidth > innerWidth"):
            violations.append(f"{path or 'home'}: the page scrolls sideways at {width} px")
    assert not violations, "\n".join(violations)
    assert not watched.problems, "\n".join(watched.problems)


ROWS = """() => [...document.querySelectorAll('#explorer tbody tr')].map(row => ({
    attributes: Object.fromEntries([...row.attributes].map(a => [a.name, a.value])),
    cells: [...row.cells].map(cell => cell.outerHTML.replace(/>\\s+</g, '><').replace(/\\s+/g, ' ')),
}))"""


def test_rows_drawn_from_the_data_are_the_rows_the_pages_were_built_with(large, open_page) -> None:  # type: ignore[no-untyped-def]
    site, _ = large
    watched = open_page()
    page = watched.page
    watched.goto(site.url("studies/"))
    built = page.evaluate(ROWS)
    # from page 2, ordered newest first as the site is: the first hundred are page 1's studies, drawn from the data
    watched.goto(site.url("studies/page-2.html?sort=year-desc"))
    page.wait_for_function(COUNTED)
    drawn = page.evaluate(ROWS)
    assert len(built) == len(drawn) == 100
    assert drawn == built
    assert not watched.problems, "\n".join(watched.problems)
