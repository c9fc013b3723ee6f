"""The settings of site_config.yaml for readers' features: search date, review interval, readability, contents.

Read by config.load_config into `SiteConfig.reader`; every key is documented in docs/authoring.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencesite.content.frontmatter import Scalar
from evidencesite.content.reader_fields import build_date, check_date
from evidencesite.errors import Diagnostics

READER_KEYS = ("searched", "review_due_months", "readability_grade", "toc_min_headings")


@dataclass(frozen=True)
class ReaderSettings:
    searched: str = ""  # YYYY-MM-DD: the site's evidence was searched up to this date (a page may give its own)
    review_due_months: int = 12  # `check` warns when a page's `reviewed` date is older than this (0: never)
    readability_grade: float = 8.0  # `check` warns when a plain summary or key message reads above this grade
    toc_min_headings: int = 4  # a page with this many `##` headings gets a table of contents (0: never)


def read_reader_settings(
    data: dict[str, Any], path: Path, line: Callable[..., int], diagnostics: Diagnostics
) -> ReaderSettings:
    """Return the reader settings of site_config.yaml (defaults where absent), reporting bad values at their line."""
    defaults = ReaderSettings()
    searched = ""
    value = data.get("searched")
    if value is not None:
        text = value.text.strip() if isinstance(value, Scalar) else ""
        problem = check_date(text, build_date()) if text else "must be a date written YYYY-MM-DD"
        if problem:
            diagnostics.error(path, line("searched"), f"'searched' {problem}")
        else:
            searched = text
    return ReaderSettings(
        searched=searched,
        review_due_months=_number(data, "review_due_months", defaults.review_due_months, 0, 600, path, line, diagnostics),
        readability_grade=_number(data, "readability_grade", defaults.readability_grade, 1, 20, path, line, diagnostics, whole=False),
        toc_min_headings=_number(data, "toc_min_headings", defaults.toc_min_headings, 0, 100, path, line, diagnostics),
    )


def _number(
    data: dict[str, Any],
    key: str,
    default: Any,
    low: int,
    high: int,
    path: Path,
    line: Callable[..., int],
    diagnostics: Diagnostics,
    whole: bool = True,
) -> Any:
    value = data.get(key)
    if value is None:
        return default
    text = value.text.strip() if isinstance(value, Scalar) else ""
    kind = "a whole number" if whole else "a number"
    try:
        number = int(text) if whole else float(text)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        diagnostics.error(path, line(key), f"'{key}' must be {kind} from {low} to {high}, not '{text or 'a list or mapping'}'")
        return default
    return number
