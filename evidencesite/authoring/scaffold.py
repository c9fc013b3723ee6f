"""`build.py new` and `build.py import`: write new content files, never overwriting one."""

from __future__ import annotations

import json
from pathlib import Path

from evidencesite.content.bibliography import load_bibliographies
from evidencesite.content.loader import SLUG
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from evidencesite.errors import Diagnostic, Diagnostics
from evidencesite.models import Person, Work
from evidencesite.names import format_person
from evidencesite.urls import key_slug


def _headings(names: tuple[str, ...]) -> str:
    return "\n".join(f"## {name}\n" for name in names)


FIXED_KINDS = {"study": "studies", "page": "pages"}


def kinds(vocabulary: Vocabulary) -> dict[str, str]:
    """Return what `new` can create -> its content folder: study, page, each taxonomy by key and by singular
    ('interventions' and 'intervention'; the default vocabulary's 'mechanism' and 'substance')."""
    found = dict(FIXED_KINDS)
    for taxonomy in vocabulary.taxonomies:
        found[taxonomy.key] = taxonomy.key
        found.setdefault(taxonomy.param, taxonomy.key)
    return found


def _wrapped(values: tuple[str, ...], indent: str, width: int = 92) -> str:
    """Return `a | b | c` comment lines no longer than `width`, continued under `indent`."""
    lines, line = [], ""
    for value in values:
        piece = value if not line else f"{line} | {value}"
        if len(indent) + len(piece) > width and line:
            lines.append(line + " |")
            line = value
        else:
            line = piece
    lines.append(line)
    return f"\n{indent}# ".join(lines)


def _taxonomy_lines(vocabulary: Vocabulary) -> str:
    """The study note's taxonomy fields: required ones written out, optional ones commented."""
    lines = []
    for taxonomy in vocabulary.study_taxonomies:
        if taxonomy.required:
            lines.append(
                f"{taxonomy.key}: []".ljust(26)
                + f"# {taxonomy.name} slugs; or set background: true for a background work with none\n"
            )
        else:
            lines.append(f"# {taxonomy.key}: []".ljust(26) + f"# {taxonomy.name} slugs\n")
    return "".join(lines)


STUDY_TEMPLATE = """\
---
{key_line}title: {title}
{authors}{et_al}{year}
{optional}design: {design}            # {designs}
{taxonomies}# population: human       # human | animal
# species: ""
# n: 0                    # a number, or a short text
# intervention: ""
# comparator: ""
# dose: ""
# outcome: ""
# finding: positive       # positive | no-effect | negative | mixed
# summary: ""             # one plain sentence: what was found
# background: false
# retracted: false
# tags: []
# updated: YYYY-MM-DD
# verified_with: []       # where you checked the bibliographic facts
draft: true               # remove when the note is complete
---

{sections}"""

TERM_TEMPLATE = """\
---
title: {title}
summary: ""
order: 0
claims:
  - id: first-claim
    text: "A claim this page supports."
    strength: speculative      # strong | moderate | weak | speculative
    evidence: []               # citation keys, or {{key: x, role: supports|contradicts|no-effect|context}}
draft: true                    # remove when the page is complete
---

{sections}"""

# the headings of a new page in a taxonomy that names no sections of its own
FALLBACK_TERM_HEADINGS = ("What was tried", "What was found", "How strong is the evidence")
PLAIN_TERM_TEMPLATE = """\
---
title: {title}
summary: ""
order: 0
draft: true                    # remove when the page is complete
---

{sections}"""

PAGE_TEMPLATE = """\
---
title: {title}
summary: ""
# order: 0                     # give an order to list the page in the navigation
draft: true                    # remove when the page is complete
---

"""


class ScaffoldError(Exception):
    """The file cannot be created; the message says why."""


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _study_fields(vocabulary: Vocabulary) -> dict[str, str]:
    return {
        "designs": _wrapped(vocabulary.design_values, " " * 26),
        "taxonomies": _taxonomy_lines(vocabulary),
        "sections": _headings(vocabulary.note_sections),
    }


