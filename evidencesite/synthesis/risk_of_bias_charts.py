"""Risk-of-bias summaries across studies: robvis-style traffic lights (a table) and stacked bars (SVG).

The traffic light is an HTML table whose cells carry the judgement's symbol and words, so it reads
without colour and is its own text alternative. The bar chart shows, per domain, the share of studies
at each judgement; every segment is labelled with its share where it is wide enough and has a <title>,
and the legend repeats symbols and words. Colours come from CSS classes (light, dark and print).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from evidencesite.content.risk_of_bias import TOOLS, Judgement, Tool
from evidencesite.evidence_model import RiskOfBias

BAR_WIDTH = 360
BAR_LEFT = 120
BAR_HEIGHT = 18
ROW_GAP = 8


@dataclass(frozen=True)
class StudyAssessment:
    """One study's assessment, with its label and link (relative to the page showing it)."""

    label: str
    href: str
    assessment: RiskOfBias

    def judgement(self, domain: str) -> Judgement | None:
        """Return the judgement of `domain` ('overall' for the overall one), None when not judged."""
        tool = TOOLS[self.assessment.tool]
        if domain == "overall":
            return tool.judgement(self.assessment.overall, overall=True)
        value = next((d.judgement for d in self.assessment.domains if d.domain == domain), "")
        return tool.judgement(value) if value else None


@dataclass(frozen=True)
class ToolSummary:
    """The studies assessed with one tool: the traffic-light rows and the bar chart."""

    tool: Tool
    studies: tuple[StudyAssessment, ...]

    @property
    def domains(self) -> list[tuple[str, str, str]]:
        """(short code, slug, title) of each domain judged in at least one study, in the tool's order."""
        judged = {d.domain for s in self.studies for d in s.assessment.domains}
        return [(f"D{i}", slug, title) for i, (slug, title) in enumerate(self.tool.domains.items(), start=1) if slug in judged]

    def bars(self, figure_id: str) -> Markup:
        """Return the stacked bar chart (SVG) of judgement shares per domain and overall."""
        rows = [(title, slug) for _, slug, title in self.domains] + [("Overall", "overall")]
        height = len(rows) * (BAR_HEIGHT + ROW_GAP) + ROW_GAP
        parts = [
            f'<svg class="rob-bars__svg" viewBox="0 0 {BAR_WIDTH} {height}" width="{BAR_WIDTH}" height="{height}" '
            f'role="img" aria-labelledby="{escape(figure_id)}-caption">'
        ]
        for index, (title, slug) in enumerate(rows):
            top = ROW_GAP + index * (BAR_HEIGHT + ROW_GAP)
            parts.append(
                f'<text class="rob-bars__label" x="{BAR_LEFT - 6}" y="{top + 13}" text-anchor="end">{escape(_short(title))}</text>'
            )
            parts.append(self._bar(slug, top))
        parts.append("</svg>")
        return Markup("".join(parts))

    def _bar(self, domain: str, top: int) -> str:
        judgements = [s.judgement(domain) for s in self.studies]
        judged = [j for j in judgements if j is not None]
        options = self.tool.overall if domain == "overall" else self.tool.judgements
        parts, x = [], float(BAR_LEFT)
        span = BAR_WIDTH - BAR_LEFT - 4
        for option in options:
            count = sum(1 for j in judged if j.value == option.value)
            if not count:
                continue
            width = span * count / len(judged)
            share = round(100 * count / len(judged))
            parts.append(
                f'<rect class="rob-fill rob-level-{option.level}" x="{round(x, 2)}" y="{top}" width="{round(width, 2)}" '
                f'height="{BAR_HEIGHT}"><title>{escape(option.label)}: {count} of {len(judged)} ({share}%)</title></rect>'
            )
            if width >= 34:
                parts.append(
                    f'<text class="rob-bars__share" x="{round(x + width / 2, 2)}" y="{top + 13}" text-anchor="middle">'
                    f"{escape(option.symbol)} {share}%</text>"
                )
            x += width
        return "".join(parts)


def summarise_tools(studies: list[StudyAssessment]) -> list[ToolSummary]:
    """Return one summary per tool used, in the order of TOOLS, studies in the given order."""
    return [
        ToolSummary(tool, tuple(s for s in studies if s.assessment.tool == key))
        for key, tool in TOOLS.items()
        if any(s.assessment.tool == key for s in studies)
    ]


def _short(title: str) -> str:
    return title if len(title) <= 20 else title[:19].rstrip() + "…"
