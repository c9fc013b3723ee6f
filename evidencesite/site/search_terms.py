"""How text becomes search terms: the same rules here and in templates/static/search-terms.js.

Words are folded (accents dropped, lower case), British spellings map to American ones (randomised and
randomized are one term, so are behaviour/behavior, anaemia/anemia, centre/center, modelling/modeling),
and common English words are not indexed. Both sides must agree exactly: tests/test_search_index.py runs
the JavaScript rules under node on the same words and compares.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Common words that carry no meaning for search ("does ketamine work for alcohol" looks for ketamine, work, alcohol).
STOP_WORDS = frozenset(
    """a about after all also an and any are as at be been but by can could did do does for from had has have
    how i if in into is it its may more most no not of on or our over should so such than that the their them
    then there these they this those through to under up was we were what when where which while who why will
    with would you your""".split()  # noqa: SIM905 (the same list as search-terms.js, kept easy to compare)
)

_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f]")
# British -> American spellings, applied in this order to whole folded words (see the module docstring)
_STEMS = (
    ("anaesth", "anesth"),
    ("haem", "hem"),
    ("aemia", "emia"),
    ("paed", "ped"),
    ("oesoph", "esoph"),
    ("oestr", "estr"),
    ("foet", "fet"),
    ("diarrhoe", "diarrhe"),
    ("gynaec", "gynec"),
    ("oedem", "edem"),
)
_RULES = (
    (re.compile(r"^(.{3,})is(e|ed|es|ing|ation|ations|ational)$"), r"\1iz\2"),
    (re.compile(r"^(.{2,})ys(e|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"^(.{3,})our(s|ed|ing|able|ably|ite|ites|al)?$"), r"\1or\2"),
    (re.compile(r"^(.{2,})([tb])re(s)?$"), r"\1\2er\3"),
    (re.compile(r"^(.{3,}[aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"^(.{3,})ogue(s)?$"), r"\1og\2"),
)


@functools.lru_cache(maxsize=65536)  # a site's words repeat: fold each once per process
def fold_word(word: str) -> str:
    """Return the term a (lower-case, accent-free) word is indexed and searched as.

    Plurals become singular ('trials' -> 'trial', 'studies' -> 'study'), then British spellings American.
    """
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for british, american in _STEMS:
        if british in word:
            word = word.replace(british, american)
    for pattern, replacement in _RULES:
        folded = pattern.sub(replacement, word)
        if folded != word:
            return folded
    return word


def terms(text: str) -> list[str]:
    """Return the search terms of `text`, in order (repeats kept): words of 2+ characters, not stop words."""
    folded = _MARKS.sub("", unicodedata.normalize("NFD", text.lower()))
    return [fold_word(word) for word in _WORD.findall(folded) if len(word) > 1 and word not in STOP_WORDS]


def bucket(term: str, buckets: int) -> int:
    """Return the index shard a term lives in: a hash of its first two characters (so prefixes share a shard).

    FNV-1a over the UTF-16 code units, as JavaScript sees the string (the browser computes the same).
    """
    value = 0x811C9DC5
    units = term[:2].encode("utf-16-le")
    for index in range(0, len(units), 2):
        value ^= units[index] | units[index + 1] << 8
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % buckets
