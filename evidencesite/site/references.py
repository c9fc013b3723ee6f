"""Reference lists and who cites what: the parts of page contexts that are about works."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from evidencesite.content.catalog import Catalog
from evidencesite.csl.labels import letters
from evidencesite.csl.style import AnyStyle, is_numbered
from evidencesite.csl.styles import formats_for
from evidencesite.models import Study, Work
from evidencesite.render.rendered import RenderedPage

BACKGROUND_GROUP = "Background works, guidelines and registrations"


@dataclass(frozen=True)
class CitedBy:
    """A place that cites a work: a page, or a claim on a taxonomy's page."""

    title: str  # the page's title
    path: str  # output path with optional #fragment
    claim: str = ""  # the claim's text when the place is a claim

    @property
    def kind(self) -> str:
        return "claim" if self.claim else "page"


@dataclass(frozen=True)
class ReferenceEntry:
    key: str
    label: str  # '1' (numeric) or 'Das et al., 2019'
    html: Markup
    work: Work
    study: Study | None
    backlinks: tuple[tuple[str, str], ...]  # (letter, anchor)
    summary: str = ""


def cited_by_index(rendered: list[RenderedPage]) -> dict[str, list[CitedBy]]:
    """Return key -> every page and claim that cites it, in page order."""
    index: dict[str, list[CitedBy]] = defaultdict(list)
    for item in rendered:
        page = item.page
        for claim in item.claims:
            for evidence in claim.evidence:
                entry = CitedBy(page.title, f"{item.output_path}#{claim.anchor}", claim.claim.text)
                if entry not in index[evidence.key]:
                    index[evidence.key].append(entry)
        claim_anchors = {evidence.anchor for claim in item.claims for evidence in claim.evidence}
        for key in item.cited:
            if page.study is not None and key == page.study.work.key:
                continue
            # cited in the body, not only in the claims table (which is listed above, claim by claim)
            if any(anchor not in claim_anchors for anchor in item.backlinks.get(key, ())):
                index[key].append(CitedBy(page.title, item.output_path))
    return index


class WorkFormats:
    """Each work's formatted reference, made once per build: the same works are cited on many pages."""

    def __init__(self, catalog: Catalog, style: AnyStyle) -> None:
        self.catalog = catalog
        self.style = style
        self.formats = formats_for(style)
        self._entries: dict[str, ReferenceEntry] = {}

    def entry(self, key: str) -> ReferenceEntry:
        """Return the page-independent part of `key`'s reference entry (author-year label, no back-links)."""
        entry = self._entries.get(key)
        if entry is None:
            work = self.catalog.works[key]
            note = self.catalog.studies.get(key)
            entry = ReferenceEntry(
                key,
                self.formats.label(work),
                self.formats.reference(work),
                work,
                self.catalog.study(key),
                (),
                note.summary if note else "",
            )
            self._entries[key] = entry
        return entry

    def html(self, key: str) -> Markup:
        """Return `key`'s formatted reference as safe HTML."""
        return self.entry(key).html


def reference_entries(item: RenderedPage, works: WorkFormats) -> list[ReferenceEntry]:
    """Return the page's reference list: numeric in citation order, author-year alphabetical."""
    numeric = is_numbered(works.style)
    entries = []
    for number, key in enumerate(item.cited, start=1):
        shared = works.entry(key)
        label = str(number) if numeric else shared.label
        backlinks = tuple((letters(i), anchor) for i, anchor in enumerate(item.backlinks.get(key, ())))
        entries.append(ReferenceEntry(key, label, shared.html, shared.work, shared.study, backlinks, shared.summary))
    if not numeric:
        entries.sort(key=lambda e: sort_key(e.work))
    return entries


def sort_key(work: Work) -> tuple[str, int, str, str]:
    first = work.authors[0].family.lower() if work.authors else work.title.lower()
    return (first, work.year or 0, work.year_suffix, work.key)
