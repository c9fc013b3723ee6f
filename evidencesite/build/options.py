"""What a build is asked to do and what it gives back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidencesite.cache.store import BuildStore, DiskStore, NoStore
from evidencesite.errors import Diagnostic, Diagnostics

if TYPE_CHECKING:
    from evidencesite.content.catalog import Catalog
    from evidencesite.content.config import SiteConfig
    from evidencesite.render.rendered import RenderedPage
    from evidencesite.site.plan import SitePlan

CACHE_NOT_SAVED = "the output was updated, but the cache was not saved"
Progress = Callable[[str, float], None]  # (stage just finished, seconds since the build started)


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    output: Path | None = None
    base_url: str | None = None
    strict: bool = False
    drafts: bool = False
    write: bool = True
    use_cache: bool = True
    readability_table: bool = False  # `check -v`: BuildResult.report gets every page's readability grades
    # what the build remembers (cache/store.py); by default .cache/ for a build that writes, nothing otherwise
    store: BuildStore | None = field(default=None, compare=False)

    def store_to_use(self) -> BuildStore:
        if self.store is not None:
            return self.store
        return DiskStore(self.site) if self.write and self.use_cache else NoStore()


@dataclass(frozen=True)
class BuiltSite:
    """What a successful build made, for `serve`'s fast path (serve/fast_preview.py) to make one page again."""

    config: SiteConfig
    catalog: Catalog
    plan: SitePlan
    rendered: dict[Path, RenderedPage]  # by source file
    output: Path


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    counts: Counter[str] = field(default_factory=Counter)
    files_written: int = 0
    written: tuple[str, ...] = ()  # output paths this build (re)wrote
    timings: dict[str, float] = field(default_factory=dict)
    output: Path | None = None
    built: BuiltSite | None = None  # None when the build stopped early (nothing changed) or wrote nothing
    report: str = ""  # `check -v`: the readability table (content/reader_checks.py)
    # how it was built: "full", "unchanged" (nothing changed: build stopped early), "body edit" (build/body_edit.py)
    kind: str = "full"


def cache_not_saved(diagnostics: Diagnostics, site: Path, exc: OSError) -> None:
    """Warn that the output is complete and correct but the cache could not be written (exit code stays 0)."""
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    diagnostics.warning(
        site / ".cache",
        0,
        f"{CACHE_NOT_SAVED}: {exc.strerror or exc}{where}; the next build will redo the work the cache would have "
        "saved (free some disk space or make .cache/ writable)",
    )
