"""The content model: frozen values that remember the file and line they came from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from evidencesite.evidence_model import Question, Result, RiskOfBias
from evidencesite.reader_model import ReaderFields


class DesignGroup(enum.Enum):
    """What kind of evidence a design gives: a review of studies, or primary evidence of three kinds.

    The timeline chart has one row per group, laboratory designs count as non-human in the matrix, and a
    site's own designs (site_config.yaml `designs:`) say which group they belong to.
    """

    REVIEW = "review"
    RANDOMISED = "randomised-trial"
    HUMAN = "human-study"
    LABORATORY = "laboratory"


@dataclass(frozen=True)
class Design:
    """A study design of the site's vocabulary (vocabulary.py): the generator's defaults or the site's own.

    `rank` is its place in the evidence order (0 = strongest), used to pick a matrix cell's strongest design;
    `weak` designs alone do not support a strong or moderate claim (a warning).
    """

    value: str
    label: str
    plural: str
    group: DesignGroup
    rank: int
    weak: bool = False

    @property
    def is_review(self) -> bool:
        return self.group is DesignGroup.REVIEW


class Population(enum.Enum):
    HUMAN = "human"
    ANIMAL = "animal"


class Finding(enum.Enum):
    """The direction of a study's main result (front matter `finding:`), shown in neutral words.

    It says which way the comparison pointed, not whether the study is good news or good evidence, so its
    label never reads as a verdict; reviews show none (their direction is that of the studies they cover).
    """

    POSITIVE = "positive"
    NO_EFFECT = "no-effect"
    NEGATIVE = "negative"
    MIXED = "mixed"

    @property
    def label(self) -> str:
        """Return the neutral words for this direction ('Favours intervention')."""
        return _FINDING_LABELS[self]


_FINDING_LABELS = {
    Finding.POSITIVE: "Favours intervention",
    Finding.NO_EFFECT: "No clear difference",
    Finding.NEGATIVE: "Favours comparator",
    Finding.MIXED: "Mixed results",
}


class Strength(enum.Enum):
    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"
    SPECULATIVE = "speculative"


class Role(enum.Enum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    NO_EFFECT = "no-effect"
    CONTEXT = "context"


class Kind(enum.Enum):
    """The kinds of page; a TERM page's folder is its taxonomy's key (Page.section), the others' is the value."""

    HOME = ""
    STUDY = "studies"
    TERM = "term"
    PAGE = "pages"


@dataclass(frozen=True)
class Source:
    """Where a value was written: a file (relative to the site) and a 1-based line."""

    path: str
    line: int


@dataclass(frozen=True)
class Person:
    """An author: `family` and `given` (initials or names) and a `suffix` ('Jr'), or one `literal` name.

    A literal name (an organisation, a name written without a comma such as '王伟', a braced BibTeX
    name, a CSL-JSON `literal`) is kept in `family` and is shown exactly as written, never abbreviated.
    """

    family: str
    given: str = ""
    literal: bool = False
    suffix: str = ""
    dropping_particle: str = ""  # CSL's dropping-particle: 'van' in 'Ludwig van Beethoven' (sorted under B)

    @property
    def display(self) -> str:
        """Return 'Family GI' for a person, the name itself for an organisation."""
        if self.literal or not self.given:
            return self.family
        return f"{self.family} {self.given}"


@dataclass(frozen=True)
class Work:
    """A citable work: a study note, a BibTeX entry or a CSL-JSON record."""

    key: str
    title: str
    authors: tuple[Person, ...]
    year: int | None
    source: Source
    authors_incomplete: bool = False
    kind: str = "article-journal"
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""
    note: str = ""
    retracted: bool = False
    has_note: bool = False
    year_suffix: str = ""
    label_initials: bool = False  # labels show initials: another first author has the same family name and year
    # fields of books, chapters, theses, reports and web pages (CSL variable names in comments)
    editors: tuple[Person, ...] = ()  # editor
    edition: str = ""  # edition
    publisher_place: str = ""  # publisher-place
    genre: str = ""  # genre: a thesis's degree ('PhD thesis'), a report's type
    number: str = ""  # number: a report's or standard's number
    date: str = ""  # issued, as ISO 8601 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (year is its first part)
    accessed: str = ""  # accessed, 'YYYY-MM-DD'
    container_short: str = ""  # container-title-short
    language: str = ""  # language (BibLaTeX langid)
    arxiv: str = ""  # an arXiv identifier from eprinttype = arxiv

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def pmc_url(self) -> str:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/" if self.pmcid else ""


