"""One page's citations: number them in order of first use, render them, remember back-links."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from evidencesite.citations import Citation, CitationItem
from evidencesite.csl.labels import narrative_label
from evidencesite.csl.style import AnyStyle, is_numbered
from evidencesite.csl.styles import StyleFormats, formats_for
from evidencesite.errors import did_you_mean
from evidencesite.models import Work

# report(line, message, is_error)
Reporter = Callable[[int, str, bool], None]
# A study note citing itself links to its own bibliographic record (the id of study.html's record heading): it is
# not numbered, not listed among its references and gets no back-link, so the page never cites itself as [1].
SELF_CITATION_TARGET = "record-heading"
SELF_CITATION_TEXT = "this study"  # what a numbered style shows for it


@dataclass
class PageCitations:
    """Citation state of one page; a new one is made for every page rendered."""

    works: Mapping[str, Work]
    style: AnyStyle
    report: Reporter
    draft_keys: frozenset[str] = frozenset()
    broken_keys: frozenset[str] = frozenset()
    own_key: str = ""  # a study note's own key: citing it is not warned about retraction and links to its record
    order: list[str] = field(default_factory=list)
    backlinks: dict[str, list[str]] = field(default_factory=dict)
    looked_up: set[str] = field(default_factory=set)  # every key this page asked about (cache dependencies)
    _items: int = 0
    _groups: int = 0
    _formats: StyleFormats | None = None

    @property
    def formats(self) -> StyleFormats:
        """The style's labels (a CSL style is loaded on the first author-year citation only)."""
        if self._formats is None:
            self._formats = formats_for(self.style)
        return self._formats

    def number(self, key: str) -> int:
        return self.order.index(key) + 1

    def known(self, key: str, line: int | Callable[[], int]) -> bool:
        """Return whether `key` names a work, reporting unknown, draft and retracted works.

        `line` may be a function: it is only called when there is something to report.
        """
        self.looked_up.add(key)
        work = self.works.get(key)
        if work is not None and (not work.retracted or key == self.own_key):
            return True
        if callable(line):
            line = line()
        if work is None:
            if key in self.broken_keys:
                pass  # its own file failed validation and is reported there
            elif key in self.draft_keys:
                self.report(line, f"cites '{key}', which is a draft (publish it, or build with --drafts)", True)
            else:
                self.report(line, f"unknown citation key '{key}'{did_you_mean(key, self.works)}", True)
            return False
        if work.retracted:
            self.report(line, f"cites '{key}', which is marked retracted", False)
        return True

    def register(self, key: str) -> str:
        """Record one citation of `key`; return the id of the anchor that cites it."""
        if key not in self.order:
            self.order.append(key)
        self._items += 1
        anchor = f"cite-{self._items}"
        self.backlinks.setdefault(key, []).append(anchor)
        return anchor

    def element(self, citation: Citation, line: int | Callable[[], int]) -> etree.Element:
        """Return the `<span class="citation">` for a citation; unknown keys render as `[?key]`."""
        wrapper = etree.Element("span", {"class": "citation"})
        items = [item for item in citation.items if self.known(item.key, line)]
        if len(items) != len(citation.items):
            wrapper.set("class", "citation citation-missing")
            wrapper.text = "[" + "; ".join(f"?{item.key}" for item in citation.items) + "]"
            return wrapper
        if citation.narrative:
            self._narrative(wrapper, items[0])
        elif is_numbered(self.style):
            self._numeric(wrapper, items)
        else:
            self._author_year(wrapper, items)
        return wrapper

    def _link(self, parent: etree.Element, key: str, text: str, anchor: str | None = None) -> etree.Element:
        if key == self.own_key:
            link = etree.SubElement(parent, "a", {"class": "cite cite-self", "href": f"#{SELF_CITATION_TARGET}", "data-key": key})
            link.text = text
            return link
        link = etree.SubElement(parent, "a", {"class": "cite", "href": f"#ref-{key}", "data-key": key})
        link.set("id", anchor or self.register(key))
        link.text = text
        return link

    def _narrative(self, wrapper: etree.Element, item: CitationItem) -> None:
        work = self.works[item.key]
        if is_numbered(self.style) and item.key == self.own_key:
            wrapper.text = ""
            link = self._link(wrapper, item.key, narrative_label(work))
            link.tail = f" ({item.locator})" if item.locator else None
            return
        if is_numbered(self.style):
            anchor = self.register(item.key)
            wrapper.text = narrative_label(work) + " "
            locator = f", {item.locator}" if item.locator else ""
            self._link(wrapper, item.key, f"[{self.number(item.key)}{locator}]", anchor)
            return
        locator = f", {item.locator}" if item.locator else ""
        text = self.formats.narrative(work)
        if locator:
            text = text[:-1] + locator + ")" if text.endswith(")") else text + f" ({item.locator})"
        self._link(wrapper, item.key, text)

    def _numeric(self, wrapper: etree.Element, items: list[CitationItem]) -> None:
        own = [item for item in items if item.key == self.own_key]
        items = [item for item in items if item.key != self.own_key]
        anchors = {id(item): self.register(item.key) for item in items}
        plain = all(not item.prefix and not item.locator for item in items)
        if plain:
            items = sorted(items, key=lambda item: self.number(item.key))
        runs = _runs([self.number(item.key) for item in items]) if plain else [[n] for n in range(len(items))]
        self._groups += 1
        group_id = f"cites-{self._groups}"
        wrapper.set("id", group_id)
        wrapper.text = "["
        last: etree.Element | None = None
        for item in own:  # the note itself, first and unnumbered: "[this study, p. 3; 2]"
            if last is not None:
                last.tail = (last.tail or "") + "; "
            last = self._link(wrapper, item.key, SELF_CITATION_TEXT)
            last.tail = f", {item.locator}" if item.locator else ""
        if own and items and last is not None:
            last.tail = (last.tail or "") + "; "
        position = 0
        for run_index, run in enumerate(runs):
            run_items = items[position : position + len(run)]
            position += len(run)
            separator = ", " if run_index else ""
            if last is not None:
                last.tail = (last.tail or "") + separator
            if len(run) >= 3:
                first = self._link(wrapper, run_items[0].key, str(run[0]), anchors[id(run_items[0])])
                first.tail = "\u2013"
                last = self._link(wrapper, run_items[-1].key, str(run[-1]), anchors[id(run_items[-1])])
                for middle in run_items[1:-1]:
                    self._retarget(middle.key, anchors[id(middle)], group_id)
                continue
            for offset, item in enumerate(run_items):
                if offset and last is not None:
                    last.tail = (last.tail or "") + ", "
                prefix = f"{item.prefix} " if item.prefix else ""
                if prefix:
                    if last is None:
                        wrapper.text = (wrapper.text or "") + prefix
                    else:
                        last.tail = (last.tail or "") + prefix
                locator = f", {item.locator}" if item.locator else ""
                last = self._link(wrapper, item.key, f"{self.number(item.key)}", anchors[id(item)])
                last.tail = locator
        if last is not None:
            last.tail = (last.tail or "") + "]"

    def _retarget(self, key: str, anchor: str, group_id: str) -> None:
        """Point a back-link at the whole group when its number is inside a compressed range."""
        links = self.backlinks[key]
        links[links.index(anchor)] = group_id

    def _author_year(self, wrapper: etree.Element, items: list[CitationItem]) -> None:
        formats = self.formats
        wrapper.text = formats.prefix
        last: etree.Element | None = None
        for index, item in enumerate(items):
            work = self.works[item.key]
            prefix = f"{item.prefix} " if item.prefix else ""
            separator = formats.delimiter if index else ""
            if last is None:
                wrapper.text += prefix
            else:
                last.tail = (last.tail or "") + separator + prefix
            label = self.formats.year(work) if item.suppress_author else self.formats.label(work)
            last = self._link(wrapper, item.key, label)
            if item.locator:
                last.tail = f", {item.locator}"
        if last is not None:
            last.tail = (last.tail or "") + formats.suffix


def _runs(numbers: list[int]) -> list[list[int]]:
    """Group sorted numbers into runs of consecutive values: [1,2,3,5] -> [[1,2,3],[5]]."""
    runs: list[list[int]] = []
    for number in numbers:
        if (runs and number == runs[-1][-1] + 1) or (runs and number == runs[-1][-1]):
            runs[-1].append(number)
        else:
            runs.append([number])
    # a repeated number inside a run is not a range: split it back into singles
    result: list[list[int]] = []
    for run in runs:
        if len(set(run)) != len(run):
            result.extend([n] for n in run)
        else:
            result.append(run)
    return result
