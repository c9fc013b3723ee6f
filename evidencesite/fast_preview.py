"""`serve`'s fast path: write the page of a note whose body alone changed, then run the full rebuild.

An author editing prose waits for one page. When a save changed only the body of one content file,
and the new body cites the same works in the same way (so no other page's cited-by list, reference
counts or numbering can change), that page is exactly what the full build will produce from the last
build's catalog, views and templates with the new body. We write it first, atomically, and the
server reloads the browser; the full incremental rebuild runs straight after and updates everything
else (search index, caches, manifest), rewriting the page with the same bytes. Anything else (front
matter, a new citation, a problem reported, several files) declines, and only the full build runs.
This is the idea of Hugo's "fast render mode", made exact by the conditions above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .build_memo import BuildMemo
from .catalog import Catalog
from .config import SiteConfig
from .errors import Diagnostics
from .frontmatter import is_draft
from .loader import RawDocument, kind_of, read_document
from .rendered import RenderedPage, render_page
from .schema import validate_document
from .site_outputs import SitePlan
from .writer import OutputError, output_lock, replace_file


@dataclass(frozen=True)
class PreviewState:
    """What the last successful build leaves for the fast path (kept in the server's BuildMemo)."""

    config: SiteConfig
    catalog: Catalog
    plan: SitePlan
    rendered: dict[Path, RenderedPage]  # by source file
    output: Path


def write_changed_body(memo: BuildMemo, site: Path, changed: Iterable[Path]) -> str | None:
    """Write the page of the one note whose body changed; return its output path, or None to decline."""
    state = memo.preview
    if not isinstance(state, PreviewState) or state.plan.render_content is None:
        return None
    content = site / "content"
    relevant = [path for path in changed if path.exists() or path in state.rendered or path in memo.documents]
    if len(relevant) != 1 or relevant[0].suffix != ".md" or content not in relevant[0].parents:
        return None  # several files, a deletion, or not a content note (a transient editor file is not relevant)
    path = relevant[0]
    previous = state.rendered.get(path)
    kind = kind_of(path.relative_to(content).parts)
    if previous is None or kind is None:
        return None
    diagnostics = Diagnostics(site)
    document = memo.reader(read_document)(path, diagnostics)
    if document is None or diagnostics.items or is_draft(document):
        return None
    page = memo.validator(validate_document)(RawDocument(kind, path.stem, path, document), diagnostics)
    if page is None or diagnostics.items or page.meta_digest != previous.page.meta_digest:
        return None  # the front matter changed: lists, the matrix and other pages may show it
    # the catalog's page (with values derived from other notes, such as a year suffix) with the new body
    page = replace(previous.page, body=page.body, body_line=page.body_line, source_digest=page.source_digest)
    renderer = memo.renderer
    if renderer is None:
        from .markdown_render import MarkdownRenderer

        renderer = memo.renderer = MarkdownRenderer(state.config.raw_html)
    rendered, record = render_page(page, state.catalog, state.config, renderer)  # type: ignore[arg-type]
    if record.problems or not _same_citations(previous, rendered):
        return None
    from .templating import TemplateRenderError

    try:
        data = state.plan.render_content(rendered)
    except TemplateRenderError:
        return None
    try:
        with output_lock(state.output):
            replace_file(state.output, rendered.output_path, data)
    except (OSError, OutputError):
        return None  # the output changed under us; the full build will sort it out
    return rendered.output_path


def _same_citations(old: RenderedPage, new: RenderedPage) -> bool:
    """True when no other page can tell the difference: the same works, cited in the body or only in claims."""
    if set(old.cited) != set(new.cited):
        return False
    old_claims = {e.anchor for claim in old.claims for e in claim.evidence}
    new_claims = {e.anchor for claim in new.claims for e in claim.evidence}
    return all(
        any(a not in old_claims for a in old.backlinks.get(key, ()))
        == any(a not in new_claims for a in new.backlinks.get(key, ()))
        for key in new.cited
    )
