"""The offline search index, sharded so that a query loads only what it needs.

A reader's query must stay small however large the site is (10,000 studies: the old single index was
14.5 MB), and search must work from a web server and from disk (file://), where `fetch` and modules
such as pagefind's cannot load. So the index is a set of plain scripts that the search page adds on
demand (script elements load over file:// too):

- `static/search/meta.js`: how many shards there are, how many documents, and each document's kind (one letter
  each: 'p' topic page, 's' study note, 'h' the home page), so topic pages can rank above study notes for the
  same match however far down the results they are.
- `static/search/t<N>.js`: an inverted index. Every term lives in the shard given by a hash of its first
  two characters (search_terms.bucket), so a query (and a prefix of a word being typed) loads one shard
  per word. Each term maps to its postings, one string of fixed-width (document, weight) records in document
  order (search_postings.py: 4 characters a posting at 10,000 documents); the weight adds up
  where the term occurs: title 10, first author 10, other authors 6, summary 4, a topic page's headings 3, design
  and year 2, text 1 to 4 (by how often the term occurs: 1, 2-3, 4-7, 8 or more times; the whole text of topic
  pages, the first 1,200 characters of a study note's). Where a page holds a synonym's word or its term (a
  glossary's `synonyms:`, e.g. AUD and alcohol use disorder), it is indexed under the other as well, with the
  same weight, so a search for either finds both.
- `static/search/d<N>.js`: the documents, DOCS_PER_SHARD to a file: title, URL, kind, byline and the
  snippet shown under a result. Only the shards of the results on screen are loaded.

The number of term shards grows with the number of documents (about one per TERM_SHARD_DOCS), so a
shard stays about the same size at any scale; the plan knows every file's name before building them.
Documents are numbered topic pages first, then study notes newest first: the order search breaks exact ties in.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evidencesite.html_text import BODY_CHARS, leading_text, page_text
from evidencesite.models import Kind, Synonym
from evidencesite.render.rendered import RenderedPage
from evidencesite.site.search_postings import document_codes, patched_postings, record, width_for
from evidencesite.site.search_terms import bucket, terms

FOLDER = "static/search"
META = f"{FOLDER}/meta.js"
DOCS_PER_SHARD = 50
TERM_SHARD_DOCS = 20
MIN_TERM_SHARDS, MAX_TERM_SHARDS = 8, 1024
SNIPPET_CHARS = 240
WEIGHTS = (
    ("title", 10),
    ("authors", 10),
    ("coauthors", 6),
    ("summary", 4),
    ("headings", 3),
    ("meta", 2),
    ("body", 1),
)
MAX_BODY_WEIGHT = 4  # a word's weight in the text grows with the log of how often it occurs, up to this
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
# a phrase's first term -> (the phrase's terms, the terms a page holding it is also indexed under)
Phrases = dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]


def term_shard_count(documents: int) -> int:
    """Return how many term shards a site of `documents` pages gets (a power of two)."""
    wanted = max(MIN_TERM_SHARDS, min(MAX_TERM_SHARDS, documents // TERM_SHARD_DOCS))
    return 1 << (wanted - 1).bit_length()


def index_paths(documents: int) -> list[str]:
    """Return every file of the index for a site of `documents` pages, known before anything is built."""
    doc_shards = (documents + DOCS_PER_SHARD - 1) // DOCS_PER_SHARD
    return [META] + [term_path(n) for n in range(term_shard_count(documents))] + [doc_path(n) for n in range(doc_shards)]


@dataclass(frozen=True)
class SearchIndex:
    """Every file of the index, by output path."""

    files: dict[str, bytes]


def build_search_index(rendered: Sequence[RenderedPage]) -> SearchIndex:
    """Return the index of `rendered`: topic pages first, then study notes newest first (a document's number)."""
    ordered = ordered_documents(rendered)
    return full_index(ordered, synonym_phrases(synonym for item in ordered for synonym in item.page.synonyms))[0]


def ordered_documents(rendered: Iterable[RenderedPage]) -> list[RenderedPage]:
    """Return the documents in the index's order, which numbers them: topic pages, home, studies newest first."""
    return sorted(rendered, key=_rank_order)


def full_index(ordered: Sequence[RenderedPage], phrases: Phrases) -> tuple[SearchIndex, list[int]]:
    """Return the index of `ordered` and each document's term shards as a bit mask (search_cache keeps them)."""
    shards = term_shard_count(len(ordered))
    shard_of = ShardOf(shards)
    postings: list[dict[str, list[str]]] = [{} for _ in range(shards)]
    codes = document_codes(len(ordered))
    masks = []
    for number, item in enumerate(ordered):
        mask = 0
        for term, weight in _term_weights(item, phrases).items():
            shard = shard_of(term)
            mask |= 1 << shard
            postings[shard].setdefault(term, []).append(record(codes[number], weight))
        masks.append(mask)
    files = {META: meta_file(ordered)}
    for number, shard_postings in enumerate(postings):
        packed = {term: "".join(records) for term, records in shard_postings.items()}  # search_postings.py
        files[term_path(number)] = _script("terms", [number, packed], _ENCODE)
    for start in range(0, len(ordered), DOCS_PER_SHARD):
        files[doc_path(start // DOCS_PER_SHARD)] = doc_file(start // DOCS_PER_SHARD, ordered)
    return SearchIndex(files), masks


class ShardOf:
    """The term shard of a term (search_terms.bucket), remembered by the term's first two characters."""

    def __init__(self, shards: int) -> None:
        self.shards = shards
        self.known: dict[str, int] = {}

    def __call__(self, term: str) -> int:
        start = term[:2]
        shard = self.known.get(start)
        if shard is None:
            shard = self.known[start] = bucket(start, self.shards)
        return shard


def term_path(number: int) -> str:
    return f"{FOLDER}/t{number}.js"


def doc_path(number: int) -> str:
    return f"{FOLDER}/d{number}.js"


def meta_file(ordered: Sequence[RenderedPage]) -> bytes:
    """Return meta.js: the shard counts and each document's kind."""
    kinds = "".join(_kind(item) for item in ordered)
    meta = {
        "terms": term_shard_count(len(ordered)),
        "docs": len(ordered),
        "perShard": DOCS_PER_SHARD,
        "kinds": kinds,
        "width": width_for(len(ordered)),  # a posting's document code (search_postings.py)
    }
    return _script("meta", meta, _ENCODE)


def doc_file(number: int, ordered: Sequence[RenderedPage]) -> bytes:
    """Return the documents shard `number` (d<number>.js)."""
    start = number * DOCS_PER_SHARD
    return _script("docs", [number, [_document(item) for item in ordered[start : start + DOCS_PER_SHARD]]], _ENCODE)


def updated_doc_shard(data: bytes, changed: dict[int, RenderedPage]) -> bytes | None:
    """Return a documents shard (as `doc_file` made it) with the `changed` documents (number -> page) made
    again; None when `data` is not such a shard or does not hold them."""
    try:
        number, documents = _parsed(data, "docs")
        start = number * DOCS_PER_SHARD
        for document, item in changed.items():
            if not start <= document < start + len(documents):
                return None
            documents[document - start] = _document(item)
    except (ValueError, TypeError, IndexError):
        return None
    return _script("docs", [number, documents], _ENCODE)


def shard_terms(item: RenderedPage, phrases: Phrases, shard_of: ShardOf) -> dict[int, dict[str, int]]:
    """Return a document's terms and their weights, grouped by term shard."""
    grouped: dict[int, dict[str, int]] = {}
    for term, weight in _term_weights(item, phrases).items():
        grouped.setdefault(shard_of(term), {})[term] = weight
    return grouped


def updated_term_shard(data: bytes, changed: dict[int, dict[str, int]], documents: int) -> bytes | None:
    """Return a term shard (as made by `full_index` for `documents` documents) with the postings of the `changed`
    documents (number -> their terms in this shard) replaced; None when `data` is not such a shard."""
    try:
        number, postings = _parsed(data, "terms")
        updated = patched_postings(postings, changed, documents)
    except (ValueError, TypeError, AttributeError):
        return None
    return None if updated is None else _script("terms", [number, updated], _ENCODE)


def synonym_phrases(synonyms: Iterable[Synonym]) -> Phrases:
    """Return each synonym both ways round: a page holding the word is indexed under the term, and the other way."""
    phrases: Phrases = {}
    for synonym in synonyms:
        word, term = tuple(terms(synonym.word)), tuple(terms(synonym.term))
        for have, also in ((word, term), (term, word)):
            if have and also and (have, also) not in phrases.get(have[0], []):
                phrases.setdefault(have[0], []).append((have, also))
    return phrases


def with_synonyms(words: list[str], phrases: Phrases) -> list[str]:
    """Return `words` and, after each place where one side of a synonym occurs, the other side's terms."""
    if not phrases:
        return words
    out = []
    for index, word in enumerate(words):
        out.append(word)
        for have, also in phrases.get(word, ()):
            if tuple(words[index : index + len(have)]) == have:
                out.extend(also)
    return out


def _rank_order(item: RenderedPage) -> tuple[int, int, str]:
    page = item.page
    if page.study is None:
        return (0, 0, item.output_path) if page.kind is not Kind.HOME else (1, 0, "")
    return (2, -(page.study.work.year or 0), item.output_path)


def _kind(item: RenderedPage) -> str:
    return "s" if item.page.kind is Kind.STUDY else "h" if item.page.kind is Kind.HOME else "p"


def _parsed(data: bytes, kind: str) -> Any:
    """What `_script(kind, ...)` wrote in `data` (ValueError when it is not such a script)."""
    head, tail = f"EVIDENCE_SEARCH.{kind}(".encode(), b");\n"
    if not data.startswith(head) or not data.endswith(tail):
        raise ValueError(f"not a {kind} script")
    return json.loads(data[len(head) : -len(tail)])


def _script(kind: str, data: object, encode: Callable[[object], str]) -> bytes:
    text = encode(data).replace("</", "<\\/")  # never a closing tag inside a script
    return f"EVIDENCE_SEARCH.{kind}({text});\n".encode()


def _fields(item: RenderedPage) -> dict[str, str]:
    page = item.page
    # Topic pages (few, long) are indexed whole; a study note by the start of its text, extracted where the page
    # was rendered and cached with it: converting every note's whole HTML here made each edit of a 10,000-study
    # site wait ~25 s for its index.
    if page.kind is Kind.STUDY:
        body = item.search_text or leading_text(str(item.body), BODY_CHARS)
    else:
        body = page_text(str(item.body))
    fields = {"title": page.title, "summary": page.summary, "body": body}
    if page.study is not None:
        work = page.study.work
        people = (*work.authors, *work.editors)
        fields["authors"] = people[0].family if people else ""  # a search for a name finds the studies they led first
        fields["coauthors"] = " ".join(p.family for p in people[1:])
        fields["meta"] = f"{page.study.design.label} {work.year or ''}"
    else:  # a topic page's headings name what it explains (a glossary's entries, the Safety page's harms)
        fields["headings"] = " ".join(page_text(heading[2]) for heading in item.headings)
    return fields


def _term_weights(item: RenderedPage, phrases: Phrases) -> dict[str, int]:
    fields = _fields(item)
    weights: dict[str, int] = {}
    for name, weight in WEIGHTS:
        counts = Counter(with_synonyms(terms(fields.get(name, "")), phrases))
        for term, count in counts.items():
            # the text weighs by the log of how often a term occurs (1, 2-3, 4-7, 8+), so ties break by relevance
            times = min(MAX_BODY_WEIGHT, count.bit_length()) if name == "body" else 1
            weights[term] = weights.get(term, 0) + weight * times
    return weights


def _document(item: RenderedPage) -> list[object]:
    """[title, URL, kind ('s' study, 'p' topic page, 'h' the home page), byline, snippet]."""
    page = item.page
    byline = ""
    if page.study is not None:
        work = page.study.work
        people = work.authors or work.editors
        names = people[0].family + (" et al." if len(people) > 1 or work.authors_incomplete else "") if people else ""
        byline = " · ".join(part for part in (names, page.study.design.label, str(work.year or "")) if part)
    snippet = page.summary or item.search_text or leading_text(str(item.body), BODY_CHARS)
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return [page.title, item.output_path, _kind(item), byline, snippet]
