"""Pandoc citation syntax: find `[@key]` groups and narrative `@key`, parse them into items.

Pure text in, values out: the Markdown extension (markdown/extensions.py) decides where these patterns may
appear (never in code), and the page registry (page_citations) numbers and formats them.

The key grammar is Pandoc's (2.17, checked against it by tests/test_pandoc_syntax.py): a key starts with a
letter (any script), digit or '_', continues with letters, digits and '_', and may hold the punctuation
:.#$%&-+?<>~/ when a letter, digit or '_' follows it (so trailing punctuation is not part of it; '://' is
allowed for URL-like keys). Any key without white space and with balanced braces can be written `@{...}`.
Keys are case-sensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `\w` is Unicode-aware: letters of every script, digits and '_', as Pandoc's isAlphaNum plus '_'
SIMPLE_KEY = r"\w(?:\w|[:.#$%&+?<>~/-](?=\w)|[:/](?=/))*"
_BRACED_KEY = r"\{(?:[^\s{}]|\{[^\s{}]*\})+\}"
KEY = rf"(?:{_BRACED_KEY}|{SIMPLE_KEY})"
_SIMPLE = re.compile(SIMPLE_KEY)
_NESTED = r"(?:[^\[\]]|\[[^\[\]]*\])"  # text with brackets nested one level deep: a locator's 'fig. [3]'
# '@' counts as a citation marker only at the start of an item or after space, '-' or ';'.
_MARKER = re.compile(r"(?:^|(?<=[\s;\[]))(?P<suppress>-)?@(?P<rest>.?)")
BRACKET_PATTERN = rf"\[(?P<body>{_NESTED}*?(?:^|(?<=[\s;\[]))-?@{_NESTED}*)\](?![(\[])"
# Not after a word character or URL punctuation (e-mail addresses, '?user=@x', 'https://host/@user').
# An optional bracket right after it (`@key [p. 3]`, `@key [p. 3; @other]`) is parsed by parse_narrative_bracket.
NARRATIVE_PATTERN = (
    r"(?<![\w@.:/\\+=&?%#~\[])@(?P<key>" + KEY + r")"
    r"(?:(?P<gap>[ \t]*\n?[ \t]*)\[(?!\^)(?P<bracket>" + _NESTED + r"*)\](?![(\[]))?"
)


@dataclass(frozen=True)
class CitationItem:
    """One cited work inside a citation: `[see @key, p. 3]` has prefix 'see' and locator 'p. 3'."""

    key: str
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    """One citation; when `narrative`, the first item is written in the text (`@key says`)."""

    items: tuple[CitationItem, ...]
    narrative: bool = False


class CitationSyntaxError(ValueError):
    """The text looks like a citation but cannot be one; the message says how to fix it."""


def split_key(text: str) -> tuple[str, str]:
    """Split `text` (starting at a key, braced or not) into the key and what follows it."""
    if text.startswith("{"):
        depth = 0
        for index, char in enumerate(text):
            if char.isspace():
                break
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth == 0:
                return (text[1:index], text[index + 1 :]) if index > 1 else ("", text)
        return "", text
    match = _SIMPLE.match(text)
    if not match:
        return "", text
    return match.group(0), text[match.end() :]


def is_simple_key(key: str) -> bool:
    """True when `key` can be cited without braces (`@key`)."""
    return _SIMPLE.fullmatch(key) is not None


def check_key(key: str) -> None:
    """Raise CitationSyntaxError unless Pandoc accepts `key` (written `@key`, or `@{key}` when it needs braces)."""
    if not key:
        raise CitationSyntaxError("empty citation key: write '[@key]'")
    if any(char.isspace() for char in key):
        hint = re.sub(r"\s+", "_", key.strip())
        raise CitationSyntaxError(
            f"citation key '{key}' contains white space, which Pandoc does not accept in a key; rename it (e.g. '{hint}')"
        )
    depth = 0
    for char in key:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        hint = key.replace("{", "").replace("}", "")
        raise CitationSyntaxError(
            f"citation key '{key}' has unbalanced braces, which Pandoc cannot read; rename it (e.g. '{hint}')"
        )


def _split_items(body: str) -> list[str]:
    """Split a citation group at the ';' that are not inside nested brackets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(body):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    return parts


def parse_bracket(body: str) -> Citation:
    """Parse the inside of `[...]` holding one or more `;`-separated citation items."""
    return Citation(tuple(_parse_item(part) for part in _split_items(body)))


def _parse_item(part: str) -> CitationItem:
    marker = _MARKER.search(part)
    if marker is None:
        raise CitationSyntaxError(
            f"'{part.strip()}' in a citation group has no @key; separate works with ';' and start each with @"
        )
    after = part[marker.start("rest") :]
    if not after or after[0].isspace() or after[0] in "];":
        if after.strip():
            raise CitationSyntaxError("space after '@' in a citation: write '[@key]'")
        raise CitationSyntaxError("empty citation key: write '[@key]'")
    key, rest = split_key(after)
    if not key:
        raise CitationSyntaxError(
            f"'@{after.split()[0]}' is not a citation key: a key starts with a letter, digit or '_' "
            "(write other keys in braces, e.g. '@{-key}')"
        )
    prefix = part[: marker.start()].strip()
    locator = rest.strip()
    if locator.startswith(","):
        locator = locator[1:].strip()
    if _MARKER.search(locator):
        raise CitationSyntaxError(
            f"'{locator}' after @{key} holds another citation: separate works with ';' (e.g. '[@{key}; @other]')"
        )
    return CitationItem(key, prefix, locator, bool(marker.group("suppress")))


def parse_narrative_bracket(body: str) -> tuple[str, tuple[CitationItem, ...]] | None:
    """Parse the bracket after a narrative `@key`: return (locator, further items), or None if it is not one.

    As Pandoc: `@a [@b]` and `@a [-@b]` add works; `@a [p. 3]` gives a locator; `@a [p. 3; @b]` both. A
    bracket that is neither (a word list, a footnote) stays text.
    """
    parts = _split_items(body)
    try:
        if _MARKER.search(parts[0]):
            return "", parse_bracket(body).items
        rest = tuple(_parse_item(part) for part in parts[1:])
    except CitationSyntaxError:
        return None
    return parts[0].strip(), rest


def looks_like_citation(body: str) -> bool:
    """True when a bracket holds an '@' in citation position (so errors in it are reported)."""
    return _MARKER.search(body) is not None
