"""Issue #19, the input side: every bad author file ends in a located error, in bounded time and memory.

Each test builds a tiny site inline and asserts the exact located message (`path:line: error: …`), never a
wall-clock time: the inputs that used to be quadratic are checked by counting the work done.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, REPO
from evidencesite.authoring.scaffold import ScaffoldError, new_content
from evidencesite.content.bib_dates import csl_date, iso_date, parse_edtf
from evidencesite.content.catalog import GENERATED_FILES, GENERATED_FOLDER, section_pages
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
from evidencesite.markdown.inline import BracketIndex
from evidencesite.markdown.toc import TEMPLATE_IDS

STUDY = MINIMAL_FILES["content/studies/smith2020.md"]
HOME = MINIMAL_FILES["content/index.md"]


def _errors(run_cli, root: Path, command: str = "check") -> list[str]:  # type: ignore[no-untyped-def]
    result = run_cli(command, "--site", root)
    assert result.code == 1, result.err
    return [line.replace(str(root) + os.sep, "") for line in result.err.splitlines()]


# --- 2, 4: files in content/ that are not Markdown ---------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "build"])
def test_active_content_in_content_is_a_located_error_when_html_is_sanitised(site, run_cli, command: str) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/x.html": "<script>alert(1)</script>", "content/pages/a.SVG": "<svg><script/></svg>"})
    lines = _errors(run_cli, root, command)
    assert (
        "content/x.html: error: 'x.html' is active content (.html files can run script in a browser) and raw_html is "
        "'sanitise': write the page in Markdown, or set 'raw_html: allow' in site_config.yaml if you trust it"
    ) in lines
    assert any(line.startswith("content/pages/a.SVG: error: 'pages/a.SVG' is active content (.svg") for line in lines)
    assert not (root / "output").exists()


def test_active_content_is_copied_with_raw_html_allow(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site(
        {"site_config.yaml": MINIMAL_FILES["site_config.yaml"] + "raw_html: allow\n", "content/x.html": "<p>x</p>"}
    )
    assert run_cli("build", "--site", root, "-q").code == 0
    assert (root / "output/x.html").read_text() == "<p>x</p>"


def test_allowed_assets_are_copied_and_unknown_types_are_errors(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/studies/fig.png": b"png", "content/data.csv": "a,b\n", "content/tool.exe": b"MZ"})
    lines = _errors(run_cli, root)
    assert [line for line in lines if ": error:" in line] == [
        "content/tool.exe: error: 'tool.exe' is not a file type content/ publishes (.exe); allowed are images, PDF, "
        "CSV/TSV/TXT/JSON, office documents, fonts, audio and video: remove it, rename it, or put it in static/, "
        "which is copied as it is"
    ]
    (root / "content/tool.exe").unlink()
    assert run_cli("build", "--site", root, "-q").code == 0
    assert (root / "output/studies/fig.png").read_bytes() == b"png"


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("robots.txt", "a generated page or file"),
        ("references/references.json", "a generated page or file"),
        ("studies/smith2020/smith2020.bib", "the export of content/studies/smith2020.md"),
        ("static/site.css.txt", "the generator's static/ folder"),
        ("ROBOTS.TXT", "a generated page or file"),
    ],
)
def test_a_content_file_on_a_generated_path_is_a_located_error(site, run_cli, name: str, what: str) -> None:  # type: ignore[no-untyped-def]
    """One input, one answer: before, a clean build kept the content file and an incremental build replaced it."""
    root = site({f"content/{name}": "x"})
    for command in ("check", "build"):
        lines = _errors(run_cli, root, command)
        assert (
            f"content/{name}: error: '{name}' would replace {what} in the output; rename or move the file "
            "(files for static/ belong in the site's own static/ folder)"
        ) in lines


def test_a_page_file_is_a_generated_path_with_raw_html_allow(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    config = MINIMAL_FILES["site_config.yaml"] + "raw_html: allow\n"
    root = site(
        {"site_config.yaml": config, "content/index.html": "<p>mine</p>", "content/substances/alcohol/index.html": "x"}
    )
    lines = _errors(run_cli, root)
    assert (
        "content/index.html: error: 'index.html' would replace the page of content/index.md in the output; rename or move the file (files for static/ belong in the site's own static/ folder)"
        in lines
    )
    assert any(
        line.startswith(
            "content/substances/alcohol/index.html: error: 'substances/alcohol/index.html' would replace the page of content/substances/alcohol.md"
        )
        for line in lines
    )


def test_every_generated_file_is_known_to_the_generated_path_check(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The fixed list in catalog.py must follow site_outputs: every file of a built site is a page, an export,
    a fixed generated file or under static/."""
    root = site({})
    assert run_cli("build", "--site", root, "-q").code == 0
    output = root / "output"
    unknown = []
    for path in output.rglob("*"):
        relative = path.relative_to(output).as_posix()
        if not path.is_file() or relative.startswith(GENERATED_FOLDER) or relative in GENERATED_FILES:
            continue
        parts = relative.split("/")
        page = parts[-1] == "index.html" and (len(parts) == 2 or (len(parts) == 3 and parts[0] in section_pages(DEFAULT_VOCABULARY)))
        export = len(parts) == 3 and parts[0] == "studies" and parts[2].rpartition(".")[0] == parts[1]
        if not (page or export) and not relative.startswith("."):
            unknown.append(relative)
    assert unknown == []


