"""Data to take away: the study table, the evidence matrix and every numeric result as CSV files.

UTF-8 without a byte-order mark, RFC 4180 (Python's csv module, CRLF line ends), one header row and a fixed
column order, so a spreadsheet or a script reads the same columns from every build. A text cell that a
spreadsheet would run as a formula (starting with =, +, -, @ or a control character, and not a number) is
written with a leading apostrophe (OWASP's advice for CSV injection). Lists in a cell are joined with '; '.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from evidencesite.content.catalog import Catalog
from evidencesite.models import Study
from evidencesite.site.evidence_matrix import Matrix

CSV_FOLDER = "evidence"
CSV_FILES = ("studies.csv", "matrix.csv", "outcomes.csv")  # under CSV_FOLDER; catalog.GENERATED_FILES lists them
STUDY_COLUMNS_BEFORE = ("key", "title", "authors", "year", "design", "population", "n")
STUDY_COLUMNS_AFTER = ("finding", "doi", "pmid", "url")  # the taxonomies' columns come between the two
MATRIX_COLUMNS = ("row", "row_title", "column", "column_title", "studies", "human", "animal", "strongest_design", "reviews")
OUTCOME_COLUMNS = (
    "study",
    "result",
    "question",
    "outcome",
    "timepoint",
    "measure",
    "estimate",
    "ci_low",
    "ci_high",
    "events_intervention",
    "events_comparator",
    "total_intervention",
    "total_comparator",
    "favours",
    "source",
)
SEPARATOR = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Return one header row and the rows as RFC 4180 CSV in UTF-8 (None is an empty cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def study_columns(catalog: Catalog) -> tuple[str, ...]:
    """The study table's columns: the fixed ones with one column per taxonomy (its key) after `n`."""
    return (*STUDY_COLUMNS_BEFORE, *catalog.vocabulary.keys, *STUDY_COLUMNS_AFTER)


def studies_csv(catalog: Catalog) -> bytes:
    """Return one row per study note, in key order."""
    rows = [study_row(catalog, key, page.study) for key, page in sorted(catalog.studies.items()) if page.study]
    return to_csv(study_columns(catalog), rows)


def study_row(catalog: Catalog, key: str, study: Study) -> list[object]:
    """Return one study's row of studies.csv (the explorer's CSV download has the same rows: explorer_data.py)."""
    work = study.work
    return [
        key,
        work.title,
        SEPARATOR.join(person.display for person in work.authors),
        work.year,
        study.design.value,
        study.population.value if study.population else "",
        study.n,
        *(SEPARATOR.join(study.terms_of(taxonomy)) for taxonomy in catalog.vocabulary.keys),
        study.finding.value if study.finding else "",
        work.doi,
        work.pmid,
        work.url,
    ]


def matrix_csv(catalog: Catalog, matrix: Matrix | None) -> bytes:
    """Return one row per pair of the matrix's row and column terms, in the matrix's order (header only without one)."""
    rows = []
    if matrix is not None:
        row_pages = catalog.terms[matrix.row_axis.key]
        column_pages = catalog.terms[matrix.column_axis.key]
        for row in matrix.rows:
            for column in matrix.columns:
                cell = matrix.cell(row, column)
                rows.append(
                    [
                        row,
                        row_pages[row].title,
                        column,
                        column_pages[column].title,
                        cell.total,
                        cell.human,
                        cell.animal,
                        cell.strongest.value if cell.strongest else "",
                        len(cell.reviews),
                    ]
                )
    return to_csv(MATRIX_COLUMNS, rows)


def outcomes_csv(catalog: Catalog) -> bytes:
    """Return one row per numeric result (a study note's `results:`), by study key then the note's order."""
    rows = []
    for key, page in sorted(catalog.studies.items()):
        if page.study is not None:
            rows.extend(_outcome_rows(key, page.study))
    return to_csv(OUTCOME_COLUMNS, rows)


def _outcome_rows(key: str, study: Study) -> list[list[object]]:
    rows: list[list[object]] = []
    for result in study.results:
        ci = (*result.ci, None, None)
        events = (*result.events, None, None)
        totals = (*result.totals, None, None)
        rows.append(
            [
                key,
                result.id,
                result.question,
                result.name,
                result.timepoint,
                result.measure,
                result.estimate,
                ci[0],
                ci[1],
                events[0],
                events[1],
                totals[0],
                totals[1],
                result.favours,
                result.source,
            ]
        )
    return rows