@dataclass(frozen=True)
class EvidenceRef:
    key: str
    role: Role
    source: Source


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    strength: Strength
    evidence: tuple[EvidenceRef, ...]
    source: Source


@dataclass(frozen=True)
class Synonym:
    """A word a reader may search for (an abbreviation, another name) and the term a page defines it as."""

    word: str  # 'AUD'
    term: str  # 'alcohol use disorder'


@dataclass(frozen=True)
class Page:
    """Any content page. Study- and term-specific fields stay empty elsewhere.

    `section` is the folder of content/ it comes from: '' (home), 'studies', 'pages' or a taxonomy's key.
    """

    kind: Kind
    slug: str
    title: str
    summary: str
    body: str
    body_line: int
    source: Source
    path: Path
    order: int = 0
    draft: bool = False
    updated: str = ""
    tags: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    study: Study | None = None
    section: str = ""
    synonyms: tuple[Synonym, ...] = ()  # a glossary's words that search treats as its terms (front matter)
    questions: tuple[Question, ...] = ()  # rows of the page's summary-of-findings table
    reader_fields: ReaderFields = field(default_factory=ReaderFields)  # key messages, dates, changes
    # hashes of the file's front matter and of the whole file: cheap, stable signatures for incremental builds
    meta_digest: str = field(default="", compare=False)
    source_digest: str = field(default="", compare=False)


@dataclass(frozen=True)
class Terms:
    """The slugs a study note lists under one taxonomy's field (e.g. 'outcomes: [pain, function]')."""

    taxonomy: str
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Study:
    """The study-specific part of a study note; its bibliographic part is `work`."""

    work: Work
    design: Design
    terms: tuple[Terms, ...] = ()  # the slugs listed under each taxonomy's field, in the vocabulary's order
    population: Population | None = None
    species: str = ""
    n: int | str | None = None
    intervention: str = ""
    comparator: str = ""
    dose: str = ""
    outcome: str = ""
    finding: Finding | None = None
    background: bool = False
    verified_with: tuple[str, ...] = ()
    results: tuple[Result, ...] = ()  # numeric results (front matter `results:`)
    risk_of_bias: RiskOfBias | None = None
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def terms_of(self, taxonomy: str) -> tuple[str, ...]:
        """Return the slugs this study lists under `taxonomy` (its front-matter field)."""
        for terms in self.terms:
            if terms.taxonomy == taxonomy:
                return terms.slugs
        return ()

    @property
    def substances(self) -> tuple[str, ...]:
        """The default vocabulary's axis, for site templates written before taxonomies were configurable."""
        return self.terms_of("substances")

    @property
    def mechanisms(self) -> tuple[str, ...]:
        return self.terms_of("mechanisms")

    @property
    def n_value(self) -> int | None:
        """Return n as a number for sorting (the leading integer of a descriptive n)."""
        if isinstance(self.n, int):
            return self.n
        if isinstance(self.n, str):
            digits = ""
            for char in self.n:
                if char.isdigit():
                    digits += char
                elif digits:
                    break
            return int(digits) if digits else None
        return None


_Model = TypeVar("_Model", Work, Study, Page)


def replaced(instance: _Model, **changes: Any) -> _Model:
    """Return `instance` with `changes`, as dataclasses.replace does, at a third of its cost.

    For the catalog's thousands of copies per build. Valid because these classes have neither
    `__post_init__` nor init=False fields: a copy of the instance's fields is the instance `__init__` makes.
    """
    values = instance.__dict__
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no field {sorted(unknown)[0]!r}")
    copy = object.__new__(type(instance))
    copy.__dict__.update(values)
    copy.__dict__.update(changes)
    return copy
