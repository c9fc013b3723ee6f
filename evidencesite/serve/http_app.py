"""The preview server's HTTP side: our WSGI app inside a Tornado application we assemble ourselves.

We use the livereload package's WebSocket protocol handler, client script and file-change model, but
not its `Server.application`, which hard-codes a WebSocket handler that accepts any Origin and throttles
reloads to one per three seconds; this server must refuse foreign Origins and reload within a second.
Requests go through our own WSGI app, which serves only files inside the output folder, rejects
foreign Host headers (DNS rebinding), and shows build errors in the browser.
"""

from __future__ import annotations

import contextlib
import errno
import html
import mimetypes
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from evidencesite.errors import Diagnostic

if TYPE_CHECKING:
    from tornado.httpserver import HTTPServer

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
RELOAD_SCRIPT = '<script src="/livereload.js?port={port}"></script>'
PORT_ATTEMPTS = 20

WsgiStart = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class ShownErrors:
    """The outcome of the latest build as the browser sees it: problems to show instead of pages, or none."""

    errors: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class HostPolicy:
    """Which Host headers and Origins the server answers: the bound address and localhost names."""

    port: int
    names: frozenset[str]

    @classmethod
    def for_binding(cls, host: str, port: int) -> HostPolicy:
        names = set(LOCAL_NAMES) | {host.strip("[]")}
        if host in ("0.0.0.0", "::"):
            names |= _local_addresses()
        return cls(port, frozenset(names))

    def allows_host(self, header: str | None) -> bool:
        """True when a Host header names this server (with our port or none)."""
        if not header:
            return False
        hostname, port = _split_host(header)
        return hostname in self.names and port in (None, self.port)

    def allows_origin(self, origin: str | None) -> bool:
        """True for an Origin of a page served by this server."""
        if not origin:
            return False
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        return parts.hostname in self.names and (parts.port or 80) == self.port


