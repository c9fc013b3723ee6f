"""Render every page body and gather what the templates need: references, back-links, claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from evidencesite.cache.render_cache import CachedBody, RenderCache, work_signature
from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.content.loader import RawDocument
from evidencesite.csl.styles import format_once, install_memo
from evidencesite.errors import Diagnostics
from evidencesite.html_text import BODY_CHARS, leading_text
from evidencesite.markdown.extensions import DocumentContext
from evidencesite.markdown.page_citations import PageCitations
from evidencesite.markdown.render import MarkdownRenderer, RenderDepthError
from evidencesite.models import Claim, Page, Role, Source
from evidencesite.urls import page_path
from evidencesite.worker_pool import run_in_workers, worker_count

if TYPE_CHECKING:
    from evidencesite.csl.formatter import FormatMemo


@dataclass(frozen=True)
class ClaimEvidence:
    key: str
    role: Role
    anchor: str


@dataclass(frozen=True)
class RenderedClaim:
    claim: Claim
    evidence: tuple[ClaimEvidence, ...]

    @property
    def anchor(self) -> str:
        return f"claim-{self.claim.id}"

    def role_counts(self) -> dict[str, int]:
        counts = {role.value: 0 for role in Role}
        for item in self.evidence:
            counts[item.role.value] += 1
        return counts


@dataclass(frozen=True)
class RenderedPage:
    """A page with its body rendered; `cited` is in citation order, `backlinks` maps key -> anchors."""

    page: Page
    output_path: str
    body: Markup
    headings: tuple[tuple[int, str, str], ...]
    cited: tuple[str, ...]
    backlinks: dict[str, tuple[str, ...]]
    claims: tuple[RenderedClaim, ...] = ()
    links: frozenset[str] = field(default_factory=frozenset)
    # the render cache key: with the cited works and link targets, it determines everything above
    render_key: str = ""
    search_text: str = ""  # the start of the body's visible text, for the search index


def content_resolver(catalog: Catalog) -> Callable[[str], str | None]:
    """Return a function mapping a content-relative path ('mechanisms/x.md') to its output path."""
    assets = catalog.asset_paths

    def resolve(target: str) -> str | None:
        page = catalog.content_paths.get(target)
        if page is not None:
            return page_path(page)
        return target if target in assets else None

    return resolve


@dataclass
class PageProblems:
    """What rendering one page reported, and what it looked up (for the cache)."""

    problems: list[tuple[int, str, bool]] = field(default_factory=list)
    looked_up: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    broken_refs: set[str] = field(default_factory=set)  # files that failed validation this page cites or links

    @property
    def has_errors(self) -> bool:
        return any(is_error for _, _, is_error in self.problems)


def render_page(
    page: Page, catalog: Catalog, config: SiteConfig, renderer: MarkdownRenderer
) -> tuple[RenderedPage, PageProblems]:
    """Render one page; return it with every problem it reported (file lines) and its lookups."""
    record = PageProblems()

    def report(line: int, message: str, is_error: bool) -> None:
        record.problems.append((line, message, is_error))

    broken_keys = frozenset(catalog.broken_keys)
    own_key = page.study.work.key if page.study is not None else ""
    citations = PageCitations(catalog.works, config.citation_style, report, catalog.draft_keys, broken_keys, own_key)
    output_path = page_path(page)
    source_dir = page.section
    context = DocumentContext(
        citations,
        page.body,
        source_dir,
        output_path,
        content_resolver(catalog),
        report,
        page.body_line,
        catalog.broken_paths,
    )
    try:
        body = renderer.render(page.body, context)
        html, headings = body.html, body.headings
    except RenderDepthError as exc:
        report(page.body_line, str(exc), True)
        html, headings = "", ()
    claims = tuple(_register_claim(claim, citations) for claim in page.claims)
    record.looked_up = citations.looked_up
    record.links = context.links
    record.broken_refs = context.broken_links | {catalog.broken_keys[k] for k in citations.looked_up & broken_keys}
    rendered = RenderedPage(
        page=page,
        output_path=output_path,
        body=Markup(html),
        headings=headings,
        cited=tuple(citations.order),
        backlinks={key: tuple(anchors) for key, anchors in citations.backlinks.items()},
        claims=claims,
        links=frozenset(context.links),
        search_text=leading_text(html, BODY_CHARS),
    )
    return rendered, record


def _register_claim(claim: Claim, citations: PageCitations) -> RenderedClaim:
    evidence = []
    for item in claim.evidence:
        if not citations.known(item.key, item.source.line):
            continue
        evidence.append(ClaimEvidence(item.key, item.role, citations.register(item.key)))
    return RenderedClaim(claim, tuple(evidence))


def _to_cache(rendered: RenderedPage, record: PageProblems) -> CachedBody:
    return CachedBody(
        html=str(rendered.body),
        headings=[list(h) for h in rendered.headings],
        cited=list(rendered.cited),
        backlinks={key: list(anchors) for key, anchors in rendered.backlinks.items()},
        claim_anchors=[[[e.key, e.role.value, e.anchor] for e in claim.evidence] for claim in rendered.claims],
        links=sorted(rendered.links),
        warnings=[[line, message] for line, message, _ in record.problems],
        text=rendered.search_text,
    )


def _from_cache(page: Page, output_path: str, body: CachedBody, key: str) -> RenderedPage:
    claims = tuple(
        RenderedClaim(claim, tuple(ClaimEvidence(key, Role(role), anchor) for key, role, anchor in anchors))
        for claim, anchors in zip(page.claims, body.claim_anchors, strict=True)
    )
    return RenderedPage(
        page=page,
        output_path=output_path,
        body=Markup(body.html),
        headings=tuple((int(level), str(ident), str(text)) for level, ident, text in body.headings),
        cited=tuple(body.cited),
        backlinks={key: tuple(anchors) for key, anchors in body.backlinks.items()},
        claims=claims,
        links=frozenset(body.links),
        render_key=key,
        search_text=body.text,
    )


def stored_page(site: Path, page: Page, key: str) -> RenderedPage | None:
    """The page as the render cache holds it under `key` (the last full build's), or None."""
    body = RenderCache[RenderedPage].stored_body(site, key)
    if body is None:
        return None
    try:
        return _from_cache(page, page_path(page), body, key)
    except (ValueError, TypeError):
        return None


def render_all(
    catalog: Catalog,
    config: SiteConfig,
    diagnostics: Diagnostics,
    root: Path,
    cache: RenderCache | None = None,
    referrers: dict[str, set[str]] | None = None,
) -> list[RenderedPage]:
    """Render every published page in catalog order: from the cache where valid, else across processes.

    `referrers` collects, for each file that failed validation, the pages that cite or link it.
    """
    cache = cache or RenderCache.load(None)
    pages = catalog.all_pages()
    memo = format_once(config.citation_style, catalog.works.values())  # before any pool forks
    resolve = content_resolver(catalog)
    signatures = {key: work_signature(work) for key, work in catalog.works.items()}
    # A key whose note is broken matches no stored entry (pages citing one are never stored), so every page
    # citing it is rendered and counted.
    signatures.update({key: ["broken"] for key in catalog.broken_keys})
    results: list[RenderedPage | None] = [None] * len(pages)
    keys = [cache.key(page, config, page_path(page)) for page in pages]
    missing = []
    for index, page in enumerate(pages):
        hit = cache.lookup(keys[index], signatures, resolve)
        if hit is not None:
            previous = cache.decoded.get(keys[index])
            try:
                if isinstance(previous, RenderedPage) and _same_page(previous.page, page):
                    results[index] = previous  # a long-running process kept it from its last build
                else:
                    results[index] = _from_cache(page, page_path(page), hit, keys[index])
            except (ValueError, TypeError):
                missing.append(index)
                continue
            cache.decoded[keys[index]] = results[index]
            for line, message in hit.warnings:
                diagnostics.warning(page.path, int(line), str(message))
        else:
            missing.append(index)
    for index, (rendered, record) in zip(
        missing, _render_many([pages[i] for i in missing], catalog, config, memo), strict=True
    ):
        rendered = replace(rendered, render_key=keys[index])
        results[index] = rendered
        for line, message, is_error in record.problems:
            (diagnostics.error if is_error else diagnostics.warning)(pages[index].path, line, message)
        for broken in record.broken_refs:
            if referrers is not None:
                referrers.setdefault(broken, set()).add(pages[index].source.path)
        if not record.has_errors and not record.broken_refs:
            works = {key: signatures.get(key) for key in sorted(record.looked_up)}
            links = {target: resolve(target) for target in sorted(record.links)}
            cache.store(keys[index], _to_cache(rendered, record), works, links)
            cache.decoded[keys[index]] = rendered
    return [item for item in results if item is not None]


def check_broken_bodies(raws: list[RawDocument], catalog: Catalog, config: SiteConfig, diagnostics: Diagnostics) -> None:
    """Report the body problems of files whose front matter failed validation, in the same run.

    Such a file is not published, but its body is rendered once for its problems (unknown citation keys, links
    to missing files, unclosed raw HTML), so the author sees everything to fix at once, not on the next run.
    """
    if not raws:
        return
    renderer = MarkdownRenderer(config.raw_html)
    for raw in raws:
        page = Page(
            kind=raw.kind,
            slug=raw.stem,
            title=raw.stem,
            summary="",
            body=raw.document.body,
            body_line=raw.document.body_line,
            source=Source(diagnostics.display_path(raw.path), 1),
            path=raw.path,
            section=raw.section,
        )
        _, record = render_page(page, catalog, config, renderer)
        for line, message, is_error in record.problems:
            (diagnostics.error if is_error else diagnostics.warning)(raw.path, line, message)


def _same_page(old: Page, new: Page) -> bool:
    """True when `old` can stand for `new`: the same file content and the same values derived from others.

    The catalog makes new Page objects for studies whose year needs a suffix (2019a), so identity is not
    enough; equality leaves out the digests, so the source digest is compared on its own.
    """
    return old is new or (old.source_digest == new.source_digest and old == new)


def _render_many(
    pages: list[Page], catalog: Catalog, config: SiteConfig, memo: FormatMemo | None = None
) -> list[tuple[RenderedPage, PageProblems]]:
    workers = worker_count(len(pages))
    if workers <= 1:
        renderer = MarkdownRenderer(config.raw_html)
        return [render_page(page, catalog, config, renderer) for page in pages]
    results: list[tuple[RenderedPage, PageProblems] | None] = [None] * len(pages)
    # Workers get the pages and catalog once (inherited when forked, pickled when spawned); then only page
    # numbers travel to them, and only the rendered parts travel back: the parent keeps its own Page objects
    # (cheaper, and identity matters to `serve`, which reuses pages that did not change).
    jobs = (pages, catalog, config, memo)
    for chunk, rendered in run_in_workers(_start_worker, jobs, _render_chunk, len(pages), workers):
        for index, (body, record) in zip(chunk, rendered, strict=True):
            page = pages[index]
            results[index] = (_from_cache(page, page_path(page), body, ""), record)
    return [item for item in results if item is not None]


@dataclass
class _WorkerState:
    pages: list[Page]
    catalog: Catalog
    config: SiteConfig
    renderer: MarkdownRenderer


def _start_worker(pages: list[Page], catalog: Catalog, config: SiteConfig, memo: FormatMemo | None) -> _WorkerState:
    install_memo(config.citation_style, memo)  # a forked worker has the works formatted already
    return _WorkerState(pages, catalog, config, MarkdownRenderer(config.raw_html))


def _render_chunk(worker: _WorkerState, indices: list[int]) -> list[tuple[CachedBody, PageProblems]]:
    results = []
    for index in indices:
        rendered, record = render_page(worker.pages[index], worker.catalog, worker.config, worker.renderer)
        results.append((_to_cache(rendered, record), record))
    return results
