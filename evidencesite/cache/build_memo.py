"""Parsed and validated documents kept in memory between builds by a long-running process (`serve`).

A file is parsed again only when its size or mtime changed; the problems it produced are reported
again each build. Owned by the process that builds repeatedly, never shared or global.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evidencesite.cache.build_state import RACY_NS, file_stamp
from evidencesite.content.frontmatter import Document
from evidencesite.content.loader import RawDocument
from evidencesite.errors import Diagnostic, Diagnostics
from evidencesite.models import Page

Stamp = tuple[int, int, int, int]


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return file_stamp(stat)


@dataclass
class BuildMemo:
    # path -> (stamp, document, its problems, whether the stamp can be trusted)
    documents: dict[Path, tuple[Stamp, Document | None, list[Diagnostic], bool]] = field(default_factory=dict)
    # path -> (document, the vocabulary's fingerprint it was validated under, page, its problems)
    pages: dict[Path, tuple[Document, str, Page | None, list[Diagnostic]]] = field(default_factory=dict)
    templates: object | None = None  # a templating.MemoryBytecodeCache, made on first use
    render_cache: object | None = None  # the render_cache.RenderCache of the previous build
    preview: object | None = None  # fast_preview.PreviewState of the last successful build
    renderer: object | None = None  # a markdown_render.MarkdownRenderer for fast_preview, made on first use

    def bytecode_cache(self) -> object:
        if self.templates is None:
            from evidencesite.site.templating import MemoryBytecodeCache

            self.templates = MemoryBytecodeCache()
        return self.templates

    def reader(
        self, read: Callable[[Path, Diagnostics], Document | None]
    ) -> Callable[[Path, Diagnostics], Document | None]:
        """Wrap `read` so unchanged files come from memory."""

        def memo_read(path: Path, diagnostics: Diagnostics) -> Document | None:
            stamp = _stamp(path)
            cached = self.documents.get(path)
            if stamp is not None and cached is not None and cached[0] == stamp and cached[3]:
                diagnostics.extend(cached[2])
                return cached[1]
            read_at = time.time_ns()
            before = len(diagnostics.items)
            document = read(path, diagnostics)
            if stamp is not None:
                # as for the no-op check (build_state): a file written in the same clock tick as it was read
                # may be written again without changing its size or mtime, so it is read again next time
                trusted = stamp[1] < read_at - RACY_NS
                self.documents[path] = (stamp, document, diagnostics.items[before:], trusted)
            return document

        return memo_read

    def validator(
        self, validate: Callable[[RawDocument, Diagnostics], Page | None], vocabulary: str = ""
    ) -> Callable[[RawDocument, Diagnostics], Page | None]:
        """Wrap `validate` so a document read from memory is not validated again under the same vocabulary.

        `vocabulary` is the site vocabulary's fingerprint: a page validated under other designs or
        taxonomies (site_config.yaml changed) is validated again.
        """

        def memo_validate(raw: RawDocument, diagnostics: Diagnostics) -> Page | None:
            cached = self.pages.get(raw.path)
            if cached is not None and cached[0] is raw.document and cached[1] == vocabulary:
                diagnostics.extend(cached[3])
                return cached[2]
            before = len(diagnostics.items)
            page = validate(raw, diagnostics)
            self.pages[raw.path] = (raw.document, vocabulary, page, diagnostics.items[before:])
            return page

        return memo_validate
