"""CSL-JSON as Zotero and Better BibTeX export it, read into RawWorks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evidencesite.content.bib_dates import csl_date
from evidencesite.content.work_record import RawWork, build_work, split_note
from evidencesite.errors import Diagnostics
from evidencesite.models import Person, Work

# CSL 1.0.2 item types
# fmt: off
CSL_TYPES = frozenset(
    (
        "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
        "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
        "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
        "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
        "personal_communication", "post", "post-weblog", "regulation", "report", "review", "review-book", "software",
        "song", "speech", "standard", "thesis", "treaty", "webpage",
    )
)
# fmt: on
# CSL variable -> site field; the first present wins
_VARIABLES = {
    "title": ("title",),
    "container": ("container-title",),
    "container_short": ("container-title-short", "journalAbbreviation"),
    "volume": ("volume",),
    "issue": ("issue",),
    "pages": ("page",),
    "publisher": ("publisher",),
    "publisher_place": ("publisher-place", "event-place"),
    "edition": ("edition",),
    "genre": ("genre",),
    "number": ("number",),
    "language": ("language",),
    "doi": ("DOI", "doi"),
    "pmid": ("PMID", "pmid"),
    "pmcid": ("PMCID", "pmcid"),
    "url": ("URL", "url"),
    "note": ("note",),
}


def parse_csl_json(text: str, path: Path, diagnostics: Diagnostics) -> list[Work]:
    """Return the works of a CSL-JSON array (or Zotero's `{"items": [...]}`); problems at each record's line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diagnostics.error(path, exc.lineno, f"malformed JSON: {exc.msg}", exc.colno)
        return []
    wrapped = isinstance(data, dict) and isinstance(data.get("items"), list)
    records = data["items"] if wrapped else data
    if not isinstance(records, list):
        diagnostics.error(path, 1, "CSL-JSON must be an array of records")
        return []
    lines = record_lines(text, 2 if wrapped else 1)
    works = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        line = lines[index] if index < len(lines) else 1
        key = _key(record)
        if key is None:
            diagnostics.error(path, line, f"record {index + 1} needs a 'citation-key' or an 'id'")
            continue
        if key in seen:
            diagnostics.error(path, line, f"duplicate key '{key}' in the same file (first on line {seen[key]})")
            continue
        seen[key] = line
        work = build_work(_raw_work(record, key, line, path, diagnostics), path, diagnostics)
        if work is not None:
            works.append(work)
    return works


def _key(record: Any) -> str | None:
    """Better BibTeX's (and Zotero 7's) `citation-key`, else a pinned 'Citation Key:' in the note, else `id`."""
    if not isinstance(record, dict):
        return None
    key = record.get("citation-key") or record.get("citationKey")
    if isinstance(key, str) and key.strip():
        return key.strip()
    pinned = split_note(_text(record.get("note")))[1].get("citation key")
    if pinned:
        return pinned
    ident = record.get("id")
    if isinstance(ident, str | int) and not isinstance(ident, bool) and str(ident).strip():
        return str(ident).strip()
    return None


def _raw_work(record: dict[str, Any], key: str, line: int, path: Path, diagnostics: Diagnostics) -> RawWork:
    kind = _text(record.get("type"))
    if kind and kind not in CSL_TYPES:
        diagnostics.warning(
            path, line, f"record '{key}' has type '{kind}', which is no CSL type; it is kept as a document"
        )
        kind = "document"
    authors, incomplete = _people(record.get("author"))
    editors, _ = _people(record.get("editor"))
    raw = RawWork(
        key,
        kind or "document",
        line,
        authors=authors,
        editors=editors,
        authors_incomplete=incomplete,
        year_hint="add `issued`",
    )
    for target, variables in _VARIABLES.items():
        for variable in variables:
            value = _text(record.get(variable), keep_lines=variable == "note")
            if value:
                raw.fields[target] = value
                raw.names[target] = variable
                break
    note, identifiers = split_note(raw.fields.get("note", ""))
    raw.fields["note"] = note
    for name in ("pmid", "pmcid", "arxiv"):
        if identifiers.get(name) and not raw.fields.get(name):
            raw.fields[name] = identifiers[name]
    for target, variable in (("date", "issued"), ("accessed", "accessed")):
        iso, written = csl_date(record.get(variable))
        if iso or written:
            raw.fields[target] = iso or written  # a malformed date is reported as written
            raw.names[target] = variable
    if record.get("retracted") is True:
        raw.fields["retracted"] = "true"
    return raw


def _people(value: Any) -> tuple[tuple[Person, ...], bool]:
    """CSL names: `literal`, or family with its non-dropping particle (kept in the family name, as BibTeX's von
    part), given, suffix and dropping particle ('van' of 'Ludwig van Beethoven', printed only with the given name)."""
    if not isinstance(value, list):
        return (), False
    people = []
    for item in value:
        if not isinstance(item, dict):
            continue
        literal = _text(item.get("literal"))
        family = " ".join(filter(None, (_text(item.get(p)) for p in ("non-dropping-particle", "family"))))
        given, suffix = _text(item.get("given")), _text(item.get("suffix"))
        dropping = _text(item.get("dropping-particle"))
        if literal:
            people.append(Person(literal, literal=True))
        elif family and (given or suffix):
            people.append(Person(family, given, suffix=suffix, dropping_particle=dropping))
        elif family or given:
            people.append(Person(" ".join(filter(None, (dropping, family or given))), literal=True))  # as written
    return tuple(people), False


def _text(value: Any, keep_lines: bool = False) -> str:
    if isinstance(value, str):
        if keep_lines:
            return "\n".join(" ".join(line.split()) for line in value.strip().splitlines())
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def record_lines(text: str, depth: int) -> list[int]:
    """Return the 1-based line where each record (an object at bracket `depth`) opens."""
    lines: list[int] = []
    level, line, in_string, escaped = 0, 1, False, False
    for char in text:
        if char == "\n":
            line += 1
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            if level == depth and char == "{":
                lines.append(line)
            level += 1
        elif char in "]}":
            level -= 1
    return lines
