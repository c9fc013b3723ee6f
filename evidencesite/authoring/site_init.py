"""`build.py init DIR`: start a new site that builds with `--strict` and 0 warnings, in one command.

The files are plain text templates: a commented site_config.yaml, a home page, one example of each
page type, an empty references.bib, a .gitignore and the publishing set-up (GitHub Pages workflow and
netlify.toml) for that folder. Nothing is ever overwritten: the folder must be new or empty.
"""

from __future__ import annotations

import json
from pathlib import Path

from evidencesite.content.config import CONFIG_NAME

DEFAULT_TITLE = "My evidence map"


class InitError(Exception):
    """The folder cannot be initialised; the message says why and what to do instead."""


def init_site(folder: Path, title: str = DEFAULT_TITLE, generator_root: Path | None = None) -> list[Path]:
    """Create a new site in `folder` (new or empty); return the files written, in order.

    `generator_root` is the checkout holding build.py: the publishing files build the new site from
    there, with the site folder given relative to it when the site lies inside it.
    """
    title = " ".join(title.split())
    if not title:
        raise InitError("--title must not be empty")
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} exists and is not a folder; choose a new folder name")
    if folder.is_dir() and any(folder.iterdir()):
        raise InitError(
            f"{folder} is not empty; init never overwrites files: choose a new folder, "
            f"or add {CONFIG_NAME} and content/ by hand (see docs/authoring.md)"
        )
    files = _files(title, *_locations(folder, generator_root))
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # 'x': never replace a file
            handle.write(text)
        written.append(path)
    return written


def _locations(folder: Path, generator_root: Path | None) -> tuple[str, str]:
    """Return (site folder, generator folder) as the publishing files name them, from the repository root.

    A site made inside the generator's checkout is built from there (`SITE_DIR` relative to it). A site
    outside it is its own repository, with the generator as a git submodule in `generator/`.
    """
    if generator_root is not None:
        target, root = folder.resolve(), generator_root.resolve()
        if target == root:
            return ".", "."
        if root in target.parents:
            return target.relative_to(root).as_posix(), "."
    return ".", "generator"


