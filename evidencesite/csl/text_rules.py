"""CSL 1.0.2 text rules as citeproc-js (Zotero's processor) applies them: pure functions on strings.

patches.py calls these where citeproc-py's own rules differ: title case, "is-numeric", number ranges,
page ranges with a letter prefix and name suffixes. Each function says which citeproc-js routine it follows.
"""

from __future__ import annotations

import re

QUOTE_OPEN, QUOTE_CLOSE = "\ue010", "\ue011"  # quotation marks in a field, until the locale's are known
# citeproc-js CSL.SKIP_WORDS (the single words; its phrases such as "according to" never match one word)
SKIP_WORDS = frozenset(
    """about above across afore after against al along alongside amid amidst among amongst anenst apropos apud around
    as aside astride at athwart atop barring before behind below beneath beside besides between beyond but by circa
    despite down during et except for forenenst from given in inside into lest like modulo near next notwithstanding
    of off on onto out over per plus pro qua sans since than through thru throughout thruout till to toward towards
    under underneath until unto up upon versus vs v via vis-à-vis with within without or yet so and nor a an the de
    d' von van c ca""".split()  # noqa: SIM905 - a word list reads better as text
)
# citeproc-js splits a title at quotes, hyphens, dashes, slashes, punctuation and brackets (its "tags");
# our formatting marks (formatter.py) stand where citeproc-js sees <i>, <b>, ... tags
_TAGS = re.compile('(\u2018|\u2019(?!\\w)|\u201c|\u201d| "| \'|"|[-\u2013\u2014/.,;?!:\\[\\]()\ue000-\ue011])')
_SPACES = re.compile("([\u00a0 \u2000-\u200b\u205f\u3000]+)")
_NUMERIC_TOKEN = r"[A-Za-z]*\d+[A-Za-z]*"
_NUMERIC = re.compile(rf"{_NUMERIC_TOKEN}(?:\s*(?:[-\u2013,&]|and)\s*{_NUMERIC_TOKEN})*")
# citeproc-js CSL.ROMANESQUE_REGEXP: scripts whose names are written given name first, with spaces
_ROMANESQUE = re.compile(
    "[-0-9a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4\u05d6-\u05ff"
    "\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218-\u021b\u202a-\u202e]"
)
_PAGE = re.compile(r"([0-9]*[a-zA-Z]+0*)?([0-9]+[a-z]*)")


def title_case(text: str) -> str:
    """Return `text` in title case as citeproc-js's Formatters.title does.

    Words are split at spaces and at citeproc-js's tags (hyphen, slash, quotes, punctuation), so
    'Alcohol-use' becomes 'Alcohol-Use' and '‘magic bullet’' '‘Magic Bullet’'; a lowercase word is
    capitalised unless it is a one-letter word or a stop word (citeproc-js's longer list: 'among', 'after');
    the first word, a word after ':', '?' or '!', and a stop word ending the title are capitalised anyway.
    Words with any capital ('mRNA', 'ClinicalTrials') are left as written.
    """
    parts = _TAGS.split(text)
    strings, tags = parts[0::2], parts[1::2]
    is_first, after_punct = True, False
    last: tuple[int, int] | None = None
    split_strings: list[list[str]] = []
    for index, string in enumerate(strings):
        if index and tags[index - 1][-1] in "!?:":
            after_punct = True
        words = _SPACES.split(string)
        # citeproc-js passes the following tag only for the first string (an argument slip it has kept)
        before_hyphen = index == 0 and bool(tags) and tags[0] == "-"
        for position in range(0, len(words), 2):
            word = words[position]
            if not word:
                continue
            lower = word.lower()
            capitalise = (
                (len(word) > 1 and lower not in SKIP_WORDS)
                or (before_hyphen and position == len(words) - 1)
                or is_first
                or after_punct
            )
            if capitalise and word == lower:
                words[position] = _capitalise(word)
            is_first = after_punct = False
            last = (index, position)
        split_strings.append(words)
    if last is not None:
        words = split_strings[last[0]]
        word = words[last[1]]
        if len(word) > 1 and word.lower() in SKIP_WORDS:
            words[last[1]] = _capitalise(word)
    out = []
    for index, words in enumerate(split_strings):
        out.append("".join(words))
        if index < len(tags):
            out.append(tags[index])
    return "".join(out)


def _capitalise(word: str) -> str:
    if len(word) == 1 and "\u0370" <= word <= "\u03ff":
        return word  # citeproc-js leaves a lone Greek letter alone
    return word[0].upper() + word[1:]


def is_romanesque(text: str) -> bool:
    """Return whether `text` has a letter of a script citeproc-js writes given name first ('Wang': yes, '王': no)."""
    return bool(_ROMANESQUE.search(text))


def is_numeric(value: str) -> bool:
    """CSL 1.0.2 "is-numeric": numbers, optionally with letter prefixes or suffixes ('D2', '2b'), separated by
    a hyphen, comma or ampersand ('2-4', '2, 3', '2 & 4'), as citeproc-js reads '2021-07' (numeric)."""
    return bool(_NUMERIC.fullmatch(value.strip()))


def number_range(value: str) -> str:
    """Return a numeric value with its ranges joined by an en dash ('2021-07' -> '2021–07'), as citeproc-js
    prints number variables; a value that is not numeric is returned as written."""
    if "-" not in value or not is_numeric(value):
        return value
    return re.sub(r"\s*-\s*", "\u2013", value)


def page_prefix(first: str, last: str) -> tuple[str, str] | None:
    """Return the numbers of a range whose ends share a letter prefix ('e12', 'e20' -> '12', '20'), else None.

    citeproc-js's PageRangeMangler drops the repeated prefix from the end of a shortened range ('e12–20')."""
    begin, end = _PAGE.fullmatch(first), _PAGE.fullmatch(last)
    if begin is None or end is None or not begin.group(1) or begin.group(1) != end.group(1):
        return None
    return begin.group(2), end.group(2)


def name_suffix(suffix: str, terminator: str) -> str:
    """Return a name suffix normalised as citeproc-js does when initialize-with is set: an abbreviation's period
    is replaced by the terminator ('Jr.' with '' -> 'Jr', with '. ' -> 'Jr.'); 'III' stays as it is."""
    words = []
    for word in suffix.split():
        if len(word) > 1 and word.endswith("."):
            words.append(word[:-1] + terminator)
        elif len(word) == 1 and word.isupper():
            words.append(word + terminator)
        else:
            words.append(word + " ")
    return re.sub(r"\s+", " ", "".join(w if w.endswith(" ") else w + " " for w in words)).strip()
