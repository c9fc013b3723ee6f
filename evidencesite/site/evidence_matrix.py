"""The evidence overview: the matrix of the first two taxonomies, gaps, and the timeline chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from evidencesite.content.catalog import Catalog
from evidencesite.content.vocabulary import Taxonomy
from evidencesite.models import Design, DesignGroup, Population, Strength, Study
from evidencesite.urls import page_path, study_path


@dataclass(frozen=True)
class Cell:
    """One row x column of the matrix: its primary studies counted, its reviews listed apart.

    Reviews (every design of `DesignGroup.REVIEW`) summarise other studies: counting them as studies would
    count the same evidence twice, and a narrative review is not evidence at all (see the methods page).
    """

    row: str  # a slug of the first taxonomy
    column: str  # a slug of the second
    keys: tuple[str, ...]  # the primary studies, in key order
    human: int
    animal: int
    strongest: Design | None  # the best primary design: among the human studies if any, else among all
    reviews: tuple[str, ...] = ()  # the reviews tagged with both terms, in key order

    @property
    def total(self) -> int:
        """Return the number of primary studies (reviews are not counted)."""
        return len(self.keys)


@dataclass(frozen=True)
class Matrix:
    """Studies by the first taxonomy (rows) and the second (columns) of the site's vocabulary."""

    row_axis: Taxonomy
    column_axis: Taxonomy
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[(row, column)]


def _is_human(study: Study) -> bool:
    if study.population is not None:
        return study.population is Population.HUMAN
    return study.design.group is not DesignGroup.LABORATORY


def build_matrix(catalog: Catalog) -> Matrix | None:
    """Count primary studies per term of the first two taxonomies (human/animal, strongest design), reviews apart.

    A site with a single taxonomy has no matrix (None).
    """
    if len(catalog.vocabulary.taxonomies) < 2:
        return None
    row_axis, column_axis = catalog.vocabulary.taxonomies[:2]
    rows = tuple(p.slug for p in catalog.ordered(catalog.terms[row_axis.key]))
    columns = tuple(p.slug for p in catalog.ordered(catalog.terms[column_axis.key]))
    # one pass over the studies (in key order), not one per cell
    members: dict[tuple[str, str], list[tuple[str, Study]]] = {}
    for key, page in sorted(catalog.studies.items()):
        study = page.study
        if study is None:
            continue
        for row in dict.fromkeys(study.terms_of(row_axis.key)):
            for column in dict.fromkeys(study.terms_of(column_axis.key)):
                members.setdefault((row, column), []).append((key, study))
    cells = {}
    for row in rows:
        for column in columns:
            cells[(row, column)] = _make_cell(row, column, members.get((row, column), []))
    return Matrix(row_axis, column_axis, rows, columns, cells)


def _make_cell(row: str, column: str, members: list[tuple[str, Study]]) -> Cell:
    """Return the cell of these (key, study) members: primary studies counted, reviews kept apart."""
    primary = [(key, study) for key, study in members if not study.design.is_review]
    human = sum(1 for _, s in primary if _is_human(s))
    designs = [s.design for _, s in primary if _is_human(s)] or [s.design for _, s in primary]
    strongest = min(designs, key=lambda d: d.rank) if designs else None
    reviews = tuple(key for key, study in members if study.design.is_review)
    return Cell(row, column, tuple(k for k, _ in primary), human, len(primary) - human, strongest, reviews)


@dataclass(frozen=True)
class Gap:
    text: str
    link: str  # output path (with optional #fragment)


