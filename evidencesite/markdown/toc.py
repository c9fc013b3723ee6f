"""Python-Markdown's TOC extension, without building a table-of-contents block nobody asked for.

We use the TOC extension for heading ids and the heading list (`toc_tokens`). For every document
it also builds, prettifies and serialises a `<div class="toc">` that is only used when the text
has a `[TOC]` marker; profiling showed that to be a fifth of Markdown's time on a typical note. This
tree processor (plugged in through the extension's own `TreeProcessorClass` hook) skips the block
when the marker cannot be in the document, and is the stock one otherwise: same ids, same HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown.extensions.toc import TocExtension, TocTreeprocessor

# ids the built-in templates give elements around the body (tests/test_hardening_input.py checks the list against
# templates/): a heading such as `# Main` would otherwise get id 'main' and the template's element would win.
TEMPLATE_IDS = frozenset(
    " ".join(
        (
            "answers-caption answers-heading cite-heading cited-by-heading claims-heading data-heading explorer",
            "explorer-caption",
            "explorer-filters explorer-sort facts-heading gaps-heading glance-heading header-q key-messages-heading",
            "main matrix-caption matrix-heading plain-summary-heading record-heading references-heading result-count",
            "results-caption results-heading rob-caption rob-heading rob-overview-heading search-form search-more",
            "search-q search-results search-status section-studies-heading sof-caption sof-heading timeline-heading",
            "timeline-help",
        )
    ).split()
)


class HeadingsTreeprocessor(TocTreeprocessor):
    """The stock TOC tree processor, minus the unused TOC block when there is no marker.

    A heading's generated id never takes one of TEMPLATE_IDS: they are offered to the stock code as ids already in
    use (on an element added for the run and removed after it), so `# Main` gets 'main_1'.
    """

    def run(self, doc: etree.Element) -> None:
        lines = getattr(self.md, "lines", None)
        # the marker can only be in the document if it is in its (preprocessed) text
        self._wanted = bool(self.marker) and (lines is None or any(self.marker in line for line in lines))
        taken = etree.SubElement(doc, "div")
        for identifier in sorted(TEMPLATE_IDS):
            etree.SubElement(taken, "span", {"id": identifier})
        try:
            super().run(doc)
        finally:
            doc.remove(taken)

    def build_toc_div(self, toc_list: list[Any]) -> etree.Element:
        return super().build_toc_div(toc_list) if self._wanted else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self._wanted:
            super().replace_marker(root, elem)


class HeadingsExtension(TocExtension):
    """TocExtension with HeadingsTreeprocessor; takes the same settings."""

    TreeProcessorClass = HeadingsTreeprocessor
