"""One test per check of the evidence layer (results, risk of bias, questions): the exact located message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES

STUDY = MINIMAL_FILES["content/studies/smith2020.md"]
TOPIC = MINIMAL_FILES["content/mechanisms/memory.md"]

# a result answering question 'memory-q': `results:` is line 15 of the note, its item starts on line 16
RESULT = """\
results:
  - id: recall
    question: memory-q
    measure: MD
    estimate: -0.8
    ci: [-1.3, -0.3]
    favours: lower
"""
# the question on the topic page: `questions:` is line 5, its item starts on line 6
QUESTION = """\
questions:
  - id: memory-q
    question: Does it change recall?
"""


def study(results: str = RESULT, key: str = "smith2020", extra: str = "") -> str:
    """The minimal study note with `results` (and `extra` fields) after its summary (line 14)."""
    text = STUDY.replace("summary: It worked a little.\n", f"summary: It worked a little.\n{results}{extra}")
    return text.replace("[@smith2020]", f"[@{key}]").replace("Smith, AB", f"{key[:-4].title()}, AB")


def topic(questions: str = QUESTION) -> str:
    return TOPIC.replace("order: 1\n", f"order: 1\n{questions}")


def files(result: str = RESULT, question: str = QUESTION, **more: str) -> dict[str, str]:
    return {"content/studies/smith2020.md": study(result), "content/mechanisms/memory.md": topic(question), **more}


ROB = "risk_of_bias:\n  tool: rob2\n  overall: low\n  domains: {randomisation: low}\n"  # line 22
DOMAINS = "{randomisation: low, deviations: low, missing-data: low, measurement: low, selection: low}"
SECOND = study(RESULT.replace("-0.8", "-0.4").replace("[-1.3, -0.3]", "[-0.9, 0.1]"), key="jones2019")

CASES = {
    "ci_does_not_contain_estimate": (
        files(RESULT.replace("[-1.3, -0.3]", "[-0.5, -0.3]")),
        "content/studies/smith2020.md:20: error: the 95% CI [-0.5, -0.3] does not contain the estimate -0.8; check the numbers (low first)",
    ),
    "non_positive_ratio": (
        files(RESULT.replace("MD", "RR").replace("estimate: -0.8", "estimate: -0.2").replace("[-1.3, -0.3]", "[-0.5, 0.1]")),
        "content/studies/smith2020.md:19: error: a RR and its CI bounds must be above 0 (1 is no effect), not -0.2 [-0.5, 0.1]; "
        "write the ratio itself, not its logarithm",
    ),
    "non_positive_ci_bound": (
        files(RESULT.replace("MD", "OR").replace("estimate: -0.8", "estimate: 0.5").replace("[-1.3, -0.3]", "[0, 0.9]")),
        "content/studies/smith2020.md:20: error: a OR and its CI bounds must be above 0 (1 is no effect), not 0.5 [0, 0.9]; "
        "write the ratio itself, not its logarithm",
    ),
    "events_above_totals": (
        files(RESULT.replace("MD", "RR").replace("estimate: -0.8\n    ci: [-1.3, -0.3]", "events: [70, 15]\n    totals: [60, 58]")),
        "content/studies/smith2020.md:19: error: 70 events are more than the intervention group's total of 60",
    ),
    "risk_difference_without_variance": (
        files(RESULT.replace("MD", "RD").replace("estimate: -0.8\n    ci: [-1.3, -0.3]", "events: [0, 0]\n    totals: [50, 50]")),
        "content/studies/smith2020.md:19: error: events [0, 0] of [50, 50]: with no group holding both events and "
        "non-events the RD has no variance, so no 95% CI; give 'estimate' and 'ci' as the paper reports them",
    ),
    "number_beyond_any_effect": (
        files(RESULT.replace("estimate: -0.8", "estimate: 1e308")),
        "content/studies/smith2020.md:19: error: 'estimate' 1e308 is beyond ±1e12 (a typing slip?): check the number",
    ),
    "counts_for_a_measure_without_counts": (
        files(RESULT.replace("MD", "HR").replace("estimate: -0.8\n    ci: [-1.3, -0.3]", "events: [7, 15]\n    totals: [60, 58]")),
        "content/studies/smith2020.md:18: error: an effect is computed from counts as RR, OR, RD only; for HR give 'estimate' and 'ci'",
    ),
    "unknown_measure": (
        files(RESULT.replace("MD", "WMD")),
        "content/studies/smith2020.md:18: error: unknown measure 'WMD' (did you mean 'MD'?); expected one of: "
        "RR, OR, HR, RD, MD, SMD, proportion, other",
    ),
    "unknown_tool": (
        files(RESULT + ROB.replace("rob2", "rob3")),
        "content/studies/smith2020.md:23: error: unknown risk-of-bias tool 'rob3'; expected one of: rob2, robins-i, syrcle, amstar2",
    ),
    "unknown_domain": (
        files(RESULT + ROB.replace("{randomisation: low}", "{confounding: low}")),
        "content/studies/smith2020.md:25: error: unknown rob2 domain 'confounding'; expected one of: randomisation, "
        "deviations, missing-data, measurement, selection",
    ),
    "judgement_of_another_tool": (
        files(RESULT + ROB.replace("overall: low", "overall: serious")),
        "content/studies/smith2020.md:24: error: 'serious' is not an overall judgement of rob2; expected one of: low, some-concerns, high, not-assessed",
    ),
    "domain_judgement_of_another_tool": (
        files(RESULT + ROB.replace("{randomisation: low}", "\n    randomisation: {judgement: moderate, reason: Sealed envelopes}")),
        "content/studies/smith2020.md:26: error: 'moderate' is not a rob2 judgement for 'randomisation'; expected one of: "
        "low, some-concerns, high, not-assessed",
    ),
    "question_no_result_answers": (
        files(RESULT.replace("    question: memory-q\n", "")),
        "content/mechanisms/memory.md:6: warning: no result answers question 'memory-q': add 'question: memory-q' to a "
        "result in a study note's 'results:', or remove the question",
    ),
    "result_answers_unknown_question": (
        files(RESULT.replace("question: memory-q", "question: memory-qq")),
        "content/studies/smith2020.md:17: error: result 'recall' answers unknown question 'memory-qq' (did you mean "
        "'memory-q'?) (declare it under 'questions:' on a page, or fix the id)",
    ),
    "pool_mixed_measures": (
        files(question=QUESTION + "    pool: true\n", **{"content/studies/jones2019.md": SECOND.replace("measure: MD", "measure: SMD")}),
        "content/mechanisms/memory.md:8: error: question 'memory-q' pools results with different measures (MD in smith2020; "
        "SMD in jones2019); pool one measure only, or set 'pool: false'",
    ),
    "pool_one_study": (
        files(question=QUESTION + "    pool: true\n"),
        "content/mechanisms/memory.md:8: error: question 'memory-q' pools 1 study: pooling needs results from two or more "
        "studies; set 'pool: false' to show the result alone",
    ),
    "animal_result_answers_human_question": (
        files(**{"content/studies/jones2019.md": SECOND.replace("population: human", "population: animal")}),
        "content/studies/jones2019.md:17: warning: result 'recall' comes from an animal or laboratory study but answers "
        "question 'memory-q' about people; answer it with human studies, or set 'animal: true' on the question if it is "
        "about animals",
    ),
    "certainty_does_not_follow": (
        files(question=QUESTION + "    certainty: moderate\n"),
        "content/mechanisms/memory.md:8: warning: question 'memory-q' is rated moderate, but its evidence starts high "
        "(randomised trials) and the stated downgrades and upgrades give high; state the reasons that move the rating, "
        "or correct it",
    ),
    "question_id_declared_twice": (
        files(**{"content/substances/alcohol.md": MINIMAL_FILES["content/substances/alcohol.md"].replace("order: 1\n", f"order: 1\n{QUESTION}")}),
        "content/substances/alcohol.md:6: error: question id 'memory-q' is also declared by content/mechanisms/memory.md:6; "
        "a question id names one question across the site",
    ),
    "unknown_grade_reason": (
        files(question=QUESTION + "    downgrades: {bias: 1}\n"),
        "content/mechanisms/memory.md:8: error: unknown GRADE downgrade 'bias'; expected one of: risk-of-bias, "
        "inconsistency, indirectness, imprecision, publication-bias",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_evidence_problem_is_located(name: str, site, run_cli) -> None:  # type: ignore[no-untyped-def]
    overrides, expected = CASES[name]
    root: Path = site(overrides)
    result = run_cli("check", "--site", root)
    lines = [line.replace(str(root) + os.sep, "") for line in result.err.splitlines()]
    assert expected in lines, "\n".join(lines)
    assert result.code == (1 if ": error: " in expected else 0), result.err


def test_unjudged_domains_are_a_warning(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site(files(RESULT + ROB))
    result = run_cli("check", "--site", root)
    expected = "content/studies/smith2020.md:25: warning: rob2 domains not judged: deviations, missing-data, measurement, selection"
    assert expected in [line.replace(str(root) + os.sep, "") for line in result.err.splitlines()], result.err


def test_valid_results_and_questions_give_no_problem(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    rob = ROB.replace("{randomisation: low}", DOMAINS)
    root = site(files(RESULT + rob, QUESTION + "    pool: true\n", **{"content/studies/jones2019.md": SECOND}))
    result = run_cli("check", "--site", root, "--strict")
    assert result.code == 0, result.err


def test_outcomes_is_another_name_for_results(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The issue's own spelling `outcomes:` works where no taxonomy is called `outcomes` (here: the default one)."""
    outcomes = RESULT.replace("results:", "outcomes:")
    root = site(files(outcomes, QUESTION, **{"content/studies/jones2019.md": study(outcomes, key="jones2019")}))
    result = run_cli("build", "--site", root, "--strict")
    assert result.code == 0, result.err
    page = (root / "output" / "studies" / "smith2020" / "index.html").read_text(encoding="utf-8")
    assert 'id="result-recall"' in page and "MD −0.80 (−1.30 to −0.30)" in page, "the result is shown on the study page"
    both = site(files(RESULT + outcomes.replace("id: recall", "id: recall-2")))
    result = run_cli("check", "--site", both)
    expected = "content/studies/smith2020.md:22: error: give the results once: 'outcomes:' and 'results:' are the same list"
    assert expected in [line.replace(str(both) + os.sep, "") for line in result.err.splitlines()], result.err


