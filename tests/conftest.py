"""Shared test helpers: tiny sites written inline, and the CLI run in-process."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from evidencesite.cli import main

REPO = Path(__file__).resolve().parent.parent

BASE_CONFIG = """\
title: Test site
description: A tiny site for tests.
base_url: https://example.org/sub/
citation_style: numeric
disclaimer: Not medical advice.
"""

MINIMAL_FILES = {
    "site_config.yaml": BASE_CONFIG,
    "content/index.md": "---\ntitle: Home\n---\nWelcome. See [@smith2020].\n",
    "content/substances/alcohol.md": "---\ntitle: Alcohol\nsummary: Alcohol use.\norder: 1\n---\nAbout alcohol [@smith2020].\n",
    "content/mechanisms/memory.md": (
        "---\ntitle: Memory\nsummary: Memory idea.\norder: 1\nclaims:\n"
        "  - id: memory-claim\n    text: A claim.\n    strength: weak\n    evidence: [smith2020]\n---\n"
        "## Idea\n\nMemories change [@smith2020, p. 3].\n"
    ),
    "content/studies/smith2020.md": (
        "---\n"
        "title: A trial of something\n"
        "authors: ['Smith, AB', 'Jones, C']\n"
        "year: 2020\n"
        "journal: Journal of Tests\n"
        "doi: 10.1000/test.1\n"
        "pmid: '123456'\n"
        "design: rct\n"
        "population: human\n"
        "n: 40\n"
        "finding: positive\n"
        "substances: [alcohol]\n"
        "mechanisms: [memory]\n"
        "summary: It worked a little.\n"
        "---\n"
        "## Question\n\nDid it work [@smith2020]?\n"
    ),
}

# A second study note (Jones 2019) that cites itself and smith2020, for tests that need notes citing each other.
JONES_2019 = (
    MINIMAL_FILES["content/studies/smith2020.md"]
    .replace("Smith, AB", "Jones, Q")
    .replace("year: 2020", "year: 2019")
    .replace("[@smith2020]", "[@jones2019; @smith2020]")
)


def missing_tool(reason: str) -> NoReturn:
    """Skip for a missing tool or file, or fail when EVIDENCESITE_REQUIRE_ALL_TESTS is set (as .ci/run does)."""
    if os.environ.get("EVIDENCESITE_REQUIRE_ALL_TESTS"):
        pytest.fail(f"{reason} (EVIDENCESITE_REQUIRE_ALL_TESTS is set: this test must run here)", pytrace=False)
    pytest.skip(reason)


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`; return root."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `build.py` in-process with the given arguments."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes the minimal site, with `overrides` (None deletes a file)."""

    def make(overrides: dict[str, str | bytes | None] | None = None) -> Path:
        files: dict[str, str | bytes | None] = dict(MINIMAL_FILES)
        files.update(overrides or {})
        root = tmp_path / "site"
        write_site(root, {k: v for k, v in files.items() if v is not None})
        return root

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` (relative path -> bytes), for byte-for-byte comparisons."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
