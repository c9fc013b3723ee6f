"""Forest plots as inline SVG: one row per study result, a diamond for the pooled estimate.

Drawn in Python as markup (no JavaScript, no images): the page works offline and in print, and the
colours come from CSS (`currentColor` and classes), so light, dark and print themes apply. The view box
is narrow (360 units) so that at 375 px wide the text stays at about its nominal size; the figure
is capped in CSS on wide screens. Every number is also in the data table that follows the plot, its
text alternative, where each study links to its note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from evidencesite.synthesis.meta_analysis import Measure

WIDTH = 360
LABEL_WIDTH = 150
PLOT_LEFT, PLOT_RIGHT = 162.0, 350.0
ROW_HEIGHT = 30
TOP = 8
_NICE_RATIOS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class ForestRow:
    """One result, on the display scale (ratios as ratios): `href` is the study note, relative to the page."""

    label: str
    href: str
    estimate: float
    low: float
    high: float
    risk_of_bias: str = ""  # a text label such as "Low", "Some concerns", "High"; "" when not assessed
    detail: str = ""  # e.g. "RCT, n = 120"
    weight: float | None = None  # percent, for pooled plots


@dataclass(frozen=True)
class ForestSummary:
    """The pooled estimate drawn as a diamond, with its heterogeneity line."""

    estimate: float
    low: float
    high: float
    label: str  # e.g. "Random effects (REML), 3 studies, 412 participants"
    heterogeneity: str  # e.g. "τ² = 0.02; I² = 31%"


@dataclass(frozen=True)
class ForestPlot:
    id: str  # unique on the page; used for the caption's id
    caption: str
    measure: Measure
    rows: tuple[ForestRow, ...]
    favours_left: str  # e.g. "Favours intervention"
    favours_right: str
    summary: ForestSummary | None = None


def render_forest_plot(plot: ForestPlot) -> Markup:
    """Return the `<figure>`: SVG plot, caption and the data table that is its text alternative."""
    scale = _Scale.fit(plot)
    rows = len(plot.rows) + (1 if plot.summary else 0)
    axis_y = TOP + rows * ROW_HEIGHT + 6
    height = axis_y + 44
    parts = [
        f'<svg class="forest-plot__svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{escape(plot.id)}-caption" focusable="false">'
    ]
    no_effect = scale.x(plot.measure.null_value)
    parts.append(_line(no_effect, TOP, no_effect, axis_y, "forest-plot__null"))
    for index, row in enumerate(plot.rows):
        parts.append(_row(row, TOP + index * ROW_HEIGHT, scale, plot.measure))
    if plot.summary:
        parts.append(_summary(plot.summary, TOP + len(plot.rows) * ROW_HEIGHT, scale, plot.measure))
    parts.append(_axis(scale, axis_y, plot))
    parts.append("</svg>")
    return Markup(
        '<figure class="forest-plot" id="{id}">'
        '<figcaption id="{id}-caption">{caption}</figcaption>'
        '<div class="forest-plot__picture">{svg}</div>{table}</figure>'
    ).format(id=plot.id, caption=plot.caption, svg=Markup("".join(parts)), table=_table(plot))


def format_effect(measure: Measure, estimate: float, low: float, high: float) -> str:
    """Return '0.47 (0.24 to 0.92)': the effect and its 95% CI, in the measure's own units."""
    return f"{_number(estimate)} ({_number(low)} to {_number(high)})"


def _number(value: float) -> str:
    if value == 0:
        return "0"
    digits = 2 if abs(value) >= 0.1 else 3
    text = f"{value:.{digits}f}" if abs(value) < 100 else f"{value:.0f}"
    return text.replace("-", "−")


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    log: bool

    @classmethod
    def fit(cls, plot: ForestPlot) -> _Scale:
        values = [v for r in plot.rows for v in (r.low, r.high)] + [plot.measure.null_value]
        if plot.summary:
            values += [plot.summary.low, plot.summary.high]
        log = plot.measure.is_ratio
        if log:
            values = [v for v in values if v > 0]
            low = max(v for v in _NICE_RATIOS if v <= min(values)) if min(values) >= 0.01 else min(values)
            high = min(v for v in _NICE_RATIOS if v >= max(values)) if max(values) <= 100 else max(values)
            return cls(math.log(low), math.log(high), True)
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or 1.0
        return cls(low - pad, high + pad, False)

    def x(self, value: float) -> float:
        position = math.log(value) if self.log else value
        fraction = (position - self.low) / (self.high - self.low)
        return round(PLOT_LEFT + max(0.0, min(1.0, fraction)) * (PLOT_RIGHT - PLOT_LEFT), 2)

    def ticks(self) -> list[float]:
        if self.log:
            return [v for v in _NICE_RATIOS if self.low - 1e-9 <= math.log(v) <= self.high + 1e-9]
        step = _nice_step((self.high - self.low) / 4)
        first = math.ceil(self.low / step) * step
        return [round(first + i * step, 10) for i in range(int((self.high - first) / step) + 1)]


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line class="{css}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>'


