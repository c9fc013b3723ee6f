"""Parsed and validated content files kept between builds: the one store of "already read" documents.

One rule decides whether a file is unchanged: its stamp (size, mtime, ctime, inode: files.file_stamp) is
the recorded one, and it was settled (files.is_settled) when it was read. An unchanged file's document and
validated page come from the store; anything else is read and validated again. `serve` keeps the store in
memory between builds (documents, pages and the problems they produced, replayed each build); command-line
builds load it from `<site>/.cache/documents/` and save it after a successful build. On disk an entry
holds a file's raw front matter (bodies are read from the file, which must still start with that front
matter) and its page (model_codec, without the body); files that produced a problem are never stored.
Entries are spread over 256 files by a hash of the path, so an edit rewrites one small file, not all.
Pages are validated under the site's vocabulary: a page validated under other designs or taxonomies is
validated again. The file is JSON and is read defensively: anything malformed means "read the file".
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from evidencesite.cache.files import Stamp, atomic_write, cache_folder, file_stamp, is_settled, stored_stamp
from evidencesite.cache.fingerprint import code_fingerprint
from evidencesite.cache.model_codec import decode_page, encode
from evidencesite.content.frontmatter import Document, normalise_text, parse_yaml_mapping
from evidencesite.content.loader import RawDocument, read_document, read_text
from evidencesite.content.schema import content_digests, validate_document
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from evidencesite.errors import Diagnostic, Diagnostics
from evidencesite.models import Page

DOCUMENTS_FOLDER = "documents"
DOCUMENTS_FORMAT = 6
OLD_DOCUMENTS_FILE = "documents.json"  # one file until format 5: removed when the folder is saved


@dataclass
class _Entry:
    """What the store knows of one file."""

    stamp: Stamp
    settled: bool
    document: Document | None  # None: unreadable (see problems), or loaded from disk and not read yet
    problems: tuple[Diagnostic, ...] = ()  # what reading it reported
    stored: dict[str, Any] | None = None  # its front matter as saved (encode_document), made on first save
    validated: bool = False  # the three below are the outcome of validating `document` under the vocabulary
    page: Page | None = None
    page_data: Any = None  # the page as saved (model_codec, without its body)
    page_problems: tuple[Diagnostic, ...] = ()


class DocumentStore:
    """Content files read and validated, reused while unchanged; `remember=False` reads everything afresh."""

    def __init__(self, path: Path | None, remember: bool = True) -> None:
        self.path = path  # the folder of the shards, or None: kept in memory only
        self.remember = remember
        self._entries: dict[Path, _Entry] = {}
        self._used: set[Path] = set()
        self._vocabulary: Vocabulary = DEFAULT_VOCABULARY  # what pages are validated under
        self._validated_under = DEFAULT_VOCABULARY.fingerprint  # the vocabulary of the pages in the store
        self._dirty: set[str] = set()  # shards whose entries changed since they were saved

    @classmethod
    def load(cls, site: Path) -> DocumentStore:
        """Return the store saved in `site`'s cache folder (empty when absent, foreign or malformed)."""
        store = cls(cache_folder(site) / DOCUMENTS_FOLDER)
        try:
            shard_paths = sorted(store.path.glob("*.json"))  # type: ignore[union-attr]
        except OSError:
            return store
        vocabulary: str | None = None  # the first shard's: pages validated under another are validated again
        code = code_fingerprint()
        for shard_path in shard_paths:
            try:
                data = json.loads(shard_path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            if not isinstance(data, dict) or data.get("format") != DOCUMENTS_FORMAT or data.get("code") != code:
                continue
            files = data.get("files")
            if not isinstance(files, dict):
                continue
            vocabulary = str(data.get("vocabulary")) if vocabulary is None else vocabulary
            same_vocabulary = str(data.get("vocabulary")) == vocabulary
            for name, value in files.items():
                entry = _stored_entry(value)
                if entry is not None and shard_name(name) == shard_path.stem:
                    if not same_vocabulary:
                        entry.validated, entry.page_data = False, None
                    store._entries[Path(name)] = entry
        if vocabulary is not None:
            store._validated_under = vocabulary
        return store

    def begin(self, vocabulary: Vocabulary) -> None:
        """Start a build under `vocabulary`: pages validated under another one are validated again."""
        self._used = set()
        if vocabulary.fingerprint != self._validated_under:
            for path, entry in self._entries.items():
                entry.validated, entry.page, entry.page_data, entry.page_problems = False, None, None, ()
                self._dirty.add(shard_name(path))
        self._vocabulary = vocabulary
        self._validated_under = vocabulary.fingerprint

    def __contains__(self, path: Path) -> bool:
        """True when the store knows the file (it was read by a build, whether it still exists or not)."""
        return path in self._entries

    def read(self, path: Path, diagnostics: Diagnostics) -> Document | None:
        """Return the file's document (None when it has problems, which are reported): stored while unchanged."""
        if not self.remember:
            return read_document(path, diagnostics)
        try:
            stamp = file_stamp(os.stat(path))
        except OSError:
            return read_document(path, diagnostics)  # it reports why
        entry = self._entries.get(path)
        if entry is not None and entry.stamp == stamp and entry.settled:
            if entry.document is None and entry.stored is not None:  # from disk: the body is read from the file
                text = read_text(path, diagnostics)
                if text is None:
                    return None  # reported; it was readable last time
                try:
                    entry.document = decode_document(entry.stored, text)
                except (KeyError, TypeError, ValueError):
                    entry = None
            if entry is not None:
                diagnostics.extend(entry.problems)
                self._used.add(path)
                return entry.document
        started = time.time_ns()
        before = len(diagnostics.items)
        document = read_document(path, diagnostics)
        self._entries[path] = _Entry(stamp, is_settled(stamp, started), document, tuple(diagnostics.items[before:]))
        self._used.add(path)
        self._dirty.add(shard_name(path))
        return document

    def known_page(self, raw: RawDocument) -> Page | None:
        """Return the page validated without a problem from this very document, if there is one."""
        entry = self._entries.get(raw.path) if self.remember else None
        if entry is None or entry.document is not raw.document or not entry.validated or entry.page_problems:
            return None
        if entry.page is None and entry.page_data is not None:
            entry.page = _bound_page(entry.page_data, raw)
            if entry.page is None:  # not this file's page after all: validate it again
                entry.validated, entry.page_data = False, None
        return entry.page

    def validate(self, raw: RawDocument, diagnostics: Diagnostics) -> Page | None:
        """Return the page of `raw` (None when it has errors, all reported): stored while the document is."""
        entry = self._entries.get(raw.path) if self.remember else None
        if entry is not None and entry.document is not raw.document:
            entry = None  # read from the file itself (fast_preview), not through this store
        if entry is not None and entry.validated:
            page = entry.page if entry.page is not None or entry.page_problems else self.known_page(raw)
            if entry.validated:  # still: known_page finds out when a saved page is not this file's
                diagnostics.extend(entry.page_problems)
                return page
        before = len(diagnostics.items)
        page = validate_document(raw, diagnostics, self._vocabulary)
        if entry is not None:
            entry.validated, entry.page, entry.page_data = True, page, None
            entry.page_problems = tuple(diagnostics.items[before:])
            self._dirty.add(shard_name(raw.path))
        return page

    def save(self) -> None:
        """Forget files this build did not read; write the shards whose entries changed, each atomically."""
        unused = self._entries.keys() - self._used
        for path in unused:
            del self._entries[path]
            self._dirty.add(shard_name(path))
        if self.path is None or not self.remember or not self._dirty:
            return
        shards: dict[str, dict[str, list[Any]]] = {name: {} for name in self._dirty}
        for path, entry in self._entries.items():  # not sorted here: 10,000 Path comparisons cost ~0.1 s
            name = shard_name(path)
            if name not in shards or entry.document is None or entry.problems or not entry.settled:
                continue  # unchanged, or never trusted next time: read again
            if entry.stored is None:
                entry.stored = encode_document(entry.document)
            if entry.validated and entry.page is not None and entry.page_data is None and not entry.page_problems:
                entry.page_data = encode(replace(entry.page, body=""))  # bodies are not stored twice
            page = entry.page_data if entry.validated and not entry.page_problems else None
            shards[name][str(path)] = [list(entry.stamp), entry.stored, page]
        self.path.mkdir(parents=True, exist_ok=True)
        code, vocabulary = code_fingerprint(), self._vocabulary.fingerprint
        for name, files in sorted(shards.items()):
            target = self.path / f"{name}.json"
            if not files:
                target.unlink(missing_ok=True)
            else:
                files = dict(sorted(files.items()))  # by the saved name: the same shard for the same entries
                data = {"format": DOCUMENTS_FORMAT, "code": code, "vocabulary": vocabulary, "files": files}
                atomic_write(target, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            self._dirty.discard(name)
        (self.path.parent / OLD_DOCUMENTS_FILE).unlink(missing_ok=True)


def shard_name(path: Path | str) -> str:
    """Return the shard holding `path`'s entry (as saved: str(path)): two hex digits of its hash, 256 shards."""
    return hashlib.sha1(str(path).encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:2]


def _stored_entry(value: Any) -> _Entry | None:
    """Return the entry saved as `value`, or None for anything save() does not write."""
    if not isinstance(value, list) or len(value) != 3 or not isinstance(value[1], dict):
        return None
    stamp = stored_stamp(value[0])
    if stamp is None:
        return None
    return _Entry(stamp, True, None, stored=value[1], validated=value[2] is not None, page_data=value[2])


def _bound_page(data: Any, raw: RawDocument) -> Page | None:
    """Decode a saved page and bind it to the file as it is now; None if it is not that file's page."""
    # bound to this file as it is now: its body, path, and the front matter just checked against it (the body is
    # put in before decoding: one instance instead of a second made by dataclasses.replace)
    front_matter, source = content_digests(raw.document.raw_front_matter, raw.document.body)
    if type(data) is not list or len(data) != len(_PAGE_FIELDS):
        return None
    data = list(data)
    data[_BODY], data[_SOURCE_DIGEST] = raw.document.body, source
    try:
        page = decode_page(data)
    except ValueError:
        return None
    if page.path != raw.path or page.meta_digest != front_matter:
        return None
    return page


_PAGE_FIELDS = [field.name for field in fields(Page)]
_BODY, _SOURCE_DIGEST = _PAGE_FIELDS.index("body"), _PAGE_FIELDS.index("source_digest")


def encode_document(document: Document) -> dict[str, Any]:
    """Return what the cache stores of a document: where its body starts and its raw front matter.

    The values are parsed again from that text only if something needs them, which a note whose
    validated page is cached never does.
    """
    return {"body_line": document.body_line, "front": document.has_front_matter, "raw": document.raw_front_matter}


def decode_document(data: dict[str, Any], text: str) -> Document:
    """Rebuild a Document from its entry and the file's current text.

    Raise ValueError for anything that is not what encode_document writes, or when the text does not
    start with the recorded front matter (a file rewritten with the same stamp).
    """
    body_line, front, raw = data["body_line"], data["front"], data["raw"]
    if type(body_line) is not int or type(front) is not bool or type(raw) is not str or body_line < (3 if front else 1):
        raise ValueError("not a cached document")
    # the lines before the body, then the body whole (not split into lines and joined again)
    lines = normalise_text(text).split("\n", body_line - 1)
    if front and "\n".join(lines[1 : body_line - 2]) != raw:
        raise ValueError("the file's front matter is not the cached one")
    return CachedDocument(lines[-1] if len(lines) == body_line else "", body_line, front, raw)


class CachedDocument(Document):
    """A Document from the cache whose front-matter values and lines are parsed from its text on first use."""

    def __init__(self, body: str, body_line: int, front: bool, raw: str) -> None:
        # Document's own fields, except `data` and `lines`, which are the properties below
        self.body, self.body_line, self.has_front_matter, self.raw_front_matter = body, body_line, front, raw
        self._parsed: tuple[dict[str, Any], dict[tuple[str | int, ...], int]] | None = None

    @property
    def data(self) -> dict[str, Any]:  # type: ignore[override]
        return self._values()[0]

    @property
    def lines(self) -> dict[tuple[str | int, ...], int]:  # type: ignore[override]
        return self._values()[1]

    def _values(self) -> tuple[dict[str, Any], dict[tuple[str | int, ...], int]]:
        if self._parsed is None:
            # it parsed without a problem when it was stored, and the file still starts with it
            self._parsed = (
                parse_yaml_mapping(self.raw_front_matter, first_line=2) if self.has_front_matter else ({}, {(): 1})
            )
        return self._parsed
