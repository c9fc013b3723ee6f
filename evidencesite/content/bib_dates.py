"""Dates as reference managers write them, reduced to one ISO 'YYYY[-MM[-DD]]' (the start of a range)."""

from __future__ import annotations

import calendar
import re
from typing import Any

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# BibTeX's standard styles define these macros; `month = mar` is the usual form.
MONTH_MACROS = {
    name: full
    for name, full in zip(
        MONTHS,
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        strict=True,
    )
}
# BibLaTeX's `date` is EDTF level 0/1: '2019', '2019-03', '2019-03-15', ranges '2019-03/2020-01', open ranges
# '2019/..', qualifiers '2019?' '2019~' '2019%', and a time 'T10:00:00Z' that we drop.
# ASCII digits only: `\d` would take any script's digits, which int() reads but no reference should show
_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?[?~%]?", re.ASCII)


def iso_date(year: int, month: int = 0, day: int = 0) -> str | None:
    """Return 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', or None when a part is out of range or the day does not exist."""
    if not 1 <= year <= 9999 or not 0 <= month <= 12 or not 0 <= day <= 31 or (day and not month):
        return None
    if day and day > calendar.monthrange(year, month)[1]:  # 2019-02-30
        return None
    text = f"{year:04d}"
    if month:
        text += f"-{month:02d}"
        if day:
            text += f"-{day:02d}"
    return text


def parse_edtf(text: str) -> str | None:
    """Return the start of a BibLaTeX/EDTF date or range as ISO, or None when it is not one.

    Seasons ('2019-21') keep only the year; '00' months and days (ADS writes '1993-00-00') are dropped.
    """
    text = text.strip()
    start, _, end = text.partition("/")
    start = start.strip()
    if start in ("", ".."):
        start = end.strip()
    match = _ISO.fullmatch(start)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2) or 0)
    day = int(match.group(3) or 0)
    if month > 12:  # EDTF seasons 21-24 (and 25-41): the year is what a reference shows
        month, day = 0, 0
    return iso_date(year, month, day if month else 0)


def month_number(text: str) -> int | None:
    """Return 1-12 for 'mar', 'March', 'Mar.', '3', '03' (and the first of 'Mar-Apr'), else None."""
    text = text.strip().lower()
    if re.fullmatch(r"[0-9]{1,2}", text):
        number = int(text)
        return number if 1 <= number <= 12 else None
    match = re.match(r"([a-z]{3,})\.?(?:\s*[-/–]\s*[a-z]+\.?)?$", text)
    if match:
        word = match.group(1)
        for index, name in enumerate(MONTHS):
            if MONTH_MACROS[name].lower().startswith(word) and word.startswith(name):
                return index + 1
    return None


def csl_date(value: Any) -> tuple[str | None, str]:
    """Return (ISO start date or None, the text it was read from) for a CSL-JSON date variable.

    `date-parts` ([[2019, 3, 15]], [["2019", "3"]], a range [[2019, 3], [2020, 1]]), then `raw` (ISO/EDTF, or
    any text holding a year) and `literal`. A missing date, or a literal without a year, is (None, '').
    """
    if not isinstance(value, dict):
        return (None, str(value)) if value not in (None, "", {}) else (None, "")
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0]
        shown = "-".join(str(p) for p in first)
        texts = [str(p).strip() for p in first[:3]]
        if not all(re.fullmatch(r"[0-9]{1,4}", text) for text in texts):  # ASCII, and no 5,000-digit year
            return None, shown[:40]
        numbers = [int(text) for text in texts]
        numbers += [0] * (3 - len(numbers))
        return iso_date(numbers[0], numbers[1], numbers[2]), shown
    for name in ("raw", "literal"):
        text = value.get(name)
        if isinstance(text, str) and text.strip():
            iso = parse_edtf(text)
            if iso is None:
                year = re.search(r"\b([0-9]{4})\b", text)
                iso = year.group(1) if year else None
            # a literal such as 'in press' is no malformed date: the work simply has no year
            return iso, text.strip() if iso or name == "raw" else ""
    return None, ""
