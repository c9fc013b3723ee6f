"""Front-matter schemas: turn a raw document into a validated Page, reporting every problem."""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from evidencesite.citations import CitationSyntaxError, check_key, is_simple_key, split_key
from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import SLUG, RawDocument
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.models import (
    Claim,
    Design,
    EvidenceRef,
    Finding,
    Kind,
    Page,
    Person,
    Population,
    Role,
    Source,
    Strength,
    Study,
    Terms,
    Work,
)
from evidencesite.names import parse_person
from evidencesite.urls import key_slug

# matched with fullmatch (`$` also matches before a final newline); ASCII digits only (`\d` takes any script's)
DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
PMID = re.compile(r"[1-9][0-9]{0,8}")
PMCID = re.compile(r"PMC[0-9]{1,9}")
URL = re.compile(r"https?://\S+")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
MAX_DIGITS = 15  # a whole number in front matter: far beyond any year, order or sample size, far below int's limit
MIN_YEAR, MAX_YEAR = 1900, 2100

COMMON_FIELDS = ("title", "summary", "draft", "updated", "tags", "order", "slug")
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
FIELDS = {
    Kind.HOME: COMMON_FIELDS,
    Kind.PAGE: COMMON_FIELDS,
    Kind.TERM: (*COMMON_FIELDS, "claims"),
    Kind.STUDY: STUDY_FIELDS,  # and one field per taxonomy (fields_of)
}
NO_EFFECT_HINT = {"finding": "a study that found no effect", "role": "evidence that found no effect"}


