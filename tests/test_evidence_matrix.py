"""The evidence matrix counts primary studies only, and the direction badge is neutral and absent for reviews."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MINIMAL_FILES

STUDY = "content/studies/smith2020.md"


def _review(key: str, design: str, substances: str) -> str:
    """Return a review note on `substances` (a YAML list) with a positive finding, as authors write them."""
    return (
        MINIMAL_FILES[STUDY]
        .replace("title: A trial of something", f"title: A review {key}")
        .replace("design: rct", f"design: {design}")
        .replace("substances: [alcohol]", f"substances: {substances}")
        .replace("doi: 10.1000/test.1", f"doi: 10.1000/{key}")
        .replace("pmid: '123456'\n", "")
        .replace("n: 40\n", "")
        .replace("[@smith2020]", f"[@{key}]")
    )


def _cells(html: str) -> list[str]:
    """Return the matrix cells' HTML, row by row, with whitespace collapsed."""
    start = html.index('<table class="matrix">')
    table = html[start : html.index("</table>", start)]
    return [" ".join(cell.split()) for cell in re.findall(r'<td [^>]*?class="cell[^"]*">(.*?)</td>', table, re.S)]


def _site(site) -> Path:  # type: ignore[no-untyped-def]
    """Alcohol: an RCT, a systematic review and a narrative review; cannabis: the narrative review alone."""
    return site(
        {
            "content/substances/cannabis.md": "---\ntitle: Cannabis\nsummary: Cannabis use.\norder: 2\n---\nAbout cannabis.\n",
            "content/studies/lee2018.md": _review("lee2018", "narrative-review", "[alcohol, cannabis]"),
            "content/studies/kim2021.md": _review("kim2021", "systematic-review", "[alcohol]"),
        }
    )


def test_matrix_counts_primary_studies_and_lists_reviews_apart(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _site(site)
    assert run_cli("build", "--site", root, "-q").code == 0
    for page in ("index.html", "evidence/index.html"):
        html = (root / "output" / page).read_text()
        alcohol, cannabis = _cells(html)
        assert '<span class="count">1 study</span>' in alcohol and "1 human, 0 animal" in alcohol
        assert 'class="badge badge-design design-rct">Randomised controlled trial</span>' in alcohol
        assert '">+ 2 reviews</a>' in alcohol and "Systematic review" not in alcohol
        assert '<span class="none">No primary studies</span>' in cannabis and '">+ 1 review</a>' in cannabis
        assert "badge-design" not in cannabis and "human" not in cannabis
        # linked like the count: to the explorer filtered on the cell
        assert re.search(
            r'<a class="cell-reviews" href="(\.\./)?studies/index\.html\?mechanism=memory&amp;substance=cannabis">',
            cannabis,
        )
    evidence = (root / "output" / "evidence" / "index.html").read_text()
    assert "Memory: no human study for Cannabis." in evidence
    home = (root / "output" / "index.html").read_text()
    assert "1 study is on this site, 1 of them in people, and 2 reviews of other studies, counted apart." in home


def test_direction_badge_is_neutral_for_a_trial_and_absent_for_a_review(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = _site(site)
    assert run_cli("build", "--site", root, "-q").code == 0
    output = root / "output"
    trial = (output / "studies" / "smith2020" / "index.html").read_text()
    assert '<span class="badge badge-finding finding-positive">Favours intervention</span>' in trial
    assert "<dt>Direction of result</dt><dd>Favours intervention</dd>" in trial
    assert "Finding:" not in trial
    for key in ("lee2018", "kim2021"):
        review = (output / "studies" / key / "index.html").read_text()
        assert "badge-finding" not in review and "Direction of result" not in review
    explorer = (output / "studies" / "index.html").read_text()
    assert (
        '<option value="positive">Favours intervention</option><option value="no-effect">No clear difference</option>'
        '<option value="negative">Favours comparator</option><option value="mixed">Mixed results</option>'
    ) in explorer
    assert explorer.count("badge-finding") == 1 and 'data-finding=""' in explorer
    references = (output / "references" / "index.html").read_text()
    assert references.count("badge-finding") == 1 and "Favours intervention" in references


def test_direction_badge_has_no_verdict_colour() -> None:
    css = (Path(__file__).resolve().parent.parent / "templates" / "static" / "site.css").read_text()
    rules = [line for line in css.splitlines() if "finding" in line]
    assert rules and not any("green" in line or "red" in line or "amber" in line for line in rules)