def _split_host(header: str) -> tuple[str, int | None]:
    header = header.strip().lower()
    if header.startswith("["):
        hostname, _, rest = header[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        hostname, _, port_text = header.partition(":")
    port = int(port_text) if port_text.isdigit() else None
    if port_text and port is None:
        return "", -1
    return hostname, port


def _local_addresses() -> set[str]:
    names = {socket.gethostname().lower()}
    with contextlib.suppress(OSError):
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    return names


def resolve_request_path(output: Path, path_info: str) -> tuple[int, Path | None]:
    """Map a decoded URL path to a file inside `output`; return (status, file or None).

    404 for anything missing or containing '..', 403 for a symlink whose target leaves the folder.
    """
    if "\x00" in path_info or "\\" in path_info:
        return 400, None
    parts = [part for part in path_info.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return 404, None
    candidate = output.joinpath(*parts) if parts else output
    root = output.resolve()
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return 404, None
    if resolved != root and root not in resolved.parents:
        return 403, None
    if resolved.is_dir():
        resolved = resolved / "index.html"
        if not path_info.endswith("/") and resolved.is_file():
            return 301, resolved
    if not resolved.is_file():
        return 404, None
    return 200, resolved


def error_page(errors: Iterable[Diagnostic]) -> bytes:
    """Return the page shown instead of the site while the build is broken."""
    items = "\n".join(f"<li><code>{html.escape(d.format())}</code></li>" for d in errors)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "code{white-space:pre-wrap}li{margin:.4rem 0}</style></head>\n<body><h1>Build failed</h1>"
        '<p>Fix these problems and save: this page reloads by itself.</p>\n<ul class="build-errors">\n'
        f"{items}\n</ul></body></html>\n"
    ).encode()


def make_app(
    output: Path, state: ShownErrors, policy: HostPolicy
) -> Callable[[dict[str, Any], WsgiStart], list[bytes]]:
    """Return the WSGI app: static files from `output`, the error page while the build is broken."""
    reload_script = RELOAD_SCRIPT.format(port=policy.port).encode()

    def respond(
        start: WsgiStart, status: str, body: bytes, content_type: str, extra: list[tuple[str, str]] | None = None
    ):
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
        start(status, headers + (extra or []))
        return [body]

    def inject(body: bytes) -> bytes:
        return body.replace(b"</head>", reload_script + b"</head>", 1) if b"</head>" in body else body + reload_script

    def app(environ: dict[str, Any], start: WsgiStart) -> list[bytes]:
        try:
            if not policy.allows_host(environ.get("HTTP_HOST")):
                return respond(start, "400 Bad Request", b"unknown Host header\n", "text/plain; charset=utf-8")
            method = environ.get("REQUEST_METHOD", "GET")
            if method not in ("GET", "HEAD"):
                return respond(
                    start,
                    "405 Method Not Allowed",
                    b"read-only server\n",
                    "text/plain; charset=utf-8",
                    [("Allow", "GET, HEAD")],
                )
            path_info = environ.get("PATH_INFO", "/")
            if state.errors:
                return respond(
                    start, "500 Internal Server Error", inject(error_page(state.errors)), "text/html; charset=utf-8"
                )
            status, file = resolve_request_path(output, path_info)
            if status == 301:
                # rebuilt from the path's parts: '//studies' + '/' would be a link to the host 'studies'
                parts = [part for part in path_info.split("/") if part not in ("", ".")]  # PEP 3333: bytes as latin-1
                location = "/" + "/".join(quote(part.encode("latin-1")) for part in parts) + "/"
                return respond(start, "301 Moved Permanently", b"", "text/plain", [("Location", location)])
            if status != 200 or file is None:
                not_found = output / "404.html"
                body = (
                    inject(not_found.read_bytes()) if status == 404 and not_found.is_file() else f"{status}\n".encode()
                )
                reason = {400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found"}[status]
                return respond(
                    start, reason, body, "text/html; charset=utf-8" if status == 404 else "text/plain; charset=utf-8"
                )
            body = file.read_bytes()
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if content_type == "text/html":
                body = inject(body)
            if content_type.startswith("text/") or content_type in (
                "application/javascript",
                "application/json",
                "image/svg+xml",
            ):
                content_type += "; charset=utf-8"
            if method == "HEAD":
                start("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
                return []
            return respond(start, "200 OK", body, content_type)
        except Exception:  # a malformed request must never take the server down
            return respond(start, "400 Bad Request", b"bad request\n", "text/plain; charset=utf-8")

    return app


def bind_socket(host: str, port: int, attempts: int = PORT_ATTEMPTS) -> tuple[list[socket.socket], int]:
    """Bind the first free port from `port` on; raise OSError with a clear message when none is free."""
    from tornado.netutil import bind_sockets

    last_error: OSError | None = None
    last_port = min(port + attempts, 65536) - 1  # never past the last TCP port
    for candidate in range(port, last_port + 1):
        try:
            return bind_sockets(candidate, address=host), candidate
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            last_error = exc
    raise OSError(errno.EADDRINUSE, f"ports {port}-{last_port} on {host} are all busy ({last_error})")


def reload_browsers() -> None:
    from livereload.handlers import LiveReloadHandler  # type: ignore[import-untyped]

    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message({"command": "reload", "path": "*", "liveCSS": False, "liveImg": False})
        except Exception:
            LiveReloadHandler.waiters.discard(waiter)


def http_server(output: Path, state: ShownErrors, policy: HostPolicy, sockets: list[socket.socket]) -> HTTPServer:
    """Return a started Tornado server: livereload's channel and script, everything else from our WSGI app."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from tornado import web, wsgi
    from tornado.httpserver import HTTPServer

    class ReloadChannel(LiveReloadHandler):
        def check_origin(self, origin: str) -> bool:
            return policy.allows_origin(origin)

        def prepare(self) -> None:
            if not policy.allows_host(self.request.headers.get("Host")):
                raise web.HTTPError(400)

    class ReloadScript(LiveReloadJSHandler):  # type: ignore[misc]
        def prepare(self) -> None:  # the same Host check as every other request (DNS rebinding)
            if not policy.allows_host(self.request.headers.get("Host")):
                raise web.HTTPError(400)

    app = web.Application(
        [
            (r"/livereload", ReloadChannel),
            (r"/livereload\.js", ReloadScript),
            (r".*", web.FallbackHandler, {"fallback": wsgi.WSGIContainer(make_app(output, state, policy))}),
        ],
        debug=False,
    )
    server = HTTPServer(app, xheaders=False)
    server.add_sockets(sockets)
    return server
