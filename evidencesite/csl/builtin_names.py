"""Author lists of the built-in styles: Vancouver ('Das RK, Gale G') and APA ('Das, R. K., & Gale, G.').

A dropping particle ('van' of 'Ludwig van Beethoven') follows the initials, as CSL styles print it
('Hoven L van', 'Hoven, L. van').
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from evidencesite.csl.style import AnyStyle, is_numbered
from evidencesite.models import Person, Work
from evidencesite.names import initials

VANCOUVER_MAX_AUTHORS = 6
APA_MAX_AUTHORS = 20


def format_authors(work: Work, style: AnyStyle, full: bool = False) -> str:
    """Return the author list as plain text; `full` lists every author (study pages never shorten)."""
    return names_text(work.authors, work.authors_incomplete, is_numbered(style), full)


def names_text(people: Iterable[Person], incomplete: bool, numeric: bool, full: bool) -> str:
    """Return a Vancouver (`numeric`) or APA author list, shortened with et al. unless `full`."""
    if numeric:
        names = [_vancouver_name(p) for p in people]
        shortened = not full and len(names) > VANCOUVER_MAX_AUTHORS
        if shortened:
            names = names[:VANCOUVER_MAX_AUTHORS]
        text = ", ".join(names)
        if (shortened or incomplete) and names:
            text += ", et al"
        return text
    names = [_apa_name(p) for p in people]
    if not full and len(names) > APA_MAX_AUTHORS:
        names = [*names[: APA_MAX_AUTHORS - 1], "…", names[-1]]
        return ", ".join(names[:-2]) + " " + names[-2] + " " + names[-1]
    if incomplete and names:
        return ", ".join(names) + ", et al."
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _vancouver_name(person: Person) -> str:
    if person.literal or not person.given:
        return person.family
    if is_cjk(person.family):
        return person.family + person.given  # a CJK name is written family first, whole and without a space
    suffix = f" {person.suffix.rstrip('.')}" if person.suffix else ""
    particle = f" {person.dropping_particle}" if person.dropping_particle else ""
    return f"{person.family} {initials(person.given)}{particle}{suffix}"


def _apa_name(person: Person) -> str:
    if person.literal or not person.given:
        return person.family
    if is_cjk(person.family):
        return person.family + person.given
    suffix = f", {person.suffix}" if person.suffix else ""
    particle = f" {person.dropping_particle}" if person.dropping_particle else ""
    return f"{person.family}, {dotted_initials(person.given)}{particle}{suffix}"


def is_cjk(text: str) -> bool:
    """Return whether every character of `text` is CJK (such names are written family first, unspaced)."""
    return bool(text) and all(
        unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")) for char in text
    )


def apa_editor(person: Person) -> str:
    """An editor in APA's 'In' clause: initials first ('M. Lindqvist')."""
    if person.literal or not person.given:
        return person.family
    if is_cjk(person.family):
        return person.family + person.given
    return " ".join(p for p in (dotted_initials(person.given), person.dropping_particle, person.family) if p)


def dotted_initials(given: str) -> str:
    """Return 'R. K.' for 'Rajesh Kumar' (and 'J.-P.' for 'Jean-Pierre')."""
    compact = initials(given)
    if not any(char.isupper() or char.islower() for char in compact):
        return given  # initials of a name in a script without capitals ('娜') are the name itself
    return " ".join(
        f"{part}." if "-" not in part else "-".join(f"{p}." for p in part.split("-")) for part in _initial_list(compact)
    )


def _initial_list(compact: str) -> list[str]:
    parts: list[str] = []
    for char in compact:
        if char == "-" and parts:
            parts[-1] += "-"
        elif parts and parts[-1].endswith("-"):
            parts[-1] += char
        else:
            parts.append(char)
    return parts
