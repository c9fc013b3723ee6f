"""GRADE certainty of evidence: levels, their symbols, the level that stated reasons imply, absolute effects.

GRADE starts evidence from randomised trials at high certainty and from observational studies at low,
moves it down one or two levels for each concern (risk of bias, inconsistency, indirectness,
imprecision, publication bias) and up for a large effect, a dose-response gradient or confounding that
would reduce the effect (Guyatt et al. 2008, BMJ 336:924; GRADE handbook, section 5). A stated certainty
that does not follow from the starting level and the stated reasons is worth a warning: either the
reasons or the rating is incomplete.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from evidencesite.synthesis.meta_analysis import Measure


class Certainty(enum.Enum):
    """The four GRADE levels, highest first."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very-low"

    @property
    def label(self) -> str:
        return {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}[self.value]

    @property
    def symbols(self) -> str:
        """⊕⊕⊕⊕ for high down to ⊕◯◯◯ for very low (always shown with the label, never alone)."""
        filled = 4 - list(Certainty).index(self)
        return "⊕" * filled + "◯" * (4 - filled)


DOWNGRADE_DOMAINS = ("risk-of-bias", "inconsistency", "indirectness", "imprecision", "publication-bias")
UPGRADE_DOMAINS = ("large-effect", "dose-response", "confounding")
# how many levels each reason may move the rating (GRADE: 1 or 2 down per domain; up 2 only for a very large effect)
MAX_STEPS = {**dict.fromkeys(DOWNGRADE_DOMAINS, 2), "large-effect": 2, "dose-response": 1, "confounding": 1}


def check_reasons(downgrades: dict[str, int], upgrades: dict[str, int]) -> list[tuple[tuple[str, ...], str]]:
    """Return problems of stated downgrades and upgrades as (field path, message) pairs."""
    problems: list[tuple[tuple[str, ...], str]] = []
    for field, known, values in (("downgrades", DOWNGRADE_DOMAINS, downgrades), ("upgrades", UPGRADE_DOMAINS, upgrades)):
        for reason, steps in values.items():
            if reason not in known:
                problems.append(((field, reason), f"unknown GRADE {field[:-1]} '{reason}'; expected one of: {', '.join(known)}"))
            elif not 0 <= steps <= MAX_STEPS[reason]:
                problems.append(((field, reason), f"'{reason}' moves certainty by 0 to {MAX_STEPS[reason]} levels, not {steps}"))
    return problems


def implied_certainty(randomised: bool, downgrades: dict[str, int], upgrades: dict[str, int]) -> Certainty:
    """Return the level that a starting point and the stated downgrades and upgrades give."""
    levels = list(Certainty)
    start = 0 if randomised else 2
    steps = sum(downgrades.values()) - sum(upgrades.values())
    return levels[max(0, min(len(levels) - 1, start + steps))]


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
        return comparator_risk + value  # RD

    if measure not in (Measure.RR, Measure.OR, Measure.RD):
        return None
    per_1000 = [round(1000 * (risk(v) - comparator_risk)) for v in (estimate, low, high)]
    return AbsoluteEffect(round(1000 * comparator_risk), per_1000[0], min(per_1000[1:]), max(per_1000[1:]))
