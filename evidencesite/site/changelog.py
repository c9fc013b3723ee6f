"""A living review's dates: each page's latest real date, and the site-wide list of dated evidence changes.

Only dates an author wrote count (`updated`, `reviewed`, `changes:`): a page's date is never guessed from
a study's year of publication, and no date comes from the clock, so the output is the same on every build.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from evidencesite.content.catalog import Catalog
from evidencesite.models import Page
from evidencesite.reader_model import Change
from evidencesite.urls import page_path

CHANGELOG_PAGE = "changelog/index.html"
CHANGES_FEED = "changes.xml"
UNKNOWN_DATE = "1970-01-01"  # Atom needs a date; a site that wrote none gets this one (docs/authoring.md)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


@dataclass(frozen=True)
class ChangeEntry:
    """One change with the page it belongs to, for the changelog page and the changes feed."""

    change: Change
    page: Page
    path: str  # the page's output path
    number: int  # 1 for a page's oldest change: a stable anchor and feed id as changes are added

    @property
    def anchor(self) -> str:
        return f"change-{self.page.section or 'home'}-{self.page.slug}-{self.number}"


def long_date(iso: str) -> str:
    """Return '15 March 2024' for '2024-03-15' (the date as readers say it; `<time>` keeps the ISO form)."""
    date = datetime.date.fromisoformat(iso)
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def page_date(page: Page) -> str:
    """Return the latest date the author gave the page (updated, reviewed, a change), or ''."""
    fields = page.reader_fields
    dates = [date for date in (page.updated, fields.reviewed, *(c.date for c in fields.changes)) if date]
    return max(dates, default="")


def site_date(catalog: Catalog, searched: str = "") -> str:
    """Return the latest real date of any page (else the site's `searched` date, else UNKNOWN_DATE)."""
    return max((page_date(page) for page in catalog.all_pages()), default="") or searched or UNKNOWN_DATE


def site_changes(catalog: Catalog) -> list[ChangeEntry]:
    """Return every page's changes, newest first (same day: by page path, then the page's newest first)."""
    entries = []
    for page in catalog.all_pages():
        changes = page.reader_fields.changes  # newest first
        for position, change in enumerate(changes):
            entries.append(ChangeEntry(change, page, page_path(page), len(changes) - position))
    return sorted(entries, key=lambda e: (_reverse(e.change.date), e.path, -e.number))


def _reverse(iso: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in iso.split("-"))
