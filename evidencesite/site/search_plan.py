"""Plan the search index's files: their signatures, and how to make each from the last index where it can.

Every file of the index once had one signature, so any edit rewrote all of them (~700 files at 10,000
studies) and re-indexed every page (~2 s). With the last index at hand (cache/search_cache.py) and the same
context (generator, vocabulary, synonyms, the documents in the same order), an edit re-indexes only the
documents whose key (their page's signature) changed: a term shard they had or have terms in is remade from
the stored one, a documents shard holding them is remade, and every other file keeps its signature, so it
is neither made nor written. A file's new signature chains its previous one with what changed, so it
differs from every earlier one. Without a usable last index every file is made from scratch, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from evidencesite.cache.search_cache import IndexState, SearchCache
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.reads import digest
from evidencesite.site.search_index import (
    DOCS_PER_SHARD,
    META,
    Phrases,
    ShardOf,
    doc_file,
    doc_path,
    full_index,
    index_paths,
    ordered_documents,
    shard_terms,
    synonym_phrases,
    term_path,
    term_shard_count,
    updated_doc_shard,
    updated_term_shard,
)

# past this share of changed documents, patching shards costs more than indexing everything again
MOST_CHANGED = 0.2


@dataclass(frozen=True)
class IndexFile:
    path: str
    signature: str
    produce: Callable[[], bytes]


def plan_search_index(
    rendered: Sequence[RenderedPage], signatures: Mapping[str, str], base: str, cache: SearchCache
) -> list[IndexFile]:
    """Return every file of the index; `signatures` are the pages' (by output path), `base` what every file
    depends on besides them (the generator, the vocabulary)."""
    ordered = ordered_documents(rendered)
    phrases = synonym_phrases(synonym for item in ordered for synonym in item.page.synonyms)
    context = digest(base, phrases, [item.output_path for item in ordered])
    keys = tuple(signatures[item.output_path] for item in ordered)
    paths = index_paths(len(ordered))
    last = cache.state
    if last is not None and last.context == context and all(path in last.signatures for path in paths):
        changed = [number for number, (key, old) in enumerate(zip(keys, last.keys, strict=True)) if key != old]
        if len(changed) <= MOST_CHANGED * len(keys):
            return _patched(ordered, phrases, keys, paths, last, changed, cache)
    signature = digest(context, keys)
    state = IndexState(context, keys, (), {path: signature for path in paths})
    whole = functools.cache(lambda: _made_whole(ordered, phrases, state, cache))
    return [IndexFile(path, signature, _bind(lambda path: whole()[path], path)) for path in paths]


def _made_whole(
    ordered: Sequence[RenderedPage], phrases: Phrases, state: IndexState, cache: SearchCache
) -> dict[str, bytes]:
    """Index every document; remember the result (term and documents shards) as the last index."""
    index, masks = full_index(ordered, phrases)
    shards = {path: data for path, data in index.files.items() if path != META}
    cache.remember(IndexState(state.context, state.keys, tuple(f"{mask:x}" for mask in masks), state.signatures), shards)
    return index.files


Touched = dict[str, dict[int, dict[str, int]]]  # term shard -> changed document -> its terms there


def _patch(
    last: IndexState, phrases: Phrases, changed: Mapping[int, RenderedPage], keys: tuple[str, ...]
) -> tuple[IndexState, Touched]:
    """The state of the last index with the `changed` documents indexed again, and the term shards they touch."""
    shard_of = ShardOf(term_shard_count(len(keys)))
    masks = list(last.masks)
    touched: Touched = {}
    for number, item in sorted(changed.items()):
        terms = shard_terms(item, phrases, shard_of)
        mask = 0
        for shard in terms:
            mask |= 1 << shard
        masks[number] = f"{mask:x}"
        try:
            was = int(last.masks[number], 16)
        except ValueError:
            was = (1 << shard_of.shards) - 1  # unreadable: every shard may hold its old terms
        for shard in range(shard_of.shards):
            if (mask | was) >> shard & 1:
                touched.setdefault(term_path(shard), {})[number] = terms.get(shard, {})
    delta = [(number, keys[number]) for number in sorted(changed)]
    signatures = dict(last.signatures)
    for path in touched:
        signatures[path] = digest(last.signatures[path], delta)
    for number in {number // DOCS_PER_SHARD for number in changed}:
        signatures[doc_path(number)] = digest(last.signatures[doc_path(number)], delta)
    return IndexState(last.context, keys, tuple(masks), signatures), touched


def _patched(
    ordered: Sequence[RenderedPage],
    phrases: Phrases,
    keys: tuple[str, ...],
    paths: list[str],
    last: IndexState,
    changed: list[int],
    cache: SearchCache,
) -> list[IndexFile]:
    """Plan the index as the last one with the `changed` documents indexed again."""
    state, touched = _patch(last, phrases, {number: ordered[number] for number in changed}, keys)
    whole = functools.cache(lambda: _made_whole(ordered, phrases, state, cache))
    doc_shards = {doc_path(number): number for number in range((len(ordered) + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD)}

    def produce(path: str) -> bytes:
        if path in doc_shards:
            documents = doc_file(doc_shards[path], ordered)
            cache.remember(state, {path: documents})
            return documents
        stored = cache.shard(path)  # meta.js and untouched shards are made only when lost from the output
        data = updated_term_shard(stored, touched[path], len(keys)) if stored is not None and path in touched else stored
        if data is None:  # the stored shard is gone or damaged, or meta.js: index everything
            return whole()[path]
        cache.remember(state, {path: data})
        return data

    return [IndexFile(path, state.signatures[path], _bind(produce, path)) for path in paths]


def index_after_body_edits(
    cache: SearchCache,
    phrases: Phrases,
    changed: Mapping[int, tuple[RenderedPage, str]],
    published: Callable[[str], bytes | None],
) -> dict[str, tuple[str, bytes]] | None:
    """The index files that change when only the bodies of the `changed` documents (number -> page, its new
    key) changed: path -> (signature, bytes), the same as `plan_search_index` would plan and make. A shard
    the cache does not hold is taken from `published` (the output's copy, which the caller vouches is the
    last index's); None when one is not at hand either (build/body_edit.py then builds the whole site)."""
    last = cache.state
    if last is None or any(number >= len(last.keys) for number in changed):
        return None
    keys = list(last.keys)
    for number, (_, key) in changed.items():
        keys[number] = key
    state, touched = _patch(last, phrases, {number: item for number, (item, _) in changed.items()}, tuple(keys))
    made: dict[str, bytes] = {}
    for path, documents in touched.items():
        stored = cache.shard(path) or published(path)
        made_again = updated_term_shard(stored, documents, len(keys)) if stored is not None else None
        if made_again is None:
            return None
        made[path] = made_again
    for number in {number // DOCS_PER_SHARD for number in changed}:
        path = doc_path(number)
        stored = cache.shard(path) or published(path)
        items = {n: item for n, (item, _) in changed.items() if n // DOCS_PER_SHARD == number}
        made_again = updated_doc_shard(stored, items) if stored is not None else None
        if made_again is None:
            return None
        made[path] = made_again
    cache.remember(state, made)
    return {path: (state.signatures[path], data) for path, data in made.items()}


def _bind(function: Callable[[str], bytes], path: str) -> Callable[[], bytes]:
    return lambda: function(path)
