"""What `check` (never `build`) says about pages for readers: reviews that are due, and texts too hard to read.

Both depend on more than the files: a review falls due as time passes, and a build that passed yesterday
must not fail today with nothing changed, so they are warnings of `check` only (and its `--strict` makes them
errors, for a CI job that wants them to). "Today" is reader_fields.build_date (SOURCE_DATE_EPOCH when set).
A plain summary or key message above `readability_grade` is a warning at its line; `check -v` also prints
every page's grades as a table.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from evidencesite.content.config import SiteConfig
from evidencesite.content.readability import grade, is_english, plain_text
from evidencesite.content.reader_fields import build_date
from evidencesite.errors import Diagnostics
from evidencesite.models import Page


@dataclass(frozen=True)
class Readability:
    """One page's Flesch–Kincaid grades: its body, plain summary and hardest key message (None: it has none)."""

    path: str
    body: float
    plain_summary: float | None
    key_messages: float | None


def months_later(date: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later (the month's last day when it is shorter: 31 Jan + 1 = 28/29 Feb)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    for day in (date.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(date)  # unreachable: every month has a 28th


def check_reader_pages(
    pages: Iterable[Page],
    config: SiteConfig,
    diagnostics: Diagnostics,
    today: datetime.date | None = None,
    table: bool = False,
) -> list[Readability]:
    """Warn about overdue reviews and hard plain summaries and key messages; return each page's grades
    when `table` is set (the body's grade is only computed then)."""
    today = today or build_date()
    settings = config.reader
    english = is_english(config.language)
    rows = []
    for page in sorted(pages, key=lambda p: p.source.path):
        fields = page.reader_fields
        if fields.reviewed and settings.review_due_months:
            due = months_later(datetime.date.fromisoformat(fields.reviewed), settings.review_due_months)
            if due <= today:
                diagnostics.warning(
                    page.path,
                    fields.lines.get("reviewed", 1),
                    f"review due: last reviewed {fields.reviewed}, {settings.review_due_months} months or more before "
                    f"{today.isoformat()}; review the page against new evidence and update 'reviewed' (the interval is "
                    "review_due_months in site_config.yaml)",
                )
        if not english or not (fields.plain_summary or fields.key_messages or table):
            continue
        summary_grade = grade(fields.plain_summary) if fields.plain_summary else None
        if summary_grade is not None and summary_grade > settings.readability_grade:
            diagnostics.warning(page.path, fields.lines.get("plain_summary", 1), _too_hard("plain_summary", summary_grade, settings.readability_grade))
        message_grades = []
        for message in fields.key_messages:
            message_grades.append(grade(message.text))
            if message_grades[-1] > settings.readability_grade:
                diagnostics.warning(page.path, message.line, _too_hard("key message", message_grades[-1], settings.readability_grade))
        if table:
            rows.append(Readability(page.source.path, grade(plain_text(page.body)), summary_grade, max(message_grades, default=None)))
    return rows


def _too_hard(what: str, found: float, limit: float) -> str:
    return (
        f"{what} reads at grade {found:g} (Flesch–Kincaid), above the site's readability_grade of {limit:g}: "
        "use shorter sentences and everyday words"
    )


def readability_table(rows: list[Readability], limit: float) -> str:
    """Return the grades as a plain-text table, one page a line, hardest body first; '-' where a page has no such text."""
    if not rows:
        return "readability: no pages (grades are computed for English sites only)"

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}{'*' if value > limit else ''}"

    width = max(len(row.path) for row in rows)
    lines = [f"{'page':<{width}}  {'body':>6}  {'plain summary':>13}  {'key messages':>12}"]
    for row in sorted(rows, key=lambda r: (-r.body, r.path)):
        lines.append(f"{row.path:<{width}}  {row.body:>6.1f}  {cell(row.plain_summary):>13}  {cell(row.key_messages):>12}")
    lines.append(f"Flesch–Kincaid grade (school year); * above readability_grade {limit:g} (warned for plain summaries and key messages)")
    return "\n".join(lines)


def reader_report(pages: Iterable[Page], config: SiteConfig, diagnostics: Diagnostics, table: bool = False) -> str:
    """Run `check`'s reader checks (warnings to `diagnostics`); return the readability table when `table` is set."""
    rows = check_reader_pages(pages, config, diagnostics, table=table)
    return readability_table(rows, config.reader.readability_grade) if table else ""
