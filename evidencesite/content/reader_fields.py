"""The reader fields any page may have: key messages, a plain summary, review dates and dated changes.

`read_reader_fields` is called by schema.validate_document for every kind of page. Dates must be real
calendar dates and not after the build's date (`build_date`: SOURCE_DATE_EPOCH when set, so a build is
reproducible and tests can fix "today"); every problem is reported at its line.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from typing import Any

from evidencesite.content.field_reader import FieldReader, is_real_date
from evidencesite.content.frontmatter import Scalar
from evidencesite.content.loader import SLUG
from evidencesite.errors import did_you_mean
from evidencesite.reader_model import Change, KeyMessage, ReaderFields

READER_FIELDS = ("key_messages", "plain_summary", "reviewed", "searched", "changes")
KEY_MESSAGE_FIELDS = ("text", "question")
CHANGE_FIELDS = ("date", "text")
MAX_KEY_MESSAGES = 5


def build_date(environ: Mapping[str, str] | None = None) -> datetime.date:
    """Return the date a build counts as today: SOURCE_DATE_EPOCH's (UTC) when set, else the local date."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date.today()


def read_reader_fields(reader: FieldReader, today: datetime.date | None = None) -> ReaderFields:
    """Return the page's reader fields (empty ones where it declares none), reporting every problem."""
    if not any(name in reader.data for name in READER_FIELDS):
        return ReaderFields()
    today = today or build_date()
    lines = {name: reader.line(name) for name in READER_FIELDS if name in reader.data}
    plain_summary = reader.text("plain_summary")
    if "plain_summary" in reader.data and not plain_summary and isinstance(reader.data["plain_summary"], Scalar):
        reader.error("'plain_summary' is empty: write a few sentences for patients and families, or remove the line", "plain_summary")
    return ReaderFields(
        key_messages=_key_messages(reader),
        plain_summary=plain_summary,
        reviewed=_date(reader, today, "reviewed"),
        searched=_date(reader, today, "searched"),
        changes=_changes(reader, today),
        lines=lines,
    )


def check_date(text: str, today: datetime.date) -> str:
    """Return what is wrong with a date written in front matter or settings ('' when it is a real, past date)."""
    if not is_real_date(text):
        return f"must be a real date written YYYY-MM-DD (e.g. 2024-03-15), not '{text}'"
    if datetime.date.fromisoformat(text) > today:
        return f"{text} is in the future (today is {today.isoformat()}): write the date it happened"
    return ""


def _date(reader: FieldReader, today: datetime.date, key: str, *path: str | int) -> str:
    where = path or (key,)
    value = reader.data.get(key) if not path else _get(reader.data, path)
    if value is None:
        if (not path and key in reader.data) or (path and _has(reader.data, path)):
            reader.error(f"'{key}' has no value: write a date such as 2024-03-15, or remove the line", *where)
        return ""
    if not isinstance(value, Scalar):
        reader.error(f"'{key}' must be a date such as 2024-03-15, not a list or mapping", *where)
        return ""
    text = value.text.strip()
    problem = check_date(text, today)
    if problem:
        reader.error(f"'{key}' {problem}", *where)
        return ""
    return text


def _get(data: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    value: Any = data
    for step in path:
        if isinstance(value, list) and isinstance(step, int):
            value = value[step] if step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def _has(data: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    parent = _get(data, path[:-1])
    return isinstance(parent, dict) and path[-1] in parent


def _unknown_keys(reader: FieldReader, item: dict[str, Any], path: tuple[str | int, ...], known: tuple[str, ...]) -> None:
    for key in item:
        if key not in known:
            reader.warning(f"unknown field '{key}' in '{path[0]}'{did_you_mean(key, known)}; expected: {', '.join(known)}", *path, key)


def _key_messages(reader: FieldReader) -> tuple[KeyMessage, ...]:
    value = reader.data.get("key_messages")
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.error(
            "'key_messages' must be a list of short sentences ('- text: ...' with an optional 'question: <id>', "
            "or '- plain text')",
            "key_messages",
        )
        return ()
    if len(value) > MAX_KEY_MESSAGES:
        reader.warning(
            f"{len(value)} key messages: keep to at most {MAX_KEY_MESSAGES} short sentences (readers take in 3 to 5)",
            "key_messages",
        )
    messages = []
    for index, item in enumerate(value):
        path = ("key_messages", index)
        text, question = "", ""
        if isinstance(item, Scalar):
            text = item.text.strip()
        elif isinstance(item, dict):
            _unknown_keys(reader, item, path, KEY_MESSAGE_FIELDS)
            text = item["text"].text.strip() if isinstance(item.get("text"), Scalar) else ""
            question = _question(reader, item.get("question"), path) if "question" in item else ""
        else:
            reader.error("a key message is a sentence, or a mapping with 'text' and an optional 'question'", *path)
            continue
        if not text:
            where = (*path, "text") if isinstance(item, dict) and "text" in item else path
            reader.error("key message has no text: write one short sentence", *where)
            continue
        messages.append(KeyMessage(text, reader.line(*path), question))
    return tuple(messages)


def _question(reader: FieldReader, value: Any, path: tuple[str | int, ...]) -> str:
    text = value.text.strip() if isinstance(value, Scalar) else ""
    if not SLUG.fullmatch(text):
        reader.error(
            f"key message 'question' must be the id of a question (lowercase a-z, 0-9 and '-'), not '{text}'",
            *path,
            "question",
        )
        return ""
    return text


def _changes(reader: FieldReader, today: datetime.date) -> tuple[Change, ...]:
    value = reader.data.get("changes")
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.error("'changes' must be a list of {date, text} entries (e.g. '- {date: 2024-03-15, text: ...}')", "changes")
        return ()
    changes = []
    for index, item in enumerate(value):
        path = ("changes", index)
        if not isinstance(item, dict):
            reader.error("each change must be a mapping with 'date' and 'text' (e.g. '- {date: 2024-03-15, text: ...}')", *path)
            continue
        _unknown_keys(reader, item, path, CHANGE_FIELDS)
        date = _date(reader, today, "date", *path, "date") if "date" in item else ""
        if "date" not in item:
            reader.error("change needs a 'date' (YYYY-MM-DD)", *path)
        text = item["text"].text.strip() if isinstance(item.get("text"), Scalar) else ""
        if not text:
            reader.error("change has no text: say in a sentence what changed", *path, *(("text",) if "text" in item else ()))
        if date and text:
            changes.append(Change(date, text, reader.line(*path)))
    return tuple(sorted(changes, key=lambda change: (change.date, -change.line), reverse=True))
