"""BibTeX and BibLaTeX files as Better BibTeX, JabRef, Mendeley and hand editing write them, read into RawWorks.

bibtexparser splits the file into blocks; we resolve values ourselves (braces, quotes, `@string` macros and `#`
concatenation, which bibtexparser 2 leaves unresolved) and map the BibLaTeX data model onto the site's fields.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from evidencesite.content.bib_dates import MONTH_MACROS
from evidencesite.content.biblatex_model import GENRES, KINDS, LANGUAGES
from evidencesite.content.work_record import RawWork, build_work, split_note
from evidencesite.errors import Diagnostics
from evidencesite.models import Person, Work

_ISSUE_KINDS = {"article-journal", "article-magazine", "article-newspaper", "periodical"}
_URL_COMMAND = re.compile(r"^\\url\s*\{(.*)\}$", re.DOTALL)
_VERBATIM = ("url", "doi", "eprint", "file", "pmid", "pmcid", "arxivid")
# Braces nest a few levels in real entries ({{NASA}} in a title); the LaTeX reader recurses once per level, so a
# deeper value is refused before it is read (documented in docs/authoring.md).
MAX_BRACE_DEPTH = 32
_BRACE = re.compile(r"[{}]")


def brace_depth(text: str) -> int:
    """Return how deeply braces nest in `text` (linear: only the braces are looked at)."""
    depth = deepest = 0
    for match in _BRACE.finditer(text):
        depth += 1 if match.group() == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_bibtex(text: str, path: Path, diagnostics: Diagnostics) -> list[Work]:
    """Return the works of a BibTeX/BibLaTeX file; report unparsable blocks and duplicate keys at their lines."""
    import bibtexparser  # imported here: only sites with a .bib file pay for it

    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # bibtexparser raises bare exceptions on some malformed input
        diagnostics.error(path, 1, f"cannot parse BibTeX: {exc}")
        return []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        message = (str(getattr(block, "error", "") or "").strip() or "malformed entry").splitlines()[0]
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            diagnostics.error(path, line, f"duplicate key '{getattr(block, 'key', '')}' in the same file")
        else:
            diagnostics.error(path, line, f"malformed BibTeX entry: {message}")
    macros = dict(MONTH_MACROS)
    for string in library.strings:
        if brace_depth(str(string.value)) > MAX_BRACE_DEPTH:
            diagnostics.error(path, (string.start_line or 0) + 1, _too_deep(f"@string '{string.key}'"))
            continue
        macros[string.key.lower()] = _resolve(str(string.value), macros, [])
    works = []
    for entry in library.entries:
        raw = _raw_work(entry, macros, path, diagnostics)
        work = build_work(raw, path, diagnostics)
        if work is not None:
            works.append(work)
    return works


def _too_deep(what: str) -> str:
    return f"{what} nests braces more than {MAX_BRACE_DEPTH} levels deep; remove the extra braces"


def _raw_work(entry: Any, macros: dict[str, str], path: Path, diagnostics: Diagnostics) -> RawWork:
    line = entry.start_line + 1
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    for name, item in entry.fields_dict.items():
        undefined: list[str] = []
        name = name.lower()
        if brace_depth(str(item.value)) > MAX_BRACE_DEPTH:
            diagnostics.error(path, item.start_line + 1, _too_deep(f"`{name}` of '{entry.key}'"))
            continue
        values[name] = _resolve(str(item.value), macros, undefined)
        lines[name] = item.start_line + 1
        for word in undefined:
            diagnostics.warning(
                path, lines[name], f"'{word}' in `{name}` is no @string macro; it is read as the word itself"
            )
    entry_type = entry.entry_type.lower()
    kind = KINDS.get(entry_type, "")
    if not kind:
        kind = "document"
        diagnostics.warning(
            path,
            line,
            f"entry type '@{entry.entry_type}' of '{entry.key}' is unknown; it is kept as a document (use e.g. @article, @book, @misc)",
        )
    authors, incomplete = _people(values.get("author", ""), path, lines.get("author", line), diagnostics)
    editors, _ = _people(values.get("editor", ""), path, lines.get("editor", line), diagnostics)
    raw = RawWork(entry.key, kind, line, authors=authors, editors=editors, authors_incomplete=incomplete)
    _map_fields(raw, entry_type, values, lines)
    return raw


def _map_fields(raw: RawWork, entry_type: str, values: dict[str, str], lines: dict[str, int]) -> None:
    """Fill `raw.fields` from BibLaTeX names first, then their BibTeX equivalents."""
    text = {name: _verbatim(value) if name in _VERBATIM else latex_to_text(value) for name, value in values.items()}
    if "note" in values:  # line by line: Zotero writes one 'PMID: 123' per line
        text["note"] = "\n".join(latex_to_text(line) for line in values["note"].splitlines())

    def put(target: str, *sources: str) -> None:
        for source in sources:
            if text.get(source):
                raw.fields[target] = text[source]
                raw.lines[target] = lines[source]
                raw.names[target] = source
                return

    title = text.get("title", "")
    if text.get("subtitle"):
        title = f"{title}: {text['subtitle']}" if title else text["subtitle"]
    raw.fields["title"] = title
    howpublished = _URL_COMMAND.match(values.get("howpublished", "").strip())
    if howpublished:
        text["howpublished_url"] = _verbatim(howpublished.group(1))
        lines["howpublished_url"] = lines["howpublished"]
        text.pop("howpublished")
    put("container", "journaltitle", "journal", "booktitle", "howpublished")
    put("container_short", "shortjournal", "journalabbreviation", "journal-abbreviation")
    put("volume", "volume")
    number_target = "issue" if raw.kind in _ISSUE_KINDS else "number"
    put("issue", "issue")
    put(number_target, "number")
    put("pages", "pages")
    put("publisher", "publisher", "institution", "school", "organization")
    put("publisher_place", "location", "address")
    put("edition", "edition")
    put("date", "date")
    put("year", "year")
    put("month", "month")
    put("day", "day")
    put("accessed", "urldate")
    put("url", "url", "howpublished_url")
    put("doi", "doi")
    put("pmid", "pmid")
    put("pmcid", "pmcid", "pmc")
    put("arxiv", "arxivid")
    put("note", "note")
    put("retracted", "retracted")
    language = text.get("langid") or text.get("language", "")
    if language:
        raw.fields["language"] = LANGUAGES.get(language.lower(), language)
    _eprint(raw, text, lines)
    genre = text.get("type", "")
    raw.fields["genre"] = GENRES.get(genre.lower(), genre) if genre else GENRES.get(entry_type, "")
    if entry_type == "article" and text.get("entrysubtype", "").lower() in ("magazine", "newspaper"):
        raw.kind = f"article-{text['entrysubtype'].lower()}"
    note, identifiers = split_note(raw.fields.get("note", ""))
    raw.fields["note"] = note
    for name in ("pmid", "pmcid", "arxiv"):
        if identifiers.get(name) and not raw.fields.get(name):
            raw.fields[name] = identifiers[name]
    _refine_kind(raw)


def _refine_kind(raw: RawWork) -> None:
    """@misc and @online say little: an arXiv preprint is CSL 'article'; a bare @misc with a URL is a web page."""
    if raw.kind in ("document", "webpage") and raw.fields.get("arxiv"):
        raw.kind = "article"
    elif (
        raw.kind == "document"
        and raw.fields.get("url")
        and not (raw.fields.get("container") or raw.fields.get("publisher"))
    ):
        raw.kind = "webpage"


def _eprint(raw: RawWork, text: dict[str, str], lines: dict[str, int]) -> None:
    """BibLaTeX `eprint` + `eprinttype` (pmid, pubmed, pmcid, arxiv), or BibTeX's `archiveprefix = {arXiv}`."""
    eprint = text.get("eprint", "").strip()
    kind = (text.get("eprinttype") or text.get("archiveprefix", "")).strip().lower()
    target = {"pmid": "pmid", "pubmed": "pmid", "pmcid": "pmcid", "pmc": "pmcid", "arxiv": "arxiv"}.get(kind)
    if eprint and target and not raw.fields.get(target):
        raw.fields[target] = eprint
        raw.lines[target] = lines["eprint"]
        raw.names[target] = "eprint"


