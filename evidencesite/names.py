"""Personal names: parse the forms authors write, and shorten them for citations."""

from __future__ import annotations

import re

from .models import Person

_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "ter"}


def parse_person(text: str) -> Person | None:
    """Parse 'Family, Given' (or a `{Corporate body}`); return None when there is no family name."""
    text = " ".join(text.split())
    if not text:
        return None
    if text.startswith("{") and text.endswith("}"):
        return Person(text[1:-1].strip(), literal=True)
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
        if not family or "," in given:
            return None
        return Person(family, given)
    return None


def parse_bibtex_name(text: str) -> Person:
    """Parse a BibTeX name: 'Family, Given', '{Corporate Name}' or 'Given von Family'."""
    text = " ".join(text.split())
    if text.startswith("{") and text.endswith("}") and text.count("{") == 1:
        return Person(text[1:-1].strip(), literal=True)
    person = parse_person(text)
    if person is not None:
        return person
    words = text.split(" ")
    if len(words) == 1:
        return Person(words[0].strip("{}"))
    for index, word in enumerate(words[:-1]):
        if word.lower() in _PARTICLES:
            return Person(" ".join(words[index:]), " ".join(words[:index]))
    return Person(words[-1].strip("{}"), " ".join(words[:-1]))


def initials(given: str) -> str:
    """Return initials without full stops: 'Celia J. A.' -> 'CJA', 'RK' -> 'RK', 'Jean-Paul' -> 'J-P'."""
    given = given.replace(".", " ").strip()
    if not given:
        return ""
    if re.fullmatch(r"[A-Z]{1,4}", given.replace(" ", "")) and all(len(w) <= 4 and w.isupper() for w in given.split()):
        return given.replace(" ", "")
    parts = []
    for word in given.split():
        pieces = [piece[:1].upper() for piece in word.split("-") if piece]
        parts.append("-".join(pieces))
    return "".join(parts)
