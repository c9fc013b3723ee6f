"""One interface over the built-in styles (reference_format.py) and CSL styles (csl_format.py)."""

from __future__ import annotations

from typing import Protocol

from markupsafe import Markup

from .csl_style import AnyStyle, CitationStyle
from .models import Work
from .reference_format import author_year_label, format_reference, narrative_label, year_label


class StyleFormats(Protocol):
    prefix: str  # around a parenthetical citation group, and between its items: the style's
    suffix: str
    delimiter: str

    def reference(self, work: Work) -> Markup: ...
    def label(self, work: Work) -> str: ...
    def year(self, work: Work) -> str: ...
    def narrative(self, work: Work) -> str: ...


class BuiltinFormats:
    """The built-in styles' entries and author-year labels."""

    prefix = "("
    suffix = ")"
    delimiter = "; "

    def __init__(self, style: CitationStyle) -> None:
        self.style = style

    def reference(self, work: Work) -> Markup:
        return format_reference(work, self.style)

    def label(self, work: Work) -> str:
        return author_year_label(work)

    def year(self, work: Work) -> str:
        return year_label(work) or narrative_label(work)

    def narrative(self, work: Work) -> str:
        year = year_label(work)
        return f"{narrative_label(work)} ({year})" if year else narrative_label(work)


def formats_for(style: AnyStyle) -> StyleFormats:
    """Return the formatter of `style`: ours for the built-ins, citeproc-py's (loaded once per process) for CSL."""
    if isinstance(style, CitationStyle):
        return BuiltinFormats(style)
    from .csl_format import formatter_for

    return formatter_for(style)
