"""Works without a study note: content/references.bib (BibTeX) and content/references.json (CSL-JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import Diagnostics
from .loader import SLUG, read_text
from .models import Person, Source, Work
from .names import parse_bibtex_name

_BIBTEX_KINDS = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "techreport": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "misc": "webpage",
    "online": "webpage",
    "unpublished": "manuscript",
}
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def load_bibliographies(paths: tuple[Path, ...], diagnostics: Diagnostics) -> list[Work]:
    """Return every work in the site's bibliography files; problems go to `diagnostics`."""
    works: list[Work] = []
    for path in paths:
        text = read_text(path, diagnostics)
        if text is None:
            continue
        text = text.lstrip("\ufeff")
        if path.suffix == ".bib":
            works.extend(parse_bibtex(text, path, diagnostics))
        else:
            works.extend(parse_csl_json(text, path, diagnostics))
    return works


def parse_bibtex(text: str, path: Path, diagnostics: Diagnostics) -> list[Work]:
    """Parse BibTeX with bibtexparser; report unparsable blocks and duplicate keys at their lines."""
    import bibtexparser  # imported here: only sites with a .bib file pay for it
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # bibtexparser raises bare exceptions on some malformed input
        diagnostics.error(path, 1, f"cannot parse BibTeX: {exc}")
        return []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        message = (str(getattr(block, "error", "") or "").strip() or "malformed entry").splitlines()[0]
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            diagnostics.error(path, line, f"duplicate key '{block.key}' in the same file")
        else:
            diagnostics.error(path, line, f"malformed BibTeX entry: {message}")
    works = []
    for entry in library.entries:
        line = entry.start_line + 1
        fields = {
            key.lower(): _latex_to_text(str(field.value))
            for key, field in entry.fields_dict.items()
            if key.lower() != "author"
        }
        authors: list[Person] = []
        incomplete = False
        raw_authors = entry.fields_dict.get("author") or entry.fields_dict.get("editor")
        if raw_authors is not None:
            try:
                names = split_multiple_persons_names(str(raw_authors.value))
            except Exception:
                names = []
                diagnostics.error(
                    path, raw_authors.start_line + 1, "cannot split the author list; separate authors with ' and '"
                )
            for name in names:
                if name.strip().lower() == "others":
                    incomplete = True
                    continue
                authors.append(_bibtex_person(name, parse_single_name_into_parts))
        work = _work(
            entry.key,
            fields,
            tuple(authors),
            incomplete,
            _BIBTEX_KINDS.get(entry.entry_type.lower(), "document"),
            path,
            line,
            diagnostics,
        )
        if work is not None:
            works.append(work)
    return works


def _bibtex_person(name: str, parse_parts: Any) -> Person:
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}") and _balanced_outer(stripped):
        return Person(_latex_to_text(stripped[1:-1]), literal=True)
    try:
        parts = parse_parts(stripped)
    except Exception:
        return parse_bibtex_name(_latex_to_text(stripped))
    family = _latex_to_text(" ".join(parts.von + parts.last))
    given = _latex_to_text(" ".join(parts.first))
    if parts.jr:
        given = f"{given}, {_latex_to_text(' '.join(parts.jr))}".strip(", ")
    return Person(family, given)


