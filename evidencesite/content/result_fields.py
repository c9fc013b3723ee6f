"""A study note's `results:` (numeric results) and `risk_of_bias:` (one tool's judgements), validated.

Checked here, in the note itself: the measure, a CI that contains its estimate, ratios above 0, events
within their group's totals, the tool's own domains and judgements. Whether a result's question exists
is a cross-reference, checked by the catalog (content/evidence_checks.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from evidencesite.content.evidence_terms import COUNT_MEASURES, MEASURES, Measure
from evidencesite.content.field_reader import FieldReader
from evidencesite.content.field_values import NestedFields, Where
from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import SLUG
from evidencesite.content.risk_of_bias import NOT_ASSESSED, TOOLS, check_assessment
from evidencesite.evidence_model import DomainJudgement, Result, RiskOfBias
from evidencesite.models import Study

RESULT_FIELDS = ("id", "question", "name", "timepoint", "measure", "estimate", "ci", "events", "totals", "favours", "source")
RISK_OF_BIAS_FIELDS = ("tool", "overall", "domains", "note")
FAVOURS = ("lower", "higher")
GROUPS = ("intervention", "comparator")
EVIDENCE_FIELDS = ("results", "risk_of_bias")  # a study note's fields read here
ISSUE_NAME = "outcomes"  # the same list under its other common name, where no taxonomy is called that


def evidence_fields(taxonomy_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The fields read here: `outcomes:` is another name for `results:` unless a taxonomy uses that key."""
    return EVIDENCE_FIELDS if ISSUE_NAME in taxonomy_keys else (*EVIDENCE_FIELDS, ISSUE_NAME)


def results_field(fields: FieldReader, taxonomy_keys: tuple[str, ...]) -> str:
    """Return the name this note gives its results under; giving both names is an error."""
    data = fields.raw.document.data
    if ISSUE_NAME in taxonomy_keys or ISSUE_NAME not in data:
        return "results"
    if "results" in data:
        fields.diagnostics.error(
            fields.raw.path, fields.line(ISSUE_NAME), "give the results once: 'outcomes:' and 'results:' are the same list"
        )
    return ISSUE_NAME


def with_evidence(fields: FieldReader, study: Study | None, taxonomy_keys: tuple[str, ...]) -> Study | None:
    """Return `study` with its results and risk of bias; every problem is reported even without a study."""
    results, risk_of_bias = read_results(fields, results_field(fields, taxonomy_keys)), read_risk_of_bias(fields)
    return replace(study, results=results, risk_of_bias=risk_of_bias) if study is not None else None


def read_results(fields: FieldReader, name: str = "results") -> tuple[Result, ...]:
    """Return the note's valid results (given under `name`); report every problem of the others."""
    reader = NestedFields(fields.raw, fields.diagnostics)
    results = []
    seen: dict[str, int] = {}
    for index, item in reader.items(name, "results with id, measure and numbers"):
        where: Where = (name, index)
        reader.unknown_keys(item, RESULT_FIELDS, where, "result")
        result_id = reader.unique_id(item, where, "result", seen)
        question = reader.text(item, "question", where)
        if question and not SLUG.fullmatch(question):
            reader.error(f"question '{question}' is not a question id (lowercase a-z, 0-9 and '-')", *where, "question")
        measure = reader.choice(item, "measure", MEASURES, where, required=True)
        numbers = _numbers(reader, item, where, measure) if measure else None
        if not result_id or not measure or numbers is None:
            continue
        estimate, ci, events, totals = numbers
        results.append(
            Result(
                id=result_id,
                measure=measure,
                line=reader.line(*where),
                question=question,
                name=reader.text(item, "name", where),
                timepoint=reader.text(item, "timepoint", where),
                estimate=estimate,
                ci=ci,
                events=events,
                totals=totals,
                favours=reader.choice(item, "favours", FAVOURS, where),
                source=reader.text(item, "source", where),
                field_lines=reader.field_lines(where),
            )
        )
    return tuple(results)


Numbers = tuple[float | None, tuple[float, ...], tuple[int, ...], tuple[int, ...]]


def _numbers(reader: NestedFields, item: dict[str, Any], where: Where, measure: str) -> Numbers | None:
    """Return (estimate, ci, events, totals): an estimate with its CI, or counts; None once reported."""
    has_estimate = "estimate" in item or "ci" in item
    has_counts = "events" in item or "totals" in item
    if has_estimate and has_counts:
        reader.error("give either 'estimate' with 'ci' or 'events' with 'totals', not both", *where, "events")
        return None
    if has_counts:
        return _counts(reader, item, where, measure)
    if not has_estimate:
        reader.error("a result needs 'estimate' with 'ci: [low, high]' (95%), or 'events' with 'totals'", *where)
        return None
    for key, other in (("estimate", "ci"), ("ci", "estimate")):
        if key not in item:
            reader.error(f"'{other}' needs '{key}' too (an estimate with its 95% CI: 'ci: [low, high]')", *where, other)
            return None
    estimate = reader.number(item["estimate"], (*where, "estimate"), "'estimate'")
    ci = reader.pair(item, "ci", where)
    if estimate is None or ci is None:
        return None
    low, high = ci
    shown = f"[{_plain(low)}, {_plain(high)}]"
    if Measure(measure).is_ratio and min(estimate, low, high) <= 0:
        reader.error(
            f"a {measure} and its CI bounds must be above 0 (1 is no effect), not {_plain(estimate)} {shown}; "
            "write the ratio itself, not its logarithm",
            *where,
            "estimate" if estimate <= 0 else "ci",
        )
        return None
    if not low <= estimate <= high:
        reader.error(
            f"the 95% CI {shown} does not contain the estimate {_plain(estimate)}; check the numbers (low first)",
            *where,
            "ci",
        )
        return None
    if low == high:
        reader.error(f"the 95% CI {shown} has no width, so the result's precision is unknown", *where, "ci")
        return None
    return estimate, ci, (), ()


