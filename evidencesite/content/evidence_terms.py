"""The words of evidence synthesis that front matter may use: effect measures and GRADE certainty.

They live in the content stage because the schema and the catalog check them; synthesis/ computes with
them. GRADE starts evidence from randomised trials at high certainty and from observational studies at
low, moves it down one or two levels for each concern (risk of bias, inconsistency, indirectness,
imprecision, publication bias) and up for a large effect, a dose-response gradient or confounding that
would reduce the effect (Guyatt et al. 2008, BMJ 336:924; GRADE handbook, section 5). A stated certainty
that does not follow from the starting level and the stated reasons is worth a warning: either the
reasons or the rating is incomplete.
"""

from __future__ import annotations

import enum


class Measure(enum.Enum):
    """How an outcome's effect is expressed."""

    RR = "RR"
    OR = "OR"
    HR = "HR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"
    PROPORTION = "proportion"
    OTHER = "other"

    @property
    def is_ratio(self) -> bool:
        """Ratio measures are pooled on the log scale and plotted on a log axis; no effect is 1, not 0."""
        return self in (Measure.RR, Measure.OR, Measure.HR)

    @property
    def null_value(self) -> float:
        return 1.0 if self.is_ratio else 0.0


MEASURES = tuple(measure.value for measure in Measure)
COUNT_MEASURES = ("RR", "OR", "RD")  # the measures an effect can be computed as from events and totals


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

    @property
    def rank(self) -> int:
        """0 for high, 3 for very low: the best of several levels is the lowest rank."""
        return list(Certainty).index(self)


CERTAINTIES = tuple(level.value for level in Certainty)
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
