"""Page contexts of the evidence layer: results and risk of bias on study pages, summary-of-findings tables
and forest plots on the pages that declare questions, risk-of-bias summaries on the evidence page, and the
best certainty of each matrix cell.

Certainty in the matrix: a question belongs to the page that declares it and reaches the cells of the
terms its answering studies list (a cell is a row term and a column term listed by one study); when the
declaring page is itself a term of the matrix, only its own row or column. A cell shows the best
certainty among its questions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from evidencesite.content.catalog import Catalog
from evidencesite.content.evidence_checks import answers_by_question, questions_by_id
from evidencesite.content.evidence_terms import Certainty, Measure
from evidencesite.content.risk_of_bias import TOOLS, Judgement
from evidencesite.csl.labels import short_label, year_label
from evidencesite.models import Page
from evidencesite.site.evidence_matrix import Matrix
from evidencesite.synthesis.forest_plot import ForestPlot, ForestRow, ForestSummary, format_effect, render_forest_plot
from evidencesite.synthesis.question_summary import QuestionSummary, ResultEffect, result_effect, summarise
from evidencesite.synthesis.risk_of_bias_charts import StudyAssessment, summarise_tools
from evidencesite.urls import page_path, relative_url

GRADE_REASONS = {
    "risk-of-bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication-bias": "publication bias",
    "large-effect": "a large effect",
    "dose-response": "a dose-response gradient",
    "confounding": "confounding that would reduce the effect",
}


@dataclass(frozen=True)
class SofRow:
    """One row of a summary-of-findings table, as text the template shows."""

    summary: QuestionSummary
    outcome: str
    studies: str
    relative: str
    absolute: str
    certainty: Certainty | None
    footnote: str  # its letter, '' without reasons
    reasons: str
    plot_id: str  # the forest plot's id on the page, '' without one


def overall_judgement(page: Page) -> Judgement | None:
    """Return the study's overall risk-of-bias judgement, None when not assessed."""
    rob = page.study.risk_of_bias if page.study else None
    return TOOLS[rob.tool].judgement(rob.overall, overall=True) if rob else None


def explorer_judgement(page: Page) -> Judgement | None:
    """The overall judgement as the explorer filters by it: one value per meaning, whatever the tool.

    A tool whose overall is the confidence in a review (AMSTAR 2: 'high' is good) is kept apart from those
    whose overall is a risk of bias ('high' is bad), as 'confidence-high', so a filter never mixes the two.
    """
    judgement = overall_judgement(page)
    rob = page.study.risk_of_bias if page.study else None
    if judgement is None or rob is None or not TOOLS[rob.tool].overall_is_confidence:
        return judgement
    return replace(judgement, value=f"confidence-{judgement.value}", label=f"{judgement.label} confidence (review)")


def judgement_text(judgement: Judgement | None) -> str:
    """Return '+ Low': the symbol and the words (never the colour alone)."""
    return f"{judgement.symbol} {judgement.label}" if judgement else ""


