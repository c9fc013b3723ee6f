"""Works without a study note: content/references.bib (BibTeX/BibLaTeX) and content/references.json (CSL-JSON).

The readers are bibtex_reader and csl_reader; work_record checks a record and makes the Work; bib_dates
reads dates. This module picks the reader by file suffix.
"""

from __future__ import annotations

from pathlib import Path

from .bibtex_reader import parse_bibtex
from .csl_reader import parse_csl_json
from .errors import Diagnostics
from .loader import read_text
from .models import Work

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
        else:
            works.extend(parse_csl_json(text, path, diagnostics))
    return works
