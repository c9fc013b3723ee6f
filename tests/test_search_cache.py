"""An edit rewrites only the search-index files it touches, in place, and a damaged cache or a killed build
never makes the output wrong."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import JONES_2019, MINIMAL_FILES, REPO, snapshot, write_site
from evidencesite.cache.files import CACHE_FOLDER
from evidencesite.output.writer import MARKER
from evidencesite.site.plan import SEARCH_INDEX

STUDIES = {
    f"content/studies/jones20{number:02d}.md": JONES_2019.replace("2019", f"20{number:02d}").replace(
        "Jones, Q", f"Jones{chr(97 + number)}, Q"
    )
    for number in range(10, 22)
}


@pytest.fixture
def site(tmp_path: Path, run_cli) -> Path:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path / "site", {**MINIMAL_FILES, **STUDIES})
    assert run_cli("build", "--site", root, "-q").code == 0
    return root


def _fresh(site: Path, run_cli, tmp_path: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    output = tmp_path / "fresh"
    assert run_cli("build", "--site", site, "--no-cache", "--output", output, "-q").code == 0
    return snapshot(output)


def _edit(site: Path, word: str) -> None:
    note = site / "content" / "studies" / "jones2015.md"
    note.write_text(note.read_text() + f"\nA {word} appears.\n")


def _index_mtimes(site: Path) -> dict[str, int]:
    folder = site / "output" / SEARCH_INDEX
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def test_an_edit_rewrites_only_the_index_files_it_touches(site: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = _index_mtimes(site)
    marker = (site / "output" / MARKER).stat().st_ino
    _edit(site, "zymurgical")
    assert run_cli("build", "--site", site, "-q").code == 0
    after = _index_mtimes(site)
    rewritten = sorted(name for name in after if after[name] != before[name])
    assert "meta.js" not in rewritten and "d0.js" in rewritten
    assert 0 < len([name for name in rewritten if name.startswith("t")]) < len([n for n in after if n.startswith("t")])
    assert any(b'"zymurgical"' in (site / "output" / SEARCH_INDEX / name).read_bytes() for name in rewritten)
    assert (site / "output" / MARKER).stat().st_ino != marker  # renewed: the output's record names this build
    assert snapshot(site / "output") == _fresh(site, run_cli, tmp_path)


@pytest.mark.parametrize("damage", ["garbage shards", "no shards", "garbage state", "other signatures"])
def test_a_damaged_search_cache_never_makes_the_index_wrong(site: Path, run_cli, tmp_path: Path, damage: str) -> None:  # type: ignore[no-untyped-def]
    folder = site / CACHE_FOLDER / "search"
    for path in folder.iterdir():
        if damage == "garbage shards" and path.name.startswith("t"):
            path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\nEVIDENCE_SEARCH.terms([0,{\"x\":[1,")
        elif damage == "no shards" and path.name.startswith("t"):
            path.unlink()
        elif damage == "garbage state" and path.name == "state.json":
            path.write_text('{"format": 1, "context": 3}')
        elif damage == "other signatures" and path.name.startswith("t"):
            path.write_bytes(b"0" * 40 + b"\n" + path.read_bytes().split(b"\n", 1)[1])
    for word in ("zymurgical", "quixotic"):
        _edit(site, word)
        assert run_cli("build", "--site", site, "-q").code == 0
        assert snapshot(site / "output") == _fresh(site, run_cli, tmp_path)


# Runs the CLI in a child that SIGKILLs itself on the Nth os.replace: the first one of an edit replacing its
# files in place renews the output's marker, the following ones move the files.
KILLER = """
import os, signal, sys
real, calls, nth = os.replace, [0], int(sys.argv[1])
def killing(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
os.replace = killing
from evidencesite.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("nth", [1, 2, 4])
def test_a_build_killed_while_replacing_files_in_place_is_not_trusted_by_the_next(
    site: Path, run_cli, tmp_path: Path, nth: int
) -> None:  # type: ignore[no-untyped-def]
    _edit(site, "zymurgical")
    child = subprocess.run(
        [sys.executable, "-c", KILLER, str(nth), "build", "--site", str(site), "-q"],
        cwd=REPO,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    result = run_cli("build", "--site", site)
    assert result.code == 0
    if nth > 1:  # the marker was renewed, so nothing of the old record is trusted: every file is made again
        assert "built 0 files" not in result.out and int(result.out.split()[1]) > 40
    assert snapshot(site / "output") == _fresh(site, run_cli, tmp_path)
    assert not [p.name for p in site.iterdir() if p.name.startswith(".evidencesite-")]
