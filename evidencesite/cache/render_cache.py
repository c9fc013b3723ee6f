"""A content-hash cache of rendered page bodies in `<site>/.cache/`, that can never make a build wrong.

An entry is keyed by everything the body's HTML is computed from: the generator's own code, the
citation style and HTML policy, the page's source text, location and claims. It also records what
the body looked up elsewhere — the label of every cited work, where every linked file lives — and
is used only while all of those still match. Pages with errors are never stored. The file is JSON
(not pickle), read defensively: a corrupted or foreign file is ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Generic, TypeVar

from evidencesite.cache.files import atomic_write, cache_folder
from evidencesite.cache.fingerprint import code_fingerprint
from evidencesite.content.config import CslStyle, SiteConfig
from evidencesite.models import Page, Work

CACHE_SUBFOLDER = "render"
CACHE_FORMAT = 4
SHARD_CHARS = 2  # entries are spread over 256 files by key prefix, so an edit rewrites one small file
Decoded = TypeVar("Decoded")  # what the render stage makes of an entry (a RenderedPage), kept in memory


def work_signature(work: Work) -> list[Any]:
    """Return what a citation of `work` renders from: every field but where it was written (any style's label
    may read any field; its disambiguation included), and its retracted flag. A digest, so the cache stays small.
    (The reprs of frozen dataclasses, strings and numbers are deterministic; ~10× quicker than its CSL record.)"""
    material = repr([getattr(work, name) for name in _WORK_FIELDS])
    return [hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32], work.retracted]


_WORK_FIELDS = tuple(f.name for f in fields(Work) if f.name != "source")  # a moved bibliography entry is the same work


def style_key(config: SiteConfig) -> str:
    """Return the citation style's part of a cache key: a CSL file by its content, so an edit counts."""
    style = config.citation_style
    return f"csl:{style.digest}" if isinstance(style, CslStyle) else style.value


@dataclass
class CachedBody:
    """The stored outcome of rendering one body."""

    html: str
    headings: list[list[Any]]
    cited: list[str]
    backlinks: dict[str, list[str]]
    claim_anchors: list[list[list[str]]]  # per claim: [key, role, anchor] for each evidence item
    links: list[str]
    warnings: list[list[Any]]  # [line, message]
    text: str  # the start of the body's visible text (html_text.leading_text), for the search index


@dataclass
class RenderCache(Generic[Decoded]):
    """Entries loaded from disk plus the ones used or added by this build."""

    path: Path | None  # the folder holding the shards
    fingerprint: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    used: dict[str, dict[str, Any]] = field(default_factory=dict)
    # key -> the RenderedPage made from it; in memory only, so `serve` reuses pages instead of decoding
    decoded: dict[str, Decoded] = field(default_factory=dict)
    _shards_on_disk: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, site: Path | None) -> RenderCache[Decoded]:
        """Return the cache of `site` (None: a disabled cache that stores nothing)."""
        fingerprint = code_fingerprint()
        if site is None:
            return cls(None, fingerprint)
        path = cache_folder(site) / CACHE_SUBFOLDER
        cache = cls(path, fingerprint)
        try:
            shard_paths = sorted(path.glob("*.json"))
        except OSError:
            return cache
        for shard_path in shard_paths:
            try:
                data = json.loads(shard_path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            cache._shards_on_disk.add(shard_path.stem)
            if isinstance(data, dict) and data.get("format") == CACHE_FORMAT and data.get("code") == fingerprint:
                entries = data.get("entries")
                if isinstance(entries, dict):
                    cache.entries.update(
                        {
                            k: v
                            for k, v in entries.items()
                            if isinstance(k, str) and k[:SHARD_CHARS] == shard_path.stem and isinstance(v, dict)
                        }
                    )
        return cache

    @staticmethod
    def stored_body(site: Path, key: str) -> CachedBody | None:
        """Return the body stored under `key` by this generator, reading its one shard; None when there is none.

        For a body edit (build/body_edit.py), which compares a page with the one the last full build made."""
        try:
            data = json.loads((cache_folder(site) / CACHE_SUBFOLDER / f"{key[:SHARD_CHARS]}.json").read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or data.get("code") != code_fingerprint():
                return None
            body = CachedBody(**data["entries"][key]["body"])
        except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
            return None
        return body if isinstance(body.html, str) and isinstance(body.cited, list) else None

    def for_next_build(self) -> RenderCache[Decoded]:
        """Return the cache a long-running process uses for its next build: this one's entries, in memory."""
        cache: RenderCache[Decoded] = RenderCache(self.path, self.fingerprint, {**self.entries, **self.used})
        cache.decoded = {key: self.decoded[key] for key in self.used if key in self.decoded}
        cache._shards_on_disk = self._shards_on_disk | {key[:SHARD_CHARS] for key in self.used}
        return cache

    def key(self, page: Page, config: SiteConfig, output_path: str) -> str:
        """Return the content hash of everything the page's body is rendered from.

        The parts are hashed with a separator no path or setting contains; the body goes last, whole
        (hashing it is cheaper than serialising it).
        """
        material = "\0".join(
            [
                self.fingerprint,
                style_key(config),
                config.raw_html.value,
                page.section,
                output_path,
                page.source.path,
                str(page.body_line),
                repr(page.claims),
                page.body,
            ]
        )
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()

    def lookup(
        self, key: str, signatures: Mapping[str, list[Any]], resolve: Callable[[str], str | None]
    ) -> CachedBody | None:
        """Return the cached body if it exists and everything it looked up is unchanged."""
        entry = self.entries.get(key)
        if entry is None or self.path is None:
            return None
        try:
            works = entry["works"]
            links = entry["links_resolved"]
            if any(signatures.get(name) != signature for name, signature in works.items()):
                return None
            if any(resolve(target) != resolved for target, resolved in links.items()):
                return None
            body = CachedBody(**entry["body"])
        except (KeyError, TypeError, AttributeError):
            return None
        if not isinstance(body.html, str) or not isinstance(body.cited, list) or not isinstance(body.text, str):
            return None
        self.used[key] = entry
        return body

    def store(
        self, key: str, body: CachedBody, works: Mapping[str, list[Any] | None], links: Mapping[str, str | None]
    ) -> None:
        if self.path is None:
            return
        self.used[key] = {"works": dict(works), "links_resolved": dict(links), "body": body.__dict__}

    def save(self) -> None:
        """Rewrite only the shards whose entries changed (dropping stale entries), each atomically."""
        if self.path is None:
            return
        shards: dict[str, dict[str, dict[str, Any]]] = {}
        for key, entry in self.used.items():
            shards.setdefault(key[:SHARD_CHARS], {})[key] = entry
        previous: dict[str, set[str]] = {}
        for key in self.entries:
            previous.setdefault(key[:SHARD_CHARS], set()).add(key)
        self.path.mkdir(parents=True, exist_ok=True)
        for name in sorted(set(shards) | self._shards_on_disk):
            entries = shards.get(name, {})
            if (
                name in self._shards_on_disk
                and set(entries) == previous.get(name, set())
                and all(entries[k] is self.entries.get(k) for k in entries)
            ):
                continue
            target = self.path / f"{name}.json"
            if not entries:
                target.unlink(missing_ok=True)
                continue
            data = {"format": CACHE_FORMAT, "code": self.fingerprint, "entries": entries}
            atomic_write(target, json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
