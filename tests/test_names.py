"""Names: what `import` writes reads back the same, and reference lists sort by family name or literal."""

from __future__ import annotations

import pytest

from evidencesite.models import Person
from evidencesite.names import format_person, parse_person, sort_key


@pytest.mark.parametrize(
    ("person", "written"),
    [
        (Person("World Health Organization", literal=True), "World Health Organization"),
        (Person("王伟", literal=True), "王伟"),
        (Person("Department of Health, UK", literal=True), "{Department of Health, UK}"),
        (Person("Das", "Ravi K."), "Das, Ravi K."),
        (Person("van der Berg", "Anna"), "van der Berg, Anna"),
        (Person("King", "Martin Luther", suffix="Jr."), "King, Martin Luther, Jr."),
        (Person("Gooding", "Cuba", suffix="Esq."), "Gooding, Esq., Cuba"),
        (Person("Smith", "Jr", suffix="V"), "Smith, Jr, V"),
        (Person("Ng", ""), "Ng,"),
    ],
)
def test_format_person_reads_back_the_same_person(person: Person, written: str) -> None:
    assert format_person(person) == written
    assert parse_person(written) == person


def test_name_with_a_comma_in_the_family_name_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="has no form that reads back the same"):
        format_person(Person("Smith, Jones", "A"))


def test_sort_key_ignores_case_and_accents_and_orders_by_family_then_given() -> None:
    people = [
        Person("Zhang", "Min"),
        Person("Ålund", "Åsa"),
        Person("de Vries", "Anouk"),
        Person("Alund", "Bo"),
        Person("World Health Organization", literal=True),
        Person("Émile", literal=True),
        Person("De Vries", "Aart"),
    ]
    assert [p.family for p in sorted(people, key=sort_key)] == [
        "Ålund",
        "Alund",
        "De Vries",
        "de Vries",
        "Émile",
        "World Health Organization",
        "Zhang",
    ]
