"""In-text labels of the built-in styles and the disambiguation of colliding labels (2019a/2019b, initials).

CSL styles print their own labels (formatter.py) but take the year suffixes and initials decided here.
"""

from __future__ import annotations

from collections.abc import Iterable

from evidencesite.csl.builtin_names import dotted_initials
from evidencesite.models import Work, replaced
from evidencesite.names import initials


def short_label(work: Work) -> str:
    """Return the author part of an in-text label: 'Das et al.', 'Worrell & Gould', 'FDA', 'J. Smith'."""
    return _author_part(work, work.label_initials)


def _author_part(work: Work, label_initials: bool) -> str:
    """Return short_label(work) as it reads with `label_initials` (disambiguate asks without a copy of the work)."""
    authors = work.authors or work.editors
    if not authors:
        return _title_words(work.title)
    first = authors[0].family
    if label_initials and not authors[0].literal and authors[0].given:
        first = f"{dotted_initials(authors[0].given)} {first}"
    if len(authors) == 1:
        return first if not work.authors_incomplete else f"{first} et al."
    if len(authors) == 2 and not work.authors_incomplete:
        return f"{first} & {authors[1].family}"
    return f"{first} et al."


def narrative_label(work: Work) -> str:
    """Return the label used in running text: 'Worrell and Gould', 'Das et al.'."""
    return short_label(work).replace(" & ", " and ")


def year_label(work: Work) -> str:
    """Return '2019', '2019a', or '' when the year is unknown (never 'n.d.')."""
    return f"{work.year}{work.year_suffix}" if work.year else ""


def author_year_label(work: Work) -> str:
    """Return 'Das et al., 2019a', or the author part alone when the year is unknown."""
    year = year_label(work)
    return f"{short_label(work)}, {year}" if year else short_label(work)


def _title_words(title: str) -> str:
    words = title.split()
    return " ".join(words[:3]).rstrip(",;:") + ("…" if len(words) > 3 else "")


def disambiguate(works: Iterable[Work]) -> dict[str, Work]:
    """Return the works whose author-year labels would collide, changed so that they do not.

    Works by the same first author (family name and initials) and year get 2019a/2019b, ordered by title;
    when different first authors share a family name and year ('J. Smith' / 'K. Smith'), every label in
    the group shows the first author's initials instead, as APA does.
    """
    groups: dict[tuple[str, int | None], list[Work]] = {}
    for work in works:
        if work.year:
            groups.setdefault((_author_part(work, False), work.year), []).append(work)
    changed: dict[str, Work] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        by_author: dict[tuple[str, str], list[Work]] = {}
        for work in members:
            by_author.setdefault(_first_author(work), []).append(work)
        show_initials = len(by_author) > 1
        for same in by_author.values():
            same.sort(key=lambda w: (w.title.lower(), w.key))
            for index, work in enumerate(same):
                suffix = letters(index) if len(same) > 1 else ""
                if suffix != work.year_suffix or show_initials != work.label_initials:
                    changed[work.key] = replaced(work, year_suffix=suffix, label_initials=show_initials)
    return changed


def _first_author(work: Work) -> tuple[str, str]:
    authors = work.authors or work.editors
    if not authors:
        return (work.title.lower(), "")
    return (authors[0].family.lower(), initials(authors[0].given).lower())


def letters(index: int) -> str:
    """Return 0 -> 'a', 25 -> 'z', 26 -> 'aa': suffixes for years and back-links."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("a") + remainder) + text
    return text
