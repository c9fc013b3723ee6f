"""One bibliographic record, as a reader found it, checked and turned into a `Work`.

The BibTeX and CSL-JSON readers fill a `RawWork` with the site's own field names; every check and every
diagnostic about a record's content lives here, so both formats report the same problem the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from evidencesite.citations import CitationSyntaxError, check_key
from evidencesite.content.bib_dates import iso_date, month_number, parse_edtf
from evidencesite.errors import Diagnostics
from evidencesite.identifiers import DOI, DOI_PREFIX, PMCID_ANY_CASE, PMID
from evidencesite.models import Person, Source, Work

# Zotero keeps identifiers it has no field for in Extra, exported as CSL `note` (and BibTeX `note`/`annote`).
_NOTE_IDENTIFIER = re.compile(r"^\s*(PMID|PMCID|arXiv|Citation Key)\s*:\s*(\S+)\s*$", re.IGNORECASE)


@dataclass
class RawWork:
    """A record's values under the site's names, before checking; `lines` and `names` locate and name each field.

    `fields` may hold title, date (ISO or EDTF), year, month, day, accessed, doi, pmid, pmcid, arxiv, pages,
    retracted, container, container_short, volume, issue, publisher,
    publisher_place, url, note, edition, genre, number and language. `names` maps a site name to the field the author wrote
    ('date' -> 'issued'), so messages speak the file's own language.
    """

    key: str
    kind: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    authors_incomplete: bool = False
    year_hint: str = "add `year` or `date`"


def split_note(note: str) -> tuple[str, dict[str, str]]:
    """Return (the note without identifier lines, {'pmid'|'pmcid'|'arxiv'|'citation key': value})."""
    kept, found = [], {}
    for line in note.splitlines():
        match = _NOTE_IDENTIFIER.match(line)
        if match and match.group(1).lower() not in found:
            found[match.group(1).lower()] = match.group(2)
        else:
            kept.append(line)
    return " ".join(" ".join(kept).split()), found


def build_work(raw: RawWork, path: Path, diagnostics: Diagnostics) -> Work | None:
    """Return the checked Work, or None after reporting an error; gaps that lose nothing else are warnings."""
    key, fields = raw.key, raw.fields
    errors_before = diagnostics.error_count
    try:
        check_key(key)
    except CitationSyntaxError as exc:
        diagnostics.error(path, raw.line, str(exc))
    date = _date(raw, path, diagnostics)
    accessed = _accessed(raw, path, diagnostics)
    doi = DOI_PREFIX.sub("", fields.get("doi", "")).strip()
    if doi and not DOI.fullmatch(doi):
        _error(
            raw, "doi", path, diagnostics, f"work '{key}' has a malformed DOI '{doi}' (write the bare DOI, 10.xxxx/…)"
        )
    pmid = fields.get("pmid", "").strip()
    if pmid and not PMID.fullmatch(pmid):
        _error(
            raw, "pmid", path, diagnostics, f"work '{key}' has a malformed PMID '{pmid}' (PubMed's number, digits only)"
        )
    pmcid = fields.get("pmcid", "").strip()
    pmcid = f"PMC{pmcid}" if pmcid.isdigit() else pmcid
    if pmcid and not PMCID_ANY_CASE.fullmatch(pmcid):
        _error(raw, "pmcid", path, diagnostics, f"work '{key}' has a malformed PMCID '{pmcid}' (write PMC and digits)")
    if diagnostics.error_count > errors_before:
        return None
    _warn_gaps(raw, date, path, diagnostics)
    return Work(
        key=key,
        title=fields.get("title", ""),
        authors=raw.authors,
        year=int(date[:4]) if date else None,
        source=Source(diagnostics.display_path(path), raw.line),
        authors_incomplete=raw.authors_incomplete,
        kind=raw.kind,
        pages=fields.get("pages", "").replace("--", "-"),
        doi=doi,
        pmid=pmid,
        pmcid=pmcid.upper(),
        arxiv=re.sub(r"^arxiv:\s*", "", fields.get("arxiv", ""), flags=re.IGNORECASE),
        retracted=fields.get("retracted", "").lower() in ("true", "yes", "1"),
        editors=raw.editors,
        date=date,
        accessed=accessed,
        container=fields.get("container", ""),
        container_short=fields.get("container_short", ""),
        volume=fields.get("volume", ""),
        issue=fields.get("issue", ""),
        publisher=fields.get("publisher", ""),
        publisher_place=fields.get("publisher_place", ""),
        url=fields.get("url", ""),
        note=fields.get("note", ""),
        edition=fields.get("edition", ""),
        genre=fields.get("genre", ""),
        number=fields.get("number", ""),
        language=fields.get("language", ""),
    )


def _where(raw: RawWork, name: str) -> int:
    return raw.lines.get(name, raw.line)


def _error(raw: RawWork, name: str, path: Path, diagnostics: Diagnostics, message: str) -> None:
    diagnostics.error(path, _where(raw, name), message)


def _date(raw: RawWork, path: Path, diagnostics: Diagnostics) -> str:
    """Return the ISO date from `date` (BibLaTeX, CSL), else from `year`/`month`/`day` (BibTeX)."""
    key, fields = raw.key, raw.fields
    written = fields.get("date", "").strip()
    if written:
        date = parse_edtf(written)
        if date is None:
            name = raw.names.get("date", "date")
            _error(
                raw,
                "date",
                path,
                diagnostics,
                f"work '{key}' has {name} '{written}'; expected YYYY, YYYY-MM or YYYY-MM-DD (a range as 2019-03/2020-01)",
            )
            return ""
        return date
    year_text = fields.get("year", "").strip()
    if not year_text:
        return ""
    if not re.fullmatch(r"[0-9]{4}", year_text):
        _error(raw, "year", path, diagnostics, f"work '{key}' has year '{year_text}'; expected four digits")
        return ""
    month_text = fields.get("month", "").strip()
    month = month_number(month_text) if month_text else 0
    if month is None:
        diagnostics.warning(
            path,
            _where(raw, "month"),
            f"work '{key}' has month '{month_text}', which is no month; only the year is kept (write e.g. `month = mar`)",
        )
        month = 0
    day_text = fields.get("day", "").strip()
    day = int(day_text) if month and re.fullmatch(r"[0-9]{1,2}", day_text) else 0
    return iso_date(int(year_text), month, day) or year_text


def _accessed(raw: RawWork, path: Path, diagnostics: Diagnostics) -> str:
    written = raw.fields.get("accessed", "").strip()
    if not written:
        return ""
    date = parse_edtf(written)
    if date is None:
        name = raw.names.get("accessed", "urldate")
        diagnostics.warning(
            path,
            _where(raw, "accessed"),
            f"work '{raw.key}' has {name} '{written}', which is not a date; it is left out (write YYYY-MM-DD)",
        )
        return ""
    return date


def _warn_gaps(raw: RawWork, date: str, path: Path, diagnostics: Diagnostics) -> None:
    """Warn where a reference would lose what readers look for first: who, when, what."""
    key = raw.key
    if not raw.fields.get("title"):
        diagnostics.warning(path, raw.line, f"work '{key}' has no title (add `title`)")
    if not date:  # a malformed date is an error reported before this
        diagnostics.warning(path, raw.line, f"work '{key}' has no year: it cannot be dated ({raw.year_hint})")
    if not raw.authors and not raw.editors:
        diagnostics.warning(
            path, raw.line, f"work '{key}' has no author or editor; it is cited by its title (add `author` or `editor`)"
        )
