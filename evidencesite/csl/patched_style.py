"""A citeproc-py style parsed with the patched element classes of patches.py and name_patch.py.

citeproc-py's modules and classes are not modified: the patched classes are looked up by this parser only, so
any other user of citeproc-py in the process keeps citeproc-py's behaviour.
"""

from __future__ import annotations

from typing import Any

from citeproc import CitationStylesStyle  # type: ignore[import-untyped]
from citeproc import model as m
from citeproc.frontend import CitationStylesXML  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from evidencesite.csl.name_patch import PatchedName
from evidencesite.csl.patches import (
    CSL_NS,
    PatchedDate,
    PatchedDatePart,
    PatchedElseIf,
    PatchedGroup,
    PatchedIf,
    PatchedLabel,
    PatchedLayout,
    PatchedNames,
    PatchedNumber,
    PatchedSubstitute,
    PatchedText,
)

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


class _CachedXPath:
    """Speed, not CSL: citeproc-py finds macros, layouts and ancestors by XPath on every render (a quarter of
    its time). A parsed style never changes, so each element keeps the answers to the expressions it asked;
    `_PatchedXML` keeps every element's proxy alive, so the answers (and citeproc-py's own attributes) stay."""

    def xpath_search(self, expression: str) -> Any:
        cache = self.__dict__.setdefault("_xpath_answers", {})
        found = cache.get(expression)
        if found is None:
            found = cache[expression] = super().xpath_search(expression)  # type: ignore[misc]
        return found


def _element_classes() -> dict[str | None, type]:
    classes: dict[str | None, type] = {None: m.CitationStylesElement}
    classes.update({cls.__name__.replace("_", "-").lower(): cls for cls in m.CitationStylesElement.__subclasses__()})
    classes.update(_PATCHED)
    return {tag: type(cls.__name__, (_CachedXPath, cls), {}) for tag, cls in classes.items()}


_CLASSES = _element_classes()


class _PatchedXML(CitationStylesXML):
    """Parses the style with the patched element classes (citeproc-py's own for every other element)."""

    def __init__(self, f: Any, validate: bool = True) -> None:
        lookup = etree.ElementNamespaceClassLookup()
        lookup.get_namespace(CSL_NS).update(_CLASSES)
        parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        parser.set_element_class_lookup(lookup)
        self.xml = etree.parse(f, parser)
        self.root = self.xml.getroot()
        _add_default_names(self.root)
        self.elements = list(self.root.iter())  # proxies kept alive: see _CachedXPath


def _add_default_names(root: Any) -> None:
    """Give each <names> without a <name> a default one, as citeproc-py does while rendering (with its own
    class, which would escape the patches); a shorthand <names> in a <substitute> is left to inherit."""
    for names in root.iter(f"{{{CSL_NS}}}names"):
        shorthand = len(names) == 0 and any(a.tag == f"{{{CSL_NS}}}substitute" for a in names.iterancestors())
        if names.find(f"{{{CSL_NS}}}name") is None and not shorthand:
            names.insert(0, names.makeelement(f"{{{CSL_NS}}}name"))


class PatchedStyle(CitationStylesStyle, _PatchedXML):
    """A citeproc-py style whose elements follow the patches above; use it as `CitationStylesStyle`."""

    def __init__(self, path: str, locale: str) -> None:
        CitationStylesStyle.__init__(self, path, locale=locale, validate=False)
