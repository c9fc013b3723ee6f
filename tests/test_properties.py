"""Property-based tests: any input either succeeds or yields the project's located error."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencesite.citations import CitationSyntaxError, check_key, parse_bracket
from evidencesite.content.bibliography import parse_bibtex, parse_csl_json
from evidencesite.content.config import CitationStyle, RawHtml
from evidencesite.content.frontmatter import FrontMatterError, split_front_matter
from evidencesite.content.loader import SLUG
from evidencesite.errors import Diagnostics
from evidencesite.markdown.extensions import DocumentContext
from evidencesite.markdown.page_citations import PageCitations
from evidencesite.markdown.render import MarkdownRenderer
from evidencesite.models import Person, Source, Work

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
markdownish = st.text(alphabet=st.sampled_from(list("ab @[];-,.`\\\n#*_<>&\"'|:x0123456789")), max_size=120)


@PROPERTY_SETTINGS
@given(st.text(max_size=300))
def test_front_matter_splitter_never_crashes(text: str) -> None:
    try:
        document = split_front_matter("---\n" + text)
    except FrontMatterError as error:
        assert error.line >= 1 and error.message
    else:
        assert isinstance(document.data, dict)


@PROPERTY_SETTINGS
@given(markdownish)
def test_citation_parser_returns_citation_or_syntax_error(body: str) -> None:
    try:
        citation = parse_bracket(body)
    except CitationSyntaxError as error:
        assert str(error)
    else:
        for item in citation.items:
            check_key(item.key)  # every key found is one Pandoc accepts (raises otherwise)


WORKS = {
    "a": Work("a", "A", (Person("Das", "RK"),), 2019, Source("x", 1)),
    "b": Work("b", "B", (), None, Source("x", 1)),
}


@PROPERTY_SETTINGS
@given(markdownish, st.sampled_from(list(CitationStyle)))
def test_any_markdown_renders_or_reports_located_problems(text: str, style: CitationStyle) -> None:
    problems: list[tuple[int, str, bool]] = []

    def report(line: int, message: str, is_error: bool) -> None:
        problems.append((line, message, is_error))

    citations = PageCitations(WORKS, style, report)
    context = DocumentContext(citations, text, "pages", "p/index.html", lambda target: None, report, body_line=5)
    html = MarkdownRenderer(RawHtml.SANITISE).render(text, context).html
    assert isinstance(html, str)
    assert "<script" not in html.lower()
    last_line = 5 + text.count("\n")
    assert all(5 <= line <= last_line and message for line, message, _ in problems)


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
def test_bibtex_reader_never_crashes(text: str) -> None:
    diagnostics = Diagnostics(Path("."))
    works = parse_bibtex("@article{" + text, Path("r.bib"), diagnostics)
    from evidencesite.citations import check_key

    assert all(check_key(w.key) is None for w in works)  # every key read is one Pandoc accepts
    assert all(d.path == "r.bib" and d.line >= 1 for d in diagnostics.items)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "title", "author", "issued", "DOI", "family", "literal", "date-parts"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@PROPERTY_SETTINGS
@given(json_values)
def test_csl_json_reader_never_crashes(value: object) -> None:
    diagnostics = Diagnostics(Path("."))
    works = parse_csl_json(json.dumps(value), Path("r.json"), diagnostics)
    from evidencesite.citations import check_key

    assert all(check_key(w.key) is None for w in works)  # a missing title is a warning, not a lost work
    assert all(d.path == "r.json" and d.line >= 1 for d in diagnostics.items)


@PROPERTY_SETTINGS
@given(st.text(max_size=40))
def test_slug_rule_never_admits_path_tricks(text: str) -> None:
    if SLUG.match(text):
        assert "/" not in text and "\\" not in text and ".." not in text
        assert set(text) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


segment = st.text(alphabet="abc-1", min_size=1, max_size=3)
site_path = st.lists(segment, min_size=1, max_size=4).map("/".join)


@PROPERTY_SETTINGS
@given(site_path, site_path)
def test_relative_url_agrees_with_posixpath(from_path: str, to_path: str) -> None:
    import posixpath

    from hypothesis import assume

    from evidencesite.urls import relative_url

    assume(not (from_path + "/").startswith(to_path + "/"))  # a file cannot also be a folder on the way
    expected = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    assert relative_url(from_path, to_path) == expected
    assert posixpath.normpath(posixpath.join(posixpath.dirname(from_path), relative_url(from_path, to_path))) == to_path


front_matter_text = st.text(alphabet=st.sampled_from(list("ab <>&\"'/=:;x-script")), min_size=1, max_size=40).filter(
    lambda t: t.strip()
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(title=front_matter_text, summary=front_matter_text)
def test_front_matter_text_is_always_escaped(tmp_path_factory, title: str, summary: str) -> None:  # type: ignore[no-untyped-def]

    from conftest import MINIMAL_FILES, write_site
    from evidencesite.cli import main

    root = tmp_path_factory.mktemp("escape")
    page = f"---\ntitle: {json.dumps(title)}\nsummary: {json.dumps(summary)}\n---\nBody.\n"
    site = write_site(root / "site", {**MINIMAL_FILES, "content/pages/probe.md": page})
    assert main(["build", "--site", str(site), "-q", "--no-cache"]) == 0
    html = (site / "output" / "probe" / "index.html").read_text()
    parsed = _Elements()
    parsed.feed(html)
    # the browser reads the front-matter text back as exactly that text (any markup in it would have
    # become elements and vanished from the text), and no script appears besides our own two
    assert parsed.h1.strip() == title.strip()
    assert parsed.description == summary.strip()
    assert parsed.tags.count("script") == 2


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.h1 = ""
        self.description = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_h1 = tag == "h1"
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "description":
            self.description = values.get("content") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data
