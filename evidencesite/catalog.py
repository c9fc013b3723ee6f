"""The catalog: every validated page and work, indexed, with every cross-reference checked at once."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostics, did_you_mean
from .models import Design, Kind, Page, Population, Role, Strength, Study, Work
from .reference_format import disambiguation_suffixes

RESERVED_SLUGS = frozenset(
    {
        "studies",
        "mechanisms",
        "substances",
        "evidence",
        "references",
        "search",
        "static",
        "pagefind",
        "exports",
        "pages",
        "index",
        "404",
        "feed",
        "sitemap",
    }
)


@dataclass(frozen=True)
class Catalog:
    """Published content, indexed. Drafts are kept apart so citing one gives a clear error."""

    home: Page | None
    studies: dict[str, Page]
    mechanisms: dict[str, Page]
    substances: dict[str, Page]
    pages: dict[str, Page]
    works: dict[str, Work]
    draft_keys: frozenset[str] = frozenset()
    assets: tuple[tuple[Path, str], ...] = ()
    content_paths: dict[str, Page] = field(default_factory=dict)  # 'studies/x.md' -> page
    broken: frozenset[str] = frozenset()  # 'studies/x' for files that failed validation

    @functools.cached_property
    def broken_study_keys(self) -> frozenset[str]:
        """Keys of study notes that failed validation: citing them is not reported again."""
        return frozenset(b.split("/", 1)[1] for b in self.broken if b.startswith("studies/"))

    @functools.cached_property
    def asset_paths(self) -> frozenset[str]:
        """Site paths of the non-Markdown files in content/ (link targets)."""
        return frozenset(site_path for _, site_path in self.assets)

    def is_broken(self, section: str, slug: str) -> bool:
        """True when `slug` names a file that exists but failed validation (already reported)."""
        return f"{section}/{slug}" in self.broken

    def all_pages(self) -> list[Page]:
        """Return every published page in a stable order: home, studies, mechanisms, substances, pages."""
        pages = [self.home] if self.home else []
        for section in (self.studies, self.mechanisms, self.substances, self.pages):
            pages.extend(section[slug] for slug in sorted(section))
        return pages

    def study(self, key: str) -> Study | None:
        page = self.studies.get(key)
        return page.study if page else None

    def ordered(self, section: dict[str, Page]) -> list[Page]:
        """Return a section's pages by their `order`, then title."""
        return sorted(section.values(), key=lambda p: (p.order or 10_000, p.title.lower(), p.slug))


def build_catalog(
    pages: Iterable[Page],
    bibliography: Iterable[Work],
    diagnostics: Diagnostics,
    include_drafts: bool = False,
    assets: tuple[tuple[Path, str], ...] = (),
    broken: frozenset[str] = frozenset(),
    skipped_drafts: frozenset[str] = frozenset(),
) -> Catalog:
    """Index pages and works and check every reference between them; report all problems."""
    sections: dict[Kind, dict[str, Page]] = {kind: {} for kind in Kind}
    home: Page | None = None
    draft_keys: set[str] = set(skipped_drafts)
    content_paths: dict[str, Page] = {}
    for page in pages:
        if page.draft and not include_drafts:
            if page.kind is Kind.STUDY:
                draft_keys.add(page.slug)
            continue
        content_paths[_content_path(page)] = page
        if page.kind is Kind.HOME:
            home = page
            continue
        section = sections[page.kind]
        if page.slug in section:
            diagnostics.error(page.path, 1, f"slug '{page.slug}' is also used by {section[page.slug].source.path}")
            continue
        section[page.slug] = page
    _check_slugs_across_sections(sections, diagnostics)
    works = _works(sections[Kind.STUDY], bibliography, diagnostics)
    catalog = Catalog(
        home=home,
        studies=sections[Kind.STUDY],
        mechanisms=sections[Kind.MECHANISM],
        substances=sections[Kind.SUBSTANCE],
        pages=sections[Kind.PAGE],
        works=works,
        draft_keys=frozenset(draft_keys - set(works)),
        assets=assets,
        content_paths=content_paths,
        broken=broken,
    )
    _check_study_references(catalog, diagnostics)
    _check_claims(catalog, diagnostics)
    if home is None and "index" not in broken:
        diagnostics.warning("content/index.md", 0, "no home page: add content/index.md with a title")
    return catalog