def fields_of(kind: Kind, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Return the front-matter fields a page of `kind` may have under the site's vocabulary."""
    if kind is Kind.STUDY:
        return (*STUDY_FIELDS[:7], *vocabulary.keys, *STUDY_FIELDS[7:])
    return FIELDS[kind]
CLAIM_FIELDS = ("id", "text", "strength", "evidence")


@dataclass
class _Reader:
    """Typed access to one document's front matter that reports problems at the key's line."""

    raw: RawDocument
    diagnostics: Diagnostics

    @property
    def data(self) -> dict[str, Any]:
        return self.raw.document.data

    def line(self, *path: str | int) -> int:
        return self.raw.document.line_of(*path)

    def error(self, message: str, *path: str | int) -> None:
        self.diagnostics.error(self.raw.path, self.line(*path), message)

    def warning(self, message: str, *path: str | int) -> None:
        self.diagnostics.warning(self.raw.path, self.line(*path), message)

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field '{key}'")
            return ""
        if not isinstance(value, Scalar):
            self.error(f"'{key}' must be text, not a {_shape(value)}", key)
            return ""
        if required and not value.text.strip():
            self.error(f"'{key}' must not be empty", key)
        return value.text.strip()

    def integer(self, key: str, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field '{key}'")
            return None
        if isinstance(value, Scalar) and re.fullmatch(r"[+-]?[0-9]+", value.text.strip()):
            if len(value.text.strip().lstrip("+-")) <= MAX_DIGITS:
                return int(value.text)
            self.error(f"'{key}' must be a whole number of at most {MAX_DIGITS} digits", key)
            return None
        self.error(f"'{key}' must be a whole number, not '{_show(value)}'", key)
        return None

    def boolean(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            if key in self.data:
                self.error(f"'{key}' has no value (YAML reads null, ~ and an empty value as nothing): write true or false, or remove the line", key)
            return False
        if isinstance(value, Scalar) and value.text.lower() in ("true", "false"):
            return value.text.lower() == "true"
        self.error(f"'{key}' must be true or false, not '{_show(value)}'", key)
        return False

    def choice(self, key: str, kind: type[enum.Enum], required: bool = False) -> Any:
        choices = _choices(kind)
        value = self.chosen(key, choices, required)
        return kind(value) if value else None

    def chosen(self, key: str, choices: tuple[str, ...], required: bool = False) -> str:
        """Return one of `choices` written under `key` ('' when absent); null, ~ or nothing is an error."""
        if key in self.data and self.data[key] is None:
            self.error(no_value(key, choices), key)
            return ""
        value = self.text(key, required)
        if not value:
            return ""
        if value in choices:
            return value
        self.error(unknown_choice(key, value, choices), key)
        return ""

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field '{key}'")
            return ()
        if isinstance(value, Scalar):
            self.error(f"'{key}' must be a list (e.g. '{key}: [a, b]'), not text", key)
            return ()
        if not isinstance(value, list):
            self.error(f"'{key}' must be a list, not a {_shape(value)}", key)
            return ()
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, Scalar) or not item.text.strip():
                self.error(f"'{key}' item {index + 1} must be non-empty text", key, index)
                continue
            result.append(item.text.strip())
        return tuple(result)

    def slugs(self, key: str, required: bool = False) -> tuple[str, ...]:
        values = self.strings(key, required)
        for index, value in enumerate(values):
            if not SLUG.fullmatch(value):
                self.error(f"'{value}' in '{key}' is not a slug (lowercase a-z, 0-9 and '-')", key, index)
        return tuple(v for v in values if SLUG.fullmatch(v))


def no_value(key: str, choices: tuple[str, ...]) -> str:
    """The message for `key: null` (or `~`, or nothing) where one of `choices` is required."""
    hint = f" ('no-effect' for {NO_EFFECT_HINT[key]})" if key in NO_EFFECT_HINT else ""
    return (
        f"'{key}' has no value (YAML reads null, ~ and an empty value as nothing): write one of: "
        f"{', '.join(choices)}{hint}, or remove the line"
    )


def unknown_choice(key: str, value: str, choices: tuple[str, ...]) -> str:
    """The message for a value that is not one of `choices`; 'null' is pointed to 'no-effect'."""
    if value == "null" and "no-effect" in choices:
        return f"{key} 'null' is not a value: write 'no-effect' for {NO_EFFECT_HINT.get(key, 'no effect')}"
    return f"unknown {key} '{value}'{did_you_mean(value, choices)}; expected one of: {', '.join(choices)}"


@functools.cache
def _choices(kind: type[enum.Enum]) -> tuple[str, ...]:
    """The values of an enum, computed once (validation asks thousands of times)."""
    return tuple(member.value for member in kind)


def _shape(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else "value"


def _show(value: Any) -> str:
    return value.text if isinstance(value, Scalar) else _shape(value)


def content_digests(raw_front_matter: str, body: str) -> tuple[str, str]:
    """Return a page's (meta_digest, source_digest): hashes of its front matter and of the whole file."""
    meta_digest = hashlib.sha1(raw_front_matter.encode(), usedforsecurity=False).hexdigest()
    return meta_digest, hashlib.sha1(f"{meta_digest}\0{body}".encode(), usedforsecurity=False).hexdigest()


def is_real_date(text: str) -> bool:
    """True for a date that exists, written YYYY-MM-DD in ASCII digits ('2019-02-30' is not one)."""
    match = DATE.fullmatch(text)
    if match is None:
        return False
    try:
        datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def validate_document(
    raw: RawDocument, diagnostics: Diagnostics, vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> Page | None:
    """Return the validated page, or None when it has errors (all of which are reported).

    `vocabulary` (the site's taxonomies and designs) decides which fields and designs a note may have.
    """
    reader = _Reader(raw, diagnostics)
    before = diagnostics.error_count
    document = raw.document
    if document.unparsed:
        return None  # its front matter's parse error is reported already; only its body gets checked
    if not document.has_front_matter:
        diagnostics.error(raw.path, 1, "missing front matter: start the file with '---', a 'title:' line and '---'")
        return None
    allowed = fields_of(raw.kind, vocabulary)
    for key in document.data:
        if key not in allowed and not (key == "slug" and raw.kind is Kind.STUDY):  # an error of its own below
            diagnostics.warning(raw.path, reader.line(key), f"unknown field '{key}'{did_you_mean(key, allowed)}")
    title = reader.text("title", required=True)
    slug = raw.stem
    key = _checked_key(reader) if raw.kind is Kind.STUDY else ""
    if key:
        slug = key_slug(key)
    if "slug" in document.data and raw.kind is Kind.STUDY:
        reader.error(
            "'slug' does not apply to study notes: a note's URL comes from its citation key (its file name, or "
            "'key:'); rename the file or set 'key:' instead",
            "slug",
        )
    elif "slug" in document.data:
        slug = reader.text("slug")
        if not SLUG.fullmatch(slug):
            reader.error(
                f"slug '{slug}' must be lowercase a-z, 0-9 and '-' only (it names the page's folder in the output)",
                "slug",
            )
    order = reader.integer("order") or 0
    updated = reader.text("updated")
    if updated and not is_real_date(updated):
        reader.error(f"'updated' must be a real date written YYYY-MM-DD (e.g. 2019-03-15), not '{updated}'", "updated")
    study = _study(reader, title, key, vocabulary) if raw.kind is Kind.STUDY else None
    claims = _claims(reader) if raw.kind is Kind.TERM else ()
    if raw.kind is Kind.STUDY and not document.body.strip():
        diagnostics.warning(raw.path, document.body_line, "study note has no body text below its front matter")
    if diagnostics.error_count > before:
        return None
    source = Source(diagnostics.display_path(raw.path), 1)
    meta_digest, source_digest = content_digests(document.raw_front_matter, document.body)
    return Page(
        meta_digest=meta_digest,
        source_digest=source_digest,
        kind=raw.kind,
        slug=slug,
        title=title,
        summary=reader.text("summary"),
        body=document.body,
        body_line=document.body_line,
        source=source,
        path=raw.path,
        order=order,
        draft=reader.boolean("draft"),
        updated=updated,
        tags=reader.slugs("tags"),
        claims=claims,
        study=study,
        section=raw.section,
    )


def study_key(raw: RawDocument) -> str:
    """Return a study note's citation key: its 'key:' field, else its file name (NFC, as macOS may decompose it)."""
    value = raw.document.data.get("key")
    if isinstance(value, Scalar) and value.text.strip():
        return value.text.strip()
    return unicodedata.normalize("NFC", raw.stem)


def _checked_key(reader: _Reader) -> str:
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


def _study(reader: _Reader, title: str, key: str, vocabulary: Vocabulary) -> Study | None:
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
    identifiers = {}
    for key_name, pattern, example in (
        ("doi", DOI, "10.1038/s41467-019-13162-w"),
        ("pmid", PMID, "31772157"),
        ("pmcid", PMCID, "PMC6879579"),
        ("url", URL, "https://example.org/paper"),
    ):
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
        terms=tuple(terms),
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


def _names(reader: _Reader, field: str) -> tuple[Person, ...]:
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


def _n(reader: _Reader) -> int | str | None:
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


def _claims(reader: _Reader) -> tuple[Claim, ...]:
    value = reader.data.get("claims")
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.error("'claims' must be a list of {id, text, strength, evidence}", "claims")
        return ()
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        path = ("claims", index)
        if not isinstance(item, dict):
            reader.error("each claim must be a mapping with id, text, strength and evidence", *path)
            continue
        for key in item:
            if key not in CLAIM_FIELDS:
                reader.diagnostics.warning(
                    reader.raw.path,
                    reader.line(*path, key),
                    f"unknown claim field '{key}'{did_you_mean(key, CLAIM_FIELDS)}",
                )
        fields = {key: _claim_text(reader, item, path, key) for key in ("id", "text", "strength")}
        claim_id, text, strength_text = fields["id"], fields["text"], fields["strength"]
        if claim_id and not SLUG.fullmatch(claim_id):
            reader.error(
                f"claim id '{claim_id}' must be lowercase a-z, 0-9 and '-' (it becomes the claim's anchor)", *path, "id"
            )
        elif claim_id in seen:
            reader.error(f"duplicate claim id '{claim_id}' (first used on line {seen[claim_id]})", *path, "id")
        elif claim_id:
            seen[claim_id] = reader.line(*path, "id")
        strength = _parse_enum(reader, Strength, strength_text, "strength", (*path, "strength"))
        evidence = _evidence(reader, item.get("evidence"), path)
        if claim_id and text and strength and evidence is not None:
            claims.append(
                Claim(
                    claim_id,
                    text,
                    strength,
                    evidence,
                    Source(reader.diagnostics.display_path(reader.raw.path), reader.line(*path)),
                )
            )
    return tuple(claims)


def _claim_text(reader: _Reader, item: dict[str, Any], path: tuple[str | int, ...], key: str) -> str:
    value = item.get(key)
    if isinstance(value, Scalar) and value.text.strip():
        return value.text.strip()
    reader.error(f"claim needs '{key}' as text", *path, *((key,) if key in item else ()))
    return ""


def _parse_enum(reader: _Reader, kind: type[enum.Enum], value: str, name: str, path: tuple[str | int, ...]) -> Any:
    if not value:
        return None
    choices = _choices(kind)
    if value in choices:
        return kind(value)
    reader.error(unknown_choice(name, value, choices), *path)
    return None


def _evidence(reader: _Reader, value: Any, path: tuple[str | int, ...]) -> tuple[EvidenceRef, ...] | None:
    if not isinstance(value, list) or not value:
        reader.error(
            "claim needs 'evidence': a non-empty list of citation keys",
            *path,
            *(("evidence",) if value is not None else ()),
        )
        return None
    refs = []
    ok = True
    for index, item in enumerate(value):
        where = (*path, "evidence", index)
        line = reader.line(*where)
        source = Source(reader.diagnostics.display_path(reader.raw.path), line)
        key, role = "", Role.SUPPORTS
        if isinstance(item, Scalar):
            key = item.text.strip().lstrip("@")
        elif isinstance(item, dict) and isinstance(item.get("key"), Scalar):
            key = item["key"].text.strip().lstrip("@")
            role_value = item.get("role")
            if role_value is None and "role" in item:
                reader.error(no_value("role", _choices(Role)), *where, "role")
                ok = False
            elif role_value is not None:
                parsed = _parse_enum(
                    reader, Role, role_value.text if isinstance(role_value, Scalar) else "", "role", (*where, "role")
                )
                ok = ok and parsed is not None
                role = parsed or role
        else:
            reader.error("evidence entries are citation keys or {key, role}", *where)
            ok = False
            continue
        if not SLUG.fullmatch(key):
            reader.error(f"evidence key '{key}' must be lowercase a-z, 0-9 and '-'", *where)
            ok = False
            continue
        refs.append(EvidenceRef(key, role, source))
    return tuple(refs) if ok else None
