"""`build.py new` and `build.py import`: write new content files, never overwriting one."""

from __future__ import annotations

import json
from pathlib import Path

from .bibliography import load_bibliographies
from .errors import Diagnostics
from .loader import SLUG
from .models import Work

# The body sections every note and mechanism page of a site has (the skeletons `new` writes).
STUDY_SECTIONS = (
    "Question",
    "Design and participants",
    "Intervention",
    "Main findings",
    "Limitations",
    "What it means for the mechanisms",
)
MECHANISM_SECTIONS = (
    "The idea in plain language",
    "The biology",
    "Human evidence",
    "Animal evidence",
    "Open questions",
)


def _headings(names: tuple[str, ...]) -> str:
    return "\n".join(f"## {name}\n" for name in names)


SECTIONS = {"study": "studies", "mechanism": "mechanisms", "substance": "substances", "page": "pages"}

STUDY_TEMPLATE = """\
---
title: {title}
authors:{authors}
{et_al}year: {year}
{optional}design: {design}            # meta-analysis | systematic-review | rct | crossover-rct | non-randomised-trial |
                          # open-label | cohort | case-series | case-report | human-laboratory | preclinical-animal |
                          # preclinical-in-vitro | narrative-review | secondary-analysis
substances: []            # substance slugs, e.g. [alcohol]; or set background: true for mechanism background
# mechanisms: []          # mechanism slugs, e.g. [reconsolidation]
# population: human       # human | animal
# species: ""
# n: 0                    # a number, or a short text
# intervention: ""
# comparator: ""
# dose: ""
# outcome: ""
# finding: positive       # positive | null | negative | mixed
# summary: ""             # one plain sentence: what was found
# background: false
# retracted: false
# tags: []
# updated: YYYY-MM-DD
# verified_with: []       # where you checked the bibliographic facts
draft: true               # remove when the note is complete
---

{sections}"""

MECHANISM_TEMPLATE = """\
---
title: {title}
summary: ""
order: 0
claims:
  - id: first-claim
    text: "A claim this page supports."
    strength: speculative      # strong | moderate | weak | speculative
    evidence: []               # citation keys, or {{key: x, role: supports|contradicts|null|context}}
draft: true                    # remove when the page is complete
---

{sections}"""

SUBSTANCE_TEMPLATE = """\
---
title: {title}
summary: ""
order: 0
draft: true                    # remove when the page is complete
---

## What was tried

## What was found

## How strong is the evidence
"""

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


def new_content(site: Path, kind: str, slug: str) -> Path:
    """Create `content/<section>/<slug>.md` from the skeleton for `kind`; never overwrite."""
    if kind not in SECTIONS:
        raise ScaffoldError(f"unknown kind '{kind}': choose one of {', '.join(SECTIONS)}")
    if not SLUG.match(slug):
        raise ScaffoldError(f"'{slug}' must be lowercase a-z, 0-9 and '-' (it becomes the file name and URL)")
    title = _quote(slug.replace("-", " ").capitalize())
    if kind == "study":
        text = STUDY_TEMPLATE.format(
            title=_quote("Title of the paper"),
            authors='\n  - "Family, Initials"',
            et_al="",
            year=2000,
            optional=_optional_fields({}),
            design='""',
            sections=_headings(STUDY_SECTIONS),
        )
    else:
        text = {"mechanism": MECHANISM_TEMPLATE, "substance": SUBSTANCE_TEMPLATE, "page": PAGE_TEMPLATE}[kind].format(
            title=title, sections=_headings(MECHANISM_SECTIONS)
        )
    return _create(site / "content" / SECTIONS[kind] / f"{slug}.md", text)


def _optional_fields(values: dict[str, str]) -> str:
    lines = []
    for name in ("journal", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url"):
        value = values.get(name, "")
        lines.append(f"{name}: {_quote(value)}\n" if value else f'# {name}: ""\n')
    return "".join(lines)


def _create(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; it was left untouched") from None
    return path


def study_stub(work: Work) -> str:
    """Return a draft study note holding everything the bibliographic record gives."""
    authors = "".join(
        f"\n  - {_quote(p.family if p.literal or not p.given else f'{p.family}, {p.given}')}" for p in work.authors
    )
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
        title=_quote(work.title),
        authors=authors or " []",
        et_al="et_al: true\n" if work.authors_incomplete else "",
        year=work.year or '""',
        optional=_optional_fields(values),
        design='""',
        sections=_headings(STUDY_SECTIONS),
    )


def import_bibliography(site: Path, source: Path) -> tuple[list[Path], list[str]]:
    """Create a draft note for each work in `source` without one; return (created, already present).

    A malformed file raises SiteError with located problems before anything is written.
    """
    diagnostics = Diagnostics(Path.cwd())
    works: list[Work] = []
    if source.suffix.lower() in (".bib", ".json"):
        works = load_bibliographies((source,), diagnostics)
    else:
        diagnostics.error(source, 0, "import reads a .bib (BibTeX) or .json (CSL-JSON) file")
    diagnostics.raise_if_errors()
    studies = site / "content" / "studies"
    existing = [w.key for w in works if (studies / f"{w.key}.md").exists()]
    created = [_create(studies / f"{w.key}.md", study_stub(w)) for w in works if w.key not in existing]
    return created, existing
