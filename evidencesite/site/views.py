"""Template contexts: everything a template shows is computed here, so templates stay thin."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, partial
from typing import Any

from markupsafe import Markup

from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.content.vocabulary import Vocabulary
from evidencesite.csl.builtin_format import plain_text
from evidencesite.csl.builtin_names import format_authors
from evidencesite.csl.style import is_numbered
from evidencesite.models import Kind, Page, Population, Strength, Work
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.evidence_matrix import Matrix, find_gaps
from evidencesite.site.evidence_views import EvidenceViews
from evidencesite.site.listings import Listings
from evidencesite.site.pagination import listing_path
from evidencesite.site.reader_views import ReaderViews
from evidencesite.site.reads import Citing, Reads
from evidencesite.site.references import CitedBy, WorkFormats, reference_entries, sort_key
from evidencesite.site.timeline import make_timeline
from evidencesite.urls import folder_url, page_path, relative_url, section_path

TERM_STUDIES_SHOWN = 50  # a topic page lists its newest studies; the explorer, filtered to the topic, has them all
SECTION_TITLES = {
    "evidence": "Evidence overview",
    "studies": "Studies",
    "references": "References",
    "search": "Search",
}


def section_titles(vocabulary: Vocabulary) -> dict[str, str]:
    """Return each generated section's folder -> its title, the taxonomies' lists (in their own words) included."""
    return {**SECTION_TITLES, **{taxonomy.key: taxonomy.title for taxonomy in vocabulary.taxonomies}}


def default_nav(vocabulary: Vocabulary) -> tuple[tuple[str, str], ...]:
    """The menu of a site without `nav`: the evidence overview, each taxonomy, studies and references."""
    return (
        ("Evidence", "evidence/index.html"),
        *((taxonomy.title, f"{taxonomy.key}/index.html") for taxonomy in vocabulary.taxonomies),
        ("Studies", "studies/index.html"),
        ("References", "references/index.html"),
    )


class ViewBuilder:
    """Builds the context of each output page from the catalog and the rendered bodies."""

    def __init__(
        self,
        config: SiteConfig,
        catalog: Catalog,
        cited_by: Mapping[str, Sequence[CitedBy]],
        matrix: Matrix | None,
        search: bool,
    ) -> None:
        """`cited_by` is references.cited_by_index of the rendered pages (kept by build/body_edit.py)."""
        self.config = config
        self.catalog = catalog
        self.by_path = {page_path(page): page for page in catalog.all_pages()}
        self.matrix = matrix
        self.cited_by = cited_by
        self.search = search
        self.works = WorkFormats(catalog, config.citation_style)
        self.vocabulary = catalog.vocabulary
        self.titles = section_titles(catalog.vocabulary)
        self.evidence = EvidenceViews(catalog)  # results, questions, risk of bias (evidence_views.py)
        self.reader = ReaderViews(config, catalog, self.by_path)  # key messages, dates, contents (reader_views.py)
        # the bibliography and the explorer, page by page (listings.py)
        self.listings = Listings(catalog, self.works, self.cited_by, self.by_path, self.studies_sorted, self.evidence)

    # Site-wide pieces that every page (or every section page) shows are cached properties: made once per
    # build, on first use, since an incremental build may render no page at all.

    def nav(self) -> list[tuple[str, str]]:
        """Return the main menu as (label, output path); a fresh list per page, so a template may change it."""
        return list(self._nav)

    @cached_property
    def _nav(self) -> tuple[tuple[str, str], ...]:
        if self.config.nav:
            return tuple((item.title, self._nav_target(item.link)) for item in self.config.nav)
        items = list(default_nav(self.vocabulary))
        items.extend((p.title, page_path(p)) for p in self.catalog.ordered(self.catalog.pages) if p.order)
        return tuple(items)

    def _nav_target(self, link: str) -> str:
        if link.endswith(".md"):
            page = self.catalog.content_paths.get(link)
            return page_path(page) if page else link
        link = link.strip("/")
        return section_path(link) if link in self.titles or not link else link

    def base(self, output_path: str, title: str, description: str = "", kind: str = "page") -> dict[str, Any]:
        """Return the context every template gets."""
        canonical = self.config.absolute_url(folder_url(output_path))
        return {
            "site": self.config,
            "output_path": output_path,
            "title": title,
            "description": description or self.config.description,
            "canonical": canonical,
            "nav": self.nav(),
            "kind": kind,
            # 'numeric' or 'author-year': how citations look in the text (templates branch on it)
            "citation_style": "numeric" if is_numbered(self.config.citation_style) else "author-year",
            "citation_style_name": self.config.citation_style.value,
            "search_enabled": self.search,
            "json_ld": Markup(""),
            "disclaimer_page": self._disclaimer_page,
            "base_href": "",
            # the site's own words: its taxonomies in declared order, and in a study's order (required ones first)
            "taxonomies": self.vocabulary.taxonomies,
            "study_taxonomies": self.vocabulary.study_taxonomies,
            "term_pages": self.catalog.terms,
        }

    @cached_property
    def _disclaimer_page(self) -> str:
        return self._page_path("disclaimer")

    def _page_path(self, slug: str) -> str:
        page = self.catalog.pages.get(slug)
        return page_path(page) if page else ""

    def _json_ld(self, data: dict[str, Any]) -> Markup:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

    def _citation_ld(self, work: Work) -> dict[str, Any]:
        """A compact citation entry: name, year and DOI (the full record is on the study page)."""
        data: dict[str, Any] = {"@type": "ScholarlyArticle", "name": work.title}
        if work.year:
            data["datePublished"] = str(work.year)
        if work.doi:
            data["sameAs"] = f"https://doi.org/{work.doi}"
        return data

    def _work_ld(self, work: Work) -> dict[str, Any]:
        """The full record of the work a study page is about: the citation entry plus authors and journal."""
        data = self._citation_ld(work)
        if work.doi:
            data["identifier"] = f"https://doi.org/{work.doi}"
        if work.authors:
            data["author"] = [
                {"@type": "Person" if not a.literal else "Organization", "name": a.display} for a in work.authors
            ]
        if work.container:
            data["isPartOf"] = {"@type": "Periodical", "name": work.container}
        return data

    # A page's view reads what the page shows from elsewhere through `reads` (reads.py), which makes the
    # page's signature, and returns the function that makes its context from what it read. To make a page
    # show something more, read it here: then an edit of it re-makes the page.

    def content_view(self, item: RenderedPage, reads: Reads) -> Callable[[], dict[str, Any]]:
        """Read what a content page shows; return the maker of its context."""
        page = reads.rendered(item).page
        reads.works(item.cited)  # its reference list
        cited_by: Sequence[Citing] = ()
        if page.study is not None:
            cited_by = reads.cited_by(page.study.work.key)
            reads.terms(page.study)
        if page.kind in (Kind.TERM, Kind.HOME) or page.questions:  # a page's questions show other notes' results
            reads.catalog()
        return partial(self.content_page, item, cited_by)

    def section_view(self, name: str, reads: Reads) -> Callable[[], dict[str, Any]]:
        """Read what a generated section page lists; return the maker of its context."""
        reads.catalog()
        if name == "references":  # every work, and the pages citing each
            reads.every_work()
        return partial(self.section, name)

    def listing_view(self, name: str, number: int, reads: Reads) -> Callable[[], dict[str, Any]]:
        """Read what page `number` of the bibliography or the explorer lists; return the maker of its context."""
        self.section_view(name, reads)
        return partial(self.section, name, number)

    def content_page(self, item: RenderedPage, cited_by: Sequence[Citing] = ()) -> dict[str, Any]:
        page = item.page
        context = self.base(item.output_path, page.title, page.summary, page.section or "home")
        references = reference_entries(item, self.works)
        context.update(
            page=page,
            body=item.body,
            headings=item.headings,
            references=references,
            reference_by_key={entry.key: entry for entry in references},  # claims look their evidence up here
            claims=item.claims,
            strength_order=[s.value for s in Strength],
        )
        ld: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": page.title,
            # a work with a DOI is cited by its DOI: its record is the page's reference list (page weight)
            "citation": [f"https://doi.org/{e.work.doi}" if e.work.doi else self._citation_ld(e.work) for e in references],
        }
        if context["canonical"]:  # '' until base_url is set
            ld["url"] = context["canonical"]
        if page.kind is Kind.STUDY and page.study:
            study = page.study
            ld["about"] = self._work_ld(study.work)
            context.update(
                study=study,
                work=study.work,
                full_authors=format_authors(study.work, self.config.citation_style, full=True),
                cite_text=plain_text(self.works.html(study.work.key)),
                cited_by=list(cited_by),
                # (taxonomy, its pages this study lists), in a study's order
                study_terms=[
                    (taxonomy, [terms[slug] for slug in study.terms_of(taxonomy.key) if slug in terms])
                    for taxonomy in self.vocabulary.study_taxonomies
                    for terms in (self.catalog.terms[taxonomy.key],)
                ],
                export_base=f"studies/{page.slug}/{page.slug}",
            )
        if page.kind is Kind.TERM:
            context["taxonomy"] = self.vocabulary.taxonomy(page.section)
            studies = [p for p in self.studies_sorted() if page.slug in p.study.terms_of(page.section)]  # type: ignore[union-attr]
            context["section_studies"] = studies[:TERM_STUDIES_SHOWN]
            context["section_study_count"] = len(studies)
            context["section_filter"] = f"{context['taxonomy'].param}={page.slug}"
        if page.kind is Kind.HOME:
            context.update(self._overview())
            context.update(self.timeline(item.output_path))
        context.update(self.evidence.content(page, item.output_path))
        context.update(self.reader.page_context(item, context))
        context["json_ld"] = self._json_ld(ld)
        return context

    def studies_sorted(self) -> list[Page]:
        """Studies newest first, then by first author (a fresh list per page)."""
        return list(self._studies_by_date)

    @cached_property
    def _studies_by_date(self) -> tuple[Page, ...]:
        return tuple(
            sorted(self.catalog.studies.values(), key=lambda p: (-(p.study.work.year or 0), sort_key(p.study.work)))  # type: ignore[union-attr]
        )

    def _overview(self) -> dict[str, Any]:
        # reviews summarise other studies: they are counted apart, never as (human) studies
        studies = [p.study for p in self.catalog.studies.values() if p.study is not None]
        primary = [s for s in studies if not s.design.is_review]
        return {
            "matrix": self.matrix,
            "matrix_certainty": self.evidence.matrix_certainty(self.matrix),
            "gaps": find_gaps(self.catalog, self.matrix),
            "study_count": len(primary),
            "review_count": len(studies) - len(primary),
            "human_count": sum(1 for s in primary if s.population is Population.HUMAN),
        }

    def timeline(self, output_path: str) -> dict[str, Any]:
        """The timeline (one mark per study, or counts per year on a large site) and which of the two it is."""
        made = make_timeline(self.catalog, lambda target: relative_url(output_path, target))
        return {"timeline": made.svg, "timeline_counted": made.counted}

    def section(self, name: str, number: int = 1) -> dict[str, Any]:
        output_path = listing_path(name, number)
        title = self.titles[name] if number == 1 else f"{self.titles[name]}, page {number}"
        context = self.base(output_path, title, kind=name)
        if name == "evidence":
            context.update(self._overview())
            context.update(self.timeline(output_path))
            context.update(self.evidence.overview(output_path))
        elif name == "studies":
            context.update(self.listings.explorer(number))
        elif name in self.catalog.terms:
            terms = self.catalog.terms[name]
            context["taxonomy"] = self.vocabulary.taxonomy(name)
            context["pages"] = self.catalog.ordered(terms)
            context["counts"] = {
                slug: sum(1 for p in self.catalog.studies.values() if p.study and slug in p.study.terms_of(name))
                for slug in terms
            }
        elif name == "references":
            context.update(self.listings.references(number))
        return context

    def not_found(self) -> dict[str, Any]:
        context = self.base("404.html", "Page not found", kind="404")
        context["base_href"] = self.config.base_path
        return context
