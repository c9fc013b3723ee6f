"""Reference entries and in-text labels in any CSL style, formatted by citeproc-py as patches.py corrects it.

The path of a work: Work -> export_formats.to_csl (the one mapping) -> fixes.prepare_record -> citeproc-py with
the patched elements (patched_style.PatchedStyle) -> fixes.fix_text -> HTML. citeproc-py's formatting (italics, bold, ...) comes out as private-use
marks rather than tags, so the whole text is escaped once and only then the marks become tags: no field
(a title with '<' or '&') can inject markup, and the fixes see plain words.

Each work is formatted alone, once per style and build: rendered.render_all formats every work in the main
process before the worker pools start (forked workers inherit the results; spawned ones receive a
`FormatMemo`), and `CslFormatter` keeps the results keyed by the frozen Work, so an edited work is formatted
again and `serve` formats only what changed: disambiguation across works is ours (2019a/2019b and
initials from labels.disambiguate), passed to citeproc-py as the `year-suffix` variable.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from markupsafe import Markup, escape

from evidencesite.csl.export_formats import to_csl
from evidencesite.csl.fixes import fix_text, locale_quotes, prepare_record
from evidencesite.csl.labels import narrative_label, year_label
from evidencesite.csl.style import CSL_NS, CslStyle
from evidencesite.models import Work

_TAGS = {
    "\ue000": "<i>",
    "\ue001": "</i>",
    "\ue002": "<b>",
    "\ue003": "</b>",
    "\ue004": "<sup>",
    "\ue005": "</sup>",
    "\ue006": "<sub>",
    "\ue007": "</sub>",
    "\ue008": '<span style="font-variant:small-caps">',
    "\ue009": "</span>",
    "\ue00a": "<u>",
    "\ue00b": "</u>",
}
_MARK = re.compile("[\ue000-\ue00b]")
_MAX_CACHED = 50_000  # works per formatter; a long `serve` session drops the oldest instead of growing


def _wrap(opening: str, closing: str) -> Any:
    return staticmethod(lambda text: f"{opening}{text}{closing}")


class _MarkFormatter:
    """A citeproc-py output format that writes formatting as private-use marks (see the module docstring)."""

    preformat = staticmethod(lambda text: str(text))
    Italic = _wrap("\ue000", "\ue001")
    Oblique = Italic
    Bold = _wrap("\ue002", "\ue003")
    Light = staticmethod(lambda text: str(text))
    Superscript = _wrap("\ue004", "\ue005")
    Subscript = _wrap("\ue006", "\ue007")
    SmallCaps = _wrap("\ue008", "\ue009")
    Underline = _wrap("\ue00a", "\ue00b")


def to_html(marked: str) -> Markup:
    """Return marked text as safe HTML: escaped first, then the marks turned into tags."""
    return Markup(_MARK.sub(lambda m: _TAGS[m.group()], str(escape(marked))))


@dataclass(frozen=True)
class FormatMemo:
    """Each work's entry and label in one style, formatted once per build in the main process."""

    entries: dict[Work, Markup]
    labels: dict[Work, str]


