"""One interface over the built-in styles (builtin_format.py) and CSL styles (formatter.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup

from evidencesite.csl.builtin_format import format_reference
from evidencesite.csl.labels import author_year_label, narrative_label, year_label
from evidencesite.csl.style import AnyStyle, CitationStyle, CslStyle
from evidencesite.models import Work

if TYPE_CHECKING:
    from evidencesite.csl.formatter import CslFormatter, FormatMemo


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
    from evidencesite.csl.formatter import formatter_for

    return formatter_for(style)


def format_once(style: AnyStyle, works: Iterable[Work]) -> FormatMemo | None:
    """Format every work's entry and label in a CSL style now, in this process, and return them as a memo.

    Called in the main process before worker pools start: forked workers inherit the formatted works, and
    spawned ones get the memo (`install_memo`), so no worker formats a work again. None for the built-ins,
    which are fast enough to format where needed.
    """
    if isinstance(style, CitationStyle):
        return None
    from evidencesite.csl.formatter import FormatMemo, formatter_for
    from evidencesite.worker_pool import run_in_workers, worker_count

    formatter = formatter_for(style)
    todo = [work for work in works if not formatter.has(work)]  # `serve` formats only what changed
    workers = worker_count(len(todo))
    if workers > 1:  # formatting is most of a CSL build's time: spread it, then keep it here for every pool
        entries, labels = {}, {}
        for chunk, done in run_in_workers(_start_formatting, (style, todo), _format_chunk, len(todo), workers):
            for index, (entry, label) in zip(chunk, done, strict=True):
                entries[todo[index]], labels[todo[index]] = entry, label
        formatter.install(FormatMemo(entries, labels))
    for work in todo:
        formatter.reference(work)
        formatter.label(work)
    return formatter.memo()


def current_memo(style: AnyStyle) -> FormatMemo | None:
    """Return what this process has formatted in a CSL style (for spawned workers), None for the built-ins."""
    if isinstance(style, CitationStyle):
        return None
    from evidencesite.csl.formatter import formatter_for

    return formatter_for(style).memo()


def install_memo(style: AnyStyle, memo: FormatMemo | None) -> None:
    """Give this (spawned worker) process the entries and labels the main process formatted."""
    if memo is not None and not isinstance(style, CitationStyle):
        from evidencesite.csl.formatter import formatter_for

        formatter_for(style).install(memo)


def _start_formatting(style: CslStyle, works: list[Work]) -> tuple[CslFormatter, list[Work]]:
    from evidencesite.csl.formatter import formatter_for

    return formatter_for(style), works


def _format_chunk(state: tuple[CslFormatter, list[Work]], indices: list[int]) -> list[tuple[Markup, str]]:
    formatter, works = state
    return [(formatter.reference(works[i]), formatter.label(works[i])) for i in indices]
