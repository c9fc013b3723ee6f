"""Bibliography exports: BibTeX, RIS and CSL-JSON for the whole site and for each study."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from evidencesite.models import Person, Work

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
    """Return the CSL-JSON record of a work: the one Work -> CSL mapping, for exports and CSL formatting."""
    record: dict[str, object] = {"id": work.key, "type": work.kind or "article-journal"}
    if work.title:
        record["title"] = work.title
    if work.authors:
        record["author"] = [_csl_name(p) for p in work.authors]
    if work.editors:
        record["editor"] = [_csl_name(p) for p in work.editors]
    issued = _csl_date(work.date) if work.date else None
    if issued is None and work.year:
        issued = {"date-parts": [[work.year]]}
    if issued is not None:
        record["issued"] = issued
    accessed = _csl_date(work.accessed)
    if accessed is not None:
        record["accessed"] = accessed
    for name, value in (
        ("container-title", work.container),
        ("container-title-short", work.container_short),
        ("volume", work.volume),
        ("issue", work.issue),
        ("page", work.pages),
        ("edition", work.edition),
        ("genre", work.genre),
        ("number", work.number),
        ("publisher", work.publisher),
        ("publisher-place", work.publisher_place),
        ("language", work.language),
        ("DOI", work.doi),
        ("PMID", work.pmid),
        ("PMCID", work.pmcid),
        ("URL", _csl_url(work)),
        ("note", work.note),
    ):
        if value:
            record[name] = value
    return record


_PARTICLES = frozenset(
    [
        "af",
        "av",
        "d'",
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "l'",
        "la",
        "le",
        "st",
        "ten",
        "ter",
        "van",
        "vander",
        "von",
        "y",
        "zu",
        "zum",
        "zur",
    ]
)


def _csl_url(work: Work) -> str:
    """The URL, unless it only repeats the DOI (styles print both); an arXiv work without one links its abstract."""
    if work.url and work.doi and work.url.lower().rstrip("/").endswith(work.doi.lower()):
        return ""
    return work.url or (f"https://arxiv.org/abs/{work.arxiv}" if work.arxiv and not work.doi else "")


def _csl_name(person: Person) -> dict[str, str]:
    """A CSL name; lowercase words before the family name ('van der Berg') are its particle, as CSL-JSON keeps them."""
    if person.literal or not person.given:
        return {"literal": person.family}
    given = person.given
    if re.fullmatch(r"[A-Z]{2,4}", given):  # 'AB' as notes write initials: CSL reads it as one name
        given = " ".join(f"{char}." for char in given)
    name = {"family": person.family, "given": given}
    family_words = person.family.split()
    leading = []
    while len(family_words) > 1 and family_words[0] in _PARTICLES:
        leading.append(family_words.pop(0))
    if leading:
        name["non-dropping-particle"], name["family"] = " ".join(leading), " ".join(family_words)
    given_words = given.split()
    trailing: list[str] = person.dropping_particle.split()
    while len(given_words) > 1 and given_words[-1] in _PARTICLES:  # 'Ludwig van' as BibTeX may write it
        trailing.insert(0, given_words.pop())
    if trailing:
        name["given"], name["dropping-particle"] = " ".join(given_words), " ".join(trailing)
    if person.suffix:
        name["suffix"] = person.suffix
    return name


def _csl_date(iso: str) -> dict[str, object] | None:
    """Return CSL date-parts for 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (None for anything else)."""
    if not re.fullmatch(r"\d{4}(-\d{1,2}){0,2}", iso or ""):
        return None
    return {"date-parts": [[int(part) for part in iso.split("-")]]}


def to_csl_json(works: Iterable[Work]) -> str:
    return json.dumps([to_csl(w) for w in works], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
