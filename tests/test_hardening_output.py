"""Hardening round 2, the output side (#19): what the output holds is always known, whatever stopped a build.

Every build stages the complete new tree and swaps it in, so a page whose source is gone never survives,
even when the record of the previous output was never saved; a killed build leaves the old or the new
tree; problem lines stay one line; nav links and colliding outputs are located errors; serve's edges.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, REPO, snapshot, write_site
from evidencesite.cache.files import CACHE_FOLDER
from evidencesite.errors import Diagnostic, Severity
from evidencesite.output.writer import MARKER

PAGE = "---\ntitle: Extra page\n---\nExtra text [@smith2020].\n"


def _site(tmp_path: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    root = write_site(tmp_path / "site", {**MINIMAL_FILES, **(extra or {})})
    (root / "content/pages").mkdir(exist_ok=True)
    return root


def _fresh(site: Path, run_cli, tmp_path: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """What a clean build of the site's current sources holds."""
    other = tmp_path / "fresh-output"
    shutil.rmtree(other, ignore_errors=True)
    assert run_cli("build", "--site", site, "--no-cache", "--output", other, "-q").code == 0
    return snapshot(other)


def _strays(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".evidencesite-") and p.name != MARKER)


# --- 3: a build that writes without recording still leaves only what has a source -----------------------------


@pytest.mark.parametrize("flags", [["--no-cache"], ["--drafts", "--no-cache"]])
def test_a_page_written_by_a_no_cache_build_goes_when_its_source_goes(tmp_path: Path, run_cli, flags) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path)
    assert run_cli("build", "--site", site, "-q").code == 0
    source = site / "content/pages/extra.md"
    source.write_text(PAGE.replace("title:", "draft: true\ntitle:") if "--drafts" in flags else PAGE)
    assert run_cli("build", "--site", site, "-q", *flags).code == 0
    assert (site / "output/extra/index.html").is_file()
    if "--drafts" not in flags:
        source.unlink()
    assert run_cli("build", "--site", site, "-q").code == 0  # a normal build: the draft must not leak into it
    assert not (site / "output/extra").exists()
    assert snapshot(site / "output") == _fresh(site, run_cli, tmp_path)


def _block_manifest_save(site: Path) -> Path:
    """Make saving the output record fail as on a full disk: its temporary file's name is taken by a folder."""
    blocker = site / CACHE_FOLDER / f".output-manifest.json.{os.getpid()}.tmp"
    blocker.mkdir(parents=True)
    return blocker


def test_cache_write_failure_after_the_output_was_updated_says_so_and_nothing_stale_survives(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path)
    assert run_cli("build", "--site", site, "-q").code == 0
    blocker = _block_manifest_save(site)
    (site / "content/pages/extra.md").write_text(PAGE)
    result = run_cli("build", "--site", site)
    # 5: the output is complete and correct, so exit 0 with a warning that says what happened
    assert result.code == 0, result.err
    assert ".cache: warning: the output was updated, but the cache was not saved: Is a directory" in result.err
    assert "the next build will redo the work" in result.err
    assert "left unchanged" not in result.err and "build failed" not in result.err
    assert (site / "output/extra/index.html").is_file()
    blocker.rmdir()
    (site / "content/pages/extra.md").unlink()
    assert run_cli("build", "--site", site, "-q").code == 0
    assert not (site / "output/extra").exists()
    assert snapshot(site / "output") == _fresh(site, run_cli, tmp_path)


def test_an_unwritable_cache_folder_does_not_fail_the_build(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path)
    (site / CACHE_FOLDER).write_text("not a folder")  # as unwritable as it gets, even for root
    result = run_cli("build", "--site", site)
    assert result.code == 0, result.err
    assert "the output was updated, but the cache was not saved" in result.err
    assert snapshot(site / "output") == _fresh(site, run_cli, tmp_path)


