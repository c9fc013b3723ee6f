"""Located diagnostics: every problem an author can cause carries a file and a line."""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # more about the problem on the line above it (never a problem of its own)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located at `path:line:column` (line and column 1-based, 0 = unknown)."""

    path: str
    line: int
    column: int
    severity: Severity = field(compare=False)
    message: str = field(compare=True)

    def format(self) -> str:
        """Return the `path:line: error: message` form printed on stderr: always one line (see `escape_control`)."""
        where = escape_control(self.path)
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.severity.value}: {escape_control(self.message)}"

    def as_json(self) -> dict[str, object]:
        """Return the record used by `check --format json`; path and message escaped as in `format`."""
        return {
            "file": escape_control(self.path),
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "message": escape_control(self.message),
        }


# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_control(text: str) -> str:
    """Return `text` with control characters written as escapes (`\\n`, `\\x1b`, `\\u2028`).

    A problem line must stay one line that tools can parse: a newline in a file name could start a line
    of its own (a forged `::error` command in GitHub Actions), a multi-line YAML or BibTeX message would
    break `path:line:` parsing, and an ANSI escape would drive the terminal.
    """
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"), text)


class SiteError(Exception):
    """Raised once a stage has collected at least one error; carries every diagnostic."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        # by place; at one place a note follows the problems it explains
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.line, d.column, d.severity is Severity.NOTE, d.message))
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class InterruptedAfterWrite(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) arrived once the new output was in place: the output is complete, the cache unsaved."""

    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output


class Diagnostics:
    """Collects diagnostics for one build; a stage calls `raise_if_errors` at its end."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._windows = isinstance(root, PureWindowsPath)  # drive letters, `\`, names without case
        self._prefix = str(root).rstrip("/\\") + ("\\" if self._windows else "/")
        self.items: list[Diagnostic] = []
        self._counted = 0  # how many items error_count has looked at
        self._errors = 0

    def display_path(self, path: Path | str) -> str:
        """Return `path` relative to the site folder when it lies inside it, with `/` between names on every system."""
        text = str(path)
        if not self._windows:
            return text[len(self._prefix) :] if text.startswith(self._prefix) else text
        try:  # Windows compares names without case and takes either slash
            return PureWindowsPath(text).relative_to(self._root).as_posix()
        except ValueError:
            return text

    def error(self, path: Path | str, line: int, message: str, column: int = 0) -> None:
        self.items.append(Diagnostic(self.display_path(path), line, column, Severity.ERROR, message))

    def warning(self, path: Path | str, line: int, message: str, column: int = 0) -> None:
        self.items.append(Diagnostic(self.display_path(path), line, column, Severity.WARNING, message))

    def note(self, path: Path | str, line: int, message: str) -> None:
        """Add a note to the problem reported at `path:line` (printed after it; not counted, not promoted by --strict)."""
        self.items.append(Diagnostic(self.display_path(path), line, 0, Severity.NOTE, message))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.items.extend(items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def error_count(self) -> int:
        """How many errors so far (validation asks before and after every file)."""
        if len(self.items) != self._counted:  # items is a public list: count what was added since
            self._errors += sum(1 for d in self.items[self._counted :] if d.severity is Severity.ERROR)
            self._counted = len(self.items)
        return self._errors

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise SiteError with everything collected when there is an error (or, if strict, a warning)."""
        if self.errors or (strict and self.warnings):
            raise SiteError(self._promoted(strict))

    def _promoted(self, strict: bool) -> list[Diagnostic]:
        if not strict:
            return list(self.items)
        return [
            d if d.severity is Severity.NOTE else Diagnostic(d.path, d.line, d.column, Severity.ERROR, d.message)
            for d in self.items
        ]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ` (did you mean 'x'?)` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
