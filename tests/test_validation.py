"""One test per validation error: exit code, and the exact `path:line: error: message`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES

STUDY = MINIMAL_FILES["content/studies/smith2020.md"]

CASES = {
    "malformed_yaml": (
        {"content/studies/smith2020.md": STUDY.replace("year: 2020\n", "year: [2020\n")},
        "content/studies/smith2020.md:5: error: malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence started on line 4)",
    ),
    "unclosed_front_matter": (
        {"content/substances/alcohol.md": "---\ntitle: Alcohol\nBody\n"},
        "content/substances/alcohol.md:1: error: front matter opened with '---' is never closed (add a '---' line after it)",
    ),
    "missing_required_field": (
        {"content/studies/smith2020.md": STUDY.replace("design: rct\n", "")},
        "content/studies/smith2020.md:1: error: missing required field 'design'",
    ),
    "wrong_type_year": (
        {"content/studies/smith2020.md": STUDY.replace("year: 2020", "year: twenty")},
        "content/studies/smith2020.md:4: error: 'year' must be a whole number, not 'twenty'",
    ),
    "unknown_design": (
        {"content/studies/smith2020.md": STUDY.replace("design: rct", "design: rtc")},
        "content/studies/smith2020.md:8: error: unknown design 'rtc' (did you mean 'rct'?); expected one of: meta-analysis, network-meta-analysis, "
        "systematic-review, guideline, rct, cluster-rct, crossover-rct, non-randomised-trial, open-label, cohort, "
        "diagnostic-accuracy, cross-sectional, secondary-analysis, human-laboratory, qualitative, case-series, case-report, "
        "narrative-review, preclinical-animal, preclinical-in-vitro",
    ),
    "malformed_doi": (
        {"content/studies/smith2020.md": STUDY.replace("doi: 10.1000/test.1", "doi: https://doi.org/10.1000/test.1")},
        "content/studies/smith2020.md:6: error: malformed doi 'https://doi.org/10.1000/test.1' (expected something like 10.1038/s41467-019-13162-w)",
    ),
    "malformed_pmid": (
        {"content/studies/smith2020.md": STUDY.replace("pmid: '123456'", "pmid: PMID123")},
        "content/studies/smith2020.md:7: error: malformed pmid 'PMID123' (expected something like 31772157)",
    ),
    "unknown_substance": (
        {
            "content/studies/smith2020.md": STUDY.replace(
                "substances: [alcohol]", "substances:\n  - alcohol\n  - alcohl"
            )
        },
        "content/studies/smith2020.md:14: error: unknown substance 'alcohl' (did you mean 'alcohol'?) (add content/substances/alcohl.md or fix the slug)",
    ),
    "unknown_mechanism": (
        {"content/studies/smith2020.md": STUDY.replace("mechanisms: [memory]", "mechanisms: [memroy]")},
        "content/studies/smith2020.md:13: error: unknown mechanism 'memroy' (did you mean 'memory'?) (add content/mechanisms/memroy.md or fix the slug)",
    ),
    "unknown_citation_key": (
        {"content/index.md": "---\ntitle: Home\n---\nWelcome.\n\nSee [@smith2021].\n"},
        "content/index.md:6: error: unknown citation key 'smith2021' (did you mean 'smith2020'?)",
    ),
    "key_in_bib_and_csl_json": (
        {
            "content/references.bib": "@article{other,\n  title = {Other}, year = 2001}\n",
            "content/references.json": '[\n  {"id": "other", "title": "Same key"}\n]\n',
        },
        "content/references.json:2: error: citation key 'other' is defined twice: here and in content/references.bib:1",
    ),
    "not_utf8": (
        {"content/substances/alcohol.md": "---\ntitle: Alcohol\n---\nCaf\xe9\n".encode("latin-1")},
        "content/substances/alcohol.md:4: error: file is not valid UTF-8 (byte 0xe9 at offset 26); save it as UTF-8",
    ),
    "empty_file": (
        {"content/substances/alcohol.md": ""},
        "content/substances/alcohol.md:1: error: file is empty: a page needs front matter with at least a title",
    ),
    "study_file_name_with_colon": (
        {"content/studies/smith:2021.md": STUDY},
        "content/studies/smith:2021.md: error: file name 'smith:2021.md' of a study note must be letters, digits, '_', and '.', '+' or '-' between them, ending in .md (it is the citation key); for a key such as 'smith:2019' name the file e.g. smith-2019.md and write 'key: smith:2019' in its front matter",
    ),
    "uppercase_page_file_name": (
        {"content/pages/About.md": "---\ntitle: About\n---\nText.\n"},
        "content/pages/About.md: error: file name 'About.md' must be lowercase letters, digits and '-' only, ending in .md (it becomes the URL)",
    ),
    "slug_leaving_output": (
        {"content/pages/about.md": "---\ntitle: About\nslug: ../../x\n---\nText.\n"},
        "content/pages/about.md:3: error: slug '../../x' must be lowercase a-z, 0-9 and '-' only (it names the page's folder in the output)",
    ),
    "slug_on_a_study_note": (
        {"content/studies/smith2020.md": STUDY.replace("year: 2020", "year: 2020\nslug: smith-study")},
        "content/studies/smith2020.md:5: error: 'slug' does not apply to study notes: a note's URL comes from its citation key (its file name, or 'key:'); rename the file or set 'key:' instead",
    ),
    "base_url_without_scheme": (
        {"site_config.yaml": MINIMAL_FILES["site_config.yaml"].replace("https://example.org/sub/", "example.org")},
        "site_config.yaml:3: error: base_url 'example.org' must be an absolute URL starting with https:// or http://",
    ),
    "missing_site_config": (
        {"site_config.yaml": None},
        "site_config.yaml: error: missing site_config.yaml: every site folder needs one; start a new site with `python build.py init FOLDER` (see docs/authoring.md)",
    ),
    "empty_substances": (
        {"content/studies/smith2020.md": STUDY.replace("substances: [alcohol]", "substances: []")},
        "content/studies/smith2020.md:12: error: 'substances' is empty: list at least one substance slug, or set 'background: true' for a background work that involves no substance",
    ),
    "claim_citing_unknown_key": (
        {
            "content/mechanisms/memory.md": MINIMAL_FILES["content/mechanisms/memory.md"].replace(
                "evidence: [smith2020]", "evidence: [smith2020, nobody2000]"
            )
        },
        "content/mechanisms/memory.md:9: error: claim 'memory-claim' cites unknown key 'nobody2000'",
    ),
    "template_missing_variable": (
        {
            "templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{{ no_such_variable }}\n{% endblock %}\n"
        },
        "templates/page.html:4: error: template error: 'no_such_variable' is undefined",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_validation_error_is_located(name: str, site, run_cli) -> None:  # type: ignore[no-untyped-def]
    overrides, expected = CASES[name]
    root: Path = site(overrides)
    result = run_cli("build", "--site", root)
    assert result.code == 1, result.err
    lines = [line.replace(str(root) + os.sep, "") for line in result.err.splitlines()]
    assert expected in lines, "\n".join(lines)


def test_all_problems_are_reported_in_one_run(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site(
        {
            "content/studies/smith2020.md": STUDY.replace("year: 2020", "year: twenty").replace(
                "design: rct", "design: rtc"
            ),
            "content/index.md": "---\ntitle: Home\n---\n[@nobody]\n",
        }
    )
    result = run_cli("check", "--site", root)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(errors) == 3, result.err


def test_unknown_field_is_warning_and_error_under_strict(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/studies/smith2020.md": STUDY.replace("n: 40", "n: 40\nsumary: typo")})
    expected = "content/studies/smith2020.md:11: warning: unknown field 'sumary' (did you mean 'summary'?)"
    lenient = run_cli("build", "--site", root)
    assert lenient.code == 0
    assert expected in lenient.err.splitlines()
    strict = run_cli("build", "--site", root, "--strict")
    assert strict.code == 1
    assert expected.replace("warning:", "error:") in strict.err.splitlines()


def test_config_typo_is_warning_with_suggestion(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"site_config.yaml": MINIMAL_FILES["site_config.yaml"] + "licence: CC BY\n"})
    result = run_cli("check", "--site", root)
    assert result.code == 0
    assert "site_config.yaml:6: warning: unknown setting 'licence' (did you mean 'license'?)" in result.err.splitlines()


def test_symlink_pointing_outside_site_is_error(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret\n---\n")
    (root / "content" / "pages").mkdir(parents=True, exist_ok=True)
    (root / "content" / "pages" / "secret.md").symlink_to(outside)
    result = run_cli("check", "--site", root)
    assert result.code == 1
    assert (
        f"content/pages/secret.md: error: symlink points outside the site folder (to {outside}); copy the file in instead"
        in result.err.splitlines()
    )


def test_draft_only_key_gets_draft_message(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/studies/draft2021.md": STUDY.replace("title: A trial", "draft: true\ntitle: A trial")})
    (root / "content" / "index.md").write_text("---\ntitle: Home\n---\nSee [@draft2021].\n")
    result = run_cli("check", "--site", root)
    assert (
        "content/index.md:4: error: cites 'draft2021', which is a draft (publish it, or build with --drafts)"
        in result.err.splitlines()
    )
    assert run_cli("check", "--site", root, "--drafts").code == 0


def test_moderate_claim_on_animal_evidence_only_is_warning_then_strict_error(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    animal = STUDY.replace("design: rct", "design: preclinical-animal").replace(
        "population: human", "population: animal"
    )
    mechanism = MINIMAL_FILES["content/mechanisms/memory.md"].replace("strength: weak", "strength: moderate")
    root = site({"content/studies/smith2020.md": animal, "content/mechanisms/memory.md": mechanism})
    expected = "content/mechanisms/memory.md:6: warning: claim 'memory-claim' is graded moderate but rests only on animal, in-vitro or case-report evidence"
    lenient = run_cli("check", "--site", root)
    assert lenient.code == 0 and expected in lenient.err.splitlines()
    strict = run_cli("check", "--site", root, "--strict")
    assert strict.code == 1 and expected.replace("warning:", "error:") in strict.err.splitlines()


def test_check_json_format_lists_file_line_column_severity_message(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    root = site({"content/index.md": "---\ntitle: Home\nsumary: typo\n---\n[@nobody]\n"})
    result = run_cli("check", "--site", root, "--format", "json")
    assert result.code == 1
    records = json.loads(result.out)
    assert {
        "file": "content/index.md",
        "line": 5,
        "column": 0,
        "severity": "error",
        "message": "unknown citation key 'nobody'",
    } in records
    assert {
        "file": "content/index.md",
        "line": 3,
        "column": 0,
        "severity": "warning",
        "message": "unknown field 'sumary' (did you mean 'summary'?)",
    } in records
    assert all(set(r) == {"file", "line", "column", "severity", "message"} for r in records)
