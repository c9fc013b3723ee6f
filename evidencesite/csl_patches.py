"""Narrow patches of citeproc-py (0.11) where it departs from CSL 1.0.2 as citeproc-js implements it.

Each patch is a subclass of one citeproc-py element class; `PatchedStyle` parses a style with these subclasses
through its own lxml class lookup. citeproc-py's modules and classes are not modified, so any other user of
citeproc-py in the process (which parses with `CitationStylesStyle`) keeps citeproc-py's behaviour.

The state of the entry being rendered (variables a <substitute> printed, the variable calls of each open
<group>) lives in `_STATE`, a ContextVar that `PatchedLayout` sets for the rendering of one entry or cite and
resets after it: the only module state, and nothing outside one render can see it. Outside a render (sort
keys) the patches fall back to citeproc-py's behaviour.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from citeproc import CitationStylesStyle  # type: ignore[import-untyped]
from citeproc import model as m
from citeproc.frontend import CitationStylesXML  # type: ignore[import-untyped]
from citeproc.source import VariableError  # type: ignore[import-untyped]
from citeproc.string import String  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from .csl_text_rules import is_numeric, name_suffix, number_range, page_prefix, title_case

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NUMBER_VARIABLES = frozenset({"chapter-number", "collection-number", "edition", "issue", "number", "volume"})


@dataclass
class _Group:
    called: bool = False
    rendered: bool = False


@dataclass
class _RenderState:
    suppressed: set[str] = field(default_factory=set)  # printed by a <substitute>: empty for the rest
    groups: list[_Group] = field(default_factory=list)  # the open <group>s, innermost last
    recording: list[set[str]] = field(default_factory=list)  # variables printed inside open <substitute> children

    def called(self) -> None:
        if self.groups:
            self.groups[-1].called = True

    def rendered(self, variables: list[str]) -> None:
        if self.groups:
            self.groups[-1].called = self.groups[-1].rendered = True
        for record in self.recording:
            record.update(variables)


_STATE: ContextVar[_RenderState | None] = ContextVar("csl_render_state", default=None)


def _variables(element: Any) -> list[str]:
    return str(etree.ElementBase.get(element, "variable") or "").split()


class _RendersVariable:
    """Shared by <text>, <number> and <date>: report the variable to the open group and <substitute>, and print
    nothing for a variable a <substitute> already printed (CSL 1.0.2 "Substitution": "Substituted variables are
    suppressed in the rest of the output"; citeproc-py suppressed only a <text> of the same tag)."""

    def render(self, item: Any, *args: Any, **kwargs: Any) -> Any:
        state, variables = _STATE.get(), _variables(self)
        if state is None or not variables or variables[0] == "year-suffix":
            return super().render(item, *args, **kwargs)  # type: ignore[misc]
        state.called()
        if variables[0] in state.suppressed:
            return None
        text = super().render(item, *args, **kwargs)  # type: ignore[misc]
        if text:
            state.rendered(variables)
        return text


class _TitleCase:
    """CSL 1.0.2 text-case="title" as citeproc-js applies it (csl_text_rules.title_case: split at hyphens and
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
    """<text>: substitution, title case and page ranges as above; a number variable (volume, number, ...) whose
    value is numeric prints its range with an en dash ('2021–07'), as citeproc-js's number handling does."""

    def _variable(self, item: Any, context: Any) -> Any:
        text = super()._variable(item, context)
        if self.get("variable") in _NUMBER_VARIABLES and isinstance(text, str):
            return String(number_range(str(text)))
        return text


class PatchedNumber(_RendersVariable, _TitleCase, _PageRange, m.Number):
    """<number>: substitution, title case and page ranges as above."""


class PatchedDate(_RendersVariable, m.Date):
    """<date>: substitution as above."""


class PatchedLabel(_TitleCase, m.Label):
    """<label>: title case as above (citeproc-py skipped it: it passes labels no language)."""


class PatchedDatePart(_TitleCase, m.Date_Part):
    """<date-part>: title case as above."""


class PatchedNames(m.Names):
    """<names>: substitution (a variable a <substitute> printed is left out), and CSL 1.0.2's shorthand
    <names variable="editor"/> inside a <substitute> inherits the original <names>' <name>, <et-al> and <label>
    wherever it sits, also inside <choose> (citeproc-py: only as a direct child, else it printed bare names)."""

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key, default)
        state = _STATE.get()
        if key != "variable" or state is None or not value or not state.suppressed:
            return value
        return " ".join(v for v in value.split() if v not in state.suppressed)

    def render(self, item: Any, *args: Any, names_context: Any = None, **kwargs: Any) -> Any:
        state = _STATE.get()
        if names_context is not None and len(self):
            names_context = None  # a <names> with children of its own is not shorthand
        if state is None:
            return super().render(item, *args, names_context=names_context, **kwargs)
        state.called()
        text = super().render(item, *args, names_context=names_context, **kwargs)
        if text:
            state.rendered(_variables(self))
        return text


