"""A build after edits to the prose of notes only: their pages and the search index, nothing else.

Authors mostly edit prose. At 10,000 studies a full incremental build still reads, catalogues and signs every
note (~4 s) to find that one page and a few search files changed. When the last full build saved what it knew
(cache/site_state.py), this build checks that exactly that is the case and makes only those files:

1. every input but some content notes is unchanged (by the stamps of every input file, as the no-op check);
2. each changed note existed, still reads and validates without a problem, is no draft, and has the same
   front matter (its digest), so every list, the matrix and every other page's reads of it are unchanged;
3. its page renders without a problem, and everything other outputs read of it (reads.outward: what it cites
   and where, claims, links, headings, element ids) is unchanged, so no cited-by list, reference, #fragment
   check or warning elsewhere changes;
4. the output, the record of it and the search index's cache are exactly what the last build left.

Then the page's signature is the last build's digest of its other reads with its new body (reads.signed),
its HTML is made by the same view and template, and the search index's touched files are patched as an
incremental full build would patch them: byte for byte the full build's output (tests/test_body_edit.py, and
the random walk of tests/test_incremental_random.py). Any other case returns None and the full build runs.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evidencesite.background import in_background
from evidencesite.build.edit_basis import EditBasis, PageRecord
from evidencesite.build.options import BuildResult, cache_not_saved
from evidencesite.cache.documents import DocumentStore
from evidencesite.cache.files import Stamp
from evidencesite.cache.last_build import LastBuild, intact_output, load_last_build
from evidencesite.cache.output_manifest import OutputManifest, output_identity, restamped, save_manifest
from evidencesite.cache.render_cache import RenderCache
from evidencesite.cache.search_cache import SearchCache
from evidencesite.cache.site_state import SiteState, load_payload, save_header
from evidencesite.cache.store import BuildStore
from evidencesite.content.frontmatter import Document, is_draft
from evidencesite.content.loader import RawDocument, kind_of, read_document
from evidencesite.content.schema import content_digests
from evidencesite.errors import Diagnostic, Diagnostics, InterruptedAfterWrite, Severity
from evidencesite.markdown.render import MarkdownRenderer
from evidencesite.models import replaced
from evidencesite.output.swap import replace_in_place
from evidencesite.output.writer import discard_stage, new_stage, output_lock, write_staged
from evidencesite.render.rendered import RenderedPage, content_resolver, render_page, stored_page
from evidencesite.site.reads import Reads, Sources, outward, rendered_part, signed
from evidencesite.site.search_plan import MOST_CHANGED, index_after_body_edits
from evidencesite.site.templating import TemplateRenderError, make_environment, render_template
from evidencesite.site.views import ViewBuilder

MOST_EDITS = 50  # more changed notes than this: the full build (it renders in parallel)


@dataclass
class _Edit:
    record: PageRecord
    item: RenderedPage
    old_signature: str  # its page's, as the output manifest records it
    signature: str


def build_body_edits(store: BuildStore, site: Path, output: Path, strict: bool, lap: Callable[[str], None]) -> BuildResult | None:
    """Build after body-only edits of content notes, as the module says; None when a full build is needed."""
    collecting = gc.isenabled()
    gc.disable()  # the catalog's half a million objects are no garbage: the collector would walk them (~0.1 s)
    try:
        return _build_body_edits(store, site, output, strict, lap)
    finally:
        if collecting:
            gc.enable()


def _build_body_edits(store: BuildStore, site: Path, output: Path, strict: bool, lap: Callable[[str], None]) -> BuildResult | None:
    state = store.site_state()
    current, unsettled = store.input_stamps()
    if state is None or current.keys() != state.inputs.keys():
        return None  # no saved state, or a file was added or removed
    # a file the last build read too soon after a change may have changed again under the same stamp
    changed = sorted(path for path, stamp in current.items() if state.inputs[path] != stamp or path in state.unsettled)
    if not changed or len(changed) > MOST_EDITS or any(path not in state.pages for path in changed):
        return None  # not only published content files
    diagnostics = Diagnostics(site)
    documents = _read_edits(changed, state, diagnostics)
    if documents is None:
        return None
    last = load_last_build(site)
    shown = {diagnostics.display_path(path) for path in changed}
    if (
        last is None
        or last.output != str(output)
        or (strict and last.warnings)
        or any(warning[0] in shown for warning in last.warnings)  # they may go away: the full build says
        or state.marker is None
        or last.marker != tuple(state.marker)
    ):
        return None
    with output_lock(output), in_background(lambda: intact_output(site, output, last)) as checking:
        payload = load_payload(site, state)
        if not isinstance(payload, EditBasis) or (payload.config.strict and last.warnings):
            return None  # site_config.yaml's `strict: true` applies to every build
        manifest = checking.result()
        if manifest is None:
            return None
        lap("read")
        edits = _render_edits(payload, site, documents, manifest, diagnostics)
        if edits is None:
            return None
        files = _pages(payload, site, edits)
        search = SearchCache.load(site)
        if files is None or not _search_files(payload, search, manifest, output, edits, files):
            return None
        lap("render")
        paths = sorted(files)
        if paths:  # none when each changed file was only read again (unsettled) and came out the same
            _replace(output, files)
        # saved before the lock is released: another build cannot swap in an output this record would then name
        not_saved = _save(store, site, output, state, manifest, search, files, (current, unsettled), last)
    lap("write")
    warnings = [Diagnostic(path, line, column, Severity.WARNING, message) for path, line, column, message in last.warnings]
    return BuildResult(
        [*warnings, *not_saved], Counter(last.counts), len(paths), tuple(paths), output=output, kind="body edit"
    )


def _replace(output: Path, files: dict[str, tuple[str, bytes]]) -> None:
    """Replace the output's files by `files` in place (output/swap.replace_in_place), as a small full build does."""
    stage = new_stage(output)
    try:
        for path, (_, data) in sorted(files.items()):
            write_staged(stage, None, path, data)
    except BaseException:
        discard_stage(stage)
        raise
    swapped: list[bool] = []
    try:
        replace_in_place(stage, output, sorted(files), lambda: swapped.append(True))
    except KeyboardInterrupt:
        if swapped:
            raise InterruptedAfterWrite(str(output)) from None
        raise


