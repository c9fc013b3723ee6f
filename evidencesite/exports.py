"""Bibliography exports: BibTeX, RIS and CSL-JSON for the whole site and for each study."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .models import Person, Work

_CSL_TO_BIBTEX = {
    "article-journal": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
    "manuscript": "unpublished",
}
_CSL_TO_RIS = {
    "article-journal": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
    "thesis": "THES",
    "webpage": "ELEC",
    "dataset": "DATA",
}
_BIBTEX_SPECIAL = str.maketrans(
    {
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "\\": r"\textbackslash{}",
    }
)


def _bibtex_value(text: str) -> str:
    return "{" + text.translate(_BIBTEX_SPECIAL) + "}"


def _bibtex_name(person: Person) -> str:
    if person.literal or not person.given:
        return "{" + person.family.translate(_BIBTEX_SPECIAL) + "}"
    return f"{person.family.translate(_BIBTEX_SPECIAL)}, {person.given.translate(_BIBTEX_SPECIAL)}"


def to_bibtex(works: Iterable[Work]) -> str:
    """Return BibTeX that bibtexparser reads back into the same works."""
    chunks = []
    for work in works:
        kind = _CSL_TO_BIBTEX.get(work.kind, "misc")
        fields: list[tuple[str, str]] = []
        if work.authors:
            names = " and ".join(_bibtex_name(p) for p in work.authors)
            if work.authors_incomplete:
                names += " and others"
            fields.append(("author", "{" + names + "}"))
        fields.append(("title", _bibtex_value(work.title)))
        container_field = (
            "journal"
            if kind == "article"
            else "booktitle"
            if kind in ("incollection", "inproceedings")
            else "howpublished"
        )
        for name, value in (
            (container_field, work.container),
            ("year", str(work.year) if work.year else ""),
            ("volume", work.volume),
            ("number", work.issue),
            ("pages", work.pages.replace("-", "--") if "-" in work.pages and "--" not in work.pages else work.pages),
            ("publisher", work.publisher),
            ("doi", work.doi),
            ("pmid", work.pmid),
            ("pmcid", work.pmcid),
            ("url", work.url),
            ("note", work.note),
            ("retracted", "true" if work.retracted else ""),
        ):
            if value:
                fields.append((name, _bibtex_value(value)))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        chunks.append(f"@{kind}{{{work.key},\n{body}\n}}\n")
    return "\n".join(chunks)


def to_ris(works: Iterable[Work]) -> str:
    """Return RIS records (one TY ... ER block per work)."""
    lines: list[str] = []
    for work in works:
        lines.append(f"TY  - {_CSL_TO_RIS.get(work.kind, 'GEN')}")
        lines.append(f"ID  - {work.key}")
        for person in work.authors:
            lines.append(
                f"AU  - {person.family}" + (f", {person.given}" if person.given and not person.literal else "")
            )
        lines.append(f"TI  - {work.title}")
        for tag, value in (
            ("T2", work.container),
            ("PY", str(work.year) if work.year else ""),
            ("VL", work.volume),
            ("IS", work.issue),
            ("SP", work.pages.split("-")[0] if work.pages else ""),
            ("EP", work.pages.split("-")[-1] if "-" in work.pages else ""),
            ("PB", work.publisher),
            ("DO", work.doi),
            ("UR", work.url or work.doi_url),
            ("AN", work.pmid),
            ("N1", work.note),
        ):
            if value:
                lines.append(f"{tag}  - {value}")
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)


def to_csl(work: Work) -> dict[str, object]:
    """Return the CSL-JSON record of a work."""
    record: dict[str, object] = {"id": work.key, "type": work.kind or "article-journal", "title": work.title}
    if work.authors:
        record["author"] = [
            {"literal": p.family} if p.literal or not p.given else {"family": p.family, "given": p.given}
            for p in work.authors
        ]
    if work.year:
        record["issued"] = {"date-parts": [[work.year]]}
    for name, value in (
        ("container-title", work.container),
        ("volume", work.volume),
        ("issue", work.issue),
        ("page", work.pages),
        ("publisher", work.publisher),
        ("DOI", work.doi),
        ("PMID", work.pmid),
        ("PMCID", work.pmcid),
        ("URL", work.url),
        ("note", work.note),
    ):
        if value:
            record[name] = value
    return record


def to_csl_json(works: Iterable[Work]) -> str:
    return json.dumps([to_csl(w) for w in works], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
