"""Our faster Markdown stages (markdown_inline, markdown_toc) must render exactly what the stock ones render."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.treeprocessors import InlineProcessor

from evidencesite.content.config import CitationStyle, RawHtml
from evidencesite.content.frontmatter import split_front_matter
from evidencesite.markdown.extensions import DocumentContext
from evidencesite.markdown.inline import NEEDLES, SkippingInlineProcessor, _needles_of
from evidencesite.markdown.page_citations import PageCitations
from evidencesite.markdown.render import MarkdownRenderer
from evidencesite.models import Person, Source, Work

ROOT = Path(__file__).resolve().parent.parent
WORKS = {
    "das2019": Work("das2019", "A", (Person("Das", "RK"),), 2019, Source("x", 1)),
    "b": Work("b", "B", (), None, Source("x", 1)),
}
# Markdown's special characters, weighted towards the ones the needles are made of
markdownish = st.lists(
    st.sampled_from(
        [
            *"ab @[]^!();-,.`\\\n#*_<>&\"'|:/x0123456789 ",
            "  \n",
            "http://",
            "@das2019",
            "&amp;",
            "[TOC]",
            "\n\n## Heading\n\n",
            "\n# A *b*\n",
        ]
    ),
    max_size=80,
).map("".join)


def stock_renderer() -> MarkdownRenderer:
    renderer = MarkdownRenderer(RawHtml.SANITISE)
    markdown = renderer.markdown
    markdown.treeprocessors.register(InlineProcessor(markdown), "inline", 20)
    markdown.treeprocessors.register(TocTreeprocessor(markdown, TocExtension(permalink=False).getConfigs()), "toc", 5)
    return renderer


def render_both(text: str, style: CitationStyle = CitationStyle.NUMERIC) -> tuple[str, str]:
    outputs = []
    for renderer in (MarkdownRenderer(RawHtml.SANITISE), stock_renderer()):
        citations = PageCitations(WORKS, style, lambda line, message, is_error: None)
        context = DocumentContext(citations, text, "pages", "p/index.html", lambda target: None, lambda *a: None)
        outputs.append(renderer.render(text, context).html)
    return outputs[0], outputs[1]


def test_the_renderer_uses_the_skipping_processor_and_knows_every_pattern() -> None:
    """A Markdown upgrade that changes a pattern fails here: re-derive its needles, then update NEEDLES."""
    markdown = MarkdownRenderer(RawHtml.SANITISE).markdown
    assert isinstance(markdown.treeprocessors["inline"], SkippingInlineProcessor)
    unknown = [type(pattern).__name__ for pattern in markdown.inlinePatterns if _needles_of(pattern) is None]
    assert unknown == []


def test_a_pattern_without_needles_is_tried_on_every_text() -> None:
    renderer = MarkdownRenderer(RawHtml.SANITISE)
    processor = renderer.markdown.treeprocessors["inline"]
    pattern = renderer.markdown.inlinePatterns["entity"]
    pattern.compiled_re = re.compile(pattern.compiled_re.pattern + "(?#changed)")
    renderer.markdown.convert("plain text")
    assert processor._plan("plain text")[list(renderer.markdown.inlinePatterns).index(pattern)] is True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(NEEDLES)), st.text(alphabet=st.sampled_from(list("ab[]^!@`\\<>&*_ \n:/#x;")), max_size=40)
)
def test_every_match_of_a_pattern_contains_one_of_its_needles(pattern: str, text: str) -> None:
    for match in re.finditer(pattern, text):
        assert any(needle in text for needle in NEEDLES[pattern]), (pattern, text, match)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.sampled_from(list(CitationStyle)))
def test_generated_markdown_renders_the_same(text: str, style: CitationStyle) -> None:
    fast, stock = render_both(text, style)
    assert fast == stock


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "content").rglob("*.md"))
    + sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests/fixtures/sites").rglob("*.md"))
    + ["README.md", "docs/authoring.md", "docs/architecture.md"],
)
def test_real_documents_render_the_same(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    body = split_front_matter(text).body if text.startswith("---") else text
    fast, stock = render_both(body)
    assert fast == stock


def test_a_toc_marker_still_becomes_a_table_of_contents() -> None:
    text = "# One\n\n[TOC]\n\n## Two\n\nText.\n"
    fast, stock = render_both(text)
    assert fast == stock
    assert '<div class="toc">' in fast and 'href="#two"' in fast


def test_overlapping_needles_both_count() -> None:
    """'![^' holds both the image needle '![' and the footnote needle '[^' (a reviewer's find)."""
    text = "This is surprising![^1]\n\n[^1]: A note.\n"
    fast, stock = render_both(text)
    assert fast == stock
    assert 'href="#fn:1"' in fast