def _read_edits(changed: list[str], state: SiteState, diagnostics: Diagnostics) -> dict[str, Document] | None:
    """Read each changed file; None unless each reads cleanly, is no draft and has the same front matter (step 2)."""
    documents = {}
    for source in changed:
        document = read_document(Path(source), diagnostics)
        if document is None or diagnostics.items or is_draft(document):
            return None
        if content_digests(document.raw_front_matter, document.body)[0] != state.pages[source]:
            return None
        documents[source] = document
    return documents


def _render_edits(
    payload: EditBasis, site: Path, documents: dict[str, Document], manifest: OutputManifest, diagnostics: Diagnostics
) -> list[_Edit] | None:
    """Validate and render each changed file; None unless each is a clean body-only edit (steps 2, 3)."""
    config, catalog = payload.config, payload.catalog
    reader = DocumentStore(None, remember=False)
    reader.begin(config.vocabulary)
    renderer = MarkdownRenderer(config.raw_html)
    keys = RenderCache[Any].load(None)
    resolve = content_resolver(catalog)
    content = site / "content"
    edits = []
    for source, document in documents.items():
        path, record = Path(source), payload.pages.get(source)
        if record is None or content not in path.parents or record.output_path not in manifest.files:
            return None
        parts = path.relative_to(content).parts
        previous = catalog.content_paths.get("/".join(parts))  # the catalog's page (content_paths: 'studies/x.md')
        if previous is None:
            return None
        kind = kind_of(parts, config.vocabulary.keys)
        if kind is None:
            return None
        raw = RawDocument(kind, path.stem, path, document, parts[0] if len(parts) == 2 else "")
        page = reader.validate(raw, diagnostics)
        if page is None or diagnostics.items or page.meta_digest != previous.meta_digest:
            return None
        # the catalog's page (with what it derives from other notes, such as a year suffix) with the new body
        page = replaced(previous, body=page.body, body_line=page.body_line, source_digest=page.source_digest)
        item, problems = render_page(page, catalog, config, renderer)
        if problems.problems or problems.broken_refs or item.output_path != record.output_path:
            return None
        item = replace(item, render_key=keys.key(page, config, item.output_path))
        made = stored_page(site, previous, record.render_key)  # as the last full build made it
        if made is None or outward(item) != outward(made):
            return None
        signature, old_signature = signed(record.rest, rendered_part(item, resolve)), manifest.files[record.output_path][0]
        if signature != old_signature:  # else it was read again only because its stamp proved nothing
            edits.append(_Edit(record, item, old_signature, signature))
    return edits


