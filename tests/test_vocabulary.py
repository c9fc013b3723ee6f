"""The site's vocabulary (taxonomies, designs, note sections) comes from site_config.yaml, and every enumerated
front-matter value is checked: null is never read as a default, and 'no effect' is written `no-effect`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import BASE_CONFIG, JONES_2019, MINIMAL_FILES, snapshot, write_site

KNEE_STUDY = """\
---
title: "{title}"
authors: ["{author}, A", "Sample, B"]
year: {year}
journal: "Journal of Fictional Joints"
design: {design}
population: human
n: 120
finding: {finding}
interventions: [{intervention}]
outcomes: [{outcome}]
summary: "A fictional result."
---
## Question

Did it help [@{key}]?
"""


def _knee_site(root: Path, run_cli) -> Path:  # type: ignore[no-untyped-def]
    """A knee-osteoarthritis site started with `init` (interventions x outcomes), filled with fictional works."""
    assert run_cli("init", root, "--title", "Exercise for knee osteoarthritis").code == 0
    for kind, slug in (("interventions", "exercise"), ("intervention", "bracing"), ("outcomes", "pain")):
        created = run_cli("new", kind, slug, "--site", root)
        assert created.code == 0, created.err
        path = root / "content" / ("interventions" if kind.startswith("intervention") else kind) / f"{slug}.md"
        text = path.read_text().replace("draft: true", "draft: false")
        if kind == "outcomes":  # any taxonomy's page may carry claims
            text = text.replace("order: 0\n", "order: 0\nclaims:\n  - {id: less-pain, text: Exercise eases pain., "
                                "strength: weak, evidence: [lund2021]}\n")
        path.write_text(text)
    studies = {
        "lund2021": ("Exercise therapy for painful knees", "Lund", 2021, "cluster-rct", "positive", "exercise", "pain"),
        "ortiz2019": ("Knee braces and walking", "Ortiz", 2019, "cross-sectional", "no-effect", "bracing", "example-outcome"),
    }
    for key, (title, author, year, design, finding, intervention, outcome) in studies.items():
        (root / "content" / "studies" / f"{key}.md").write_text(
            KNEE_STUDY.format(
                title=title, author=author, year=year, design=design, finding=finding,
                intervention=intervention, outcome=outcome, key=key,
            )
        )
    return root


def test_a_site_on_another_topic_is_started_with_init_and_builds_strict_in_its_own_words(
    tmp_path: Path, run_cli  # type: ignore[no-untyped-def]
) -> None:
    site = _knee_site(tmp_path / "knee", run_cli)
    built = run_cli("build", "--site", site, "--strict", "--base-url", "https://knee.example/")  # as published
    assert built.code == 0, built.err
    assert "0 warning(s)" in built.out
    output = site / "output"
    home = (output / "index.html").read_text()
    nav = re.search(r'<nav class="wrap site-nav".*?</nav>', home, re.S)
    assert nav is not None and ">Interventions<" in nav.group(0) and ">Outcomes<" in nav.group(0)
    assert "The table counts studies for each intervention and outcome;" in home
    assert "Studies by intervention (rows) and outcome (columns)" in home
    assert '<tr><th scope="col">Intervention</th>' in home
    assert "?intervention=exercise&amp;outcome=pain" in home
    evidence = (output / "evidence" / "index.html").read_text()
    assert '<h2 id="matrix-heading">Interventions and outcomes</h2>' in evidence
    explorer = (output / "studies" / "index.html").read_text()
    assert '<label>Outcome <select name="outcome">' in explorer
    assert '<label>Intervention <select name="intervention">' in explorer
    assert '<th scope="col">Outcomes</th>' in explorer and 'data-outcome="pain" data-intervention="exercise"' in explorer
    assert "filter by outcome, intervention, design, population or direction of result (reviews have none)." in explorer
    study = (output / "studies" / "ortiz2019" / "index.html").read_text()
    assert "<dt>Outcomes</dt>" in study and '<a href="../../interventions/bracing/index.html">' in study
    assert "Cross-sectional study" in study and "<dt>Direction of result</dt><dd>No clear difference</dd>" in study
    assert '<span class="badge badge-finding finding-no-effect">No clear difference</span>' in study
    assert (output / "interventions" / "index.html").read_text().count('class="card"') == 3
    assert "<title>Interventions – Exercise for knee osteoarthritis</title>" in (
        output / "interventions" / "index.html"
    ).read_text()
    outcome = (output / "outcomes" / "pain" / "index.html").read_text()
    assert "Claims and their evidence" in outcome and "Studies on this site (1)" in outcome
    sitemap = (output / "sitemap.xml").read_text()  # the feed lists studies only; the sitemap every page
    assert "/interventions/exercise/</loc>" in sitemap and "/outcomes/pain/</loc>" in sitemap
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".js", ".css", ".json", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not re.search("substance|mechanism", text, re.I), path
    check = run_cli("check", "--site", site, "--strict")
    assert check.code == 0, check.err


def test_new_takes_the_default_vocabulary_kinds_and_refuses_others(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    assert run_cli("new", "mechanism", "craving", "--site", root).code == 0
    assert "claims:" in (root / "content" / "mechanisms" / "craving.md").read_text()
    assert run_cli("new", "substances", "nicotine", "--site", root).code == 0
    refused = run_cli("new", "intervention", "x", "--site", root)
    assert refused.code == 2
    assert "unknown kind 'intervention': choose one of study, page, mechanisms, mechanism, substances, substance" in (
        refused.err
    )


CONFIG_ERRORS = {
    "duplicate_key": (
        "taxonomies:\n  - {key: outcomes, title: Outcomes, singular: Outcome}\n"
        "  - {key: outcomes, title: Results, singular: Result}\n",
        "site_config.yaml:8: error: duplicate taxonomy key 'outcomes' (first on line 7)",
    ),
    "reserved_key": (
        "taxonomies:\n  - {key: studies, title: Studies, singular: Study}\n",
        "site_config.yaml:7: error: taxonomy key 'studies' is a folder the generator uses itself; choose another key",
    ),
    "missing_labels": (
        "taxonomies:\n  - {key: outcomes}\n",
        "site_config.yaml:7: error: taxonomy 1 needs 'title' and 'singular'",
    ),
    "bad_key": (
        "taxonomies:\n  - {key: Outcomes, title: Outcomes, singular: Outcome}\n",
        "site_config.yaml:7: error: taxonomy key 'Outcomes' must be lowercase a-z, 0-9 and '-', starting with a "
        "letter (it is the front-matter field, the content folder and the URL folder)",
    ),
    "filter_clash": (
        "taxonomies:\n  - {key: designs, title: Designs, singular: Design}\n",
        "site_config.yaml:7: error: singular 'Design' names the explorer's filter 'design', which is taken; "
        "choose another singular",
    ),
    "design_without_place": (
        "designs:\n  - {key: registry, label: Registry study, type: human-study}\n",
        "site_config.yaml:7: error: design 'registry' needs 'after' or 'before' (another design's key) to place it "
        "in the evidence order",
    ),
    "design_unknown_type": (
        "designs:\n  - {key: registry, label: Registry study, type: observational, after: cohort}\n",
        "site_config.yaml:7: error: design 'registry': unknown type 'observational'; expected one of: review, "
        "randomised-trial, human-study, laboratory",
    ),
    "design_unknown_anchor": (
        "designs:\n  - {key: registry, label: Registry study, type: human-study, after: cohrot}\n",
        "site_config.yaml:7: error: design 'registry': 'after' names unknown design 'cohrot' (did you mean 'cohort'?)",
    ),
}


@pytest.mark.parametrize("case", CONFIG_ERRORS, ids=list(CONFIG_ERRORS))
def test_vocabulary_setting_error_is_located(case: str, site, run_cli) -> None:  # type: ignore[no-untyped-def]
    addition, expected = CONFIG_ERRORS[case]
    assert BASE_CONFIG.count("\n") == 5  # the additions start on line 6
    root = site({"site_config.yaml": BASE_CONFIG + addition})
    result = run_cli("check", "--site", root)
    assert result.code == 1
    assert expected in result.err, result.err


STUDY = "content/studies/smith2020.md"
NULL_ERRORS = {
    "finding_null": (
        ("finding: positive", "finding: null"),
        f"{STUDY}:11: error: 'finding' has no value (YAML reads null, ~ and an empty value as nothing): write one "
        "of: positive, no-effect, negative, mixed ('no-effect' for a study that found no effect), or remove the line",
    ),
    "finding_quoted_null": (
        ("finding: positive", 'finding: "null"'),
        f"{STUDY}:11: error: finding 'null' is not a value: write 'no-effect' for a study that found no effect",
    ),
    "design_empty": (
        ("design: rct", "design:"),
        f"{STUDY}:8: error: 'design' has no value (YAML reads null, ~ and an empty value as nothing): write one of: "
        "meta-analysis, network-meta-analysis, systematic-review",
    ),
    "population_tilde": (
        ("population: human", "population: ~"),
        f"{STUDY}:9: error: 'population' has no value (YAML reads null, ~ and an empty value as nothing): write one "
        "of: human, animal, or remove the line",
    ),
    "background_null": (
        ("summary: It worked", "background: null\nsummary: It worked"),
        f"{STUDY}:14: error: 'background' has no value (YAML reads null, ~ and an empty value as nothing): write "
        "true or false, or remove the line",
    ),
}


@pytest.mark.parametrize("case", NULL_ERRORS, ids=list(NULL_ERRORS))
def test_null_where_a_choice_is_required_is_a_located_error(case: str, site, run_cli) -> None:  # type: ignore[no-untyped-def]
    (old, new), expected = NULL_ERRORS[case]
    root = site({STUDY: MINIMAL_FILES[STUDY].replace(old, new)})
    result = run_cli("check", "--site", root)
    assert result.code == 1
    assert expected in result.err, result.err


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("~", "'role' has no value (YAML reads null, ~ and an empty value as nothing): write one of: supports, "
         "contradicts, no-effect, context ('no-effect' for evidence that found no effect), or remove the line"),
        ("'null'", "role 'null' is not a value: write 'no-effect' for evidence that found no effect"),
    ],
)
def test_null_evidence_role_is_an_error_not_supports(role: str, expected: str, site, run_cli) -> None:  # type: ignore[no-untyped-def]
    page = "content/mechanisms/memory.md"
    root = site({page: MINIMAL_FILES[page].replace("evidence: [smith2020]", f"evidence: [{{key: smith2020, role: {role}}}]")})
    result = run_cli("check", "--site", root)
    assert result.code == 1
    assert f"{page}:9: error: {expected}" in result.err, result.err


def test_no_effect_role_is_counted(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    page = "content/mechanisms/memory.md"
    root = site({page: MINIMAL_FILES[page].replace("evidence: [smith2020]", "evidence: [{key: smith2020, role: no-effect}]")})
    assert run_cli("build", "--site", root, "-q").code == 0
    html = (root / "output" / "mechanisms" / "memory" / "index.html").read_text()
    assert '<li class="role-no-effect"><span class="role">no-effect:</span>' in html
    assert "0 supporting, 0 contradicting, 1 no effect, 0 context" in html


def test_a_site_design_is_placed_in_the_evidence_order_and_labelled(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    config = BASE_CONFIG + "designs:\n  - {key: registry, label: Registry study, type: human-study, before: rct}\n"
    study = MINIMAL_FILES[STUDY].replace("design: rct", "design: registry")
    root = site({"site_config.yaml": config, STUDY: study, "content/studies/jones2019.md": JONES_2019})
    assert run_cli("build", "--site", root, "-q").code == 0
    home = (root / "output" / "index.html").read_text()
    assert "design-registry" in home  # the strongest design of the cell: registry comes before rct here
    references = (root / "output" / "references" / "index.html").read_text()
    assert references.index("Registry studies") < references.index("Randomised controlled trials")


def test_only_listed_designs_with_default_designs_false(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    config = BASE_CONFIG + "default_designs: false\ndesigns:\n  - {key: trial, label: Trial, type: randomised-trial}\n"
    root = site({"site_config.yaml": config})
    result = run_cli("check", "--site", root)
    assert result.code == 1
    assert f"{STUDY}:8: error: unknown design 'rct'; expected one of: trial" in result.err


@pytest.mark.parametrize(
    "config_change",
    [
        # a design the cached note used is dropped, then another label is given to it
        "default_designs: false\ndesigns:\n  - {key: rct, label: A trial, type: randomised-trial}\n",
        # the study's taxonomies become optional and renamed: the cached validated page must not be reused
        "taxonomies:\n  - {key: mechanisms, title: Ideas, singular: Idea}\n"
        "  - {key: substances, title: Drugs, singular: Drug, required: true}\n",
    ],
)
def test_a_vocabulary_change_between_builds_gives_a_fresh_build(config_change: str, site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    assert run_cli("build", "--site", root, "-q").code == 0  # fills .cache/ (documents.json: validated pages)
    (root / "site_config.yaml").write_text(BASE_CONFIG + config_change)
    assert run_cli("build", "--site", root, "-q").code == 0
    fresh = tmp_path / "fresh"
    assert run_cli("build", "--site", root, "--no-cache", "--output", fresh, "-q").code == 0
    assert snapshot(root / "output") == snapshot(fresh)
    # and a design the config no longer has is an error on a cached build too
    (root / "site_config.yaml").write_text(
        BASE_CONFIG + "default_designs: false\ndesigns:\n  - {key: trial, label: Trial, type: randomised-trial}\n"
    )
    result = run_cli("build", "--site", root, "-q")
    assert result.code == 1 and "unknown design 'rct'" in result.err


def test_a_site_template_overrides_one_taxonomy(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"templates/term-substances.html": "{{ taxonomy.singular }}: {{ page.title }}"})
    write_site(root, {"templates/mechanism.html": "old name: {{ page.title }}"})
    assert run_cli("build", "--site", root, "-q").code == 0
    assert (root / "output" / "substances" / "alcohol" / "index.html").read_text() == "Substance: Alcohol"
    assert (root / "output" / "mechanisms" / "memory" / "index.html").read_text() == "old name: Memory"
