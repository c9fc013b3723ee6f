"""Forest plots: geometry that follows the numbers, text for everything colour or position says."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as etree

from evidencesite.synthesis.forest_plot import (
    PLOT_LEFT,
    PLOT_RIGHT,
    ForestPlot,
    ForestRow,
    ForestSummary,
    format_effect,
    render_forest_plot,
)
from evidencesite.synthesis.meta_analysis import Measure

SVG = "{http://www.w3.org/2000/svg}"


def _plot(measure: Measure, rows: tuple[ForestRow, ...], summary: ForestSummary | None = None) -> ForestPlot:
    return ForestPlot("q1", "Pain at 12 weeks", measure, rows, "Favours exercise", "Favours usual care", summary)


def _svg(html: str) -> etree.Element:
    svg = re.search(r"<svg.*</svg>", html, re.DOTALL)
    assert svg is not None
    return etree.fromstring(svg.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


ROWS = (
    ForestRow("Smith 2020", "../../studies/smith2020/index.html", 0.5, 0.25, 1.0, "Low", "RCT, n = 120", 60.0),
    ForestRow("Jones & Lee 2021", "../../studies/jones2021/index.html", 2.0, 1.0, 4.0, "High", "RCT, n = 80", 40.0),
)


def test_ratio_measures_use_a_log_axis_centred_on_no_effect() -> None:
    svg = _svg(render_forest_plot(_plot(Measure.RR, ROWS)))
    null_line = svg.find(f"{SVG}line[@class='forest-plot__null']")
    assert null_line is not None
    x_null = float(null_line.get("x1", ""))
    points = [float(r.get("x", "")) + float(r.get("width", "")) / 2 for r in svg.iter(f"{SVG}rect")]
    # 0.5 and 2.0 are equally far from 1 on a log scale
    assert math.isclose(x_null - points[0], points[1] - x_null, abs_tol=0.05)
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "forest-plot__tick"]
    assert ticks == ["0.2", "0.5", "1", "2", "5"]
    assert all(PLOT_LEFT <= x <= PLOT_RIGHT for x in points)


def test_difference_measures_use_a_linear_axis_through_zero() -> None:
    rows = (ForestRow("A 2019", "a.html", -0.8, -1.3, -0.3), ForestRow("B 2020", "b.html", 0.2, -0.4, 0.8))
    svg = _svg(render_forest_plot(_plot(Measure.MD, rows)))
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "forest-plot__tick"]
    assert "0" in ticks and ticks == sorted(ticks, key=lambda t: float(t.replace("−", "-")))


def test_every_row_links_to_its_study_and_says_its_risk_of_bias_in_words() -> None:
    html = str(render_forest_plot(_plot(Measure.RR, ROWS)))
    svg = _svg(html)
    links = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert links == [r.href for r in ROWS]
    details = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "forest-plot__detail"]
    assert details == ["0.50 (0.25 to 1.00) · RoB: Low", "2.00 (1.00 to 4.00) · RoB: High"]
    # the data table is the text alternative: every number and judgement, with links
    table = html[html.index("<table") :]
    assert '<a href="../../studies/smith2020/index.html">Smith 2020</a>' in table
    assert "<td>0.50 (0.25 to 1.00)</td><td>Low</td>" in table
    assert '<figcaption id="q1-caption">Pain at 12 weeks</figcaption>' in html
    assert 'aria-labelledby="q1-caption"' in html


def test_a_pooled_estimate_is_a_diamond_with_weights_in_the_table() -> None:
    summary = ForestSummary(0.9, 0.5, 1.6, "Random effects (REML), 2 studies, 200 participants", "τ² = 0.31; I² = 72%")
    html = str(render_forest_plot(_plot(Measure.RR, ROWS, summary)))
    svg = _svg(html)
    diamond = svg.find(f"{SVG}polygon")
    assert diamond is not None and diamond.get("class") == "forest-plot__diamond"
    assert "<th scope=\"col\">Weight</th>" in html and "<td>60.0%</td>" in html
    assert "τ² = 0.31; I² = 72%" in html


def test_labels_are_escaped() -> None:
    rows = (ForestRow("O'Brien <& co> 2020", "x.html?a=1&b=2", 1.2, 0.9, 1.5),)
    html = str(render_forest_plot(_plot(Measure.OR, rows)))
    assert "O&#39;Brien &lt;&amp; co&gt; 2020" in html and 'href="x.html?a=1&amp;b=2"' in html
    _svg(html)  # well-formed


def test_effects_are_written_with_a_true_minus_sign() -> None:
    assert format_effect(Measure.MD, -0.8, -1.3, -0.3) == "−0.80 (−1.30 to −0.30)"
    assert format_effect(Measure.RR, 0.047, 0.024, 0.092) == "0.047 (0.024 to 0.092)"
