"""`serve`'s fast path: write the page of a note whose body alone changed, then run the full rebuild.

An author editing prose waits for one page. When a save changed only the body of one content file
(its front matter, which lists, the matrix and other notes' year suffixes are made from, is unchanged),
that page is exactly what the full build will produce: its HTML depends on its own body, on the works
it cites (unchanged: they are other files) and on who cites it (also other files). We render it from
the last build's catalog, views and templates (kept from the build's result), write it atomically, and
the server reloads the browser; the full incremental rebuild runs straight after and updates everything else (pages whose
cited-by list changed, the references page, the search index, caches), rewriting this page with the
same bytes. Front-matter edits, problems, drafts, several files or anything outside content/ decline,
and only the full build runs. This is Hugo's "fast render mode", made exact by those conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from evidencesite.build.options import BuiltSite
from evidencesite.cache.store import MemoryStore
from evidencesite.content.frontmatter import is_draft
from evidencesite.content.loader import RawDocument, kind_of
from evidencesite.errors import Diagnostics
from evidencesite.markdown.render import MarkdownRenderer
from evidencesite.output.writer import OutputError, output_lock, replace_file
from evidencesite.render.rendered import render_page
from evidencesite.site.templating import TemplateRenderError


@dataclass
class FastPreview:
    """The fast path of one server: the last successful build, the store it read with, a Markdown renderer."""

    store: MemoryStore
    built: BuiltSite | None = None  # from the last build's result; None after a failed build
    renderer: MarkdownRenderer | None = None  # made on first use, kept while the HTML policy stays

    def write_changed_body(self, site: Path, changed: Iterable[Path]) -> str | None:
        """Write the page of the one note whose body changed; return its output path, or None to decline."""
        state = self.built
        if state is None or state.plan.render_content is None:
            return None
        documents = self.store.document_store
        content = site / "content"
        relevant = [path for path in changed if path.exists() or path in state.rendered or path in documents]
        if len(relevant) != 1 or relevant[0].suffix != ".md" or content not in relevant[0].parents:
            return None  # several files, a deletion, or not a content note (a transient editor file is not relevant)
        path = relevant[0]
        previous = state.rendered.get(path)
        parts = path.relative_to(content).parts
        kind = kind_of(parts, state.config.vocabulary.keys)
        if previous is None or kind is None:
            return None
        diagnostics = Diagnostics(site)
        document = documents.read(path, diagnostics)
        if document is None or diagnostics.items or is_draft(document):
            return None
        raw = RawDocument(kind, path.stem, path, document, parts[0] if len(parts) == 2 else "")
        page = documents.validate(raw, diagnostics)
        if page is None or diagnostics.items or page.meta_digest != previous.page.meta_digest:
            return None  # the front matter changed: lists, the matrix and other pages may show it
        # the catalog's page (with values derived from other notes, such as a year suffix) with the new body
        page = replace(previous.page, body=page.body, body_line=page.body_line, source_digest=page.source_digest)
        if self.renderer is None or self.renderer.raw_html is not state.config.raw_html:
            self.renderer = MarkdownRenderer(state.config.raw_html)  # the HTML policy may have changed
        rendered, record = render_page(page, state.catalog, state.config, self.renderer)
        if record.problems:
            return None  # the full build reports them
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
