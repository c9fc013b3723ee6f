"""Read the vocabulary settings of site_config.yaml (`taxonomies`, `designs`, `default_designs`,
`note_sections`) into a `Vocabulary`, reporting every problem at its line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evidencesite.content.frontmatter import Scalar
from evidencesite.content.vocabulary import (
    DEFAULT_DESIGN_ROWS,
    DEFAULT_NOTE_SECTIONS,
    DEFAULT_TAXONOMIES,
    Taxonomy,
    Vocabulary,
    _plural,
    make_designs,
)
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.models import DesignGroup

VOCABULARY_KEYS = ("taxonomies", "designs", "default_designs", "note_sections")
KEY = re.compile(r"\A[a-z][a-z0-9-]*\Z")
# URL folders the generator writes itself, and the content folders it reads: no taxonomy may take one
RESERVED_KEYS = frozenset(
    ("studies", "pages", "evidence", "references", "search", "static", "index", "404", "feed", "sitemap", "exports", "results")
)
RESERVED_PARAMS = frozenset(("design", "population", "finding", "rob"))  # the explorer's other filters
TAXONOMY_FIELDS = ("key", "title", "singular", "required", "sections", "in_text")
DESIGN_FIELDS = ("key", "label", "plural", "type", "weak", "after", "before")
GROUPS = tuple(group.value for group in DesignGroup)

Line = Callable[..., int]


class _Report:
    """Located errors about site_config.yaml."""

    def __init__(self, path: Path, line: Line, diagnostics: Diagnostics) -> None:
        self.path, self.line, self.diagnostics = path, line, diagnostics

    def error(self, message: str, *where: str | int) -> None:
        self.diagnostics.error(self.path, self.line(*where), message)

    def unknown_fields(self, entry: dict[str, Any], allowed: tuple[str, ...], what: str, *where: str | int) -> None:
        for name in entry:
            if name not in allowed:
                self.error(f"unknown {what} setting '{name}'{did_you_mean(name, allowed)}", *where, name)


def read_vocabulary(data: dict[str, Any], path: Path, line: Line, diagnostics: Diagnostics) -> Vocabulary:
    """Return the site's vocabulary: the defaults, changed by whatever site_config.yaml declares."""
    report = _Report(path, line, diagnostics)
    taxonomies = _taxonomies(data.get("taxonomies"), report) if "taxonomies" in data else DEFAULT_TAXONOMIES
    note_sections = _texts(data, "note_sections", report) if "note_sections" in data else DEFAULT_NOTE_SECTIONS
    designs = _designs(data, report)
    return Vocabulary(taxonomies, make_designs(designs), note_sections)


def _text(entry: dict[str, Any], name: str, report: _Report, *where: str | int) -> str:
    value = entry.get(name)
    if value is None:
        return ""
    if not isinstance(value, Scalar) or not value.text.strip():
        report.error(f"'{name}' must be non-empty text", *where, name)
        return ""
    return value.text.strip()


def _flag(entry: dict[str, Any], name: str, report: _Report, *where: str | int) -> bool:
    value = entry.get(name)
    if value is None:
        return False
    if isinstance(value, Scalar) and value.text in ("true", "false"):
        return value.text == "true"
    report.error(f"'{name}' must be true or false", *where, name)
    return False


def _texts(data: dict[str, Any], name: str, report: _Report, *where: str | int) -> tuple[str, ...]:
    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(item, Scalar) and item.text.strip() for item in value):
        report.error(f"'{name}' must be a list of headings (non-empty text)", *where, name)
        return ()
    return tuple(item.text.strip() for item in value)


def _taxonomies(value: Any, report: _Report) -> tuple[Taxonomy, ...]:
    if not isinstance(value, list) or not value:
        report.error("'taxonomies' must be a list of one or more {key, title, singular} entries", "taxonomies")
        return DEFAULT_TAXONOMIES
    result: list[Taxonomy] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(value):
        where = ("taxonomies", index)
        if not isinstance(entry, dict):
            report.error("each taxonomy must be a mapping such as {key: outcomes, title: Outcomes, singular: Outcome}", *where)
            continue
        report.unknown_fields(entry, TAXONOMY_FIELDS, "taxonomy", *where)
        key, title, singular = (_text(entry, name, report, *where) for name in ("key", "title", "singular"))
        missing = [name for name in ("key", "title", "singular") if name not in entry]
        if missing:
            report.error(f"taxonomy {index + 1} needs {' and '.join(repr(m) for m in missing)}", *where)
            continue
        if not key or not title or not singular:
            continue
        if not KEY.fullmatch(key):
            report.error(
                f"taxonomy key '{key}' must be lowercase a-z, 0-9 and '-', starting with a letter (it is the "
                "front-matter field, the content folder and the URL folder)",
                *where,
                "key",
            )
            continue
        if key in RESERVED_KEYS:
            report.error(f"taxonomy key '{key}' is a folder the generator uses itself; choose another key", *where, "key")
            continue
        if key in seen:
            report.error(f"duplicate taxonomy key '{key}' (first on line {seen[key]})", *where, "key")
            continue
        seen[key] = report.line(*where, "key")
        taxonomy = Taxonomy(
            key,
            title,
            singular,
            _flag(entry, "required", report, *where),
            _texts(entry, "sections", report, *where) if "sections" in entry else (),
            _text(entry, "in_text", report, *where),
        )
        clash = next((t for t in result if t.param == taxonomy.param), None)
        if taxonomy.param in RESERVED_PARAMS or not taxonomy.param or clash is not None:
            report.error(
                f"singular '{singular}' names the explorer's filter '{taxonomy.param}', which "
                + (f"taxonomy '{clash.key}' already uses" if clash else "is taken")
                + "; choose another singular",
                *where,
                "singular",
            )
            continue
        result.append(taxonomy)
    return tuple(result) or DEFAULT_TAXONOMIES


