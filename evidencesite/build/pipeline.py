"""One build: read → validate → catalog → render → plan → write, gathering every problem before writing anything.

What the build remembers from earlier ones comes from one store (cache/store.py), chosen by the caller:
none for `check` and `--no-cache`, `.cache/` for the command line, memory over `.cache/` for `serve`.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from pathlib import Path

from evidencesite.build.options import BuildOptions, BuildResult, BuiltSite, Progress
from evidencesite.cache.last_build import LastBuild
from evidencesite.errors import Diagnostic, Diagnostics, Severity
from evidencesite.output.writer import check_output_folder

__all__ = ["BuildOptions", "BuildResult", "BuiltSite", "Progress", "build"]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site; raise SiteError (with every problem) before writing anything if it has errors."""
    site = options.site.resolve()
    output = (options.output or site / "output").resolve()
    store = options.store_to_use()
    lap = _Laps(progress)
    if options.write:
        settings = {
            "output": str(output),
            "base_url": options.base_url,
            "strict": options.strict,
            "drafts": options.drafts,
        }
        last = store.begin(output, settings, options.strict)
        if last is not None:  # nothing changed and the output is intact
            return _unchanged_build(last, output)
        check_output_folder(output, site)
        from evidencesite.build.body_edit import build_body_edits  # the stages below are imported late too

        quick = build_body_edits(store, site, output, options.strict, lap)
        if quick is not None:  # only the prose of a few notes changed
            quick.timings = lap.timings
            return quick
    # The stages are imported here, not at the top: a build with nothing to do never loads them.
    from evidencesite.build.edit_basis import remember_site
    from evidencesite.build.page_pool import PlanInputs
    from evidencesite.build.reading import read_site
    from evidencesite.build.staging import write_output
    from evidencesite.content.catalog import broken_references, build_catalog, report_broken_references
    from evidencesite.content.config import load_config
    from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
    from evidencesite.csl.styles import current_memo
    from evidencesite.render.rendered import check_broken_bodies, render_all
    from evidencesite.site.plan import count_pages, plan_site

    diagnostics = Diagnostics(site)
    config = load_config(site, diagnostics, options.base_url)
    documents = store.documents(config.vocabulary if config is not None else DEFAULT_VOCABULARY)
    sources = read_site(site, config, documents, diagnostics, options.drafts)
    lap("read")
    if config is None:
        diagnostics.raise_if_errors()
    assert config is not None
    if config.strict and not options.strict:  # site_config.yaml's `strict: true` applies to every build
        options = dataclasses.replace(options, strict=True)
    broken = frozenset(sources.broken), frozenset(sources.draft_keys), sources.broken_keys
    catalog = build_catalog(
        sources.pages, sources.works, diagnostics, options.drafts, sources.content.assets, *broken, config.vocabulary
    )
    lap("validate")
    referrers = broken_references(catalog)
    rendered = render_all(catalog, config, diagnostics, site, store.render_cache(), referrers)
    check_broken_bodies(sources.broken_documents, catalog, config, diagnostics)
    report_broken_references(referrers, diagnostics, "content/")
    diagnostics.raise_if_errors()  # templates assume consistent content: with content errors they only add noise
    plan = plan_site(site, config, catalog, rendered, diagnostics, store.bytecode_cache(), store.search_cache())
    diagnostics.raise_if_errors()  # colliding output paths, nav links leading nowhere, unreadable templates
    lap("render")
    result = BuildResult(diagnostics.items, count_pages(plan.files), timings=lap.timings)
    if not options.write:
        for planned in plan.files:
            planned.produce()  # surfaces template errors exactly as a build would
        from evidencesite.content.reader_checks import reader_report  # reviews due, readability: `check` only

        result.report = reader_report(catalog.all_pages(), config, diagnostics, options.readability_table)
        diagnostics.raise_if_errors(strict=options.strict)
        return result
    check_output_folder(output, site)
    remember_site(store, config, catalog, rendered, plan)  # saved with the store, for a later body-only edit
    inputs = PlanInputs(site, config, catalog, rendered, current_memo(config.citation_style))  # for spawned workers
    result.written = write_output(output, plan, inputs, store, diagnostics, options.strict, lap, result.counts)
    result.files_written = len(result.written)
    result.diagnostics = diagnostics.items
    lap("write")
    result.output = output
    result.built = BuiltSite(config, catalog, plan, {item.page.path: item for item in rendered}, output)
    return result


class _Laps:
    """Each stage's duration, reported to `progress` as it ends."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.started = self.clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self.clock
        self.clock = now
        if self.progress:
            self.progress(stage, now - self.started)


def _unchanged_build(last: LastBuild, output: Path) -> BuildResult:
    """Return the last build's result: no input changed and the output is intact."""
    warnings = [Diagnostic(p, line, column, Severity.WARNING, message) for p, line, column, message in last.warnings]
    return BuildResult(warnings, Counter(last.counts), 0, output=output, kind="unchanged")
