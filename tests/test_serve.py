"""`build.py serve` as a real process: pages, live rebuilds, error page, and every attack path."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, REPO, write_site
from evidencesite.serve.file_watcher import events_name
from evidencesite.serve.http_app import HostPolicy, resolve_request_path

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raw_request(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send bytes as they are (no client-side normalisation of paths) and return the response head."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks = []
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and len(b"".join(chunks)) > 20000:
                    break
        except TimeoutError:
            pass
    return b"".join(chunks)


def get(port: int, path: str, host: str | None = None, extra: str = "") -> tuple[int, bytes]:
    host_header = host if host is not None else f"127.0.0.1:{port}"
    response = raw_request(
        port, f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\n{extra}Connection: close\r\n\r\n".encode()
    )
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, int, subprocess.Popen[str]]]:
    """A running `serve`; parametrize indirectly with a tuple of extra arguments."""
    extra_arguments = list(getattr(request, "param", ()))
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    (tmp_path / "secret.txt").write_text("top secret")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", str(port), *extra_arguments],
        cwd=tmp_path,
        stdout=log,
        stderr=log,
        text=True,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if get(port, "/")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait()
        log.close()
        pytest.fail("server did not start: " + (tmp_path / "serve.log").read_text())
    yield site, port, process
    if process.poll() is None:
        process.kill()
    process.wait()
    log.close()


def wait_for(predicate, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_serves_pages_with_reload_script_only_in_serve(served) -> None:  # type: ignore[no-untyped-def]
    site, port, _ = served
    status, body = get(port, "/studies/smith2020/index.html")
    assert status == 200 and b"A trial of something" in body
    assert b"/livereload.js?port=" in body
    assert b"livereload" not in (site / "output" / "studies" / "smith2020" / "index.html").read_bytes()
    assert get(port, "/studies/smith2020/")[0] == 200
    assert get(port, "/livereload.js")[0] == 200


def test_edit_rebuilds_and_broken_build_shows_errors_then_recovers(served) -> None:  # type: ignore[no-untyped-def]
    site, port, _ = served
    note = site / "content" / "studies" / "smith2020.md"
    note.write_text(note.read_text().replace("It worked a little.", "It worked a lot."))
    assert wait_for(lambda: b"It worked a lot." in get(port, "/studies/smith2020/index.html")[1])
    index = site / "content" / "index.md"
    index.write_text("---\ntitle: Home\n---\nSee [@nobody2000].\n")
    assert wait_for(lambda: get(port, "/")[0] == 500)
    status, body = get(port, "/studies/smith2020/index.html")
    assert status == 500
    assert b"content/index.md:4: error: unknown citation key &#x27;nobody2000&#x27;" in body
    assert b"/livereload.js" in body
    index.write_text("---\ntitle: Home\n---\nSee [@smith2020].\n")
    assert wait_for(lambda: get(port, "/")[0] == 200)


def test_atomic_save_is_picked_up_through_native_file_events(served) -> None:  # type: ignore[no-untyped-def]
    site, port, _ = served
    assert f"source folders and files ({events_name()})" in (site.parent / "serve.log").read_text()
    note = site / "content" / "studies" / "smith2020.md"
    temporary = note.with_name(".smith2020.md.swp")
    temporary.write_text(note.read_text().replace("It worked a little.", "It worked atomically."))
    os.replace(temporary, note)
    assert wait_for(lambda: b"It worked atomically." in get(port, "/studies/smith2020/index.html")[1])


@pytest.mark.parametrize("served", [("--poll",)], indirect=True)
def test_poll_option_watches_by_polling(served) -> None:  # type: ignore[no-untyped-def]
    site, port, _ = served
    log = (site.parent / "serve.log").read_text()
    assert f"{events_name()} unavailable (--poll given); polling the sources every 0.1 s" in log
    note = site / "content" / "studies" / "smith2020.md"
    note.write_text(note.read_text().replace("It worked a little.", "It worked by polling."))
    assert wait_for(lambda: b"It worked by polling." in get(port, "/studies/smith2020/index.html")[1])


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/..%2fsecret.txt",
        "/static/../../secret.txt",
    ],
)
def test_paths_that_leave_the_output_are_refused(served, path: str) -> None:  # type: ignore[no-untyped-def]
    _, port, _ = served
    status, body = get(port, path)
    assert status in (400, 403, 404)
    assert b"top secret" not in body and b"root:" not in body


def test_symlink_out_of_output_is_forbidden(served) -> None:  # type: ignore[no-untyped-def]
    site, port, _ = served
    (site / "output" / "leak.txt").symlink_to(site.parent / "secret.txt")
    status, body = get(port, "/leak.txt")
    assert status == 403 and b"top secret" not in body


def test_foreign_host_header_is_rejected(served) -> None:  # type: ignore[no-untyped-def]
    _, port, _ = served
    assert get(port, "/", host="attacker.example")[0] == 400
    assert get(port, "/", host=f"attacker.example:{port}")[0] == 400
    assert get(port, "/", host=f"localhost:{port}")[0] == 200


def test_foreign_host_is_rejected_for_the_reload_script_and_redirects_stay_on_site(served) -> None:  # type: ignore[no-untyped-def]
    _, port, _ = served
    assert get(port, "/livereload.js", host="attacker.example")[0] == 400
    assert get(port, "/livereload.js")[0] == 200
    for path in ("//studies", "/studies", "/./studies", "///studies"):
        head = raw_request(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        assert head.startswith(b"HTTP/1.1 301"), (path, head[:60])
        assert b"\r\nLocation: /studies/\r\n" in head, (path, head)


def _websocket(port: int, origin: str) -> int:
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request.encode())
        head = connection.recv(4096)
    return int(head.split(b" ", 2)[1])


def test_reload_channel_ignores_foreign_origins(served) -> None:  # type: ignore[no-untyped-def]
    _, port, _ = served
    assert _websocket(port, "http://attacker.example") == 403
    assert _websocket(port, f"http://localhost:{port}") == 101


@pytest.mark.parametrize(
    "data",
    [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"\x00\xff\x16\x03\x01\r\n\r\n",
        b"GET /%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 70000 + b"\r\n\r\n",
    ],
)
def test_malformed_requests_never_crash_the_server(served, data: bytes) -> None:  # type: ignore[no-untyped-def]
    _, port, process = served
    with contextlib.suppress(OSError):
        raw_request(port, data, timeout=2)
    assert process.poll() is None
    assert get(port, "/")[0] == 200


def test_ctrl_c_exits_cleanly_without_traceback(served) -> None:  # type: ignore[no-untyped-def]
    site, _, process = served
    process.send_signal(signal.SIGINT)
    process.wait(timeout=15)
    err = (site.parent / "serve.log").read_text()
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "stopped" in err


def test_busy_port_moves_to_the_next_free_one(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        with (tmp_path / "serve.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", str(busy)],
                stdout=log,
                stderr=log,
            )
            try:
                assert wait_for(lambda: f"port {busy} is busy; using" in (tmp_path / "serve.log").read_text(), 30)
            finally:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait()


def _open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_public_host_prints_a_warning() -> None:
    from evidencesite.serve.dev_server import warn_if_public

    assert warn_if_public("127.0.0.1") is None
    assert "reachable from other machines" in str(warn_if_public("0.0.0.0"))


def test_host_policy_and_path_resolution_units(tmp_path: Path) -> None:
    policy = HostPolicy.for_binding("127.0.0.1", 8000)
    assert policy.allows_host("localhost:8000") and policy.allows_host("127.0.0.1")
    assert (
        not policy.allows_host("localhost:9999")
        and not policy.allows_host("evil.test")
        and not policy.allows_host(None)
    )
    assert policy.allows_origin("http://localhost:8000") and not policy.allows_origin("http://evil.test:8000")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x")
    assert resolve_request_path(tmp_path, "/a/") == (200, tmp_path / "a" / "index.html")
    assert resolve_request_path(tmp_path, "/a/../../x")[0] == 404
    assert resolve_request_path(tmp_path, "/a\\..\\x")[0] == 400


def test_a_site_started_with_init_is_served_and_follows_edits(tmp_path: Path) -> None:
    """The new-topic path end to end: `init`, then `serve` it and edit a page of its own vocabulary."""
    site = tmp_path / "knee"
    assert subprocess.run([sys.executable, str(REPO / "build.py"), "init", str(site), "--title", "Knee OA"], check=False).returncode == 0
    pages = sorted((site / "content").glob("*/*.md"))
    page = next(p for p in pages if p.parent.name not in ("studies", "pages"))  # a page of the first taxonomy
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", str(port)],
            cwd=tmp_path,
            stdout=log,
            stderr=log,
            text=True,
        )
        try:
            def home() -> bytes:
                try:
                    return get(port, "/")[1]
                except OSError:
                    return b""

            assert wait_for(lambda: b"Knee OA" in home(), STARTUP_SECONDS), (tmp_path / "serve.log").read_text()
            url = f"/{page.parent.name}/{page.stem}/index.html"
            assert get(port, url)[0] == 200
            page.write_text(page.read_text() + "\nA sentence added while serving.\n")
            assert wait_for(lambda: b"A sentence added while serving." in get(port, url)[1])
        finally:
            process.kill()
            process.wait()