def test_ctrl_c_during_the_swap_reports_the_new_output_and_the_next_build_is_right(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C arrives while the swap holds it back (raised from inside the swap's own system call wrapper)."""
    site = _site(tmp_path)
    assert run_cli("build", "--site", site, "-q").code == 0
    (site / "content/pages/extra.md").write_text(PAGE)
    real_replace, real_fsencode = os.replace, os.fsencode
    pressed: list[bool] = []

    def press_once() -> None:
        if not pressed:
            pressed.append(True)
            signal.raise_signal(signal.SIGINT)

    def replace(source: object, target: object) -> None:
        if str(target) == str(site / "output"):
            press_once()
        real_replace(source, target)  # type: ignore[arg-type]

    def fsencode(name: object) -> bytes:
        if str(name) == str(site / "output"):
            press_once()
        return real_fsencode(name)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsencode", fsencode)
    result = run_cli("build", "--site", site)
    monkeypatch.undo()
    assert pressed and result.code == 130
    assert "interrupted after the output was updated" in result.err and "holds the complete new site" in result.err
    assert (site / "output/extra/index.html").is_file()
    (site / "content/pages/extra.md").unlink()
    assert run_cli("build", "--site", site, "-q").code == 0
    assert not (site / "output/extra").exists()
    assert _strays(site) == []


def test_ctrl_c_before_the_swap_says_the_output_is_unchanged(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path, {"static/logo.png": b"\x89PNG\r\n"})  # a file copied as it is (CSS and JS are minified)
    assert run_cli("build", "--site", site, "-q").code == 0
    before = snapshot(site / "output")
    (site / "content/pages/extra.md").write_text(PAGE)

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "copyfile", interrupted)  # while static files are copied into the stage
    result = run_cli("build", "--site", site, "--no-cache")
    monkeypatch.undo()
    assert result.code == 130
    assert "interrupted; the previous output was left unchanged" in result.err
    assert snapshot(site / "output") == before


# --- 8: a killed build leaves the old tree or the new one ------------------------------------------------------

# Runs the CLI in a child that SIGKILLs itself on the Nth call of one file-system function.
KILLER = """
import os, shutil, signal, sys
module, name, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
owner = {"os": os, "shutil": shutil}[module]
real = getattr(owner, name)
calls = [0]
def killing(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(owner, name, killing)
if len(sys.argv) > 4 and sys.argv[4] == "no-exchange":
    import ctypes
    class NoExchange:  # a C library without renameat2 (as off Linux): two renames
        def __init__(self, *args, **kwargs): pass
    ctypes.CDLL = NoExchange
from evidencesite.cli import main
sys.exit(main(sys.argv[5:]))
"""


@pytest.mark.parametrize(
    ("module", "name", "nth", "exchange"),
    [
        ("os", "link", 1, "exchange"),  # staging the unchanged files
        ("os", "link", 40, "exchange"),
        ("os", "replace", 1, "exchange"),  # the first rename (caches only after the swap)
        ("os", "replace", 3, "exchange"),
        ("shutil", "rmtree", 1, "exchange"),  # just after the swap, deleting the previous tree
        ("os", "replace", 1, "no-exchange"),  # between the two renames: the old tree is put back next time
        ("os", "replace", 2, "no-exchange"),
    ],
)
def test_sigkill_during_an_incremental_build_leaves_old_or_new_and_the_next_build_is_right(
    tmp_path: Path, run_cli, module: str, name: str, nth: int, exchange: str
) -> None:  # type: ignore[no-untyped-def]
    pages = {f"content/pages/p{i}.md": f"---\ntitle: Page {i}\n---\nText {i} [@smith2020].\n" for i in range(40)}
    site = _site(tmp_path, pages)  # type: ignore[arg-type]
    assert run_cli("build", "--site", site, "-q").code == 0
    old = snapshot(site / "output")
    (site / "content/pages/p0.md").write_text("---\ntitle: Changed\n---\nNew text.\n")
    (site / "content/pages/p1.md").unlink()
    new = _fresh(site, run_cli, tmp_path)
    child = subprocess.run(
        [sys.executable, "-c", KILLER, module, name, str(nth), exchange, "build", "--site", str(site), "-q"],
        cwd=REPO,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    after_kill = snapshot(site / "output")
    if after_kill:
        assert after_kill in (old, new), "a mix of old and new pages"
    else:  # killed between two renames: the old tree waits beside the output, whole
        assert exchange == "no-exchange"
        assert [snapshot(p) for p in site.iterdir() if p.name.startswith(".evidencesite-old-")] == [old]
    assert run_cli("build", "--site", site, "-q").code == 0
    assert snapshot(site / "output") == new
    assert _strays(site) == []


# --- 10: nothing outside the output is ever deleted -------------------------------------------------------------


def test_a_symlinked_folder_in_the_output_never_leads_deletions_outside(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path, {"content/pages/extra.md": PAGE})
    assert run_cli("build", "--site", site, "-q").code == 0
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "index.html").write_text("someone else's file")
    shutil.rmtree(site / "output/extra")
    (site / "output/extra").symlink_to(outside, target_is_directory=True)
    (site / "content/pages/extra.md").unlink()
    assert run_cli("build", "--site", site, "-q").code == 0
    assert (outside / "index.html").read_text() == "someone else's file"
    assert not (site / "output/extra").exists() and not (site / "output/extra").is_symlink()


# --- 14: one problem, one line -----------------------------------------------------------------------------------


def test_problem_lines_escape_control_characters_in_paths_and_messages() -> None:
    diagnostic = Diagnostic(
        "content/pages/x\n::error file=a::forged.md", 3, 0, Severity.ERROR, "malformed YAML:\n  line two \x1b[31mred"
    )
    line = diagnostic.format()
    assert line == ("content/pages/x\\n::error file=a::forged.md:3: error: malformed YAML:\\n  line two \\x1b[31mred")
    record = diagnostic.as_json()
    assert record["file"] == "content/pages/x\\n::error file=a::forged.md"
    assert record["message"] == "malformed YAML:\\n  line two \\x1b[31mred"


def test_a_file_name_with_a_newline_cannot_forge_an_error_line(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path, {"content/pages/Bad\n::error ::forged.md": "---\ntitle: x\n---\n"})
    for command in (["build"], ["check"], ["check", "--format", "json"]):
        result = run_cli(*command, "--site", site)
        assert result.code == 1
        assert not [line for line in (result.err + result.out).splitlines() if line.startswith("::")], command
        assert "\\n::error ::forged.md" in result.err + result.out


# --- 17: nav links ----------------------------------------------------------------------------------------------

NAV = "nav:\n  - title: Evidence\n    link: evidence\n  - title: Missing\n    link: {missing}\n  - title: Script\n    link: {script}\n"


def test_nav_links_to_missing_pages_or_other_schemes_are_located_errors(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    config = MINIMAL_FILES["site_config.yaml"] + NAV.format(missing="pages/abuot.md", script="'javascript:alert(1)'")
    site = _site(tmp_path, {"site_config.yaml": config, "content/pages/about.md": "---\ntitle: About\n---\n"})
    for command in ("build", "check"):
        result = run_cli(command, "--site", site)
        err = result.err.replace(str(site) + os.sep, "")
        assert result.code == 1, command
        assert (
            "site_config.yaml:10: error: nav link 'pages/abuot.md' names no content file (did you mean "
            "'pages/about.md'?)" in err
        )
        assert "site_config.yaml:12: error: nav link 'javascript:alert(1)' leaves the site" in err
    assert not (site / "output").exists()


def test_nav_link_to_a_folder_that_is_no_page_is_an_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    config = MINIMAL_FILES["site_config.yaml"] + NAV.format(missing="evidnce", script="about")
    site = _site(tmp_path, {"site_config.yaml": config, "content/pages/about.md": "---\ntitle: About\n---\n"})
    result = run_cli("check", "--site", site)
    assert result.code == 1
    assert "site_config.yaml:10: error: nav link 'evidnce' leads to no page of the site (did you mean 'evidence'?)" in (
        result.err.replace(str(site) + os.sep, "")
    )
    assert "site_config.yaml:12" not in result.err  # 'about' is the free page's folder


# --- 22: check finds what build finds; unreadable files; mount points; empty foreign folders ----------------------


def test_an_asset_whose_output_collides_with_a_generated_file_fails_check_and_build_at_its_path(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path, {"content/404.html/figure.png": b"\x89PNG\r\n\x1a\n" + bytes(20)})
    for command in ("check", "build"):
        result = run_cli(command, "--site", site)
        assert result.code == 1, command
        assert (
            "content/404.html/figure.png: error: output paths collide: its output '404.html/figure.png' needs the "
            "folder '404.html/', but '404.html' is a generated file; rename or move this file"
            in result.err.replace(str(site) + os.sep, "")
        )
    assert not (site / "output").exists()


@pytest.mark.parametrize("relative", ["site_config.yaml", "templates/page.html"])
def test_an_unreadable_config_or_template_is_named(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch, relative: str
) -> None:  # type: ignore[no-untyped-def]
    """As root nothing is unreadable, so the refusal is simulated where the file is read."""
    site = _site(tmp_path, {"templates/page.html": "{% extends 'base.html' %}\n"})
    refused = site / relative
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path == refused:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run_cli("build", "--site", site)
    assert result.code == 1
    assert f"{relative}: error: cannot read" in result.err.replace(str(site) + os.sep, "")
    assert "Permission denied" in result.err


def test_an_empty_foreign_output_folder_leaves_nothing_beside_it(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path)
    (site / "output").mkdir()
    assert run_cli("build", "--site", site, "-q").code == 0
    assert (site / "output" / MARKER).is_file()
    assert _strays(site) == []


def _mount(kind: str, output: Path, scratch: Path) -> None:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a folder needs root on Linux")
    output.mkdir(parents=True)
    if kind == "tmpfs":
        command = ["mount", "-t", "tmpfs", "tmpfs", str(output)]
    else:  # a bind mount of a folder on the same file system: same device, and still not renamable
        scratch.mkdir()
        command = ["mount", "--bind", str(scratch), str(output)]
    if shutil.which("mount") is None or subprocess.run(command, capture_output=True, check=False).returncode != 0:
        pytest.skip("this system does not let the tests mount a folder")


@pytest.mark.parametrize("kind", ["tmpfs", "bind"])
def test_an_output_folder_that_is_a_mount_point_is_refilled(tmp_path: Path, run_cli, kind: str) -> None:  # type: ignore[no-untyped-def]
    site = _site(tmp_path, {"content/pages/extra.md": PAGE})
    output = site / "output"
    _mount(kind, output, tmp_path / "volume")
    try:
        assert run_cli("build", "--site", site, "-q").code == 0
        assert (output / "extra/index.html").is_file()
        (site / "content/pages/extra.md").unlink()
        (site / "content/pages/other.md").write_text(PAGE)
        result = run_cli("build", "--site", site, "-q")
        assert result.code == 0, result.err
        assert str(output) in Path("/proc/self/mounts").read_text()  # still the mounted folder
        assert snapshot(output) == _fresh(site, run_cli, tmp_path)
        assert _strays(site) == [] and _strays(output) == []
    finally:
        subprocess.run(["umount", str(output)], check=False)


# --- 19: serve ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_serve_refuses_a_port_outside_the_tcp_range(tmp_path: Path, port: str) -> None:
    """In a child process: before this was refused, the server started (and never returned)."""
    command = [sys.executable, str(REPO / "build.py"), "serve", "--site", str(_site(tmp_path)), "--port", port]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert f"argument --port: port {port} is outside 1-65535" in result.stderr


def test_cached_state_names_the_output_generation_it_describes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """An older last-build.json can never vouch for an output a later build (whose state was lost) wrote."""
    site = _site(tmp_path)
    assert run_cli("build", "--site", site, "-q").code == 0
    state = json.loads((site / CACHE_FOLDER / "last-build.json").read_text())
    original = (site / "content/index.md").read_text()
    (site / "content/index.md").write_text(original.replace("Welcome.", "Changed."))
    os.utime(site / "content/index.md", (1, 1))  # old enough to be trusted
    assert run_cli("build", "--site", site, "-q", "--no-cache").code == 0  # writes, records nothing
    (site / "content/index.md").write_text(original)
    (site / CACHE_FOLDER / "last-build.json").write_text(json.dumps(state))
    assert run_cli("build", "--site", site, "-q").code == 0
    assert b"Welcome." in (site / "output/index.html").read_bytes()
