"""One build: gather and validate everything, render everything, and only then write."""

from __future__ import annotations

import dataclasses
import functools
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidencesite.cache.build_state import (
    RACY_NS,
    LastBuild,
    input_fingerprint,
    load_last_build,
    output_intact,
    save_last_build,
)
from evidencesite.cache.output_manifest import output_identity
from evidencesite.errors import Diagnostic, Diagnostics, InterruptedAfterWrite, Severity, SiteError
from evidencesite.output.writer import check_output_folder, output_lock

if TYPE_CHECKING:
    from evidencesite.build.page_pool import PlanInputs
    from evidencesite.cache.build_memo import BuildMemo
    from evidencesite.cache.render_cache import RenderCache
    from evidencesite.site.plan import SitePlan

BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    output: Path | None = None
    base_url: str | None = None
    strict: bool = False
    drafts: bool = False
    write: bool = True
    use_cache: bool = True
    memo: BuildMemo | None = field(default=None, compare=False)  # kept by `serve` between builds


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    counts: Counter[str] = field(default_factory=Counter)
    files_written: int = 0
    written: tuple[str, ...] = ()  # output paths this build (re)wrote
    timings: dict[str, float] = field(default_factory=dict)
    output: Path | None = None


Progress = Callable[[str, float], None]  # (stage just finished, seconds since the build started)
CACHE_NOT_SAVED = "the output was updated, but the cache was not saved"


@dataclass
class _Written:
    """What `_write` did, kept up to date so that an interruption can tell whether the output was replaced."""

    swapped: bool = False
    paths: tuple[str, ...] = ()  # output paths this build (re)wrote
    signatures: dict[str, str] = field(default_factory=dict)  # every output file's signature


