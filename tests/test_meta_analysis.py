"""Effect sizes and pooling against metafor's published results on the BCG vaccine trials."""

from __future__ import annotations

import math

import pytest

from evidencesite.synthesis.meta_analysis import (
    Effect,
    Measure,
    MetaAnalysisError,
    PoolingMethod,
    effect_from_counts,
    effect_from_interval,
    pool,
)

# metafor's dat.bcg (Colditz et al. 1994, JAMA 271:698): TB cases and non-cases, vaccinated then not vaccinated.
BCG = (
    ("Aronson 1948", 4, 119, 11, 128),
    ("Ferguson & Simes 1949", 6, 300, 29, 274),
    ("Rosenthal 1960", 3, 228, 11, 209),
    ("Hart & Sutherland 1977", 62, 13536, 248, 12619),
    ("Frimodt-Moller 1973", 33, 5036, 47, 5761),
    ("Stein & Aronson 1953", 180, 1361, 372, 1079),
    ("Vandiviere 1973", 8, 2537, 10, 619),
    ("TPT Madras 1980", 505, 87886, 499, 87892),
    ("Coetzee & Berjak 1968", 29, 7470, 45, 7232),
    ("Rosenthal 1961", 17, 1699, 65, 1600),
    ("Comstock 1974", 186, 50448, 141, 27197),
    ("Comstock & Webster 1969", 5, 2493, 3, 2338),
    ("Comstock 1976", 27, 16886, 29, 17825),
)


def _bcg(measure: Measure) -> list[Effect]:
    return [effect_from_counts(measure, (tpos, cpos), (tpos + tneg, cpos + cneg)) for _, tpos, tneg, cpos, cneg in BCG]


def test_log_odds_ratios_match_metafor_escalc() -> None:
    # metafor-project.org, "van Houwelingen et al. (2002)": escalc(measure="OR", ...) on the same trials
    published = [(-0.9387, 0.3571), (-1.6662, 0.2081), (-1.3863, 0.4334), (-1.4564, 0.0203), (-0.2191, 0.0520), (-0.9581, 0.0099)]
    for effect, (yi, vi) in zip(_bcg(Measure.OR), published, strict=False):
        assert (round(effect.y, 4), round(effect.v, 4)) == (yi, vi)


def test_reml_pooling_reproduces_metafor_on_bcg() -> None:
    pooled = pool(_bcg(Measure.RR), PoolingMethod.REML)
    assert round(pooled.estimate, 4) == -0.7145
    assert round(pooled.se, 4) == 0.1798
    assert (round(pooled.ci_low, 4), round(pooled.ci_high, 4)) == (-1.0669, -0.3622)
    assert round(pooled.tau2, 4) == 0.3132
    assert round(pooled.q, 4) == 152.2330 and pooled.k == 13


def test_dersimonian_laird_pooling_reproduces_metafor_on_bcg() -> None:
    pooled = pool(_bcg(Measure.RR), PoolingMethod.DL)
    assert round(pooled.estimate, 4) == -0.7141
    assert round(pooled.tau2, 4) == 0.3088
    # with the DL tau^2, I^2 is Higgins and Thompson's (Q - df) / Q
    assert pooled.i2 == pytest.approx(100 * (pooled.q - 12) / pooled.q)


def test_zero_cells_get_half_a_count_and_double_zero_is_refused() -> None:
    effect = effect_from_counts(Measure.RR, (0, 5), (20, 20))
    assert effect.y == pytest.approx(math.log((0.5 / 21) / (5.5 / 21)))
    with pytest.raises(MetaAnalysisError, match="no events"):
        effect_from_counts(Measure.RR, (0, 0), (20, 20))
    with pytest.raises(MetaAnalysisError, match="between 0 and the group's total"):
        effect_from_counts(Measure.OR, (25, 3), (20, 20))


def test_reported_intervals_give_the_standard_error_on_the_right_scale() -> None:
    hazard = effect_from_interval(Measure.HR, 0.47, 0.24, 0.92)
    assert hazard.y == pytest.approx(math.log(0.47))
    assert hazard.se == pytest.approx((math.log(0.92) - math.log(0.24)) / (2 * 1.959964), rel=1e-6)
    difference = effect_from_interval(Measure.MD, -0.8, -1.3, -0.3)
    assert difference.se == pytest.approx(0.5 / 1.959964, rel=1e-6)


@pytest.mark.parametrize(
    ("measure", "numbers", "message"),
    [
        (Measure.MD, (-0.8, -0.5, -0.3), r"the 95% CI \[-0.5, -0.3\] does not contain the estimate -0.8"),
        (Measure.RR, (0.0, 0.0, 0.5), "a RR and its CI bounds must be above 0"),
        (Measure.MD, (1.0, 1.0, 1.0), "has no width"),
    ],
)
def test_impossible_intervals_are_refused(measure: Measure, numbers: tuple[float, float, float], message: str) -> None:
    with pytest.raises(MetaAnalysisError, match=message):
        effect_from_interval(measure, *numbers)


def test_pooling_needs_two_studies() -> None:
    with pytest.raises(MetaAnalysisError, match="at least two studies, not 1"):
        pool(_bcg(Measure.RR)[:1])


def test_homogeneous_studies_have_no_heterogeneity() -> None:
    pooled = pool([Effect(0.2, 0.04), Effect(0.2, 0.09), Effect(0.2, 0.01)])
    assert pooled.tau2 == 0 and pooled.i2 == 0
    assert pooled.estimate == pytest.approx(0.2)
