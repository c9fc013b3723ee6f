"""What a build remembers from earlier builds, behind one interface with three backends.

The pipeline receives a store and asks it, in order: whether anything changed since the last build
(`begin`), for the documents already read and validated, the render cache, the compiled templates and
the record of the output folder; after the output is swapped in it asks it to `save`, then to
`record_build`. Which backend a build uses decides every cache layer at once:

- `NoStore`: remembers nothing (`check`, `build --no-cache`);
- `DiskStore`: everything in `<site>/.cache/`, loaded per build (command-line builds);
- `MemoryStore`: `serve`'s, kept in memory between builds over the same disk layers (loaded on the first
  build, saved after each), so an unchanged file is neither parsed nor validated nor rendered again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidencesite.background import in_background
from evidencesite.cache.files import RACY_NS, Stamp, cache_folder, is_settled
from evidencesite.cache.inputs import input_fingerprint
from evidencesite.cache.last_build import LastBuild, Warning, intact_output, load_last_build, save_last_build
from evidencesite.cache.output_manifest import OutputManifest, output_identity, save_manifest
from evidencesite.cache.output_manifest import Stamp as OutputStamp

# The layers below are imported where they are used: a build with nothing to do never loads them (nor
# the parsers, Markdown and Jinja they bring).
if TYPE_CHECKING:
    import jinja2

    from evidencesite.cache.bytecode import MemoryBytecodeCache
    from evidencesite.cache.documents import DocumentStore
    from evidencesite.cache.render_cache import RenderCache
    from evidencesite.cache.search_cache import SearchCache
    from evidencesite.cache.site_state import SiteState
    from evidencesite.content.vocabulary import Vocabulary


class BuildStore:
    """What the pipeline asks of a store; this base remembers nothing (every file is read, rendered, written)."""

    def begin(self, output: Path, settings: Mapping[str, object], strict: bool) -> LastBuild | None:
        """Start a build into `output`; return the last build's record when it is still exactly the output."""
        return None

    def documents(self, vocabulary: Vocabulary) -> DocumentStore:
        """Return the content files already read and validated (under `vocabulary`)."""
        from evidencesite.cache.documents import DocumentStore

        store = DocumentStore(None, remember=False)
        store.begin(vocabulary)
        return store

    def render_cache(self) -> RenderCache[Any]:
        """Return the rendered bodies of earlier builds."""
        from evidencesite.cache.render_cache import RenderCache

        return RenderCache.load(None)

    def bytecode_cache(self) -> jinja2.BytecodeCache | None:
        """Return the compiled templates of earlier builds."""
        return None

    def search_cache(self) -> SearchCache:
        """Return the last build's search index (an edit rebuilds only the index files it touches)."""
        from evidencesite.cache.search_cache import SearchCache

        return SearchCache(None)

    def output_manifest(self, output: Path) -> OutputManifest:
        """Return the record of what `output` holds (not valid: every file is produced)."""
        return OutputManifest(Path(), output)

    def save(self, output: Path, signatures: dict[str, str], on_disk: Mapping[str, OutputStamp] | None = None) -> None:
        """Save what this build made, once `output` holds it (raises OSError when it cannot); `on_disk` is what
        the output holds when the build knows it (output_manifest.restamped), else it is scanned."""

    def record_build(self, output: Path, counts: Mapping[str, int], warnings: tuple[Warning, ...]) -> None:
        """Record this successful build, so that the next one with nothing changed stops early (OSError)."""

    def input_stamps(self) -> tuple[dict[str, Stamp], set[str]]:
        """Return the stamp of every input file as `begin` found them ({} when it did not look), and the files
        among them changed too recently for their stamp to stand for their content (files.is_settled)."""
        return {}, set()

    def site_state(self) -> SiteState | None:
        """Return what the last full build knew of the site (cache/site_state.py), for a body-only edit."""
        return None

    def keep_site_state(self, make: StateMaker) -> None:
        """Have `save` also save the site's state, its payload made by `make` (cache/site_state.py)."""


StateMaker = Callable[[], tuple[dict[str, str], object]]  # the pages' front-matter digests, and the payload


class NoStore(BuildStore):
    """`check` and `build --no-cache`: nothing is read from `.cache/` and nothing is written to it."""


