"""Long lists in pages, the explorer's data files and its downloads, the bounded timeline and topic lists, and the
published (minified, per-page) stylesheets: on a generated site of 250 studies (bench/make_corpus.py), built once.

Pages hold 80 references and 100 explorer rows (site/pagination.py), so 250 studies and 20 background works make
four pages of references and three of the explorer; above 150 studies the timeline counts studies per year instead of marking each one.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rcssmin

from conftest import REPO, write_site

STUDIES = 250


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("corpus") / "site"
    command = [sys.executable, str(REPO / "bench" / "make_corpus.py"), "--studies", str(STUDIES), "--out", str(site)]
    subprocess.run(command, check=True, capture_output=True)
    return site


@pytest.fixture(scope="module")
def built(corpus: Path) -> Path:
    from evidencesite.cli import main

    output = corpus.parent / "output"
    assert main(["build", "--site", str(corpus), "--output", str(output), "-q", "--no-cache", "--strict"]) == 0
    return output


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _study_keys(html: str) -> list[str]:
    """The study of each explorer row, in the page's order."""
    return re.findall(r'<td data-label="Study"><a href="([^"/]+)/index\.html">', html)


def _data(path: Path, variable: str) -> list[list[object]]:
    text = _text(path)
    prefix = f"(self.{variable}=self.{variable}||[]).push(["
    assert text.startswith(prefix) and text.endswith("]);\n")
    number, rows = json.loads("[" + text[len(prefix) : -len("]);\n")] + "]")
    assert number == 1
    return rows


def test_the_bibliography_is_in_pages_holding_every_work_once(built: Path) -> None:
    pages = [built / "references" / name for name in ("index.html", "page-2.html", "page-3.html", "page-4.html")]
    assert not (built / "references" / "page-5.html").exists()
    keys = [re.findall(r'<li id="work-([^"]+)"', _text(page)) for page in pages]
    assert [len(k) for k in keys] == [80, 80, 80, STUDIES + 20 - 240]
    every = [key for page in keys for key in page]
    assert len(every) == len(set(every)) == STUDIES + 20
    for number, page in enumerate(pages, 1):
        html = _text(page)
        # every page links every page, the current one marked, and says where it stands
        pager = html.split('class="pager-pages"')[1].split("</ol>")[0]
        assert re.findall(r'<li><a href="([^"]+)"', pager) == ["index.html", "page-2.html", "page-3.html", "page-4.html"]
        assert f"page {number} of 4." in html
        assert f'<li><a href="{"index.html" if number == 1 else f"page-{number}.html"}" aria-current="page">{number}</a>' in pager
        first = 80 * (number - 1) + 1
        assert f"Works {first}–{first + len(keys[number - 1]) - 1} of {STUDIES + 20}" in html
    # the background works come last, headed again on the page they continue on
    assert "Background works, guidelines and registrations" in _text(pages[3])
    continued = re.findall(r'<h2 id="group-\d+">([^<]+) \(continued\)</h2>', _text(pages[1]))
    assert len(continued) == 1


def test_the_explorer_is_in_pages_newest_first_and_its_data_holds_every_study_in_that_order(built: Path) -> None:
    pages = [built / "studies" / "index.html", built / "studies" / "page-2.html", built / "studies" / "page-3.html"]
    keys = [_study_keys(_text(page)) for page in pages]
    assert [len(k) for k in keys] == [100, 100, 50]
    rows = _data(built / "static" / "explorer" / "studies-1.js", "explorerData")
    assert [row[0] for row in rows] == [key for page in keys for key in page]
    years = [row[2] for row in rows]
    assert years == sorted(years, reverse=True)
    assert "Studies 101–200 of 250, newest first" in _text(pages[1])
    assert 'data-files="../static/explorer/studies-1.js"' in _text(pages[0])


