"""Cross-checks of the evidence layer: results answer declared questions, pooling is possible, ratings follow.

A question (`questions:` on any page) has a site-wide id; a study note's result answers it with
`question: <id>`. Checked here, once every page is known: ids unique across the site, every result's
question declared, every question answered, pooling over two or more studies with one measure, animal
results answering a question about people (a warning), and a stated GRADE certainty that does not follow
from the starting level of the studies' designs and the stated reasons (a warning). The starting level
is high when every study answering the question has a randomised design (type randomised-trial), low
otherwise (observational, laboratory and review designs), as GRADE starts randomised evidence high and
observational evidence low.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evidencesite.content.evidence_terms import Certainty, implied_certainty
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.evidence_model import Question, Result
from evidencesite.models import DesignGroup, Page, Population, Study

if TYPE_CHECKING:  # the catalog calls these checks
    from evidencesite.content.catalog import Catalog


@dataclass(frozen=True)
class Answer:
    """One result of a study note that answers a question."""

    page: Page
    result: Result

    @property
    def study(self) -> Study:
        assert self.page.study is not None
        return self.page.study


def questions_by_id(catalog: Catalog) -> dict[str, tuple[Page, Question]]:
    """Return each question id -> (the page declaring it, the question); the first declaration wins."""
    found: dict[str, tuple[Page, Question]] = {}
    for page in catalog.all_pages():
        for question in page.questions:
            found.setdefault(question.id, (page, question))
    return found


def answers_by_question(catalog: Catalog) -> dict[str, list[Answer]]:
    """Return question id -> the results answering it, in study key order."""
    found: dict[str, list[Answer]] = {}
    for key in sorted(catalog.studies):
        page = catalog.studies[key]
        for result in page.study.results if page.study else ():
            if result.question:
                found.setdefault(result.question, []).append(Answer(page, result))
    return found


def is_human(study: Study) -> bool:
    """True for a study in people: its population says so, or (unstated) its design is not a laboratory one."""
    if study.population is not None:
        return study.population is Population.HUMAN
    return study.design.group is not DesignGroup.LABORATORY


def starts_high(answers: list[Answer]) -> bool:
    """GRADE's starting level: high when every answering study is randomised, low otherwise."""
    return bool(answers) and all(a.study.design.group is DesignGroup.RANDOMISED for a in answers)


def check_evidence(catalog: Catalog, diagnostics: Diagnostics) -> None:
    """Report every cross-reference problem between questions and the results that answer them."""
    declared = questions_by_id(catalog)
    for page, question in _declarations(catalog):
        first_page, first = declared[question.id]
        if first is not question:
            diagnostics.error(
                page.path,
                question.field_lines.get("id", question.line),
                f"question id '{question.id}' is also declared by {first_page.source.path}:{first.line}; "
                "a question id names one question across the site",
            )
    answers = answers_by_question(catalog)
    for question_id, found in sorted(answers.items()):
        if question_id not in declared:
            for answer in found:
                diagnostics.error(
                    answer.page.path,
                    answer.result.field_lines.get("question", answer.result.line),
                    f"result '{answer.result.id}' answers unknown question '{question_id}'{did_you_mean(question_id, declared)} "
                    "(declare it under 'questions:' on a page, or fix the id)",
                )
    for question_id, (page, question) in sorted(declared.items()):
        # a question whose results are in a note that failed validation is not reported as unanswered
        _check_question(page, question, answers.get(question_id, []), diagnostics, quiet=bool(catalog.broken_keys))


def _declarations(catalog: Catalog) -> Iterator[tuple[Page, Question]]:
    for page in catalog.all_pages():
        for question in page.questions:
            yield page, question


def _check_question(page: Page, question: Question, answers: list[Answer], diagnostics: Diagnostics, quiet: bool) -> None:
    line = question.field_lines.get("id", question.line)
    if not answers and not quiet:
        diagnostics.warning(
            page.path,
            line,
            f"no result answers question '{question.id}': add 'question: {question.id}' to a result in a study "
            "note's 'results:', or remove the question",
        )
    if question.pool:
        _check_pooling(page, question, answers, diagnostics)
    if not question.animal:
        for answer in answers:
            if not is_human(answer.study):
                diagnostics.warning(
                    answer.page.path,
                    answer.result.field_lines.get("question", answer.result.line),
                    f"result '{answer.result.id}' comes from an animal or laboratory study but answers question "
                    f"'{question.id}' about people; answer it with human studies, or set 'animal: true' on the "
                    "question if it is about animals",
                )
    if question.certainty and answers:
        high = starts_high(answers)
        implied = implied_certainty(high, question.downgrades, question.upgrades)
        if implied is not Certainty(question.certainty):
            start = "high (randomised trials)" if high else "low (not all randomised trials)"
            diagnostics.warning(
                page.path,
                question.field_lines.get("certainty", line),
                f"question '{question.id}' is rated {question.certainty}, but its evidence starts {start} and the "
                f"stated downgrades and upgrades give {implied.value}; state the reasons that move the rating, or "
                "correct it",
            )


def _check_pooling(page: Page, question: Question, answers: list[Answer], diagnostics: Diagnostics) -> None:
    line = question.field_lines.get("pool", question.line)
    measures = sorted({a.result.measure for a in answers})
    studies = {a.study.work.key for a in answers}
    if len(measures) > 1:
        listed = "; ".join(
            f"{measure} in {', '.join(a.study.work.key for a in answers if a.result.measure == measure)}" for measure in measures
        )
        diagnostics.error(
            page.path,
            line,
            f"question '{question.id}' pools results with different measures ({listed}); pool one measure only, "
            "or set 'pool: false'",
        )
    elif measures == ["other"]:
        diagnostics.error(page.path, line, f"question '{question.id}' pools results measured as 'other', which cannot be combined; set 'pool: false'")
    elif len(studies) < 2:
        diagnostics.error(
            page.path,
            line,
            f"question '{question.id}' pools {len(studies)} {'study' if len(studies) == 1 else 'studies'}: pooling needs "
            "results from two or more studies; set 'pool: false' to show the result alone",
        )
    elif len(studies) < len(answers):
        repeated = sorted(key for key in studies if sum(a.study.work.key == key for a in answers) > 1)
        diagnostics.error(
            page.path,
            line,
            f"question '{question.id}' pools several results of one study ({', '.join(repeated)}), counting its "
            "participants twice; let one result per study answer it",
        )
