"""Produce output files (render templates) into the staging folder, across processes for large sites.

A planned file is made by a closure over this build's template environment and views, which cannot be
pickled. Forked workers (Linux) inherit the planned files as they are; spawned workers (macOS, Windows,
or EVIDENCESITE_START_METHOD=spawn) receive what the plan was made from and plan again, which yields the
same closures and so the same bytes. Each worker writes its files straight into the staging folder and
returns only the problems it reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidencesite.csl.styles import install_memo
from evidencesite.errors import Diagnostic, Diagnostics
from evidencesite.output.writer import write_staged
from evidencesite.site.plan import PlannedFile, plan_site
from evidencesite.worker_pool import run_in_workers, start_method, worker_count

if TYPE_CHECKING:
    from evidencesite.content.catalog import Catalog
    from evidencesite.content.config import SiteConfig
    from evidencesite.csl.formatter import FormatMemo
    from evidencesite.render.rendered import RenderedPage


@dataclass(frozen=True)
class PlanInputs:
    """What `plan_site` made the plan from: all a spawned worker needs to make the same plan again."""

    site: Path
    config: SiteConfig
    catalog: Catalog
    rendered: list[RenderedPage]
    formatted: FormatMemo | None = None  # the works a CSL style formatted in the main process


@dataclass(frozen=True)
class _Job:
    stage: Path
    previous: Path | None
    files: Sequence[PlannedFile]
    diagnostics: Diagnostics  # where the files' producers report template errors


def produce_into_stage(
    stage: Path,
    previous: Path | None,
    files: Sequence[PlannedFile],
    diagnostics: Diagnostics,
    inputs: PlanInputs | None = None,
) -> None:
    """Produce every file and write it into `stage`; problems go to `diagnostics`.

    Without `inputs`, spawned workers could not remake the files, so they are produced in this process.
    """
    workers = worker_count(len(files))
    method = start_method() if workers > 1 else ""
    if workers <= 1 or (method != "fork" and inputs is None):
        for planned in files:
            write_staged(stage, previous, planned.path, planned.produce())
        return
    setup: Callable[..., _Job] = _inherit if method == "fork" else _plan_again
    args: tuple[object, ...] = (
        (_Job(stage, previous, files, diagnostics),)
        if method == "fork"
        else (stage, previous, [planned.path for planned in files], inputs)
    )
    for _, problems in run_in_workers(setup, args, _produce_chunk, len(files), workers):
        diagnostics.extend(problems)


def _inherit(job: _Job) -> _Job:
    return job


def _plan_again(stage: Path, previous: Path | None, paths: list[str], inputs: PlanInputs) -> _Job:
    """Make the plan again in a spawned worker; return the files at `paths`, in that order."""
    install_memo(inputs.config.citation_style, inputs.formatted)  # or every worker would format every work again
    diagnostics = Diagnostics(inputs.site)
    plan = plan_site(inputs.site, inputs.config, inputs.catalog, inputs.rendered, diagnostics)
    by_path = {planned.path: planned for planned in plan.files}
    return _Job(stage, previous, [by_path[path] for path in paths], diagnostics)


def _produce_chunk(job: _Job, indices: list[int]) -> list[Diagnostic]:
    before = len(job.diagnostics.items)
    for index in indices:
        planned = job.files[index]
        write_staged(job.stage, job.previous, planned.path, planned.produce())
    return job.diagnostics.items[before:]
