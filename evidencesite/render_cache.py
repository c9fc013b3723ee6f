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
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .models import Page, Work
from .reference_format import short_label, year_label

CACHE_FOLDER = ".cache"
CACHE_FILE = "render-cache.json"
CACHE_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """Return a hash of the generator's own source: any code change invalidates the cache."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def work_signature(work: Work) -> list[Any]:
    """Return what a citation of `work` renders from (its label, year and retracted flag)."""
    return [short_label(work), year_label(work), work.retracted]


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


@dataclass
class RenderCache:
    """Entries loaded from disk plus the ones used or added by this build."""

    path: Path | None
    fingerprint: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    used: dict[str, dict[str, Any]] = field(default_factory=dict)
    hits: int = 0

    @classmethod
    def load(cls, site: Path | None) -> RenderCache:
        """Return the cache of `site` (None: a disabled cache that stores nothing)."""
        fingerprint = code_fingerprint()
        if site is None:
            return cls(None, fingerprint)
        path = site / CACHE_FOLDER / CACHE_FILE
        cache = cls(path, fingerprint)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return cache
        if isinstance(data, dict) and data.get("format") == CACHE_FORMAT and data.get("code") == fingerprint:
            entries = data.get("entries")
            if isinstance(entries, dict):
                cache.entries = {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, dict)}
        return cache

    def key(self, page: Page, config: SiteConfig, output_path: str) -> str:
        """Return the content hash of everything the page's body is rendered from."""
        material = [
            self.fingerprint,
            config.citation_style.value,
            config.raw_html.value,
            page.kind.value,
            output_path,
            page.source.path,
            page.body_line,
            page.body,
            repr(page.claims),
        ]
        return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()

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
        if not isinstance(body.html, str) or not isinstance(body.cited, list):
            return None
        self.used[key] = entry
        self.hits += 1
        return body

    def store(
        self, key: str, body: CachedBody, works: Mapping[str, list[Any]], links: Mapping[str, str | None]
    ) -> None:
        if self.path is None:
            return
        self.used[key] = {"works": dict(works), "links_resolved": dict(links), "body": body.__dict__}

    def save(self) -> None:
        """Write the entries this build used (dropping stale ones), atomically; only if they changed."""
        if self.path is None or self.used.keys() == self.entries.keys():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": CACHE_FORMAT, "code": self.fingerprint, "entries": self.used}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(
            json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8"
        )
        os.replace(temporary, self.path)
