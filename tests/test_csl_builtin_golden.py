"""The built-in styles (numeric, author-year) over the same hard entries as the CSL comparison, against golden strings.

tests/fixtures/csl/builtin-expected.json holds, for every entry of hard-entries.json, the expected plain text of
both built-in styles and the author-year in-text label; each string was reviewed by hand. Regenerate it only on
purpose (`python tests/test_csl_builtin_golden.py`), and review the diff line by line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evidencesite.content.bibliography import parse_csl_json
from evidencesite.content.config import CitationStyle
from evidencesite.csl.builtin_format import format_reference, plain_text
from evidencesite.csl.labels import author_year_label, disambiguate
from evidencesite.errors import Diagnostics
from evidencesite.models import Work

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "csl"
ENTRIES = FIXTURES / "hard-entries.json"
EXPECTED = FIXTURES / "builtin-expected.json"


def works() -> dict[str, Work]:
    """Every fixture entry as our reader makes it, disambiguated as the catalog does."""
    found = parse_csl_json(ENTRIES.read_text(encoding="utf-8"), ENTRIES, Diagnostics(FIXTURES))
    by_key = {work.key: work for work in found}
    by_key.update(disambiguate(by_key.values()))
    return by_key


def rendered(work: Work) -> dict[str, str]:
    return {
        "numeric": plain_text(format_reference(work, CitationStyle.NUMERIC)),
        "author_year": plain_text(format_reference(work, CitationStyle.AUTHOR_YEAR)),
        "label": author_year_label(work),
    }


EXPECTED_ENTRIES: dict[str, dict[str, str]] = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}


def test_every_hard_entry_has_a_golden_string() -> None:
    assert sorted(EXPECTED_ENTRIES) == sorted(works())


@pytest.mark.parametrize("key", sorted(EXPECTED_ENTRIES))
def test_builtin_styles_match_golden_strings(key: str) -> None:
    assert rendered(works()[key]) == EXPECTED_ENTRIES[key]


def test_builtin_styles_never_print_nd_and_keep_what_identifies_a_work() -> None:
    texts = {key: rendered(work) for key, work in works().items()}
    assert not any("n.d." in value for entry in texts.values() for value in entry.values())
    assert "In: Lindqvist M, Okafor C, editors. Handbook of Addiction Pharmacology. 3rd ed." in texts["haddad2017"]["numeric"]
    assert "(3rd ed., pp. 45-78)" in texts["haddad2017"]["author_year"]
    assert "[PhD thesis, University of Bristol]" in texts["evans2013"]["author_year"]
    assert "Report No.: CG115" in texts["nice2018"]["numeric"] and "London: NICE" in texts["nice2018"]["author_year"]
    assert "Retrieved January 15, 2024, from https://www.fda.gov/" in texts["fda2019"]["author_year"]
    assert texts["lit2019"]["numeric"].startswith("Psychedelic Research Consortium. ")


def test_two_smiths_in_one_year_are_told_apart_by_initials_not_letters() -> None:
    found = works()
    assert (author_year_label(found["smith2019a"]), author_year_label(found["smith2019b"])) == ("J. Smith, 2019", "K. Smith, 2019")
    assert found["smith2019a"].year_suffix == "" and found["smith2019b"].year_suffix == ""


if __name__ == "__main__":  # regenerate the golden file (then review every changed line)
    sys.setrecursionlimit(10000)
    data = {key: rendered(work) for key, work in sorted(works().items())}
    EXPECTED.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
