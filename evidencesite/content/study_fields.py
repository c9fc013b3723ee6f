"""A study note's own fields: its citation key, the work it describes (authors, year, identifiers) and the study."""

from __future__ import annotations

import re
import unicodedata

from evidencesite.citations import CitationSyntaxError, check_key, is_simple_key, split_key
from evidencesite.content.field_reader import MAX_DIGITS, FieldReader
from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import RawDocument
from evidencesite.content.vocabulary import Vocabulary
from evidencesite.identifiers import FORMS
from evidencesite.models import Design, Finding, Person, Population, Source, Study, Terms, Work
from evidencesite.names import parse_person

MIN_YEAR, MAX_YEAR = 1900, 2100

STUDY_FIELDS = (
    "key",
    "title",
    "authors",
    "editors",
    "et_al",
    "year",
    "design",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "population",
    "species",
    "n",
    "intervention",
    "comparator",
    "dose",
    "outcome",
    "finding",
    "summary",
    "tags",
    "retracted",
    "updated",
    "draft",
    "background",
    "verified_with",
)


def study_fields(vocabulary: Vocabulary) -> tuple[str, ...]:
    """The fields a study note may have: STUDY_FIELDS with one field per taxonomy after the design."""
    return (*STUDY_FIELDS[:7], *vocabulary.keys, *STUDY_FIELDS[7:])


def study_key(raw: RawDocument) -> str:
    """Return a study note's citation key: its 'key:' field, else its file name (NFC, as macOS may decompose it)."""
    value = raw.document.data.get("key")
    if isinstance(value, Scalar) and value.text.strip():
        return value.text.strip()
    return unicodedata.normalize("NFC", raw.stem)


def read_key(reader: FieldReader) -> str:
    """Return the note's citation key after reporting why Pandoc could not cite it ('' when it cannot)."""
    key = study_key(reader.raw)
    if "key" in reader.data:
        text = reader.text("key")
        if not text:
            if "key" in reader.data and isinstance(reader.data["key"], Scalar):
                reader.error(
                    "'key' must not be empty: write the citation key (e.g. 'key: smith:2019') or remove the line", "key"
                )
            return ""
        try:
            check_key(text)
        except CitationSyntaxError as exc:
            reader.error(str(exc), "key")
            return ""
        return text
    if not is_simple_key(key):
        read_as = split_key(key)[0]
        suggestion = re.sub(r"[.+-]{2,}", "-", key)
        reader.error(
            f"file name '{reader.raw.path.name}' is not a citation key as written: Pandoc reads '@{key}' as "
            f"'@{read_as}'; rename the file (e.g. '{suggestion}.md') or write the key in 'key:'",
        )
        return ""
    return key


def read_study(reader: FieldReader, title: str, key: str, vocabulary: Vocabulary) -> Study | None:
    """Return the study a note describes (None when its design is missing or unknown, which is reported)."""
    authors = _names(reader, "authors")
    editors = _names(reader, "editors")
    if not authors and not editors and all(reader.data.get(field) in (None, []) for field in ("authors", "editors")):
        reader.warning(
            "study note lists no authors: add 'authors' (or 'editors' for an edited book) so the work can be cited",
            *(("authors",) if "authors" in reader.data else ()),
        )
    year = reader.integer("year")
    if year is None and "year" not in reader.data:
        reader.warning("study note has no year: add 'year' (the year of publication) so the work can be dated")
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        reader.error(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}", "year")
    design_value = reader.chosen("design", vocabulary.design_values, required=True)
    design: Design | None = vocabulary.design(design_value) if design_value else None
    background = reader.boolean("background")
    terms = _terms(reader, vocabulary, background)
    identifiers = {}
    for key_name, pattern, example in FORMS:
        value = reader.text(key_name)
        if value and not pattern.fullmatch(value):
            reader.error(f"malformed {key_name} '{value}' (expected something like {example})", key_name)
            value = ""
        identifiers[key_name] = value
    n = _n(reader)
    work = Work(
        key=key,
        title=title,
        authors=authors,
        editors=editors,
        year=year,
        source=Source(reader.diagnostics.display_path(reader.raw.path), 1),
        authors_incomplete=reader.boolean("et_al"),
        container=reader.text("journal"),
        volume=reader.text("volume"),
        issue=reader.text("issue"),
        pages=reader.text("pages"),
        doi=identifiers["doi"],
        pmid=identifiers["pmid"],
        pmcid=identifiers["pmcid"],
        url=identifiers["url"],
        retracted=reader.boolean("retracted"),
        has_note=True,
    )
    verified_with = reader.strings("verified_with")
    field_lines = {".".join(map(str, path)): line for path, line in reader.raw.document.lines.items() if path}
    if design is None:
        return None
    return Study(
        work=work,
        design=design,
        terms=terms,
        population=reader.choice("population", Population),
        species=reader.text("species"),
        n=n,
        intervention=reader.text("intervention"),
        comparator=reader.text("comparator"),
        dose=reader.text("dose"),
        outcome=reader.text("outcome"),
        finding=reader.choice("finding", Finding),
        background=background,
        verified_with=verified_with,
        field_lines=field_lines,
    )


def _terms(reader: FieldReader, vocabulary: Vocabulary, background: bool) -> tuple[Terms, ...]:
    """The note's terms in each taxonomy; a required taxonomy may be left out only by a background work."""
    terms = []
    for taxonomy in vocabulary.taxonomies:
        required = taxonomy.required and not background
        slugs = reader.slugs(taxonomy.key, required=required)
        if required and not slugs and taxonomy.key in reader.data:
            reader.error(
                f"'{taxonomy.key}' is empty: list at least one {taxonomy.name} slug, or set 'background: true' "
                f"for a background work that involves no {taxonomy.name}",
                taxonomy.key,
            )
        if slugs:
            terms.append(Terms(taxonomy.key, slugs))
    return tuple(terms)


def _names(reader: FieldReader, field: str) -> tuple[Person, ...]:
    """Read 'authors' or 'editors': any non-empty names, in the forms names.parse_person accepts."""
    names = reader.strings(field)
    role = field[:-1]
    people = []
    for index, name in enumerate(names):
        person = parse_person(name)
        if person is None:
            reader.error(
                f"{role} {index + 1} is empty: write 'Family, Given' (e.g. 'Das, RK'), 'Family, Given, Jr', "
                "or a name shown as written (e.g. 'World Health Organization', '王伟')",
                field,
                index,
            )
            continue
        people.append(person)
    return tuple(people)


def _n(reader: FieldReader) -> int | str | None:
    """The sample size: a number, or a short text for a review ('8 studies; 634 participants')."""
    value = reader.data.get("n")
    if value is None:
        return None
    if isinstance(value, Scalar):
        text = value.text.strip()
        if re.fullmatch(r"[0-9]+", text):
            if len(text) <= MAX_DIGITS:
                return int(text)
            reader.error(f"'n' must be a number of at most {MAX_DIGITS} digits, or a short text", "n")
            return None
        if text:
            return text
    reader.error("'n' must be a number or a short text such as '8 studies; 634 participants'", "n")
    return None
