"""The timeline of studies, bounded in size whatever the number of studies.

Up to TIMELINE_MARKS studies it marks each one, linking to it (evidence_matrix.timeline_svg). Above that, one
mark per study would make the home page and the evidence overview grow with the site (2 MB at 10,000 studies),
so it counts instead: one bar per design group and year, as tall as its number of studies, its human part in
the human colour and the rest in the animal one, each with a tooltip giving the numbers. Its size then depends
on the number of years only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from evidencesite.content.catalog import Catalog
from evidencesite.models import Study
from evidencesite.site.evidence_matrix import TIMELINE_ROWS, timeline_svg
from evidencesite.site.evidence_matrix import _is_human as is_human  # one rule for marks, bars and the matrix

TIMELINE_MARKS = 150  # ~40 KB of marks: the home page stays under 100 KB with the matrix beside it


@dataclass(frozen=True)
class Timeline:
    svg: Markup
    counted: bool  # True: bars counting studies per year; False: one mark per study, each a link


def make_timeline(catalog: Catalog, link: Callable[[str], str], marks: int = TIMELINE_MARKS) -> Timeline:
    """Return the timeline: one mark per study up to `marks` studies with a year, counts per year above."""
    studies = [page.study for page in catalog.studies.values() if page.study and page.study.work.year]
    if len(studies) <= marks:
        return Timeline(timeline_svg(catalog, link), False)
    return Timeline(counted_svg(studies), True)


def counted_svg(studies: list[Study]) -> Markup:
    """Return the chart of counts: a bar per design group and year (human part first), with its numbers."""
    counts: dict[tuple[int, int], list[int]] = {}  # (row, year) -> [human, other]
    row_of = {group: row for row, (_, group) in enumerate(TIMELINE_ROWS)}
    for study in studies:
        year = study.work.year or 0
        cell = counts.setdefault((row_of[study.design.group], year), [0, 0])
        cell[0 if is_human(study) else 1] += 1
    years = [year for _, year in counts]
    first, last = min(years), max(years)
    first -= first % 5
    last += 5 - last % 5 if last % 5 else 0
    left, right, row_height, top, width = 170, 20, 56, 20, 900
    span = max(last - first, 1)
    height = top + row_height * len(TIMELINE_ROWS) + 40
    step = (width - left - right) / span
    bar = max(min(step * 0.8, 14.0), 2.0)
    tallest = max(sum(cell) for cell in counts.values())

    def x(year: int) -> float:
        return left + step * (year - first)

    parts = [
        f'<svg class="timeline counted" viewBox="0 0 {width} {height}" role="img" aria-labelledby="timeline-title timeline-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="timeline-title">Number of studies by year and design</title>',
        f'<desc id="timeline-desc">{escape(_description(len(studies), min(years), max(years), counts))}</desc>',
    ]
    for year in range(first, last + 1, 5):
        grid_x = f"{x(year):.1f}"
        parts.append(
            f'<line class="grid" x1="{grid_x}" x2="{grid_x}" y1="{top}" y2="{height - 30}"/>'
            f'<text class="axis" x="{grid_x}" y="{height - 12}" text-anchor="middle">{year}</text>'
        )
    for row, (label, _) in enumerate(TIMELINE_ROWS):
        y = top + row_height * row + row_height / 2
        parts.append(f'<text class="row-label" x="8" y="{y:.1f}" dominant-baseline="middle">{escape(label)}</text>')
    for (row, year), (human, other) in sorted(counts.items()):
        base = top + row_height * (row + 1) - 6  # bars stand on the row's bottom
        scale = (row_height - 12) / tallest
        total = human + other
        title = f"{year}, {TIMELINE_ROWS[row][0].lower()}: {total} {'study' if total == 1 else 'studies'}, {human} human"
        rects = []
        low = float(base)
        for count, kind in ((human, "human"), (other, "animal")):
            if count:
                tall = max(count * scale, 1.5)
                low -= tall
                rects.append(
                    f'<rect class="bar {kind}" x="{x(year) - bar / 2:.1f}" y="{low:.1f}" width="{bar:.1f}" height="{tall:.1f}"/>'
                )
        parts.append(f"<g><title>{escape(title)}</title>{''.join(rects)}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _description(total: int, first: int, last: int, counts: dict[tuple[int, int], list[int]]) -> str:
    per_row = [sum(sum(cell) for (row, _), cell in counts.items() if row == number) for number in range(len(TIMELINE_ROWS))]
    groups = "; ".join(f"{label.lower()} {count}" for (label, _), count in zip(TIMELINE_ROWS, per_row, strict=True) if count)
    return f"{total} studies from {first} to {last}, counted by year and design ({groups})."
