"""`build.py serve`: build, serve the output on localhost, rebuild and reload on every save.

The server keeps one MemoryStore (cache/store.py) for all its builds and a FastPreview made from the last
build's result; http_app.py answers requests, source_watch.py decides when to rebuild.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from evidencesite.cache.store import MemoryStore
from evidencesite.errors import Diagnostic, Severity, SiteError
from evidencesite.serve.file_watcher import Deliver, FileWatcher, WatcherUnavailableError
from evidencesite.serve.http_app import LOCAL_NAMES, HostPolicy, ShownErrors, bind_socket, http_server, reload_browsers
from evidencesite.serve.source_watch import OpenWatcher, SourceWatch, source_roots

if TYPE_CHECKING:
    from evidencesite.serve.fast_preview import FastPreview


class DevServer:
    """Build, serve and rebuild one site. Create one per `serve` command."""

    def __init__(
        self,
        site: Path,
        output: Path | None,
        host: str,
        port: int,
        log: Callable[[str], None],
        drafts: bool = False,
        open_watcher: OpenWatcher = FileWatcher.open,
    ) -> None:
        self.drafts = drafts
        self.open_watcher = open_watcher
        self.site = site.resolve()
        self.output = (output or self.site / "output").resolve()
        self.host = host
        self.requested_port = port
        self.log = log
        self.shown = ShownErrors()
        self.store = MemoryStore(self.site)  # kept from one build to the next
        self.preview: FastPreview | None = None  # made from the last successful build's result

    def rebuild(self) -> tuple[str, ...] | None:
        """Build the site; remember the errors to show them in the browser. Returns what it wrote, None on failure."""
        from evidencesite.build.pipeline import BuildOptions, build

        started = time.perf_counter()
        try:
            result = build(BuildOptions(site=self.site, output=self.output, drafts=self.drafts, store=self.store))
        except SiteError as exc:
            self.preview = None
            self.shown.errors = [d for d in exc.diagnostics if d.severity.value != "warning"] or exc.diagnostics
            for diagnostic in exc.diagnostics:
                self.log(diagnostic.format())
            self.log(f"build failed ({len(self.shown.errors)} error(s)); the browser shows them until they are fixed")
            return None
        except OSError as exc:  # e.g. a folder removed mid-build: shown like any build error, retried next change
            self.preview = None
            problem = Diagnostic(
                str(getattr(exc, "filename", None) or self.site), 0, 0, Severity.ERROR, str(exc.strerror or exc)
            )
            self.shown.errors = [problem]
            self.log(problem.format())
            self.log("build failed (1 error(s)); the browser shows it until the next change")
            return None
        self.shown.errors = []
        from evidencesite.serve.fast_preview import FastPreview

        self.preview = FastPreview(self.store, result.built, self.preview.renderer if self.preview else None)
        self.log(f"rebuilt in {time.perf_counter() - started:.2f} s")
        return result.written

    def run(self) -> int:
        """Serve until Ctrl-C; return the exit code."""
        from tornado import ioloop

        # Ctrl-C / SIGTERM only set a flag until the loop runs, then stop it: a signal arriving during the
        # first build is never lost, and it never interrupts a build half-way.
        stop_requested: list[bool] = []
        running: list[ioloop.IOLoop] = []

        def stop(*_: object) -> None:
            stop_requested.append(True)
            if running:
                running[0].add_callback_from_signal(running[0].stop)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        sockets, port = bind_socket(self.host, self.requested_port)
        if port != self.requested_port:
            self.log(f"port {self.requested_port} is busy; using {port}")
        policy = HostPolicy.for_binding(self.host, port)
        watch = SourceWatch.begin(source_roots(self.site), self.log, self.open_watcher)
        try:
            self.rebuild()
            server = http_server(self.output, self.shown, policy, sockets)
            loop = ioloop.IOLoop.current()
            watch.start(loop, self._rebuild_and_reload)
            try:
                shown = "localhost" if self.host in ("127.0.0.1", "::1") else self.host
                self.log(f"serving {self.output} at http://{shown}:{port}/ (Ctrl-C to stop)")
                running.append(loop)
                if not stop_requested:
                    loop.start()
            finally:
                server.stop()
        finally:
            watch.stop()
        self.log("stopped")
        return 0

    def _rebuild_and_reload(self, changed: frozenset[Path] | None = None) -> None:
        """Rebuild after a burst of changes; when it was one note's body, write its page first (fast_preview)."""
        from evidencesite.site.plan import SEARCH_INDEX

        first = None
        if changed is not None and self.preview is not None and not self.shown.errors:
            started = time.perf_counter()
            try:
                first = self.preview.write_changed_body(self.site, changed)
            except Exception as exc:  # the full build below reports real problems; the preview must not stop
                self.log(f"fast page update skipped ({type(exc).__name__}: {exc})")
            if first is not None:
                self.log(f"updated {first} in {time.perf_counter() - started:.3f} s; rebuilding the rest")
                reload_browsers()
        written = self.rebuild()
        if first is None or written is None or any(p != first and not p.startswith(SEARCH_INDEX) for p in written):
            reload_browsers()


def warn_if_public(host: str) -> str | None:
    """Return a warning when the server would be reachable from other machines."""
    if host.strip("[]") in LOCAL_NAMES:
        return None
    return f"warning: serving on {host} makes the preview reachable from other machines on your network"


def serve(site: Path, output: Path | None, host: str, port: int, drafts: bool = False, poll: bool = False) -> int:
    """Entry point used by the CLI; `poll` skips native file events (network and VM-shared folders may not deliver them)."""

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    warning = warn_if_public(host)
    if warning:
        log(warning)
    open_watcher = _polling_requested if poll else FileWatcher.open
    return DevServer(site, output, host, port, log, drafts, open_watcher).run()


def _polling_requested(roots: list[Path], deliver: Deliver) -> FileWatcher:
    raise WatcherUnavailableError("--poll given")
