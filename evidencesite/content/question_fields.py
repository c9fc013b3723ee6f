"""A page's `questions:`: the rows of its summary-of-findings table, each rated with GRADE.

Which results answer a question, and whether its rating follows from their designs, are cross-references
checked by the catalog (content/evidence_checks.py); here each question is checked on its own.
"""

from __future__ import annotations

from typing import Any

from evidencesite.content.evidence_terms import CERTAINTIES, MAX_STEPS, check_reasons
from evidencesite.content.field_reader import FieldReader
from evidencesite.content.field_values import NestedFields, Where
from evidencesite.content.frontmatter import Scalar
from evidencesite.evidence_model import Question

QUESTION_FIELDS = (
    "id",
    "question",
    "population",
    "comparator",
    "outcome",
    "pool",
    "certainty",
    "downgrades",
    "upgrades",
    "reasons",
    "statement",
    "animal",
)
POOL_VALUES = {"true": "reml", "reml": "reml", "dl": "dl", "false": ""}


def read_questions(fields: FieldReader) -> tuple[Question, ...]:
    """Return the page's valid questions; report every problem of the others."""
    reader = NestedFields(fields.raw, fields.diagnostics)
    questions = []
    seen: dict[str, int] = {}
    for index, item in reader.items("questions", "questions with id and question"):
        where: Where = ("questions", index)
        reader.unknown_keys(item, QUESTION_FIELDS, where, "question")
        question_id = reader.unique_id(item, where, "question", seen, " (results refer to it)")
        text = reader.text(item, "question", where, required=True)
        pool = reader.choice(item, "pool", tuple(POOL_VALUES), where)
        certainty = reader.choice(item, "certainty", CERTAINTIES, where)
        downgrades = _steps(reader, item, "downgrades", where)
        upgrades = _steps(reader, item, "upgrades", where)
        animal = _flag(reader, item, "animal", where)
        if downgrades is None or upgrades is None or not question_id or not text or animal is None:
            continue
        problems = check_reasons(downgrades, upgrades)
        for path, message in problems:
            reader.error(message, *where, *path)
        if problems:
            continue
        questions.append(
            Question(
                id=question_id,
                question=text,
                line=reader.line(*where),
                population=reader.text(item, "population", where),
                comparator=reader.text(item, "comparator", where),
                outcome=reader.text(item, "outcome", where),
                pool=POOL_VALUES.get(pool, ""),
                certainty=certainty,
                downgrades=downgrades,
                upgrades=upgrades,
                reasons=reader.text(item, "reasons", where),
                statement=reader.text(item, "statement", where),
                animal=animal,
                field_lines=reader.field_lines(where),
            )
        )
    return tuple(questions)


def _steps(reader: NestedFields, item: dict[str, Any], key: str, where: Where) -> dict[str, int] | None:
    """Return `{reason: levels}`; None after reporting a value that is not such a mapping."""
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.error(f"'{key}' must be a mapping such as {{risk-of-bias: 1, imprecision: 0}}", *where, key)
        return None
    steps = {}
    for reason, entry in value.items():
        steps[reason] = reader.whole(value, reason, (*where, key), 0, MAX_STEPS.get(reason, 2))
        if not isinstance(entry, Scalar):
            return None
    return steps


def _flag(reader: NestedFields, item: dict[str, Any], key: str, where: Where) -> bool | None:
    value = item.get(key)
    if value is None:
        return False
    if isinstance(value, Scalar) and value.text in ("true", "false"):
        return value.text == "true"
    reader.error(f"'{key}' must be true or false", *where, key)
    return None
