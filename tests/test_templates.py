"""Template helpers whose markup is written out twice for speed must stay in step."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
from evidencesite.models import Finding, Person, Population, Source, Study, Terms, Work
from evidencesite.site.templating import make_environment


def _study(design_key: str, population: Population | None, finding: Finding | None, retracted: bool) -> Study:
    work = Work("a2020", "A", (Person("A", "B"),), 2020, Source("x", 1), retracted=retracted)
    design = DEFAULT_VOCABULARY.design(design_key)
    assert design is not None
    return Study(work, design, (Terms("substances", ("alcohol",)),), population=population, finding=finding)


@pytest.mark.parametrize(
    ("design", "population", "finding", "retracted"),
    list(itertools.product(["rct", "narrative-review"], [None, *Population], [None, *Finding], [False, True])),
)
def test_study_badges_is_the_four_single_badges(
    tmp_path: Path, design: str, population: Population | None, finding: Finding | None, retracted: bool
) -> None:
    environment = make_environment(tmp_path)
    study = _study(design, population, finding, retracted)
    combined = environment.from_string("{% import '_macros.html' as m %}{{ m.study_badges(s) }}").render(s=study)
    separate = environment.from_string(
        "{% import '_macros.html' as m %}{{ m.design_badge(s.design) }} {{ m.population_badge(s.population) }} "
        "{{ m.finding_badge(s) }} {{ m.retracted_badge(s.work) }}"
    ).render(s=study)
    assert combined == separate


@pytest.mark.parametrize(
    ("finding", "label"),
    [
        (Finding.POSITIVE, "Favours intervention"),
        (Finding.NO_EFFECT, "No clear difference"),
        (Finding.NEGATIVE, "Favours comparator"),
        (Finding.MIXED, "Mixed results"),
    ],
)
def test_finding_badge_is_a_neutral_direction_and_absent_for_a_review(
    tmp_path: Path, finding: Finding, label: str
) -> None:
    environment = make_environment(tmp_path)
    template = environment.from_string("{% import '_macros.html' as m %}{{ m.finding_badge(s) }}")
    trial = template.render(s=_study("rct", Population.HUMAN, finding, False))
    assert trial == f'<span class="badge badge-finding finding-{finding.value}">{label}</span>'
    assert template.render(s=_study("narrative-review", Population.HUMAN, finding, False)) == ""
