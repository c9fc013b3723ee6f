"""Validated pages to JSON-ready lists and back, so an unchanged note is not validated again.

The codec is derived from the model's own type hints, so a field added to a model is stored without
anyone remembering to update this file. A dataclass is stored as the list of its field values in
field order (compact, and quick to rebuild). Decoding is strict: every value must have exactly the
type its field declares, or `ValueError` is raised and the caller validates the file instead (a cache
file is never trusted). Decoders are built once per type, as closures: a build decodes thousands of
values.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evidencesite.models import Page

Decoder = Callable[[Any], Any]


def encode(value: Any) -> Any:
    """Return `value` as JSON-ready data: dataclasses as lists of field values, enums by value, paths as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [encode(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")


def decode_page(data: Any) -> Page:
    """Rebuild a Page from `encode(page)`; raise ValueError for anything else."""
    page: Page = decoder_for(Page)(data)
    return page


@functools.cache  # a pure function of the type: each decoder is built once per process
def decoder_for(annotation: Any) -> Decoder:
    """Return a function that checks JSON data against `annotation` and converts it."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        arms = typing.get_args(annotation)
        first = _first_of([decoder_for(arm) for arm in arms if arm is not type(None)])
        if type(None) not in arms:
            return first
        return lambda data: None if data is None else first(data)  # `X | None`: no exception raised for None
    if origin is tuple:
        item, *rest = typing.get_args(annotation)
        if rest != [Ellipsis]:
            raise TypeError(f"only tuple[X, ...] is supported, not {annotation}")
        return _sequence(decoder_for(item))
    if origin is dict:
        key_type, value_type = typing.get_args(annotation)
        if key_type is not str:
            raise TypeError(f"only str keys are supported, not {annotation}")
        return _mapping(decoder_for(value_type))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _dataclass(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    if annotation is Path:
        check = _exactly(str)
        return lambda data: Path(check(data))
    if annotation in (str, int, bool, float, type(None)):
        return _exactly(annotation)
    raise TypeError(f"no decoder for {annotation}")


def _exactly(expected: type) -> Decoder:
    def check(data: Any) -> Any:
        if type(data) is not expected:  # not isinstance: True is an int, and must not pass for one
            raise ValueError(f"expected {expected.__name__}, found {type(data).__name__}")
        return data

    return check


def _first_of(arms: list[Decoder]) -> Decoder:
    def first(data: Any) -> Any:
        for arm in arms:
            try:
                return arm(data)
            except ValueError:
                continue
        raise ValueError("no alternative of the union fits")

    return first


def _sequence(item: Decoder) -> Decoder:
    def sequence(data: Any) -> tuple[Any, ...]:
        if type(data) is not list:
            raise ValueError("expected a list")
        return tuple([item(value) for value in data])

    return sequence


def _mapping(value: Decoder) -> Decoder:
    def mapping(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise ValueError("expected an object")
        return {key: value(item) for key, item in data.items()}  # JSON object keys are always text

    return mapping


def _enum(kind: type[enum.Enum]) -> Decoder:
    members = {member.value: member for member in kind}

    def member(data: Any) -> enum.Enum:
        try:
            return members[data]
        except (KeyError, TypeError):
            raise ValueError(f"not a {kind.__name__}") from None

    return member


def _dataclass(kind: type) -> Decoder:
    """Decode a dataclass from its field values; generated as straight-line code, like dataclasses' own
    __init__ (a page is ~16 instances and ~150 values: a loop of calls per field took ~0.5 s at 10,000 notes).

    Fields of a plain type (str, int, bool, float, None) are checked inline; the instance is made without
    its __init__ (a frozen dataclass's sets each field through object.__setattr__), which is what that
    __init__ would do for a class without __post_init__, init=False fields or slots; others are made by calling it.
    """
    hints = typing.get_type_hints(kind)
    fields = dataclasses.fields(kind)
    count = len(fields)
    scope: dict[str, Any] = {"kind": kind, "new": object.__new__, "ValueError": ValueError}
    lines = [
        "def instance(data):",
        f"    if type(data) is not list or len(data) != {count}:",
        f"        raise ValueError('expected the {count} fields of {kind.__name__}')",
    ]
    if count:
        lines.append(f"    {', '.join(f'v{i}' for i in range(count))}, = data")
    for i, field in enumerate(fields):
        annotation = hints[field.name]
        if annotation in _PLAIN:
            scope[f"t{i}"] = annotation  # not isinstance: True is an int, and must not pass for one
            lines.append(f"    if type(v{i}) is not t{i}:")
            lines.append(f"        raise ValueError('expected {annotation.__name__} for {kind.__name__}.{field.name}')")
        else:
            scope[f"d{i}"] = decoder_for(annotation)
            lines.append(f"    v{i} = d{i}(v{i})")
    values = ", ".join(f"v{i}" for i in range(count))
    if hasattr(kind, "__post_init__") or "__slots__" in vars(kind) or not all(field.init for field in fields):
        lines.append(f"    return kind({values})")
    else:
        lines.append("    made = new(kind)")
        names = ", ".join(f"{field.name!r}: v{i}" for i, field in enumerate(fields))
        lines.append(f"    made.__dict__.update({{{names}}})")
        lines.append("    return made")
    exec("\n".join(lines), scope)  # code made above from the model's own field names
    instance: Decoder = scope["instance"]
    return instance


_PLAIN = (str, int, bool, float, type(None))
