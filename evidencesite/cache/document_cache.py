"""Parsed and validated files kept in `<site>/.cache/documents.json`, so a rebuild re-reads only changed files.

An entry holds a file's parsed front matter and, once validated, its page (model_codec). It is used
only while the file's size and mtime and the generator's code are unchanged, and while the file still
starts with the front matter it records. Bodies are not stored: they are read from the file (cheap, and
it keeps the cache small to load and save). Files that produced a problem are never stored (they are
parsed, validated and reported every time). The file is JSON and is read defensively: anything
malformed means "parse and validate the file".
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evidencesite.cache.model_codec import decode_page, encode
from evidencesite.cache.render_cache import CACHE_FOLDER
from evidencesite.content.frontmatter import Document, normalise_text, parse_yaml_mapping
from evidencesite.content.loader import RawDocument, read_text
from evidencesite.content.schema import content_digests
from evidencesite.errors import Diagnostics
from evidencesite.models import Page

DOCUMENTS_FILE = "documents.json"
DOCUMENTS_FORMAT = 4


def encode_document(document: Document) -> dict[str, Any]:
    """Return what the cache stores of a document: where its body starts and its raw front matter.

    The values are parsed again from that text only if something needs them, which a note whose
    validated page is cached never does.
    """
    return {"body_line": document.body_line, "front": document.has_front_matter, "raw": document.raw_front_matter}


def decode_document(data: dict[str, Any], text: str) -> Document:
    """Rebuild a Document from its entry and the file's current text.

    Raise ValueError for anything that is not what encode_document writes, or when the text does not
    start with the recorded front matter (a file rewritten with the same size and mtime).
    """
    body_line, front, raw = data["body_line"], data["front"], data["raw"]
    if type(body_line) is not int or type(front) is not bool or type(raw) is not str or body_line < 1:
        raise ValueError("not a cached document")
    lines = normalise_text(text).split("\n")
    if front and "\n".join(lines[1 : body_line - 2]) != raw:
        raise ValueError("the file's front matter is not the cached one")
    return CachedDocument("\n".join(lines[body_line - 1 :]), body_line, front, raw)


class CachedDocument(Document):
    """A Document from the cache whose front-matter values and lines are parsed from its text on first use."""

    def __init__(self, body: str, body_line: int, front: bool, raw: str) -> None:
        # Document's own fields, except `data` and `lines`, which are the properties below
        self.body, self.body_line, self.has_front_matter, self.raw_front_matter = body, body_line, front, raw
        self._parsed: tuple[dict[str, Any], dict[tuple[str | int, ...], int]] | None = None

    @property  # type: ignore[override]
    def data(self) -> dict[str, Any]:
        return self._values()[0]

    @property  # type: ignore[override]
    def lines(self) -> dict[tuple[str | int, ...], int]:
        return self._values()[1]

    def _values(self) -> tuple[dict[str, Any], dict[tuple[str | int, ...], int]]:
        if self._parsed is None:
            # it parsed without a problem when it was stored, and the file still starts with it
            self._parsed = (
                parse_yaml_mapping(self.raw_front_matter, first_line=2) if self.has_front_matter else ({}, {(): 1})
            )
        return self._parsed


@dataclass
class DocumentCache:
    path: Path
    code: str
    entries: dict[str, list[Any]] = field(default_factory=dict)  # file -> [size, mtime_ns, document]
    used: dict[str, list[Any]] = field(default_factory=dict)
    _returned: dict[str, Document] = field(default_factory=dict)  # the document each file was read as

    @classmethod
    def load(cls, site: Path, code: str) -> DocumentCache:
        cache = cls(site / CACHE_FOLDER / DOCUMENTS_FILE, code)
        try:
            data = json.loads(cache.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return cache
        if isinstance(data, dict) and data.get("format") == DOCUMENTS_FORMAT and data.get("code") == code:
            files = data.get("files")
            if isinstance(files, dict):
                cache.entries = {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 4}
        return cache

    def reader(
        self, read: Callable[[Path, Diagnostics], Document | None]
    ) -> Callable[[Path, Diagnostics], Document | None]:
        """Wrap `read` so files unchanged since the last build are not parsed again."""

        def cached_read(path: Path, diagnostics: Diagnostics) -> Document | None:
            try:
                stat = os.stat(path)
            except OSError:
                return read(path, diagnostics)
            key = str(path)
            entry = self.entries.get(key)
            if entry is not None and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
                text = read_text(path, diagnostics)
                if text is None:
                    return None  # reported; it was readable last time
                try:
                    document = decode_document(entry[2], text)
                except (KeyError, TypeError, ValueError):
                    document = None
                if document is not None:
                    self.used[key] = entry
                    self._returned[key] = document
                    return document
            before = len(diagnostics.items)
            document = read(path, diagnostics)
            if document is not None and len(diagnostics.items) == before:
                self.used[key] = [stat.st_size, stat.st_mtime_ns, encode_document(document), None]
                self._returned[key] = document
            return document

        return cached_read

    def page_of(self, raw: RawDocument) -> Page | None:
        """Return the validated page stored for `raw`, if `raw` was read from this cache and has one."""
        key = str(raw.path)
        entry = self.used.get(key)
        if entry is None or entry[3] is None or self._returned.get(key) is not raw.document:
            return None
        try:
            page = decode_page(entry[3])
        except ValueError:
            return None
        # bound to this file as it is now: its path, and the front matter just checked against it
        front_matter, source = content_digests(raw.document.raw_front_matter, raw.document.body)
        if page.path != raw.path or page.meta_digest != front_matter:
            return None
        return replace(page, body=raw.document.body, source_digest=source)  # bodies are not stored twice

    def validator(
        self, validate: Callable[[RawDocument, Diagnostics], Page | None]
    ) -> Callable[[RawDocument, Diagnostics], Page | None]:
        """Wrap `validate` so a page validated without any problem is stored for the next build."""

        def cached_validate(raw: RawDocument, diagnostics: Diagnostics) -> Page | None:
            before = len(diagnostics.items)
            page = validate(raw, diagnostics)
            key = str(raw.path)
            entry = self.used.get(key)
            clean = page is not None and len(diagnostics.items) == before
            if clean and entry is not None and self._returned.get(key) is raw.document:
                self.used[key] = [*entry[:3], encode(replace(page, body=""))]
            return page

        return cached_validate

    def save(self) -> None:
        """Write the entries this build used, atomically, when they changed."""
        if self.used.keys() == self.entries.keys() and all(self.used[k] is self.entries[k] for k in self.used):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": DOCUMENTS_FORMAT, "code": self.code, "files": self.used}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)
