"""Python-Markdown's inline stage, without trying patterns that cannot match.

Profiling a 1000-note site showed most of Markdown's time in its inline stage: every text node
is offered to every inline pattern (17 with our extensions) through a chain of Python calls,
even though a typical sentence can only ever match two or three of them (a link needs `[`, an
entity needs `&`, a citation needs `@`). This processor replaces the stock `inline` tree
processor and skips a pattern when the text lacks a substring that every match of the pattern
contains. Everything else is Python-Markdown's own code, so the HTML is the same byte for byte
(tests/test_markdown_inline.py compares both on the real site and on generated text).

Needles are looked up by a pattern's regular expression, which alone decides what it can match:
if a Markdown upgrade or an extension brings a pattern not listed here, it is tried on every text.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown, util
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor

from evidencesite.citations import BRACKET_PATTERN, NARRATIVE_PATTERN

# a pattern's regular expression -> substrings of which every match contains at least one
NEEDLES: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # backtick
    r"\\(.)": ("\\",),  # escape
    r"\[\^([^\]]*)\]": ("[^",),  # footnote
    BRACKET_PATTERN: ("@",),  # citation_group
    NARRATIVE_PATTERN: ("@",),  # citation_narrative
    r"(?<!\!)\[": ("[",),  # reference, link, short_reference
    r"\!\[": ("![",),  # image_link, image_reference, short_image_ref
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # autolink
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # automail
    r"  \n": ("  \n",),  # linebreak
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # entity
    (  # html: one group that starts with '<'
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
        r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"""
    ): ("<",),
    r"\*|_": ("*", "_"),  # em_strong
}


class SkippingInlineProcessor(InlineProcessor):
    """The stock inline processor, offering each text only the patterns that could match it.

    Replacing a match by a placeholder only removes text (placeholders hold none of the needles),
    so the needles found in a text when it arrives are a superset of those present later: one check
    per text decides which patterns are worth trying. The decision is memoised by the set found.
    """

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._patterns: list[object] = []
        self._needles: list[tuple[str, ...] | None] = []
        self._every: tuple[str, ...] = ()
        self._plans: dict[frozenset[str], tuple[bool, ...]] = {}

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        patterns: list[object] = list(self.inlinePatterns)  # settled once extensions are loaded; a list indexes fast
        if patterns != self._patterns:
            self._patterns = patterns
            self._needles = [_needles_of(pattern) for pattern in patterns]
            self._every = tuple(sorted({n for wanted in self._needles if wanted for n in wanted}))
            self._plans = {}
        return super().run(tree, ancestors)

    def _plan(self, data: str) -> tuple[bool, ...]:
        """Return, for each pattern, whether `data` holds one of its needles."""
        # each needle is looked for on its own: overlapping needles ('![' and '[^' in '![^') both count
        found = frozenset([needle for needle in self._every if needle in data])
        plan = self._plans.get(found)
        if plan is None:
            plan = tuple(wanted is None or not found.isdisjoint(wanted) for wanted in self._needles)
            self._plans[found] = plan
        return plan

    # Python-Markdown calls this name-mangled method from `run` and from itself; same contract.
    def _InlineProcessor__handleInline(self, data: str, pattern_index: int = 0) -> str:  # noqa: N802
        if isinstance(data, util.AtomicString):
            return data
        patterns = self._patterns
        plan = self._plan(data)
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start = 0
        count = len(patterns)
        while pattern_index < count:
            if not plan[pattern_index]:
                pattern_index += 1
                start = 0
                continue
            data, matched, start = apply(patterns[pattern_index], data, pattern_index, start)
            if not matched:
                pattern_index += 1
        return data


def _needles_of(pattern: object) -> tuple[str, ...] | None:
    compiled = getattr(pattern, "compiled_re", None)
    if compiled is None:
        return None
    return NEEDLES.get(compiled.pattern)


class BracketIndex:
    """Python-Markdown's `getText` (the text between `[` and its `]`) without its quadratic worst case.

    The stock method scans from each `[` to its closing `]`, or to the end of the text when there is none, so a
    paragraph of 50,000 `[` took minutes. Here a text seen a second time, or after a scan that found no `]`, is
    indexed once (every `[` with its matching `]`, by one pass with a stack) and later calls on that same text
    look the answer up. The results are the stock method's: a stack pairs each `[` with the first `]` at which
    the stock method's count reaches zero. `scanned` counts characters looked at (tests check it is linear).
    """

    def __init__(self) -> None:
        self._data: str | None = None
        self._closing: dict[int, int] | None = None
        self.scanned = 0

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        """Return (text inside the brackets, index after `]`, whether a `]` closes them), as getText does."""
        if data is not self._data and data != self._data:
            shifted = self._shift(data, index)
            if shifted is not None:
                return shifted
            self._data, self._closing = data, None
            return self._scan(data, index)
        if self._closing is None:
            self._closing = self._index(data)
        close = self._closing.get(index - 1)
        if close is None:
            return data[index:], len(data), False
        return data[index:close], close + 1, True

    def _shift(self, data: str, index: int) -> tuple[str, int, bool] | None:
        """Answer from the index of an earlier text whose tail, from this `[` on, is the same.

        After a link matches, Python-Markdown replaces it with a placeholder: the text before changes, the text
        after does not. Brackets are matched forwards, so the answer for a `[` depends only on the text after it.
        """
        old, closing = self._data, self._closing
        if old is None or closing is None:
            return None
        offset = len(old) - len(data)
        start = index - 1 + offset
        if start < 0 or not old.endswith(data[index - 1 :]):
            return None
        close = closing.get(start)
        if close is None:
            return data[index:], len(data), False
        return data[index : close - offset], close - offset + 1, True

    def _scan(self, data: str, index: int) -> tuple[str, int, bool]:
        count, position, end = 1, index, len(data)
        while position < end:
            self.scanned += 1
            char = data[position]
            if char == "]":
                count -= 1
                if count == 0:
                    return data[index:position], position + 1, True
            elif char == "[":
                count += 1
            position += 1
        self._closing = self._index(data)  # no `]`: the next `[` of this text would scan to the end again
        return data[index:], end, False

    def _index(self, data: str) -> dict[int, int]:
        closing: dict[int, int] = {}
        opened: list[int] = []
        for position, char in enumerate(data):
            self.scanned += 1
            if char == "[":
                opened.append(position)
            elif char == "]" and opened:
                closing[opened.pop()] = position
        return closing


def use_skipping_inline(md: Markdown) -> BracketIndex:
    """Replace `md`'s inline processor (same name and priority as Python-Markdown registers it), and give its link
    patterns a linear `getText`; return the bracket index they share (one per Markdown instance)."""
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)
    brackets = BracketIndex()
    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):
            pattern.getText = brackets.get_text  # type: ignore[method-assign]
    return brackets
