"""The real site against the research dossiers: bibliographic fields must match exactly, and every result number
in a study note must be one its research record (or a source named beside it) states."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import REPO, missing_tool
from evidencesite.content.bibliography import parse_bibtex
from evidencesite.content.frontmatter import Scalar, split_front_matter
from evidencesite.errors import Diagnostics

from . import dossier_numbers

SNAPSHOT = json.loads((REPO / "tests" / "fixtures" / "dossier_bibliography.json").read_text(encoding="utf-8"))
# study key -> every number its research record states (tests/site_content/dossier_numbers.py writes it)
NUMBERS = json.loads(dossier_numbers.SNAPSHOT.read_text(encoding="utf-8"))
# The fields of a result that hold numbers taken from a source (the rest are words or computed by the generator).
RESULT_NUMBER_FIELDS = ("estimate", "ci", "events", "totals")
STUDIES = sorted((REPO / "content" / "studies").glob("*.md"))
# Dossier entries deliberately left off the site, with the reason (see the closing note).
LEFT_OUT = {"garel2022": "confidence low: the author list could not be verified in any source"}
# Identifiers the dossier records but marks as inferred, not seen: methods.md says inferred fields are left blank.
INFERRED_LEFT_BLANK = {
    ("krupitsky2002", "doi"): "evidence-dossier.yaml audit: 'DOI INFERRED from the Elsevier PII ... not displayed'",
}
# the research dossiers: beside the clone on developers' machines and in CI (.ci/run), absent from a plain clone
RESEARCH = REPO.parent / "shared" / "research"


def _front_matter(path: Path) -> dict[str, str]:
    data = split_front_matter(path.read_text(encoding="utf-8")).data
    return {key: value.text for key, value in data.items() if isinstance(value, Scalar)}


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_study_note_matches_dossier(path: Path) -> None:
    dossier = SNAPSHOT["studies"].get(path.stem)
    assert dossier is not None, f"{path.stem} is not in the evidence dossier: add its source or remove the note"
    note = _front_matter(path)
    assert note["title"] == dossier["title"]
    assert int(note["year"]) == dossier["year"]
    for field in ("doi", "pmid"):
        if (path.stem, field) in INFERRED_LEFT_BLANK:
            assert field not in note and dossier.get(field), f"{field}: left blank as inferred; update INFERRED_LEFT_BLANK"
            continue
        assert note.get(field) == dossier.get(field), (
            f"{field}: note {note.get(field)!r} vs dossier {dossier.get(field)!r}"
        )


def test_every_high_or_medium_confidence_study_is_on_the_site() -> None:
    on_site = {p.stem for p in STUDIES}
    wanted = {key for key, entry in SNAPSHOT["studies"].items() if entry["confidence"] in ("high", "medium")}
    assert wanted - on_site == set()
    assert set(LEFT_OUT) & on_site == set()


def test_bibtex_references_match_context_dossier() -> None:
    path = REPO / "content" / "references.bib"
    diagnostics = Diagnostics(REPO)
    works = parse_bibtex(path.read_text(encoding="utf-8"), path, diagnostics)
    assert not diagnostics.items
    for work in works:
        dossier = SNAPSHOT["references"].get(work.key)
        assert dossier is not None, f"{work.key} is not in the context dossier"
        assert work.title.casefold() == dossier["title"].casefold(), work.key
        assert work.year == dossier.get("year"), work.key
        assert (work.doi or None) == dossier.get("doi"), work.key
        assert (work.pmid or None) == dossier.get("pmid"), work.key


def test_snapshot_is_current_with_the_dossiers() -> None:
    """The committed snapshot is what the dossiers say today (skips on a plain clone; fails in CI without them)."""
    if not RESEARCH.is_dir():
        missing_tool(f"research dossiers not present at {RESEARCH}; the committed snapshot is used")
    spec = importlib.util.spec_from_file_location("snapshot_dossier", REPO / "tools" / "snapshot_dossier.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.extract(RESEARCH) == SNAPSHOT, "run: python tools/snapshot_dossier.py"


def _checked_source_numbers(raw_front_matter: str) -> set[str]:
    """Return the numbers in YAML comments that name a source read by the editors (a comment block with a URL)."""
    numbers: set[str] = set()
    block: list[str] = []
    for line in [*raw_front_matter.splitlines(), ""]:
        stripped = line.strip()
        comment = stripped[1:] if stripped.startswith("#") else line.partition(" # ")[2]
        if comment:
            block.append(comment)
            if stripped.startswith("#"):
                continue
        text = " ".join(block)
        if "http" in text:
            numbers |= dossier_numbers.numbers_in(text)
        block = []
    return numbers


def unsourced_result_numbers(text: str, stated: set[str]) -> list[str]:
    """Return 'id field: value' for each result number of a note that no stated number or source comment holds."""
    document = split_front_matter(text)
    allowed = stated | _checked_source_numbers(document.raw_front_matter)
    problems = []
    for results_field in ("results", "outcomes"):
        for item in document.data.get(results_field) or []:
            if not isinstance(item, dict):
                continue
            result_id = item["id"].text if isinstance(item.get("id"), Scalar) else "?"
            for field in RESULT_NUMBER_FIELDS:
                value = item.get(field)
                values = value if isinstance(value, list) else [value] if value is not None else []
                for number in values:
                    written = number.text if isinstance(number, Scalar) else str(number)
                    if dossier_numbers.normalise(float(written)) not in allowed:
                        problems.append(f"{result_id} {field}: {written}")
    return problems


@pytest.mark.parametrize("path", STUDIES, ids=[p.stem for p in STUDIES])
def test_every_result_number_is_stated_by_a_source(path: Path) -> None:
    """A number typed into `results:` must appear in the study's research record or in a comment naming its source."""
    problems = unsourced_result_numbers(path.read_text(encoding="utf-8"), set(NUMBERS.get(path.stem, [])))
    assert problems == [], (
        f"{path.stem}: no source states {problems}; correct the number, or name the source you checked in a YAML "
        "comment beside it (URL and what it showed)"
    )


def test_a_number_no_source_holds_is_caught() -> None:
    note = (
        "---\ntitle: T\nresults:\n  - id: relapse\n    measure: HR\n    estimate: 0.48\n    ci: [0.24, 0.92]\n"
        "  - id: craving\n    measure: other\n    # https://example.org/abstract showed 58.1 (95% CI 18.6 to 78.6)\n"
        "    estimate: 58.1\n    ci: [18.6, 78.6]\n  - id: counts\n    measure: RR\n    events: [13, 7]\n"
        "    totals: [26, 27]\n---\nBody.\n"
    )
    stated = set(NUMBERS["dakwar2019"]) | {"13", "26", "27"}
    assert unsourced_result_numbers(note, stated) == ["relapse estimate: 0.48", "counts events: 7"]


def test_numbers_snapshot_is_current_with_the_dossiers() -> None:
    """The committed numbers are what the dossiers say today (skips on a plain clone; fails in CI without them)."""
    if not RESEARCH.is_dir():
        missing_tool(f"research dossiers not present at {RESEARCH}; the committed snapshot is used")
    assert dossier_numbers.extract(RESEARCH) == NUMBERS, "run: python tests/site_content/dossier_numbers.py"
