"""The last stage of a build: produce the changed files into a staging folder, swap it in, save the store.

Only files whose signature changed (all of them without a valid record of the output) are produced; the
unchanged ones are hard links to the current output's files. The output is always entirely old or
entirely new (output/writer.py). Once it is swapped in, the build has succeeded: a store that cannot be
saved is a warning (exit code 0), and a Ctrl-C arriving then says the output was updated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evidencesite.build.options import CACHE_NOT_SAVED, cache_not_saved
from evidencesite.build.page_pool import PlanInputs, produce_into_stage
from evidencesite.cache.files import file_stamp
from evidencesite.cache.last_build import Warning
from evidencesite.cache.output_manifest import Stamp, restamped
from evidencesite.cache.store import BuildStore
from evidencesite.errors import Diagnostics, InterruptedAfterWrite, Severity, SiteError
from evidencesite.output.swap import replace_in_place, swap_in
from evidencesite.output.writer import (
    copy_into_stage,
    discard_stage,
    link_unchanged,
    new_stage,
    output_lock,
    write_staged,
)
from evidencesite.site.plan import SEARCH_INDEX, SitePlan

IN_PLACE_SHARE = 0.1  # up to this share of the output's files, an edit replaces them in place


@dataclass
class _Written:
    """What `_write` did, kept up to date so that an interruption can tell whether the output was replaced."""

    swapped: bool = False
    paths: tuple[str, ...] = ()  # output paths this build (re)wrote
    signatures: dict[str, str] = field(default_factory=dict)  # every output file's signature
    on_disk: dict[str, Stamp] | None = None  # what the output holds, when known without scanning it


def write_output(
    output: Path,
    plan: SitePlan,
    inputs: PlanInputs,
    store: BuildStore,
    diagnostics: Diagnostics,
    strict: bool,
    lap: Callable[[str], None],
    counts: Mapping[str, int],
) -> tuple[str, ...]:
    """Write the planned site into `output` and save the store; return the output paths (re)written."""
    site = inputs.site
    written = _Written()
    try:
        with output_lock(output):
            _write(output, plan, store, diagnostics, strict, lap, written, inputs)
    except KeyboardInterrupt:
        if written.swapped:  # held back during the swap, delivered just after it
            raise InterruptedAfterWrite(str(output)) from None
        raise
    except OSError as exc:
        if not written.swapped:
            diagnostics.error(output, 0, f"cannot write output: {exc.strerror or exc}")
            raise SiteError(diagnostics.items) from None
        cache_not_saved(diagnostics, site, exc)  # e.g. removing the previous tree failed: the output is new
    # The output is complete from here on: a store that cannot be saved is a warning, not a failed build.
    try:
        store.save(output, written.signatures, written.on_disk)
        if not any(d.message.startswith(CACHE_NOT_SAVED) for d in diagnostics.items):
            warnings: tuple[Warning, ...] = tuple(
                (str(d.path), d.line, d.column, d.message) for d in diagnostics.items if d.severity is Severity.WARNING
            )
            store.record_build(output, counts, warnings)
    except KeyboardInterrupt:
        raise InterruptedAfterWrite(str(output)) from None
    except OSError as exc:
        cache_not_saved(diagnostics, site, exc)
    return written.paths


def _write(
    output: Path,
    plan: SitePlan,
    store: BuildStore,
    diagnostics: Diagnostics,
    strict: bool,
    lap: Callable[[str], None],
    written: _Written,
    inputs: PlanInputs,
) -> None:
    """Stage the complete new output and swap it in; unchanged files are hard links to the current output's.

    Without a valid record of the output (`--no-cache` never reads one) every file is produced; as every
    build, it replaces the whole tree, so the output holds exactly the files this build planned.
    """
    copy_signatures = {path: f"{source}:{file_stamp(source.stat())}" for path, source in plan.copies.items()}
    signatures = {f.path: f.signature for f in plan.files} | copy_signatures
    manifest = store.output_manifest(output)
    changed = [f for f in plan.files if not manifest.unchanged(f.path, f.signature)]
    copies = {p: s for p, s in plan.copies.items() if not manifest.unchanged(p, copy_signatures[p])}
    rewritten = {f.path for f in changed} | set(copies)
    previous = None if manifest.valid else output  # a clean build hard-links files identical to the old output's
    # A small edit replaces its files in the output one by one (swap.replace_in_place); otherwise the whole new
    # tree is staged, unchanged files as hard links, and swapped in. In place only when no file goes (the output
    # must hold exactly what this build planned) and every file written replaces one the record vouches for.
    in_place = (
        manifest.valid
        and len(rewritten) <= IN_PLACE_SHARE * len(signatures)
        and manifest.on_disk.keys() <= signatures.keys()
        and all(path in manifest.on_disk for path in rewritten)
    )
    stage = new_stage(output)
    try:
        if not in_place:
            link_unchanged(stage, output, [path for path in signatures if path not in rewritten])
        # pages are written to the staging folder as they are rendered: memory stays flat
        pages = [f for f in changed if not f.path.startswith(SEARCH_INDEX)]
        produce_into_stage(stage, previous, pages, diagnostics, inputs)
        lap("templates")
        for planned in changed:
            if planned.path.startswith(SEARCH_INDEX):  # one index, built once, in this process
                write_staged(stage, previous, planned.path, planned.produce())
        lap("search index")
        copy_into_stage(stage, copies)
        diagnostics.raise_if_errors(strict=strict)
    except BaseException:
        discard_stage(stage)
        raise
    written.paths = tuple(sorted(rewritten))
    written.signatures = signatures
    if in_place:
        replace_in_place(stage, output, written.paths, lambda: setattr(written, "swapped", True))
        written.on_disk = restamped(manifest.on_disk, output, written.paths)  # the rest is as this build found it
    else:
        swap_in(stage, output, lambda: setattr(written, "swapped", True))
