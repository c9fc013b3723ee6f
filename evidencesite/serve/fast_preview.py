"""`serve`'s fast path: write the page of a note whose body alone changed, then run the full rebuild.

An author editing prose waits for one page. When a save changed only the body of one content file
(its front matter, which lists, the matrix and other notes' year suffixes are made from, is unchanged),
that page is exactly what the full build will produce: its HTML depends on its own body, on the works
it cites (unchanged: they are other files) and on who cites it (also other files). We render it from
the last build's catalog, views and templates, write it atomically, and the server reloads the
browser; the full incremental rebuild runs straight after and updates everything else (pages whose
cited-by list changed, the references page, the search index, caches), rewriting this page with the
same bytes. Front-matter edits, problems, drafts, several files or anything outside content/ decline,
and only the full build runs. This is Hugo's "fast render mode", made exact by those conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from evidencesite.cache.build_memo import BuildMemo
from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.content.frontmatter import is_draft
from evidencesite.content.loader import RawDocument, kind_of, read_document
from evidencesite.content.schema import validate_document
from evidencesite.errors import Diagnostics
from evidencesite.output.writer import OutputError, output_lock, replace_file
from evidencesite.render.rendered import RenderedPage, render_page
from evidencesite.site.plan import SitePlan


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
    vocabulary = state.config.vocabulary
    parts = path.relative_to(content).parts
    kind = kind_of(parts, vocabulary.keys)
    if previous is None or kind is None:
        return None
    diagnostics = Diagnostics(site)
    document = memo.reader(read_document)(path, diagnostics)
    if document is None or diagnostics.items or is_draft(document):
        return None
    validate = memo.validator(partial(validate_document, vocabulary=vocabulary), vocabulary.fingerprint)
    page = validate(RawDocument(kind, path.stem, path, document, parts[0] if len(parts) == 2 else ""), diagnostics)
    if page is None or diagnostics.items or page.meta_digest != previous.page.meta_digest:
        return None  # the front matter changed: lists, the matrix and other pages may show it
    # the catalog's page (with values derived from other notes, such as a year suffix) with the new body
    page = replace(previous.page, body=page.body, body_line=page.body_line, source_digest=page.source_digest)
    from evidencesite.markdown.render import MarkdownRenderer

    renderer = memo.renderer
    if not isinstance(renderer, MarkdownRenderer) or renderer.raw_html is not state.config.raw_html:
        renderer = memo.renderer = MarkdownRenderer(state.config.raw_html)  # the HTML policy may have changed
    rendered, record = render_page(page, state.catalog, state.config, renderer)
    if record.problems:
        return None  # the full build reports them
    from evidencesite.site.templating import TemplateRenderError

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
