"""The real site on a phone (375 px) in Chromium: cards instead of wide tables, taps on citations, labelled scrolling.

Uses tests/test_browser.py's Chromium, server and page fixtures (the same sub-path build); skips as those do
when Chromium or playwright is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_browser import (
    PAGES,
    SCREENSHOTS,
    Site,
    _location,
    _visible_years,
    axe_violations,
    browser,
    open_page,
    served,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["browser", "open_page", "served"]  # fixtures, imported to be shared
pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}
PHONE_PAGES = {**PAGES, "glossary": "glossary/"}

# Every element that scrolls sideways, and whether it is a labelled, focusable region (so keyboard and
# screen-reader users can scroll it too).
SIDEWAYS = """() => [...document.querySelectorAll('body *')].filter(el => {
        const style = getComputedStyle(el);
        return /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    }).map(el => ({
        what: el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''),
        labelled: el.getAttribute('role') === 'region' && el.getAttribute('tabindex') === '0'
            && !!(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')),
    }))"""


def _phone(browser: Browser, **options: object) -> Page:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, **options)  # type: ignore[arg-type]
    return context.new_page()


def test_nothing_scrolls_sideways_on_a_phone_but_labelled_regions(served: Site, open_page) -> None:
    watched = open_page(**PHONE)
    page = watched.page
    problems = []
    for name, path in PHONE_PAGES.items():
        watched.goto(served.url(path))
        width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        if width > inner:
            problems.append(f"{name}: the page is {width} px wide in a {inner} px window")
        problems += [
            f"{name}: {s['what']} scrolls sideways unlabelled" for s in page.evaluate(SIDEWAYS) if not s["labelled"]
        ]
    assert not problems, "\n".join(problems)
    assert not watched.problems, "\n".join(watched.problems)


def test_the_timeline_opens_at_the_most_recent_years_on_a_phone(served: Site, open_page) -> None:
    watched = open_page(**PHONE)
    page = watched.page
    watched.goto(served.url("evidence/"))
    region = page.locator(".timeline-wrap")
    assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label")
    frame = region.bounding_box()
    labels = page.locator(".timeline text.axis")
    years = [int(text) for text in labels.evaluate_all("texts => texts.map(t => t.textContent)")]
    assert years == sorted(years) and len(years) > 2
    last, first = labels.last.bounding_box(), labels.first.bounding_box()
    assert frame and last and first
    assert frame["x"] <= last["x"] and last["x"] + last["width"] <= frame["x"] + frame["width"] + 1  # in view
    assert first["x"] + first["width"] < frame["x"]  # the earliest years are a scroll away
    region.focus()  # a keyboard reaches the region, and its arrow keys scroll back in time
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('.timeline-wrap').scrollLeft < 0")
    assert not watched.problems, "\n".join(watched.problems)


def test_the_matrix_is_one_card_per_row_on_a_phone_and_a_table_on_a_wide_screen(served: Site, open_page) -> None:
    watched = open_page(**PHONE)
    page = watched.page
    watched.goto(served.url("evidence/"))
    columns = page.locator("table.matrix thead th").all_inner_texts()[1:]
    cards = page.locator("table.matrix tbody tr")
    assert cards.count() > 1
    for index in range(cards.count()):
        card = cards.nth(index)
        box = card.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        labels = card.locator("td").evaluate_all("cells => cells.map(td => getComputedStyle(td, '::before').content)")
        assert labels == [f'"{column}"' for column in columns]  # each cell names its column
    assert page.evaluate("getComputedStyle(document.querySelector('table.matrix tbody tr')).display") == "block"
    watched.page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("getComputedStyle(document.querySelector('table.matrix tbody tr')).display") == "table-row"
    assert not watched.problems, "\n".join(watched.problems)


def test_explorer_rows_are_cards_on_a_phone_and_the_sort_order_is_kept_in_the_url(served: Site, open_page) -> None:
    watched = open_page(**PHONE)
    page = watched.page
    watched.goto(served.url("studies/?substance=alcohol"))
    first_row = page.locator("#explorer tbody tr:visible").first
    assert first_row.evaluate("tr => getComputedStyle(tr).flexDirection") == "column"
    title = first_row.locator("td").nth(2).bounding_box()
    year = first_row.locator("td").first.bounding_box()
    assert title and year and title["y"] < year["y"]  # the study's title heads its card
    page.select_option("#explorer-sort", "year-asc")
    years = _visible_years(page)
    assert years == sorted(years) and years[0] < years[-1]
    assert _location(page) == ("/sub/studies/", {"substance": ["alcohol"], "sort": ["year-asc"]})
    page.reload()
    assert page.locator("#explorer-sort").input_value() == "year-asc"
    assert _visible_years(page) == years
    page.get_by_role("button", name="Clear filters").click()  # the filters go, the order stays
    assert _location(page) == ("/sub/studies/", {"sort": ["year-asc"]})

    page.set_viewport_size({"width": 1280, "height": 800})
    year_heading = page.locator("#explorer thead th").filter(has_text="Year")
    year_heading.get_by_role("button").click()
    assert year_heading.get_attribute("aria-sort") == "descending"
    assert page.locator("#explorer-sort").input_value() == "year-desc"
    assert _location(page) == ("/sub/studies/", {"sort": ["year-desc"]})
    assert not watched.problems, "\n".join(watched.problems)


def test_a_tap_opens_the_citation_popover_and_a_second_tap_follows_it(served: Site, browser: Browser) -> None:
    page = _phone(browser, has_touch=True, is_mobile=True)
    page.goto(served.url("mechanisms/reconsolidation/"))
    cite = page.locator("a.cite").first
    cite.scroll_into_view_if_needed()
    cite.tap()
    popover_id = cite.get_attribute("aria-describedby")
    assert popover_id, "a tap on a citation opened no popover"
    popover = page.locator(f"#{popover_id}")
    assert popover.is_visible()
    assert _fragment(page.url) == ""  # the first tap stays in the text
    box = popover.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    reference = cite.get_attribute("href")
    assert popover.get_by_role("link", name="Go to reference").get_attribute("href") == reference
    cite.tap()
    page.wait_for_function("location.hash.length > 1")
    assert "#" + _fragment(page.url) == reference
    page.context.close()


def test_arriving_from_a_back_link_leaves_room_above_the_citation_and_opens_nothing(served: Site, open_page) -> None:
    watched = open_page(**PHONE)
    page = watched.page
    watched.goto(served.url("mechanisms/reconsolidation/"))
    back = page.locator(".backlinks a").first
    target = back.get_attribute("href")
    assert target and target.startswith("#cite-")
    back.scroll_into_view_if_needed()
    back.click()
    page.wait_for_function(f"location.hash === {target!r}")
    page.wait_for_timeout(300)  # a popover would open on focus, at once
    cite = page.locator(target)
    box = cite.bounding_box()
    assert box and box["y"] >= 0.2 * PHONE["height"], box  # the sentence before it is in view too
    assert page.locator(".cite-popover:visible").count() == 0
    watched.goto(served.url("evidence/"))
    watched.goto(served.url("mechanisms/reconsolidation/") + "#cite-2")  # the same, arriving from another page
    page.wait_for_timeout(300)
    assert page.locator(".cite-popover:visible").count() == 0
    assert not watched.problems, "\n".join(watched.problems)


def _fragment(url: str) -> str:
    """The part of `url` after '#'."""
    return url.partition("#")[2]


def test_axe_finds_no_serious_or_critical_violations_on_a_phone(served: Site, open_page) -> None:
    violations = axe_violations(open_page(**PHONE), {name: served.url(path) for name, path in PHONE_PAGES.items()})
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("width", [375, 1280])
def test_phone_and_desktop_screenshots_of_the_matrix_explorer_and_timeline(served: Site, open_page, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched = open_page(width=width)
    page = watched.page
    shots = []
    for name, path, selector in (
        ("matrix", "evidence/", 'section[aria-labelledby="matrix-heading"]'),
        ("timeline", "evidence/", 'section[aria-labelledby="timeline-heading"]'),
        ("explorer", "studies/", "#explorer"),
    ):
        watched.goto(served.url(path))
        box = page.locator(selector).bounding_box()
        assert box
        shots.append(SCREENSHOTS / f"{name}-{width}.png")
        clip = {"x": 0, "y": max(0, box["y"] - 16), "width": width, "height": min(box["height"] + 32, 2400)}
        page.screenshot(path=str(shots[-1]), full_page=True, clip=clip)
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
    assert not watched.problems, "\n".join(watched.problems)
