"""The bad-input catalogue: each case is a small overlay on a good site that was built before.

For every case we assert the exit code, that stderr names the file (and line), that the previous
output is byte-for-byte unchanged when the build fails, and that nothing was written outside the
output folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, REPO, snapshot, write_site

STUDY = MINIMAL_FILES["content/studies/smith2020.md"]
HOME = MINIMAL_FILES["content/index.md"]
MECHANISM = MINIMAL_FILES["content/mechanisms/memory.md"]


@dataclass(frozen=True)
class Case:
    overlay: dict[str, str | bytes]
    code: int
    stderr: str  # a fragment naming the file (and line where the case has one)
    strict: bool = False
    output: str | None = None  # an --output relative to the site


CATALOGUE = {
    "malformed_yaml": Case(
        {"content/studies/smith2020.md": STUDY.replace("title: A trial", "title: [A trial")},
        1,
        "content/studies/smith2020.md:3: error: malformed YAML",
    ),
    "unclosed_front_matter": Case(
        {"content/index.md": "---\ntitle: Home\n"},
        1,
        "content/index.md:1: error: front matter opened with '---' is never closed",
    ),
    "tabs_in_yaml": Case(
        {"content/index.md": "---\ntitle: Home\ntags:\n\t- a\n---\n"},
        1,
        "content/index.md:4: error: malformed YAML: found character that cannot start any token",
    ),
    "list_where_string_expected": Case(
        {"content/index.md": "---\ntitle: [Home, Page]\n---\n"},
        1,
        "content/index.md:2: error: 'title' must be text, not a list",
    ),
    "year_1850": Case(
        {"content/studies/smith2020.md": STUDY.replace("year: 2020", "year: 1850")},
        1,
        "content/studies/smith2020.md:4: error: year 1850 is outside 1900-2100",
    ),
    "year_2999": Case(
        {"content/studies/smith2020.md": STUDY.replace("year: 2020", "year: 2999")},
        1,
        "content/studies/smith2020.md:4: error: year 2999 is outside 1900-2100",
    ),
    "empty_study_note": Case(
        {"content/studies/empty2020.md": ""}, 1, "content/studies/empty2020.md:1: error: file is empty"
    ),
    "only_front_matter": Case(
        {"content/studies/smith2020.md": STUDY.split("## Question")[0]},
        0,
        "content/studies/smith2020.md:16: warning: study note has no body text",
    ),
    "only_front_matter_strict": Case(
        {"content/studies/smith2020.md": STUDY.split("## Question")[0]},
        1,
        "content/studies/smith2020.md:16: error: study note has no body text",
        strict=True,
    ),
    "unknown_key_in_table": Case(
        {"content/index.md": HOME + "\n| a | b |\n|---|---|\n| [@ghost2001] | x |\n"},
        1,
        "content/index.md:8: error: unknown citation key 'ghost2001'",
    ),
    "unknown_key_in_footnote": Case(
        {"content/index.md": HOME + "\nText[^1].\n\n[^1]: See [@ghost2001].\n"},
        1,
        "content/index.md:8: error: unknown citation key 'ghost2001'",
    ),
    "unknown_key_in_heading": Case(
        {"content/index.md": HOME + "\n## Heading [@ghost2001]\n"},
        1,
        "content/index.md:6: error: unknown citation key 'ghost2001'",
    ),
    "empty_citation": Case(
        {"content/index.md": HOME + "\nBad [@].\n"}, 1, "content/index.md:6: error: empty citation key: write '[@key]'"
    ),
    "space_after_at": Case(
        {"content/index.md": HOME + "\nBad [@ smith2020].\n"},
        1,
        "content/index.md:6: error: space after '@' in a citation: write '[@key]'",
    ),
    "citation_in_code_span": Case({"content/index.md": HOME + "\nWrite `[@ghost2001]` to cite.\n"}, 0, ""),
    "claim_cites_draft_only_key": Case(
        {
            "content/studies/draft2021.md": STUDY.replace("title: A trial", "draft: true\ntitle: A trial"),
            "content/mechanisms/memory.md": MECHANISM.replace(
                "evidence: [smith2020]", "evidence: [smith2020, draft2021]"
            ),
        },
        1,
        "content/mechanisms/memory.md:9: error: claim 'memory-claim' cites 'draft2021', which is a draft",
    ),
    "empty_substances": Case(
        {"content/studies/smith2020.md": STUDY.replace("substances: [alcohol]", "substances: []")},
        1,
        "content/studies/smith2020.md:12: error: 'substances' is empty",
    ),
    "same_slug_in_two_sections": Case(
        {"content/mechanisms/alcohol.md": "---\ntitle: Alcohol mechanism\n---\nText.\n"},
        1,
        "content/substances/alcohol.md:1: error: slug 'alcohol' is already used by content/mechanisms/alcohol.md",
    ),
    "duplicate_heading_id": Case(
        {"content/index.md": HOME + "\n## One {#same}\n\n## Two {#same}\n"},
        1,
        "content/index.md:6: error: duplicate id 'same' on this page",
    ),
    "file_names_differing_only_by_case": Case(
        {"content/studies/Smith2020.md": STUDY},
        1,
        "content/studies/smith2020.md: error: file name 'studies/smith2020.md' differs from content/studies/Smith2020.md only by case",
    ),
    "citation_keys_are_case_sensitive": Case(
        {"content/index.md": HOME + "\nSee [@Smith2020].\n"},
        1,
        "content/index.md:6: error: unknown citation key 'Smith2020' (did you mean 'smith2020'?)",
    ),
    "slug_escape": Case(
        {"content/pages/about.md": "---\ntitle: About\nslug: ../../x\n---\n"},
        1,
        "content/pages/about.md:3: error: slug '../../x' must be lowercase",
    ),
    "file_name_with_spaces": Case(
        {"content/pages/my page.md": "---\ntitle: Mine\n---\n"},
        1,
        "content/pages/my page.md: error: file name 'my page.md' must be lowercase",
    ),
    "non_utf8": Case(
        {"content/pages/latin.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1")},
        1,
        "content/pages/latin.md:2: error: file is not valid UTF-8",
    ),
    "utf8_bom_works": Case({"content/pages/bom.md": "\ufeff---\ntitle: With BOM\n---\nText [@smith2020].\n"}, 0, ""),
    "windows_line_endings_work": Case(
        {"content/pages/crlf.md": "---\r\ntitle: CRLF\r\n---\r\nText [@smith2020].\r\n"}, 0, ""
    ),
    "template_missing_variable": Case(
        {"templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ missing_thing }}\n{% endblock %}\n"},
        1,
        "templates/page.html:3: error: template error: 'missing_thing' is undefined",
    ),
    "template_includes_missing_template": Case(
        {
            "templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{% include 'nowhere.html' %}\n{% endblock %}\n"
        },
        1,
        "templates/page.html:3: error: template 'nowhere.html' not found",
    ),
    "config_typo_warning": Case(
        {"site_config.yaml": MINIMAL_FILES["site_config.yaml"] + "titel: Oops\n"},
        0,
        "site_config.yaml:6: warning: unknown setting 'titel' (did you mean 'title'?)",
    ),
    "config_typo_strict": Case(
        {"site_config.yaml": MINIMAL_FILES["site_config.yaml"] + "titel: Oops\n"},
        1,
        "site_config.yaml:6: error: unknown setting 'titel' (did you mean 'title'?)",
        strict=True,
    ),
    "output_inside_content": Case({}, 2, "lies inside", output="content/built"),
}


def _outside_output(root: Path) -> dict[str, bytes]:
    """Everything but the output folder and the render cache (<site>/.cache/, the one other place a build writes)."""
    return {
        path: data for path, data in snapshot(root).items() if not path.startswith(("site/output/", "site/.cache/"))
    }


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bad_input_catalogue(name: str, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    case = CATALOGUE[name]
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    assert run_cli("build", "--site", site, "-q").code == 0
    output_before = snapshot(site / "output")
    write_site(site, case.overlay)
    outside_before = _outside_output(tmp_path)
    args = ["build", "--site", site]
    if case.strict:
        args.append("--strict")
    if case.output:
        args += ["--output", site / case.output]
    result = run_cli(*args)
    stderr = result.err.replace(str(site) + os.sep, "")
    assert result.code == case.code, stderr
    assert case.stderr in stderr, stderr
    if case.code != 0:
        assert snapshot(site / "output") == output_before
    assert _outside_output(tmp_path) == outside_before, "something was written outside the output folder"


def test_symlink_in_content_pointing_outside(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    assert run_cli("build", "--site", site, "-q").code == 0
    before = snapshot(site / "output")
    (tmp_path / "elsewhere.md").write_text("---\ntitle: Elsewhere\n---\n")
    (site / "content" / "pages").mkdir()
    (site / "content" / "pages" / "link.md").symlink_to(tmp_path / "elsewhere.md")
    result = run_cli("build", "--site", site)
    assert result.code == 1
    assert "content/pages/link.md: error: symlink points outside the site folder" in result.err.replace(
        str(site) + os.sep, ""
    )
    assert snapshot(site / "output") == before


def test_five_megabyte_note_builds_in_bounded_time(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    paragraph = (
        "Ketamine was given in a small trial and the results were mixed. " * 12 + "One citation [@smith2020].\n\n"
    )
    big = STUDY + paragraph * (5_000_000 // len(paragraph))
    assert len(big.encode()) >= 4_900_000
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, "content/studies/smith2020.md": big})
    started = time.monotonic()
    assert run_cli("build", "--site", site, "-q").code == 0
    assert time.monotonic() - started < 240  # a sanity bound against quadratic blow-ups, not a benchmark
    assert (site / "output" / "studies" / "smith2020" / "index.html").stat().st_size > 4_000_000


def test_deeply_nested_markdown_is_a_located_error_not_a_crash(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    nested = "".join("  " * depth + "- item\n" for depth in range(900))
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, "content/pages/deep.md": "---\ntitle: Deep\n---\n" + nested})
    result = run_cli("build", "--site", site)
    assert result.code in (0, 1)
    assert "Traceback" not in result.err
    if result.code == 1:
        assert "content/pages/deep.md:4: error: Markdown nests too deeply" in result.err.replace(str(site) + os.sep, "")


def _start_build(site: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "build", "--site", str(site)],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )


def test_two_builds_at_once_serialise(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    first = _start_build(site, tmp_path / "one.log")
    second = _start_build(site, tmp_path / "two.log")
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    assert (site / "output" / "index.html").is_file()
    assert not [p for p in site.iterdir() if p.name.startswith(".evidencesite-")]


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_killed_build_leaves_previous_output_and_no_stray_folder_after_next_run(
    tmp_path: Path, run_cli, signal_number: int
) -> None:  # type: ignore[no-untyped-def]
    pages = {f"content/pages/p{i}.md": f"---\ntitle: Page {i}\n---\n" + "Text [@smith2020]. " * 200 for i in range(150)}
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, **pages})
    assert run_cli("build", "--site", site, "-q").code == 0
    before = snapshot(site / "output")
    (site / "content" / "pages" / "p0.md").write_text("---\ntitle: Changed\n---\nNew text.\n")
    process = _start_build(site, tmp_path / "killed.log")
    time.sleep(1.0)
    process.send_signal(signal_number)
    process.wait(timeout=60)
    current = snapshot(site / "output")
    assert current == before or b"Changed" in current.get("p0/index.html", b"")  # old output, or a completed new one
    assert run_cli("build", "--site", site, "-q").code == 0
    assert not [p for p in site.iterdir() if p.name.startswith(".evidencesite-")]


def test_an_unreadable_content_folder_is_a_located_error(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """As root the tests cannot make a folder unreadable, so the refusal is simulated where the loader lists it."""
    site = write_site(tmp_path / "site", dict(MINIMAL_FILES))
    (site / "content/private").mkdir()
    (site / "content/private/figure.png").write_bytes(b"png")
    real_scandir = os.scandir

    def refusing_scandir(path: str = ".") -> object:
        if str(path).endswith("content/private"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    result = run_cli("build", "--site", site, "--no-cache", "-q")
    assert result.code == 1
    assert "content/private: error: cannot read folder: Permission denied" in result.err
    assert "Traceback" not in result.err
