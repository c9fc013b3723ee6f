"""CSL styles measured against citeproc-js, the processor inside Zotero: the same entries, the same .csl file and
the same locale XML, only the processors differ.

Each entry of tests/fixtures/csl/hard-entries.json goes our whole way (CSL-JSON -> bibliography.parse_csl_json
-> Work -> exports.to_csl -> citeproc-py with csl_patches -> csl_fixes) and is compared, as whitespace-normalised plain text,
with tests/citeproc_js/render.mjs's rendering of the original record. The agreement per style is printed
(visible with -s and in CI's output) and must be at least 95%. The test skips when node or
node_modules/citeproc is missing (run `npm ci`), unless EVIDENCESITE_REQUIRE_ALL_TESTS is set (.ci/run sets it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import missing_tool
from evidencesite.content.bibliography import parse_csl_json
from evidencesite.csl.builtin_format import plain_text
from evidencesite.csl.formatter import CslFormatter
from evidencesite.csl.style import resolve_style
from evidencesite.errors import Diagnostics

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = ROOT / "tests" / "fixtures" / "csl" / "hard-entries.json"
RENDER = ROOT / "tests" / "citeproc_js" / "render.mjs"
STYLES = ("apa", "american-medical-association", "elsevier-vancouver", "nature", "chicago-author-date")
REQUIRED_AGREEMENT = 0.95


def citeproc_js(style_path: str, locale_folder: Path) -> dict[str, str]:
    """Return id -> citeproc-js's plain text for every fixture entry."""
    node = shutil.which("node")
    if node is None:
        missing_tool("node is not installed")
    if not (ROOT / "node_modules" / "citeproc").is_dir():
        missing_tool("node_modules/citeproc is missing (run `npm ci`)")
    result = subprocess.run(
        [node, str(RENDER), style_path, str(locale_folder), str(ENTRIES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(result.stdout))


def locale_folder() -> Path:
    import citeproc  # type: ignore[import-untyped]

    return Path(citeproc.__file__).parent / "data" / "locales"


def normalised(text: str) -> str:
    return " ".join(text.split())


def agreement(ours: dict[str, str], theirs: dict[str, str]) -> tuple[float, list[str]]:
    """Return the share of entries whose texts agree, and a report line for each that does not."""
    differing = [
        f"  {key}\n    ours: {ours.get(key)}\n    js:   {theirs[key]}"
        for key in theirs
        if normalised(ours.get(key, "")) != normalised(theirs[key])
    ]
    return 1 - len(differing) / len(theirs), differing


@pytest.mark.parametrize("name", STYLES)
def test_csl_styles_agree_with_citeproc_js(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diagnostics = Diagnostics(tmp_path)
    style = resolve_style(name, tmp_path, "en")
    assert not isinstance(style, type(None))
    works = parse_csl_json(ENTRIES.read_text(encoding="utf-8"), ENTRIES, diagnostics)
    assert diagnostics.errors == []
    formatter = CslFormatter(style)  # type: ignore[arg-type]
    ours = {work.key: plain_text(formatter.reference(work)) for work in works}
    theirs = citeproc_js(style.path, locale_folder())  # type: ignore[union-attr]
    share, differing = agreement(ours, theirs)
    with capsys.disabled():  # shown in every run (CI's log too), not only when the test fails
        print(f"\n{name}: {sum(1 for k in theirs if k in ours) - len(differing)}/{len(theirs)} entries ({share:.0%}) agree with citeproc-js")
        if differing:
            print("\n".join(differing))
    assert len(ours) == len(theirs), "every fixture entry must reach the formatter"
    assert share >= REQUIRED_AGREEMENT, f"{name}: {share:.0%} agree with citeproc-js (need 95%)"
