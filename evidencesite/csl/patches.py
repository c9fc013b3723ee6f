"""Narrow patches of citeproc-py (0.11) where it departs from CSL 1.0.2 as citeproc-js implements it.

Each patch is a subclass of one citeproc-py element class; `PatchedStyle` (patched_style.py) parses a style with
these subclasses through its own lxml class lookup. citeproc-py's modules and classes are not modified, so any other user of
citeproc-py in the process (which parses with `CitationStylesStyle`) keeps citeproc-py's behaviour.

The state of the entry being rendered (variables a <substitute> printed, the variable calls of each open
<group>) lives in render_state.STATE, a ContextVar that `PatchedLayout` sets for the rendering of one entry or cite and
resets after it; nothing outside one render can see it. The <name> patch is in name_patch.py. Outside a render (sort
keys) the patches fall back to citeproc-py's behaviour.
"""

from __future__ import annotations

from typing import Any

from citeproc import model as m  # type: ignore[import-untyped]
from citeproc.source import VariableError  # type: ignore[import-untyped]
from citeproc.string import String  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from evidencesite.csl.render_state import STATE, RenderState
from evidencesite.csl.text_rules import (
    QUOTE_CLOSE,
    QUOTE_OPEN,
    is_numeric,
    number_range,
    page_prefix,
    title_case,
)

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NUMBER_VARIABLES = frozenset({"chapter-number", "collection-number", "edition", "issue", "number", "volume"})


def _variables(element: Any) -> list[str]:
    return str(etree.ElementBase.get(element, "variable") or "").split()