def test_each_studys_downloads_are_its_own_exports_and_the_csv_rows_make_studies_csv(built: Path) -> None:
    rows = _data(built / "static" / "explorer" / "studies-1.js", "explorerData")
    downloads = _data(built / "static" / "explorer" / "cite-1.js", "explorerCite")
    assert len(downloads) == STUDIES
    for row, (bib, ris, item, _) in zip(rows, downloads, strict=True):
        base = built / "studies" / str(row[0]) / str(row[0])
        assert bib == _text(base.with_suffix(".bib"))
        assert ris == base.with_suffix(".ris").read_bytes().decode("utf-8")
        assert "[\n" + item + "\n]\n" == _text(base.with_suffix(".json"))
    csv = (built / "evidence" / "studies.csv").read_bytes().decode("utf-8")
    header = csv.split("\r\n", 1)[0]
    explorer = _text(built / "studies" / "index.html")
    assert f'data-csv-header="{header}"' in explorer
    by_key = sorted(zip((row[0] for row in rows), (d[3] for d in downloads), strict=True))
    assert header + "\r\n" + "".join(line for _, line in by_key) == csv


def test_no_page_grows_with_the_number_of_studies(built: Path) -> None:
    sizes = {page.relative_to(built).as_posix(): page.stat().st_size for page in built.rglob("*.html")}
    assert sizes["index.html"] < 100_000
    assert max(sizes.values()) < 300_000, max(sizes.items(), key=lambda item: item[1])
    # a topic page lists its 50 newest studies and links the explorer filtered to it for the rest
    topic = _text(built / "mechanisms" / "altered-awareness" / "index.html")
    listed = re.search(r"Studies on this site \((\d+)\)", topic)
    assert listed and int(listed.group(1)) > 50
    assert topic.count('<ul class="study-list">') == 1
    listing = topic.split('<ul class="study-list">', 1)[1].split("</ul>", 1)[0]
    assert listing.count("<li>") == 50
    assert f'see all {listed.group(1)} in the study explorer</a>' in topic
    assert 'href="../../studies/index.html?mechanism=altered-awareness"' in topic


def test_a_large_sites_timeline_counts_studies_per_year(built: Path) -> None:
    home = _text(built / "index.html")
    svg = home.split('<svg class="timeline counted"', 1)[1].split("</svg>", 1)[0]
    assert "<a " not in svg  # no mark per study
    counts = [int(n) for n in re.findall(r"<title>\d{4}, [a-z ]+: (\d+) stud", svg)]
    assert sum(counts) == STUDIES
    assert "Each bar counts the studies of one year and design" in home


def test_stylesheets_and_scripts_are_published_minified(built: Path) -> None:
    source = _text(REPO / "templates" / "static" / "site.css")
    published = _text(built / "static" / "site.css")
    assert published == rcssmin.cssmin(source, keep_bang_comments=True) + "\n"
    assert len(published) < 0.85 * len(source)
    script = _text(built / "static" / "explorer.js")
    assert "/*" not in script and "function" in script


def test_each_page_loads_only_the_feature_stylesheets_it_shows(built: Path) -> None:
    def sheets(path: str) -> list[str]:
        return re.findall(r'<link rel="stylesheet" href="(?:\.\./)*static/([a-z]+\.css)">', _text(built / path))

    assert sheets("index.html") == ["site.css", "matrix.css"]
    assert sheets("evidence/index.html") == ["site.css", "matrix.css"]  # no risk-of-bias judgements in the corpus
    assert sheets("studies/page-2.html") == ["site.css", "explorer.css"]
    assert sheets("mechanisms/altered-awareness/index.html") == ["site.css", "evidence.css"]  # its claims table
    assert sheets("substances/alcohol/index.html") == ["site.css"]
    assert sheets("search/index.html") == ["site.css", "search.css"]
    assert sheets("references/page-2.html") == ["site.css"]


def test_a_sites_own_scripts_are_minified_but_minified_and_other_files_are_copied_as_they_are(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    script = "/*! licence: keep me */\nvar answer = 42; // the answer\n"
    already = "var a=1;  /* left as it is */\n"
    root = site({})
    write_site(root, {"static/own.js": script, "static/vendor.min.js": already, "static/notes.txt": "  spaced  \n"})
    (root / "static" / "latin1.css").write_bytes("p { content: '\xe9'; }\n".encode("latin-1"))
    assert run_cli("build", "--site", root, "-q").code == 0
    static = root / "output" / "static"
    assert _text(static / "own.js") == "/*! licence: keep me */var answer=42;\n"
    assert _text(static / "vendor.min.js") == already
    assert _text(static / "notes.txt") == "  spaced  \n"
    assert (static / "latin1.css").read_bytes() == "p { content: '\xe9'; }\n".encode("latin-1")