# --- 7, 11: bounds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "content/studies/smith2020.md",
            "n: 40",
            "n: " + "1" * 5000,
            "content/studies/smith2020.md:10: error: 'n' must be a number of at most 15 digits, or a short text",
        ),
        (
            "content/studies/smith2020.md",
            "year: 2020",
            "year: " + "2" * 5000,
            "content/studies/smith2020.md:4: error: 'year' must be a whole number of at most 15 digits",
        ),
        (
            "content/substances/alcohol.md",
            "order: 1",
            "order: " + "1" * 5000,
            "content/substances/alcohol.md:4: error: 'order' must be a whole number of at most 15 digits",
        ),
    ],
)
def test_a_huge_integer_is_a_located_error(site, run_cli, file: str, old: str, new: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    root = site({file: MINIMAL_FILES[file].replace(old, new)})
    assert expected in _errors(run_cli, root)


def test_deeply_nested_csl_json_and_huge_numbers_are_located_errors(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/references.json": "[\n" + "[" * 100_000 + "]" * 100_000 + "\n]\n"})
    assert (
        "content/references.json:2: error: JSON nests more than 100 levels deep (a CSL-JSON record needs 4); remove the extra brackets"
        in _errors(run_cli, root)
    )
    (root / "content/references.json").write_text(
        '[\n{"id": "x", "issued": {"date-parts": [[' + "1" * 5000 + "]]}}\n]\n"
    )
    assert (
        "content/references.json:2: error: a number of 5000 digits; shorten it, or write it as text in quotes"
        in _errors(run_cli, root)
    )


def test_deeply_nested_bibtex_braces_are_a_located_error(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    bib = "@article{deep,\n  author = {Doe, J},\n  title = {" + "{" * 50_000 + "}" * 50_000 + "},\n  year = 2000\n}\n"
    root = site({"content/references.bib": bib})
    assert (
        "content/references.bib:3: error: `title` of 'deep' nests braces more than 32 levels deep; remove the extra braces"
        in _errors(run_cli, root)
    )


def test_a_very_deep_content_tree_is_a_located_error(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({})
    folder = root / "content"
    for _ in range(40):  # deeper than MAX_DEPTH; made one level at a time (pathlib's mkdir recurses)
        folder = folder / "d"
        folder.mkdir()
    (folder / "x.png").write_bytes(b"png")
    lines = _errors(run_cli, root)
    assert (
        "content/"
        + "d/" * 16
        + "d: error: folder nests more than 16 levels below content/; its files are not read: flatten it"
        in lines
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("name", ["content/studies/fifo2020.md", "content/references.bib", "content/figure.png"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_fifo_is_a_located_error_not_a_hang(site, run_cli, name: str, command: str) -> None:  # type: ignore[no-untyped-def]
    root = site({})
    os.mkfifo(root / name)
    assert f"{name}: error: not a regular file (a pipe, socket or device); remove it from content/" in _errors(
        run_cli, root, command
    )


def test_reading_a_fifo_directly_does_not_block(tmp_path: Path) -> None:
    """A FIFO swapped in after the folder was listed: the loader opens without blocking and refuses it."""
    from evidencesite.content.loader import read_text
    from evidencesite.errors import Diagnostics

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(tmp_path / "note.md")
    diagnostics = Diagnostics(tmp_path)
    assert read_text(tmp_path / "note.md", diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [
        "note.md: error: not a regular file (a pipe, socket or device); replace it with a file"
    ]


# --- 13: a trailing newline in names -----------------------------------------------------------------------


def test_a_file_name_ending_in_a_newline_is_refused(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/studies/x\n.md": STUDY, "content/pages/about\n.md": "---\ntitle: About\n---\nx\n"})
    lines = "\n".join(_errors(run_cli, root)).replace("\\n", "\n")  # messages may show a newline as \n
    assert "error: file name 'x\n.md' of a study note must be letters" in lines
    assert "error: file name 'about\n.md' must be lowercase letters" in lines


def test_new_refuses_a_slug_ending_in_a_newline(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError):
        new_content(tmp_path, "page", "about\n")
    assert not (tmp_path / "content").exists()


# --- 16: dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2019-13-45", "2019-02-30", "２０１９-01-01"])
def test_updated_must_be_a_real_date_in_ascii_digits(site, run_cli, date: str) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/index.md": HOME.replace("title: Home", f"title: Home\nupdated: {json.dumps(date)}")})
    shown = date.strip()
    assert any(
        line.startswith(
            "content/index.md:3: error: 'updated' must be a real date written YYYY-MM-DD (e.g. 2019-03-15), not '"
            + shown
        )
        for line in _errors(run_cli, root)
    )


def test_bibliography_dates_must_exist_and_use_ascii_digits() -> None:
    assert iso_date(2019, 2, 30) is None and iso_date(2020, 2, 29) == "2020-02-29"
    assert parse_edtf("٢٠١٩-01-01") is None and parse_edtf("2019-04-31") is None
    assert csl_date({"date-parts": [["２０１９"]]})[0] is None
    assert csl_date({"date-parts": [["1" * 5000]]})[0] is None


# --- 18: ids and links in raw HTML -----------------------------------------------------------------------------


def test_template_ids_list_matches_the_templates() -> None:
    import re

    found = set()
    for path in (REPO / "templates").rglob("*.html"):
        found.update(re.findall(r'\sid="([^"{}]+)"', path.read_text(encoding="utf-8")))
    assert found == set(TEMPLATE_IDS)


def test_a_heading_named_like_a_template_id_gets_a_suffix_and_an_explicit_one_is_an_error(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/pages/about.md": "---\ntitle: About\n---\n# Main\n\ntext\n"})
    assert run_cli("build", "--site", root, "-q").code == 0
    assert '<h1 id="main_1">Main</h1>' in (root / "output/about/index.html").read_text()
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\n# Main\n\n## Other {#main}\n")
    assert (
        "content/pages/about.md:6: error: id 'main' is used by the page template; choose another id so #links reach the right place"
        in _errors(run_cli, root)
    )


def test_md_links_in_raw_html_are_checked_and_rewritten(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    about = '---\ntitle: About\n---\nSee <a href="../substances/alcohol.md">alcohol</a>.\n\n<div><a href="nope.md">x</a></div>\n'
    root = site({"content/pages/about.md": about})
    assert (
        "content/pages/about.md:6: error: link to missing file 'nope.md' (looked for content/pages/nope.md)"
        in _errors(run_cli, root)
    )
    (root / "content/pages/about.md").write_text(about.replace('<div><a href="nope.md">x</a></div>', ""))
    assert run_cli("build", "--site", root, "-q").code == 0
    assert '<a href="../substances/alcohol/index.html">alcohol</a>' in (root / "output/about/index.html").read_text()


def test_a_citation_inside_a_link_destination_is_part_of_the_url(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/pages/about.md": "---\ntitle: About\n---\n[x](https://a.example/[@smith2020]) text\n"})
    assert run_cli("build", "--site", root, "-q").code == 0
    html = (root / "output/about/index.html").read_text()
    assert '<a href="https://a.example/[@smith2020]">x</a>' in html


# --- 20: import ------------------------------------------------------------------------------------------------


def test_import_writes_nothing_when_a_record_cannot_be_written(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site({})
    export = tmp_path / "export.json"
    records = [
        {"id": f"ok{i}", "type": "article-journal", "title": "T", "issued": {"date-parts": [[2001]]}} for i in range(3)
    ]
    records.append({"id": "bad", "type": "article-journal", "title": "T \ud800", "issued": {"date-parts": [[2001]]}})
    export.write_text(json.dumps(records))
    before = sorted(p.name for p in (root / "content/studies").iterdir())
    result = run_cli("import", "--site", root, export)
    assert result.code == 1, result.err
    assert "holds text that is not valid Unicode; correct the export" in result.err
    assert sorted(p.name for p in (root / "content/studies").iterdir()) == before


def test_import_refuses_a_symlinked_studies_folder(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site({})
    outside = tmp_path / "outside"
    outside.mkdir()
    for path in (root / "content/studies").iterdir():
        path.rename(outside / path.name)
    (root / "content/studies").rmdir()
    (root / "content/studies").symlink_to(outside)
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps([{"id": "new2001", "type": "article-journal", "title": "T", "issued": {"date-parts": [[2001]]}}])
    )
    result = run_cli("import", "--site", root, export)
    assert result.code != 0 and "is a symlink or not a folder" in result.err
    assert not (outside / "new2001.md").exists()


# --- 21: quadratic brackets ------------------------------------------------------------------------------------


def test_unclosed_brackets_are_read_in_linear_time() -> None:
    """50 KB of `[` took over a minute: Python-Markdown scanned to the end once per `[`."""
    index = BracketIndex()
    text = "[" * 20_000
    for position in range(1, len(text) + 1):
        assert index.get_text(text, position) == (text[position:], len(text), False)
    assert index.scanned <= 3 * len(text)


def test_bracket_index_gives_the_stock_answers() -> None:
    from markdown.inlinepatterns import LinkInlineProcessor

    stock = LinkInlineProcessor(r"\[", None).getText  # type: ignore[arg-type]
    for text in ["[a]", "[a[b]c]d]", "x[[a]](b)", "[[[", "]][a]", "[a]b[c]"]:
        index = BracketIndex()
        for position in [i + 1 for i, c in enumerate(text) if c == "["] * 2:
            assert index.get_text(text, position) == stock(text, position), (text, position)


@pytest.mark.parametrize("repeats", [300, 3_000])
def test_links_between_unclosed_brackets_are_read_in_linear_time(repeats: int) -> None:
    """'[a](b)[ ' repeated: each link Python-Markdown replaces changes the text, which made every later '[' scan
    and index the whole paragraph again. The answer for a '[' depends only on the text after it, which a
    replacement before it leaves alone, so the index of the earlier text still answers (the same answers as the
    stock method, checked on the shorter text; the stock method itself is quadratic)."""
    from markdown.inlinepatterns import LinkInlineProcessor

    stock = LinkInlineProcessor(r"\[", None).getText  # type: ignore[arg-type]
    index = BracketIndex()
    original = "[a](https://x.org/b)[ " * repeats
    text, placeholder = original, "\x02klzzwxh:0000\x03"
    start = 0
    while (bracket := text.find("[", start)) != -1:  # as Python-Markdown goes: each '[' once, left to right
        answer = index.get_text(text, bracket + 1)
        if repeats <= 300:
            assert answer == stock(text, bracket + 1)
        if answer[2] and text.startswith("(", answer[1]):  # a link: replaced by a placeholder
            text = text[:bracket] + placeholder + text[text.index(")", answer[1]) + 1 :]
            start = bracket + len(placeholder)
        else:
            start = bracket + 1
    assert "[a]" not in text
    assert index.scanned <= 3 * len(original)


def test_a_page_of_brackets_renders(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/pages/about.md": "---\ntitle: About\n---\n" + "[" * 50_000 + "\n"})
    assert run_cli("check", "--site", root).code == 0


# --- 24: an unclosed raw <script> ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw_html", ["sanitise", "allow"])
def test_an_unclosed_script_is_a_located_error(site, run_cli, raw_html: str) -> None:  # type: ignore[no-untyped-def]
    config = MINIMAL_FILES["site_config.yaml"] + f"raw_html: {raw_html}\n"
    root = site(
        {
            "site_config.yaml": config,
            "content/pages/about.md": "---\ntitle: About\n---\nOne.\n\n<script>x = 1\n\nTwo.\n",
        }
    )
    assert (
        "content/pages/about.md:6: error: <script> is never closed: a browser would read the rest of the page as its "
        "content; add </script> (or write &lt;script&gt; to show the tag as text)"
    ) in _errors(run_cli, root)


# --- 23: body problems of a file whose front matter is broken ---------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "first"),
    [
        ("design: [rct", "content/studies/smith2020.md:9: error: malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence started on line 8)"),
        ("design: rcct", "content/studies/smith2020.md:8: error: unknown design 'rcct' (did you mean 'rct'?)"),
    ],
)
def test_body_problems_of_a_note_with_broken_front_matter_show_in_the_same_run(site, run_cli, broken: str, first: str) -> None:  # type: ignore[no-untyped-def]
    note = (
        MINIMAL_FILES["content/studies/smith2020.md"]
        .replace("design: rct", broken)
        .replace("Did it work [@smith2020]?", "Did it work [@nobody1999]? See [x](missing.md).")
    )
    root = site({"content/studies/smith2020.md": note})
    for command in ("check", "build"):
        result = run_cli(command, "--site", root)
        assert result.code == 1
        lines = result.err.splitlines()
        assert lines[0].startswith(first), lines
        assert "content/studies/smith2020.md:18: error: link to missing file 'missing.md' (looked for content/studies/missing.md)" in lines
        assert "content/studies/smith2020.md:18: error: unknown citation key 'nobody1999'" in lines
