"""The catalog: every validated page and work, indexed, with every cross-reference checked at once."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evidencesite.content.catalog_works import collect_works
from evidencesite.content.evidence_checks import check_evidence
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.models import Kind, Page, Population, Role, Strength, Study, Work
from evidencesite.urls import page_path

# free pages are published at '<slug>/': these (and the taxonomies' folders) are the generator's own
RESERVED_SLUGS = frozenset(
    {
        "studies",
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
        "changelog",
    }
)

# Output files made whatever the content (site/plan.py plans them; tests/test_hardening_input.py checks that every
# file of a built site is one of these, a taxonomy's list page, a page's file or a study's export) and the
# generator's own folder.
SECTION_PAGES = ("evidence", "studies", "references", "search")
EXPORT_SUFFIXES = ("bib", "ris", "json")
GENERATED_FILES = frozenset(
    (
        "index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "changes.xml",  # and changelog/index.html, evidence/*.csv: site/reader_outputs.py
        "changelog/index.html",
        *(f"evidence/{name}.csv" for name in ("studies", "matrix", "outcomes")),
        "robots.txt",
        *(f"references/references.{suffix}" for suffix in EXPORT_SUFFIXES),
        *(f"{section}/index.html" for section in SECTION_PAGES),
    )
)


def section_pages(vocabulary: Vocabulary) -> tuple[str, ...]:
    """Return the generated section pages' folders, the taxonomies' lists included, in navigation order."""
    return ("evidence", "studies", *vocabulary.keys, "references", "search")
GENERATED_FOLDER = "static/"


@dataclass(frozen=True)
class Catalog:
    """Published content, indexed. Drafts are kept apart so citing one gives a clear error."""

    home: Page | None
    studies: dict[str, Page]
    terms: dict[str, dict[str, Page]]  # taxonomy key -> slug -> page, in the vocabulary's order
    pages: dict[str, Page]
    works: dict[str, Work]
    vocabulary: Vocabulary = DEFAULT_VOCABULARY
    draft_keys: frozenset[str] = frozenset()
    assets: tuple[tuple[Path, str], ...] = ()
    content_paths: dict[str, Page] = field(default_factory=dict)  # 'studies/x.md' -> page
    broken: frozenset[str] = frozenset()  # 'studies/x' for files that failed validation
    # citation key of each study note that failed validation -> its file ('studies/x.md'): citing it is not
    # reported again; its own error says how many pages refer to it
    broken_keys: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def broken_paths(self) -> frozenset[str]:
        """Content paths ('studies/x.md') of the files that failed validation."""
        return frozenset(f"{entry}.md" for entry in self.broken)

    @functools.cached_property
    def asset_paths(self) -> frozenset[str]:
        """Site paths of the non-Markdown files in content/ (link targets)."""
        return frozenset(site_path for _, site_path in self.assets)

    def is_broken(self, section: str, slug: str) -> bool:
        """True when `slug` names a file that exists but failed validation (already reported)."""
        return f"{section}/{slug}" in self.broken

    def all_pages(self) -> list[Page]:
        """Return every published page in a stable order: home, studies, each taxonomy's pages, pages."""
        pages = [self.home] if self.home else []
        for section in (self.studies, *self.terms.values(), self.pages):
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
    broken_keys: dict[str, str] | None = None,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
) -> Catalog:
    """Index pages and works and check every reference between them; report all problems."""
    # content folder -> its pages: 'studies', each taxonomy's key, 'pages'
    sections: dict[str, dict[str, Page]] = {name: {} for name in ("studies", *vocabulary.keys, "pages")}
    home: Page | None = None
    draft_keys: set[str] = set(skipped_drafts)
    content_paths: dict[str, Page] = {}
    study_urls: dict[str, Page] = {}
    for page in pages:
        if page.draft and not include_drafts:
            if page.study is not None:
                draft_keys.add(page.study.work.key)
            continue
        content_paths[_content_path(page)] = page
        if page.kind is Kind.HOME:
            home = page
            continue
        section = sections[page.section]
        index = page.study.work.key if page.study is not None else page.slug
        if index in section:
            what = "citation key" if page.study is not None else "slug"
            diagnostics.error(
                page.path, 1, f"{what} '{index}' is also used by {section[index].source.path}; rename one"
            )
            continue
        if page.study is not None and page.slug in study_urls:
            other = study_urls[page.slug]
            assert other.study is not None
            diagnostics.error(
                page.path,
                1,
                f"citation key '{index}' and '{other.study.work.key}' of {other.source.path} give the same URL "
                f"studies/{page.slug}/ (keys that differ only in case or punctuation collide, and on macOS and "
                "Windows so do files); change one key",
            )
            continue
        study_urls[page.slug] = page
        section[index] = page
    _check_slugs_across_sections(sections, vocabulary, diagnostics)
    assets = _assets_off_generated_paths(assets, home, sections, vocabulary, diagnostics)
    works = collect_works(sections["studies"], bibliography, diagnostics)
    # collect_works replaced the studies whose work it changed (a year suffix): look those up, not the old ones
    content_paths.update((_content_path(page), page) for page in sections["studies"].values())
    catalog = Catalog(
        home=home,
        studies=sections["studies"],
        terms={key: sections[key] for key in vocabulary.keys},
        pages=sections["pages"],
        works=works,
        vocabulary=vocabulary,
        draft_keys=frozenset(draft_keys - set(works)),
        assets=assets,
        content_paths=content_paths,
        broken=broken,
        broken_keys=dict(broken_keys or {}),
    )
    _check_study_references(catalog, diagnostics)
    _check_claims(catalog, diagnostics)
    check_evidence(catalog, diagnostics)  # questions, results, pooling, GRADE ratings (evidence_checks.py)
    if home is None and "index" not in broken:
        diagnostics.warning("content/index.md", 0, "no home page: add content/index.md with a title")
    return catalog


