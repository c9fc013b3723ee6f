"""Typed reading of nested front-matter values (lists of mappings), each problem reported at its line.

The evidence fields (`results`, `risk_of_bias`, `questions`) are mappings inside lists; this reads them
the way the schema reads top-level fields: text stays text until a field asks for a number or a choice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from evidencesite.content.field_reader import LocatedReport
from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import SLUG
from evidencesite.errors import did_you_mean

Where = tuple[str | int, ...]
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
WHOLE = re.compile(r"[0-9]{1,12}")
LARGEST = 1e12  # far beyond any effect, CI or count; keeps every difference of two numbers finite


@dataclass
class NestedFields(LocatedReport):
    """Reads values below one path of a document's front matter and reports problems at their lines."""

    def unique_id(self, item: dict[str, Any], where: Where, what: str, seen: dict[str, int], hint: str = "") -> str:
        """Return the item's `id` (lowercase a-z, 0-9, '-'; unique among `seen`, which it joins), or '' after reporting why not."""
        value = self.text(item, "id", where, required=True)
        if value and not SLUG.fullmatch(value):
            self.error(f"{what} id '{value}' must be lowercase a-z, 0-9 and '-'{hint}", *where, "id")
            return ""
        if value in seen:
            self.error(f"duplicate {what} id '{value}' (first used on line {seen[value]})", *where, "id")
            return ""
        if value:
            seen[value] = self.line(*where, "id")
        return value

    def field_lines(self, where: Where) -> dict[str, int]:
        """Return the line of each key below `where` ('ci' -> 12, 'events.1' -> 14)."""
        size = len(where)
        return {
            ".".join(map(str, path[size:])): line
            for path, line in self.raw.document.lines.items()
            if len(path) > size and path[:size] == where
        }

    def items(self, key: str, what: str) -> list[tuple[int, dict[str, Any]]]:
        """Return the mappings listed under top-level `key` with their index; report anything else."""
        value = self.raw.document.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"'{key}' must be a list of {what}", key)
            return []
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append((index, item))
            else:
                self.error(f"each item of '{key}' must be a mapping ({what})", key, index)
        return found

    def unknown_keys(self, item: dict[str, Any], known: tuple[str, ...], where: Where, what: str) -> None:
        for key in item:
            if key not in known:
                self.warning(f"unknown {what} field '{key}'{did_you_mean(key, known)}", *where, key)

    def text(self, item: dict[str, Any], key: str, where: Where, required: bool = False) -> str:
        value = item.get(key)
        if isinstance(value, Scalar) and value.text.strip():
            return value.text.strip()
        if value is not None or required:
            self.error(f"'{key}' must be non-empty text", *where, *((key,) if key in item else ()))
        return ""

    def choice(self, item: dict[str, Any], key: str, choices: tuple[str, ...], where: Where, required: bool = False) -> str:
        value = self.text(item, key, where, required)
        if value and value not in choices:
            self.error(f"unknown {key} '{value}'{did_you_mean(value, choices)}; expected one of: {', '.join(choices)}", *where, key)
            return ""
        return value

    def number(self, value: Any, where: Where, name: str) -> float | None:
        if isinstance(value, Scalar) and NUMBER.fullmatch(value.text.strip()):
            number = float(value.text)
            if math.isfinite(number) and abs(number) <= LARGEST:
                return number
            if math.isfinite(number):
                self.error(f"{name} {value.text.strip()} is beyond ±1e12 (a typing slip?): check the number", *where)
                return None
        shown = value.text if isinstance(value, Scalar) else "a list or mapping"
        self.error(f"{name} must be a number such as -0.8 or 1.25, not '{shown}'", *where)
        return None

    def pair(self, item: dict[str, Any], key: str, where: Where, whole: bool = False) -> tuple[float, ...] | None:
        """Return the two numbers of `key: [a, b]` (whole numbers when `whole`), or None after reporting why not."""
        value = item.get(key)
        if not isinstance(value, list) or len(value) != 2:
            example = "[24, 15] (intervention, then comparator)" if whole else "[low, high]"
            self.error(f"'{key}' must be a list of two numbers, e.g. {key}: {example}", *where, key)
            return None
        numbers = []
        for index, entry in enumerate(value):
            if whole:
                if not (isinstance(entry, Scalar) and WHOLE.fullmatch(entry.text.strip())):
                    self.error(f"'{key}' must hold whole numbers of 0 or more, not '{_show(entry)}'", *where, key, index)
                    return None
                numbers.append(float(entry.text))
                continue
            number = self.number(entry, (*where, key, index), f"'{key}' item {index + 1}")
            if number is None:
                return None
            numbers.append(number)
        return tuple(numbers)

    def whole(self, item: dict[str, Any], key: str, where: Where, low: int, high: int) -> int:
        """Return a whole number from low to high written under `key` (0 when absent or reported)."""
        value = item.get(key)
        if value is None:
            return 0
        if isinstance(value, Scalar) and WHOLE.fullmatch(value.text.strip()) and low <= int(value.text) <= high:
            return int(value.text)
        self.error(f"'{key}' must be a whole number from {low} to {high}, not '{_show(value)}'", *where, key)
        return 0


def _show(value: Any) -> str:
    return value.text if isinstance(value, Scalar) else "a list or mapping"
