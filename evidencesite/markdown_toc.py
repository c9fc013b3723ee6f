"""Python-Markdown's TOC extension, without building a table-of-contents block nobody asked for.

We use the TOC extension for heading ids and the heading list (`toc_tokens`). For every document
it also builds, prettifies and serialises a `<div class="toc">` that is only used when the text
has a `[TOC]` marker; profiling showed that to be a fifth of Markdown's time on a typical note. This
tree processor (plugged in through the extension's own `TreeProcessorClass` hook) skips the block
when the marker cannot be in the document, and is the stock one otherwise: same ids, same HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions.toc import TocExtension, TocTreeprocessor


class HeadingsTreeprocessor(TocTreeprocessor):
    """The stock TOC tree processor, minus the unused TOC block when there is no marker."""

    def run(self, doc: etree.Element) -> None:
        lines = getattr(self.md, "lines", None)
        # the marker can only be in the document if it is in its (preprocessed) text
        self._wanted = bool(self.marker) and (lines is None or any(self.marker in line for line in lines))
        super().run(doc)

    def build_toc_div(self, toc_list: list) -> etree.Element:  # type: ignore[type-arg]
        return super().build_toc_div(toc_list) if self._wanted else etree.Element("div")

    def replace_marker(self, root: etree.Element, elem: etree.Element) -> None:
        if self._wanted:
            super().replace_marker(root, elem)


class HeadingsExtension(TocExtension):
    """TocExtension with HeadingsTreeprocessor; takes the same settings."""

    TreeProcessorClass = HeadingsTreeprocessor
