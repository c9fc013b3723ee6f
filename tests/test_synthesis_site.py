"""The evidence layer end to end, on the fixture site tests/fixtures/sites/synthesis (fictional notes).

Its 13 vaccine trials carry the counts of metafor's dat.bcg under fictional names: the built pages must show
metafor's published REML and DL results (rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg)) to 4 decimals.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import REPO, write_site

SITE = REPO / "tests" / "fixtures" / "sites" / "synthesis"
PAGE_BUDGET = 300_000  # bytes per page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("synthesis") / "output"
    assert main(["build", "--site", str(SITE), "--output", str(output), "--strict", "-q", "--no-cache"]) == 0
    return output


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def test_pooled_bcg_estimate_matches_metafor_reml_on_the_built_page(built: Path) -> None:
    page = (built / "interventions" / "vaccine" / "index.html").read_text(encoding="utf-8")
    # metafor: estimate -0.7145, se 0.1798, ci.lb -1.0669, ci.ub -0.3622, tau^2 0.3132
    assert "log RR −0.7145 (SE 0.1798; 95% CI −1.0669 to −0.3622); τ² = 0.3132; I² = 92%" in page
    assert "Random effects (REML), 13 studies, 357347 participants" in page
    assert "RR 0.49 (0.34 to 0.70) (pooled)" in _text(page)


def test_dersimonian_laird_is_an_option_and_matches_metafor(built: Path) -> None:
    page = (built / "interventions" / "vaccine" / "index.html").read_text(encoding="utf-8")
    assert "log RR −0.7141 (SE 0.1787; 95% CI −1.0644 to −0.3638); τ² = 0.3088; I² = 92%" in page
    assert "Random effects (DL), 13 studies" in page


def test_summary_of_findings_row_has_certainty_absolute_effect_and_footnote(built: Path) -> None:
    text = _text((built / "interventions" / "vaccine" / "index.html").read_text(encoding="utf-8"))
    assert "13 studies (357347 participants)" in text
    assert "9 per 1000 with the comparator; 4 per 1000 with the intervention (3 to 6)" in text
    assert "⊕⊕◯◯ Low" in text
    assert (
        "Starts low (not all randomised trials). Rated down 1 level for inconsistency. Rated up 1 level for a large "
        "effect. The trials' effects differ widely (I² above 90%)."
    ) in text
    assert "The vaccine may reduce tuberculosis cases." in text


def test_forest_plot_is_a_figure_with_a_data_table_and_links_to_each_study(built: Path) -> None:
    page = (built / "exercise-and-pain" / "index.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="forest-plot" id="forest-exercise-pain">.*?</figure>', page, re.S)
    assert figure is not None
    assert figure.group().count('<a href="../studies/') == 6  # each study: in the SVG and in the data table
    assert "Favours intervention" in figure.group() and "Favours comparator" in figure.group()
    assert "RoB: + Low" in figure.group() and "RoB: − Some concerns" in figure.group() and "RoB: × High" in figure.group()
    assert "⊕⊕⊕◯ Moderate" in _text(page)


def test_study_page_shows_results_plot_and_risk_of_bias_domains(built: Path) -> None:
    page = (built / "studies" / "oak2015" / "index.html").read_text(encoding="utf-8")
    text = _text(page)
    assert 'id="result-pain-12wk"' in page and "MD −0.80 (−1.30 to −0.30)" in text
    assert '<figure class="forest-plot" id="forest-md">' in page
    assert "Assessed with RoB 2 (randomised trials). Overall: + Low" in text
    assert "Deviations from intended interventions + Low Participants could not be blinded." in text
    counts = _text((built / "studies" / "alder1943" / "index.html").read_text(encoding="utf-8"))
    assert "RR 0.41 (0.13 to 1.26)" in counts  # metafor escalc: yi -0.8893, vi 0.3256


def test_evidence_page_has_traffic_lights_and_bars_per_tool(built: Path) -> None:
    page = (built / "evidence" / "index.html").read_text(encoding="utf-8")
    for tool in ("RoB 2 (randomised trials): 10 studies", "ROBINS-I (non-randomised studies of interventions): 6 studies", "SYRCLE (animal studies): 1 study"):
        assert tool in page
    assert page.count('<svg class="rob-bars__svg"') == 3
    assert "Serious: 4 of 6 (67%)" in page


def test_explorer_has_a_risk_of_bias_column_and_filter(built: Path) -> None:
    page = (built / "studies" / "index.html").read_text(encoding="utf-8")
    assert '<select name="rob">' in page
    assert page.count("data-rob=") == 17 and page.count('data-rob="serious"') == 4
    assert '<span class="rob rob-level-3">! Critical' not in page and '<span class="rob rob-level-2">× Serious</span>' in page


def test_matrix_cells_are_shaded_by_certainty(built: Path) -> None:
    page = (built / "evidence" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<td [^>]*class="cell certainty-low">', page)
    assert re.search(r'<td [^>]*class="cell certainty-moderate">', page)
    assert "Best certainty: <span aria-hidden=\"true\">⊕⊕⊕◯</span> Moderate" in page


def test_pages_stay_under_the_weight_budget(built: Path) -> None:
    heavy = {p.relative_to(built).as_posix(): p.stat().st_size for p in built.rglob("*.html") if p.stat().st_size > PAGE_BUDGET}
    assert not heavy


def test_results_build_on_a_site_whose_taxonomy_is_called_outcomes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    assert run_cli("init", site, "--title", "Another topic").code == 0
    note = next((site / "content" / "studies").glob("*.md"))
    text = note.read_text(encoding="utf-8").replace(
        'summary: "One plain sentence saying what was found."\n',
        'summary: "One plain sentence saying what was found."\nresults:\n  - {id: main, measure: OR, estimate: 0.6, ci: [0.4, 0.9], favours: lower}\n'
        "risk_of_bias: {tool: rob2, overall: low, domains: {randomisation: low, deviations: low, missing-data: low, "
        "measurement: low, selection: low}}\n",
    )
    write_site(site, {note.relative_to(site).as_posix(): text})
    result = run_cli("build", "--site", site, "--strict")
    assert result.code == 0, result.err
    page = (site / "output" / "studies" / note.stem / "index.html").read_text(encoding="utf-8")
    assert "OR 0.60 (0.40 to 0.90)" in _text(page) and '<figure class="forest-plot" id="forest-or">' in page


def test_results_on_different_scales_get_one_forest_plot_each(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Not pooled, an MD and an SMD answering one question cannot share an axis: two plots, no result dropped."""
    from test_evidence_checks import QUESTION, RESULT, files, study

    smd = study(RESULT.replace("MD", "SMD").replace("-0.8", "-0.4").replace("[-1.3, -0.3]", "[-0.9, 0.1]"), key="jones2019")
    root = site(files(RESULT, QUESTION, **{"content/studies/jones2019.md": smd}))
    result = run_cli("build", "--site", root, "--strict")
    assert result.code == 0, result.err
    page = (root / "output" / "mechanisms" / "memory" / "index.html").read_text(encoding="utf-8")
    assert page.count('<figure class="forest-plot" id="forest-memory-q') == 2  # the first plot's id is the one the table links
    assert "Does it change recall? (MD)" in page and "Does it change recall? (SMD)" in page


def test_the_explorer_keeps_a_review_confidence_apart_from_a_risk_of_bias(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    """AMSTAR 2's 'low' (low confidence: bad) and RoB 2's 'low' (low risk: good) are different filter values."""
    from test_evidence_checks import DOMAINS, RESULT, files, study

    trial = "risk_of_bias:\n  tool: rob2\n  overall: low\n  domains: " + DOMAINS + "\n"
    items = ", ".join(f"item-{n}: yes" for n in range(1, 17))
    review = "risk_of_bias:\n  tool: amstar2\n  overall: low\n  domains: {" + items + "}\n"
    root = site(files(RESULT + trial, **{"content/studies/jones2019.md": study(RESULT + review, key="jones2019")}))
    result = run_cli("build", "--site", root)
    assert result.code == 0, result.err
    explorer = (root / "output" / "studies" / "index.html").read_text(encoding="utf-8")
    assert '<option value="low" data-level="0" data-symbol="+">Low</option>' in explorer
    assert '<option value="confidence-low" data-level="2" data-symbol="×">Low confidence (review)</option>' in explorer
