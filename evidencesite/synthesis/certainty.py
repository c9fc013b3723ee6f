"""GRADE certainty of evidence: absolute effects (levels and reasons are content/evidence_terms.py).

GRADE starts evidence from randomised trials at high certainty and from observational studies at low,
moves it down one or two levels for each concern (risk of bias, inconsistency, indirectness,
imprecision, publication bias) and up for a large effect, a dose-response gradient or confounding that
would reduce the effect (Guyatt et al. 2008, BMJ 336:924; GRADE handbook, section 5). A stated certainty
that does not follow from the starting level and the stated reasons is worth a warning: either the
reasons or the rating is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidencesite.content.evidence_terms import Certainty, Measure, check_reasons, implied_certainty

__all__ = ["AbsoluteEffect", "Certainty", "absolute_effect", "check_reasons", "implied_certainty"]


@dataclass(frozen=True)
class AbsoluteEffect:
    """Events per 1000: in the comparator group and the difference with the intervention (95% CI)."""

    comparator_per_1000: int
    difference: int
    low: int
    high: int

    def describe(self) -> str:
        """Return e.g. '120 per 1000 with usual care; 54 fewer per 1000 (78 fewer to 18 more)'."""

        def amount(value: int) -> str:
            return f"{abs(value)} {'fewer' if value < 0 else 'more'}" if value else "0 more"

        return (
            f"{self.comparator_per_1000} per 1000 with the comparator; {amount(self.difference)} per 1000 "
            f"({amount(self.low)} to {amount(self.high)})"
        )


def absolute_effect(measure: Measure, estimate: float, low: float, high: float, comparator_risk: float) -> AbsoluteEffect | None:
    """Return the absolute effect of a relative one at the comparator group's risk (None for other measures)."""
    if not 0 <= comparator_risk <= 1:
        raise ValueError("the comparator risk must be a proportion between 0 and 1")

    def risk(value: float) -> float:
        if measure is Measure.RR:
            return min(1.0, comparator_risk * value)
        if measure is Measure.OR:
            odds = value * comparator_risk / (1 - comparator_risk) if comparator_risk < 1 else float("inf")
            return odds / (1 + odds) if odds != float("inf") else 1.0
        return min(1.0, max(0.0, comparator_risk + value))  # RD: a risk stays a proportion

    if measure not in (Measure.RR, Measure.OR, Measure.RD):
        return None
    per_1000 = [round(1000 * (risk(v) - comparator_risk)) for v in (estimate, low, high)]
    return AbsoluteEffect(round(1000 * comparator_risk), per_1000[0], min(per_1000[1:]), max(per_1000[1:]))
