"""Answer first, dates and changes, data to take away (#15): built tiny sites, real output, exact messages."""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import JONES_2019, MINIMAL_FILES, Run
from link_checker import check_links

TODAY = "1735689600"  # SOURCE_DATE_EPOCH for 2025-01-01: "today" in every test here
ALCOHOL = MINIMAL_FILES["content/substances/alcohol.md"]
ATOM = "{http://www.w3.org/2005/Atom}"

ANSWERED = """---
title: Alcohol
summary: Alcohol use.
order: 1
reviewed: 2024-06-01
searched: 2024-05-01
key_messages:
  - text: Ketamine with therapy may help people drink less.
    question: drinking-days
  - Most trials are small.
plain_summary: A few small studies suggest it may help. We are not sure yet.
questions:
  - id: drinking-days
    question: Does ketamine reduce heavy drinking days?
    certainty: low
    downgrades: {imprecision: 2}
    statement: Ketamine may reduce heavy drinking a little.
changes:
  - {date: 2024-06-01, text: Added the Smith trial.}
  - {date: 2023-02-10, text: First version.}
---
About alcohol [@smith2020].
"""


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY)


def _build(run_cli: Callable[..., Run], root: Path) -> Path:
    result = run_cli("build", "--site", root, "-q")
    assert result.code == 0, result.err
    return root / "output"


def _lines(result: Run, root: Path) -> list[str]:
    return [line.replace(str(root) + os.sep, "") for line in result.err.splitlines()]


