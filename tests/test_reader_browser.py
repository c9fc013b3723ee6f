"""The answer-first layout in Chromium at 375 and 1280 px: key messages box, contents, study page order.

A tiny site with every reader field is built and served under /sub/ (axe-core reads the styles with requests that
file:// refuses); screenshots for a person to look at go to test-artifacts/screenshots/reader-*.png. Uses the browser fixture of tests/test_browser.py
(skips, or fails under EVIDENCESITE_REQUIRE_ALL_TESTS, without Chromium or playwright).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from test_browser import AXE, AXE_SERIOUS, SCREENSHOTS, browser, cli_build, serve_built  # noqa: F401  (browser: the module's fixture)

from conftest import JONES_2019, MINIMAL_FILES, missing_tool, write_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

LONG_PAGE = (
    "---\ntitle: Alcohol\norder: 1\nreviewed: 2024-06-01\n"
    "key_messages:\n  - Ketamine given with talking therapy may help some people drink less.\n"
    "  - Most trials so far are small, so we cannot be sure.\n  - No regulator has approved it for this use.\n"
    "plain_summary: A few small studies suggest ketamine might help. More research is needed.\n"
    "changes:\n  - {date: 2024-06-01, text: Added the Smith trial.}\n---\n"
    + "".join(f"## Section {n}\n\n{'Some text about the evidence. ' * 30}[@smith2020]\n\n" for n in range(1, 6))
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site's root URL, http://127.0.0.1:PORT/sub/."""

    files = {**MINIMAL_FILES, "content/substances/alcohol.md": LONG_PAGE, "content/studies/jones2019.md": JONES_2019}
    root = write_site(tmp_path_factory.mktemp("reader") / "site", dict(files))
    with serve_built(root / "www", cli_build("--site", str(root))) as served:
        yield served.root


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:  # noqa: F811
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 800})
    problems: list[str] = []
    opened = context.new_page()
    opened.on("console", lambda m: m.type == "error" and problems.append(m.text))
    opened.on("pageerror", lambda e: problems.append(str(e)))
    yield opened
    context.close()
    assert not problems, problems


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"]


def _axe(page: Page) -> None:
    """No serious or critical axe-core violations, in light and dark."""
    if not AXE.is_file():
        missing_tool("axe-core is not installed: run `npm ci` in the repository root (package-lock.json pins it)")
    page.add_script_tag(path=str(AXE))
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(AXE_SERIOUS, None) == [], scheme


@pytest.mark.parametrize("page", [375, 1280], indirect=True)
def test_key_messages_box_and_contents_come_first_at_both_widths(built: str, page: Page) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    page.goto(built + "substances/alcohol/")
    tops = [_top(page, s) for s in ("h1", ".page-dates", ".key-messages", ".plain-summary", "details.auto-toc", ".prose")]
    assert tops == sorted(tops)
    assert _top(page, ".key-messages") < 800  # the answer is on the first screen, on a phone too
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width
    # the contents collapse and open again without script, and their links land on the section
    page.locator("details.auto-toc summary").click()
    assert not page.locator("details.auto-toc ul").is_visible()
    page.locator("details.auto-toc summary").click()
    page.locator('details.auto-toc a[href="#section-3"]').click()
    assert page.evaluate("location.hash") == "#section-3"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"reader-key-messages-{width}.png"), full_page=True)
    _axe(page)


@pytest.mark.parametrize("page", [375, 1280], indirect=True)
def test_study_page_reads_heading_result_text_record_at_both_widths(built: str, page: Page) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    page.goto(built + "studies/jones2019/")
    order = ["h1", ".study-byline", ".lede", "#facts-heading", ".prose", "#record-heading", "#cite-heading", "#cited-by-heading"]
    tops = [_top(page, selector) for selector in order]
    assert tops == sorted(tops), dict(zip(order, tops, strict=True))
    assert page.locator(".study-byline").inner_text() == "Jones & Jones (2019) · Randomised controlled trial · n = 40"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reader-study-{width}.png"), full_page=True)
    _axe(page)