def test_not_assessed_needs_a_reason_and_is_shown_as_such(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    """A judgement the paper cannot support is 'not-assessed' with its reason, never a guess."""
    unsure = ROB.replace("overall: low", "overall: not-assessed").replace("{randomisation: low}", "{randomisation: not-assessed}")
    root = site(files(RESULT + unsure))
    lines = [line.replace(str(root) + os.sep, "") for line in run_cli("check", "--site", root).err.splitlines()]
    assert "content/studies/smith2020.md:25: error: say why 'randomisation' was not assessed: {judgement: not-assessed, reason: ...}" in lines
    assert "content/studies/smith2020.md:24: error: say in 'note:' why the overall risk of bias was not assessed" in lines
    reasons = {domain: "{judgement: not-assessed, reason: Only the abstract was read.}" for domain in DOMAINS[1:-1].split(", ")}
    domains = "{" + ", ".join(f"{domain.split(':')[0]}: {value}" for domain, value in reasons.items()) + "}"
    explained = unsure.replace("{randomisation: not-assessed}", domains) + "  note: Only the abstract was read.\n"
    root = site(files(RESULT + explained))
    result = run_cli("build", "--site", root, "--strict")
    assert result.code == 0, result.err
    page = (root / "output" / "studies" / "smith2020" / "index.html").read_text(encoding="utf-8")
    assert '<span class="rob rob-level-4">○ Not assessed</span></td><td>Only the abstract was read.</td>' in page


def test_an_assessment_without_domains_warns_unless_left_open_with_a_reason(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    bare = "risk_of_bias:\n  tool: rob2\n  overall: low\n"
    root = site(files(RESULT + bare))
    lines = [line.replace(str(root) + os.sep, "") for line in run_cli("check", "--site", root).err.splitlines()]
    assert "content/studies/smith2020.md:22: warning: no rob2 domain is judged: give each one (not-assessed, with a reason, where the source does not say)" in lines
    open_ = "risk_of_bias:\n  tool: rob2\n  overall: not-assessed\n  note: Only the abstract was read.\n"
    assert run_cli("check", "--site", site(files(RESULT + open_)), "--strict").code == 0
