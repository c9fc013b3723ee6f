"""What a full build keeps for a later build after prose edits only (build/body_edit.py), and how it keeps it.

The store saves it after the output is in place (cache/site_state.py: the records' front-matter digests in the
header, the rest pickled), so the classes here are what the pickle names: changing them changes the generator's
fingerprint, and an old pickle is never read by new code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evidencesite.cache.store import BuildStore
from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.evidence_matrix import Matrix
from evidencesite.site.references import CitedBy
from evidencesite.site.search_index import Phrases, ordered_documents, synonym_phrases

if TYPE_CHECKING:
    from evidencesite.site.plan import SitePlan


@dataclass(frozen=True)
class PageRecord:
    """One content page as the last full build made it."""

    output_path: str
    template: str
    rest: str  # the digest of what its view read besides its own body (reads.Reads.rest)
    render_key: str  # its body's in the render cache: what other outputs read of it is compared from there
    search_number: int  # its number in the search index, -1 without search


@dataclass(frozen=True)
class EditBasis:
    """What a body edit needs of the whole site, as the last full build had it (pickled: cache/site_state.py)."""

    config: SiteConfig
    catalog: Catalog  # its pages without their bodies
    cited_by: dict[str, Sequence[CitedBy]]
    matrix: Matrix | None
    phrases: Phrases  # the search index's synonyms
    pages: dict[str, PageRecord]  # by source file


def remember_site(store: BuildStore, config: SiteConfig, catalog: Catalog, rendered: list[RenderedPage], plan: SitePlan) -> None:
    """Have the store save what a later body edit needs, once the output is in place (store.save)."""
    views = plan.views
    if views is None:
        return

    def make() -> tuple[dict[str, str], object]:
        ordered = ordered_documents(rendered) if config.search else []
        numbers = {item.output_path: number for number, item in enumerate(ordered)}
        pages = {}
        for item in rendered:
            template, rest = plan.content_reads[item.output_path]
            number = numbers.get(item.output_path, -1)
            pages[str(item.page.path)] = PageRecord(item.output_path, template, rest, item.render_key, number)
        phrases = synonym_phrases(synonym for item in ordered for synonym in item.page.synonyms)
        front_matter = {str(item.page.path): item.page.meta_digest for item in rendered}
        return front_matter, EditBasis(config, catalog, dict(views.cited_by), views.matrix, phrases, pages)

    store.keep_site_state(make)