def new_content(site: Path, kind: str, slug: str, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> Path:
    """Create `content/<section>/<slug>.md` from the skeleton for `kind`; never overwrite.

    `kind` is study, page, or one of the site's taxonomies (its key or its singular).
    """
    known = kinds(vocabulary)
    if kind not in known:
        raise ScaffoldError(f"unknown kind '{kind}': choose one of {', '.join(known)}")
    if not SLUG.fullmatch(slug):
        raise ScaffoldError(f"'{slug}' must be lowercase a-z, 0-9 and '-' (it becomes the file name and URL)")
    title = _quote(slug.replace("-", " ").capitalize())
    if kind == "study":
        text = STUDY_TEMPLATE.format(
            key_line="",
            title=_quote("Title of the paper"),
            authors='authors:                  # "Family, Given", or a name shown as written ("World Health Organization")\n  - "Family, Initials"\n',
            et_al="",
            year="year: 2000",
            optional=_optional_fields({}),
            design='""',
            **_study_fields(vocabulary),
        )
    elif kind == "page":
        text = PAGE_TEMPLATE.format(title=title)
    else:
        taxonomy = vocabulary.taxonomy(known[kind])
        assert taxonomy is not None
        # any taxonomy's page may carry claims; the skeleton shows them where the site gave the page sections
        template = TERM_TEMPLATE if taxonomy.sections else PLAIN_TERM_TEMPLATE
        text = template.format(title=title, sections=_headings(taxonomy.sections or FALLBACK_TERM_HEADINGS))
    check_folder(site, site / "content" / known[kind])
    return _create(site / "content" / known[kind] / f"{slug}.md", text)


def _optional_fields(values: dict[str, str]) -> str:
    lines = []
    for name in ("journal", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url"):
        value = values.get(name, "")
        lines.append(f"{name}: {_quote(value)}\n" if value else f'# {name}: ""\n')
    return "".join(lines)


def check_folder(site: Path, folder: Path) -> None:
    """Raise ScaffoldError unless `folder` (content/ or a section of it) may be written: no symlink on the way.

    The loader does not follow symlinked folders, so a note written through one would leave the site and never
    be read back.
    """
    for part in (site / "content", folder):
        if part.is_symlink() or (part.exists() and not part.is_dir()):
            raise ScaffoldError(
                f"{part} is a symlink or not a folder; notes are written only into real folders inside the site "
                "(replace it with a folder)"
            )


def _create(path: Path, text: str) -> Path:
    """Write a new file; never overwrite, and leave nothing behind when the write fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = path.open("x", encoding="utf-8")
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; it was left untouched") from None
    try:
        with handle:
            handle.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _names(field: str, people: tuple[Person, ...]) -> str:
    """Return a 'field:' list of names written so that parse_person reads each back unchanged."""
    if not people:
        return ""
    return f"{field}:" + "".join(f"\n  - {_quote(format_person(person))}" for person in people) + "\n"


def study_stub(work: Work, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> str:
    """Return a draft study note holding everything of the record that a note's front matter takes.

    Names are written in a form parse_person reads back to the same Person (ValueError otherwise); a key that
    is not its own file name (see urls.key_slug) is kept in `key:`.
    """
    authors = _names("authors", work.authors)
    if work.editors and not work.authors:
        authors = _names("editors", work.editors)
    values = {
        "journal": work.container,
        "volume": work.volume,
        "issue": work.issue,
        "pages": work.pages,
        "doi": work.doi,
        "pmid": work.pmid,
        "pmcid": work.pmcid,
        "url": work.url,
    }
    return STUDY_TEMPLATE.format(
        key_line=f"key: {_quote(work.key)}\n" if key_slug(work.key) != work.key else "",
        title=_quote(work.title),
        authors=authors or "# authors: []          # none in the export: add them (or 'editors' for an edited book)\n",
        et_al="et_al: true\n" if work.authors_incomplete else "",
        year=f"year: {work.year}" if work.year else "# year: YYYY            # not in the export: add it",
        optional=_optional_fields(values),
        design='""',
        **_study_fields(vocabulary),
    )


def import_bibliography(
    site: Path, source: Path, vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> tuple[list[Path], list[str], list[Diagnostic]]:
    """Create a draft note for each work in `source` without one; return (created, stems kept, warnings).

    Every problem (a malformed export, a name that cannot be written, two keys giving one file name) raises
    SiteError with located diagnostics before anything is written; a failed write removes what it created.
    """
    diagnostics = Diagnostics(Path.cwd())
    works: list[Work] = []
    if source.suffix.lower() in (".bib", ".json"):
        works = load_bibliographies((source,), diagnostics)
    else:
        diagnostics.error(source, 0, "import reads a .bib (BibTeX/BibLaTeX) or .json (CSL-JSON) file")
    studies = site / "content" / "studies"
    planned: dict[str, tuple[Work, str]] = {}
    existing: list[str] = []
    for work in works:
        stem = key_slug(work.key)
        if stem in planned:
            other = planned[stem][0]
            diagnostics.error(
                source,
                work.source.line,
                f"keys '{other.key}' (line {other.source.line}) and '{work.key}' both give the note file "
                f"content/studies/{stem}.md; rename one in your reference manager",
            )
            continue
        try:
            text = study_stub(work, vocabulary)
        except ValueError as exc:
            diagnostics.error(source, work.source.line, f"work '{work.key}': {exc}; write the name by hand in a note")
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (`\ud800` in JSON) cannot be written: found before writing
            diagnostics.error(
                source, work.source.line, f"work '{work.key}' holds text that is not valid Unicode; correct the export"
            )
            continue
        planned[stem] = (work, text)
        if (studies / f"{stem}.md").exists():
            existing.append(stem)
    diagnostics.raise_if_errors()
    check_folder(site, studies)
    created: list[Path] = []
    try:
        for stem, (_, text) in planned.items():
            if stem not in existing:
                created.append(_create(studies / f"{stem}.md", text))
    except (ScaffoldError, OSError, ValueError) as exc:
        for path in created:
            path.unlink(missing_ok=True)
        reason = exc if isinstance(exc, ScaffoldError) else f"cannot write a note: {exc}"
        raise ScaffoldError(f"{reason} (no note was written)") from None
    return created, existing, diagnostics.warnings
