"""The study explorer's data, in script files loaded on demand, so its page stays small at any number of studies.

The explorer's pages show STUDIES_PER_PAGE rows each (pagination.py); its filters and sorting work over every
study, from these plain scripts that explorer.js adds when a reader first filters or sorts (script elements
load from a web server and from disk, where `fetch` cannot):

- `static/explorer/studies-<N>.js`: STUDIES_PER_CHUNK studies each, newest first as the pages list them, one
  compact row per study (ROW_FIELDS): what the table shows and filters on. Labels (designs, terms, directions,
  risk of bias) are not repeated: explorer.js reads them from the filter form's options.
- `static/explorer/cite-<N>.js`: the same studies' downloads, loaded only when a reader downloads the current
  selection: each study's BibTeX, RIS, CSL-JSON item and studies.csv row, exactly as the Python exports
  write them (csl/export_formats.py, site/csv_exports.py), so joining them gives what `to_bibtex`, `to_ris`,
  `to_csl_json` and `studies_csv` give for the same studies in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from evidencesite.content.catalog import Catalog
from evidencesite.csl.export_formats import to_bibtex, to_csl, to_ris
from evidencesite.models import Page
from evidencesite.site.csv_exports import study_columns, study_row, to_csv

FOLDER = "static/explorer"
STUDIES_PER_CHUNK = 1000  # ~200 KB of rows, ~1.6 MB of downloads per file
ROW_FIELDS = (
    "slug",
    "title",
    "year",
    "author",  # first author's family name
    "design",
    "population",  # 'human', 'animal' or ''
    "n",  # as written, '' when not given
    "nValue",  # the number sorted on, null when none
    "terms",  # one list of slugs per study taxonomy, in the form's order
    "background",  # 1 for a background study (required taxonomies may be empty)
    "finding",  # '' for a review
    "rob",  # overall risk of bias value, '' when not assessed
    "retracted",  # 1 or 0
)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def chunk_count(studies: int) -> int:
    return max(1, -(-studies // STUDIES_PER_CHUNK))


def chunk_paths(studies: int) -> list[str]:
    """Return the explorer's data files for `studies` studies (at least one, so an empty site still loads)."""
    return [f"{FOLDER}/studies-{n}.js" for n in range(1, chunk_count(studies) + 1)]


def cite_paths(studies: int) -> list[str]:
    return [f"{FOLDER}/cite-{n}.js" for n in range(1, chunk_count(studies) + 1)]


def study_rows(catalog: Catalog, studies: Sequence[Page], rob_of: dict[str, object]) -> list[list[object]]:
    """Return the explorer's row (ROW_FIELDS) of each study."""
    taxonomies = catalog.vocabulary.study_taxonomies
    rows: list[list[object]] = []
    for page in studies:
        study = page.study
        assert study is not None
        work = study.work
        judgement = rob_of.get(work.key)
        rows.append(
            [
                page.slug,
                page.title,
                work.year or 0,
                work.authors[0].family if work.authors else "",
                study.design.value,
                study.population.value if study.population else "",
                "" if study.n is None else str(study.n),
                study.n_value,
                [list(study.terms_of(taxonomy.key)) for taxonomy in taxonomies],
                1 if study.background else 0,
                study.finding.value if study.finding and not study.design.is_review else "",
                getattr(judgement, "value", "") if judgement is not None else "",
                1 if work.retracted else 0,
            ]
        )
    return rows


def download_rows(catalog: Catalog, studies: Sequence[Page]) -> list[list[str]]:
    """Return each study's downloads: [BibTeX, RIS, CSL-JSON item as it sits in the list, CSV row]."""
    header = len(to_csv(study_columns(catalog), []))
    rows = []
    for page in studies:
        study = page.study
        assert study is not None
        work = study.work
        item = json.dumps(to_csl(work), ensure_ascii=False, indent=2, sort_keys=True)
        csv_row = to_csv(study_columns(catalog), [study_row(catalog, work.key, study)])[header:].decode("utf-8")
        rows.append([to_bibtex([work]), to_ris([work]), "  " + item.replace("\n", "\n  "), csv_row])
    return rows


def data_script(variable: str, number: int, rows: list[list[object]] | list[list[str]]) -> bytes:
    """Return a data file: it appends [number, rows] to the page's `self.<variable>` list."""
    return f"(self.{variable}=self.{variable}||[]).push([{number},{_ENCODE(rows)}]);\n".encode()


def chunk(studies: Sequence[Page], number: int) -> Sequence[Page]:
    """Return the studies of data file `number` (from 1)."""
    return studies[(number - 1) * STUDIES_PER_CHUNK : number * STUDIES_PER_CHUNK]
