"""Effect sizes and random-effects pooling: the numbers behind forest plots and summary-of-findings tables.

A small module rather than a dependency: the methods are short and standard, and the scientific stack
that offers them (statsmodels, with NumPy and SciPy) would make every author's install heavy. The
formulas follow metafor (Viechtbauer 2010, J Stat Softw 36(3)), and the tests reproduce metafor's
published results on its BCG vaccine example to four decimals.

- Ratio measures (RR, OR, HR) are analysed as logarithms and shown back-transformed.
- Effects from 2x2 counts: log RR / log OR with the usual large-sample variances, RD on the raw scale;
  0.5 is added to every cell of a study with a zero cell (metafor's default, `add=1/2, to="only0"`).
- Effects reported as an estimate with a 95% CI: the standard error is the CI's half-width / 1.959964
  (on the log scale for ratio measures).
- Pooling: random effects, tau^2 by REML (Fisher scoring, as metafor) or DerSimonian-Laird; the estimate's
  95% CI uses the normal quantile; I^2 = tau^2 / (tau^2 + s^2) with s^2 the "typical" within-study variance.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from evidencesite.content.evidence_terms import Measure

__all__ = ["Effect", "Measure", "MetaAnalysisError", "Pooled", "PoolingMethod", "effect_from_counts", "effect_from_interval", "pool"]

Z_975 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution


class PoolingMethod(enum.Enum):
    REML = "reml"
    DL = "dl"


class MetaAnalysisError(ValueError):
    """The numbers cannot be combined as asked; the message says why and how to fix it."""


@dataclass(frozen=True)
class Effect:
    """One study's effect on the analysis scale (log for ratio measures): estimate `y` and variance `v`."""

    y: float
    v: float

    @property
    def se(self) -> float:
        return math.sqrt(self.v)

    def interval(self) -> tuple[float, float]:
        """Return the 95% confidence interval on the analysis scale."""
        return self.y - Z_975 * self.se, self.y + Z_975 * self.se


@dataclass(frozen=True)
class Pooled:
    """A random-effects summary, on the analysis scale (`Measure` says how to show it)."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float  # percent
    q: float  # Cochran's Q
    k: int
    method: PoolingMethod


def effect_from_counts(measure: Measure, events: Sequence[int], totals: Sequence[int]) -> Effect:
    """Return the effect of intervention vs comparator from events and group sizes (intervention first)."""
    (events_1, total_1), (events_2, total_2) = zip(events, totals, strict=True)
    if not (0 <= events_1 <= total_1 and 0 <= events_2 <= total_2) or total_1 == 0 or total_2 == 0:
        raise MetaAnalysisError("events must be between 0 and the group's total, and totals above 0")
    a, n1, c, n2 = float(events_1), float(total_1), float(events_2), float(total_2)
    b, d = n1 - a, n2 - c
    if measure is Measure.RD:
        p1, p2 = a / n1, c / n2
        return Effect(p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if measure not in (Measure.RR, Measure.OR):
        raise MetaAnalysisError(f"an effect cannot be computed from counts as {measure.value}; use RR, OR or RD")
    if 0 in (a, b, c, d):
        if (a == 0 and c == 0) or (b == 0 and d == 0):
            raise MetaAnalysisError("no events (or only events) in both groups: the ratio is undefined")
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        n1, n2 = a + b, c + d
    if measure is Measure.RR:
        return Effect(math.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2)
    return Effect(math.log((a * d) / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d)


def effect_from_interval(measure: Measure, estimate: float, low: float, high: float) -> Effect:
    """Return the effect of a reported estimate with its 95% CI (ratios must be positive)."""
    if not low <= estimate <= high:
        raise MetaAnalysisError(f"the 95% CI [{low}, {high}] does not contain the estimate {estimate}")
    if measure.is_ratio:
        if min(low, estimate) <= 0:
            raise MetaAnalysisError(f"a {measure.value} and its CI bounds must be above 0")
        estimate, low, high = math.log(estimate), math.log(low), math.log(high)
    if high == low:
        raise MetaAnalysisError("the 95% CI has no width, so the estimate's precision is unknown")
    se = (high - low) / (2 * Z_975)
    return Effect(estimate, se * se)


def pool(effects: Sequence[Effect], method: PoolingMethod = PoolingMethod.REML) -> Pooled:
    """Return the random-effects summary of two or more effects."""
    k = len(effects)
    if k < 2:
        raise MetaAnalysisError(f"pooling needs at least two studies, not {k}")
    ys = [e.y for e in effects]
    vs = [e.v for e in effects]
    if min(vs) <= 0:
        raise MetaAnalysisError("every effect needs a positive variance (a CI with width, or counts)")
    fixed = [1 / v for v in vs]
    q = _q(ys, fixed)
    tau2 = _tau2_dl(q, fixed, k) if method is PoolingMethod.DL else _tau2_reml(ys, vs, _tau2_dl(q, fixed, k))
    weights = [1 / (v + tau2) for v in vs]
    total = sum(weights)
    estimate = sum(w * y for w, y in zip(weights, ys, strict=True)) / total
    se = math.sqrt(1 / total)
    typical = (k - 1) * sum(fixed) / (sum(fixed) ** 2 - sum(w * w for w in fixed))
    return Pooled(
        estimate=estimate,
        se=se,
        ci_low=estimate - Z_975 * se,
        ci_high=estimate + Z_975 * se,
        tau2=tau2,
        i2=100 * tau2 / (tau2 + typical),
        q=q,
        k=k,
        method=method,
    )


def _q(ys: Sequence[float], weights: Sequence[float]) -> float:
    mean = sum(w * y for w, y in zip(weights, ys, strict=True)) / sum(weights)
    return sum(w * (y - mean) ** 2 for w, y in zip(weights, ys, strict=True))


def _tau2_dl(q: float, weights: Sequence[float], k: int) -> float:
    scale = sum(weights) - sum(w * w for w in weights) / sum(weights)
    return max(0.0, (q - (k - 1)) / scale)


def _tau2_reml(ys: Sequence[float], vs: Sequence[float], start: float) -> float:
    """Fisher scoring for the REML estimate of tau^2 (truncated at 0), from the DL estimate."""
    tau2 = start
    for _ in range(100):
        weights = [1 / (v + tau2) for v in vs]
        total = sum(weights)
        mean = sum(w * y for w, y in zip(weights, ys, strict=True)) / total
        # P = W - W 1 1' W / sum(W): the REML score and information use its diagonal and the residuals P y
        residuals = [w * (y - mean) for w, y in zip(weights, ys, strict=True)]
        trace_p = total - sum(w * w for w in weights) / total
        score = sum(r * r for r in residuals) - trace_p
        trace_pp = _trace_pp(weights, total)
        step = score / trace_pp
        new = max(0.0, tau2 + step)
        if abs(new - tau2) < 1e-10:
            return new
        tau2 = new
    return tau2


def _trace_pp(weights: Sequence[float], total: float) -> float:
    """tr(P P) for P = W - w w' / sum(w), without building the matrix."""
    sum_w2 = sum(w * w for w in weights)
    sum_w3 = sum(w**3 for w in weights)
    return sum_w2 - 2 * sum_w3 / total + (sum_w2 / total) ** 2
