"""The reader features' own output files, planned for plan.plan_site: the changelog page, the Atom feed of
changes and the CSV downloads, each with the signature of what it is made from.

`plan_reader_outputs` also reports what can only be checked across pages, once per build and `check`: a key
message naming a question its page does not declare, and a link whose `#fragment` is on no element of the
page it leads to (site/fragment_links.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.changelog import CHANGELOG_PAGE, CHANGES_FEED
from evidencesite.site.csv_exports import CSV_FOLDER, matrix_csv, outcomes_csv, studies_csv
from evidencesite.site.evidence_matrix import Matrix
from evidencesite.site.feeds import changes_feed
from evidencesite.site.fragment_links import check_fragment_links
from evidencesite.site.reads import Reads, Sources, digest
from evidencesite.site.views import ViewBuilder

CHANGELOG_TITLE = "Changes to the evidence"


class PageFile(Protocol):
    """plan_site's maker of a page file: (path, template, view, kind) -> PlannedFile."""

    def __call__(self, path: str, template: str, view: Callable[[Reads], Callable[[], dict[str, Any]]], kind: str) -> Any: ...


def plan_reader_outputs(
    config: SiteConfig,
    catalog: Catalog,
    rendered: list[RenderedPage],
    matrix: Matrix | None,
    views: ViewBuilder,
    sources: Sources,
    site_wide: str,
    page_file: PageFile,
    planned: Callable[[str, str, Callable[[], bytes]], Any],
    diagnostics: Diagnostics,
) -> list[Any]:
    """Return the changelog page, changes.xml and the CSV files (made with plan_site's `page_file` and
    `planned`); report key messages naming unknown questions and links to missing fragments."""
    check_key_message_questions(catalog, diagnostics)
    check_fragment_links(rendered, diagnostics)

    def changelog_view(reads: Reads) -> Callable[[], dict[str, Any]]:
        reads.catalog()
        return lambda: views.reader.changelog(views.base(CHANGELOG_PAGE, CHANGELOG_TITLE, kind="changelog"))

    every_page = digest(site_wide, sources.every_page)
    feeds = [planned(CHANGES_FEED, every_page, lambda: changes_feed(config, catalog))] if config.base_url else []
    return [
        page_file(CHANGELOG_PAGE, "changelog.html", changelog_view, "index"),
        *feeds,
        planned(f"{CSV_FOLDER}/studies.csv", every_page, lambda: studies_csv(catalog)),
        planned(f"{CSV_FOLDER}/matrix.csv", every_page, lambda: matrix_csv(catalog, matrix)),
        planned(f"{CSV_FOLDER}/outcomes.csv", every_page, lambda: outcomes_csv(catalog)),
    ]


def check_key_message_questions(catalog: Catalog, diagnostics: Diagnostics) -> None:
    """Report a key message whose `question:` names no question of its own page, at the message's line."""
    for page in catalog.all_pages():
        ids = [question.id for question in page.questions]
        for message in page.reader_fields.key_messages:
            if message.question and message.question not in ids:
                known = f"; its questions are: {', '.join(ids)}" if ids else "; it declares no 'questions:'"
                diagnostics.error(
                    page.path,
                    message.line,
                    f"key message names question '{message.question}', which this page does not declare"
                    f"{did_you_mean(message.question, ids)}{known}",
                )