class CslFormatter:
    """One CSL style, loaded once, with each work's entry and label remembered."""

    def __init__(self, style: CslStyle) -> None:
        from evidencesite.csl.patched_style import PatchedStyle

        self.style = style
        self._csl = PatchedStyle(style.path, style.locale)
        _drop_citation_numbers(self._csl.root)
        layout = self._csl.root.find(f"{{{CSL_NS}}}citation/{{{CSL_NS}}}layout")
        self.prefix = layout.get("prefix", "") if layout is not None else ""
        self.suffix = layout.get("suffix", "") if layout is not None else ""
        self.delimiter = layout.get("delimiter", "; ") if layout is not None else "; "
        self.punctuation_in_quote = _punctuation_in_quote(style.locale)
        root = self._csl.root
        self._quotes = (_term_text(root, "open-quote"), _term_text(root, "close-quote"))
        self._entries: dict[Work, Markup] = {}
        self._labels: dict[Work, str] = {}

    def reference(self, work: Work) -> Markup:
        """Return the work's bibliography entry as safe HTML (without a citation number)."""
        entry = self._entries.get(work)
        if entry is None:
            if len(self._entries) > _MAX_CACHED:
                self._entries.clear()
            entry = self._entries[work] = to_html(self._render(work, entry=True))
        return entry

    def label(self, work: Work) -> str:
        """Return the in-text label without the style's brackets: 'Smith et al., 2019' (APA), 'Smith et al. 2019'."""
        label = self._labels.get(work)
        if label is None:
            if len(self._labels) > _MAX_CACHED:
                self._labels.clear()
            text = _MARK.sub("", self._render(work, entry=False))
            if self.prefix and text.startswith(self.prefix):
                text = text[len(self.prefix) :]
            if self.suffix and text.endswith(self.suffix):
                text = text[: -len(self.suffix)]
            authors = work.authors or work.editors
            if work.label_initials and authors and not authors[0].literal and authors[0].given:
                text = f"{_initials(authors[0].given)} {text}"
            label = self._labels[work] = text.strip()
        return label

    def has(self, work: Work) -> bool:
        """Return whether the work's entry and label are formatted already."""
        return work in self._entries and work in self._labels

    def memo(self) -> FormatMemo:
        """Return every entry and label formatted so far, for workers that do not inherit this process."""
        return FormatMemo(dict(self._entries), dict(self._labels))

    def install(self, memo: FormatMemo) -> None:
        """Take entries and labels another process formatted (a spawned worker receives the build's memo)."""
        self._entries.update(memo.entries)
        self._labels.update(memo.labels)

    def year(self, work: Work) -> str:
        """Return the year part of the label ('2019a'), or the whole label when it has no year."""
        year = year_label(work)
        return year if year and self.label(work).endswith(year) else self.label(work)

    def narrative(self, work: Work) -> str:
        """Return the label for running text: 'Smith and Jones (2019)'."""
        label, year = self.label(work), year_label(work)
        if year and label.endswith(year):
            authors = label[: -len(year)].rstrip(" ,").replace(" & ", " and ")
            return f"{authors} ({year})" if authors else f"({year})"
        return f"{narrative_label(work)} ({year})" if year else narrative_label(work)

    def _render(self, work: Work, entry: bool) -> str:
        """Return the work's bibliography entry (`entry`) or its citation, as fixed, marked text."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography  # type: ignore[import-untyped]
        from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

        record = prepare_record(to_csl(work))
        if work.year_suffix:
            record["year-suffix"] = work.year_suffix
        bibliography = CitationStylesBibliography(self._csl, CiteProcJSON([record]), _MarkFormatter)
        citation = Citation([CitationItem(work.key)])
        bibliography.register(citation)
        if not entry:
            text = str(bibliography.cite(citation, lambda _item: None))
        else:
            entries = bibliography.bibliography()
            text = " ".join(str(entries[0]).split()) if entries else ""
        return fix_text(locale_quotes(text, *self._quotes), self.punctuation_in_quote)


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", given) if part)


def _drop_citation_numbers(root: Any) -> None:
    """Remove the citation number from bibliography entries: pages show their own numbers."""
    for element in root.iter(f"{{{CSL_NS}}}text"):
        if element.get("variable") == "citation-number" and _in_bibliography(element):
            element.getparent().remove(element)


def _term_text(root: Any, name: str) -> str:
    """A locale term's text, read before a formatter is set (citeproc-py's Term.single needs one)."""
    term = root.get_term(name)
    return str(term.text or "") if term is not None else ""


def _in_bibliography(element: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == f"{{{CSL_NS}}}bibliography":
            return True
        if parent.tag == f"{{{CSL_NS}}}macro":
            return False  # a macro may serve citations too; a number inside one stays
        parent = parent.getparent()
    return False


@functools.cache
def _punctuation_in_quote(locale: str) -> bool:
    import citeproc

    path = Path(citeproc.__file__).parent / "data" / "locales" / f"locales-{locale}.xml"
    try:
        root = etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError):
        return False
    option = root.find(f"{{{CSL_NS}}}style-options")
    return option is not None and option.get("punctuation-in-quote") == "true"


@functools.lru_cache(maxsize=4)
def formatter_for(style: CslStyle) -> CslFormatter:
    """Return the process's formatter for `style` (a CslStyle is a value: an edited .csl file is a new one)."""
    return CslFormatter(style)
