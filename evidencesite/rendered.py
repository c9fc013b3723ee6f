"""Render every page body and gather what the templates need: references, back-links, claims."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .catalog import Catalog
from .config import SiteConfig
from .errors import Diagnostic, Diagnostics
from .markdown_ext import DocumentContext
from .markdown_render import MarkdownRenderer, RenderDepthError
from .models import Claim, Kind, Page, Role
from .page_citations import PageCitations
from .urls import page_path


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


def content_resolver(catalog: Catalog) -> Callable[[str], str | None]:
    """Return a function mapping a content-relative path ('mechanisms/x.md') to its output path."""
    assets = {site_path for _, site_path in catalog.assets}

    def resolve(target: str) -> str | None:
        page = catalog.content_paths.get(target)
        if page is not None:
            return page_path(page)
        return target if target in assets else None

    return resolve


def render_page(
    page: Page, catalog: Catalog, config: SiteConfig, renderer: MarkdownRenderer, diagnostics: Diagnostics
) -> RenderedPage:
    """Render one page; every problem in it is reported with its file and line."""

    def report(line: int, message: str, is_error: bool) -> None:
        (diagnostics.error if is_error else diagnostics.warning)(page.path, line, message)

    broken_keys = frozenset(b.split("/", 1)[1] for b in catalog.broken if b.startswith("studies/"))
    citations = PageCitations(catalog.works, config.citation_style, report, catalog.draft_keys, broken_keys)
    output_path = page_path(page)
    source_dir = "" if page.kind is Kind.HOME else page.kind.value
    context = DocumentContext(
        citations, page.body, source_dir, output_path, content_resolver(catalog), report, page.body_line
    )
    try:
        body = renderer.render(page.body, context)
        html, headings = body.html, body.headings
    except RenderDepthError as exc:
        report(page.body_line, str(exc), True)
        html, headings = "", ()
    claims = tuple(_register_claim(claim, citations, report) for claim in page.claims)
    return RenderedPage(
        page=page,
        output_path=output_path,
        body=Markup(html),
        headings=headings,
        cited=tuple(citations.order),
        backlinks={key: tuple(anchors) for key, anchors in citations.backlinks.items()},
        claims=claims,
        links=frozenset(context.links),
    )


def _register_claim(claim: Claim, citations: PageCitations, report: Callable[[int, str, bool], None]) -> RenderedClaim:
    evidence = []
    for item in claim.evidence:
        if not citations.known(item.key, item.source.line):
            continue
        evidence.append(ClaimEvidence(item.key, item.role, citations.register(item.key)))
    return RenderedClaim(claim, tuple(evidence))


def render_all(catalog: Catalog, config: SiteConfig, diagnostics: Diagnostics, root: Path) -> list[RenderedPage]:
    """Render every published page in catalog order, across processes when there are many."""
    pages = catalog.all_pages()
    workers = _worker_count(len(pages))
    if workers <= 1:
        renderer = MarkdownRenderer(config.raw_html)
        return [render_page(page, catalog, config, renderer, diagnostics) for page in pages]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [list(range(start, len(pages), workers * 4)) for start in range(workers * 4)]
    results: list[RenderedPage | None] = [None] * len(pages)
    # fork: the children inherit the catalog instead of unpickling it
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(catalog, config, root)
    ) as pool:
        for chunk, (rendered, problems) in zip(chunks, pool.map(_render_chunk, chunks), strict=True):
            for index, item in zip(chunk, rendered, strict=True):
                results[index] = item
            diagnostics.extend(problems)
    return [item for item in results if item is not None]


PARALLEL_THRESHOLD = 200


def _worker_count(pages: int) -> int:
    """Use every core we may run on once the corpus is large enough to pay for starting processes."""
    if pages < PARALLEL_THRESHOLD:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


@dataclass
class _WorkerState:
    catalog: Catalog
    config: SiteConfig
    root: Path
    renderer: MarkdownRenderer


_worker: _WorkerState | None = None  # one per worker process, set by its initializer


def _start_worker(catalog: Catalog, config: SiteConfig, root: Path) -> None:
    global _worker
    _worker = _WorkerState(catalog, config, root, MarkdownRenderer(config.raw_html))


def _render_chunk(indices: list[int]) -> tuple[list[RenderedPage], list[Diagnostic]]:
    assert _worker is not None
    pages = _worker.catalog.all_pages()
    diagnostics = Diagnostics(_worker.root)
    rendered = [render_page(pages[i], _worker.catalog, _worker.config, _worker.renderer, diagnostics) for i in indices]
    return rendered, diagnostics.items
