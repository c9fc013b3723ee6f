"""Produce output files (render templates) into the staging folder, across processes for large sites.

Like the Markdown pool in `rendered`, the workers are forked, so they inherit the build plan (the
template environment, the views and every producer) instead of unpickling it. Each worker writes its
files straight into the staging folder and returns only the problems it reported.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, Diagnostics
from .rendered import worker_count
from .site_outputs import PlannedFile
from .writer import write_staged


@dataclass(frozen=True)
class _Job:
    stage: Path
    previous: Path | None
    files: Sequence[PlannedFile]
    diagnostics: Diagnostics


_job: _Job | None = None  # set in the parent just before forking; each worker reads its inherited copy


def produce_into_stage(
    stage: Path, previous: Path | None, files: Sequence[PlannedFile], diagnostics: Diagnostics
) -> None:
    """Produce every file and write it into `stage`; problems go to `diagnostics`."""
    global _job
    workers = worker_count(len(files))
    if workers <= 1:
        for planned in files:
            write_staged(stage, previous, planned.path, planned.produce())
        return
    step = workers * 4
    chunks = [list(range(start, len(files), step)) for start in range(step)]
    _job = _Job(stage, previous, files, diagnostics)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for problems in pool.map(_produce_chunk, chunks):
                diagnostics.extend(problems)
    finally:
        _job = None


def _produce_chunk(indices: list[int]) -> list[Diagnostic]:
    assert _job is not None
    before = len(_job.diagnostics.items)
    for index in indices:
        planned = _job.files[index]
        write_staged(_job.stage, _job.previous, planned.path, planned.produce())
    return _job.diagnostics.items[before:]
