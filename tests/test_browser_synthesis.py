"""The evidence layer in a real browser (tests/fixtures/sites/synthesis): axe, narrow screens, the RoB filter.

Uses test_browser.py's browser, server and page helpers; skips the same way when Chromium, playwright or
axe-core is missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_browser import Site, axe_violations, browser, cli_build, open_page, serve_built  # noqa: F401 (fixtures)

from conftest import REPO

pytestmark = pytest.mark.browser

SITE = REPO / "tests" / "fixtures" / "sites" / "synthesis"
PAGES = {
    "evidence": "evidence/",
    "study with counts": "studies/alder1943/",
    "study with estimates": "studies/oak2015/",
    "animal study": "studies/mouse2018/",
    "term with questions": "interventions/vaccine/",
    "page with a question": "exercise-and-pain/",
    "explorer": "studies/",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The fixture site, built for and served under http://127.0.0.1:PORT/sub/."""
    with serve_built(tmp_path_factory.mktemp("www"), cli_build("--site", str(SITE), "--no-cache")) as site:
        yield site


def test_evidence_pages_have_no_serious_axe_violations_in_light_and_dark(served: Site, open_page) -> None:  # noqa: F811
    watched = open_page()
    violations = axe_violations(watched, {name: served.url(path) for name, path in PAGES.items()})
    assert not violations, "\n".join(violations)
    assert not watched.problems, watched.problems


@pytest.mark.parametrize("width", [320, 375])
def test_evidence_pages_do_not_overflow_a_phone_screen(served: Site, open_page, width: int) -> None:  # noqa: F811
    watched = open_page(width=width, height=700)
    page = watched.page
    too_wide = []
    for name, path in PAGES.items():
        watched.goto(served.url(path))
        scroll_width, inner_width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            too_wide.append(f"{name}: {scroll_width} px wide in a {inner_width} px window")
        # a forest plot's text stays readable: its SVG is drawn at no less than 85% of its nominal size
        ratio = page.evaluate(
            "() => Math.min(1, ...[...document.querySelectorAll('.forest-plot__svg')].map(s => s.getBoundingClientRect().width / 360))"
        )
        assert ratio >= 0.85 or width < 375, (name, ratio)
    assert not too_wide, "\n".join(too_wide)


def test_risk_of_bias_filter_narrows_the_explorer(served: Site, open_page) -> None:  # noqa: F811
    watched = open_page()
    page = watched.page
    watched.goto(served.url("studies/?rob=serious"))
    page.wait_for_function("document.getElementById('result-count').textContent.length > 0")
    assert page.locator("#result-count").text_content() == "4 of 17 studies"
    visible = page.eval_on_selector_all("#explorer tbody tr", "rows => rows.filter(r => r.getClientRects().length).map(r => r.dataset.rob)")
    assert visible == ["serious"] * 4
