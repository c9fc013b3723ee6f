"""The search index of the last build, so that an edit rebuilds only the index files it touches.

The index (site/search_index.py) has a few hundred term shards; re-indexing every page of a 10,000-study
site took ~2 s per edit, and each edit changed a handful of shards. The cache records, for the last index
built: its context (the generator, vocabulary, synonyms and the order of the documents), each document's
key (its page's signature) and the term shards it has terms in (a bit mask), the signature of every index
file, and each term shard's bytes. A build with the same context re-indexes the documents whose key changed
and rebuilds only the shards they had or have terms in, from the stored ones.

On disk it is `<site>/.cache/search/`: `state.json`, and `t<N>.js` per term shard, each starting with the
signature it was made under. A shard is used only while that signature is the state's (the state is saved
last), and a shard that cannot be used makes the build index everything again: it can never make one wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from evidencesite.cache.files import atomic_write, cache_folder

CACHE_SUBFOLDER = "search"
STATE_FILE = "state.json"
CACHE_FORMAT = 1


@dataclass(frozen=True)
class IndexState:
    """What the last index was made from and what it holds (see the module's docstring)."""

    context: str
    keys: tuple[str, ...]  # each document's key, in document order
    masks: tuple[str, ...]  # each document's term shards, a bit mask in hex
    signatures: dict[str, str]  # every index file's signature, by output path


@dataclass
class SearchCache:
    """The last index's state and term shards (loaded on demand), and what this build made of them."""

    path: Path | None  # the folder; None: a cache that remembers nothing
    state: IndexState | None = None
    shards: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # output path -> (signature, bytes) in memory
    new_state: IndexState | None = None
    new_shards: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @classmethod
    def load(cls, site: Path | None) -> SearchCache:
        """Return the cache of `site` (None: one that stores nothing); a corrupt or foreign state is ignored."""
        if site is None:
            return cls(None)
        path = cache_folder(site) / CACHE_SUBFOLDER
        cache = cls(path)
        try:
            data = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return cache
        cache.state = _state(data)
        return cache

    def shard(self, output_path: str) -> bytes | None:
        """Return the stored bytes of a term shard as the state records it, or None when they are not at hand."""
        state = self.state
        if state is None or output_path not in state.signatures:
            return None
        wanted = state.signatures[output_path]
        if output_path in self.shards:
            signature, data = self.shards[output_path]
            return data if signature == wanted else None
        if self.path is None:
            return None
        try:
            stored = (self.path / _file_name(output_path)).read_bytes()
        except OSError:
            return None
        made_under, _, data = stored.partition(b"\n")
        self.shards[output_path] = (made_under.decode("ascii", "replace"), data)
        return data if self.shards[output_path][0] == wanted else None

    def remember(self, state: IndexState, shards: dict[str, bytes]) -> None:
        """Keep what this build's index was made from and the term shards it made (saved after the swap)."""
        self.new_state = state
        self.new_shards.update((path, (state.signatures[path], data)) for path, data in shards.items())

    def for_next_build(self) -> SearchCache:
        """Return the cache as the next build in this process sees it (`serve`): this build's index is the last."""
        if self.new_state is None:
            return SearchCache(self.path, self.state, self.shards)
        state = self.new_state
        kept = {path: data for path, data in self.shards.items() if path not in self.new_shards}
        return SearchCache(self.path, state, {**kept, **self.new_shards})

    def save(self) -> None:
        """Write the shards made by this build, then the state (raises OSError)."""
        if self.path is None or self.new_state is None:
            return
        state = self.new_state
        for output_path, (signature, data) in sorted(self.new_shards.items()):
            atomic_write(self.path / _file_name(output_path), signature.encode() + b"\n" + data)
        stored = {
            "format": CACHE_FORMAT,
            "context": state.context,
            "keys": list(state.keys),
            "masks": list(state.masks),
            "signatures": state.signatures,
        }
        atomic_write(self.path / STATE_FILE, json.dumps(stored, separators=(",", ":"), sort_keys=True))
        self.state, self.shards = state, {**self.shards, **self.new_shards}
        self.new_state, self.new_shards = None, {}


def _file_name(output_path: str) -> str:
    return output_path.rsplit("/", 1)[-1]


def _state(data: object) -> IndexState | None:
    """Return the stored state if it has exactly the stored shape (the file is never trusted), else None."""
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    context, keys, masks, signatures = (data.get(name) for name in ("context", "keys", "masks", "signatures"))
    if not isinstance(context, str) or not isinstance(keys, list) or not isinstance(masks, list):
        return None
    if len(keys) != len(masks) or not all(isinstance(item, str) for item in (*keys, *masks)):
        return None
    if not isinstance(signatures, dict) or not all(isinstance(value, str) for value in signatures.values()):
        return None
    return IndexState(context, tuple(keys), tuple(masks), signatures)
