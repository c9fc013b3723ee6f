"""The built site in a real browser: Debian's Chromium driven by Playwright.

The site is built with `--base-url http://127.0.0.1:PORT/sub/` and served under the sub-path `/sub/` by a
small threaded http.server, so relative links, the explorer's URL state and search run exactly as they would
on a GitHub Pages project site; a few checks open pages straight from disk (file://).

Every test skips with a message when Chromium or the playwright package is missing; the accessibility test
also skips when axe-core is (run `npm ci`). With EVIDENCESITE_REQUIRE_ALL_TESTS set, as .ci/run sets it, a
missing tool fails the tests instead. Screenshots for a person to look at are written to
test-artifacts/screenshots/ (not in git); readme-home.png and readme-evidence-matrix.png there are the
pictures docs/screenshots/ holds for the README.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit
from urllib.request import url2pathname

import pytest
import yaml

from conftest import REPO, missing_tool

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
# Runs axe-core on the page (or on the elements a selector picks); returns its serious and critical violations.
AXE_SERIOUS = """async (selector) => {
    const results = await axe.run(selector || document, {resultTypes: ['violations']});
    return results.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.impact} ${v.id}: ${v.help}\\n    ` + v.nodes.slice(0, 5)
            .map(n => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')).join('\\n    '));
}"""

PAGES = {
    "home": "",
    "study": "studies/das2019/",
    "mechanism": "mechanisms/reconsolidation/",
    "evidence": "evidence/",
    "explorer": "studies/",
    "references": "references/",
    "search": "search/?q=ketamine",
}


# --- the content, read independently of the generator -------------------------------------------------


def _study_notes() -> dict[str, dict[str, Any]]:
    """Front matter of every published study note, by key."""
    notes = {}
    for path in sorted((REPO / "content" / "studies").glob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
        if front.get("draft") is not True:
            notes[path.stem] = front
    return notes


# the designs that review other studies (docs/authoring.md): the matrix lists them apart, never counts them
REVIEW_DESIGNS = frozenset(("meta-analysis", "network-meta-analysis", "systematic-review", "guideline", "narrative-review"))


def _studies_with(**wanted: str) -> set[str]:
    """Keys of the studies whose front-matter lists (substances, mechanisms) hold every wanted slug."""
    return {
        key
        for key, front in _study_notes().items()
        if all(slug in (front.get(name + "s") or []) for name, slug in wanted.items())
    }


# --- browser, server and page helpers -------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module; every test skips first thing when Chromium or playwright is missing."""
    if not Path(CHROMIUM).is_file():
        missing_tool(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("the playwright package is missing: python -m pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _Handler(SimpleHTTPRequestHandler):
    """Serves the folder quietly; a missing file gets the site's 404 page, as static hosts do."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "sub" / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@dataclass(frozen=True)
class Site:
    output: Path  # the built site on disk
    root: str  # http://127.0.0.1:PORT/sub/

    def url(self, path: str) -> str:
        return self.root + path

    def file_url(self, path: str) -> str:
        return (self.output / path).as_uri()


@contextlib.contextmanager
def serve_built(www: Path, build: Callable[[Path, str], None]) -> Iterator[Site]:
    """Serve `www` on a free port; `build(output, root_url)` writes the site into www/sub/ first."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(www)))
    root = f"http://127.0.0.1:{server.server_address[1]}/sub/"
    build(www / "sub", root)
    thread = threading.Thread(target=server.serve_forever, name=f"site-server-{www.name}", daemon=True)
    thread.start()
    try:
        yield Site(www / "sub", root)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def cli_build(*arguments: str) -> Callable[[Path, str], None]:
    """A `serve_built` builder: the command line's strict build with these arguments, for the served address."""

    def build(output: Path, root: str) -> None:
        from evidencesite.cli import main

        assert main(["build", *arguments, "--output", str(output), "--base-url", root, "--strict", "-q"]) == 0

    return build


def axe_violations(watched: Watched, urls: Mapping[str, str]) -> list[str]:
    """Every serious or critical axe-core violation on the pages (name -> URL), in light and dark."""
    if not AXE.is_file():
        missing_tool("axe-core is not installed: run `npm ci` in the repository root (package-lock.json pins it)")
    page = watched.page
    violations = []
    for name, url in urls.items():
        page.emulate_media(color_scheme="light")
        watched.goto(url)
        page.add_script_tag(path=str(AXE))
        for scheme in ("light", "dark"):  # the colours switch in place: no reload needed
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            violations += [f"{name} ({scheme}): {v}" for v in page.evaluate(AXE_SERIOUS, None)]
    return violations


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real site, built for and served under http://127.0.0.1:PORT/sub/ (a free port)."""
    with serve_built(tmp_path_factory.mktemp("www"), cli_build()) as site:
        yield site


@dataclass
class Watched:
    """A page and every problem seen on it: console errors, script errors, failed or refused requests."""

    page: Page
    problems: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def goto(self, url: str, expect_status: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == expect_status, (url, response and response.status)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Watched]]:
    """Open a fresh page (own context) that records problems and refuses requests that leave this machine."""
    contexts = []

    def make(width: int = 1280, height: int = 800, color_scheme: str = "light") -> Watched:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme)
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)

        def outside(route: Any) -> None:
            watched.problems.append(f"request leaves the machine: {route.request.url}")
            route.abort()

        context.route(re.compile(r"^(?!(?:http://127\.0\.0\.1:\d+/|file:|data:))"), outside)
        page.on("console", lambda m: m.type == "error" and watched.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: watched.problems.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: watched.problems.append(f"request failed: {r.url} ({r.failure})"))

        def on_response(response: Any) -> None:
            watched.statuses[response.url] = response.status
            if response.status >= 400 and response.request.resource_type != "document":
                watched.problems.append(f"HTTP {response.status}: {response.url}")

        page.on("response", on_response)
        return watched

    yield make
    for context in contexts:
        context.close()


def _visible_study_keys(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#explorer tbody tr",
        "rows => rows.filter(r => r.getClientRects().length).map(r => r.querySelector('a[href]').href)",
    )
    keys = [re.search(r"/studies/([a-z0-9-]+)/index\.html$", href) for href in hrefs]
    assert all(keys), hrefs
    return [k.group(1) for k in keys if k]


def _visible_years(page: Page) -> list[int]:
    return page.eval_on_selector_all(
        "#explorer tbody tr",
        "rows => rows.filter(r => r.getClientRects().length).map(r => parseInt(r.cells[0].dataset.value, 10))",
    )


def _location(page: Page) -> tuple[str, dict[str, list[str]]]:
    """The page's path and query, read from the page itself (history.replaceState changes them in place)."""
    parts = urlsplit(page.evaluate("location.href"))
    return parts.path, parse_qs(parts.query)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- pages load cleanly ----------------------------------------------------------------------------------


def test_pages_load_without_console_errors_or_failed_requests(served: Site, open_page) -> None:
    watched = open_page()
    page = watched.page
    problems = []
    for name, path in PAGES.items():
        watched.goto(served.url(path))
        assert page.locator("h1").count() == 1, name
        # the stylesheet applied: the header is a block, not an inline element
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "block", name
        problems += [f"{name}: {problem}" for problem in watched.problems]
        watched.problems.clear()
    assert not problems, "\n".join(problems)


def test_missing_page_gets_the_styled_404_page_under_the_sub_path(served: Site, open_page) -> None:
    watched = open_page()
    watched.goto(served.url("no/such/page/"), expect_status=404)
    page = watched.page
    assert page.locator("h1").inner_text() == "Page not found"
    assert watched.statuses.get(served.url("static/site.css")) == 200
    page.get_by_role("link", name="study explorer").click()
    page.wait_for_url(served.url("studies/index.html"))
    expected = "console error: Failed to load resource: the server responded with a status of 404 (Not Found)"
    assert watched.problems == [expected]  # the missing page itself, and nothing else


def test_page_opened_from_disk_loads_its_styles_and_links(served: Site, open_page) -> None:
    watched = open_page()
    page = watched.page
    page.goto(served.file_url("mechanisms/reconsolidation/index.html"))
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "block"
    page.locator(".site-nav").get_by_role("link", name="Evidence").first.click()
    page.wait_for_url(served.file_url("evidence/index.html"))
    assert page.locator("h1").inner_text() == "Evidence overview"
    assert not watched.problems, "\n".join(watched.problems)


# --- the study explorer -------------------------------------------------------------------------------


def test_filter_narrows_the_explorer_and_survives_a_reload(served: Site, open_page) -> None:
    total = len(_study_notes())
    watched = open_page()
    page = watched.page
    watched.goto(served.url("studies/"))
    assert sorted(_visible_study_keys(page)) == sorted(_study_notes())
    assert page.locator("#result-count").inner_text() == f"{total} of {total} studies"

    page.select_option('select[name="substance"]', "alcohol")
    expected = _studies_with(substance="alcohol")
    assert 1 < len(expected) < total
    assert sorted(_visible_study_keys(page)) == sorted(expected)
    assert page.locator("#result-count").inner_text() == f"{len(expected)} of {total} studies"
    assert _location(page) == ("/sub/studies/", {"substance": ["alcohol"]})

    page.select_option('select[name="mechanism"]', "reconsolidation")
    both = _studies_with(substance="alcohol", mechanism="reconsolidation")
    assert both and both < expected
    assert sorted(_visible_study_keys(page)) == sorted(both)
    assert _location(page) == ("/sub/studies/", {"substance": ["alcohol"], "mechanism": ["reconsolidation"]})

    page.reload()
    assert page.locator('select[name="substance"]').input_value() == "alcohol"
    assert page.locator('select[name="mechanism"]').input_value() == "reconsolidation"
    assert sorted(_visible_study_keys(page)) == sorted(both)
    assert page.locator("#result-count").inner_text() == f"{len(both)} of {total} studies"

    page.get_by_role("button", name="Clear filters").click()
    assert len(_visible_study_keys(page)) == total
    assert _location(page) == ("/sub/studies/", {})
    assert not watched.problems, "\n".join(watched.problems)


def test_matrix_cell_opens_the_explorer_filtered_to_that_cell(served: Site, open_page) -> None:
    watched = open_page()
    page = watched.page
    watched.goto(served.url("evidence/"))
    row = page.locator("table.matrix tbody tr").filter(has=page.locator('th a[href*="mechanisms/reconsolidation/"]'))
    column = page.locator("table.matrix thead th").all_inner_texts().index("Alcohol")
    cell = row.locator("th, td").nth(column)
    expected = _studies_with(substance="alcohol", mechanism="reconsolidation")
    notes = _study_notes()
    primary = {key for key in expected if notes[key]["design"] not in REVIEW_DESIGNS}
    reviews = len(expected) - len(primary)
    assert primary and reviews, "the cell should hold primary studies and reviews"
    assert cell.locator(".count").inner_text() == f"{len(primary)} {'study' if len(primary) == 1 else 'studies'}"
    assert cell.locator(".cell-reviews").inner_text() == f"+ {reviews} {'review' if reviews == 1 else 'reviews'}"
    cell.locator("a.cell-link").click()
    page.wait_for_url(re.compile(r"/sub/studies/index\.html\?"))
    assert sorted(_visible_study_keys(page)) == sorted(expected)
    assert not watched.problems, "\n".join(watched.problems)


def test_sorting_by_year_both_ways_keeps_the_filter(served: Site, open_page) -> None:
    watched = open_page()
    page = watched.page
    watched.goto(served.url("studies/?population=human"))
    shown = sorted(_visible_study_keys(page))
    assert shown == sorted(key for key, front in _study_notes().items() if front.get("population") == "human")
    year = page.locator("#explorer thead th").filter(has_text="Year")
    year.get_by_role("button").click()
    assert year.get_attribute("aria-sort") == "ascending"
    years = _visible_years(page)
    assert years == sorted(years) and years[0] < years[-1]
    year.get_by_role("button").click()
    assert year.get_attribute("aria-sort") == "descending"
    assert _visible_years(page) == sorted(years, reverse=True)
    assert sorted(_visible_study_keys(page)) == shown
    assert not watched.problems, "\n".join(watched.problems)


# --- search ---------------------------------------------------------------------------------------------


def _krupitsky_studies() -> dict[str, str]:
    """Key -> title of every study whose first author is Krupitsky."""
    found = {
        key: front["title"] for key, front in _study_notes().items() if front["authors"][0].startswith("Krupitsky,")
    }
    assert found
    return found


def _search_done(page: Page) -> str:
    """Wait until the search page has answered (it loads its index shards on demand); return its status."""
    page.wait_for_function(
        "() => /results? for|No results|too common/.test(document.getElementById('search-status').textContent)"
        " && (document.querySelector('#search-results > li') || !/results? for/.test("
        "document.getElementById('search-status').textContent))"
    )
    return page.locator("#search-status").inner_text()


def test_search_finds_a_study_by_its_first_author_and_links_to_it(served: Site, open_page) -> None:
    watched = open_page()
    page = watched.page
    watched.goto(served.url(""))
    page.fill("#header-q", "Krupitsky")
    page.press("#header-q", "Enter")
    page.wait_for_url(re.compile(r"/sub/search/index\.html\?q=Krupitsky$"))
    assert re.match(r"\d+ results? for “Krupitsky”", _search_done(page))
    while page.locator("#search-more").is_visible():
        page.click("#search-more")
    page.wait_for_function("() => document.getElementById('search-more').hidden")
    results = page.locator("#search-results > li > a")
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    for key in _krupitsky_studies():
        assert served.url(f"studies/{key}/index.html") in hrefs, (key, hrefs)

    key, title = next(iter(_krupitsky_studies().items()))
    results.filter(has_text=re.compile(re.escape(title[:30]))).first.click()
    page.wait_for_url(served.url(f"studies/{key}/index.html"))
    assert _squash(page.locator("h1").inner_text()) == _squash(title)
    assert not watched.problems, "\n".join(watched.problems)


def test_search_works_from_disk(served: Site, open_page) -> None:
    """The index shards are plain scripts, which load over file:// (fetch and modules would not)."""
    watched = open_page()
    page = watched.page
    page.goto(served.file_url("search/index.html") + "?q=Krupitsky")
    assert re.match(r"\d+ results? for “Krupitsky”", _search_done(page))
    links = page.locator("#search-results > li > a").evaluate_all("links => links.map(a => a.href)")
    assert links and all(Path(url2pathname(urlsplit(link).path)).is_file() for link in links)
    assert links[0] in {served.file_url(f"studies/{key}/index.html") for key in _krupitsky_studies()}
    assert not watched.problems, "\n".join(watched.problems)


# The page a reader must get first for each query (the real site's content), and pages that must be near the top.
FIRST_RESULTS = {
    "Krupitsky": "studies/krupitsky",
    "does ketamine work for alcohol": "substances/alcohol/",
    "reconsolidation": "mechanisms/reconsolidation/",
    "opioid": "substances/opioids/",
    "Das 2019": "studies/das2019/",
    "cocaine": "substances/cocaine/",
    "HNK": "glossary/",  # a synonym the glossary declares (hydroxynorketamine)
}
TOP_THREE = {"side effects": "safety/"}


def _result_links(page: Page) -> list[str]:
    """Every result's link, after pressing "Show more results" until all are shown."""
    while page.locator("#search-more").is_visible():
        page.click("#search-more")
    return page.locator("#search-results > li > a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_search_ranks_the_page_a_reader_wants_first_and_ignores_spelling_variants(served: Site, open_page) -> None:
    watched = open_page()
    page = watched.page
    for query, expected in FIRST_RESULTS.items():
        watched.goto(served.url("search/index.html?q=" + query.replace(" ", "+")))
        _search_done(page)
        first = page.locator("#search-results > li > a").first.get_attribute("href") or ""
        assert expected in first, (query, first)
    for query, expected in TOP_THREE.items():
        watched.goto(served.url("search/index.html?q=" + query.replace(" ", "+")))
        _search_done(page)
        top = page.locator("#search-results > li > a").evaluate_all("links => links.map(a => a.href)")[:3]
        assert any(expected in link for link in top), (query, top)
    results = []
    for query in ("randomised", "randomized", "behaviour", "behavior"):
        watched.goto(served.url("search/index.html?q=" + query))
        _search_done(page)
        results.append(_result_links(page))
    assert results[0] == results[1] != [] and results[2] == results[3] != [], results
    watched.goto(served.url("search/index.html?q=the+of+and"))
    assert _search_done(page) == "Those words are too common to search for: add a more specific word."
    assert not watched.problems, "\n".join(watched.problems)


# --- citation popovers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 375])
def test_citation_popover_opens_from_the_keyboard_and_closes_on_escape(served: Site, open_page, width: int) -> None:
    watched = open_page(width=width)
    page = watched.page
    watched.goto(served.url("mechanisms/reconsolidation/"))
    for _ in range(300):  # real Tab presses from the top of the page to the first citation
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.cite')"):
            break
    else:
        pytest.fail("Tab never reached a citation link")
    cite = page.locator("a.cite:focus")
    popover_id = cite.get_attribute("aria-describedby")
    assert popover_id, "the focused citation names no popover in aria-describedby"
    popover = page.locator(f"#{popover_id}")
    assert popover.is_visible()
    assert popover.get_attribute("role") == "tooltip"
    reference = cite.get_attribute("href")
    assert reference and reference.startswith("#ref-")
    expected = _squash(page.locator(f"{reference} .csl-entry").inner_text())
    assert expected and expected in _squash(popover.inner_text())
    box = popover.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    if AXE.is_file():  # the open popover is accessible too (colours, names of its links)
        page.add_script_tag(path=str(AXE))
        assert not page.evaluate(AXE_SERIOUS, f"#{popover_id}")

    page.keyboard.press("Escape")
    assert popover.is_hidden()
    assert cite.get_attribute("aria-describedby") is None
    assert page.evaluate("document.activeElement.matches('a.cite')")
    assert not watched.problems, "\n".join(watched.problems)


# --- accessibility, small screens, screenshots ----------------------------------------------------------


def test_axe_finds_no_serious_or_critical_violations_in_light_and_dark(served: Site, open_page) -> None:
    violations = axe_violations(open_page(), {name: served.url(path) for name, path in PAGES.items()})
    assert not violations, "\n".join(violations)


def test_no_horizontal_overflow_at_320_px(served: Site, open_page) -> None:
    watched = open_page(width=320, height=640)
    page = watched.page
    too_wide = []
    for name, path in PAGES.items():
        watched.goto(served.url(path))
        scroll_width, inner_width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert inner_width == 320
        if scroll_width > inner_width:
            culprits = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5)
                    .slice(0, 8).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
            )
            too_wide.append(f"{name}: {scroll_width} px wide in a {inner_width} px window; widest: {culprits}")
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_for_a_person_to_look_at(served: Site, open_page, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched = open_page(width=width)
    page = watched.page
    shots = []
    for name in ("home", "evidence", "study", "mechanism"):
        watched.goto(served.url(PAGES[name]))
        shots.append(SCREENSHOTS / f"{name}-{width}.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
    if width == 1280:  # the README's two pictures (docs/screenshots/ holds copies of these)
        watched.goto(served.url(PAGES["home"]))
        shots.append(SCREENSHOTS / "readme-home.png")
        page.screenshot(path=str(shots[-1]))
        watched.goto(served.url(PAGES["evidence"]))
        box = page.locator('section[aria-labelledby="matrix-heading"]').bounding_box()
        assert box
        shots.append(SCREENSHOTS / "readme-evidence-matrix.png")
        clip = {"x": 0, "y": box["y"] - 24, "width": width, "height": box["height"] + 48}
        page.screenshot(path=str(shots[-1]), full_page=True, clip=clip)
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
    assert not watched.problems, "\n".join(watched.problems)