def _people(value: str, path: Path, line: int, diagnostics: Diagnostics) -> tuple[tuple[Person, ...], bool]:
    """Split a name list with bibtexparser's BibTeX rules; `and others` marks the list incomplete."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    if not value.strip():
        return (), False
    try:
        names = split_multiple_persons_names(value)
    except Exception:  # bibtexparser raises bare exceptions on unbalanced braces
        diagnostics.error(path, line, "cannot split the name list; separate names with ' and ' and balance the braces")
        return (), False
    people: list[Person] = []
    incomplete = False
    for name in names:
        name = " ".join(name.split())
        if name.lower() == "others":
            incomplete = True
        elif name:
            people.append(_person(name, parse_single_name_into_parts))
    return tuple(people), incomplete


def _person(name: str, parse_parts: Any) -> Person:
    if name.startswith("{") and name.endswith("}") and _balanced_outer(name):
        return Person(latex_to_text(name[1:-1]), literal=True)
    try:
        parts = parse_parts(name)
    except Exception:  # an unusual name is shown as written rather than guessed at
        return Person(latex_to_text(name), literal=True)
    family = latex_to_text(" ".join(parts.von + parts.last))
    given = latex_to_text(" ".join(parts.first))
    suffix = latex_to_text(" ".join(parts.jr))
    if not given and not suffix:
        return Person(family, literal=True)  # a one-part name ('Aristotle', 'Doe Co.') is shown as written
    return Person(family, given, suffix=suffix)


def _balanced_outer(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _resolve(value: str, macros: dict[str, str], undefined: list[str]) -> str:
    """Resolve a raw field value: `{...}`, `"..."`, numbers, macros and `#` concatenations of them."""
    pieces = []
    for piece in _split_concatenation(value.strip()):
        if len(piece) >= 2 and piece[0] + piece[-1] in ("{}", '""'):
            pieces.append(piece[1:-1])
        elif piece.isdigit():
            pieces.append(piece)
        elif piece.lower() in macros:
            pieces.append(macros[piece.lower()])
        else:
            undefined.append(piece)
            pieces.append(piece)
    return "".join(pieces)


def _split_concatenation(value: str) -> list[str]:
    pieces, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            pieces.append(value[start:index].strip())
            start = index + 1
    pieces.append(value[start:].strip())
    return [piece for piece in pieces if piece]


def _verbatim(value: str) -> str:
    """Return a URL-like value without LaTeX escapes ('\\_', '\\%', '{}'), which pylatexenc would mangle."""
    return re.sub(r"\\([_%&#$~])", r"\1", value.replace("{", "").replace("}", "")).strip()


def latex_to_text(value: str) -> str:
    """Return a LaTeX field value as plain Unicode text with single spaces."""
    if not any(char in value for char in "\\{}$~"):
        return " ".join(value.split())
    from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]  # ships with bibtexparser

    return " ".join(LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text(value).split())