class PatchedSubstitute(m.Substitute):
    """<substitute>: the first child that prints wins, and every variable it printed (also inside a macro or
    <choose>) is suppressed in the rest of the entry (CSL 1.0.2 "Substitution")."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        state = _STATE.get()
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
    """<group>: CSL 1.0.2 suppresses a group when it calls a variable and every variable it calls is empty,
    counting only the elements actually evaluated (the branch a <choose> takes, the contents of macros).
    citeproc-py judged statically over every branch, so APA printed '(Publication)' for a thesis: the branch
    taken had only a term, another branch a variable."""

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        state = _STATE.get()
        if state is None:
            return super().process(item, context=context, **kwargs)
        group = _Group()
        state.groups.append(group)
        output = []
        delimiter = self.get("delimiter", "")
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
            state.groups.pop()
            if state.groups and group.called:
                state.groups[-1].called = True
                state.groups[-1].rendered |= group.rendered
        if output and (group.rendered or not group.called):
            return self.join(output)
        raise VariableError


class _NumericTest:
    """<if is-numeric>: CSL 1.0.2 counts '2-4', '2, 3', '2 & 4' and 'D2' as numeric (csl_text_rules.is_numeric);
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


class PatchedName(m.Name):
    """<name>: three CSL 1.0.2 rules citeproc-py lacks.

    - initialize="false": given names are not initialised (citeproc-py initialised whenever initialize-with
      was set or inherited, so Chicago printed 'Okafor, C.').
    - A suffix is normalised with initialize-with as citeproc-js does ('Jr.' -> 'Jr' with initialize-with="").
    - Before a last name that is an institution (a literal name), the delimiter-precedes-last of the
      institution applies (inherited from <bibliography>/<citation>/<style>, not the <name>'s), as
      citeproc-js joins persons and institutions: 'Abbott, R. & the CARE Study Group'.
    """

    def get_option(self, name: str, context: Any = None, sort_options: Any = None) -> Any:
        if name == "initialize-with" and self.get("initialize") == "false":
            return None
        return super().get_option(name, context, sort_options)

    def process(self, item: Any, variable: str, context: Any = None, sort_options: Any = None, **kwargs: Any) -> Any:
        names = item.reference.get(variable, [])
        terminator = super().get_option("initialize-with", context, sort_options)
        if terminator is not None and any(n.get("suffix") for n in names):
            names = [_with_suffix(n, name_suffix(n["suffix"], terminator)) if n.get("suffix") else n for n in names]
        if len(names) > 1 and "literal" in names[-1]:
            holder = context if context is not None else self
            section = holder.xpath_search("./ancestor::*[self::cs:citation or self::cs:bibliography][1]")[0]
            sort_options = {**(sort_options or {}), "delimiter-precedes-last": section.get_option("delimiter-precedes-last")}
        return super().process(_NamesOf(item, variable, names), variable, context, sort_options, **kwargs)


def _with_suffix(name: Any, suffix: str) -> Any:
    copy = type(name).__new__(type(name))
    dict.update(copy, name)
    dict.__setitem__(copy, "suffix", suffix)
    return copy


class _NamesOf:
    """The item as Name.process reads it (only `reference.get(variable)`), with the names as adjusted."""

    def __init__(self, item: Any, variable: str, names: list[Any]) -> None:
        self.reference = {variable: names}
        self._item = item

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)


class PatchedLayout(m.Layout):
    """<layout>: each entry or cite is rendered with a fresh `_RenderState` (see the module docstring)."""

    def render_children(self, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        token = _STATE.set(_RenderState())
        try:
            return super().render_children(item, delimiter, **kwargs)
        finally:
            _STATE.reset(token)


_PATCHED = {
    "text": PatchedText,
    "number": PatchedNumber,
    "date": PatchedDate,
    "label": PatchedLabel,
    "date-part": PatchedDatePart,
    "names": PatchedNames,
    "name": PatchedName,
    "substitute": PatchedSubstitute,
    "group": PatchedGroup,
    "if": PatchedIf,
    "else-if": PatchedElseIf,
    "layout": PatchedLayout,
}


class _PatchedXML(CitationStylesXML):  # type: ignore[misc]
    """Parses the style with the patched element classes (citeproc-py's lookup for every other element)."""

    def __init__(self, f: Any, validate: bool = True) -> None:
        lookup = etree.ElementNamespaceClassLookup()
        namespace = lookup.get_namespace(CSL_NS)
        namespace[None] = m.CitationStylesElement
        namespace.update(
            {cls.__name__.replace("_", "-").lower(): cls for cls in m.CitationStylesElement.__subclasses__()}
        )
        namespace.update(_PATCHED)
        parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        parser.set_element_class_lookup(lookup)
        self.xml = etree.parse(f, parser)
        self.root = self.xml.getroot()


class PatchedStyle(CitationStylesStyle, _PatchedXML):  # type: ignore[misc]
    """A citeproc-py style whose elements follow the patches above; use it as `CitationStylesStyle`."""
