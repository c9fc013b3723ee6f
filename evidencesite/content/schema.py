"""Front-matter schemas: turn a raw document into a validated Page, reporting every problem.

`validate_document` is the one entry point. It reads the fields every page has (title, slug, order, updated,
tags, ...) and calls the reader of each group of fields a kind of page may have: content/study_fields.py for a
study note, content/claims.py for a topic page's claims. A new group of fields is a module of its own with a
`read_...(reader: FieldReader)` function, called in the block marked below, and its field names listed in FIELDS
(or STUDY_FIELDS) so they are not reported as unknown.
"""

from __future__ import annotations

import hashlib

from evidencesite.content.claims import read_claims
from evidencesite.content.field_reader import FieldReader
from evidencesite.content.loader import SLUG, RawDocument
from evidencesite.content.question_fields import read_questions
from evidencesite.content.reader_fields import READER_FIELDS, read_reader_fields
from evidencesite.content.result_fields import evidence_fields, with_evidence
from evidencesite.content.study_fields import STUDY_FIELDS, read_key, read_study, study_fields, study_key
from evidencesite.content.synonym_fields import read_synonyms
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.models import Kind, Page, Source
from evidencesite.urls import key_slug

__all__ = ["FIELDS", "STUDY_FIELDS", "content_digests", "fields_of", "study_key", "validate_document"]

COMMON_FIELDS = ("title", "summary", "draft", "updated", "tags", "order", "slug")
FIELDS = {
    Kind.HOME: COMMON_FIELDS,
    Kind.PAGE: (*COMMON_FIELDS, "synonyms", "questions"),
    Kind.TERM: (*COMMON_FIELDS, "claims", "questions"),
    Kind.STUDY: STUDY_FIELDS,  # and one field per taxonomy (fields_of)
}


def fields_of(kind: Kind, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Return the front-matter fields a page of `kind` may have under the site's vocabulary."""
    if kind is Kind.STUDY:
        return (*study_fields(vocabulary), *evidence_fields(vocabulary.keys))
    return FIELDS[kind]


def content_digests(raw_front_matter: str, body: str) -> tuple[str, str]:
    """Return a page's (meta_digest, source_digest): hashes of its front matter and of the whole file."""
    meta_digest = hashlib.sha1(raw_front_matter.encode(), usedforsecurity=False).hexdigest()
    return meta_digest, hashlib.sha1(f"{meta_digest}\0{body}".encode(), usedforsecurity=False).hexdigest()


def validate_document(
    raw: RawDocument, diagnostics: Diagnostics, vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> Page | None:
    """Return the validated page, or None when it has errors (all of which are reported).

    `vocabulary` (the site's taxonomies and designs) decides which fields and designs a note may have.
    """
    reader = FieldReader(raw, diagnostics)
    before = diagnostics.error_count
    document = raw.document
    if document.unparsed:
        return None  # its front matter's parse error is reported already; only its body gets checked
    if not document.has_front_matter:
        diagnostics.error(raw.path, 1, "missing front matter: start the file with '---', a 'title:' line and '---'")
        return None
    allowed = (*fields_of(raw.kind, vocabulary), *READER_FIELDS)  # READER_FIELDS: any page (reader_fields.py)
    for key in document.data:
        if key not in allowed and not (key == "slug" and raw.kind is Kind.STUDY):  # an error of its own below
            diagnostics.warning(raw.path, reader.line(key), f"unknown field '{key}'{did_you_mean(key, allowed)}")
    title = reader.text("title", required=True)
    key = read_key(reader) if raw.kind is Kind.STUDY else ""
    slug = _slug(reader, key)
    order = reader.integer("order") or 0
    updated = reader.date("updated")
    # The fields of each kind of page, each group read by its own module: a new group adds its call here.
    study = read_study(reader, title, key, vocabulary) if raw.kind is Kind.STUDY else None
    study = with_evidence(reader, study, vocabulary.keys) if raw.kind is Kind.STUDY else None  # results, risk_of_bias
    questions = read_questions(reader) if raw.kind in (Kind.TERM, Kind.PAGE) else ()
    claims = read_claims(reader) if raw.kind is Kind.TERM else ()
    synonyms = read_synonyms(reader) if raw.kind is Kind.PAGE else ()
    reader_fields = read_reader_fields(reader)
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
        questions=questions,
        synonyms=synonyms,
        reader_fields=reader_fields,
        study=study,
        section=raw.section,
    )


def _slug(reader: FieldReader, key: str) -> str:
    """The page's slug (its folder in the output): a study note's comes from its key, other pages' from 'slug:'."""
    raw = reader.raw
    slug = key_slug(key) if key else raw.stem
    if "slug" in reader.data and raw.kind is Kind.STUDY:
        reader.error(
            "'slug' does not apply to study notes: a note's URL comes from its citation key (its file name, or "
            "'key:'); rename the file or set 'key:' instead",
            "slug",
        )
    elif "slug" in reader.data:
        slug = reader.text("slug")
        if not SLUG.fullmatch(slug):
            reader.error(
                f"slug '{slug}' must be lowercase a-z, 0-9 and '-' only (it names the page's folder in the output)",
                "slug",
            )
    return slug
