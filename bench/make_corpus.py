#!/usr/bin/env python3
"""Write a deterministic synthetic evidence site for benchmarks, in our format or as an equivalent
Markdown corpus for Pelican, MkDocs or Hugo.

    python bench/make_corpus.py --studies 1000 --out /tmp/corpus [--seed 1] [--format ours|pelican|mkdocs|hugo]

Why synthetic: a benchmark must be able to choose its size, must not change between runs (the same
seed gives byte-identical files, so two timings always measure the same input), and must not depend
on external data. Why several formats: a timing means little without a reference point, so the same
notes, words and page counts are written in each comparison tool's native layout (see bench/README.md).

The corpus is generated once in a tool-neutral form (documents with ordered front matter and a
Markdown body holding link placeholders); each format only decides file paths, front-matter syntax
and link syntax, so the prose is identical across tools.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("ours", "pelican", "mkdocs", "hugo")
MIN_STUDIES = 10
BACKGROUND_WORKS = 20
EDIT_SENTENCE = "This sentence was appended by the benchmark to measure an edit rebuild."

_WORD_TEXT = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore "
    "magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo "
    "consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint "
    "occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum curabitur pretium "
    "tincidunt lacus nulla gravida orci a odio nullam varius turpis et commodo pharetra eros bibendum nec luctus "
    "felis sollicitudin mauris integer in mauris eu nibh euismod gravida duis ac tellus et risus vulputate "
    "vehicula donec lobortis risus a elit etiam tempor ut ullamcorper ligula eu tempor congue eros est euismod "
    "turpis id tincidunt sapien risus a quam maecenas fermentum consequat mi donec fermentum pellentesque "
    "malesuada nulla a mi duis sapien sem aliquet nec commodo eget consequat quis neque aliquam faucibus"
)
WORDS = tuple(_WORD_TEXT.split())
_FAMILY_TEXT = (
    "Abara Achterberg Adeyemi Albrecht Alvarez Andersen Aoki Baptiste Becker Bergstrom Bianchi Brennan Castillo "
    "Chandra Chen Costa Dahl Delacroix Dimitrov Duarte Eriksen Fischer Fontaine Garcia Grabowski Haddad Hansen "
    "Herrera Hoffmann Ibrahim Ivanova Jansen Kaur Kim Kowalski Kruger Lambert Larsen Lindqvist Lopez Marchetti "
    "Moreau Murphy Nakamura Novak Okafor Olsen Osei Papadopoulos Pereira Petrov Quinn Rahman Rossi Santos Schmidt "
    "Silva Sokolov Suzuki Tanaka Teixeira Novotny Vasquez Vogel Wagner Walsh Weber Yamamoto Yilmaz Zhang Zielinski"
)
FAMILIES = tuple(_FAMILY_TEXT.split())
INITIALS = "ABCDEFGHJKLMNPRSTVW"
JOURNALS = (
    "Journal of Synthetic Pharmacology",
    "Addiction Research Letters",
    "Neuropsychopharmacology Reports",
    "Clinical Trials in Substance Use",
    "Behavioural Neuroscience Quarterly",
    "European Journal of Lorem Medicine",
    "Annals of Placebo Studies",
    "Psychiatry and Ipsum",
    "Translational Dolor Research",
    "International Review of Addiction Science",
    "Drug and Alcohol Lorem",
    "Frontiers in Benchmarking",
)
DESIGNS = (
    "meta-analysis",
    "systematic-review",
    "rct",
    "crossover-rct",
    "non-randomised-trial",
    "open-label",
    "cohort",
    "case-series",
    "case-report",
    "human-laboratory",
    "preclinical-animal",
    "preclinical-in-vitro",
    "narrative-review",
    "secondary-analysis",
)
REVIEW_DESIGNS = ("meta-analysis", "systematic-review", "narrative-review")
ANIMAL_DESIGNS = ("preclinical-animal", "preclinical-in-vitro")
FINDINGS = ("positive", "no-effect", "negative", "mixed")
STRENGTHS = ("strong", "moderate", "weak", "speculative")
ROLES = ("contradicts", "no-effect", "context")
MECHANISMS = (
    ("synaptic-remodelling", "Synaptic remodelling"),
    ("network-reset", "Network reset"),
    ("memory-updating", "Memory updating"),
    ("mood-relief", "Mood relief"),
    ("altered-awareness", "Altered awareness"),
    ("therapy-window", "Therapy window"),
)
SUBSTANCES = (
    ("alcohol", "Alcohol"),
    ("opioids", "Opioids"),
    ("cocaine", "Cocaine"),
    ("cannabis", "Cannabis"),
    ("tobacco", "Tobacco"),
    ("methamphetamine", "Methamphetamine"),
)
NOTE_SECTIONS = (
    "Question",
    "Design and participants",
    "Intervention",
    "Main findings",
    "Limitations",
    "What it means for the mechanisms",
)
TOPIC_SECTIONS = ("The idea in plain language", "Human evidence", "Animal evidence", "What is still unknown")
LINK = re.compile(r"\]\(<<(?P<section>[a-z]+)/(?P<slug>[a-z0-9-]+)>>\)")

Meta = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Claim:
    """A mechanism claim; evidence items are keys or (key, role) pairs, as in docs/authoring.md."""

    id: str
    text: str
    strength: str
    evidence: tuple[str | tuple[str, str], ...]


@dataclass(frozen=True)
class Document:
    """One Markdown page in a tool-neutral form, so every format writes exactly the same words.

    `section` is "" for the home page, else studies/mechanisms/substances; `body` holds links as
    `[label](<<section/slug>>)` placeholders that each format turns into its own link syntax.
    """

    section: str
    slug: str
    meta: Meta
    body: str
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class BackgroundWork:
    """A work without a note (content/references.bib in our format, a plain-text list elsewhere)."""

    key: str
    authors: tuple[str, ...]
    title: str
    journal: str
    year: int
    volume: str
    pages: str
    doi: str


@dataclass(frozen=True)
class Corpus:
    seed: int
    home: Document
    mechanisms: tuple[Document, ...]
    substances: tuple[Document, ...]
    studies: tuple[Document, ...]
    background: tuple[BackgroundWork, ...]

    def documents(self) -> tuple[Document, ...]:
        """Every page, in a fixed order (the order files are written in)."""
        return (self.home, *self.mechanisms, *self.substances, *self.studies)


# ---------------------------------------------------------------- text


def words(rng: random.Random, count: int) -> str:
    """Return `count` words from the fixed list: lorem-like prose with a realistic word-length mix."""
    return " ".join(rng.choice(WORDS) for _ in range(count))


def sentence(rng: random.Random, count: int) -> str:
    """Return a capitalised sentence of `count` words, without its final full stop (a citation may follow)."""
    text = words(rng, count)
    return text[:1].upper() + text[1:]


def title(rng: random.Random) -> str:
    """Return a 6-12 word title (no colon or quote, so every front-matter syntax takes it unquoted)."""
    return sentence(rng, rng.randint(6, 12))


def sentence_lengths(rng: random.Random, total: int) -> list[int]:
    """Split `total` words into sentences of 8-20 words (the last is merged if it would be under 4)."""
    lengths: list[int] = []
    remaining = total
    while remaining > 0:
        length = min(rng.randint(8, 20), remaining)
        if length < 4 and lengths:
            lengths[-1] += length
        else:
            lengths.append(length)
        remaining -= length
    return lengths


def cite_markers(rng: random.Random, keys: Sequence[str]) -> list[str]:
    """Pack keys into Pandoc citations: `[@a]`, some `[@a; @b]` groups and some `[@a, p. 3]` locators."""
    markers: list[str] = []
    index = 0
    while index < len(keys):
        roll = rng.random()
        if roll < 0.2 and index + 1 < len(keys):
            markers.append(f"[@{keys[index]}; @{keys[index + 1]}]")
            index += 2
            continue
        if roll < 0.4:
            markers.append(f"[@{keys[index]}, p. {rng.randint(1, 30)}]")
        else:
            markers.append(f"[@{keys[index]}]")
        index += 1
    return markers


def sentences_with_citations(rng: random.Random, total_words: int, markers: Sequence[str]) -> list[str]:
    """Return finished sentences totalling `total_words` words, each marker attached to a distinct sentence."""
    texts = [sentence(rng, length) for length in sentence_lengths(rng, total_words)]
    slots = sorted(rng.sample(range(len(texts)), min(len(markers), len(texts))))
    for slot, marker in zip(slots, markers, strict=False):
        texts[slot] = f"{texts[slot]} {marker}"
    return [f"{text}." for text in texts]


def paragraphs(rng: random.Random, sentences: Sequence[str]) -> list[str]:
    """Group sentences into paragraphs of 2-5 sentences."""
    result: list[str] = []
    index = 0
    while index < len(sentences):
        size = rng.randint(2, 5)
        result.append(" ".join(sentences[index : index + size]))
        index += size
    return result


def split_among(rng: random.Random, items: Sequence[str], parts: int) -> list[list[str]]:
    """Split `items` in order into `parts` non-empty runs (so every section has some text)."""
    cuts = sorted(rng.sample(range(1, len(items)), parts - 1))
    bounds = [0, *cuts, len(items)]
    return [list(items[bounds[i] : bounds[i + 1]]) for i in range(parts)]


def link(label: str, section: str, slug: str) -> str:
    """Return a link placeholder; each format rewrites it (see LINK and format_links)."""
    return f"[{label}](<<{section}/{slug}>>)"


# ---------------------------------------------------------------- corpus


def study_keys(rng: random.Random, count: int) -> list[tuple[str, str, int]]:
    """Return (key, first author's family, year) per study; keys are family+year, with a/b/... on clashes."""
    result: list[tuple[str, str, int]] = []
    seen: dict[str, int] = {}
    for _ in range(count):
        family = rng.choice(FAMILIES)
        year = rng.randint(1975, 2025)
        base = f"{family.lower()}{year}"
        clashes = seen.get(base, 0)
        seen[base] = clashes + 1
        result.append((base + letters(clashes), family, year))
    return result


def letters(number: int) -> str:
    """0 -> '', 1 -> 'a', 26 -> 'z', 27 -> 'aa': a suffix that keeps keys valid slugs."""
    text = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def author_names(rng: random.Random, first_family: str, count: int) -> tuple[str, ...]:
    """Return `count` authors written 'Family, Initials', the first with the family the key was made from."""
    names = []
    for index in range(count):
        family = first_family if index == 0 else rng.choice(FAMILIES)
        initials = "".join(rng.choice(INITIALS) for _ in range(rng.randint(1, 2)))
        names.append(f"{family}, {initials}")
    return tuple(names)


def sample_size(rng: random.Random, design: str) -> int | str:
    """Return n: a count, or for reviews a short text such as '12 studies; 840 participants'."""
    if design in REVIEW_DESIGNS:
        return f"{rng.randint(3, 60)} studies; {rng.randint(100, 9000)} participants"
    if design == "case-report":
        return 1
    return rng.randint(8, 2000)


def make_background(rng: random.Random) -> tuple[BackgroundWork, ...]:
    """Return the 20 background works (keys prefixed `bg-` so they never clash with note keys)."""
    works = []
    seen: dict[str, int] = {}
    for index in range(BACKGROUND_WORKS):
        family = rng.choice(FAMILIES)
        year = rng.randint(1960, 2024)
        base = f"bg-{family.lower()}{year}"
        clashes = seen.get(base, 0)
        seen[base] = clashes + 1
        first_page = rng.randint(1, 900)
        works.append(
            BackgroundWork(
                key=base + letters(clashes),
                authors=author_names(rng, family, rng.randint(1, 6)),
                title=title(rng),
                journal=rng.choice(JOURNALS),
                year=year,
                volume=str(rng.randint(1, 120)),
                pages=f"{first_page}-{first_page + rng.randint(3, 25)}",
                doi=f"10.5555/bench.bg.{index + 1}",
            )
        )
    return tuple(works)


def make_study(
    rng: random.Random,
    index: int,
    identity: tuple[str, str, int],
    all_keys: Sequence[str],
    background: Sequence[BackgroundWork],
) -> Document:
    """Return study note `index` (0-based): realistic front matter and a 300-600 word six-section body."""
    key, family, year = identity
    design = rng.choice(DESIGNS)
    substances = sorted(rng.sample([slug for slug, _ in SUBSTANCES], rng.randint(1, 2)))
    mechanisms = sorted(rng.sample([slug for slug, _ in MECHANISMS], rng.randint(0, 3)))
    first_page = rng.randint(1, 2000)
    meta: list[tuple[str, object]] = [
        ("title", title(rng)),
        ("authors", author_names(rng, family, rng.randint(1, 12))),
        ("year", year),
        ("journal", rng.choice(JOURNALS)),
        ("volume", str(rng.randint(1, 120))),
        ("pages", f"{first_page}-{first_page + rng.randint(3, 20)}"),
        ("doi", f"10.5555/bench.{index + 1}"),
        ("pmid", str(20000000 + index + 1)),
        ("design", design),
        ("population", "animal" if design in ANIMAL_DESIGNS else "human"),
        ("n", sample_size(rng, design)),
        ("finding", rng.choice(FINDINGS)),
        ("substances", tuple(substances)),
    ]
    if mechanisms:
        meta.append(("mechanisms", tuple(mechanisms)))
    meta.append(("summary", sentence(rng, rng.randint(12, 24)) + "."))

    others = [other for other in all_keys if other != key]
    cited = rng.sample(others, rng.randint(2, 6))
    markers = cite_markers(rng, cited)
    if rng.random() < 0.25:
        markers.insert(rng.randint(0, len(markers)), f"[@{rng.choice(background).key}]")
    sentences = sentences_with_citations(rng, rng.randint(300, 600), markers)
    body = []
    for heading, chunk in zip(NOTE_SECTIONS, split_among(rng, sentences, len(NOTE_SECTIONS)), strict=True):
        body.append(f"## {heading}")
        body.extend(paragraphs(rng, chunk))
    titles = dict(MECHANISMS) | dict(SUBSTANCES)
    targets = [("mechanisms", slug) for slug in mechanisms] or [("substances", slug) for slug in substances]
    body.append("See " + ", ".join(link(titles[slug], section, slug) for section, slug in targets) + ".")
    return Document("studies", key, tuple(meta), "\n\n".join(body) + "\n")


def make_topic(
    rng: random.Random,
    section: str,
    slug: str,
    name: str,
    order: int,
    related: Sequence[str],
    all_keys: Sequence[str],
    links: Sequence[tuple[str, str, str]],
    claim_support: frozenset[str] | None,
) -> Document:
    """Return a mechanism or substance page: 250-450 words citing mostly the studies tagged with it.

    `claim_support` holds the keys that can back a strong or moderate claim; None means no claims.
    """
    pool = list(related) if len(related) >= 8 else list(all_keys)
    cited = rng.sample(pool, rng.randint(4, 8))
    sentences = sentences_with_citations(rng, rng.randint(250, 450), cite_markers(rng, cited))
    body = []
    for heading, chunk in zip(TOPIC_SECTIONS, split_among(rng, sentences, len(TOPIC_SECTIONS)), strict=True):
        body.append(f"## {heading}")
        body.extend(paragraphs(rng, chunk))
    body.append("Related: " + ", ".join(link(label, where, target) for where, target, label in links) + ".")
    claims: tuple[Claim, ...] = ()
    if claim_support is not None:
        claims = tuple(make_claim(rng, f"{slug}-claim-{number}", pool, claim_support) for number in range(1, 4))
    meta: Meta = (("title", name), ("summary", sentence(rng, rng.randint(14, 26)) + "."), ("order", order))
    return Document(section, slug, meta, "\n\n".join(body) + "\n", claims)


def make_claim(rng: random.Random, claim_id: str, pool: Sequence[str], support: frozenset[str]) -> Claim:
    """Return a claim with 1-3 evidence keys, about one in five given a non-default role.

    A strong or moderate grade resting only on animal, in-vitro or case-report studies is a warning
    (an error under --strict), so such a claim is regraded weak, as docs/authoring.md advises.
    """
    evidence: list[str | tuple[str, str]] = []
    for key in rng.sample(pool, rng.randint(1, 3)):
        evidence.append((key, rng.choice(ROLES)) if rng.random() < 0.2 else key)
    text = sentence(rng, rng.randint(12, 22)) + "."
    strength = rng.choice(STRENGTHS)
    counted = [item for item in evidence if not (isinstance(item, tuple) and item[1] == "context")]
    keys = [item[0] if isinstance(item, tuple) else item for item in counted]
    if strength in ("strong", "moderate") and keys and not any(key in support for key in keys):
        strength = "weak"
    return Claim(claim_id, text, strength, tuple(evidence))


def make_home(rng: random.Random, all_keys: Sequence[str], background: Sequence[BackgroundWork]) -> Document:
    """Return the home page: an introduction citing background works and studies, and links to every topic."""
    keys = [work.key for work in rng.sample(list(background), 5)] + rng.sample(list(all_keys), 5)
    sentences = sentences_with_citations(rng, 220, cite_markers(rng, keys))
    body = ["## What this site is", *paragraphs(rng, sentences), "## Mechanisms"]
    body.append("\n".join(f"{n}. {link(label, 'mechanisms', slug)}" for n, (slug, label) in enumerate(MECHANISMS, 1)))
    body.append("## Substances")
    body.append("\n".join(f"- {link(label, 'substances', slug)}" for slug, label in SUBSTANCES))
    meta: Meta = (("title", "Synthetic benchmark evidence map"), ("summary", sentence(rng, 20) + "."))
    return Document("", "index", meta, "\n\n".join(body) + "\n")


def can_support_grade(note: Document) -> bool:
    """True for human studies whose design may back a strong or moderate claim (see make_claim)."""
    meta = dict(note.meta)
    return meta.get("population") == "human" and meta.get("design") not in (*ANIMAL_DESIGNS, "case-report")


def topic_slugs(note: Document) -> tuple[str, ...]:
    """Return the substance and mechanism slugs a note is tagged with (topic pages cite their own studies)."""
    slugs: list[str] = []
    for key, value in note.meta:
        if key in ("substances", "mechanisms") and isinstance(value, tuple):
            slugs.extend(str(item) for item in value)
    return tuple(slugs)


def generate(studies: int, seed: int = 1) -> Corpus:
    """Return the whole corpus; every random choice comes from one `random.Random(seed)`, in a fixed order."""
    if studies < MIN_STUDIES:
        raise ValueError(f"--studies must be at least {MIN_STUDIES} (claims and citations need other studies)")
    rng = random.Random(seed)
    background = make_background(rng)
    identities = study_keys(rng, studies)
    keys = [key for key, _, _ in identities]
    notes = tuple(make_study(rng, i, identity, keys, background) for i, identity in enumerate(identities))
    support = frozenset(note.slug for note in notes if can_support_grade(note))
    tagged: dict[str, list[str]] = {}
    for note in notes:
        for slug in topic_slugs(note):
            tagged.setdefault(slug, []).append(note.slug)
    substance_links = [("substances", slug, label) for slug, label in SUBSTANCES]
    mechanism_links = [("mechanisms", slug, label) for slug, label in MECHANISMS]
    mechanisms = tuple(
        make_topic(
            rng,
            "mechanisms",
            slug,
            label,
            order,
            tagged.get(slug, []),
            keys,
            rng.sample(substance_links, 2),
            support,
        )
        for order, (slug, label) in enumerate(MECHANISMS, 1)
    )
    substances = tuple(
        make_topic(
            rng,
            "substances",
            slug,
            label,
            order,
            tagged.get(slug, []),
            keys,
            rng.sample(mechanism_links, 2),
            None,
        )
        for order, (slug, label) in enumerate(SUBSTANCES, 1)
    )
    home = make_home(rng, keys, background)
    return Corpus(seed, home, mechanisms, substances, notes, background)


# ---------------------------------------------------------------- formats


def quoted(text: str) -> str:
    """YAML double-quoted scalar: the generator takes values as written, and quoting keeps them text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_front_matter(meta: Meta, claims: Sequence[Claim] = ()) -> str:
    """Return `---` YAML front matter (our format, MkDocs and Hugo all read this syntax)."""
    lines = ["---"]
    for key, value in meta:
        if isinstance(value, tuple):
            lines.append(f"{key}:")
            lines.extend(f"  - {quoted(str(item))}" for item in value)
        elif isinstance(value, int):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {quoted(str(value))}")
    if claims:
        lines.append("claims:")
        for claim in claims:
            lines.append(f"  - id: {claim.id}")
            lines.append(f"    text: {quoted(claim.text)}")
            lines.append(f"    strength: {claim.strength}")
            lines.append("    evidence:")
            for item in claim.evidence:
                lines.append(
                    f"      - {{key: {item[0]}, role: {item[1]}}}" if isinstance(item, tuple) else f"      - {item}"
                )
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def pelican_metadata(meta: Meta) -> str:
    """Return Pelican's `Key: value` header; authors go under Study_authors so Pelican makes no author pages."""
    lines = []
    for key, value in meta:
        name = "study_authors" if key == "authors" else key
        if isinstance(value, tuple):
            text = ("; " if key == "authors" else ", ").join(str(item) for item in value)
        else:
            text = str(value)
        lines.append(f"{name[:1].upper()}{name[1:]}: {text}")
    return "\n".join(lines) + "\n\n"


def claims_markdown(claims: Sequence[Claim]) -> str:
    """Render claims as a list, for tools without claim tables (same words, keys left as plain citations)."""
    if not claims:
        return ""
    lines = ["", "## Claims", ""]
    for claim in claims:
        keys = "; ".join(
            f"@{item[0]} ({item[1]})" if isinstance(item, tuple) else f"@{item}" for item in claim.evidence
        )
        lines.append(f"- **{claim.strength}**: {claim.text} Evidence: [{keys}]")
    return "\n".join(lines) + "\n"


def background_markdown(works: Sequence[BackgroundWork]) -> str:
    """Render background works as a plain reference list (what references.bib holds in our format)."""
    lines = ["", "## Background works", ""]
    for work in works:
        authors = "; ".join(work.authors)
        lines.append(f"- {work.key}: {authors}. {work.title}. {work.journal}. {work.year};{work.volume}:{work.pages}.")
    return "\n".join(lines) + "\n"


def bibtex(works: Sequence[BackgroundWork]) -> str:
    """Return content/references.bib for our format."""
    entries = []
    for work in works:
        authors = " and ".join(work.authors)
        first, _, last = work.pages.partition("-")
        entries.append(
            f"@article{{{work.key},\n  author = {{{authors}}},\n  title = {{{work.title}}},\n"
            f"  journal = {{{work.journal}}},\n  year = {{{work.year}}},\n  volume = {{{work.volume}}},\n"
            f"  pages = {{{first}--{last}}},\n  doi = {{{work.doi}}}\n}}\n"
        )
    return "% Background works of the synthetic benchmark corpus (bench/make_corpus.py).\n\n" + "\n".join(entries)


def relative_link(document: Document, section: str, slug: str) -> str:
    """Link from `document`'s Markdown file to another one, relative (our format and MkDocs)."""
    return f"{section}/{slug}.md" if not document.section else f"../{section}/{slug}.md"


def format_links(document: Document, body: str, fmt: str) -> str:
    """Replace link placeholders with the format's own syntax for a link to another content file."""

    def replace(match: re.Match[str]) -> str:
        section, slug = match.group("section"), match.group("slug")
        if fmt == "pelican":
            folder = "studies" if section == "studies" else f"pages/{section}"
            return f"]({{filename}}/{folder}/{slug}.md)"
        if fmt == "hugo":
            return f']({{{{< ref "/{section}/{slug}.md" >}}}})'
        return f"]({relative_link(document, section, slug)})"

    return LINK.sub(replace, body)


def document_path(document: Document, fmt: str) -> str:
    """Where a document lives inside a site folder of the given format."""
    if fmt == "ours":
        return "content/index.md" if not document.section else f"content/{document.section}/{document.slug}.md"
    if fmt == "mkdocs":
        return "docs/index.md" if not document.section else f"docs/{document.section}/{document.slug}.md"
    if fmt == "hugo":
        return "content/_index.md" if not document.section else f"content/{document.section}/{document.slug}.md"
    if not document.section:
        return "content/pages/home.md"
    if document.section == "studies":
        return f"content/studies/{document.slug}.md"
    return f"content/pages/{document.section}/{document.slug}.md"


def note_path(site: Path, fmt: str, key: str) -> Path:
    """Path of study note `key` in a site of the given format (run.py edits it for edit rebuilds)."""
    return site / document_path(Document("studies", key, (), ""), fmt)


def dated(document: Document) -> Meta:
    """Pelican and Hugo order and date pages by `date`; give each note January 1st of its year."""
    meta = dict(document.meta)
    if document.section != "studies":
        return document.meta
    return (*document.meta, ("date", f"{meta['year']}-01-01"))


def render_document(document: Document, corpus: Corpus, fmt: str) -> str:
    """Return the file text of one document in one format."""
    body = format_links(document, document.body, fmt)
    if fmt == "ours":
        return yaml_front_matter(document.meta, document.claims) + body
    body += claims_markdown(document.claims)
    if not document.section:
        body += background_markdown(corpus.background)
    if fmt == "pelican":
        slug = document.slug if document.section else "home"
        return pelican_metadata((*dated(document), ("slug", slug))) + body
    if fmt == "hugo":
        meta = tuple(("weight", value) if key == "order" else (key, value) for key, value in dated(document))
        return yaml_front_matter(meta) + body
    return yaml_front_matter(document.meta) + body


SITE_TITLE = "Synthetic benchmark evidence map"
DESCRIPTION = "A synthetic corpus for benchmarking static-site generators."
HUGO_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body><header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></header>
<main><h1>{{ .Title }}</h1>
"""
HUGO_END = "</main></body></html>\n"


def config_files(fmt: str) -> dict[str, str]:
    """Return each format's settings files (and Hugo's minimal layouts, since no theme is installed)."""
    if fmt == "ours":
        return {
            "site_config.yaml": (
                f"title: {quoted(SITE_TITLE)}\ndescription: {quoted(DESCRIPTION)}\n"
                'base_url: "https://example.org/"\nlanguage: en\nauthor: "bench/make_corpus.py"\n'
                'license: "Synthetic text, no rights reserved"\ncitation_style: numeric\n'
                'disclaimer: "Synthetic benchmark content: not medical advice."\n'
            )
        }
    if fmt == "pelican":
        return {
            "pelicanconf.py": (
                "# Pelican settings for the synthetic benchmark corpus: defaults, plus the content cache\n"
                "# (CACHE_CONTENT/LOAD_CONTENT_CACHE) so edit rebuilds can reuse parsed content.\n"
                f"AUTHOR = 'bench'\nSITENAME = {SITE_TITLE!r}\nSITEURL = 'https://example.org'\n"
                "PATH = 'content'\nTIMEZONE = 'UTC'\nDEFAULT_LANG = 'en'\n"
                "CACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\nCACHE_PATH = 'cache'\n"
            )
        }
    if fmt == "mkdocs":
        return {"mkdocs.yml": f"site_name: {quoted(SITE_TITLE)}\nsite_url: https://example.org/\n"}
    single = HUGO_BASE + "{{ .Content }}\n" + HUGO_END
    listing = (
        HUGO_BASE + '{{ .Content }}\n<ul>\n{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>\n'
        "{{ end }}</ul>\n" + HUGO_END
    )
    home = (
        HUGO_BASE + '{{ .Content }}\n<ul>\n{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}'
        "</a></li>\n{{ end }}</ul>\n" + HUGO_END
    )
    return {
        "hugo.toml": f'baseURL = "https://example.org/"\nlanguageCode = "en"\ntitle = "{SITE_TITLE}"\n',
        "layouts/_default/single.html": single,
        "layouts/_default/list.html": listing,
        "layouts/index.html": home,
    }


def corpus_files(corpus: Corpus, fmt: str) -> dict[str, str]:
    """Return every file of the corpus in one format: relative path -> text."""
    files = config_files(fmt)
    for document in corpus.documents():
        files[document_path(document, fmt)] = render_document(document, corpus, fmt)
    if fmt == "ours":
        files["content/references.bib"] = bibtex(corpus.background)
    return files


def write_corpus(corpus: Corpus, out: Path, fmt: str) -> int:
    """Write the corpus into `out` (which must be empty or new) and return the number of files."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder so old files cannot mix in")
    files = corpus_files(corpus, fmt)
    for relative, text in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    return len(files)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic site for benchmarks.")
    parser.add_argument("--studies", type=int, required=True, help=f"number of study notes (at least {MIN_STUDIES})")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (must be empty or new)")
    parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives byte-identical files")
    parser.add_argument("--format", choices=FORMATS, default="ours", help="which generator's layout to write")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: exit 0 on success, 2 on a bad argument or a non-empty --out."""
    args = parse_args(argv)
    try:
        corpus = generate(args.studies, args.seed)
        count = write_corpus(corpus, args.out, args.format)
    except (ValueError, FileExistsError) as exc:
        print(f"make_corpus.py: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} files ({args.format} format, {args.studies} studies, seed {args.seed}) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
