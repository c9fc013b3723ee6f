"""The real site's pages follow its own skeletons (site_config.yaml's note_sections, the mechanisms' sections)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from evidencesite.content.config import load_config
from evidencesite.content.frontmatter import split_front_matter
from evidencesite.errors import Diagnostics

_VOCABULARY = load_config(REPO, Diagnostics(REPO)).vocabulary  # type: ignore[union-attr]
STUDY_HEADINGS = _VOCABULARY.note_sections
MECHANISM_HEADINGS = _VOCABULARY.taxonomy("mechanisms").sections  # type: ignore[union-attr]
STUDIES = sorted((REPO / "content" / "studies").glob("*.md"))
MECHANISMS = sorted((REPO / "content" / "mechanisms").glob("*.md"))


def _headings(path: Path) -> list[str]:
    body = split_front_matter(path.read_text(encoding="utf-8")).body
    return [line[3:].strip() for line in body.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_study_note_has_the_six_sections_in_order(path: Path) -> None:
    assert _headings(path) == list(STUDY_HEADINGS)


@pytest.mark.parametrize("path", MECHANISMS, ids=[p.stem for p in MECHANISMS])
def test_mechanism_page_has_its_sections_and_graded_claims(path: Path) -> None:
    assert _headings(path) == list(MECHANISM_HEADINGS)
    claims = split_front_matter(path.read_text(encoding="utf-8")).data["claims"]
    assert claims and all(claim["strength"].text in ("moderate", "weak", "speculative") for claim in claims)


def test_the_six_mechanisms_of_the_review_are_all_there() -> None:
    assert {p.stem for p in MECHANISMS} == {
        "neuroplasticity",
        "network-disruption",
        "depressive-symptoms",
        "reconsolidation",
        "mystical-experience",
        "psychotherapy-enhancement",
    }


def test_home_page_says_larger_trials_are_needed_and_is_not_medical_advice() -> None:
    text = (REPO / "content" / "index.md").read_text(encoding="utf-8").lower()
    assert "larger, well-controlled trials are still needed" in text
    assert "does not recommend any treatment" in text
    # the notice itself is the site's own (in every page's footer, counted below), not repeated in the text
    assert "not medical advice" in (REPO / "site_config.yaml").read_text(encoding="utf-8").lower()


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("site") / "output"
    assert main(["build", "--output", str(output), "--strict", "-q"]) == 0
    return output


def test_every_page_carries_one_not_medical_advice_notice(built_site: Path) -> None:
    """The site's own notice (site_config.yaml `disclaimer`, in the footer) is the only one on each page."""
    counts = {
        page.relative_to(built_site).as_posix(): page.read_text(encoding="utf-8").lower().count("<strong>not medical advice")
        for page in built_site.rglob("*.html")
        if page.name != "404.html"
    }
    assert {page: count for page, count in counts.items() if count != 1} == {}