class _RendersVariable:
    """Shared by <text>, <number> and <date>: tell the open group what was called and printed, and print
    nothing for a variable a <substitute> already printed (CSL 1.0.2 "Substitution": "Substituted variables are
    suppressed in the rest of the output"; citeproc-py suppressed only a <text> of the same tag)."""

    def render(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        state, variables = STATE.get(), _variables(self)
        if state is None or not variables:
            return super().render(item, *args, **kwargs)  # type: ignore[misc]
        if variables[0] in ("year-suffix", "citation-number"):  # citeproc-js: these always count as printed
            state.printed([])
            return super().render(item, *args, **kwargs)  # type: ignore[misc]
        state.attempted()
        if variables[0] in state.suppressed:
            return None
        text = super().render(item, *args, **kwargs)  # type: ignore[misc]
        if text:
            state.printed(variables)
        return text


class _TitleCase:
    """CSL 1.0.2 text-case="title" as citeproc-js applies it (text_rules.title_case: split at hyphens and
    quotes, its stop-word list, last word capitalised); replaces citeproc-py's space-split rule, which printed
    'Alcohol-use', '‘magic Bullet’' and 'Among'. An element with no language (a <label>) uses the style's."""

    def case(self, text: Any, language: str | None = None) -> Any:
        if self.get("text-case") != "title":  # type: ignore[attr-defined]
            return super().case(text, language)  # type: ignore[misc]
        if language is None:
            language = str(self.get_root().get("default-locale", "en"))[:2]  # type: ignore[attr-defined]
        return String(title_case(str(text))) if language == "en" else text


class _PageRange:
    """CSL 1.0.2 page-range-format on ranges with a letter prefix: citeproc-js drops the repeated prefix and
    shortens the numbers ('e12-e20' -> 'e12–20' in chicago-16); citeproc-py kept 'e12–e20'."""

    def _format_last_page(self, first: str, last: str) -> str:
        numbers = page_prefix(first, last)
        if numbers is None or self.get_root().get_option("page-range-format") in (None, "expanded"):  # type: ignore
            return super()._format_last_page(first, last)  # type: ignore[misc]
        return str(super()._format_last_page(*numbers))  # type: ignore[misc]


class PatchedText(_RendersVariable, _TitleCase, _PageRange, m.Text):
    """<text>: substitution, title case and page ranges as above, and:

    - <text macro> is a group (CSL 1.0.2 "Group" suppression as citeproc-js applies it to macros): a macro
      that calls variables, all empty, prints nothing, not its terms alone;
    - a number variable (volume, number, ...) whose value is numeric prints its range with an en dash
      ('2021–07'), as citeproc-js's number handling does;
    - text-case is applied before strip-periods, as citeproc-js does ('ClinicalTrials.gov' -> 'ClinicalTrialsGov');
    - quotes="true" turns the quotation marks inside the text into the locale's inner quotes (CSL 1.0.2
      "Quotes": flip-flopping), citeproc-py nested “…” inside “…”.
    """

    def render(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        state = STATE.get()
        if state is None or "variable" in self.attrib:
            return super().render(item, *args, **kwargs)
        if "macro" not in self.attrib:
            text = super().render(item, *args, **kwargs)
            if text:
                state.printed_term()
            return text
        state.open()
        try:
            text = super().render(item, *args, **kwargs)
        finally:
            prints = state.close()
        return text if prints else None

    def markup(self, text: Any, language: Any) -> Any:
        if not text:
            return None
        return self.wrap(self.quote(self.format(self.strip_periods(self.case(text, language)))))

    def quote(self, string: Any) -> Any:
        if self.get("quotes", "false").lower() != "true":
            return string
        inner = (self.get_single_term(name="open-inner-quote"), self.get_single_term(name="close-inner-quote"))
        nested = str(string).replace(QUOTE_OPEN, str(inner[0])).replace(QUOTE_CLOSE, str(inner[1]))
        return super().quote(String(nested))

    def _variable(self, item: Any, context: Any) -> Any:
        text = super()._variable(item, context)
        if self.get("variable") in _NUMBER_VARIABLES and text is not None and "-" in str(text):
            return String(number_range(str(text)))
        return text


class PatchedNumber(_RendersVariable, _TitleCase, _PageRange, m.Number):
    """<number>: substitution, title case and page ranges as above."""


class PatchedDate(_RendersVariable, m.Date):
    """<date>: substitution as above."""


class PatchedLabel(_TitleCase, m.Label):
    """<label>: title case as above (citeproc-py skipped it: it passes labels no language); a printed label
    counts as a term for its group, as in citeproc-js."""

    def render(self, *args: Any, **kwargs: Any) -> Any:
        text = super().render(*args, **kwargs)
        state = STATE.get()
        if text and state is not None:
            state.printed_term()
        return text


class PatchedDatePart(_TitleCase, m.Date_Part):
    """<date-part>: title case as above."""


class PatchedNames(m.Names):
    """<names>: substitution (a variable a <substitute> printed is left out), and CSL 1.0.2's shorthand
    <names variable="editor"/> inside a <substitute> inherits the original <names>' <name>, <et-al> and <label>
    wherever it sits, also inside <choose> (citeproc-py: only as a direct child, else it printed bare names)."""

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key, default)
        state = STATE.get()
        if key != "variable" or state is None or not value or not state.suppressed:
            return value
        return " ".join(v for v in value.split() if v not in state.suppressed)

    def render(self, item: Any, *args: Any, names_context: Any = None, **kwargs: Any) -> Any:
        state = STATE.get()
        if names_context is not None and len(self):
            names_context = None  # a <names> with children of its own is not shorthand
        if state is None:
            return super().render(item, *args, names_context=names_context, **kwargs)
        state.attempted()
        text = super().render(item, *args, names_context=names_context, **kwargs)
        if text:
            state.printed(_variables(self))
        return text


class PatchedSubstitute(m.Substitute):
    """<substitute>: the first child that prints wins, and every variable it printed (also inside a macro or
    <choose>) is suppressed in the rest of the entry (CSL 1.0.2 "Substitution")."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        state = STATE.get()
        names = self.getparent()
        for child in self.iterchildren():
            if state is not None:
                state.recording.append(set())
            try:
                text = child.render(item, context=context, names_context=names, **kwargs)
            except VariableError:
                text = None
            finally:
                printed = state.recording.pop() if state is not None else set()
            if text:
                if state is not None:
                    state.suppressed |= printed
                return text
        return None


class PatchedGroup(m.Group):
    """<group>: CSL 1.0.2 suppresses a group that calls variables when all of them are empty. As in citeproc-js,
    only the elements actually evaluated count (the branch a <choose> takes), and a nested group or macro that
    prints counts as a printed variable. citeproc-py judged statically over every branch, so APA printed
    '(Publication)' for a thesis: the branch taken had only a term, another branch a variable."""

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        state = STATE.get()
        if state is None:
            return super().process(item, context=context, **kwargs)
        output = []
        delimiter = self.get("delimiter", "")
        state.open()
        try:
            for child in self.iterchildren():
                extra = {"delimiter": delimiter} if isinstance(child, m.Choose) else {}
                try:
                    text = child.render(item, context=context, **extra, **kwargs)
                except VariableError:
                    continue
                if text is not None:
                    output.append(text)
        finally:
            prints = state.close()
        if output and prints:
            return self.join(output)
        raise VariableError


class _NumericTest:
    """<if is-numeric>: CSL 1.0.2 counts '2-4', '2, 3', '2 & 4' and 'D2' as numeric (text_rules.is_numeric);
    citeproc-py accepted one number only, so '2021-07' got no 'Nos.' label."""

    def _is_numeric(self, item: Any) -> list[bool]:
        results = []
        for variable in self.get("is-numeric").split():  # type: ignore[attr-defined]
            key = variable.replace("-", "_")
            results.append(key in item.reference and is_numeric(str(item.reference[key])))
        return results


class PatchedIf(_NumericTest, m.If):
    """<if>: is-numeric as above."""


class PatchedElseIf(_NumericTest, m.Else_If):
    """<else-if>: is-numeric as above."""


class PatchedLayout(m.Layout):
    """<layout>: each entry or cite is rendered with a fresh `RenderState` (see the module docstring)."""

    def render_children(self, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        token = STATE.set(RenderState())
        try:
            return super().render_children(item, delimiter, **kwargs)
        finally:
            STATE.reset(token)