def _content_path(page: Page) -> str:
    if page.kind is Kind.HOME:
        return "index.md"
    return f"{page.kind.value}/{page.path.stem}.md"


def _check_slugs_across_sections(sections: dict[Kind, dict[str, Page]], diagnostics: Diagnostics) -> None:
    owners: dict[str, Page] = {}
    for kind in (Kind.MECHANISM, Kind.SUBSTANCE, Kind.PAGE):
        for slug, page in sorted(sections[kind].items()):
            if slug in owners:
                diagnostics.error(
                    page.path,
                    1,
                    f"slug '{slug}' is already used by {owners[slug].source.path}; a slug must name one thing "
                    "(the explorer's filters and the evidence matrix refer to pages by slug alone)",
                )
            else:
                owners[slug] = page
    for slug, page in sorted(sections[Kind.PAGE].items()):
        if slug in RESERVED_SLUGS:
            diagnostics.error(page.path, 1, f"page slug '{slug}' is reserved for a generated page; rename the file")


def _works(studies: dict[str, Page], bibliography: Iterable[Work], diagnostics: Diagnostics) -> dict[str, Work]:
    works: dict[str, Work] = {}
    for key, page in sorted(studies.items()):
        assert page.study is not None
        works[key] = page.study.work
    for work in bibliography:
        if work.key in works:
            other = works[work.key].source
            diagnostics.error(
                work.source.path,
                work.source.line,
                f"citation key '{work.key}' is defined twice: here and in {other.path}:{other.line}",
            )
            continue
        works[work.key] = work
    suffixes = disambiguation_suffixes(works.values())
    for key, suffix in suffixes.items():
        works[key] = dataclasses.replace(works[key], year_suffix=suffix)
    for key, page in studies.items():
        assert page.study is not None
        if page.study.work is not works[key]:
            study = dataclasses.replace(page.study, work=works[key])
            studies[key] = dataclasses.replace(page, study=study)
    return works


def _check_study_references(catalog: Catalog, diagnostics: Diagnostics) -> None:
    for page in catalog.studies.values():
        study = page.study
        assert study is not None
        for field_name, known in (("substances", catalog.substances), ("mechanisms", catalog.mechanisms)):
            for index, slug in enumerate(getattr(study, field_name)):
                if slug not in known and not catalog.is_broken(field_name, slug):
                    line = study.field_lines.get(f"{field_name}.{index}") or study.field_lines.get(field_name, 1)
                    diagnostics.error(
                        page.path,
                        line,
                        f"unknown {field_name[:-1]} '{slug}'{did_you_mean(slug, known)} "
                        f"(add content/{field_name}/{slug}.md or fix the slug)",
                    )


WEAK_DESIGNS = frozenset({Design.PRECLINICAL_ANIMAL, Design.PRECLINICAL_IN_VITRO, Design.CASE_REPORT})


def _check_claims(catalog: Catalog, diagnostics: Diagnostics) -> None:
    for page in catalog.mechanisms.values():
        for claim in page.claims:
            if claim.strength in (Strength.STRONG, Strength.MODERATE):
                studies = [catalog.study(e.key) for e in claim.evidence if e.role is not Role.CONTEXT]
                if studies and all(
                    s is not None and (s.design in WEAK_DESIGNS or s.population is Population.ANIMAL) for s in studies
                ):
                    diagnostics.warning(
                        page.path,
                        claim.source.line,
                        f"claim '{claim.id}' is graded {claim.strength.value} but rests only on animal, in-vitro or "
                        "case-report evidence",
                    )
            for evidence in claim.evidence:
                if evidence.key in catalog.works or catalog.is_broken("studies", evidence.key):
                    continue
                if evidence.key in catalog.draft_keys:
                    diagnostics.error(
                        page.path,
                        evidence.source.line,
                        f"claim '{claim.id}' cites '{evidence.key}', which is a draft (publish it, or build with --drafts)",
                    )
                else:
                    diagnostics.error(
                        page.path,
                        evidence.source.line,
                        f"claim '{claim.id}' cites unknown key '{evidence.key}'{did_you_mean(evidence.key, catalog.works)}",
                    )