def _designs(data: dict[str, Any], report: _Report) -> list[tuple[str, ...]]:
    """Return design rows in evidence order: the defaults (unless `default_designs: false`) with the site's own."""
    keep_defaults = True
    if "default_designs" in data:
        keep_defaults = _flag(data, "default_designs", report) if data["default_designs"] is not None else True
        if data["default_designs"] is None:
            report.error("'default_designs' must be true or false", "default_designs")
    rows = [list(row) for row in DEFAULT_DESIGN_ROWS] if keep_defaults else []
    value = data.get("designs")
    if value is None:
        if "designs" in data or not keep_defaults:
            report.error("'designs' must be a list of {key, label, type} entries", "designs")
        return [tuple(row) for row in rows] or list(DEFAULT_DESIGN_ROWS)
    if not isinstance(value, list):
        report.error("'designs' must be a list of {key, label, type} entries", "designs")
        return [tuple(row) for row in rows]
    for index, entry in enumerate(value):
        where = ("designs", index)
        if not isinstance(entry, dict):
            report.error("each design must be a mapping such as {key: registry, label: Registry study, type: human-study}", *where)
            continue
        report.unknown_fields(entry, DESIGN_FIELDS, "design", *where)
        _design_entry(entry, rows, keep_defaults, report, *where)
    if not rows:
        report.error("the site has no study design: list at least one under 'designs'", "designs")
    return [tuple(row) for row in rows]


def _design_entry(
    entry: dict[str, Any], rows: list[list[str]], keep_defaults: bool, report: _Report, *where: str | int
) -> None:
    """Add or replace one design in `rows` (value, label, plural, group, 'weak'|''), at its place."""
    key = _text(entry, "key", report, *where)
    if "key" not in entry:
        report.error("a design needs 'key' (lowercase, e.g. registry-study)", *where)
    if not key:
        return
    if not KEY.fullmatch(key):
        report.error(f"design key '{key}' must be lowercase a-z, 0-9 and '-', starting with a letter", *where, "key")
        return
    existing = next((row for row in rows if row[0] == key), None)
    label = _text(entry, "label", report, *where) or (existing[1] if existing else "")
    group = _text(entry, "type", report, *where) or (existing[3] if existing else "")
    if not label or not group:
        needs = " and ".join(name for name, have in (("'label'", label), ("'type'", group)) if not have)
        report.error(f"design '{key}' needs {needs}", *where)
        return
    if group not in GROUPS:
        report.error(
            f"design '{key}': unknown type '{group}'{did_you_mean(group, GROUPS)}; expected one of: {', '.join(GROUPS)}",
            *where,
            "type",
        )
        return
    plural = _text(entry, "plural", report, *where) or (
        existing[2] if existing and "label" not in entry else _plural(label)
    )
    weak = _flag(entry, "weak", report, *where) if "weak" in entry else (
        existing[4] == "weak" if existing else group == DesignGroup.LABORATORY.value
    )
    row = [key, label, plural, group, "weak" if weak else ""]
    anchors = [name for name in ("after", "before") if name in entry]
    if len(anchors) > 1:
        report.error(f"design '{key}' has both 'after' and 'before'; give one", *where)
        return
    if existing is not None:
        position = rows.index(existing)
        rows.remove(existing)
    else:
        position = len(rows)
        if keep_defaults and not anchors:
            report.error(
                f"design '{key}' needs 'after' or 'before' (another design's key) to place it in the evidence order",
                *where,
            )
            return
    if anchors:
        anchor = _text(entry, anchors[0], report, *where)
        keys = [other[0] for other in rows]
        if anchor not in keys:
            report.error(
                f"design '{key}': '{anchors[0]}' names unknown design '{anchor}'{did_you_mean(anchor, keys)}",
                *where,
                anchors[0],
            )
            return
        position = keys.index(anchor) + (1 if anchors[0] == "after" else 0)
    rows.insert(position, row)
