"""The numbers of the evidence layer: each result's effect, and each question's pooled and absolute effects.

Computed from validated front matter (content/ has checked the numbers, the measures and the pooling), so
nothing here reports problems: a result is turned into an effect on the analysis scale (log for ratios),
shown back on the display scale, and a question's results are pooled by random effects when it asks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evidencesite.content.evidence_checks import Answer, starts_high
from evidencesite.content.evidence_terms import Certainty, Measure
from evidencesite.evidence_model import Question, Result
from evidencesite.models import Page
from evidencesite.synthesis.certainty import AbsoluteEffect, absolute_effect
from evidencesite.synthesis.meta_analysis import (
    Effect,
    Pooled,
    PoolingMethod,
    effect_from_counts,
    effect_from_interval,
    pool,
)


@dataclass(frozen=True)
class ResultEffect:
    """A result with its effect: `effect` on the analysis scale, `estimate`/`low`/`high` as readers see them."""

    page: Page  # the study note
    result: Result
    measure: Measure
    effect: Effect
    estimate: float
    low: float
    high: float
    participants: int | None  # the two groups' totals, else the study's n


def result_effect(page: Page, result: Result) -> ResultEffect:
    """Return `result`'s effect: from its counts, or from its estimate and 95% CI."""
    measure = Measure(result.measure)
    if result.events:
        effect = effect_from_counts(measure, result.events, result.totals)
        low, high = effect.interval()
        estimate, low, high = (_shown(measure, value) for value in (effect.y, low, high))
        participants: int | None = sum(result.totals)
    else:
        assert result.estimate is not None
        effect = effect_from_interval(measure, result.estimate, result.ci[0], result.ci[1])
        estimate, (low, high) = result.estimate, result.ci
        participants = page.study.n_value if page.study else None
    return ResultEffect(page, result, measure, effect, estimate, low, high, participants)


def _shown(measure: Measure, value: float) -> float:
    return math.exp(value) if measure.is_ratio else value


@dataclass(frozen=True)
class QuestionSummary:
    """One question with the results that answer it: a summary-of-findings row and its forest plot."""

    page: Page  # the page declaring it
    question: Question
    effects: tuple[ResultEffect, ...]
    pooled: Pooled | None = None
    absolute: AbsoluteEffect | None = None

    @property
    def measure(self) -> Measure | None:
        """The one measure of its results (None when they differ or there are none)."""
        measures = {e.measure for e in self.effects}
        return measures.pop() if len(measures) == 1 else None

    @property
    def study_count(self) -> int:
        return len({e.page.slug for e in self.effects})

    @property
    def participants(self) -> int | None:
        """Participants over the answering studies (each once), None when a study's number is unknown."""
        by_study: dict[str, int | None] = {}
        for e in self.effects:
            by_study[e.page.slug] = max(by_study.get(e.page.slug) or 0, e.participants or 0) or None
        counts = list(by_study.values())
        return sum(c for c in counts if c is not None) if counts and None not in counts else None

    @property
    def certainty(self) -> Certainty | None:
        return Certainty(self.question.certainty) if self.question.certainty else None

    @property
    def starts_high(self) -> bool:
        return starts_high([Answer(e.page, e.result) for e in self.effects])

    def pooled_shown(self) -> tuple[float, float, float] | None:
        """Return the pooled estimate and 95% CI on the display scale."""
        if self.pooled is None or self.measure is None:
            return None
        p, measure = self.pooled, self.measure
        return _shown(measure, p.estimate), _shown(measure, p.ci_low), _shown(measure, p.ci_high)


def summarise(page: Page, question: Question, answers: list[Answer]) -> QuestionSummary:
    """Return the question's summary: pooled when it asks to pool and its results allow it (checked in content/)."""
    effects = tuple(result_effect(a.page, a.result) for a in answers)
    summary = QuestionSummary(page, question, effects)
    measure = summary.measure
    pooled = None
    poolable = measure is not None and measure is not Measure.OTHER and summary.study_count == len(effects) >= 2
    if question.pool and poolable:
        pooled = pool([e.effect for e in effects], PoolingMethod(question.pool))
    absolute = None
    if measure is not None and measure.value in ("RR", "OR", "RD") and all(e.result.events for e in effects) and effects:
        comparator_risk = sum(e.result.events[1] for e in effects) / sum(e.result.totals[1] for e in effects)
        shown = QuestionSummary(page, question, effects, pooled).pooled_shown()
        if shown is not None:
            estimate, low, high = shown
        elif len(effects) == 1:
            estimate, low, high = effects[0].estimate, effects[0].low, effects[0].high
        else:
            estimate = low = high = math.nan
        if not math.isnan(estimate):
            absolute = absolute_effect(measure, estimate, low, high, comparator_risk)
    return QuestionSummary(page, question, effects, pooled, absolute)
