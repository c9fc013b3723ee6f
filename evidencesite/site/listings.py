"""The contexts of the two long lists, page by page: the bibliography and the study explorer (pagination.py).

The bibliography keeps its order (design groups in the vocabulary's order of evidence, then background works;
by first author within each) and is cut into pages; a group running over a page boundary is headed again on the
next page ("continued"). A work cited on many pages lists the first PLACES_SHOWN of them and counts the rest.
The explorer's pages hold its table newest first; explorer.js filters and sorts over every study from the data
files of explorer_data.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from markupsafe import Markup

from evidencesite.content.catalog import Catalog
from evidencesite.csl.labels import short_label, year_label
from evidencesite.models import Page, Study, Work
from evidencesite.site.csv_exports import study_columns, to_csv
from evidencesite.site.evidence_views import EvidenceViews
from evidencesite.site.explorer_data import STUDIES_PER_CHUNK, chunk_paths
from evidencesite.site.pagination import (
    REFERENCES_PER_PAGE,
    STUDIES_PER_PAGE,
    listing_path,
    make_pager,
    range_label,
    split_pages,
)
from evidencesite.site.references import BACKGROUND_GROUP, CitedBy, WorkFormats, sort_key

PLACES_SHOWN = 25  # pages listed under a work cited on many (the count says how many more)


@dataclass(frozen=True)
class Place:
    label: str
    path: str
    claims: int


@dataclass(frozen=True)
class BibliographyEntry:
    group: int  # the group's number, from 1, in the whole bibliography (its anchor is group-N)
    work: Work
    html: Markup
    study: Study | None
    places: tuple[Place, ...]  # at most PLACES_SHOWN
    place_count: int
    claim_count: int


@dataclass(frozen=True)
class Group:
    number: int
    heading: str
    count: int  # entries in the whole group
    start: str  # output path of the page where it starts
    entries: tuple[BibliographyEntry, ...] = ()  # those on the page being made
    continued: bool = False  # it started on an earlier page


class Listings:
    """Makes each page of the bibliography and of the explorer; built once per build, pages on demand."""

    def __init__(
        self,
        catalog: Catalog,
        works: WorkFormats,
        cited_by: Mapping[str, Sequence[CitedBy]],
        by_path: Mapping[str, Page],
        studies_sorted: Callable[[], list[Page]],
        evidence: EvidenceViews,
    ) -> None:
        self.catalog = catalog
        self.works = works
        self.cited_by = cited_by
        self.by_path = by_path
        self.studies_sorted = studies_sorted
        self.evidence = evidence

    # ---------------------------------------------------------------- bibliography

    @cached_property
    def _bibliography(self) -> list[Sequence[tuple[int, Work]]]:
        """Each page's (group number, work): cheap, so planning makes no entry (references() makes a page's)."""
        order = [*dict.fromkeys(design.plural for design in self.catalog.vocabulary.designs), BACKGROUND_GROUP]
        grouped: dict[str, list[Work]] = {}
        for work in sorted(self.catalog.works.values(), key=sort_key):
            study = self.catalog.study(work.key)
            grouped.setdefault(study.design.plural if study else BACKGROUND_GROUP, []).append(work)
        headings = enumerate((heading for heading in order if heading in grouped), 1)
        return split_pages([(number, work) for number, heading in headings for work in grouped[heading]], REFERENCES_PER_PAGE)

    def _entry(self, group: int, work: Work) -> BibliographyEntry:
        places = self._places(work.key)
        return BibliographyEntry(
            group,
            work,
            self.works.html(work.key),
            self.catalog.study(work.key),
            tuple(places[:PLACES_SHOWN]),
            len(places),
            sum(place.claims for place in places),
        )

    @property
    def reference_pages(self) -> int:
        return len(self._bibliography)

    @cached_property
    def _groups(self) -> list[Group]:
        """Every group: heading, size and the page where it starts (the same on every page)."""
        pages = self._bibliography
        headings: dict[int, str] = {}
        counts: dict[int, int] = {}
        starts: dict[int, str] = {}
        for number, page in enumerate(pages, 1):
            for group, work in page:
                if group not in headings:
                    study = self.catalog.study(work.key)
                    headings[group] = study.design.plural if study else BACKGROUND_GROUP
                    starts[group] = listing_path("references", number)
                counts[group] = counts.get(group, 0) + 1
        return [Group(n, headings[n], counts[n], starts[n]) for n in counts]

    def references(self, number: int) -> dict[str, Any]:
        """Return the context of page `number` of the bibliography: its groups, every group and the pager.

        Only this page's entries are made (formatted references, cited-by places): an edit that re-makes no
        page of the bibliography formats none of them.
        """
        pages = self._bibliography
        pager = make_pager("references", number, pages, _author_range)
        shown = [self._entry(group, work) for group, work in pages[number - 1]]
        path = listing_path("references", number)
        return {
            "work_count": pager.total,
            "pager": pager,
            "all_groups": list(self._groups),
            "groups": [
                # a group is contiguous: it continues from an earlier page when it starts on another one
                replace(group, entries=entries, continued=group.start != path)
                for group in self._groups
                for entries in (tuple(entry for entry in shown if entry.group == group.number),)
                if entries
            ],
        }

    def _places(self, key: str) -> list[Place]:
        """Return the pages citing `key` once each: short label, output path, number of claims."""
        places: dict[str, list[Any]] = {}
        for place in self.cited_by.get(key, []):
            path = place.path.split("#", 1)[0]
            entry = places.setdefault(path, [self._short_title(path, place.title), path, 0])
            if place.claim:
                entry[2] += 1
        return [Place(str(label), str(path), int(claims)) for label, path, claims in places.values()]

    def _short_title(self, path: str, title: str) -> str:
        page = self.by_path.get(path)
        if page is not None and page.study is not None:
            work = page.study.work
            return f"{short_label(work)} {year_label(work)}".strip()
        return title

    # ---------------------------------------------------------------- explorer

    @cached_property
    def _explorer_pages(self) -> list[Sequence[Page]]:
        return split_pages(self.studies_sorted(), STUDIES_PER_PAGE)

    @property
    def explorer_pages(self) -> int:
        return len(self._explorer_pages)

    def explorer(self, number: int) -> dict[str, Any]:
        """Return the context of page `number` of the explorer: its rows, the pager and the filters' choices."""
        pages = self._explorer_pages
        context: dict[str, Any] = {
            "studies": list(pages[number - 1]),
            "study_total": sum(len(page) for page in pages),
            "pager": make_pager("studies", number, pages, _year_range),
            "data_files": chunk_paths(sum(len(page) for page in pages)),
            "designs": sorted({p.study.design for p in self.catalog.studies.values() if p.study}, key=lambda d: d.rank),
        }
        context.update(self.evidence.explorer())
        # each risk-of-bias choice with its level and symbol: explorer.js draws the rows it makes from them
        judgements = sorted({(j.level, j.value, j.label, j.symbol) for j in context["rob_of"].values()})
        context["rob_options"] = list(dict.fromkeys((value, label, level, symbol) for level, value, label, symbol in judgements))
        context["pager_size"] = STUDIES_PER_PAGE
        context["chunk_size"] = STUDIES_PER_CHUNK
        context["csv_header"] = to_csv(study_columns(self.catalog), []).decode("utf-8").rstrip("\r\n")
        return context


def _author_range(slots: Sequence[tuple[int, Work]]) -> str:
    if not slots:
        return ""
    return range_label(_first_author(slots[0][1]), _first_author(slots[-1][1]))


def _first_author(work: Work) -> str:
    return work.authors[0].family if work.authors else work.title[:30]


def _year_range(pages: Sequence[Page]) -> str:
    years = [str(p.study.work.year or "") for p in pages if p.study]
    return range_label(years[0], years[-1]) if years else ""
