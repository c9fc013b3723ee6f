"""What a page is made from, recorded as its view reads it: the page's signature.

A view (views.ViewBuilder) fetches everything a page shows from elsewhere through a `Reads`: its own
rendered body, the works it cites, who cites it, the whole catalog. Each call returns the value and
records a cheap stand-in for it (a digest of the front matter, not the page); the page's signature is
the digest of what was recorded, plus what every page shows (settings, templates, navigation: the plan's
site-wide part). So the dependencies of a page are written once, where the page's context reads them,
and an incremental build re-makes exactly the pages whose reads changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Protocol

from evidencesite.content.catalog import Catalog
from evidencesite.models import Kind, Page, Study
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.fragment_links import fragment_facts


def digest(*parts: object) -> str:
    """Return a short stable hash of the parts' reprs (frozen dataclasses have deterministic reprs)."""
    return hashlib.sha1(repr(parts).encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def page_meta(page: Page) -> str:
    """A page without its body: what lists, popovers and cited-by entries show of it.

    The front matter's hash stands for every field; a study's year suffix (2019a) is set from other
    works, so it is added.
    """
    suffix = page.study.work.year_suffix if page.study else ""
    return f"{page.section}/{page.slug}:{page.meta_digest or digest(replace(page, body=''))}:{suffix}"


class Citing(Protocol):
    """A place that cites a work (references.CitedBy)."""

    @property
    def title(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def claim(self) -> str: ...


class Sources:
    """This build's stand-ins for what views read, each made once, on first use."""

    def __init__(
        self,
        catalog: Catalog,
        cited_by: Mapping[str, Sequence[Citing]],
        resolve: Callable[[str], str | None],
    ) -> None:
        self.catalog = catalog
        self.cited_by = cited_by
        self.resolve = resolve

    @cached_property
    def study_meta(self) -> dict[str, str]:
        return {key: page_meta(page) for key, page in self.catalog.studies.items()}

    @cached_property
    def every_page(self) -> str:
        """Every page's front matter: lists, the matrix, counts and feeds are made from it."""
        others = [page_meta(p) for p in self.catalog.all_pages() if p.kind is not Kind.STUDY]
        return digest(sorted(self.study_meta.items()), others)

    @cached_property
    def work_meta(self) -> dict[str, str]:
        """Each work as a citation shows it: a study's by its note's front matter, the few others whole."""
        return {key: self.study_meta.get(key) or digest(work) for key, work in self.catalog.works.items()}

    @cached_property
    def every_citation(self) -> str:
        return digest(sorted((key, places_of(places)) for key, places in self.cited_by.items()))

    @cached_property
    def every_work(self) -> str:
        """Every work as its reference shows it, and every place citing one: hashed once, read by many pages."""
        return digest(self.every_citation, sorted(self.work_meta.items()))


def places_of(places: Iterable[Citing]) -> list[tuple[str, str, str]]:
    return [(place.title, place.path, place.claim) for place in places]


@dataclass
class Reads:
    """What one output file read; `signature` is the digest of it. Make one per file."""

    sources: Sources
    parts: list[Any]
    own: object = None  # the page's own rendered body (`rendered`), when it is a content page

    @classmethod
    def start(cls, sources: Sources, *site_wide: object) -> Reads:
        return cls(sources, list(site_wide))

    def rendered(self, item: RenderedPage) -> RenderedPage:
        """The page itself: its front matter, source, and body as rendered (with what its links lead to).

        Kept apart from the other reads, so that a build changing only this page's body can sign it again
        from the digest of the rest (`rest`, kept by the plan) and this part (build/body_edit.py)."""
        self.own = rendered_part(item, self.sources.resolve)
        return item

    def works(self, keys: Sequence[str]) -> Sequence[str]:
        """Works by key, as their references show them (only ordered values: a set's order may vary)."""
        work_meta = self.sources.work_meta
        self.parts.append([(key, work_meta.get(key)) for key in keys])
        return keys

    def cited_by(self, key: str) -> list[Citing]:
        """The pages and claims that cite the work `key`."""
        places = list(self.sources.cited_by.get(key, []))
        self.parts.append(places_of(places))
        return places

    def terms(self, study: Study) -> Catalog:
        """The titles of the term pages a study lists (its page links them by title)."""
        for key, terms in self.sources.catalog.terms.items():
            self.parts.append([(terms[slug].title if slug in terms else slug) for slug in study.terms_of(key)])
        return self.sources.catalog

    def catalog(self) -> Catalog:
        """Every page's front matter: what lists, the matrix, counts and summaries are made from."""
        self.parts.append(self.sources.every_page)
        return self.sources.catalog

    def every_work(self) -> Catalog:
        """Every work as its reference shows it, and every place that cites one (the references page)."""
        self.parts.append(self.sources.every_work)
        return self.sources.catalog

    def rest(self) -> str:
        """The digest of every read but the page's own body (`rendered`)."""
        return digest(*self.parts)

    def signature(self, rest: str) -> str:
        """The file's signature, given `rest` (the caller keeps it too, for content pages)."""
        return rest if self.own is None else signed(rest, self.own)


def outward(item: RenderedPage) -> str:
    """The digest of everything other outputs read of a rendered page: its front matter, what it cites and where
    (cited-by lists, the references page), its claims, links, headings and element ids (#fragment checks).

    Equal before and after an edit, only the page itself and the search index change (build/body_edit.py);
    anything a view or a check comes to read of other pages' bodies must be added here.
    """
    return digest(
        page_meta(item.page),
        item.output_path,
        item.cited,
        sorted(item.backlinks.items()),
        item.claims,
        sorted(item.links),
        item.headings,
        fragment_facts(item),
    )


def signed(rest: str, own: object) -> str:
    """A content page's signature: what it read of the rest of the site, and its own rendered body."""
    return digest(rest, own)


def rendered_part(item: RenderedPage, resolve: Callable[[str], str | None]) -> object:
    """A stand-in for a page's own rendered body: its front matter, source, render key and link targets.

    The body, headings and back-links are a function of the render key, the works cited and where the links
    lead; hashing those is much cheaper than hashing the HTML.
    """
    body: object = (
        (item.render_key, sorted((target, resolve(target)) for target in item.links))
        if item.render_key
        else (str(item.body), item.headings, sorted(item.backlinks.items()))
    )
    return (page_meta(item.page), item.page.source_digest, body)
