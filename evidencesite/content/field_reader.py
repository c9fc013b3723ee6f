"""Typed reading of one document's front matter: every field reader reports its problems at the key's line.

The per-kind readers (content/study_fields.py, content/claims.py, and any new group of fields) take a FieldReader
and ask it for text, numbers, dates, lists and choices; it writes the error and returns an empty value, so a reader
goes on and every problem in a file is reported in one run.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import SLUG, RawDocument
from evidencesite.errors import Diagnostics, did_you_mean

DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
MAX_DIGITS = 15  # a whole number in front matter: far beyond any year, order or sample size, far below int's limit
NO_EFFECT_HINT = {"finding": "a study that found no effect", "role": "evidence that found no effect"}

E = TypeVar("E", bound=enum.Enum)


@dataclass
class LocatedReport:
    """One document and where its problems go: errors and warnings at the line of a front-matter path."""

    raw: RawDocument
    diagnostics: Diagnostics

    def line(self, *path: str | int) -> int:
        return self.raw.document.line_of(*path)

    def error(self, message: str, *path: str | int) -> None:
        self.diagnostics.error(self.raw.path, self.line(*path), message)

    def warning(self, message: str, *path: str | int) -> None:
        self.diagnostics.warning(self.raw.path, self.line(*path), message)


@dataclass
class FieldReader(LocatedReport):
    """Typed access to one document's front matter that reports problems at the key's line."""

    @property
    def data(self) -> dict[str, Any]:
        return self.raw.document.data

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field '{key}'")
            return ""
        if not isinstance(value, Scalar):
            self.error(f"'{key}' must be text, not a {shape(value)}", key)
            return ""
        if required and not value.text.strip():
            self.error(f"'{key}' must not be empty", key)
        return value.text.strip()

    def integer(self, key: str, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field '{key}'")
            return None
        if isinstance(value, Scalar) and re.fullmatch(r"[+-]?[0-9]+", value.text.strip()):
            if len(value.text.strip().lstrip("+-")) <= MAX_DIGITS:
                return int(value.text)
            self.error(f"'{key}' must be a whole number of at most {MAX_DIGITS} digits", key)
            return None
        self.error(f"'{key}' must be a whole number, not '{show(value)}'", key)
        return None

    def boolean(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            if key in self.data:
                self.error(f"'{key}' has no value (YAML reads null, ~ and an empty value as nothing): write true or false, or remove the line", key)
            return False
        if isinstance(value, Scalar) and value.text.lower() in ("true", "false"):
            return value.text.lower() == "true"
        self.error(f"'{key}' must be true or false, not '{show(value)}'", key)
        return False

    def date(self, key: str) -> str:
        """Return the text under `key` after checking it is a real date written YYYY-MM-DD (reported when not)."""
        value = self.text(key)
        if value and not is_real_date(value):
            self.error(f"'{key}' must be a real date written YYYY-MM-DD (e.g. 2019-03-15), not '{value}'", key)
        return value

    def choice(self, key: str, kind: type[E], required: bool = False) -> E | None:
        """Return the member of `kind` written under `key` (None when absent or unknown, which is reported)."""
        value = self.chosen(key, choices_of(kind), required)
        return kind(value) if value else None

    def chosen(self, key: str, choices: tuple[str, ...], required: bool = False) -> str:
        """Return one of `choices` written under `key` ('' when absent); null, ~ or nothing is an error."""
        if key in self.data and self.data[key] is None:
            self.error(no_value(key, choices), key)
            return ""
        value = self.text(key, required)
        if not value:
            return ""
        if value in choices:
            return value
        self.error(unknown_choice(key, value, choices), key)
        return ""

    def member(self, kind: type[E], value: str, name: str, *path: str | int) -> E | None:
        """Return the member of `kind` whose value is `value` (from inside a list or mapping), reporting at `path`."""
        if not value:
            return None
        choices = choices_of(kind)
        if value in choices:
            return kind(value)
        self.error(unknown_choice(name, value, choices), *path)
        return None

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field '{key}'")
            return ()
        if isinstance(value, Scalar):
            self.error(f"'{key}' must be a list (e.g. '{key}: [a, b]'), not text", key)
            return ()
        if not isinstance(value, list):
            self.error(f"'{key}' must be a list, not a {shape(value)}", key)
            return ()
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, Scalar) or not item.text.strip():
                self.error(f"'{key}' item {index + 1} must be non-empty text", key, index)
                continue
            result.append(item.text.strip())
        return tuple(result)

    def slugs(self, key: str, required: bool = False) -> tuple[str, ...]:
        values = self.strings(key, required)
        for index, value in enumerate(values):
            if not SLUG.fullmatch(value):
                self.error(f"'{value}' in '{key}' is not a slug (lowercase a-z, 0-9 and '-')", key, index)
        return tuple(v for v in values if SLUG.fullmatch(v))


def no_value(key: str, choices: tuple[str, ...]) -> str:
    """The message for `key: null` (or `~`, or nothing) where one of `choices` is required."""
    hint = f" ('no-effect' for {NO_EFFECT_HINT[key]})" if key in NO_EFFECT_HINT else ""
    return (
        f"'{key}' has no value (YAML reads null, ~ and an empty value as nothing): write one of: "
        f"{', '.join(choices)}{hint}, or remove the line"
    )


def unknown_choice(key: str, value: str, choices: tuple[str, ...]) -> str:
    """The message for a value that is not one of `choices`; 'null' is pointed to 'no-effect'."""
    if value == "null" and "no-effect" in choices:
        return f"{key} 'null' is not a value: write 'no-effect' for {NO_EFFECT_HINT.get(key, 'no effect')}"
    return f"unknown {key} '{value}'{did_you_mean(value, choices)}; expected one of: {', '.join(choices)}"


@functools.cache
def choices_of(kind: type[enum.Enum]) -> tuple[str, ...]:
    """The values of an enum, computed once (validation asks thousands of times)."""
    return tuple(member.value for member in kind)


def shape(value: object) -> str:
    """The YAML shape of a value that is not text, for a message: 'list', 'mapping' or 'value'."""
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else "value"


def show(value: object) -> str:
    """A value as the author wrote it when it is text, else its shape."""
    return value.text if isinstance(value, Scalar) else shape(value)


def is_real_date(text: str) -> bool:
    """True for a date that exists, written YYYY-MM-DD in ASCII digits ('2019-02-30' is not one)."""
    match = DATE.fullmatch(text)
    if match is None:
        return False
    try:
        datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True
