"""The reader-facing part of the content model: key messages, a plain summary, review dates and changes.

Any page may carry them (front matter `key_messages`, `plain_summary`, `reviewed`, `searched`, `changes`,
read by content/reader_fields.py). Plain frozen values, so the document cache stores them as they are; each
remembers the line it was written on, within the file of the page that holds it, for `check`'s warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KeyMessage:
    """One short sentence of a page's answer-first box; `question` names a question whose certainty it shows."""

    text: str
    line: int
    question: str = ""


@dataclass(frozen=True)
class Change:
    """One dated change to a page's evidence (front matter `changes:`), listed on the site's changelog."""

    date: str  # YYYY-MM-DD, a real date not in the future
    text: str
    line: int


@dataclass(frozen=True)
class ReaderFields:
    """What a page tells its readers besides its body; empty values where the page declares nothing."""

    key_messages: tuple[KeyMessage, ...] = ()
    plain_summary: str = ""
    reviewed: str = ""  # YYYY-MM-DD: when the page was last reviewed
    searched: str = ""  # YYYY-MM-DD: the evidence was searched up to this date
    changes: tuple[Change, ...] = ()  # newest first
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)  # field -> its line

    @property
    def is_empty(self) -> bool:
        return not (self.key_messages or self.plain_summary or self.reviewed or self.searched or self.changes)
