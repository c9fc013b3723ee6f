"""How a term's postings are written in a term shard: one string of fixed-width records, in document order.

A term shard holds every term that begins with the same two characters, and a word found on most pages has a
posting per page: at 10,000 studies a shard of JSON number lists reached 264 KB, and one query ("alcohol
relapse") loaded 345 KB. Written as a string, each posting is the document's number in base 36, zero-padded to
the width every document number needs (`width`, in meta.js: 3 characters up to 46,656 documents), then one
character for its weight (WEIGHT_DIGITS, weights up to 63): 4 characters instead of about 8. Fixed-width records
in document order keep a shard patchable in place (search_plan): a document is found by bisection, and its
record removed or inserted by slicing. templates/static/search.js reads them back (`postingsOf`).
"""

from __future__ import annotations

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"  # lower-case base 36: equal-width codes sort as their numbers
WEIGHT_DIGITS = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_"  # one character per weight, 0 to 63
MAX_WEIGHT = len(WEIGHT_DIGITS) - 1


def width_for(documents: int) -> int:
    """The number of base-36 digits every document number of an index of `documents` needs."""
    width = 1
    while 36**width < documents:
        width += 1
    return width


def document_codes(documents: int) -> list[str]:
    """Each document number's code, made once per index (10,000 formats instead of one per posting)."""
    return [code(number, documents) for number in range(documents)]


def code(document: int, documents: int) -> str:
    """Document number `document`'s code in an index of `documents`: base 36, zero-padded to the common width."""
    digits = ""
    while True:
        document, digit = divmod(document, 36)
        digits = DIGITS[digit] + digits
        if not document:
            break
    return digits.rjust(width_for(documents), "0")


def record(code: str, weight: int) -> str:
    """One posting: the document's code and its weight (search_index's field weights add up to at most 39)."""
    if not 0 <= weight <= MAX_WEIGHT:
        raise ValueError(f"a search weight must be 0 to {MAX_WEIGHT}, not {weight}")  # a bug, never an author's input
    return code + WEIGHT_DIGITS[weight]


def decode(packed: str, width: int) -> list[tuple[int, int]]:
    """The (document, weight) pairs of a term's postings."""
    step = width + 1
    return [(int(packed[i : i + width], 36), WEIGHT_DIGITS.index(packed[i + width])) for i in range(0, len(packed), step)]


def _position(packed: str, code: str, step: int) -> tuple[int, bool]:
    """The record index where `code` is or belongs in `packed` (bisection over its fixed-width records)."""
    low, high = 0, len(packed) // step
    width = len(code)
    while low < high:
        middle = (low + high) // 2
        here = packed[middle * step : middle * step + width]
        if here < code:
            low = middle + 1
        elif here > code:
            high = middle
        else:
            return middle, True
    return low, False


def patched_postings(
    postings: dict[str, str], changed: dict[int, dict[str, int]], documents: int
) -> dict[str, str] | None:
    """A term shard's postings (term -> records) with those of the `changed` documents (number -> their terms in
    this shard) replaced; None when they are not such postings."""
    codes = {document: code(document, documents) for document in changed}
    step = width_for(documents) + 1
    updated: dict[str, str] = {}
    for term, packed in postings.items():
        if not isinstance(packed, str) or len(packed) % step:
            return None
        for wanted in codes.values():
            if wanted in packed:  # a substring search in C; the bisection tells a record from a coincidence
                index, found = _position(packed, wanted, step)
                if found:
                    packed = packed[: index * step] + packed[(index + 1) * step :]
        if packed:
            updated[term] = packed
    for document, weights in sorted(changed.items()):
        for term, weight in weights.items():
            packed = updated.get(term, "")
            index, _ = _position(packed, codes[document], step)
            updated[term] = packed[: index * step] + record(codes[document], weight) + packed[index * step :]
    return updated