class EvidenceViews:
    """The evidence layer's part of each page's context, made from the catalog once per build."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cached_property
    def summaries(self) -> dict[str, QuestionSummary]:
        """Question id -> its summary, for every declared question."""
        answers = answers_by_question(self.catalog)
        return {qid: summarise(page, q, answers.get(qid, [])) for qid, (page, q) in questions_by_id(self.catalog).items()}

    def content(self, page: Page, output_path: str) -> dict[str, Any]:
        """Return the context a content page adds: `evidence` (None when the page has no evidence fields)."""
        if page.study is not None and (page.study.results or page.study.risk_of_bias):
            return {"evidence": self._study(page, output_path)}
        if page.questions:
            return {"evidence": self._questions(page, output_path)}
        return {"evidence": None}

    def _study(self, page: Page, output_path: str) -> dict[str, Any]:
        assert page.study is not None
        effects = [result_effect(page, result) for result in page.study.results]
        plots = []
        for measure in dict.fromkeys(e.measure for e in effects):
            rows = [e for e in effects if e.measure is measure]
            plots.append(
                render_forest_plot(
                    ForestPlot(
                        id=f"forest-{measure.value.lower()}",
                        caption=f"Results of this study as {_measure_name(measure)}, with 95% confidence intervals",
                        measure=measure,
                        rows=tuple(ForestRow(e.result.name or e.result.id, f"#result-{e.result.id}", e.estimate, e.low, e.high) for e in rows),
                        favours_left=_favours(rows)[0],
                        favours_right=_favours(rows)[1],
                    )
                )
            )
        rob = page.study.risk_of_bias
        tool = TOOLS[rob.tool] if rob else None
        return {
            "kind": "study",
            "results": [(e, format_effect(e.measure, e.estimate, e.low, e.high)) for e in effects],
            "plots": plots,
            "rob": rob,
            "rob_tool": tool,
            "rob_overall": judgement_text(overall_judgement(page)),
            "rob_domains": [
                (tool.domains[d.domain], judgement_text(tool.judgement(d.judgement)), tool.judgement(d.judgement), d.reason)
                for d in (rob.domains if rob else ())
            ]
            if tool
            else [],
            "rob_level": (overall_judgement(page) or Judgement("", "", "", 0)).level,
        }

    def _questions(self, page: Page, output_path: str) -> dict[str, Any]:
        rows, plots, letter = [], [], 0
        for question in page.questions:
            summary = self.summaries[question.id]
            plot_id = f"forest-{question.id}" if len(summary.effects) >= 2 else ""
            if plot_id:
                plots += [render_forest_plot(plot) for plot in self._question_plots(summary, plot_id, output_path)]
            reasons = _reasons(summary)
            if reasons:
                letter += 1
            rows.append(_sof_row(summary, chr(96 + letter) if reasons else "", reasons, plot_id))
        return {"kind": "questions", "sof": rows, "plots": plots}

    def _question_plots(self, summary: QuestionSummary, plot_id: str, output_path: str) -> list[ForestPlot]:
        """One plot per measure (results on different scales cannot share an axis); pooled: the one measure."""
        measures = [summary.measure] if summary.measure else list(dict.fromkeys(e.measure for e in summary.effects))
        return [
            self._question_plot(summary, plot_id if n == 0 else f"{plot_id}-{measure.value.lower()}", output_path, measure, len(measures) > 1)
            for n, measure in enumerate(measures)
        ]

    def _question_plot(self, summary: QuestionSummary, plot_id: str, output_path: str, measure: Measure, several: bool) -> ForestPlot:
        rows = tuple(self._row(e, output_path) for e in summary.effects if e.measure is measure)
        pooled, shown = summary.pooled, summary.pooled_shown()
        total = None
        if pooled is not None and shown is not None:
            weights = [1 / (e.effect.v + pooled.tau2) for e in summary.effects]
            rows = tuple(
                ForestRow(r.label, r.href, r.estimate, r.low, r.high, r.risk_of_bias, r.detail, 100 * w / sum(weights))
                for r, w in zip(rows, weights, strict=True)
            )
            total = ForestSummary(*shown, _pooled_label(summary), _heterogeneity(summary))
        left, right = _favours([e for e in summary.effects if e.measure is measure])
        caption = f"{summary.question.question} ({measure.value})" if several else summary.question.question
        return ForestPlot(plot_id, caption, measure, rows, left, right, total)

    def _row(self, effect: ResultEffect, output_path: str) -> ForestRow:
        study = effect.page.study
        assert study is not None
        n = f", n = {effect.participants}" if effect.participants else ""
        return ForestRow(
            f"{short_label(study.work)} {year_label(study.work)}".strip(),
            relative_url(output_path, page_path(effect.page)),
            effect.estimate,
            effect.low,
            effect.high,
            judgement_text(overall_judgement(effect.page)),
            f"{study.design.label}{n}",
        )

    def overview(self, output_path: str) -> dict[str, Any]:
        """Return the evidence page's risk-of-bias summaries: one per tool used."""
        studies = [
            StudyAssessment(
                f"{short_label(page.study.work)} {year_label(page.study.work)}".strip(),
                relative_url(output_path, page_path(page)),
                page.study.risk_of_bias,
            )
            for page in sorted(self.catalog.studies.values(), key=lambda p: p.slug)
            if page.study is not None and page.study.risk_of_bias is not None
        ]
        return {"rob_summaries": summarise_tools(studies)}

    def explorer(self) -> dict[str, Any]:
        """Return each study key -> its overall risk-of-bias judgement, for the explorer's column and filter."""
        found = {key: explorer_judgement(page) for key, page in self.catalog.studies.items()}
        judged = {key: judgement for key, judgement in found.items() if judgement is not None}
        options = sorted({(j.level, j.value, j.label) for j in judged.values()})
        return {"rob_of": judged, "rob_options": list(dict.fromkeys((value, label) for _, value, label in options))}

    def matrix_certainty(self, matrix: Matrix | None) -> dict[tuple[str, str], Certainty]:
        """Return (row, column) -> the best certainty of the questions reaching that cell."""
        if matrix is None:
            return {}
        best: dict[tuple[str, str], Certainty] = {}
        rows_key, columns_key = matrix.row_axis.key, matrix.column_axis.key
        for summary in self.summaries.values():
            if summary.certainty is None:
                continue
            declared = summary.page
            for effect in summary.effects:
                study = effect.page.study
                assert study is not None
                for row in study.terms_of(rows_key):
                    for column in study.terms_of(columns_key):
                        if declared.section == rows_key and declared.slug != row:
                            continue
                        if declared.section == columns_key and declared.slug != column:
                            continue
                        cell = (row, column)
                        if cell in matrix.cells and (cell not in best or summary.certainty.rank < best[cell].rank):
                            best[cell] = summary.certainty
        return best


