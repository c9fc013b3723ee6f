"""Risk-of-bias tools: their domains and the judgements each allows, and how judgements are shown.

The tools are the ones evidence reviews use: RoB 2 for randomised trials, ROBINS-I for non-randomised
studies of interventions, SYRCLE's tool for animal studies and AMSTAR 2 for systematic reviews (where
the overall judgement is the confidence in the review). Domain names are short slugs of the tools'
own domain titles; `label` gives the title shown to readers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Judgement:
    """One allowed judgement: its slug, reader label, symbol and level (0 best) for colour and sorting."""

    value: str
    label: str
    symbol: str
    level: int


@dataclass(frozen=True)
class Tool:
    key: str
    name: str
    domains: dict[str, str]  # slug -> title
    judgements: tuple[Judgement, ...]  # for domains
    overall: tuple[Judgement, ...]  # for the overall judgement
    overall_is_confidence: bool = False  # AMSTAR 2: the overall is the confidence in a review ('high' is good)

    def judgement(self, value: str, overall: bool = False) -> Judgement | None:
        """Return the judgement named `value`, or None when the tool does not allow it there."""
        return next((j for j in (self.overall if overall else self.judgements) if j.value == value), None)


# Allowed for any domain and overall, with a reason: a judgement the source cannot support is left open, never guessed.
NOT_ASSESSED = Judgement("not-assessed", "Not assessed", "○", 4)


def _judgements(*items: tuple[str, str, str]) -> tuple[Judgement, ...]:
    judged = tuple(Judgement(value, label, symbol, level) for level, (value, label, symbol) in enumerate(items))
    return (*judged, NOT_ASSESSED)


_LOW_SOME_HIGH = _judgements(("low", "Low", "+"), ("some-concerns", "Some concerns", "−"), ("high", "High", "×"))
_ROBINS = _judgements(
    ("low", "Low", "+"),
    ("moderate", "Moderate", "−"),
    ("serious", "Serious", "×"),
    ("critical", "Critical", "!"),
    ("no-information", "No information", "?"),
)
_SYRCLE = _judgements(("low", "Low", "+"), ("unclear", "Unclear", "?"), ("high", "High", "×"))
_AMSTAR_ITEMS = _judgements(("yes", "Yes", "+"), ("partial-yes", "Partial yes", "−"), ("no", "No", "×"), ("not-applicable", "Not applicable", "·"))
_AMSTAR_OVERALL = _judgements(("high", "High", "+"), ("moderate", "Moderate", "−"), ("low", "Low", "×"), ("critically-low", "Critically low", "!"))

TOOLS = {
    tool.key: tool
    for tool in (
        Tool(
            "rob2",
            "RoB 2 (randomised trials)",
            {
                "randomisation": "Randomisation process",
                "deviations": "Deviations from intended interventions",
                "missing-data": "Missing outcome data",
                "measurement": "Measurement of the outcome",
                "selection": "Selection of the reported result",
            },
            _LOW_SOME_HIGH,
            _LOW_SOME_HIGH,
        ),
        Tool(
            "robins-i",
            "ROBINS-I (non-randomised studies of interventions)",
            {
                "confounding": "Confounding",
                "selection": "Selection of participants",
                "classification": "Classification of interventions",
                "deviations": "Deviations from intended interventions",
                "missing-data": "Missing data",
                "measurement": "Measurement of outcomes",
                "reported-result": "Selection of the reported result",
            },
            _ROBINS,
            _ROBINS,
        ),
        Tool(
            "syrcle",
            "SYRCLE (animal studies)",
            {
                "sequence-generation": "Sequence generation",
                "baseline-characteristics": "Baseline characteristics",
                "allocation-concealment": "Allocation concealment",
                "random-housing": "Random housing",
                "blinding-caregivers": "Blinding of caregivers and investigators",
                "random-outcome-assessment": "Random outcome assessment",
                "blinding-assessors": "Blinding of outcome assessors",
                "incomplete-data": "Incomplete outcome data",
                "selective-reporting": "Selective outcome reporting",
                "other": "Other sources of bias",
            },
            _SYRCLE,
            _SYRCLE,
        ),
        Tool(
            "amstar2",
            "AMSTAR 2 (systematic reviews; overall = confidence in the review)",
            {f"item-{n}": f"Item {n}" for n in range(1, 17)},
            _AMSTAR_ITEMS,
            _AMSTAR_OVERALL,
            overall_is_confidence=True,
        ),
    )
}


def check_assessment(tool_key: str, overall: str, domains: dict[str, str]) -> list[tuple[tuple[str, ...], str]]:
    """Return the problems of one assessment as (field path, message) pairs; empty when it is valid."""
    tool = TOOLS.get(tool_key)
    if tool is None:
        return [(("tool",), f"unknown risk-of-bias tool '{tool_key}'; expected one of: {', '.join(TOOLS)}")]
    problems: list[tuple[tuple[str, ...], str]] = []
    if tool.judgement(overall, overall=True) is None:
        allowed = ", ".join(j.value for j in tool.overall)
        problems.append((("overall",), f"'{overall}' is not an overall judgement of {tool_key}; expected one of: {allowed}"))
    for domain, value in domains.items():
        if domain not in tool.domains:
            problems.append((("domains", domain), f"unknown {tool_key} domain '{domain}'; expected one of: {', '.join(tool.domains)}"))
        elif tool.judgement(value) is None:
            allowed = ", ".join(j.value for j in tool.judgements)
            problems.append((("domains", domain), f"'{value}' is not a {tool_key} judgement for '{domain}'; expected one of: {allowed}"))
    return problems