def broken_references(catalog: Catalog) -> dict[str, set[str]]:
    """Return broken file ('studies/x.md') -> pages whose front matter refers to it (taxonomy terms, claims)."""
    found: dict[str, set[str]] = {}
    for page in catalog.all_pages():
        for section in catalog.vocabulary.keys:
            for slug in page.study.terms_of(section) if page.study else ():
                if catalog.is_broken(section, slug):
                    found.setdefault(f"{section}/{slug}.md", set()).add(page.source.path)
        for claim in page.claims:
            for evidence in claim.evidence:
                if evidence.key in catalog.broken_keys:
                    found.setdefault(catalog.broken_keys[evidence.key], set()).add(page.source.path)
    return found


def report_broken_references(referrers: dict[str, set[str]], diagnostics: Diagnostics, prefix: str) -> None:
    """Add one note to each broken file's first error: how many pages refer to it (not reported there)."""
    for content_path, pages in sorted(referrers.items()):
        path = f"{prefix}{content_path}"
        first = next((d for d in diagnostics.errors if d.path == path), None)
        others = pages - {path}
        if first is None or not others:
            continue
        count = len(others)
        what = "page cites or links" if count == 1 else "pages cite or link"
        diagnostics.note(path, first.line, f"{count} other {what} this file; they work again once it is fixed")


def _content_path(page: Page) -> str:
    if page.kind is Kind.HOME:
        return "index.md"
    return f"{page.section}/{page.path.stem}.md"


