"""The fix layer: where citeproc-py's output still differs from citeproc-js (Zotero's processor), mended as text.

Most differences are fixed at their root, in citeproc-py's element classes (patches.py). What is left here
works on the record before formatting or on the text after it. Each fix exists because
tests/test_csl_reference.py found the difference on tests/fixtures/csl/hard-entries.json; each is general (no
style or entry is named). Text arrives with formatting as private-use marks (formatter.py), so these rules
see only the words and punctuation.

Before formatting (on the style, formatter.py):
- The citation number is removed from bibliography entries: pages print their own [n] beside the entry.

Before formatting (on the CSL record):
- Quotation marks in titles and containers ("…" or “…”) become markers that formatter.py turns into the
  locale's quotes, and PatchedText into its inner quotes inside a quoted title, as citeproc-js flip-flops them.
- Straight apostrophes in titles, names and containers become typographic (’), as citeproc-js prints them.

After formatting (on the text):
- "?." and "!.": citeproc-py adds a delimiter's period after a title ending in ? or ! ("Does it work?."); a
  period after ? or ! (also across a closing quote) is dropped.
- Punctuation inside quotes: with a locale whose punctuation-in-quote is true (en-US), a period or comma just
  after a closing quote moves inside it (“Title.” not “Title”.), as the CSL specification asks.
- Doubled periods: a term ending in a period ("et al.") before a delimiter's period gives "et al.."; one period
  stays (an ellipsis "..." is left alone).
- Spaces: runs of spaces and spaces before , . ; : left by empty groups are collapsed.
"""

from __future__ import annotations

import re
from typing import Any

from evidencesite.csl.text_rules import QUOTE_CLOSE, QUOTE_OPEN

_OPEN_MARKS = "\ue000\ue002\ue004\ue006\ue008\ue00a"
_CLOSE_MARKS = "\ue001\ue003\ue005\ue007\ue009\ue00b"
_MARKS = _OPEN_MARKS + _CLOSE_MARKS


def prepare_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a CSL record adjusted before citeproc-py formats it (see the module docstring)."""
    fixed = dict(record)
    for role in ("author", "editor"):
        names = fixed.get(role)
        if isinstance(names, list):
            fixed[role] = [{key: typographic(value) for key, value in name.items()} for name in names]
    for variable in ("title", "container-title", "publisher", "genre"):
        value = fixed.get(variable)
        if isinstance(value, str):
            fixed[variable] = typographic(value)
    return fixed


def typographic(text: str) -> str:
    """Return text with its double quotes ("…" or “…”) as quote markers and every straight apostrophe ’."""
    text = re.sub('"([^"]*)"', f"{QUOTE_OPEN}\\1{QUOTE_CLOSE}", text)
    text = re.sub("\u201c([^\u201d]*)\u201d", f"{QUOTE_OPEN}\\1{QUOTE_CLOSE}", text)
    return text.replace("'", "\u2019")


def locale_quotes(text: str, opening: str, closing: str) -> str:
    """Return text with the quote markers left by `typographic` as the locale's quotation marks."""
    return text.replace(QUOTE_OPEN, opening).replace(QUOTE_CLOSE, closing)


def fix_text(text: str, punctuation_in_quote: bool) -> str:
    """Return citeproc-py's formatted text with the after-formatting fixes applied."""
    text = re.sub(rf"([?!])([{_CLOSE_MARKS}\u201d\u2019]*)\.", r"\1\2", text)
    if punctuation_in_quote:
        text = re.sub(rf"([{_CLOSE_MARKS}]*)\u201d([.,])", "\\2\\1\u201d", text)
    text = re.sub(rf"(?<!\.)\.([{_CLOSE_MARKS}]*)\.(?!\.)", "\\1.", text)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(rf" +([{_CLOSE_MARKS}]*)([,.;:])(?=\s|$)", r"\1\2", text)
    return text.strip()
