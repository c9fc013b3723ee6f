"""Parsed front matter kept in `<site>/.cache/documents.json`, so a rebuild re-parses only changed files.

An entry is used only while the file's size and mtime and the generator's code are unchanged, and
while the file still starts with the front matter it records. The body is not stored: it is read from
the file (cheap, and it keeps the cache small to load and save). Files that produced a problem are
never stored (they are parsed, and reported, every time). The file is JSON and is read defensively:
anything malformed means "parse the file".
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Diagnostics
from .frontmatter import Document, Scalar, normalise_text
from .loader import read_text
from .render_cache import CACHE_FOLDER

DOCUMENTS_FILE = "documents.json"
DOCUMENTS_FORMAT = 2


def _encode(value: Any) -> Any:
    if isinstance(value, Scalar):
        return {"s": value.text, "q": value.quoted}
    if isinstance(value, dict):
        return {"m": {key: _encode(item) for key, item in value.items()}}
    if isinstance(value, list):
        return {"l": [_encode(item) for item in value]}
    return None


def _decode(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("not a cached value")
    if "s" in value:
        if not isinstance(value["s"], str):
            raise ValueError("not a cached scalar")
        return Scalar(value["s"], bool(value.get("q")))
    if "m" in value:
        return {str(key): _decode(item) for key, item in value["m"].items()}
    return [_decode(item) for item in value["l"]]


def encode_document(document: Document) -> dict[str, Any]:
    """Return what the cache stores of a document: everything but the body."""
    return {
        "data": _encode(document.data),
        "lines": [[list(path), line] for path, line in document.lines.items()],
        "body_line": document.body_line,
        "front": document.has_front_matter,
        "raw": document.raw_front_matter,
    }


def decode_document(data: dict[str, Any], text: str) -> Document:
    """Rebuild a Document from its entry and the file's current text.

    Raise ValueError for anything that is not what encode_document writes, or when the text does not
    start with the recorded front matter (a file rewritten with the same size and mtime).
    """
    values = _decode(data["data"])
    if not isinstance(values, dict) or not all(isinstance(path, list) for path, _ in data["lines"]):
        raise ValueError("not a cached document")
    body_line, front, raw = int(data["body_line"]), bool(data["front"]), str(data["raw"])
    lines = normalise_text(text).split("\n")
    if front and "\n".join(lines[1 : body_line - 2]) != raw:
        raise ValueError("the file's front matter is not the cached one")
    return Document(
        values,
        {tuple(path): int(line) for path, line in data["lines"]},
        "\n".join(lines[body_line - 1 :]),
        body_line,
        front,
        raw,
    )


@dataclass
class DocumentCache:
    path: Path
    code: str
    entries: dict[str, list[Any]] = field(default_factory=dict)  # file -> [size, mtime_ns, document]
    used: dict[str, list[Any]] = field(default_factory=dict)

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
                cache.entries = {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 3}
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
                except (KeyError, TypeError, ValueError, AttributeError):
                    document = None
                if document is not None:
                    self.used[key] = entry
                    return document
            before = len(diagnostics.items)
            document = read(path, diagnostics)
            if document is not None and len(diagnostics.items) == before:
                self.used[key] = [stat.st_size, stat.st_mtime_ns, encode_document(document)]
            return document

        return cached_read

    def save(self) -> None:
        """Write the entries this build used, atomically, when they changed."""
        if self.used.keys() == self.entries.keys() and all(self.used[k] is self.entries[k] for k in self.used):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": DOCUMENTS_FORMAT, "code": self.code, "files": self.used}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)
