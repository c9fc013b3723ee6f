"""The citation engine: syntax, not-a-citation cases, both styles on hard bibliographic cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencesite.citations import Citation, CitationItem, CitationSyntaxError, parse_bracket
from evidencesite.content.bibliography import parse_bibtex, parse_csl_json
from evidencesite.content.catalog import build_catalog
from evidencesite.content.config import CitationStyle, RawHtml
from evidencesite.csl.builtin_format import format_reference, plain_text
from evidencesite.errors import Diagnostics
from evidencesite.markdown.extensions import DocumentContext
from evidencesite.markdown.page_citations import PageCitations
from evidencesite.markdown.render import MarkdownRenderer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("body", "items"),
    [
        ("@das2019", [CitationItem("das2019")]),
        ("@a; @b; @c", [CitationItem("a"), CitationItem("b"), CitationItem("c")]),
        ("@key, p. 12", [CitationItem("key", locator="p. 12")]),
        ("@key, fig. 2", [CitationItem("key", locator="fig. 2")]),
        ("see @key, ch. 3", [CitationItem("key", prefix="see", locator="ch. 3")]),
        ("-@key", [CitationItem("key", suppress_author=True)]),
        ("see @a, p. 1; also @b", [CitationItem("a", prefix="see", locator="p. 1"), CitationItem("b", prefix="also")]),
    ],
)
def test_bracket_syntax(body: str, items: list[CitationItem]) -> None:
    assert parse_bracket(body) == Citation(tuple(items))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("@", "empty citation key: write '[@key]'"),
        ("@ key", "space after '@' in a citation: write '[@key]'"),
        (
            "@-x",
            "'@-x' is not a citation key: a key starts with a letter, digit or '_' (write other keys in braces, e.g. '@{-key}')",
        ),
        (
            "@a @b",
            "'@b' after @a holds another citation: separate works with ';' (e.g. '[@a; @other]')",
        ),
        (
            "see @a; and more",
            "'and more' in a citation group has no @key; separate works with ';' and start each with @",
        ),
    ],
)
def test_bracket_syntax_errors(body: str, message: str) -> None:
    with pytest.raises(CitationSyntaxError) as error:
        parse_bracket(body)
    assert str(error.value) == message


def _works() -> dict:  # type: ignore[type-arg]
    diagnostics = Diagnostics(FIXTURES)
    works = parse_bibtex((FIXTURES / "hard-cases.bib").read_text(), FIXTURES / "hard-cases.bib", diagnostics)
    works += parse_csl_json((FIXTURES / "hard-cases.json").read_text(), FIXTURES / "hard-cases.json", diagnostics)
    assert not diagnostics.items
    return build_catalog([], works, Diagnostics(FIXTURES)).works


def render(
    text: str, style: CitationStyle = CitationStyle.NUMERIC
) -> tuple[str, list[tuple[int, str, bool]], PageCitations]:
    problems: list[tuple[int, str, bool]] = []

    def report(line: int, message: str, is_error: bool) -> None:
        problems.append((line, message, is_error))

    citations = PageCitations(_works(), style, report)
    context = DocumentContext(citations, text, "pages", "x/index.html", lambda target: None, report, body_line=10)
    html = MarkdownRenderer(RawHtml.SANITISE).render(text, context).html
    return html, problems, citations


@pytest.mark.parametrize(
    "text",
    [
        "Write to someone@solo2019.org today.",
        "Escaped \\@solo2019 is text.",
        "Code `[@solo2019]` and `@solo2019` stay code.",
        "```\n[@solo2019]\n@solo2019\n```",
        "    [@solo2019] in an indented code block",
        "A link [x](https://example.org/@solo2019) is a link.",
    ],
)
def test_not_a_citation(text: str) -> None:
    html, problems, citations = render(text)
    assert citations.order == [] and problems == []
    assert 'class="citation' not in html


def test_numeric_numbers_in_order_of_first_citation_and_compresses_ranges() -> None:
    html, problems, citations = render(
        "A [@pair2019]. B [@solo2019; @trio2019a; @trio2019b; @pair2019]. C [@many2022, p. 12]."
    )
    assert problems == []
    assert citations.order == ["pair2019", "solo2019", "trio2019a", "trio2019b", "many2022"]
    assert (
        '[<a class="cite" data-key="pair2019" href="#ref-pair2019" id="cite-5">1</a>–<a class="cite" data-key="trio2019b" href="#ref-trio2019b" id="cite-4">4</a>]'
        in html
    )
    assert ">5</a>, p. 12]" in html
    # numbers inside a compressed range have no link of their own: their back-links go to the group
    assert citations.backlinks["solo2019"] == ["cites-2"]
    assert citations.backlinks["trio2019a"] == ["cites-2"]
    assert citations.backlinks["pair2019"] == ["cite-1", "cite-5"]


def test_numeric_prefix_suppress_and_narrative() -> None:
    html, _, _ = render("[see @solo2019, ch. 3] and [-@pair2019] and @trio2019a found.")
    assert '[see <a class="cite" data-key="solo2019" href="#ref-solo2019" id="cite-1">1</a>, ch. 3]' in html
    assert '[<a class="cite" data-key="pair2019" href="#ref-pair2019" id="cite-2">2</a>]' in html
    assert 'Das et al. <a class="cite" data-key="trio2019a" href="#ref-trio2019a" id="cite-3">[3]</a>' in html


def test_author_year_labels_with_disambiguation() -> None:
    html, problems, _ = render(
        "[@trio2019a; @trio2019b] and [see @pair2019, p. 4] and [-@solo2019] and @agency2019 said.",
        CitationStyle.AUTHOR_YEAR,
    )
    assert problems == []
    assert ">Das et al., 2019a</a>; <a" in html and ">Das et al., 2019b</a>)" in html
    assert (
        '(see <a class="cite" data-key="pair2019" href="#ref-pair2019" id="cite-3">Worrell &amp; Gould, 2019</a>, p. 4)'
        in html
    )
    assert ">2019</a>)" in html
    assert ">U.S. Food and Drug Administration (2019)</a>" in html


def test_unknown_key_is_located_error_and_retracted_is_warning() -> None:
    _, problems, _ = render("Line one.\n\nLine three [@nobody2000].")
    assert problems == [(12, "unknown citation key 'nobody2000'", True)]


@pytest.mark.parametrize(
    ("key", "numeric", "author_year"),
    [
        (
            "solo2019",
            "Müller J. Ketamine &amp; memory: a &lt;short&gt; &#34;note&#34;. Journal of Tests. 2019;12(3):100-110.",
            "Müller, J. (2019). Ketamine &amp; memory: a &lt;short&gt; &#34;note&#34;. <i>Journal of Tests</i>, <i>12</i>(3), 100-110.",
        ),
        (
            "pair2019",
            "Worrell SD, Gould TJ. Two authors, no pages. Reviews. 2019.",
            "Worrell, S. D., &amp; Gould, T. J. (2019). Two authors, no pages. <i>Reviews</i>.",
        ),
        (
            "trio2019a",
            "Das RK, Gale G, Walsh K. Alpha study. Nature Communications. 2019;10:5187.",
            "Das, R. K., Gale, G., &amp; Walsh, K. (2019a). Alpha study. <i>Nature Communications</i>, <i>10</i>, 5187.",
        ),
        (
            "many2022",
            "Grabski M, McAndrew A, Lawn W, Marsh B, Raymen L, Stevens T, et al. Twenty-four authors. American Journal of Psychiatry. 2022.",
            "Grabski, M., McAndrew, A., Lawn, W., Marsh, B., Raymen, L., Stevens, T., Hardy, L., Warren, F., Bloomfield, M., "
            "Borissova, A., Maschauer, E., Broomby, R., Price, R., Coathup, R., Gilhooly, D., Palmer, E., Gordon-Williams, R., "
            "Hill, R., Harris, J. … Morgan, C. J. A. (2022). Twenty-four authors. <i>American Journal of Psychiatry</i>.",
        ),
        (
            "li2010",
            "李娜, Ålund Å. Synapse formation in 中文 and Ελληνικά. Science. 2010;329:959-964.",
            "李娜, &amp; Ålund, Å. (2010). Synapse formation in 中文 and Ελληνικά. <i>Science</i>, <i>329</i>, 959-964.",
        ),
        (
            "agency2019",
            "U.S. Food and Drug Administration. Approval of a nasal spray. Press release. 2019.",
            "U.S. Food and Drug Administration. (2019). Approval of a nasal spray. Press release.",
        ),
    ],
)
def test_reference_formatting_golden(key: str, numeric: str, author_year: str) -> None:
    work = _works()[key]
    assert str(format_reference(work, CitationStyle.NUMERIC)) == numeric
    assert str(format_reference(work, CitationStyle.AUTHOR_YEAR)) == author_year


def test_study_page_lists_every_author_even_when_citations_shorten() -> None:
    from evidencesite.csl.builtin_names import format_authors

    work = _works()["many2022"]
    assert format_authors(work, CitationStyle.NUMERIC, full=True).count(",") == 23
    assert "et al" not in format_authors(work, CitationStyle.NUMERIC, full=True)
    assert plain_text(format_reference(work, CitationStyle.NUMERIC)).endswith("2022.")
