"""A page's 'synonyms': words a reader may search for (abbreviations, other names) and the terms they stand for.

Written in a glossary's front matter as a mapping, `synonyms: {AUD: alcohol use disorder, RCT: randomised
controlled trial}`. Search treats each word and its term as one (a search for 'AUD' finds the pages about alcohol
use disorder, and the other way round), so a wrong synonym would quietly change every search: a page may only
declare synonyms for terms it defines, that is, terms one of its headings names.
"""

from __future__ import annotations

import re

from evidencesite.content.field_reader import FieldReader, shape
from evidencesite.content.frontmatter import Scalar
from evidencesite.models import Synonym

FIELD = "synonyms"
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_NOT_WORD = re.compile(r"[^\w]+|_+")
EXAMPLE = "e.g. 'synonyms: {RCT: randomised controlled trial}'"


def read_synonyms(reader: FieldReader) -> tuple[Synonym, ...]:
    """Return the page's well-formed synonyms, reporting every problem in the others at its line."""
    value = reader.data.get(FIELD)
    if value is None:
        return ()
    if not isinstance(value, dict):
        reader.error(
            f"'{FIELD}' must be a mapping of a word to the term it stands for ({EXAMPLE}), not a {shape(value)}", FIELD
        )
        return ()
    headings = [_words(text) for text in _HEADING.findall(reader.raw.document.body)]
    synonyms: list[Synonym] = []
    seen: dict[str, str] = {}
    for word, term in value.items():
        where = (FIELD, word)
        if not isinstance(term, Scalar) or not _words(term.text).strip():
            reader.error(f"synonym '{word}' must name the term it stands for as text ({EXAMPLE})", *where)
            continue
        folded, defined = _words(word), _words(term.text)
        if not folded.strip():
            reader.error(f"synonym '{word}' has no letters or digits to search for", *where)
        elif folded in seen:
            reader.error(f"synonym '{word}' is given twice (also as '{seen[folded]}'): keep one", *where)
        elif folded == defined:
            reader.error(f"synonym '{word}' stands for itself: give the term it abbreviates or renames", *where)
        elif not any(defined in heading or folded in heading for heading in headings):
            reader.error(
                f"synonym '{word}' stands for '{term.text.strip()}', which no heading of this page names: a page "
                "declares synonyms only for the terms it defines; add an entry headed with the term, or remove it",
                *where,
            )
        else:
            synonyms.append(Synonym(word.strip(), term.text.strip()))
        seen.setdefault(folded, word)
    return tuple(synonyms)


def _words(text: str) -> str:
    """Lower-case words separated and surrounded by single spaces, for whole-word comparison."""
    return f" {' '.join(_NOT_WORD.sub(' ', text.lower()).split())} "
