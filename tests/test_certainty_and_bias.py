"""GRADE levels and absolute effects; risk-of-bias tools and their judgements."""

from __future__ import annotations

import pytest

from evidencesite.content.risk_of_bias import TOOLS, check_assessment
from evidencesite.synthesis.certainty import Certainty, absolute_effect, check_reasons, implied_certainty
from evidencesite.synthesis.meta_analysis import Measure


def test_grade_levels_read_as_symbols_and_words() -> None:
    assert [(c.symbols, c.label) for c in Certainty] == [
        ("⊕⊕⊕⊕", "High"),
        ("⊕⊕⊕◯", "Moderate"),
        ("⊕⊕◯◯", "Low"),
        ("⊕◯◯◯", "Very low"),
    ]


@pytest.mark.parametrize(
    ("randomised", "downgrades", "upgrades", "expected"),
    [
        (True, {}, {}, Certainty.HIGH),
        (True, {"risk-of-bias": 1}, {}, Certainty.MODERATE),
        (True, {"risk-of-bias": 1, "imprecision": 2}, {}, Certainty.VERY_LOW),
        (True, {"risk-of-bias": 2, "imprecision": 2, "inconsistency": 1}, {}, Certainty.VERY_LOW),
        (False, {}, {}, Certainty.LOW),
        (False, {}, {"large-effect": 2}, Certainty.HIGH),
        (False, {"imprecision": 1}, {"dose-response": 1}, Certainty.LOW),
        (True, {}, {"large-effect": 1}, Certainty.HIGH),
    ],
)
def test_certainty_follows_the_starting_level_and_the_stated_reasons(
    randomised: bool, downgrades: dict[str, int], upgrades: dict[str, int], expected: Certainty
) -> None:
    assert implied_certainty(randomised, downgrades, upgrades) is expected


def test_absolute_effects_per_1000_from_relative_effects() -> None:
    # GRADE handbook style: RR 0.5 (0.3 to 0.8) at a 20% comparator risk
    effect = absolute_effect(Measure.RR, 0.5, 0.3, 0.8, 0.2)
    assert effect is not None
    assert (effect.comparator_per_1000, effect.difference, effect.low, effect.high) == (200, -100, -140, -40)
    assert effect.describe() == "200 per 1000 with the comparator; 100 fewer per 1000 (140 fewer to 40 fewer)"
    odds = absolute_effect(Measure.OR, 0.5, 0.25, 1.5, 0.2)
    assert odds is not None and (odds.difference, odds.low, odds.high) == (-89, -141, 73)
    assert absolute_effect(Measure.MD, -0.8, -1.3, -0.3, 0.2) is None


def test_each_tool_accepts_its_own_domains_and_judgements_only() -> None:
    assert check_assessment("rob2", "some-concerns", {"randomisation": "low", "deviations": "some-concerns"}) == []
    assert check_assessment("robins-i", "serious", {"confounding": "critical"}) == []
    assert check_assessment("syrcle", "unclear", {"random-housing": "unclear"}) == []
    assert check_assessment("amstar2", "critically-low", {"item-7": "partial-yes"}) == []
    assert check_assessment("rob2", "moderate", {"confounding": "low", "randomisation": "serious"}) == [
        (("overall",), "'moderate' is not an overall judgement of rob2; expected one of: low, some-concerns, high, not-assessed"),
        (
            ("domains", "confounding"),
            "unknown rob2 domain 'confounding'; expected one of: randomisation, deviations, missing-data, measurement, selection",
        ),
        (("domains", "randomisation"), "'serious' is not a rob2 judgement for 'randomisation'; expected one of: low, some-concerns, high, not-assessed"),
    ]
    assert check_assessment("cochrane", "low", {}) == [
        (("tool",), "unknown risk-of-bias tool 'cochrane'; expected one of: rob2, robins-i, syrcle, amstar2")
    ]


def test_judgements_have_text_labels_and_distinct_symbols() -> None:
    for tool in TOOLS.values():
        for judgements in (tool.judgements, tool.overall):
            assert len({j.symbol for j in judgements}) == len(judgements)
            assert all(j.label for j in judgements)


def test_grading_reasons_are_checked() -> None:
    assert check_reasons({"risk-of-bias": 1, "imprecision": 2}, {"large-effect": 2}) == []
    assert check_reasons({"bias": 1, "imprecision": 3}, {"dose-response": 2}) == [
        (("downgrades", "bias"), "unknown GRADE downgrade 'bias'; expected one of: risk-of-bias, inconsistency, indirectness, imprecision, publication-bias"),
        (("downgrades", "imprecision"), "'imprecision' moves certainty by 0 to 2 levels, not 3"),
        (("upgrades", "dose-response"), "'dose-response' moves certainty by 0 to 1 levels, not 2"),
    ]


def test_a_risk_difference_never_gives_a_risk_below_0_or_above_1() -> None:
    """With a 10% comparator risk, an RD of -0.1 (95% CI -0.29 to 0.09) is at most 100 fewer per 1000."""
    effect = absolute_effect(Measure.RD, -0.1, -0.286, 0.086, 0.1)
    assert effect is not None
    assert (effect.comparator_per_1000, effect.difference, effect.low, effect.high) == (100, -100, -100, 86)
    high = absolute_effect(Measure.RD, 0.3, 0.1, 0.5, 0.8)
    assert high is not None and high.high == 200  # 800 per 1000 can rise by 200 at most