def _pages(payload: EditBasis, site: Path, edits: list[_Edit]) -> dict[str, tuple[str, bytes]] | None:
    """Each edited page's signature and HTML, made by the view and template a full build uses."""
    from evidencesite.cache.bytecode import disk_bytecode_cache
    from evidencesite.cache.files import cache_folder

    config, catalog = payload.config, payload.catalog
    views = ViewBuilder(config, catalog, payload.cited_by, payload.matrix, config.search)
    sources = Sources(catalog, payload.cited_by, content_resolver(catalog))
    environment = make_environment(site, disk_bytecode_cache(cache_folder(site) / "jinja"))
    files = {}
    for edit in edits:
        try:
            html = render_template(environment, edit.record.template, views.content_view(edit.item, Reads.start(sources))())
        except TemplateRenderError:
            return None  # the full build reports it
        files[edit.record.output_path] = (edit.signature, html.encode("utf-8"))
    return files


def _search_files(
    payload: EditBasis,
    search: SearchCache,
    manifest: OutputManifest,
    output: Path,
    edits: list[_Edit],
    files: dict[str, tuple[str, bytes]],
) -> bool:
    """Add the search index's files the edits change; False when the index is not as the last build left it."""
    if not payload.config.search or not edits:
        return True
    last = search.state
    if last is None or len(edits) > MOST_CHANGED * len(last.keys):
        return False  # a full build indexes everything again past this share (search_plan.MOST_CHANGED)
    if any(manifest.files.get(path, ("",))[0] != signature for path, signature in last.signatures.items()):
        return False
    if any(not 0 <= e.record.search_number < len(last.keys) or last.keys[e.record.search_number] != e.old_signature for e in edits):
        return False
    changed = {e.record.search_number: (e.item, e.signature) for e in edits}
    made = index_after_body_edits(search, payload.phrases, changed, lambda path: _output_file(output, path))
    if made is None:
        return False
    files.update(made)
    return True


def _output_file(output: Path, path: str) -> bytes | None:
    try:
        return (output / path).read_bytes()
    except OSError:
        return None


def _save(
    store: BuildStore,
    site: Path,
    output: Path,
    state: SiteState,
    manifest: OutputManifest,
    search: SearchCache,
    files: dict[str, tuple[str, bytes]],
    inputs: tuple[dict[str, Stamp], set[str]],
    last: LastBuild,
) -> list[Diagnostic]:
    """Record the new output, search index and state; one that cannot be saved is a warning (the output is new)."""
    diagnostics = Diagnostics(site)
    try:
        signatures = {path: record[0] for path, record in manifest.files.items()}
        signatures.update((path, signature) for path, (signature, _) in files.items())
        if files:
            save_manifest(site, output, signatures, restamped(manifest.on_disk, output, files))
            search.save()
        (state.inputs, state.unsettled), state.marker = inputs, output_identity(output)
        save_header(site, state)
        store.record_build(output, last.counts, last.warnings)
    except KeyboardInterrupt:
        raise InterruptedAfterWrite(str(output)) from None
    except OSError as exc:
        cache_not_saved(diagnostics, site, exc)
    return diagnostics.items
