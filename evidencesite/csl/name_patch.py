"""The <name> patch of patches.py: CSL 1.0.2 name rules citeproc-py lacks, as citeproc-js applies them."""

from __future__ import annotations

import copy
from typing import Any

from citeproc import model as m  # type: ignore[import-untyped]

from evidencesite.csl.text_rules import is_romanesque, name_suffix


class PatchedName(m.Name):
    """<name>: CSL 1.0.2 rules citeproc-py lacks, as citeproc-js applies them.

    - initialize="false": given names are not initialised (citeproc-py initialised whenever initialize-with
      was set or inherited, so Chicago printed 'Okafor, C.').
    - A suffix is normalised with initialize-with ('Jr.' -> 'Jr' with initialize-with="").
    - A name in a script without Latin-like letters ('王', '伟') is written family first, without space or
      comma ('王伟'); citeproc-py printed '王, . 伟 .'.
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
        shown = [_shown(name, terminator) for name in names]
        if len(names) > 1 and "literal" in names[-1]:
            holder = context if context is not None else self
            section = holder.xpath_search("./ancestor::*[self::cs:citation or self::cs:bibliography][1]")[0]
            institution = {"delimiter-precedes-last": section.get_option("delimiter-precedes-last")}
            sort_options = {**(sort_options or {}), **institution}
        return super().process(_NamesOf(item, variable, shown), variable, context, sort_options, **kwargs)


def _shown(name: Any, terminator: str | None) -> Any:
    """The name as citeproc-py should print it (see PatchedName)."""
    if "literal" in name:
        return name
    family, given = name.get("family") or "", name.get("given") or ""
    if family and not is_romanesque(family) and not is_romanesque(given[:1]):
        return type(name)(literal=family + given)
    if terminator is None or not name.get("suffix"):
        return name
    shown = copy.copy(name)
    dict.__setitem__(shown, "suffix", name_suffix(name["suffix"], terminator))
    return shown


class _NamesOf:
    """The item as Name.process reads it (only `reference.get(variable)`), with the names as shown."""

    def __init__(self, item: Any, variable: str, names: list[Any]) -> None:
        self.reference = {variable: names}
        self._item = item

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)