def _balanced_outer(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _latex_to_text(value: str) -> str:
    if not any(char in value for char in "\\{}$~"):
        return " ".join(value.split())
    from pylatexenc.latex2text import LatexNodes2Text  # ships with bibtexparser

    return " ".join(LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text(value).split())


def parse_csl_json(text: str, path: Path, diagnostics: Diagnostics) -> list[Work]:
    """Parse a CSL-JSON array as Zotero / Better BibTeX export it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diagnostics.error(path, exc.lineno, f"malformed JSON: {exc.msg}", exc.colno)
        return []
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        diagnostics.error(path, 1, "CSL-JSON must be an array of records")
        return []
    works = []
    seen: dict[str, int] = {}
    for index, record in enumerate(data):
        if not isinstance(record, dict) or not isinstance(record.get("id"), str | int):
            diagnostics.error(path, _record_line(text, None, index), f"record {index + 1} needs an 'id'")
            continue
        key = str(record["id"])
        line = _record_line(text, key, index)
        if key in seen:
            diagnostics.error(path, line, f"duplicate key '{key}' in the same file (first on line {seen[key]})")
            continue
        seen[key] = line
        authors, incomplete = _csl_authors(record.get("author") or record.get("editor") or [])
        fields = {
            "title": _text(record.get("title")),
            "year": _csl_year(record.get("issued")),
            "journal": _text(record.get("container-title")),
            "volume": _text(record.get("volume")),
            "number": _text(record.get("issue")),
            "pages": _text(record.get("page")),
            "publisher": _text(record.get("publisher")),
            "doi": _text(record.get("DOI")),
            "pmid": _text(record.get("PMID")),
            "pmcid": _text(record.get("PMCID")),
            "url": _text(record.get("URL")),
            "note": _text(record.get("note")),
            "retracted": "true" if record.get("retracted") is True else "",
        }
        work = _work(key, fields, authors, incomplete, _text(record.get("type")) or "document", path, line, diagnostics)
        if work is not None:
            works.append(work)
    return works


def _record_line(text: str, key: str | None, index: int) -> int:
    if key is not None:
        match = re.search(r'"id"\s*:\s*"?' + re.escape(key) + r'"?\s*[,}\n]', text)
        if match:
            return text.count("\n", 0, match.start()) + 1
    return 1


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _csl_year(issued: Any) -> str:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return _text(parts[0][0])
        match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", _text(issued.get("raw") or issued.get("literal")))
        return match.group(1) if match else ""
    return ""


def _csl_authors(value: Any) -> tuple[tuple[Person, ...], bool]:
    people = []
    if not isinstance(value, list):
        return (), False
    for item in value:
        if not isinstance(item, dict):
            continue
        if item.get("literal"):
            people.append(Person(_text(item["literal"]), literal=True))
        elif item.get("family"):
            family = " ".join(filter(None, (_text(item.get("non-dropping-particle")), _text(item["family"]))))
            people.append(Person(family, _text(item.get("given"))))
    return tuple(people), False


def _work(
    key: str,
    fields: dict[str, str],
    authors: tuple[Person, ...],
    incomplete: bool,
    kind: str,
    path: Path,
    line: int,
    diagnostics: Diagnostics,
) -> Work | None:
    ok = True
    if not SLUG.match(key):
        diagnostics.error(
            path,
            line,
            f"citation key '{key}' must be lowercase a-z, 0-9 and '-' (rename it, e.g. '{_suggest_key(key)}')",
        )
        ok = False
    title = fields.get("title", "")
    if not title:
        diagnostics.error(path, line, f"work '{key}' has no title")
        ok = False
    year_text = fields.get("year", "")
    year = int(year_text) if re.fullmatch(r"\d{4}", year_text or "") else None
    if year_text and year is None:
        diagnostics.error(path, line, f"work '{key}' has year '{year_text}'; expected four digits")
        ok = False
    doi = _DOI_PREFIX.sub("", fields.get("doi", ""))
    if doi and not re.match(r"^10\.\d{4,9}/\S+$", doi):
        diagnostics.error(path, line, f"work '{key}' has a malformed DOI '{doi}'")
        ok = False
    pmid = fields.get("pmid", "")
    if pmid and not re.fullmatch(r"[1-9]\d{0,8}", pmid):
        diagnostics.error(path, line, f"work '{key}' has a malformed PMID '{pmid}'")
        ok = False
    if not ok:
        return None
    container = fields.get("journal") or fields.get("booktitle") or fields.get("howpublished", "")
    return Work(
        key=key,
        title=title,
        authors=authors,
        year=year,
        source=Source(diagnostics.display_path(path), line),
        authors_incomplete=incomplete,
        kind=kind,
        container=container,
        volume=fields.get("volume", ""),
        issue=fields.get("number", ""),
        pages=fields.get("pages", "").replace("--", "-"),
        publisher=fields.get("publisher") or fields.get("institution") or fields.get("organization", ""),
        doi=doi,
        pmid=pmid,
        pmcid=fields.get("pmcid", ""),
        url=fields.get("url", ""),
        note=fields.get("note", ""),
        retracted=fields.get("retracted", "").lower() in ("true", "yes", "1"),
    )


def _suggest_key(key: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-") or "key"