def _main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_key_messages_come_first_with_the_certainty_of_their_question(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/substances/alcohol.md": ANSWERED})
    main = _main((_build(run_cli, root) / "substances/alcohol/index.html").read_text())
    after_title = main.split("</h1>", 1)[1]
    assert after_title.index('class="page-dates"') < after_title.index('class="key-messages"') < after_title.index('class="lede"')
    assert after_title.index('class="lede"') < after_title.index('class="plain-summary"') < after_title.index('class="prose"')
    assert (
        '<p class="page-dates"><span>Last reviewed <time datetime="2024-06-01">1 June 2024</time></span> · '
        '<span>Evidence searched up to <time datetime="2024-05-01">1 May 2024</time></span></p>'
    ) in main
    assert (
        '<li>Ketamine with therapy may help people drink less. <span class="key-certainty">(certainty: <span class="certainty '
        'certainty-low"><span class="certainty-symbols" aria-hidden="true">⊕⊕◯◯</span> Low</span>)</span></li>'
    ) in main
    assert "<li>Most trials are small.</li>" in main
    assert "<p>A few small studies suggest it may help. We are not sure yet.</p>" in main


def test_home_page_answers_for_each_term_of_the_second_taxonomy_and_has_one_notice(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    cocaine = "---\ntitle: Cocaine\norder: 2\nkey_messages: [Nothing is known yet.]\n---\nText.\n"
    tobacco = "---\ntitle: Tobacco\norder: 3\n---\nText.\n"
    root = site({"content/substances/alcohol.md": ANSWERED, "content/substances/cocaine.md": cocaine, "content/substances/tobacco.md": tobacco})
    home = (_build(run_cli, root) / "index.html").read_text()
    rows = _main(home).split('<table class="answers-table">', 1)[1].split("</table>", 1)[0]
    assert "<th scope=\"col\">Substance</th>" in rows  # the vocabulary's words, not hard-coded ones
    assert [line for line in rows.splitlines() if line.startswith("<tr><th scope=\"row\">")] == [
        '<tr><th scope="row"><a href="substances/alcohol/index.html">Alcohol</a></th><td>Ketamine may reduce heavy drinking '
        'a little.</td><td><span class="certainty certainty-low"><span class="certainty-symbols" aria-hidden="true">⊕⊕◯◯</span> Low</span></td></tr>',
        '<tr><th scope="row"><a href="substances/cocaine/index.html">Cocaine</a></th><td>Nothing is known yet.</td><td><span class="muted">Not rated</span></td></tr>',
        '<tr><th scope="row"><a href="substances/tobacco/index.html">Tobacco</a></th><td class="muted">No summary yet</td><td><span class="muted">Not rated</span></td></tr>',
    ]
    assert home.count("<strong>Not medical advice.</strong>") == 1 and home.count('class="notice') == 1


def test_study_page_order_no_self_reference_and_cited_by_once_per_page(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/studies/jones2019.md": JONES_2019})
    output = _build(run_cli, root)
    jones = _main((output / "studies/jones2019/index.html").read_text())
    order = ['class="study-byline"', 'class="lede"', 'id="facts-heading"', 'class="prose"', 'id="record-heading"', 'id="cite-heading"', 'id="cited-by-heading"']
    positions = [jones.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert '<p class="study-byline">Jones &amp; Jones (2019)<span class="byline-sep"> · </span>Randomised controlled trial<span class="byline-sep"> · </span>n = 40</p>' in jones
    # it cites itself and smith2020: only smith2020 is listed, and the citation of itself leads to its own record
    assert 'id="ref-jones2019"' not in jones and 'id="ref-smith2020"' in jones
    assert '<a class="cite cite-self" data-key="jones2019" href="#record-heading">this study</a>; <a class="cite" data-key="smith2020" href="#ref-smith2020" id="cite-1">1</a>]' in jones
    assert '<span class="ref-label">[1]</span>' in jones and "[2]" not in jones  # numbering starts at its first other work
    smith = _main((output / "studies/smith2020/index.html").read_text()).split('id="cited-by-heading"', 1)[1]
    assert "<p>4 pages on this site cite this study.</p>" in smith
    assert smith.count('href="../../mechanisms/memory/index.html"') == 1  # cited in its text and in a claim: listed once
    assert '<span class="cited-by-kind">Mechanism:</span> <a href="../../mechanisms/memory/index.html">Memory</a>, in its text and as evidence for 1 claim:' in smith
    assert '<span class="cited-by-kind">Study:</span> <a href="../jones2019/index.html">' in smith
    assert not check_links(output, "/sub/")


def test_changes_feed_the_changelog_and_both_feeds_use_real_dates(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    study = MINIMAL_FILES["content/studies/smith2020.md"].replace("summary:", "reviewed: 2024-02-03\nsummary:")
    root = site({"content/substances/alcohol.md": ANSWERED, "content/studies/smith2020.md": study})
    output = _build(run_cli, root)
    changelog = (output / "changelog/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml" title="Test site: changes to the evidence" href="../changes.xml">' in changelog
    assert (
        '<li id="change-substances-alcohol-2"><time datetime="2024-06-01">1 June 2024</time> · '
        '<a href="../substances/alcohol/index.html">Alcohol</a>: Added the Smith trial.</li>'
    ) in changelog
    assert changelog.index("Added the Smith trial.") < changelog.index("First version.")
    changes = etree.fromstring((output / "changes.xml").read_bytes())
    assert changes.findtext(f"{ATOM}updated") == "2024-06-01T00:00:00Z"
    assert [entry.findtext(f"{ATOM}title") for entry in changes.iter(f"{ATOM}entry")] == [
        "Alcohol: Added the Smith trial.",
        "Alcohol: First version.",
    ]
    feed = etree.fromstring((output / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}updated") == "2024-06-01T00:00:00Z"  # the newest date any page gives
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}updated") == "2024-02-03T00:00:00Z"  # type: ignore[union-attr]
    assert "2020-01-01" not in (output / "feed.xml").read_text()  # never the year of publication
    assert 'href="changelog/index.html">Changes to the evidence</a>' in (output / "index.html").read_text()


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("reviewed: 2019-02-30", "content/substances/alcohol.md:2: error: 'reviewed' must be a real date written YYYY-MM-DD (e.g. 2024-03-15), not '2019-02-30'"),
        ("searched: 2025-01-02", "content/substances/alcohol.md:2: error: 'searched' 2025-01-02 is in the future (today is 2025-01-01): write the date it happened"),
        ("changes:\n  - {date: 2024-01-01, text: ''}", "content/substances/alcohol.md:3: error: change has no text: say in a sentence what changed"),
        ("changes:\n  - {text: Added.}", "content/substances/alcohol.md:3: error: change needs a 'date' (YYYY-MM-DD)"),
        ("changes:\n  - {date: 2024-13-01, text: Added.}", "content/substances/alcohol.md:3: error: 'date' must be a real date written YYYY-MM-DD (e.g. 2024-03-15), not '2024-13-01'"),
        ("key_messages:\n  - text: ''", "content/substances/alcohol.md:3: error: key message has no text: write one short sentence"),
        (
            "key_messages:\n  - {text: It helps., question: nope}",
            "content/substances/alcohol.md:3: error: key message names question 'nope', which this page does not declare; it declares no 'questions:'",
        ),
    ],
)
def test_bad_reader_fields_are_located_errors(site, run_cli, front_matter: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/substances/alcohol.md": ALCOHOL.replace("---\n", f"---\n{front_matter}\n", 1)})
    result = run_cli("check", "--site", root)
    assert result.code == 1
    assert expected in _lines(result, root)


def test_review_due_and_hard_plain_summaries_are_check_warnings_only(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    hard = (
        "Pharmacological augmentation of psychotherapeutic interventions with glutamatergic modulators demonstrates "
        "heterogeneous efficacy across methodologically diverse randomised investigations."
    )
    page = ALCOHOL.replace("---\n", f"---\nreviewed: 2023-12-31\nplain_summary: {hard}\n", 1)
    root = site({"content/substances/alcohol.md": page, "site_config.yaml": MINIMAL_FILES["site_config.yaml"] + "review_due_months: 12\n"})
    check = run_cli("check", "--site", root, "-v")
    assert check.code == 0, check.err
    assert _lines(check, root)[:2] == [
        "content/substances/alcohol.md:2: warning: review due: last reviewed 2023-12-31, 12 months or more before 2025-01-01; "
        "review the page against new evidence and update 'reviewed' (the interval is review_due_months in site_config.yaml)",
        "content/substances/alcohol.md:3: warning: plain_summary reads at grade 34.2 (Flesch–Kincaid), above the site's "
        "readability_grade of 8: use shorter sentences and everyday words",
    ]
    table = check.out.splitlines()
    assert table[0].split() == ["page", "body", "plain", "summary", "key", "messages"]
    assert [line.split() for line in table if line.startswith("content/substances/alcohol.md")] == [["content/substances/alcohol.md", "14.7", "34.2*", "-"]]
    assert "warning:" not in run_cli("build", "--site", root).err  # a build that passed yesterday passes today
    easy = page.replace(hard, "It may help a little. We are not sure.").replace("2023-12-31", "2024-06-01")
    (root / "content/substances/alcohol.md").write_text(easy)
    assert "warning:" not in run_cli("check", "--site", root).err


def test_csv_downloads_parse_back_to_the_content(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    study = MINIMAL_FILES["content/studies/smith2020.md"].replace("title: A trial of something", "title: '=SUM(A1), \"quoted\"'")
    study = study.replace("summary:", "results:\n  - {id: drinking, measure: MD, estimate: -1.5, ci: [-2.5, -0.5], name: Drinks a day, source: Table 2}\nsummary:")
    root = site({"content/studies/smith2020.md": study, "content/studies/jones2019.md": JONES_2019})
    output = _build(run_cli, root)
    evidence = (output / "evidence/index.html").read_text()
    assert '<a href="studies.csv" download>every study</a>' in evidence and 'href="outcomes.csv"' in evidence

    def rows(name: str) -> list[dict[str, str]]:
        data = (output / "evidence" / name).read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n")  # RFC 4180 line ends
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))

    studies = rows("studies.csv")
    assert list(studies[0]) == ["key", "title", "authors", "year", "design", "population", "n", "mechanisms", "substances", "finding", "doi", "pmid", "url"]
    assert [s["key"] for s in studies] == ["jones2019", "smith2020"]
    assert studies[1] == {
        "key": "smith2020", "title": "'=SUM(A1), \"quoted\"", "authors": "Smith AB; Jones C", "year": "2020", "design": "rct",
        "population": "human", "n": "40", "mechanisms": "memory", "substances": "alcohol", "finding": "positive",
        "doi": "10.1000/test.1", "pmid": "123456", "url": "",
    }  # fmt: skip
    assert rows("matrix.csv") == [
        {"row": "memory", "row_title": "Memory", "column": "alcohol", "column_title": "Alcohol", "studies": "2", "human": "2", "animal": "0", "strongest_design": "rct", "reviews": "0"}
    ]  # fmt: skip
    outcomes = rows("outcomes.csv")
    assert len(outcomes) == 1
    assert {k: v for k, v in outcomes[0].items() if v} == {
        "study": "smith2020", "result": "drinking", "outcome": "Drinks a day", "measure": "MD", "estimate": "-1.5", "ci_low": "-2.5", "ci_high": "-0.5", "source": "Table 2",
    }  # fmt: skip


def test_long_pages_get_contents_and_fragment_links_are_checked(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    glossary = "---\ntitle: Glossary\n---\n" + "".join(f"## Part {n}\n\n### Term {n}\n\nText.\n\n" for n in range(1, 5))
    about = "---\ntitle: About\n---\nSee [term 2](glossary.md#term-2) and [missing](glossary.md#term-9).\n"
    root = site({"content/pages/glossary.md": glossary, "content/pages/about.md": about})
    result = run_cli("build", "--site", root, "-q")
    assert _lines(result, root) == [
        "content/pages/about.md:4: warning: link to 'content/pages/glossary.md#term-9': that page has no heading or element "
        "with id 'term-9'; its headings' ids include: part-1, term-1, part-2, term-2, part-3, term-3, part-4, term-4"
    ]
    page = (root / "output/glossary/index.html").read_text()
    assert '<details class="page-toc auto-toc" open>\n<summary>On this page</summary>\n<ul><li><a href="#part-1">Part 1</a></li>' in page
    assert '<h3 id="term-2">Term 2</h3>' in page
    assert "auto-toc" not in (root / "output/about/index.html").read_text()  # too short for contents


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("searched: 2024-02-30", "site_config.yaml:6: error: 'searched' must be a real date written YYYY-MM-DD (e.g. 2024-03-15), not '2024-02-30'"),
        ("readability_grade: hard", "site_config.yaml:6: error: 'readability_grade' must be a number from 1 to 20, not 'hard'"),
        ("toc_min_headings: -1", "site_config.yaml:6: error: 'toc_min_headings' must be a whole number from 0 to 100, not '-1'"),
    ],
)
def test_bad_reader_settings_are_located_errors(site, run_cli, setting: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    root = site({"site_config.yaml": MINIMAL_FILES["site_config.yaml"] + setting + "\n"})
    result = run_cli("check", "--site", root)
    assert result.code == 1 and expected in _lines(result, root)


def test_site_searched_date_shows_on_pages_but_not_on_study_notes(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"site_config.yaml": MINIMAL_FILES["site_config.yaml"] + "searched: 2024-09-30\n"})
    output = _build(run_cli, root)
    assert 'Evidence searched up to <time datetime="2024-09-30">30 September 2024</time>' in (output / "index.html").read_text()
    assert "Evidence searched up to" not in (output / "studies/smith2020/index.html").read_text()


def test_pages_with_every_reader_field_pass_the_nu_checker(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    import json
    import shutil
    import subprocess

    from test_html_valid import _is_known_false_positive, _vnu_jar

    java = shutil.which("java")
    if java is None:
        from conftest import missing_tool

        missing_tool("Java is not installed, so the Nu HTML Checker cannot run (apt-get install default-jre-headless)")
    glossary = "---\ntitle: Glossary\n---\n" + "".join(f"## Part {n}\n\nText.\n\n" for n in range(1, 5))
    root = site({"content/substances/alcohol.md": ANSWERED, "content/studies/jones2019.md": JONES_2019, "content/pages/glossary.md": glossary})
    output = _build(run_cli, root)
    pages = [output / p for p in ("index.html", "substances/alcohol/index.html", "studies/jones2019/index.html", "studies/smith2020/index.html", "changelog/index.html", "glossary/index.html", "evidence/index.html")]
    result = subprocess.run(
        [java, "-XX:TieredStopAtLevel=1", "-jar", str(_vnu_jar()), "--format", "json", "--no-langdetect", *map(str, pages)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output_text = result.stderr + result.stdout
    messages = json.JSONDecoder().raw_decode(output_text, output_text.index('{"'))[0]["messages"]
    errors = [f"{m.get('url')}: {m['message']}" for m in messages if m["type"] in {"error", "non-document-error"} and not _is_known_false_positive(m)]
    assert not errors, "\n".join(errors)


def test_reader_fields_survive_the_document_cache(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    from evidencesite.cache.model_codec import decode_page, encode
    from evidencesite.content.loader import find_content, read_document
    from evidencesite.content.schema import validate_document
    from evidencesite.errors import Diagnostics

    root = site({"content/substances/alcohol.md": ANSWERED})
    diagnostics = Diagnostics(root)
    raw = next(raw for raw in find_content(root, diagnostics, read_document).documents if raw.stem == "alcohol")
    page = validate_document(raw, diagnostics)
    assert page is not None and not diagnostics.errors
    fields = page.reader_fields
    assert [m.question for m in fields.key_messages] == ["drinking-days", ""] and fields.lines["reviewed"] == 5
    assert [(c.date, c.text) for c in fields.changes] == [("2024-06-01", "Added the Smith trial."), ("2023-02-10", "First version.")]
    decoded = decode_page(json.loads(json.dumps(encode(page))))
    assert decoded == page and decoded.reader_fields.lines == fields.lines


def test_review_falls_due_on_the_same_day_months_later() -> None:
    import datetime

    from evidencesite.content.reader_checks import months_later
    from evidencesite.content.reader_fields import build_date

    assert months_later(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert months_later(datetime.date(2023, 11, 15), 14) == datetime.date(2025, 1, 15)
    assert build_date({"SOURCE_DATE_EPOCH": TODAY}) == datetime.date(2025, 1, 1)


@pytest.mark.parametrize(
    ("style", "narrative", "expected"),
    [
        ("numeric", "", '[<a class="cite cite-self" data-key="jones2019" href="#record-heading">this study</a>, p. 4]'),
        ("numeric", "@", '<a class="cite cite-self" data-key="jones2019" href="#record-heading">Jones and Jones</a> (p. 4)'),
        ("author-year", "", '(<a class="cite cite-self" data-key="jones2019" href="#record-heading">Jones &amp; Jones, 2019</a>, p. 4)'),
    ],
)
def test_a_note_citing_itself_links_to_its_record_in_every_style(site, run_cli, style: str, narrative: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    from conftest import BASE_CONFIG

    note = JONES_2019 + (f"\nAs {narrative}jones2019 [p. 4] found.\n" if narrative else "\nIt worked [@jones2019, p. 4].\n")
    root = site({"site_config.yaml": BASE_CONFIG.replace("numeric", style), "content/studies/jones2019.md": note})
    jones = _main((_build(run_cli, root) / "studies/jones2019/index.html").read_text())
    assert expected in jones
    assert 'id="ref-jones2019"' not in jones  # not in its own reference list, so no back-links to it either
