"""The generator on a second, fictional topic in author-year style (tests/fixtures/sites/sleep)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from link_checker import check_links

SITE = REPO / "tests" / "fixtures" / "sites" / "sleep"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    import contextlib
    import io

    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("sleep") / "output"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert main(["build", "--site", str(SITE), "--output", str(output), "--no-cache", "-q"]) == 0
    return output, stderr.getvalue()


def test_author_year_labels_disambiguation_prefix_locator_and_narrative(built: tuple[Path, str]) -> None:
    html = (built[0] / "index.html").read_text()
    assert ">Walker et al., 2019b</a>; <a" in html and ">Walker et al., 2019a</a>)" in html
    assert "(see <a" in html and ">Reviewer et al., 2021</a>, p. 4)" in html
    assert ">Walker et al. (2019b)</a></span> is the larger one" in html
    assert ">Fictional Sleep Society, 2020</a>" in html
    mechanism = (built[0] / "mechanisms" / "circadian" / "index.html").read_text()
    assert ">Walker et al., 2019b</a>, fig. 2; <a" in mechanism and ">2021</a>)" in mechanism


def test_escaping_diacritics_and_all_authors_on_the_study_page(built: tuple[Path, str]) -> None:
    page = (built[0] / "studies" / "walker2019a" / "index.html").read_text()
    assert "Evening exercise &amp; sleep: a &lt;fictional&gt; &#34;trial&#34;" in page
    assert "Walker, A., Øberg, B., &amp; Núñez, C. (2019" in page  # the site's author-year style names all three


def test_claims_roles_retraction_and_warnings(built: tuple[Path, str]) -> None:
    output, stderr = built
    mechanism = (output / "mechanisms" / "circadian" / "index.html").read_text()
    assert "1 supporting, 1 contradicting, 0 no effect, 1 context" in mechanism
    assert 'id="claim-timing-matters"' in mechanism
    study = (output / "studies" / "walker2019b" / "index.html").read_text()
    assert "This work has been retracted." in study
    assert "content/mechanisms/circadian.md:11: warning: cites 'walker2019b', which is marked retracted" in stderr
    assert "studies/walker2019b.md" not in stderr  # a note citing itself is not a warning


def test_cited_by_lists_pages_and_claims(built: tuple[Path, str]) -> None:
    study = (built[0] / "studies" / "walker2019a" / "index.html").read_text()
    section = study.split('id="cited-by-heading"', 1)[1].split("</section>", 1)[0]
    assert 'href="../../index.html"' in section
    # each citing page once, labelled with its kind, with the claims that cite the study under it
    assert '<span class="cited-by-kind">Mechanism:</span> <a href="../../mechanisms/circadian/index.html">' in section
    assert '<a href="../../mechanisms/circadian/index.html#claim-timing-matters">“Evening exercise shifts sleep onset.”</a>' in section
    assert section.count('href="../../mechanisms/circadian/index.html"') == 1


def test_site_template_override_applies(built: tuple[Path, str]) -> None:
    assert 'class="content fixture-override"' in (built[0] / "about" / "index.html").read_text()
    assert "fixture-override" in (built[0] / "mechanisms" / "circadian" / "index.html").read_text()  # extends page.html
    assert "fixture-override" not in (built[0] / "studies" / "walker2019a" / "index.html").read_text()


def test_no_broken_links_and_exports_round_trip(built: tuple[Path, str]) -> None:
    output = built[0]
    assert not check_links(output, "/sleep/")
    from evidencesite.content.bibliography import parse_bibtex, parse_csl_json
    from evidencesite.errors import Diagnostics

    diagnostics = Diagnostics(output)
    exported = parse_bibtex((output / "references" / "references.bib").read_text(), output / "r.bib", diagnostics)
    exported_json = parse_csl_json(
        (output / "references" / "references.json").read_text(), output / "r.json", diagnostics
    )
    assert not diagnostics.items
    keys = {"walker2019a", "walker2019b", "mouse2017", "review2021", "guideline2020", "background2018"}
    assert {w.key for w in exported} == keys == {w.key for w in exported_json}
    by_key = {w.key: w for w in exported}
    assert by_key["walker2019a"].title == 'Evening exercise & sleep: a <fictional> "trial"'
    assert [p.family for p in by_key["walker2019a"].authors] == ["Walker", "Øberg", "Núñez"]
    assert by_key["review2021"].authors_incomplete and by_key["walker2019b"].retracted
    assert by_key["guideline2020"].authors[0].literal
    ris = (output / "references" / "references.ris").read_text()
    assert ris.count("TY  - ") == 6 and ris.count("ER  - ") == 6
    assert re.search(r"DO  - 10\.5555/fiction\.2021", ris)
