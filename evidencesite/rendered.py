"""Render every page body and gather what the templates need: references, back-links, claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from .catalog import Catalog
from .config import SiteConfig
from .errors import Diagnostics
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


def render_all(catalog: Catalog, config: SiteConfig, diagnostics: Diagnostics) -> list[RenderedPage]:
    """Render every published page in catalog order."""
    renderer = MarkdownRenderer(config.raw_html)
    return [render_page(page, catalog, config, renderer, diagnostics) for page in catalog.all_pages()]