class DiskStore(BuildStore):
    """Everything in `<site>/.cache/`, for one build."""

    def __init__(self, site: Path) -> None:
        self.site = site.resolve()
        self._fingerprint = ""
        self._trusted = False
        self._documents: DocumentStore | None = None
        self._render: RenderCache[Any] | None = None
        self._search: SearchCache | None = None
        self._settings: dict[str, object] = {}
        self._inputs: dict[str, Stamp] = {}
        self._unsettled: set[str] = set()
        self._state_maker: StateMaker | None = None

    def begin(self, output: Path, settings: Mapping[str, object], strict: bool) -> LastBuild | None:
        self._fingerprint_inputs(settings)
        last = load_last_build(self.site)
        if (
            last is None
            or not last.trusted
            or last.fingerprint != self._fingerprint
            or last.output != str(output)
            or (strict and last.warnings)
        ):
            return None
        return last if intact_output(self.site, output, last) is not None else None

    def _fingerprint_inputs(self, settings: Mapping[str, object]) -> None:
        """Fingerprint every input as this build starts; trusted when each was settled by then (files.is_settled)."""
        started_ns = time.time_ns()
        self._settings, self._inputs = dict(settings), {}
        self._fingerprint, newest_input_ns = input_fingerprint(self.site, settings, self._inputs)
        self._trusted = newest_input_ns < started_ns - RACY_NS
        # files changed so recently that a further change may keep their stamp (files.is_settled)
        self._unsettled = {path for path, stamp in self._inputs.items() if not is_settled(stamp, started_ns)}

    def documents(self, vocabulary: Vocabulary) -> DocumentStore:
        self.document_store.begin(vocabulary)
        return self.document_store

    @property
    def document_store(self) -> DocumentStore:
        """The documents of this store (`serve`'s fast path reads the edited file through them)."""
        if self._documents is None:
            from evidencesite.cache.documents import DocumentStore

            self._documents = DocumentStore.load(self.site)
        return self._documents

    def render_cache(self) -> RenderCache[Any]:
        from evidencesite.cache.render_cache import RenderCache

        self._render = RenderCache.load(self.site)
        return self._render

    def bytecode_cache(self) -> jinja2.BytecodeCache | None:
        from evidencesite.cache.bytecode import disk_bytecode_cache

        return disk_bytecode_cache(cache_folder(self.site) / "jinja")

    def search_cache(self) -> SearchCache:
        from evidencesite.cache.search_cache import SearchCache

        self._search = SearchCache.load(self.site)
        return self._search

    def output_manifest(self, output: Path) -> OutputManifest:
        return OutputManifest.load(self.site, output)

    def save(self, output: Path, signatures: dict[str, str], on_disk: Mapping[str, OutputStamp] | None = None) -> None:
        make = self._state_maker
        if make is None:
            self._save_layers(output, signatures, on_disk)
            return
        from evidencesite.cache.site_state import SiteState, save_site_state

        state = SiteState(self._settings, output_identity(output), self._inputs, self._unsettled)
        # the state is the largest layer (~0.5 s at 10,000 studies): saved by a child while this process saves the rest
        with in_background(lambda: save_site_state(self.site, state, *make())) as saving:
            self._save_layers(output, signatures, on_disk)
            saving.result()

    def _save_layers(self, output: Path, signatures: dict[str, str], on_disk: Mapping[str, OutputStamp] | None) -> None:
        save_manifest(self.site, output, signatures, on_disk)
        if self._render is not None:
            self._render.save()
        if self._documents is not None:
            self._documents.save()
        if self._search is not None:
            self._search.save()

    def input_stamps(self) -> tuple[dict[str, Stamp], set[str]]:
        return self._inputs, self._unsettled

    def site_state(self) -> SiteState | None:
        from evidencesite.cache.site_state import load_site_state

        return load_site_state(self.site, self._settings)

    def keep_site_state(self, make: StateMaker) -> None:
        self._state_maker = make

    def record_build(self, output: Path, counts: Mapping[str, int], warnings: tuple[Warning, ...]) -> None:
        if self._fingerprint:
            marker = output_identity(output)
            state = LastBuild(
                self._fingerprint,
                str(output),
                dict(counts),
                warnings,
                self._trusted,
                tuple(marker) if marker is not None else None,
            )
            save_last_build(self.site, state)


class MemoryStore(DiskStore):
    """`serve`'s store: the disk layers, kept in memory from one build to the next. Create one per server."""

    def __init__(self, site: Path) -> None:
        super().__init__(site)
        self._templates: MemoryBytecodeCache | None = None

    def begin(self, output: Path, settings: Mapping[str, object], strict: bool) -> LastBuild | None:
        self._fingerprint_inputs(settings)  # for record_build: a command-line build may stop early after us
        return None  # `serve` builds only when something changed, and its memory is filled even then

    def site_state(self) -> SiteState | None:
        return None  # `serve` keeps the whole build in memory and has its own fast path (serve/fast_preview.py)

    def keep_site_state(self, make: StateMaker) -> None:
        from evidencesite.cache.site_state import forget_site_state

        forget_site_state(self.site)  # serve's builds change the output without keeping the state up to date

    def render_cache(self) -> RenderCache[Any]:
        if self._render is None:
            return super().render_cache()
        self._render = self._render.for_next_build()
        return self._render

    def bytecode_cache(self) -> jinja2.BytecodeCache | None:
        if self._templates is None:
            from evidencesite.cache.bytecode import MemoryBytecodeCache

            self._templates = MemoryBytecodeCache()
        return self._templates

    def search_cache(self) -> SearchCache:
        if self._search is None:
            return super().search_cache()
        self._search = self._search.for_next_build()
        return self._search