def find_gaps(catalog: Catalog, matrix: Matrix | None) -> list[Gap]:
    """Return where human evidence is missing (reviews do not fill a gap) and which claims rest on one small study."""
    gaps = []
    if matrix is not None:
        row_pages, column_pages = catalog.terms[matrix.row_axis.key], catalog.terms[matrix.column_axis.key]
        for row in matrix.rows:
            no_human = [c for c in matrix.columns if matrix.cell(row, c).human == 0]
            if no_human:
                names = ", ".join(column_pages[c].title for c in no_human)
                gaps.append(Gap(f"{row_pages[row].title}: no human study for {names}.", page_path(row_pages[row])))
    for section in catalog.terms.values():
        for term in catalog.ordered(section):
            for claim in term.claims:
                if claim.strength is Strength.SPECULATIVE:
                    continue
                supporting = [e for e in claim.evidence if e.role.value == "supports" and e.key in catalog.studies]
                if len(supporting) == 1:
                    study = catalog.study(supporting[0].key)
                    if study is not None:
                        n = study.n_value
                        size = f" (n = {n})" if n is not None else ""
                        gaps.append(
                            Gap(
                                f"“{claim.text}” rests on a single supporting study{size}.",
                                f"{page_path(term)}#claim-{claim.id}",
                            )
                        )
    return gaps


# the timeline's rows: one per group of designs, whatever designs the site has
TIMELINE_ROWS = (
    ("Reviews", DesignGroup.REVIEW),
    ("Randomised trials", DesignGroup.RANDOMISED),
    ("Other human studies", DesignGroup.HUMAN),
    ("Animal and lab studies", DesignGroup.LABORATORY),
)


def timeline_svg(catalog: Catalog, link: Callable[[str], str]) -> Markup:
    """Return an accessible SVG chart: one row per design group, one mark per study, by year."""
    studies = [
        (key, page.study) for key, page in sorted(catalog.studies.items()) if page.study and page.study.work.year
    ]
    if not studies:
        return Markup("")
    years = [s.work.year for _, s in studies if s.work.year]
    first, last = min(years), max(years)
    first -= first % 5
    last += 5 - last % 5 if last % 5 else 0
    left, right, row_height, top = 170, 20, 56, 20
    width = 900
    span = max(last - first, 1)
    height = top + row_height * len(TIMELINE_ROWS) + 40

    def x(year: int) -> float:
        return left + (width - left - right) * (year - first) / span

    # plain f-strings with explicit escape(): Markup.format costs ~10 µs a call and a big site has thousands of marks
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="group" aria-labelledby="timeline-title timeline-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="timeline-title">Studies by year and design</title>',
        f'<desc id="timeline-desc">{escape(f"{len(studies)} studies from {min(years)} to {max(years)}, grouped by design; each mark links to its study.")}</desc>',
    ]
    for year in range(first, last + 1, 5):
        grid_x = f"{x(year):.1f}"
        parts.append(
            f'<line class="grid" x1="{grid_x}" x2="{grid_x}" y1="{top}" y2="{height - 30}"/>'
            f'<text class="axis" x="{grid_x}" y="{height - 12}" text-anchor="middle">{year}</text>'
        )
    row_of = {group: row for row, (_, group) in enumerate(TIMELINE_ROWS)}
    rows: list[list[tuple[str, Study]]] = [[] for _ in TIMELINE_ROWS]
    for key, study in studies:
        rows[row_of[study.design.group]].append((key, study))
    for row, (label, _) in enumerate(TIMELINE_ROWS):
        y = top + row_height * row + row_height / 2
        parts.append(f'<text class="row-label" x="8" y="{y:.1f}" dominant-baseline="middle">{escape(label)}</text>')
        stack: dict[int, int] = {}
        for key, study in rows[row]:
            year = study.work.year or first
            offset = stack.get(year, 0)
            stack[year] = offset + 1
            cy = y - 14 + (offset % 4) * 9
            cx = x(year) + (offset // 4) * 9
            if _is_human(study):
                mark = f'<circle class="mark circle" cx="{cx:.1f}" cy="{cy:.1f}" r="4.5"/>'
            else:
                mark = f'<rect class="mark square" x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8"/>'
            title = f"{study.work.title} ({year}) – {study.design.label}"
            href = link(study_path(key))
            parts.append(f'<a href="{escape(href)}"><title>{escape(title)}</title>{mark}</a>')
    parts.append("</svg>")
    return Markup("".join(parts))
