"""Personal names: parse the forms authors write, and shorten them for citations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from evidencesite.models import Person

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


def format_person(person: Person) -> str:
    """Return `person` written so that parse_person reads back the same Person (what `import` writes).

    'World Health Organization' (a literal without a comma), '{Department of Health, UK}' (braces keep a
    comma), 'Das, Ravi K.', 'King, Martin Luther, Jr.' or, when the suffix is no usual one, BibTeX's
    'Gooding, Esq., Cuba'. Raises ValueError for a name no written form reads back (a comma in a family name).
    A dropping particle (CSL-JSON's "de" in "Jean de La Fontaine") has no written form in front matter: it is
    written before the family name, where a note keeps it ("de La Fontaine, Jean").
    """
    if person.dropping_particle:
        person = replace(person, family=f"{person.dropping_particle} {person.family}", dropping_particle="")
    if person.literal:
        candidates = [person.family, f"{{{person.family}}}"]
    elif person.suffix:
        candidates = [
            f"{person.family}, {person.given}, {person.suffix}",
            f"{person.family}, {person.suffix}, {person.given}",
        ]
    else:
        candidates = [f"{person.family}, {person.given}"]
    for text in candidates:
        if parse_person(text) == person:
            return " ".join(text.split())
    raise ValueError(f"the name '{person.display}' has no form that reads back the same")


def sort_key(person: Person) -> tuple[str, str, str]:
    """Return the key that orders names: family name (or the literal name), then given, then suffix.

    Case- and accent-insensitive (NFKD, combining marks dropped, casefolded), so 'Ålund' sorts with 'Alund'
    and 'de Vries' with 'De Vries'.
    """
    return (_fold(person.family), _fold(person.given), _fold(person.suffix))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


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