def _sof_row(summary: QuestionSummary, footnote: str, reasons: str, plot_id: str) -> SofRow:
    question, measure = summary.question, summary.measure
    participants = summary.participants
    studies = f"{summary.study_count} {'study' if summary.study_count == 1 else 'studies'}"
    if participants:
        studies += f" ({participants} participants)"
    shown = summary.pooled_shown()
    if shown and measure:
        relative = f"{measure.value} {format_effect(measure, *shown)} (pooled)"
    elif len(summary.effects) == 1:
        e = summary.effects[0]
        relative = f"{e.measure.value} {format_effect(e.measure, e.estimate, e.low, e.high)}"
    elif summary.effects:
        relative = "Not pooled: see the forest plot"
    else:
        relative = "No results yet"
    if summary.absolute is not None:
        a = summary.absolute
        absolute = (
            f"{a.comparator_per_1000} per 1000 with the comparator; {a.comparator_per_1000 + a.difference} per 1000 with "
            f"the intervention ({a.comparator_per_1000 + a.low} to {a.comparator_per_1000 + a.high})"
        )
    else:
        absolute = "Not estimable from the reported results"
    outcome = question.outcome or question.question
    return SofRow(summary, outcome, studies, relative, absolute, summary.certainty, footnote, reasons, plot_id)


def _reasons(summary: QuestionSummary) -> str:
    question = summary.question
    parts = [f"Starts {'high (randomised trials)' if summary.starts_high else 'low (not all randomised trials)'}."]
    for name, steps in (*question.downgrades.items(), *question.upgrades.items()):
        if steps:
            direction = "down" if name in question.downgrades else "up"
            parts.append(f"Rated {direction} {steps} {'level' if steps == 1 else 'levels'} for {GRADE_REASONS.get(name, name)}.")
    if question.reasons:
        parts.append(question.reasons)
    return " ".join(parts) if question.certainty and (len(parts) > 1) else ""


def _pooled_label(summary: QuestionSummary) -> str:
    pooled = summary.pooled
    assert pooled is not None
    participants = f", {summary.participants} participants" if summary.participants else ""
    return f"Random effects ({pooled.method.value.upper()}), {pooled.k} studies{participants}"


def _heterogeneity(summary: QuestionSummary) -> str:
    """τ² and I², and for ratios the pooled log estimate with its SE and CI (to 4 decimals, as metafor prints)."""
    pooled, measure = summary.pooled, summary.measure
    assert pooled is not None and measure is not None
    text = f"τ² = {pooled.tau2:.4f}; I² = {pooled.i2:.0f}%"
    if measure.is_ratio:
        numbers = [f"{value:.4f}".replace("-", "−") for value in (pooled.estimate, pooled.se, pooled.ci_low, pooled.ci_high)]
        text = f"log {measure.value} {numbers[0]} (SE {numbers[1]}; 95% CI {numbers[2]} to {numbers[3]}); " + text
    return text


def _favours(effects: list[ResultEffect]) -> tuple[str, str]:
    """The labels either side of the line of no effect, from the results' `favours` (lower or higher)."""
    favours = {e.result.favours for e in effects}
    if favours == {"lower"}:
        return "Favours intervention", "Favours comparator"
    if favours == {"higher"}:
        return "Favours comparator", "Favours intervention"
    return "Lower", "Higher"


def _measure_name(measure: Measure) -> str:
    names = {"RR": "risk ratios", "OR": "odds ratios", "HR": "hazard ratios", "RD": "risk differences"}
    return names.get(measure.value, {"MD": "mean differences", "SMD": "standardised mean differences"}.get(measure.value, measure.value))

