"""Split a Markdown file into YAML front matter and body, keeping the line of every key.

PyYAML's own constructors apply YAML 1.1 coercions (`no` -> False, `1.10` -> 1.1) and keep the
last of two duplicate keys. We only *compose* the YAML into nodes and build plain values
ourselves: scalars stay the text the author wrote, and the schema decides their type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

# We only compose nodes and never use YAML's tag resolution (scalars stay text), so the base loader
# suffices; its C version avoids running the implicit resolvers for every scalar.
try:
    _Loader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.BaseLoader

Path_ = tuple[str | int, ...]

_NULLS = {"", "~", "null", "Null", "NULL"}
_DELIMITER = re.compile(r"^---[ \t]*$")
_CLOSING = re.compile(r"^(---|\.\.\.)[ \t]*$")
# C0 and C1 control characters other than tab and newline: not allowed in HTML text or XML (the feed)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class FrontMatterError(Exception):
    """A front-matter problem at a line of the file (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        # the body below front matter that failed to parse, so its own problems can be reported in the same run
        self.body: Document | None = None


@dataclass(frozen=True)
class Scalar:
    """A scalar as written: its text and whether the author quoted it."""

    text: str
    quoted: bool

    def __str__(self) -> str:
        return self.text


@dataclass
class Document:
    """A parsed file: front-matter values, the line of each value, and the body."""

    data: dict[str, Any]
    lines: dict[Path_, int]
    body: str
    body_line: int
    has_front_matter: bool = True
    raw_front_matter: str = field(default="", repr=False)
    unparsed: bool = False  # the front matter failed to parse (reported): only the body is known

    def line_of(self, *path: str | int) -> int:
        """Return the line of the value at `path`, or of its nearest ancestor."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def normalise_text(text: str) -> str:
    """Strip a UTF-8 byte-order mark and turn CRLF/CR line endings into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> Document:
    """Return the document; raise FrontMatterError for malformed or unclosed front matter."""
    text = normalise_text(text)
    lines = text.split("\n")
    if not lines or not _DELIMITER.match(lines[0]):
        return Document({}, {(): 1}, text, 1, has_front_matter=False)
    for index in range(1, len(lines)):
        if _CLOSING.match(lines[index]):
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            try:
                data, line_map = parse_yaml_mapping(yaml_text, first_line=2)
            except FrontMatterError as exc:
                exc.body = Document({}, {(): 1}, body, index + 2, True, yaml_text, unparsed=True)
                raise
            return Document(data, line_map, body, index + 2, True, yaml_text)
    raise FrontMatterError(1, "front matter opened with '---' is never closed (add a '---' line after it)")


def parse_yaml_mapping(yaml_text: str, first_line: int = 1) -> tuple[dict[str, Any], dict[Path_, int]]:
    """Parse YAML whose top level must be a mapping; return values and a line map."""
    try:
        node = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark and mark is not exc.context_mark:
            problem += f" ({exc.context} started on line {first_line + exc.context_mark.line})"
        if ("\t" in yaml_text and "tab" in str(exc).lower()) or _tab_indent(yaml_text, mark):
            problem += " (tabs are not allowed for indentation in YAML; use spaces)"
        raise FrontMatterError(line, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - defensive: unmarked errors
        raise FrontMatterError(first_line, f"malformed YAML: {exc}") from None
    except RecursionError:
        raise FrontMatterError(first_line, "malformed YAML: nested too deeply") from None
    line_map: dict[Path_, int] = {(): max(first_line - 1, 1)}
    if node is None:
        return {}, line_map
    if not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(
            first_line + node.start_mark.line, "front matter must be a mapping of 'key: value' lines"
        )
    try:
        value = _build(node, (), line_map, first_line, set())
    except RecursionError:
        raise FrontMatterError(first_line, "malformed YAML: nested too deeply") from None
    return value, line_map


def _tab_indent(yaml_text: str, mark: Any) -> bool:
    if mark is None:
        return False
    lines = yaml_text.split("\n")
    return 0 <= mark.line < len(lines) and lines[mark.line].startswith("\t")


def _build(node: yaml.Node, path: Path_, line_map: dict[Path_, int], first_line: int, seen: set[int]) -> Any:
    # A node met twice is an alias (`*name`): expanding aliases is how a few hundred bytes of YAML grow to
    # gigabytes ("billion laughs"), and a self-referencing alias never ends. Front matter never needs them.
    if id(node) in seen:
        where = next((line_map[path[:end]] for end in range(len(path), 0, -1) if path[:end] in line_map), None)
        raise FrontMatterError(
            where or first_line + node.start_mark.line,
            "YAML aliases ('*name' repeating an '&name' anchor) are not supported: write the value out again",
        )
    seen.add(id(node))
    if path:
        line_map[path] = first_line + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise FrontMatterError(first_line + key_node.start_mark.line, "mapping keys must be plain words")
            key = key_node.value
            if key == "<<":
                raise FrontMatterError(
                    first_line + key_node.start_mark.line, "YAML merge keys ('<<') are not supported"
                )
            if key in result:
                raise FrontMatterError(
                    first_line + key_node.start_mark.line,
                    f"duplicate key '{key}' (first given on line {line_map[(*path, key)]})",
                )
            line_map[(*path, key)] = first_line + key_node.start_mark.line
            result[key] = _build(value_node, (*path, key), line_map, first_line, seen)
            line_map[(*path, key)] = first_line + key_node.start_mark.line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), line_map, first_line, seen) for index, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    control = _CONTROL.search(node.value)
    if control:
        raise FrontMatterError(
            first_line + node.start_mark.line,
            f"text contains the control character U+{ord(control.group()):04X} (from an escape such as \"\\0\" or "
            "\"\\e\"?): remove it; pages and feeds cannot carry it",
        )
    quoted = node.style in ("'", '"', "|", ">")
    if not quoted and node.value in _NULLS:
        return None
    return Scalar(node.value, quoted)


def is_draft(document: Document) -> bool:
    """True when the front matter says `draft: true` (drafts are validated only with --drafts)."""
    value = document.data.get("draft")
    return isinstance(value, Scalar) and value.text.lower() == "true"
