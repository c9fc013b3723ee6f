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


def differences(made: Path, fresh: Path) -> list[str]:
    """Output paths missing from one tree, or whose bytes differ (our marker and temporary files left out)."""
    def files(root: Path) -> set[str]:
        found = set()
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                if not name.startswith(".evidencesite"):
                    found.add(path.relative_to(root).as_posix())
        return found

    ours, theirs = files(made), files(fresh)
    different = sorted(ours ^ theirs)
    different += [path for path in sorted(ours & theirs) if not filecmp.cmp(made / path, fresh / path, shallow=False)]
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
        count = sum(len(names) for _, _, names in os.walk(fresh))
        if different:
            return f"DIFFERENT: {len(different)} of {count} files differ, e.g. {', '.join(different[:5])}"
        return f"identical ({count} files compared byte for byte)"
