"""Python-Markdown extension for Pandoc citations and links between content files.

Shaped like Python-Markdown's footnotes extension: per-document state lives on the extension
and is replaced by `begin()` before each document (and cleared by `reset()`).

Processors (name, priority):
- inline `citation_group`  175  `[@a; see @b, p. 3]`; after `backtick` (190) and `escape` (180),
  so code spans and `\\@` never reach it; before `link` (160) so brackets are ours first. A bracket
  right after a narrative `@key` is left to `citation_narrative`, as Pandoc reads it.
- inline `citation_narrative` 174  `@key` in running text, with an optional bracket that adds a
  locator and more works (`@a [p. 3; @b]`); not after a word character, so e-mail addresses are
  not citations.
- tree `content_links`  1   rewrites `x.md` links and relative asset paths to output URLs, and turns a
  citation's link inside a link's text (`[see @a](https://…)`) into a span: HTML has no nested links.
- postprocessor `raw_html_links` 35  the same rewriting for `href`/`src` in raw HTML (`<a href="x.md">`), which
  Python-Markdown keeps aside until its `raw_html` postprocessor (30) puts it back.
A bracket inside a link's destination (`[x](https://a/[@b])`) is part of the URL, not a citation.
"""

from __future__ import annotations

import bisect
import posixpath
import re
import xml.etree.ElementTree as etree
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from evidencesite.citations import (
    BRACKET_PATTERN,
    KEY,
    NARRATIVE_PATTERN,
    Citation,
    CitationItem,
    CitationSyntaxError,
    looks_like_citation,
    parse_bracket,
    parse_narrative_bracket,
    split_key,
)
from evidencesite.markdown.page_citations import PageCitations
from evidencesite.urls import relative_url

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}).*?^\1\2[`~]*[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
# a narrative citation ending right before a bracket: that bracket belongs to it (`@a [p. 3]`)
# `href="…"` / `src='…'` in raw HTML
_RAW_LINK = re.compile(r"""(?P<before>\s(?:href|src)\s*=\s*)(?P<quote>["'])(?P<value>[^"'<>]*)(?P=quote)""", re.I)
_NARRATIVE_BEFORE = re.compile(r"(?<![\w@.:/\\+=&?%#~\[])@" + KEY + r"[ \t]*\n?[ \t]*$")

# resolve(site path of a content file or asset) -> output site path, or None when unknown
Resolver = Callable[[str], "str | None"]


@dataclass
class DocumentContext:
    """What the extension needs to render one document."""

    citations: PageCitations
    source: str
    source_dir: str  # folder of the source file, relative to content/ ('' for index.md)
    output_path: str  # the page's output file, e.g. 'studies/das2019/index.html'
    resolve: Resolver
    report: Callable[[int, str, bool], None]
    body_line: int = 1
    broken_paths: frozenset[str] = frozenset()  # content files that failed validation ('studies/x.md')
    links: set[str] = field(default_factory=set)
    broken_links: set[str] = field(default_factory=set)  # links to those files: reported at the file itself
    found: list[Citation] = field(default_factory=list)  # every citation parsed, in order (tests compare with Pandoc)
    raw_blocks_done: int = 0  # raw HTML blocks whose links are rewritten (postprocessors run once per heading too)
    _lines: dict[str, list[int]] | None = None
    _seen: dict[str, int] = field(default_factory=dict)

    def line_of(self, raw: str, fallback_key: str = "") -> int:
        """Return the file line where the n-th occurrence of `raw` was written.

        Occurrences are counted as they are rendered; the source is only indexed when a line is
        actually needed (for a problem), which keeps rendering of clean pages fast.
        """
        seen = self._seen.get(raw, 0)
        self._seen[raw] = seen + 1
        return self._line(raw, seen, fallback_key)

    def count(self, raw: str) -> int:
        """Record one occurrence of `raw` without computing its line; return its ordinal."""
        seen = self._seen.get(raw, 0)
        self._seen[raw] = seen + 1
        return seen

    def _line(self, raw: str, occurrence: int, fallback_key: str = "") -> int:
        if self._lines is None:
            self._lines = _index_lines(self.source, self.body_line)
        lines = self._lines.get(raw)
        if lines:
            return lines[min(occurrence, len(lines) - 1)]
        for needle in (raw.split("\n", 1)[0], f"@{fallback_key}" if fallback_key else ""):
            if needle:
                index = self.source.find(needle)
                if index >= 0:
                    return self.body_line + self.source.count("\n", 0, index)
        return self.body_line

    def lazy_line(self, raw: str, fallback_key: str = "") -> Callable[[], int]:
        """Count this occurrence now; return a function that computes its line if ever needed."""
        occurrence = self.count(raw)
        return lambda: self._line(raw, occurrence, fallback_key)


def _index_lines(source: str, body_line: int) -> dict[str, list[int]]:
    blanked = _FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    blanked = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), blanked)
    newlines = [match.start() for match in re.finditer("\n", blanked)]
    found: list[tuple[int, str]] = []
    for pattern in (BRACKET_PATTERN, NARRATIVE_PATTERN, r"\]\((?P<href>[^)\s]+)"):
        for match in re.finditer(pattern, blanked, re.MULTILINE):
            text = match.group("href") if "href" in match.groupdict() else match.group(0)
            found.append((match.start(), text))
    index: dict[str, list[int]] = defaultdict(list)
    for offset, text in sorted(found):
        index[text].append(body_line + bisect.bisect_right(newlines, offset))
    return index


class _CitationGroup(InlineProcessor):
    def __init__(self, extension: CitationExtension) -> None:
        super().__init__(BRACKET_PATTERN)
        self.extension = extension

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int | None, int | None]:  # type: ignore[override]  # noqa: N802
        context = self.extension.context
        body = m.group("body")
        if context is None or not looks_like_citation(body) or _in_link_destination(data, m.start(0)):
            return None, None, None
        if _NARRATIVE_BEFORE.search(data, 0, m.start(0)) and parse_narrative_bracket(body) is not None:
            return None, None, None  # `@a [p. 3; @b]`: the narrative citation takes it
        line = context.lazy_line(m.group(0))
        try:
            citation = parse_bracket(body)
        except CitationSyntaxError as exc:
            context.report(line(), str(exc), True)
            broken = etree.Element("span", {"class": "citation citation-missing"})
            broken.text = m.group(0)
            return broken, m.start(0), m.end(0)
        context.found.append(citation)
        return context.citations.element(citation, line), m.start(0), m.end(0)


def _in_link_destination(data: str, start: int) -> bool:
    """True when `start` lies inside a link's `(destination)`: after `](` with no `)` or space since."""
    opened = data.rfind("](", max(0, start - 2048), start)
    if opened < 0:
        return False
    between = data[opened + 2 : start]
    return ")" not in between and not any(char.isspace() for char in between)


class _NarrativeCitation(InlineProcessor):
    def __init__(self, extension: CitationExtension) -> None:
        super().__init__(NARRATIVE_PATTERN)
        self.extension = extension

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int | None, int | None]:  # type: ignore[override]  # noqa: N802
        context = self.extension.context
        if context is None:
            return None, None, None
        key, _rest = split_key(m.group("key"))
        first, end = CitationItem(key), m.end("key")
        more: tuple[CitationItem, ...] = ()
        bracket = m.group("bracket")
        parsed = parse_narrative_bracket(bracket) if bracket is not None else None
        if parsed is not None:
            first, more, end = CitationItem(key, locator=parsed[0]), parsed[1], m.end(0)
        line = context.lazy_line(m.group(0), key)
        context.found.append(Citation((first, *more), narrative=True))
        element = context.citations.element(Citation((first,), narrative=True), line)
        if not more:
            return element, m.start(0), end
        pair = etree.Element("span")  # Pandoc's one citation: the narrative work, then the bracket's works
        pair.append(element)
        element.tail = " "
        pair.append(context.citations.element(Citation(more), line))
        return pair, m.start(0), end


class _ContentLinks(Treeprocessor):
    def __init__(self, md: Markdown, extension: CitationExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        context = self.extension.context
        if context is None:
            return
        for link in root.iter("a"):
            for inner in link.iter("a"):
                if inner is not link:  # a citation inside a link's text: keep its anchor, drop its link
                    inner.tag = "span"
                    inner.attrib.pop("href", None)
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and not _EXTERNAL.match(value):
                    element.set(attribute, self._rewrite(context, value))

    def rewrite(self, context: DocumentContext, value: str) -> str:
        """Return the output URL for a link written in the page (left as written when external)."""
        return value if _EXTERNAL.match(value) else self._rewrite(context, value)

    def _rewrite(self, context: DocumentContext, value: str) -> str:
        line = context.lazy_line(value)
        path, _, fragment = value.partition("#")
        if not path or path.startswith("/"):
            if path.startswith("/"):
                context.report(
                    line(),
                    f"link '{value}' is absolute; link to the Markdown file relatively (e.g. ../pages/methods.md) so the site works under any path",
                    True,
                )
            return value
        target = posixpath.normpath(posixpath.join(context.source_dir, path))
        resolved = context.resolve(target) if not target.startswith("..") else None
        if resolved is None and target in context.broken_paths:
            context.broken_links.add(target)  # the file's own error says what is wrong with it
            return value
        if resolved is None:
            context.report(line(), f"link to missing file '{value}' (looked for content/{target})", True)
            return value
        context.links.add(target)
        return relative_url(context.output_path, resolved) + (f"#{fragment}" if fragment else "")


class _RawHtmlLinks(Postprocessor):
    def __init__(self, md: Markdown, extension: CitationExtension, links: _ContentLinks) -> None:
        super().__init__(md)
        self.extension = extension
        self.links = links

    def run(self, text: str) -> str:
        context = self.extension.context
        if context is None:
            return text
        stash = self.md.htmlStash.rawHtmlBlocks
        start, context.raw_blocks_done = context.raw_blocks_done, len(stash)
        for index in range(start, len(stash)):
            block = stash[index]
            if isinstance(block, str) and ("href" in block or "src" in block):
                stash[index] = _RAW_LINK.sub(
                    lambda m: m["before"] + m["quote"] + self.links.rewrite(context, m["value"]) + m["quote"], block
                )
        return text


class CitationExtension(Extension):
    """Adds Pandoc citations and content-file links; call `begin()` before each document."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context: DocumentContext | None = None

    def begin(self, context: DocumentContext) -> None:
        self.context = context

    def reset(self) -> None:
        self.context = None

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        md.registerExtension(self)
        if "@" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("@")
        md.inlinePatterns.register(_CitationGroup(self), "citation_group", 175)
        md.inlinePatterns.register(_NarrativeCitation(self), "citation_narrative", 174)
        links = _ContentLinks(md, self)
        md.treeprocessors.register(links, "content_links", 1)
        md.postprocessors.register(_RawHtmlLinks(md, self, links), "raw_html_links", 35)
