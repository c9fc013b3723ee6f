"""Byte identity at benchmark scale: an output made incrementally (the command line's edits, `serve`) against a fresh
`build --no-cache` of the same sources. CI checks the same on small sites (tests/test_incremental_random.py,
tests/test_body_edit.py); the benchmark checks it at N = 10,000, where the fast paths do their real work.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def entries(root: Path) -> dict[str, str]:
    """Every entry under `root` (our marker and temporary files left out): folders as 'dir', symlinks as their
    target (never followed), regular files as 'file' (their bytes are compared by `differences`)."""
    found: dict[str, str] = {}
    for folder, subfolders, names in os.walk(root):
        for name in [*subfolders, *names]:
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if relative.startswith(".evidencesite") or name.startswith(".evidencesite-"):
                continue
            if path.is_symlink():
                found[relative] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[relative] = "dir"
            else:
                found[relative] = "file" if path.is_file() else "other"
    return found


def differences(made: Path, fresh: Path) -> list[str]:
    """Output paths (files, folders, links) in only one tree, of another kind, or whose bytes differ."""
    ours, theirs = entries(made), entries(fresh)
    different = sorted(path for path in ours.keys() | theirs.keys() if ours.get(path) != theirs.get(path))
    for path in sorted(path for path, kind in ours.items() if kind == "file" and theirs.get(path) == "file"):
        try:
            if not filecmp.cmp(made / path, fresh / path, shallow=False):
                different.append(path)
        except OSError:
            different.append(path)  # unreadable: not shown identical
    return different


def check_against_fresh(generator: Path, site: Path, made: Path, scratch: Path | None = None) -> str:
    """Build `site` with --no-cache into a scratch folder and compare it with `made`; a one-line verdict."""
    with tempfile.TemporaryDirectory(dir=scratch, prefix="evidencesite-fresh-") as folder:
        fresh = Path(folder) / "output"
        command = [sys.executable, str(generator / "build.py"), "build", "--site", str(site), "--no-cache"]
        done = subprocess.run([*command, "--output", str(fresh), "-q"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"FAILED: the --no-cache build exited {done.returncode}: {done.stderr.strip()[-300:]}"
        different = differences(made, fresh)
        count = sum(1 for kind in entries(fresh).values() if kind == "file")
        if different:
            return f"DIFFERENT: {len(different)} of {count} files differ, e.g. {', '.join(different[:5])}"
        return f"identical ({count} files compared byte for byte)"