def generated_paths(
    home: Page | None, sections: dict[str, dict[str, Page]], vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> dict[str, str]:
    """Return every output path the generator writes for this content (case-folded) -> what it is."""
    generated = {path: "a generated page or file" for path in GENERATED_FILES}
    generated.update((f"{key}/index.html", "a generated page or file") for key in vocabulary.keys)
    for page in [home] if home else []:
        generated[page_path(page)] = f"the page of {page.source.path}"
    for section in sections.values():
        for page in section.values():
            generated[page_path(page)] = f"the page of {page.source.path}"
            if page.kind is Kind.STUDY:
                for suffix in EXPORT_SUFFIXES:
                    generated[f"studies/{page.slug}/{page.slug}.{suffix}"] = f"the export of {page.source.path}"
    return {path.casefold(): what for path, what in generated.items()}


def _assets_off_generated_paths(
    assets: tuple[tuple[Path, str], ...],
    home: Page | None,
    sections: dict[str, dict[str, Page]],
    vocabulary: Vocabulary,
    diagnostics: Diagnostics,
) -> tuple[tuple[Path, str], ...]:
    """Refuse a file of content/ that would land on a generated output path.

    A clean build would keep one and an incremental build the other: one input must give one output.
    Paths are compared without case, as macOS and Windows compare them.
    """
    generated = generated_paths(home, sections, vocabulary)
    kept = []
    for source, site_path in assets:
        folded = site_path.casefold()
        what = "the generator's static/ folder" if folded.startswith(GENERATED_FOLDER) else generated.get(folded)
        if what is None:
            kept.append((source, site_path))
            continue
        diagnostics.error(
            source,
            0,
            f"'{site_path}' would replace {what} in the output; rename or move the file "
            "(files for static/ belong in the site's own static/ folder)",
        )
    return tuple(kept)


def _check_slugs_across_sections(
    sections: dict[str, dict[str, Page]], vocabulary: Vocabulary, diagnostics: Diagnostics
) -> None:
    owners: dict[str, Page] = {}
    for section in (*vocabulary.keys, "pages"):
        for slug, page in sorted(sections[section].items()):
            if slug in owners:
                diagnostics.error(
                    page.path,
                    1,
                    f"slug '{slug}' is already used by {owners[slug].source.path}; a slug must name one thing "
                    "(the explorer's filters and the evidence matrix refer to pages by slug alone)",
                )
            else:
                owners[slug] = page
    for slug, page in sorted(sections["pages"].items()):
        if slug in RESERVED_SLUGS or slug in vocabulary.keys:
            diagnostics.error(page.path, 1, f"page slug '{slug}' is reserved for a generated page; rename the file")


def _check_study_references(catalog: Catalog, diagnostics: Diagnostics) -> None:
    for page in catalog.studies.values():
        study = page.study
        assert study is not None
        for taxonomy in catalog.vocabulary.taxonomies:
            field_name, known = taxonomy.key, catalog.terms[taxonomy.key]
            for index, slug in enumerate(study.terms_of(field_name)):
                if slug not in known and not catalog.is_broken(field_name, slug):
                    line = study.field_lines.get(f"{field_name}.{index}") or study.field_lines.get(field_name, 1)
                    diagnostics.error(
                        page.path,
                        line,
                        f"unknown {taxonomy.name} '{slug}'{did_you_mean(slug, known)} "
                        f"(add content/{field_name}/{slug}.md or fix the slug)",
                    )


def _check_claims(catalog: Catalog, diagnostics: Diagnostics) -> None:
    for page in (page for section in catalog.terms.values() for page in section.values()):
        for claim in page.claims:
            if claim.strength in (Strength.STRONG, Strength.MODERATE):
                studies = [catalog.study(e.key) for e in claim.evidence if e.role is not Role.CONTEXT]
                if studies and all(
                    s is not None and (s.design.weak or s.population is Population.ANIMAL) for s in studies
                ):
                    diagnostics.warning(
                        page.path,
                        claim.source.line,
                        f"claim '{claim.id}' is graded {claim.strength.value} but rests only on animal, in-vitro or "
                        "case-report evidence",
                    )
            for evidence in claim.evidence:
                if evidence.key in catalog.works or evidence.key in catalog.broken_keys:
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
