"""The evidence layer of the content model: a study's numeric results, its risk of bias, a page's questions.

Plain frozen values (measures, judgements and certainty as their front-matter words, validated by the
schema) so the document cache stores them as they are; synthesis/ turns them into effects and pooled
estimates. Each remembers the line it was written on (`line`, and `field_lines` for its keys), within
the file of the page that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Result:
    """One numeric result of a study note (front matter `results:`): an estimate with its 95% CI, or counts."""

    id: str
    measure: str  # a Measure value: RR, OR, HR, RD, MD, SMD, proportion, other
    line: int
    question: str = ""  # the id of the question (on some page) this result answers
    name: str = ""
    timepoint: str = ""
    estimate: float | None = None
    ci: tuple[float, ...] = ()  # (low, high)
    events: tuple[int, ...] = ()  # (intervention, comparator)
    totals: tuple[int, ...] = ()
    favours: str = ""  # 'lower' or 'higher': which direction favours the intervention
    source: str = ""  # where in the paper the numbers are ('Table 2')
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class DomainJudgement:
    """One domain of a risk-of-bias assessment, with the reason for the judgement when given."""

    domain: str
    judgement: str
    reason: str = ""


@dataclass(frozen=True)
class RiskOfBias:
    """A study's risk-of-bias assessment with one tool (content/risk_of_bias.py lists the tools)."""

    tool: str
    overall: str
    line: int
    domains: tuple[DomainJudgement, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Question:
    """A question a page answers: one row of its summary-of-findings table, rated with GRADE."""

    id: str
    question: str
    line: int
    population: str = ""
    comparator: str = ""
    outcome: str = ""
    pool: str = ""  # '' (do not pool), 'reml' or 'dl'
    certainty: str = ""  # a Certainty value, '' when not rated
    downgrades: dict[str, int] = field(default_factory=dict)
    upgrades: dict[str, int] = field(default_factory=dict)
    reasons: str = ""
    statement: str = ""
    animal: bool = False  # a question about animals: animal results may answer it without a warning
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
