"""BibTeX/BibLaTeX and CSL-JSON readers: dates, macros, names, identifiers, and what is a warning or an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_site
from evidencesite.content.bibliography import parse_bibtex, parse_csl_json
from evidencesite.errors import Diagnostics
from evidencesite.models import Person, Work


def bib(text: str) -> tuple[list[Work], list[str]]:
    diagnostics = Diagnostics(Path("."))
    works = parse_bibtex(text, Path("r.bib"), diagnostics)
    return works, [d.format() for d in diagnostics.items]


def csl(records: list[dict[str, object]]) -> tuple[list[Work], list[str]]:
    diagnostics = Diagnostics(Path("."))
    works = parse_csl_json(json.dumps(records, indent=1), Path("r.json"), diagnostics)
    return works, [d.format() for d in diagnostics.items]


@pytest.mark.parametrize(
    ("fields", "date"),
    [
        ("date = {2019-03}", "2019-03"),
        ("date = {2019-03-15}", "2019-03-15"),
        ("date = {2019-03/2020-01}", "2019-03"),
        ("date = {2019/..}", "2019"),
        ("date = {1993-00-00}", "1993"),
        ("year = {2019}, month = mar", "2019-03"),
        ("year = 2019, month = {March}", "2019-03"),
        ("year = {2019}, month = {3}", "2019-03"),
        ("year = {2019}, month = {03}, day = {7}", "2019-03-07"),
        ("year = {2019}, date = {2018-12}", "2018-12"),
    ],
)
def test_bibtex_dates_give_iso_date_and_year(fields: str, date: str) -> None:
    works, problems = bib(f"@article{{k, title = {{T}}, author = {{A, B}}, {fields}}}")
    assert problems == []
    assert (works[0].date, works[0].year) == (date, int(date[:4]))


def test_missing_year_title_and_author_are_located_warnings_and_the_work_is_kept() -> None:
    works, problems = bib("% header\n\n@misc{bare,\n  note = {nothing else}\n}\n")
    assert [w.key for w in works] == ["bare"]
    assert problems == [
        "r.bib:3: warning: work 'bare' has no title (add `title`)",
        "r.bib:3: warning: work 'bare' has no year: it cannot be dated (add `year` or `date`)",
        "r.bib:3: warning: work 'bare' has no author or editor; it is cited by its title (add `author` or `editor`)",
    ]


def test_malformed_year_and_date_are_errors_at_their_field_line() -> None:
    works, problems = bib(
        "@article{a,\n  title = {T},\n  year = {19x9}\n}\n@article{b,\n  title = {T},\n  date = {March 2019}\n}\n"
    )
    assert works == []
    assert problems == [
        "r.bib:3: error: work 'a' has year '19x9'; expected four digits",
        "r.bib:7: error: work 'b' has date 'March 2019'; expected YYYY, YYYY-MM or YYYY-MM-DD (a range as 2019-03/2020-01)",
    ]


def test_unknown_entry_type_is_kept_as_document_with_a_warning() -> None:
    works, problems = bib("@video{clip, title = {T}, author = {A, B}, year = 2020}")
    assert works[0].kind == "document"
    assert problems == [
        "r.bib:1: warning: entry type '@video' of 'clip' is unknown; it is kept as a document (use e.g. @article, @book, @misc)"
    ]


def test_string_macros_concatenation_and_uppercase_types() -> None:
    text = '@STRING{jt = "Journal of Tests"}\n@ARTICLE{Up2020, title = "A " # {{B}}, author = {X, Y}, journal = jt # { Supplement}, year = 2020, month = dec}'
    works, problems = bib(text)
    assert problems == []
    assert (works[0].key, works[0].title, works[0].container, works[0].date) == (
        "Up2020",
        "A B",
        "Journal of Tests Supplement",
        "2020-12",
    )


def test_bibtex_names_follow_bibtexparser_and_braces_keep_a_name_literal() -> None:
    works, _ = bib(
        "@book{n, title = {T}, year = 2000, author = {von Beethoven, Jr, Ludwig and {World Health Organization} "
        'and Jean de La Fontaine and M{\\"u}ller, J{\\"o}rg and Aristotle and others}}'
    )
    assert works[0].authors == (
        Person("von Beethoven", "Ludwig", suffix="Jr"),
        Person("World Health Organization", literal=True),
        Person("de La Fontaine", "Jean"),
        Person("Müller", "Jörg"),
        Person("Aristotle", literal=True),
    )
    assert works[0].authors_incomplete


def test_biblatex_identifiers_from_eprint_and_zotero_note() -> None:
    works, problems = bib(
        "@article{a, title = {T}, author = {A, B}, year = 2019, eprint = {123}, eprinttype = {pubmed}}\n"
        "@online{b, title = {T}, author = {A, B}, date = {2021}, eprint = {2101.00001}, eprinttype = {arXiv}}\n"
        "@article{c, title = {T}, author = {A, B}, year = 2019, note = {PMID: 456\nPMCID: PMC789\nSee also d.}}\n"
        "@article{d, title = {T}, author = {A, B}, year = 2019, pmcid = {789}}"
    )
    assert problems == []
    assert [(w.pmid, w.pmcid, w.arxiv, w.kind, w.note) for w in works] == [
        ("123", "", "", "article-journal", ""),
        ("", "", "2101.00001", "article", ""),
        ("456", "PMC789", "", "article-journal", "See also d."),
        ("", "PMC789", "", "article-journal", ""),
    ]


def test_howpublished_url_and_escaped_url_characters() -> None:
    works, _ = bib(
        r"@misc{w, title = {T}, author = {{Org}}, year = 2021, howpublished = {\url{https://x.org/a\_b?c=1%20d}}}"
    )
    assert (works[0].url, works[0].container, works[0].kind) == ("https://x.org/a_b?c=1%20d", "", "webpage")


def test_keys_are_case_sensitive_and_may_hold_pandoc_punctuation() -> None:
    works, problems = bib(
        "".join(
            f"@article{{{key}, title = {{T}}, author = {{A, B}}, year = 2019}}\n"
            for key in ("Smith2019", "smith2019", "smith:2019", "smith.2019", "hunter_oa_2019")
        )
    )
    assert problems == []
    assert [w.key for w in works] == ["Smith2019", "smith2019", "smith:2019", "smith.2019", "hunter_oa_2019"]


def test_csl_citation_key_wins_over_id_and_note_identifiers_are_taken_out() -> None:
    works, problems = csl(
        [
            {
                "id": "http://zotero.org/users/1/items/AB12CD34",
                "citation-key": "doeTrial2019",
                "type": "article-journal",
                "title": "T",
                "author": [{"family": "Doe", "given": "J"}],
                "issued": {"date-parts": [["2019", "3"]]},
                "note": "PMID: 31234567\nPMCID: PMC6543210\nEpub ahead of print",
            },
            {
                "id": 17,
                "type": "book",
                "title": "U",
                "editor": [{"family": "Roe", "given": "K"}],
                "issued": {"date-parts": [[2018, 5], [2019, 1]]},
                "note": "Citation Key: roeBook2018",
            },
        ]
    )
    assert problems == []
    assert [(w.key, w.pmid, w.pmcid, w.note, w.date) for w in works] == [
        ("doeTrial2019", "31234567", "PMC6543210", "Epub ahead of print", "2019-03"),
        ("roeBook2018", "", "", "", "2018-05"),
    ]
    assert works[1].authors == () and works[1].editors == (Person("Roe", "K"),)


def test_csl_names_particles_suffix_and_literal() -> None:
    works, _ = csl(
        [
            {
                "id": "n",
                "type": "book",
                "title": "T",
                "issued": {"raw": "2001"},
                "author": [
                    {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
                    {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
                    {"literal": "Médecins Sans Frontières"},
                    {"family": "Plato"},
                ],
            }
        ]
    )
    assert works[0].authors == (
        Person("van Gogh", "Vincent"),
        Person("King", "Martin Luther", suffix="Jr."),
        Person("Médecins Sans Frontières", literal=True),
        Person("Plato", literal=True),
    )


def test_csl_problems_are_located_at_the_record_line() -> None:
    works, problems = csl(
        [
            {
                "id": "ok",
                "type": "article-journal",
                "title": "T",
                "author": [{"literal": "X"}],
                "issued": {"date-parts": [[2020]]},
            },
            {
                "id": "odd",
                "type": "blogpost",
                "title": "T",
                "author": [{"literal": "X"}],
                "issued": {"raw": "sometime"},
            },
            {
                "id": "later",
                "type": "article-journal",
                "title": "T",
                "author": [{"literal": "X"}],
                "issued": {"literal": "in press"},
            },
        ]
    )
    assert [w.key for w in works] == ["ok", "later"]
    assert problems == [
        "r.json:19: warning: record 'odd' has type 'blogpost', which is no CSL type; it is kept as a document",
        "r.json:19: error: work 'odd' has issued 'sometime'; expected YYYY, YYYY-MM or YYYY-MM-DD (a range as 2019-03/2020-01)",
        "r.json:32: warning: work 'later' has no year: it cannot be dated (add `issued`)",
    ]


def test_warnings_fail_the_build_under_strict(run_cli, site) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/references.bib": "@misc{undated2020,\n  title = {A guide},\n  author = {{Some Body}}\n}\n"})
    assert run_cli("check", "--site", root).code == 0
    strict = run_cli("check", "--site", root, "--strict")
    assert strict.code == 1
    assert (
        "content/references.bib:1: error: work 'undated2020' has no year: it cannot be dated (add `year` or `date`)"
        in strict.err
    )


def test_site_with_biblatex_bibliography_builds_without_n_d(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from conftest import MINIMAL_FILES

    root = write_site(
        tmp_path / "s",
        {
            **MINIMAL_FILES,
            "content/index.md": "---\ntitle: Home\n---\nSee [@hunterExerciseTherapyKnee2019] and [@smith2020].\n",
            "content/references.bib": (
                Path(__file__).parent / "fixtures" / "exports" / "better-biblatex.bib"
            ).read_text(),
        },
    )
    result = run_cli("build", "--site", root, "--strict", "-q")
    assert result.code == 0, result.err
    html = (root / "output" / "index.html").read_text()
    assert "Journal of Musculoskeletal Trials" in html and "n.d." not in html
