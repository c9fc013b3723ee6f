"""Pandoc citation syntax: find `[@key]` groups and narrative `@key`, parse them into items.

Pure text in, values out: the Markdown extension (markdown_ext) decides where these patterns may
appear (never in code), and the page registry (page_citations) numbers and formats them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .loader import SLUG

# Pandoc: a key starts with a letter, digit or '_' and may contain internal punctuation :.#$%&-+?<>~/
_KEY_BODY = r"[A-Za-z0-9_][A-Za-z0-9_:.#$%&+?<>~/-]*"
_TRAILING_PUNCTUATION = re.compile(r"[:.#$%&+?<>~/-]+$")
# '@' counts as a citation marker only at the start of an item or after space, '-' or ';'.
_MARKER = re.compile(r"(?:^|(?<=[\s;\[]))(?P<suppress>-)?@(?P<rest>.?)")
BRACKET_PATTERN = r"\[(?P<body>[^\[\]]*?(?:^|(?<=[\s;\[]))-?@[^\[\]]*)\](?!\()"
NARRATIVE_PATTERN = r"(?<![\w@.:/\\+\-=&?%#~\[])@(?P<key>" + _KEY_BODY + ")"


@dataclass(frozen=True)
class CitationItem:
    """One cited work inside a citation: `[see @key, p. 3]` has prefix 'see' and locator 'p. 3'."""

    key: str
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    items: tuple[CitationItem, ...]
    narrative: bool = False


class CitationSyntaxError(ValueError):
    """The text looks like a citation but cannot be one; the message says how to fix it."""


def split_key(text: str) -> tuple[str, str]:
    """Split `text` (starting at a key) into the key and what follows, dropping trailing punctuation."""
    match = re.match(_KEY_BODY, text)
    if not match:
        return "", text
    key = match.group(0)
    trimmed = _TRAILING_PUNCTUATION.sub("", key)
    return trimmed, text[len(trimmed) :]


def check_key(key: str) -> None:
    """Raise CitationSyntaxError unless `key` is a valid site key (lowercase a-z, 0-9, '-')."""
    if not key:
        raise CitationSyntaxError("empty citation key: write '[@key]'")
    if not SLUG.match(key):
        hint = re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")
        raise CitationSyntaxError(f"citation key '{key}' must be lowercase a-z, 0-9 and '-' (did you mean '@{hint}'?)")


def parse_bracket(body: str) -> Citation:
    """Parse the inside of `[...]` holding one or more `;`-separated citation items."""
    items = []
    for part in body.split(";"):
        marker = _MARKER.search(part)
        if marker is None:
            raise CitationSyntaxError(
                f"'{part.strip()}' in a citation group has no @key; separate works with ';' and start each with @"
            )
        after = part[marker.end("suppress") if marker.group("suppress") else marker.start("rest") :]
        after = after[1:] if after.startswith("@") else after
        if not after or after[0].isspace() or after[0] in "];":
            if after.strip():
                raise CitationSyntaxError("space after '@' in a citation: write '[@key]'")
            raise CitationSyntaxError("empty citation key: write '[@key]'")
        key, rest = split_key(after)
        check_key(key)
        prefix = part[: marker.start()].strip()
        locator = rest.strip()
        if locator.startswith(","):
            locator = locator[1:].strip()
        items.append(CitationItem(key, prefix, locator, bool(marker.group("suppress"))))
    return Citation(tuple(items))


def looks_like_citation(body: str) -> bool:
    """True when a bracket holds an '@' in citation position (so errors in it are reported)."""
    return _MARKER.search(body) is not None
