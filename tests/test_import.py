"""`build.py import`: every real-shaped export becomes draft notes the validator accepts; failures write nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import snapshot
from evidencesite.content.bibliography import load_bibliographies
from evidencesite.errors import Diagnostics
from evidencesite.models import Person
from evidencesite.names import parse_person
from evidencesite.urls import key_slug

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def _notes(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "content" / "studies").glob("*.md"))}


def _without_dropping_particle(person: Person) -> Person:
    if not person.dropping_particle:
        return person
    return replace(person, family=f"{person.dropping_particle} {person.family}", dropping_particle="")


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.iterdir()))
def test_import_of_each_export_builds_and_names_read_back(name: str, site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    works = load_bibliographies((EXPORTS / name,), Diagnostics(EXPORTS))
    result = run_cli("import", "--site", root, EXPORTS / name)
    assert result.code == 0, result.err
    assert f"import: {len(works)} new draft note(s), 0 existing note(s) left untouched" in result.out
    notes = _notes(root)
    for work in works:
        text = notes[f"{key_slug(work.key)}.md"]
        assert ("key: " in text) == (key_slug(work.key) != work.key)
        written = re.findall(r'^  - "(.*)"$', text.split("design:")[0], re.MULTILINE)
        # a dropping particle ("de" in "Jean de La Fontaine") is written before the family name in a note
        expected = [_without_dropping_particle(p) for p in work.authors or work.editors]
        assert [parse_person(n) for n in written] == expected, work.key
    build = run_cli("build", "--site", root, "-q")
    assert build.code == 0, build.err
    # Filled in as an author would (design, substances, draft removed), the notes validate with 0 errors; what a
    # record lacks (a year; authors, where an edited book has editors) stays a warning, as in the bibliography.
    for note in (root / "content" / "studies").glob("*.md"):
        if note.name != "smith2020.md":
            text = (
                note.read_text().replace('design: ""', "design: rct").replace("substances: []", "substances: [alcohol]")
            )
            note.write_text(text.replace("draft: true ", "draft: false"))
    check = run_cli("check", "--site", root)
    assert check.code == 0 and "check: 0 error(s)" in check.err, check.err
    expected = sorted(
        [f"{key_slug(w.key)}.md: no year" for w in works if w.year is None]
        + [f"{key_slug(w.key)}.md: no authors" for w in works if not w.authors and not w.editors]
    )
    warnings = [line for line in check.err.splitlines() if ": warning: study note " in line]
    found = sorted(
        f"{line.split(':')[0].split('/')[-1]}: {'no year' if 'has no year' in line else 'no authors'}" for line in warnings
    )
    assert found == expected, check.err


def test_key_that_is_no_file_name_is_kept_in_front_matter(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    export = tmp_path / "lib.bib"
    export.write_text("@article{Müller:2019,\n  title = {T},\n  author = {Müller, Jörg},\n  year = {2019}\n}\n")
    assert run_cli("import", "--site", root, export).code == 0
    text = (root / "content" / "studies" / "muller-2019.md").read_text()
    assert text.startswith('---\nkey: "Müller:2019"\ntitle: "T"\nauthors:\n  - "Müller, Jörg"\n')


def test_two_keys_for_one_file_name_write_nothing(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    export = tmp_path / "lib.bib"
    export.write_text(
        "@article{new2021, title = {A}, author = {A, B}, year = 2021}\n"
        "@article{Smith2019, title = {B}, author = {A, B}, year = 2019}\n"
        "@article{smith2019, title = {C}, author = {A, B}, year = 2019}\n"
    )
    before = snapshot(root)
    result = run_cli("import", "--site", root, export)
    assert result.code == 1
    assert (
        f"{export}:3: error: keys 'Smith2019' (line 2) and 'smith2019' both give the note file "
        "content/studies/smith2019.md; rename one in your reference manager"
    ) in result.err
    assert "import failed: nothing was written" in result.err
    assert snapshot(root) == before


def test_import_shows_warnings_and_still_writes(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    export = tmp_path / "lib.json"
    export.write_text('[{"id": "undated", "type": "report", "title": "T", "author": [{"literal": "Agency"}]}]')
    result = run_cli("import", "--site", root, export)
    assert result.code == 0
    assert f"{export}:1: warning: work 'undated' has no year: it cannot be dated (add `issued`)" in result.err
    assert '# year: YYYY            # not in the export: add it' in (root / "content" / "studies" / "undated.md").read_text()