def _under(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def _yaml_text(text: str) -> str:
    """Return `text` as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _files(title: str, site_dir: str, generator_dir: str) -> dict[str, str]:
    return {
        CONFIG_NAME: CONFIG.format(title=_yaml_text(title)),
        "content/index.md": HOME.format(title=_yaml_text(title)),
        "content/studies/example2024.md": STUDY,
        "content/interventions/example-intervention.md": INTERVENTION,
        "content/outcomes/example-outcome.md": OUTCOME,
        "content/pages/about.md": ABOUT,
        "content/references.bib": BIBLIOGRAPHY,
        ".gitignore": GITIGNORE,
        ".github/workflows/pages.yml": PAGES_WORKFLOW.format(site_dir=site_dir, generator_dir=generator_dir),
        "netlify.toml": NETLIFY.format(site_dir=site_dir, generator_dir=generator_dir, output=_under(site_dir, "output")),
    }


CONFIG = """\
# Settings of this site. Every setting is explained in docs/authoring.md ("site_config.yaml").
title: {title}                         # required: the site's name
description: "What the evidence says, with every claim linked to its study."
# The public address, with scheme, once the site is published (GitHub Pages project site:
# https://USER.github.io/REPO/). Empty until then: the sitemap, Atom feeds and canonical links need it.
# The publishing workflows pass the real address with --base-url.
base_url: ""
language: en                            # a language tag: en, en-GB, de, ...
# author: "Who maintains the site"
# license: "Text CC BY 4.0"
citation_style: numeric                 # numeric | author-year | a CSL style name (apa, nature, ...) | a .csl file
disclaimer: "This site summarises research for information only. It is not medical advice."
strict: true                            # warnings fail the build, locally and when publishing alike
# raw_html: sanitise                    # sanitise | allow (raw HTML kept verbatim: only if you trust every author)
# search: true                          # build the search page and index
# searched: 2025-01-31                  # the evidence was searched up to this date (shown on every page)
# review_due_months: 12                 # `check` warns when a page's `reviewed:` date is this old
# readability_grade: 8                  # `check` warns when a plain summary or key message reads harder
# toc_min_headings: 4                   # pages with this many ## headings get a table of contents
# nav:                                  # the menu; default: the sections, then pages with an 'order'
#   - {{title: Evidence, link: evidence}}
#   - {{title: About, link: pages/about.md}}

# The site's vocabulary: the axes every study is mapped on, in your topic's words. Each `key` is the
# study-note field (`outcomes: [pain]`), the content folder (content/outcomes/) and the URL folder
# (outcomes/); `title` and `singular` label the menu, headings, matrix, explorer filters and badges.
# The evidence matrix has the first as rows and the second as columns; `required: true` means every
# study note lists at least one (unless it sets `background: true`). Rename or add axes freely
# (e.g. exposures x outcomes, tests x conditions); `in_text` is how a sentence names one.
taxonomies:
  - {{key: interventions, title: Interventions, singular: Intervention}}
  - {{key: outcomes, title: Outcomes, singular: Outcome, required: true}}
# Study designs: the generator's list (docs/authoring.md), in evidence order. Add or change one with its
# label, its type (review | randomised-trial | human-study | laboratory) and its place:
# designs:
#   - {{key: registry-study, label: Registry study, type: human-study, after: cohort}}
# default_designs: true                 # false: only the designs listed above, in their order
# The sections of a new study note (`python build.py new study KEY`):
# note_sections: [Question, Design and participants, Intervention, Main findings, Limitations, What it means]
"""

HOME = """\
---
title: {title}
summary: "An evidence map: what has been studied, how well, and what it found."
---
This is the home page (`content/index.md`). Say here what the site covers, for whom, and how the
evidence was found. The example study [@example2024] shows how a citation links to its study note,
and the [about page](pages/about.md) how pages link to each other.
"""

STUDY = """\
---
title: "An example randomised trial (replace with the paper's title)"
authors: ["Example, A", "Sample, B"]
year: 2024
journal: "Journal of Examples"
design: rct
population: human
n: 100
intervention: "The intervention studied"
comparator: "Usual care"
outcome: "The main outcome"
finding: positive
interventions: [example-intervention]
outcomes: [example-outcome]
summary: "One plain sentence saying what was found."
---
## Question

What did the study ask? This note is an example: replace it with a real study, or delete it.

## Design and participants

Who took part, how they were assigned, and for how long.

## Intervention

What each group received.

## Main findings

The main result with its uncertainty (for example a difference with its 95% confidence interval).

## Limitations

What limits the result.

## What it means

How this study bears on the outcome and intervention pages that cite it.
"""

OUTCOME = """\
---
title: "An example outcome"
summary: "One sentence: what is measured, and why it matters to patients."
order: 1
claims:
  - id: example-claim
    text: "A claim this page makes, graded by the evidence behind it."
    strength: weak
    evidence: [example2024]
---
## The idea in plain language

Explain the outcome for a general reader, citing the studies behind each statement [@example2024].

## Open questions

What is not known yet.
"""

INTERVENTION = """\
---
title: "An example intervention"
summary: "One sentence about this intervention."
order: 1
---
What was tried, in whom, and what was found [@example2024].
"""

ABOUT = """\
---
title: About
summary: "Who writes this site, and how."
order: 90
---
Who the editors are, how the evidence was searched and selected, and how to report an error.
"""

BIBLIOGRAPHY = """\
% Background works that have no study note: BibTeX or BibLaTeX, e.g. a Better BibTeX auto-export.
% Cite them as [@key]; see docs/authoring.md ("Where works come from").
"""

GITIGNORE = """\
/output/
.cache/
.evidencesite-tmp-*
.evidencesite-old-*
"""

PAGES_WORKFLOW = """\
# Publish the site with GitHub Pages (Settings -> Pages -> Source: GitHub Actions).
# This file belongs in .github/workflows/ at the root of the site's repository. SITE_DIR is the site
# folder and GENERATOR_DIR the folder holding build.py, both from that root: "." and "." when the
# site lives inside the generator's checkout; "." and "generator" when the site is its own repository
# with the generator added as a submodule (`git submodule add <generator repository> generator`).
# The build runs with the same flags as a local `python build.py build` (strictness comes from
# site_config.yaml), with base_url from the Pages settings.
name: Publish site

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  SITE_DIR: "{site_dir}"
  GENERATOR_DIR: "{generator_dir}"

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          submodules: true
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Build
        run: |
          python -m pip install -r "$GENERATOR_DIR/requirements.txt"
          python "$GENERATOR_DIR/build.py" build --site "$SITE_DIR" --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
          rm -f "$SITE_DIR/output/.evidencesite-output"   # the build's own marker is not published
      - uses: actions/upload-pages-artifact@v3
        with:
          path: ${{{{ env.SITE_DIR }}}}/output

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

NETLIFY = """\
# Netlify: build with the same command as locally and publish the site's output/.
# This file belongs at the root of the site's repository; SITE_DIR and GENERATOR_DIR are as in
# .github/workflows/pages.yml. Strictness comes from site_config.yaml; base_url from Netlify's $URL.
[build]
  command = "python -m pip install -r \\"$GENERATOR_DIR/requirements.txt\\" && python \\"$GENERATOR_DIR/build.py\\" build --site \\"$SITE_DIR\\" --base-url \\"$URL/\\" && rm -f \\"$SITE_DIR/output/.evidencesite-output\\""
  publish = "{output}"

[build.environment]
  PYTHON_VERSION = "3.11"
  SITE_DIR = "{site_dir}"
  GENERATOR_DIR = "{generator_dir}"

[[headers]]
  for = "/*"
  [headers.values]
    X-Content-Type-Options = "nosniff"
    Referrer-Policy = "no-referrer"
"""