def _text(x: float, y: float, text: str, css: str, anchor: str = "start") -> str:
    return f'<text class="{css}" x="{x}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>'


def _row(row: ForestRow, top: float, scale: _Scale, measure: Measure) -> str:
    middle = top + ROW_HEIGHT / 2
    label = _text(0, middle - 2, row.label, "forest-plot__label")
    detail = format_effect(measure, row.estimate, row.low, row.high)
    if row.risk_of_bias:
        detail += f" · RoB: {row.risk_of_bias}"
    parts = [
        f'<a href="{escape(row.href)}">{label}</a>',
        _text(0, middle + 10, detail, "forest-plot__detail"),
        _line(scale.x(row.low), middle, scale.x(row.high), middle, "forest-plot__ci"),
    ]
    size = 3 + 4 * math.sqrt((row.weight or 25) / 100)
    centre = scale.x(row.estimate)
    parts.append(
        f'<rect class="forest-plot__point" x="{round(centre - size / 2, 2)}" y="{round(middle - size / 2, 2)}" '
        f'width="{round(size, 2)}" height="{round(size, 2)}"/>'
    )
    return "".join(parts)


def _summary(summary: ForestSummary, top: float, scale: _Scale, measure: Measure) -> str:
    middle = top + ROW_HEIGHT / 2
    left, centre, right = scale.x(summary.low), scale.x(summary.estimate), scale.x(summary.high)
    points = f"{left},{middle} {centre},{middle - 6} {right},{middle} {centre},{middle + 6}"
    return "".join(
        (
            _text(0, middle - 2, "Pooled", "forest-plot__label forest-plot__label--summary"),
            _text(0, middle + 10, format_effect(measure, summary.estimate, summary.low, summary.high), "forest-plot__detail"),
            f'<polygon class="forest-plot__diamond" points="{points}"/>',
        )
    )


def _axis(scale: _Scale, y: float, plot: ForestPlot) -> str:
    parts = [_line(PLOT_LEFT, y, PLOT_RIGHT, y, "forest-plot__axis")]
    for tick in scale.ticks():
        x = scale.x(tick)
        parts.append(_line(x, y, x, y + 4, "forest-plot__axis"))
        parts.append(_text(x, y + 14, f"{tick:g}".replace("-", "−"), "forest-plot__tick", "middle"))
    left, right = f"← {plot.favours_left}", f"{plot.favours_right} →"
    # either side of the line of no effect, kept inside the picture; on a second line when they would overlap
    no_effect = scale.x(plot.measure.null_value)
    left_x = max(no_effect - 3, _text_width(left))
    right_x = min(no_effect + 3, WIDTH - _text_width(right))
    parts.append(_text(left_x, y + 30, left, "forest-plot__favours", "end"))
    parts.append(_text(right_x, y + 30 if right_x >= left_x + 4 else y + 41, right, "forest-plot__favours", "start"))
    return "".join(parts)


def _text_width(text: str) -> float:
    """A generous estimate of a favours label's width in view-box units (8.5 px text, about 0.56 em a character)."""
    return round(len(text) * 4.8, 2)


def _table(plot: ForestPlot) -> Markup:
    header = Markup(
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Data of {caption}">'
        '<table class="forest-plot__data"><caption class="visually-hidden">Data of {caption}</caption><thead><tr>'
        '<th scope="col">Study</th><th scope="col">{measure} (95% CI)</th><th scope="col">Risk of bias</th>'
        "{weight}</tr></thead><tbody>"
    ).format(
        caption=plot.caption,
        measure=plot.measure.value,
        weight=Markup('<th scope="col">Weight</th>') if plot.summary else "",
    )
    rows = [_table_row(row, plot) for row in plot.rows]
    if plot.summary:
        s = plot.summary
        rows.append(
            Markup('<tr class="forest-plot__pooled"><th scope="row">{label}</th><td>{effect}</td><td>{het}</td><td>100%</td></tr>').format(
                label=s.label, effect=format_effect(plot.measure, s.estimate, s.low, s.high), het=s.heterogeneity
            )
        )
    return header + Markup("").join(rows) + Markup("</tbody></table></div>")


def _table_row(row: ForestRow, plot: ForestPlot) -> Markup:
    weight = Markup("<td>{}</td>").format(f"{row.weight:.1f}%" if row.weight is not None else "") if plot.summary else ""
    return Markup('<tr><th scope="row"><a href="{href}">{label}</a>{detail}</th><td>{effect}</td><td>{rob}</td>{weight}</tr>').format(
        href=row.href,
        label=row.label,
        detail=Markup("<br><small>{}</small>").format(row.detail) if row.detail else "",
        effect=format_effect(plot.measure, row.estimate, row.low, row.high),
        rob=row.risk_of_bias or "Not assessed",
        weight=weight,
    )

