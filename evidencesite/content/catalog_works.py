"""The works of a catalog: study notes' works and bibliography entries, one per key, notes merged with entries."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from evidencesite.csl.labels import disambiguate
from evidencesite.errors import Diagnostics
from evidencesite.models import Page, Work, replaced


def collect_works(studies: dict[str, Page], bibliography: Iterable[Work], diagnostics: Diagnostics) -> dict[str, Work]:
    """Return key -> work; a note whose key is also in a bibliography is its work, completed by the entry.

    The studies' pages are updated in place to hold the merged, disambiguated works.
    """
    works: dict[str, Work] = {}
    for key, page in sorted(studies.items()):
        assert page.study is not None
        works[key] = page.study.work
    for work in bibliography:
        if work.key in studies and works[work.key].has_note:
            # a re-exported collection holds the noted works too: the note is the work, the entry fills gaps
            works[work.key] = merge_note_and_entry(studies[work.key], work, diagnostics)
            continue
        if work.key in works:
            other = works[work.key].source
            diagnostics.error(
                work.source.path,
                work.source.line,
                f"citation key '{work.key}' is defined twice: here and in {other.path}:{other.line}",
            )
            continue
        works[work.key] = work
    works.update(disambiguate(works.values()))
    for key, page in studies.items():
        assert page.study is not None
        if page.study.work is not works[key]:
            studies[key] = replaced(page, study=replaced(page.study, work=works[key]))
    return works


# Work field -> the study note's front-matter field, for the fields a note can set (others are only filled)
NOTE_FIELDS = {
    "title": "title",
    "authors": "authors",
    "year": "year",
    "container": "journal",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "url": "url",
}
_NOT_MERGED = frozenset({"key", "source", "has_note", "year_suffix", "label_initials"})


def merge_note_and_entry(page: Page, entry: Work, diagnostics: Diagnostics) -> Work:
    """Return the note's work with the fields it leaves empty taken from the bibliography `entry`.

    A field both give with different values keeps the note's value and is a warning at the note's line
    that names the entry's place, so the author can correct whichever is wrong.
    """
    assert page.study is not None
    work = page.study.work
    changes: dict[str, object] = {}
    for item in dataclasses.fields(Work):
        name = item.name
        ours, theirs = getattr(work, name), getattr(entry, name)
        if name in _NOT_MERGED or theirs in ("", None, (), False):
            continue
        if name == "kind" or ours in ("", None, (), False):
            changes[name] = theirs
        elif name in NOTE_FIELDS and _comparable(ours) != _comparable(theirs):
            note_field = NOTE_FIELDS[name]
            line = page.study.field_lines.get(note_field, 1)
            diagnostics.warning(
                page.path,
                line,
                f"'{note_field}' is '{_shown(ours)}' here but '{_shown(theirs)}' in {entry.source.path}:"
                f"{entry.source.line} (same key '{work.key}'); the note's value is used: correct whichever is wrong",
            )
    return dataclasses.replace(work, **changes) if changes else work  # type: ignore[arg-type]


def _comparable(value: object) -> object:
    """Compare text without case, spacing or punctuation, and authors by family name ('Smith, AB' = 'Smith, A. B.')."""
    if isinstance(value, tuple):
        return tuple(_comparable(getattr(person, "family", person)) for person in value)
    if isinstance(value, str):
        return "".join(char for char in value.casefold() if char.isalnum())
    return value


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "; ".join(getattr(person, "display", str(person)) for person in value)
    return str(value)