def _cache_not_saved(diagnostics: Diagnostics, site: Path, exc: OSError) -> None:
    """Warn that the output is complete and correct but the cache could not be written (exit code stays 0)."""
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    diagnostics.warning(
        site / ".cache",
        0,
        f"{CACHE_NOT_SAVED}: {exc.strerror or exc}{where}; the next build will redo the work the cache would have "
        "saved (free some disk space or make .cache/ writable)",
    )


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site; raise SiteError (with every problem) before writing anything if it has errors."""
    site = options.site.resolve()
    if options.memo is not None:
        options.memo.preview = None  # set again only if this build succeeds
    fingerprint = ""
    trusted = False
    output = (options.output or site / "output").resolve()
    if options.write and options.use_cache:
        settings = {
            "output": str(output),
            "base_url": options.base_url,
            "strict": options.strict,
            "drafts": options.drafts,
        }
        started_ns = time.time_ns()
        fingerprint, newest_input_ns = input_fingerprint(site, BUILTIN_TEMPLATES, settings)
        trusted = newest_input_ns < started_ns - RACY_NS
        # `serve` (a memo) builds only when something changed, and needs its memo filled even then
        unchanged = None if options.memo is not None else _unchanged_build(site, output, fingerprint, options.strict)
        if unchanged is not None:
            return unchanged
    # The stages are imported here, not at the top: a build with nothing to do never loads them.
    from evidencesite.build.page_pool import PlanInputs
    from evidencesite.cache.render_cache import RenderCache
    from evidencesite.content.bibliography import load_bibliographies
    from evidencesite.content.catalog import broken_references, build_catalog, report_broken_references
    from evidencesite.content.config import load_config
    from evidencesite.content.frontmatter import is_draft
    from evidencesite.content.loader import RawDocument, find_content, read_document
    from evidencesite.content.schema import study_key, validate_document
    from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
    from evidencesite.csl.styles import current_memo
    from evidencesite.models import Kind
    from evidencesite.render.rendered import check_broken_bodies, render_all
    from evidencesite.site.plan import count_pages, plan_site

    diagnostics = Diagnostics(site)
    timings: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
        if progress:
            progress(stage, now - started)

    config = load_config(site, diagnostics, options.base_url)
    documents = None
    if options.memo is not None:
        reader = options.memo.reader(read_document)
    elif options.use_cache and options.write:
        from evidencesite.cache.document_cache import DocumentCache
        from evidencesite.cache.render_cache import code_fingerprint

        # validation depends on the vocabulary: pages validated under another one are not trusted
        words = config.vocabulary.fingerprint if config is not None else ""
        documents = DocumentCache.load(site, f"{code_fingerprint()} {words}")
        reader = documents.reader(read_document)
    else:
        reader = read_document
    vocabulary = config.vocabulary if config is not None else DEFAULT_VOCABULARY
    allow_active = config is not None and config.raw_html.value == "allow"
    content = find_content(site, diagnostics, reader, allow_active, vocabulary.keys)
    validate_here = functools.partial(validate_document, vocabulary=vocabulary)
    if options.memo is not None:
        validate = options.memo.validator(validate_here, vocabulary.fingerprint)
    elif documents is not None:
        validate = documents.validator(validate_here)
    else:
        validate = validate_here
    pages = []
    broken: set[str] = set()  # 'studies/x': files that failed validation (or were refused by name)
    broken_keys: dict[str, str] = {}  # their citation keys -> 'studies/x.md'
    draft_keys: set[str] = set()
    broken_documents: list[RawDocument] = []  # their bodies are checked too, so every problem shows in one run
    for raw in content.documents:
        cached = documents.page_of(raw) if documents is not None else None  # validated cleanly last time
        if not options.drafts and (cached.draft if cached is not None else is_draft(raw.document)):
            if raw.kind is Kind.STUDY:
                draft_keys.add(cached.study.work.key if cached and cached.study else study_key(raw))
            continue
        page = cached or validate(raw, diagnostics)
        if page is None:
            broken_documents.append(raw)
            broken.add(f"{raw.section}/{raw.stem}" if raw.section else raw.stem)
            if raw.kind is Kind.STUDY:
                broken_keys[study_key(raw)] = f"studies/{raw.path.name}"
        else:
            pages.append(page)
    for relative in content.rejected:
        if relative.endswith(".md"):
            broken.add(relative[:-3])
            if relative.startswith("studies/") and relative.count("/") == 1:
                broken_keys.setdefault(unicodedata.normalize("NFC", relative[8:-3]), relative)
    works = load_bibliographies(content.bibliographies, diagnostics)
    lap("read")
    if config is None:
        diagnostics.raise_if_errors()
    assert config is not None
    if config.strict and not options.strict:  # site_config.yaml's `strict: true` applies to every build
        options = dataclasses.replace(options, strict=True)
    catalog = build_catalog(
        pages,
        works,
        diagnostics,
        options.drafts,
        content.assets,
        frozenset(broken),
        frozenset(draft_keys),
        broken_keys,
        config.vocabulary,
    )
    lap("validate")
    cache = _render_cache(site, options, RenderCache)
    referrers = broken_references(catalog)
    rendered = render_all(catalog, config, diagnostics, site, cache, referrers)
    check_broken_bodies(broken_documents, catalog, config, diagnostics)
    report_broken_references(referrers, diagnostics, "content/")
    # Templates assume consistent content: with content errors they would only add noise.
    diagnostics.raise_if_errors()
    plan = plan_site(site, config, catalog, rendered, diagnostics, _bytecode_cache(site, options))
    diagnostics.raise_if_errors()  # colliding output paths, nav links leading nowhere, unreadable templates
    lap("render")
    result = BuildResult(diagnostics.items, count_pages(plan.files), timings=timings)
    if not options.write:
        for planned in plan.files:
            planned.produce()  # surfaces template errors exactly as a build would
        diagnostics.raise_if_errors(strict=options.strict)
        return result
    check_output_folder(output, site)
    written = _Written()
    try:
        with output_lock(output):
            formatted = current_memo(config.citation_style)
            inputs = PlanInputs(site, config, catalog, rendered, formatted)  # for worker processes that plan again
            _write(site, output, plan, diagnostics, options, lap, written, inputs)
    except KeyboardInterrupt:
        if written.swapped:  # held back during the swap, delivered just after it
            raise InterruptedAfterWrite(str(output)) from None
        raise
    except OSError as exc:
        if not written.swapped:
            diagnostics.error(output, 0, f"cannot write output: {exc.strerror or exc}")
            raise SiteError(diagnostics.items) from None
        _cache_not_saved(diagnostics, site, exc)  # e.g. removing the previous tree failed: the output is new
    result.written = written.paths
    result.files_written = len(written.paths)
    # The output is complete from here on: a cache that cannot be saved is a warning, not a failed build.
    try:
        if options.use_cache:
            from evidencesite.cache.output_manifest import save_manifest

            save_manifest(site, output, written.signatures)
            cache.save()
            if documents is not None:
                documents.save()
    except KeyboardInterrupt:
        raise InterruptedAfterWrite(str(output)) from None
    except OSError as exc:
        _cache_not_saved(diagnostics, site, exc)
    if options.memo is not None:
        from evidencesite.serve.fast_preview import PreviewState

        options.memo.preview = PreviewState(config, catalog, plan, {item.page.path: item for item in rendered}, output)
    if fingerprint and not any(d.message.startswith(CACHE_NOT_SAVED) for d in diagnostics.items):
        warnings = [[d.path, d.line, d.column, d.message] for d in diagnostics.items if d.severity is Severity.WARNING]
        state = LastBuild(fingerprint, str(output), dict(result.counts), warnings, trusted, output_identity(output))
        try:
            save_last_build(site, state)
        except KeyboardInterrupt:
            raise InterruptedAfterWrite(str(output)) from None
        except OSError as exc:
            _cache_not_saved(diagnostics, site, exc)
    result.diagnostics = diagnostics.items
    lap("write")
    result.output = output
    return result


def _bytecode_cache(site: Path, options: BuildOptions) -> object | None:
    """Compiled templates: in memory for `serve`, in <site>/.cache/jinja/ for cached command-line builds.

    Jinja keys each entry by the template's name and a checksum of its source; on disk each entry also
    carries a digest of its bytecode, so a stale or corrupted file is recompiled, never used.
    """
    if options.memo is not None:
        return options.memo.bytecode_cache()
    if not (options.use_cache and options.write):
        return None
    from evidencesite.site.templating import VerifiedFileBytecodeCache

    folder = site / ".cache" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # an unwritable .cache/ costs speed, never the build (its other parts warn when saved)
        return None
    return VerifiedFileBytecodeCache(str(folder))


def _render_cache(site: Path, options: BuildOptions, cache_type: type[RenderCache]) -> RenderCache:
    """Return this build's render cache: the previous build's when a long-running process keeps one."""
    if not (options.use_cache and options.write):
        return cache_type.load(None)
    memo = options.memo
    if memo is not None and memo.render_cache is not None:
        cache = memo.render_cache.for_next_build()  # type: ignore[attr-defined]  # build_memo keeps it untyped
    else:
        cache = cache_type.load(site)
    if memo is not None:
        memo.render_cache = cache
    return cache


def _unchanged_build(site: Path, output: Path, fingerprint: str, strict: bool) -> BuildResult | None:
    """Return the last build's result when no input changed and the output is intact, else None."""
    last = load_last_build(site)
    if (
        last is None
        or not last.trusted
        or last.fingerprint != fingerprint
        or last.output != str(output)
        or (strict and last.warnings)
    ):
        return None
    if not output_intact(site, output, last):
        return None
    warnings = [
        Diagnostic(str(p), int(line), int(column), Severity.WARNING, str(message))
        for p, line, column, message in last.warnings
    ]
    return BuildResult(warnings, Counter(last.counts), 0, output=output)


