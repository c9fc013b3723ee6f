"""Works without a study note: content/references.bib (BibTeX/BibLaTeX) and content/references.json (CSL-JSON).

The readers are bibtex_reader and csl_json_reader; work_record checks a record and makes the Work; bib_dates
reads dates. This module picks the reader by file suffix.
"""

from __future__ import annotations

import re
from pathlib import Path

from evidencesite.content.bibtex_reader import parse_bibtex
from evidencesite.content.csl_json_reader import parse_csl_json
from evidencesite.content.loader import read_text
from evidencesite.errors import Diagnostics
from evidencesite.models import Work

__all__ = ["load_bibliographies", "parse_bibtex", "parse_csl_json"]


def load_bibliographies(paths: tuple[Path, ...], diagnostics: Diagnostics) -> list[Work]:
    """Return every work in the site's bibliography files; problems go to `diagnostics`."""
    works: list[Work] = []
    for path in paths:
        text = read_text(path, diagnostics)
        if text is None:
            continue
        text = text.lstrip("\ufeff")
        if path.suffix.lower() == ".bib":
            works.extend(parse_bibtex(text, path, diagnostics))
            continue
        try:
            works.extend(parse_csl_json(text, path, diagnostics))
        except (RecursionError, ValueError):  # json.loads: nesting past the recursion limit, a 5,000-digit number
            line, message = json_trouble(text)
            diagnostics.error(path, line, message)
    return works


# a string, a bracket, or a run of digits too long to be a year, a page or an id
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[0-9]{100,}')
MAX_JSON_DEPTH = 100


def json_trouble(text: str) -> tuple[int, str]:
    """Return (line, message) for what json.loads cannot read although the JSON grammar allows it."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                message = f"JSON nests more than {MAX_JSON_DEPTH} levels deep (a CSL-JSON record needs 4); remove the extra brackets"
                return _line(text, match.start()), message
        elif token in ("]", "}"):
            depth -= 1
        elif token[0] != '"':
            return _line(
                text, match.start()
            ), f"a number of {len(token)} digits; shorten it, or write it as text in quotes"
    return 1, "CSL-JSON cannot be read (it nests too deeply or holds too long a number)"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
