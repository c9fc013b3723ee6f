"""Personal names: parse the forms authors write, and shorten them for citations."""

from __future__ import annotations

import re

from .models import Person

_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "ter"}


# Name suffixes recognised in a third comma part ('Smith, J, Jr'); BibTeX's 'von Last, Jr, First' order
# is assumed otherwise.
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "2nd", "3rd"})


def parse_person(text: str) -> Person | None:
    """Parse a name as written in front matter; return None only for an empty name.

    'Family, Given' is split; 'Family, Given, Jr' and BibTeX's 'von Last, Jr, First' keep the suffix;
    a name without a comma ('王伟', 'World Health Organization', 'Ng') and a braced '{Name}' are literal:
    shown exactly as written, never abbreviated.
    """
    text = " ".join(text.split())
    if not text.strip("{} ,"):
        return None
    if text.startswith("{") and text.endswith("}"):
        return Person(text[1:-1].strip(), literal=True)
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 1 or not parts[0]:
        return Person(text, literal=True)
    if len(parts) == 2:
        return Person(parts[0], parts[1])
    if len(parts) == 3 and parts[2].lower() in SUFFIXES:
        return Person(parts[0], parts[1], suffix=parts[2])
    if len(parts) == 3:
        return Person(parts[0], parts[2], suffix=parts[1])
    return Person(text, literal=True)


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