def _write(
    site: Path,
    output: Path,
    plan: SitePlan,
    diagnostics: Diagnostics,
    options: BuildOptions,
    lap: Callable[[str], None],
    written: _Written,
    inputs: PlanInputs | None = None,
) -> None:
    """Stage the complete new output and swap it in; unchanged files are hard links to the current output's.

    Only files whose signature changed (all of them without a valid record of the output) are produced.
    `--no-cache` never reads the record, so it produces everything; as every build, it replaces the whole
    tree, so the output holds exactly the files this build planned whatever was recorded before.
    """
    copy_signatures = {path: _file_signature(source) for path, source in plan.copies.items()}
    signatures = {f.path: f.signature for f in plan.files} | copy_signatures
    from evidencesite.build.page_pool import produce_into_stage
    from evidencesite.cache.output_manifest import OutputManifest
    from evidencesite.output.writer import (
        copy_into_stage,
        discard_stage,
        link_unchanged,
        new_stage,
        swap_in,
        write_staged,
    )
    from evidencesite.site.plan import SEARCH_INDEX

    manifest = OutputManifest.load(site, output) if options.use_cache else OutputManifest(Path(), output)
    changed = [f for f in plan.files if not manifest.unchanged(f.path, f.signature)]
    copies = {p: s for p, s in plan.copies.items() if not manifest.unchanged(p, copy_signatures[p])}
    rewritten = {f.path for f in changed} | set(copies)
    previous = None if manifest.valid else output  # a clean build hard-links files identical to the old output's
    stage = new_stage(output)
    try:
        link_unchanged(stage, output, [path for path in signatures if path not in rewritten])
        # pages are written to the staging folder as they are rendered: memory stays flat
        produce_into_stage(
            stage, previous, [f for f in changed if not f.path.startswith(SEARCH_INDEX)], diagnostics, inputs
        )
        lap("templates")
        for planned in changed:
            if planned.path.startswith(SEARCH_INDEX):  # one index, built once, in this process
                write_staged(stage, previous, planned.path, planned.produce())
        lap("search index")
        copy_into_stage(stage, copies)
        diagnostics.raise_if_errors(strict=options.strict)
    except BaseException:
        discard_stage(stage)
        raise
    written.paths = tuple(sorted(rewritten))
    written.signatures = signatures
    swap_in(stage, output, lambda: setattr(written, "swapped", True))


def _file_signature(path: Path) -> str:
    from evidencesite.cache.build_state import file_stamp

    return f"{path}:{file_stamp(path.stat())}"