def _counts(reader: NestedFields, item: dict[str, Any], where: Where, measure: str) -> Numbers | None:
    if measure not in COUNT_MEASURES:
        reader.error(
            f"an effect is computed from counts as {', '.join(COUNT_MEASURES)} only; for {measure} give 'estimate' and 'ci'",
            *where,
            "measure",
        )
        return None
    for key, other in (("events", "totals"), ("totals", "events")):
        if key not in item:
            reader.error(f"'{other}' needs '{key}' too (intervention, then comparator)", *where, other)
            return None
    events, totals = reader.pair(item, "events", where, whole=True), reader.pair(item, "totals", where, whole=True)
    if events is None or totals is None:
        return None
    counts = tuple(int(e) for e in events), tuple(int(t) for t in totals)
    for group, event_count, total in zip(GROUPS, *counts, strict=True):
        if event_count > total:
            reader.error(f"{event_count} events are more than the {group} group's total of {total}", *where, "events")
            return None
        if total == 0:
            reader.error(f"the {group} group's total must be above 0", *where, "totals")
            return None
    if measure != "RD" and (sum(counts[0]) == 0 or counts[0] == counts[1]):
        reader.error(f"no events (or only events) in both groups: the {measure} is undefined; use RD", *where, "events")
        return None
    if measure == "RD" and all(events_in in (0, total) for events_in, total in zip(*counts, strict=True)):
        reader.error(
            f"events {list(counts[0])} of {list(counts[1])}: with no group holding both events and non-events the RD "
            "has no variance, so no 95% CI; give 'estimate' and 'ci' as the paper reports them",
            *where,
            "events",
        )
        return None
    return None, (), *counts


def read_risk_of_bias(fields: FieldReader) -> RiskOfBias | None:
    """Return the note's risk-of-bias assessment when it is valid; report every problem."""
    reader = NestedFields(fields.raw, fields.diagnostics)
    item = reader.raw.document.data.get("risk_of_bias")
    if item is None:
        return None
    where: Where = ("risk_of_bias",)
    if not isinstance(item, dict):
        reader.error("'risk_of_bias' must be a mapping with tool, overall and domains", *where)
        return None
    reader.unknown_keys(item, RISK_OF_BIAS_FIELDS, where, "risk_of_bias")
    tool = reader.text(item, "tool", where, required=True)
    overall = reader.text(item, "overall", where, required=True)
    domains = _domains(reader, item.get("domains"), (*where, "domains"))
    if not tool or not overall or domains is None:
        return None
    problems = check_assessment(tool, overall, {d.domain: d.judgement for d in domains})
    for path, message in problems:
        line_path = (*where, *path, "judgement") if path[0] == "domains" else (*where, *path)
        reader.error(message, *line_path)
    for judged in domains:
        if judged.judgement == NOT_ASSESSED.value and not judged.reason:
            reader.error(
                f"say why '{judged.domain}' was not assessed: {{judgement: not-assessed, reason: ...}}", *where, "domains", judged.domain
            )
            problems.append((("domains", judged.domain), "no reason"))
    note = reader.text(item, "note", where)
    if overall == NOT_ASSESSED.value and not note:
        reader.error("say in 'note:' why the overall risk of bias was not assessed", *where, "overall")
        problems.append((("overall",), "no reason"))
    if problems:
        return None
    if tool in TOOLS and not domains:
        if overall != NOT_ASSESSED.value:  # a whole assessment left open says why in its note instead
            reader.warning(f"no {tool} domain is judged: give each one (not-assessed, with a reason, where the source does not say)", *where)
    elif tool in TOOLS and len(domains) < len(TOOLS[tool].domains):
        missing = [d for d in TOOLS[tool].domains if d not in {j.domain for j in domains}]
        reader.warning(f"{tool} domains not judged: {', '.join(missing)}", *where, "domains")
    return RiskOfBias(tool, overall, reader.line(*where), domains, note)


def _domains(reader: NestedFields, value: Any, where: Where) -> tuple[DomainJudgement, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, dict):
        reader.error("'domains' must be a mapping such as {randomisation: low, deviations: some-concerns}", *where)
        return None
    found = []
    for domain, entry in value.items():
        if isinstance(entry, Scalar) and entry.text.strip():
            found.append(DomainJudgement(domain, entry.text.strip()))
        elif isinstance(entry, dict) and isinstance(entry.get("judgement"), Scalar):
            reason = entry.get("reason")
            found.append(DomainJudgement(domain, entry["judgement"].text.strip(), reason.text.strip() if isinstance(reason, Scalar) else ""))
        else:
            reader.error(f"domain '{domain}' needs a judgement, e.g. '{domain}: low' or '{domain}: {{judgement: low, reason: ...}}'", *where, domain)
            return None
    return tuple(found)


def _plain(value: float) -> str:
    return f"{value:g}"
