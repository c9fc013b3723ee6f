"""The fix layer: where citeproc-py's output differs from citeproc-js (Zotero's processor), made to agree.

Each fix exists because tests/test_csl_reference.py found the difference on tests/fixtures/csl/hard-entries.json;
each is general (no style or entry is named). Text arrives with formatting as private-use marks (csl_format.py),
so these rules see only the words and punctuation.

Before formatting (on the style, csl_format.py):
- The citation number is removed from bibliography entries: pages print their own [n] beside the entry.
- initialize="false" (CSL 1.0.2): citeproc-py ignores it and initialises given names (Chicago printed
  "Okafor, C."); initialize-with is dropped where initialize="false", so names print as written.
- text-case="title" on <label>: citeproc-py ignores it (it passes no language to the title-case rule), so
  APA printed "(eds.)" for "(Eds.)"; for English locales it becomes capitalize-all, the same on such terms.

Before formatting (on the CSL record):
- CJK names: citeproc-py prints {"family": "王", "given": "伟"} as "王, . 伟 ."; CSL writes such names family
  first with no space or comma, so they are passed as the literal name "王伟".
- Straight apostrophes and quotes in titles, names and containers become typographic (’ “ ”), as citeproc-js does.

After formatting (on the text):
- "?." and "!.": citeproc-py adds a delimiter's period after a title ending in ? or ! ("Does it work?."); a
  period after ? or ! (also across a closing quote) is dropped.
- Punctuation inside quotes: with a locale whose punctuation-in-quote is true (en-US), a period or comma just
  after a closing quote moves inside it (“Title.” not “Title”.), as the CSL specification asks.
- Quotes inside quotes: a title quoted by the style that itself contains “…” gets ‘…’ inside, as in citeproc-js.
- Substituted variables: citeproc-py does not suppress a variable once a <substitute> printed it (CSL 1.0.2,
  "Substitution"), so a work without authors shows its title (or editors) twice. When the title stands in for
  the authors at the start of the entry, its later repetition is removed.
- Doubled periods: a term ending in a period ("et al.") before a delimiter's period gives "et al.."; one period
  stays (an ellipsis "..." is left alone).
- Spaces: runs of spaces and spaces before , . ; : left by empty groups are collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_OPEN_MARKS = "\ue000\ue002\ue004\ue006\ue008\ue00a"
_CLOSE_MARKS = "\ue001\ue003\ue005\ue007\ue009\ue00b"
_MARKS = _OPEN_MARKS + _CLOSE_MARKS


def prepare_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a CSL record adjusted before citeproc-py formats it (see the module docstring)."""
    fixed = dict(record)
    for role in ("author", "editor"):
        names = fixed.get(role)
        if isinstance(names, list):
            fixed[role] = [_name(name) for name in names]
    for variable in ("title", "container-title", "publisher", "genre"):
        value = fixed.get(variable)
        if isinstance(value, str):
            fixed[variable] = typographic(value)
    return fixed


def _name(name: dict[str, str]) -> dict[str, str]:
    family, given = name.get("family", ""), name.get("given", "")
    if family and _is_cjk(family) and (not given or _is_cjk(given)):
        return {"literal": family + given}
    return {key: typographic(value) for key, value in name.items()}


def _is_cjk(text: str) -> bool:
    return all(unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")) for char in text)


def typographic(text: str) -> str:
    """Return text with straight double quotes made “…” and every straight apostrophe ’."""
    return re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text).replace("'", "\u2019")


def fix_text(text: str, punctuation_in_quote: bool) -> str:
    """Return citeproc-py's formatted text with the after-formatting fixes applied."""
    text = _nested_quotes(text)
    text = re.sub(rf"([?!])([{_CLOSE_MARKS}\u201d\u2019]*)\.", r"\1\2", text)
    if punctuation_in_quote:
        text = re.sub(rf"([{_CLOSE_MARKS}]*)\u201d([.,])", "\\2\\1\u201d", text)
    text = re.sub(rf"(?<!\.)\.([{_CLOSE_MARKS}]*)\.(?!\.)", "\\1.", text)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(rf" +([{_CLOSE_MARKS}]*)([,.;:])(?=\s|$)", r"\1\2", text)
    return text.strip()


def _nested_quotes(text: str) -> str:
    """Inside “…”, a further “…” becomes ‘…’."""
    out = []
    depth = 0
    for char in text:
        if char == "\u201c":
            depth += 1
            out.append("\u2018" if depth > 1 else char)
        elif char == "\u201d":
            out.append("\u2019" if depth > 1 else char)
            depth = max(depth - 1, 0)
        else:
            out.append(char)
    return "".join(out)


def drop_repeated_title(text: str, title: str, has_names: bool) -> str:
    """Remove the second occurrence of a title that substituted for the missing names at the entry's start."""
    if has_names or not title:
        return text
    plain = _strip_marks(text)
    typo = typographic(title)
    if not plain.startswith(typo) and not plain.startswith("\u201c" + typo):
        return text
    first = text.find(typo)
    second = text.find(typo, first + len(typo))
    if first < 0 or second < 0:
        return text
    end = second + len(typo)
    while end < len(text) and text[end] in _MARKS + ".\u201d":
        end += 1
    start = second
    while start > 0 and text[start - 1] in _MARKS + "\u201c":
        start -= 1
    return (text[:start] + text[end:].lstrip()).strip()


def _strip_marks(text: str) -> str:
    return "".join(char for char in text if char not in _MARKS)
