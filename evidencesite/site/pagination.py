"""Long lists in pages of bounded size, so that no page grows with the number of studies.

The bibliography and the study explorer are cut into pages of a fixed number of entries: the first is the
section's own page (`references/index.html`), the others `references/page-2.html`, `page-3.html`… (files, not
folders: a study key may be any safe name, so `studies/page/` could be a study's folder, while no study page is
a `.html` file beside `studies/index.html`). Every page links to every other, labelled with the range it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

_T = TypeVar("_T")

REFERENCES_PER_PAGE = 80  # ~60 KB of HTML, with each entry's links and cited-by counts
STUDIES_PER_PAGE = 100  # rows of the explorer's table on each page without JavaScript


def listing_path(section: str, number: int) -> str:
    """Return the output file of page `number` (from 1) of a section's list."""
    return f"{section}/index.html" if number == 1 else f"{section}/page-{number}.html"


def split_pages(items: Sequence[_T], size: int) -> list[Sequence[_T]]:
    """Return `items` cut into pages of `size` (one empty page for no items: the section page still exists)."""
    return [items[start : start + size] for start in range(0, len(items), size)] or [items[:0]]


@dataclass(frozen=True)
class PageLink:
    number: int
    path: str  # output path, for url()
    label: str  # the range the page holds, e.g. "Abbott – Byrne"


@dataclass(frozen=True)
class Pager:
    """Where a page of a list stands: its number, the items it shows (1-based, inclusive) and every page."""

    number: int
    first: int
    last: int
    total: int
    pages: tuple[PageLink, ...]

    @property
    def previous(self) -> PageLink | None:
        return self.pages[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> PageLink | None:
        return self.pages[self.number] if self.number < len(self.pages) else None

    @property
    def several(self) -> bool:
        return len(self.pages) > 1


def make_pager(
    section: str, number: int, pages: Sequence[Sequence[_T]], label: Callable[[Sequence[_T]], str]
) -> Pager:
    """Return the pager of page `number` of `pages`, each page labelled by `label` of its items."""
    links = tuple(PageLink(n, listing_path(section, n), label(items)) for n, items in enumerate(pages, 1))
    before = sum(len(items) for items in pages[: number - 1])
    total = sum(len(items) for items in pages)
    return Pager(number, before + 1, before + len(pages[number - 1]), total, links)


def range_label(first: str, last: str) -> str:
    """'Abbott – Byrne', or one name when a page starts and ends with it."""
    return first if first == last else f"{first} – {last}"
