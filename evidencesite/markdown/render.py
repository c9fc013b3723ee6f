"""Render one Markdown body to safe HTML with citations and content links resolved."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from evidencesite.content.config import RawHtml
from evidencesite.markdown.extensions import CitationExtension, DocumentContext
from evidencesite.markdown.inline import use_skipping_inline
from evidencesite.markdown.toc import TEMPLATE_IDS, HeadingsExtension

_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {
    "span",
    "sup",
    "sub",
    "figure",
    "figcaption",
    "details",
    "summary",
    "mark",
    "dl",
    "dt",
    "dd",
    "abbr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "hr",
    "img",
    "section",
    "aside",
}
_GLOBAL_ATTRIBUTES = {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-hidden"}
_ATTRIBUTES = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"scope", "colspan", "rowspan", "style", "align"},
    "td": {"colspan", "rowspan", "style", "align"},
    "ol": {"start", "type", "reversed"},
    "abbr": {"title"},
}
_ID = re.compile(r'\sid="([^"]+)"')
# elements whose content a browser (and the sanitiser) reads as raw text up to their end tag: left open, they
# swallow the rest of the page
_RAW_TEXT_OPEN = re.compile(r"<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b", re.I)


class RenderDepthError(Exception):
    """The Markdown nests deeper than Python-Markdown can recurse."""


@dataclass(frozen=True)
class RenderedBody:
    html: str
    headings: tuple[tuple[int, str, str], ...]  # (level, id, text)


class MarkdownRenderer:
    """One Python-Markdown instance, reset between documents (a new renderer per pipeline run)."""

    def __init__(self, raw_html: RawHtml) -> None:
        self.citations = CitationExtension()
        self.raw_html = raw_html
        self.markdown = markdown.Markdown(
            # instances, not names: naming extensions makes Markdown scan installed entry points
            extensions=[
                TableExtension(),
                FootnoteExtension(UNIQUE_IDS=False),
                AttrListExtension(),
                DefListExtension(),
                FencedCodeExtension(),
                SaneListExtension(),
                HeadingsExtension(permalink=False),
                self.citations,
            ],
            output_format="html",
        )
        use_skipping_inline(self.markdown)

    def render(self, text: str, context: DocumentContext) -> RenderedBody:
        """Return the body HTML; citation and link problems go to `context.report`."""
        self.markdown.reset()
        self.citations.begin(context)
        try:
            html = self.markdown.convert(text)
        except RecursionError:
            raise RenderDepthError("Markdown nests too deeply (lists or quotes hundreds of levels deep)") from None
        finally:
            headings = tuple(_flatten(getattr(self.markdown, "toc_tokens", [])))
            self.citations.reset()
        if not _raw_text_closed(html, context):
            html = ""  # reported: nothing of a page that would lose its end is published
        if self.raw_html is RawHtml.SANITISE:
            html = sanitise(html)
        _check_duplicate_ids(html, context)
        return RenderedBody(html, headings)


def sanitise(html: str) -> str:
    """Remove scripts, event handlers and javascript: URLs; keep the markup Markdown makes."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ATTRIBUTES,
        generic_attribute_prefixes={"data-"},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )


def _flatten(tokens: list[dict[str, object]]) -> list[tuple[int, str, str]]:
    result: list[tuple[int, str, str]] = []
    for token in tokens:
        result.append((int(token["level"]), str(token["id"]), str(token["name"])))  # type: ignore[call-overload]
        result.extend(_flatten(token.get("children", [])))  # type: ignore[arg-type]
    return result


def _raw_text_closed(html: str, context: DocumentContext) -> bool:
    """Report a raw `<script>` (or `<style>`, `<textarea>`…) never closed; return False when there is one."""
    for match in _RAW_TEXT_OPEN.finditer(html):
        name = match.group(1).lower()
        if name == "plaintext" or re.search(rf"</{name}\s*>", html[match.end() :], re.I) is None:
            where = context.source.lower().find("<" + name)
            line = context.body_line + context.source.count("\n", 0, where) if where >= 0 else context.body_line
            context.report(
                line,
                f"<{name}> is never closed: a browser would read the rest of the page as its content; "
                f"add </{name}> (or write &lt;{name}&gt; to show the tag as text)",
                True,
            )
            return False
    return True


def _check_duplicate_ids(html: str, context: DocumentContext) -> None:
    counts = Counter(_ID.findall(html))
    for identifier, count in sorted(counts.items()):
        if identifier not in TEMPLATE_IDS and count < 2:
            continue
        explicit = "{#" + identifier
        line = context.line_of(explicit + "}") if explicit in context.source else context.body_line
        if identifier in TEMPLATE_IDS:
            context.report(
                line,
                f"id '{identifier}' is used by the page template; choose another id so #links reach the right place",
                True,
            )
        else:
            context.report(
                line,
                f"duplicate id '{identifier}' on this page ({count} elements); ids must be unique so #links reach the right place",
                True,
            )
