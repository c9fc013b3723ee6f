"""What a page shows its readers first: key messages with their certainty, dates, a plain summary, contents.

`ReaderViews` is made once per build by views.ViewBuilder; `page_context` adds to every content page's
context, by kind of page: the home page's "Does it work? How sure are we?" table, a study page's heading
line, its references without itself and its "Cited by" list grouped by page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.content.evidence_terms import Certainty
from evidencesite.csl.labels import short_label, year_label
from evidencesite.evidence_model import Question
from evidencesite.models import Kind, Page
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.changelog import CHANGELOG_PAGE, CHANGES_FEED, long_date, site_changes
from evidencesite.urls import page_path

NO_SUMMARY = "No summary yet"


@dataclass(frozen=True)
class KeyMessageView:
    text: str
    certainty: Certainty | None = None  # of the question the message names, when it is rated


@dataclass(frozen=True)
class AnswerRow:
    """One row of the home page's table: a term of the site's second taxonomy and its best-supported answer."""

    title: str
    path: str
    statement: str
    certainty: Certainty | None

    @property
    def summarised(self) -> bool:
        return self.statement != NO_SUMMARY


@dataclass(frozen=True)
class CitedByGroup:
    """Every place on one page that cites a study: its text, its claims, or both."""

    title: str
    path: str
    label: str  # what kind of page: 'Study', a taxonomy's singular ('Mechanism'), 'Page', 'Home page'
    in_text: bool
    claims: tuple[tuple[str, str], ...]  # (claim text, output path with #fragment)


def certainty_of(question: Question | None) -> Certainty | None:
    """Return a question's rated certainty (None when it has none, or no such question)."""
    if question is None or question.certainty not in {level.value for level in Certainty}:
        return None
    return Certainty(question.certainty)


class ReaderViews:
    """The reader-facing parts of the template contexts, computed from the catalog once per build."""

    def __init__(self, config: SiteConfig, catalog: Catalog, by_path: Mapping[str, Page]) -> None:
        self.config = config
        self.catalog = catalog
        self.by_path = by_path

    def question(self, page: Page, question_id: str) -> Question | None:
        """Return the question a key message names: one of its own page's (reader_outputs checks the id)."""
        return next((question for question in page.questions if question.id == question_id), None)

    def key_messages(self, page: Page) -> list[KeyMessageView]:
        return [
            KeyMessageView(m.text, certainty_of(self.question(page, m.question)) if m.question else None)
            for m in page.reader_fields.key_messages
        ]

    def page_context(self, item: RenderedPage, context: dict[str, Any]) -> dict[str, Any]:
        """Return what a content page adds to its context (templates/page.html, study.html, home.html)."""
        page = item.page
        fields = page.reader_fields
        searched = fields.searched or ("" if page.kind is Kind.STUDY else self.config.reader.searched)
        added: dict[str, Any] = {
            "key_messages": self.key_messages(page),
            "plain_summary": fields.plain_summary,
            "dates": [(label, iso, long_date(iso)) for label, iso in (("Last reviewed", fields.reviewed), ("Evidence searched up to", searched)) if iso],
            "toc": self.toc(item),
        }
        if page.kind is Kind.HOME:
            added["answers"] = self.answers()
            added["answers_axis"] = self.answers_axis
        if page.kind is Kind.STUDY and page.study is not None:
            work = page.study.work
            added["byline"] = " ".join(part for part in (short_label(work), f"({year_label(work)})" if year_label(work) else "") if part)
            added["cited_by_groups"] = self.cited_by_groups(context.get("cited_by", []))
        return added

    def toc(self, item: RenderedPage) -> list[tuple[str, str]]:
        """Return (id, text) of the page's `##` headings when there are enough for a table of contents."""
        wanted = self.config.reader.toc_min_headings
        if not wanted or (item.page.kind is Kind.TERM and item.claims):  # term.html has its own with the claims
            return []
        entries = [(ident, text) for level, ident, text in item.headings if level == 2]
        return entries if len(entries) >= wanted else []

    @cached_property
    def answers_axis(self) -> Any:
        """The taxonomy the home page's table answers for: the site's second (its first when it has one)."""
        taxonomies = self.catalog.vocabulary.taxonomies
        return taxonomies[1] if len(taxonomies) > 1 else taxonomies[0] if taxonomies else None

    def answers(self) -> list[AnswerRow]:
        """One row per term of the second taxonomy: its best-rated question, else its first key message."""
        axis = self.answers_axis
        if axis is None:
            return []
        rows = []
        for page in self.catalog.ordered(self.catalog.terms.get(axis.key, {})):
            statement, certainty = NO_SUMMARY, None
            rated = [q for q in page.questions if certainty_of(q) is not None]
            best = min(rated, key=lambda q: certainty_of(q).rank) if rated else None  # type: ignore[union-attr]
            if best is not None:
                statement, certainty = best.statement or best.question, certainty_of(best)
            elif page.questions:
                statement = page.questions[0].statement or page.questions[0].question
            elif page.reader_fields.key_messages:
                first = self.key_messages(page)[0]
                statement, certainty = first.text, first.certainty
            rows.append(AnswerRow(page.title, page_path(page), statement, certainty))
        return rows

    def cited_by_groups(self, places: list[Any]) -> list[CitedByGroup]:
        """Group a study's citing places by page, in first-citation order: each page listed once."""
        groups: dict[str, dict[str, Any]] = {}
        for place in places:
            path = place.path.split("#", 1)[0]
            group = groups.setdefault(path, {"title": place.title, "in_text": False, "claims": []})
            if place.claim:
                if (place.claim, place.path) not in group["claims"]:
                    group["claims"].append((place.claim, place.path))
            else:
                group["in_text"] = True
        return [
            CitedByGroup(g["title"], path, self._kind_label(path), g["in_text"], tuple(g["claims"]))
            for path, g in groups.items()
        ]

    def _kind_label(self, path: str) -> str:
        page = self.by_path.get(path)
        if page is None:
            return "Page"
        if page.kind is Kind.STUDY:
            return "Study"
        if page.kind is Kind.HOME:
            return "Home page"
        taxonomy = self.catalog.vocabulary.taxonomy(page.section) if page.kind is Kind.TERM else None
        return taxonomy.singular if taxonomy else "Page"

    def changelog(self, base: dict[str, Any]) -> dict[str, Any]:
        """Return the changelog page's context: `base` plus every change, newest first, and its feed's path."""
        base.update(
            changes=[(entry, long_date(entry.change.date)) for entry in site_changes(self.catalog)],
            changes_feed=CHANGES_FEED,
            changelog_path=CHANGELOG_PAGE,
        )
        return base


