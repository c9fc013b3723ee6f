"""The two built-in styles: reference entries and in-text labels, formatted by our own fast code.

Any other style is a CSL style formatted by citeproc-py (csl_format.py); these two stay ours because
they are fast on thousands of works and keep every author on study pages. The rules are the ones in
docs/authoring.md ("Citation styles"):

numeric      Vancouver-like: Das RK, Gale G, ... et al. Title. Journal. 2019;10(1):5187.
author-year  APA-like:      Das, R. K., & Gale, G. (2019). Title. Journal, 10(1), 5187.

Books, chapters, theses, reports and web pages keep what identifies them (editors, edition, pages,
degree, number, place, URL and access date). A missing year, title or author is left out, never
printed as "n.d.".
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from html import unescape

from markupsafe import Markup, escape

from .csl_style import AnyStyle, CitationStyle, is_numbered
from .models import Person, Work
from .names import initials

VANCOUVER_MAX_AUTHORS = 6
APA_MAX_AUTHORS = 20
_TAG = re.compile(r"<[^>]+>")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONG_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def short_label(work: Work) -> str:
    """Return the author part of an in-text label: 'Das et al.', 'Worrell & Gould', 'FDA', 'J. Smith'."""
    authors = work.authors or work.editors
    if not authors:
        return _title_words(work.title)
    first = authors[0].family
    if work.label_initials and not authors[0].literal and authors[0].given:
        first = f"{_dotted_initials(authors[0].given)} {first}"
    if len(authors) == 1:
        return first if not work.authors_incomplete else f"{first} et al."
    if len(authors) == 2 and not work.authors_incomplete:
        return f"{first} & {authors[1].family}"
    return f"{first} et al."


def narrative_label(work: Work) -> str:
    """Return the label used in running text: 'Worrell and Gould', 'Das et al.'."""
    return short_label(work).replace(" & ", " and ")


def year_label(work: Work) -> str:
    """Return '2019', '2019a', or '' when the year is unknown (never 'n.d.')."""
    return f"{work.year}{work.year_suffix}" if work.year else ""


def author_year_label(work: Work) -> str:
    """Return 'Das et al., 2019a', or the author part alone when the year is unknown."""
    year = year_label(work)
    return f"{short_label(work)}, {year}" if year else short_label(work)


def _title_words(title: str) -> str:
    words = title.split()
    return " ".join(words[:3]).rstrip(",;:") + ("…" if len(words) > 3 else "")


def disambiguate(works: Iterable[Work]) -> dict[str, Work]:
    """Return the works whose author-year labels would collide, changed so that they do not.

    Works by the same first author (family name and initials) and year get 2019a/2019b, ordered by title;
    when different first authors share a family name and year ('J. Smith' / 'K. Smith'), every label in
    the group shows the first author's initials instead, as APA does.
    """
    groups: dict[tuple[str, int | None], list[Work]] = {}
    for work in works:
        if work.year:
            plain = dataclasses.replace(work, label_initials=False, year_suffix="")
            groups.setdefault((short_label(plain), work.year), []).append(work)
    changed: dict[str, Work] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        by_author: dict[tuple[str, str], list[Work]] = {}
        for work in members:
            by_author.setdefault(_first_author(work), []).append(work)
        show_initials = len(by_author) > 1
        for same in by_author.values():
            same.sort(key=lambda w: (w.title.lower(), w.key))
            for index, work in enumerate(same):
                suffix = letters(index) if len(same) > 1 else ""
                if suffix != work.year_suffix or show_initials != work.label_initials:
                    changed[work.key] = dataclasses.replace(work, year_suffix=suffix, label_initials=show_initials)
    return changed


def _first_author(work: Work) -> tuple[str, str]:
    authors = work.authors or work.editors
    if not authors:
        return (work.title.lower(), "")
    return (authors[0].family.lower(), initials(authors[0].given).lower())


def letters(index: int) -> str:
    """Return 0 -> 'a', 25 -> 'z', 26 -> 'aa': suffixes for years and back-links."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("a") + remainder) + text
    return text


def format_authors(work: Work, style: AnyStyle, full: bool = False) -> str:
    """Return the author list as plain text; `full` lists every author (study pages never shorten)."""
    return _names(work.authors, work.authors_incomplete, is_numbered(style), full)


def _names(people: Iterable[Person], incomplete: bool, numeric: bool, full: bool) -> str:
    if numeric:
        names = [_vancouver_name(p) for p in people]
        shortened = not full and len(names) > VANCOUVER_MAX_AUTHORS
        if shortened:
            names = names[:VANCOUVER_MAX_AUTHORS]
        text = ", ".join(names)
        if (shortened or incomplete) and names:
            text += ", et al"
        return text
    names = [_apa_name(p) for p in people]
    if not full and len(names) > APA_MAX_AUTHORS:
        names = [*names[: APA_MAX_AUTHORS - 1], "…", names[-1]]
        return ", ".join(names[:-2]) + " " + names[-2] + " " + names[-1]
    if incomplete and names:
        return ", ".join(names) + ", et al."
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _vancouver_name(person: Person) -> str:
    if person.literal or not person.given:
        return person.family
    if _is_cjk(person.family):
        return person.family + person.given  # a CJK name is written family first, whole and without a space
    suffix = f" {person.suffix.rstrip('.')}" if person.suffix else ""
    return f"{person.family} {initials(person.given)}{suffix}"


def _apa_name(person: Person) -> str:
    if person.literal or not person.given:
        return person.family
    if _is_cjk(person.family):
        return person.family + person.given
    suffix = f", {person.suffix}" if person.suffix else ""
    return f"{person.family}, {_dotted_initials(person.given)}{suffix}"


def _is_cjk(text: str) -> bool:
    return bool(text) and all(
        unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")) for char in text
    )


def _apa_editor(person: Person) -> str:
    """An editor in APA's 'In' clause: initials first ('M. Lindqvist')."""
    if person.literal or not person.given:
        return person.family
    if _is_cjk(person.family):
        return person.family + person.given
    return f"{_dotted_initials(person.given)} {person.family}"


def _dotted_initials(given: str) -> str:
    compact = initials(given)
    if not any(char.isupper() or char.islower() for char in compact):
        return given  # initials of a name in a script without capitals ('娜') are the name itself
    return " ".join(
        f"{part}." if "-" not in part else "-".join(f"{p}." for p in part.split("-")) for part in _initial_list(compact)
    )


def _initial_list(compact: str) -> list[str]:
    parts: list[str] = []
    for char in compact:
        if char == "-" and parts:
            parts[-1] += "-"
        elif parts and parts[-1].endswith("-"):
            parts[-1] += char
        else:
            parts.append(char)
    return parts


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def _edition(edition: str) -> str:
    """Return '3rd ed.' for '3', 'Revised ed.' for 'Revised', and an edition already saying 'ed.' as it is."""
    if not edition:
        return ""
    if re.search(r"\bed(ition|\.)?$", edition, re.IGNORECASE):
        return edition
    if edition.isdigit():
        number = int(edition)
        ending = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        return f"{number}{ending} ed."
    return f"{edition} ed."


def _date_text(iso: str, long: bool) -> str:
    """Return '2024 Jan 15' (numeric) or 'January 15, 2024' (author-year) for an ISO date."""
    parts = iso.split("-")
    if len(parts) < 2 or not all(part.isdigit() for part in parts) or not 1 <= int(parts[1]) <= 12:
        return iso
    month = int(parts[1]) - 1
    day = str(int(parts[2])) if len(parts) > 2 else ""
    if long:
        return f"{_LONG_MONTHS[month]} {day}, {parts[0]}" if day else f"{_LONG_MONTHS[month]} {parts[0]}"
    return " ".join(p for p in (parts[0], _MONTHS[month], day) if p)


def _place_publisher(work: Work) -> str:
    if work.publisher_place and work.publisher:
        return f"{work.publisher_place}: {work.publisher}"
    return work.publisher or work.publisher_place


def format_reference(work: Work, style: AnyStyle, full_authors: bool = False) -> Markup:
    """Return the formatted reference as safe HTML (every field escaped; titles of books in italics for APA)."""
    if style is CitationStyle.NUMERIC:
        return _vancouver(work, full_authors)
    return _apa(work, full_authors)


def _vancouver(work: Work, full_authors: bool) -> Markup:
    numeric = True
    authors = _names(work.authors, work.authors_incomplete, numeric, full_authors)
    if not authors and work.editors and work.kind in ("book", "report"):
        authors = _names(work.editors, False, numeric, full_authors) + (
            ", editors" if len(work.editors) > 1 else ", editor"
        )
    title = work.title
    if work.kind in ("thesis", "report") and work.genre:
        title = f"{title} [{work.genre}]"
    elif work.kind == "webpage":
        title = f"{title} [Internet]" if title else ""
    parts = [_sentence(authors), _sentence(title)]
    year = str(work.year) if work.year else ""
    place = _place_publisher(work)
    if work.kind in ("article-journal", "article-magazine", "article-newspaper", "article") and work.container:
        source = work.container + "."
        detail = year
        if work.volume:
            detail += f";{work.volume}"
        if work.issue:
            detail += f"({work.issue})" if work.volume else f";({work.issue})"
        if work.pages:
            detail += f":{work.pages}" if work.volume or work.issue else f";{work.pages}"
        parts += [source, _sentence(detail.lstrip(";"))]
    elif work.kind in ("chapter", "paper-conference", "entry-encyclopedia"):
        if work.editors or work.container:
            editors = _names(work.editors, False, numeric, True)
            label = ", editors. " if len(work.editors) > 1 else ", editor. "
            parts.append("In: " + (editors + label if editors else "") + _sentence(work.container))
        parts.append(_sentence(_edition(work.edition)))
        parts.append(_sentence("; ".join(p for p in (place, year) if p)))
        if work.pages:
            parts.append(f"p. {work.pages}.")
    elif work.kind == "webpage":
        cited = f" [cited {_date_text(work.accessed, False)}]" if work.accessed else ""
        parts.append(_sentence("; ".join(p for p in (work.container, year) if p) + cited))
        if work.url:
            parts.append(f"Available from: {work.url}")
    else:
        parts.append(_sentence(_edition(work.edition)))
        if work.container:
            parts.append(_sentence(work.container))
        parts.append(_sentence("; ".join(p for p in (place, year) if p)))
        if work.number:
            parts.append(_sentence(f"Report No.: {work.number}" if work.kind == "report" else work.number))
        if work.url and work.kind not in ("book", "thesis"):
            parts.append(f"Available from: {work.url}")
    return escape(" ".join(p for p in parts if p))


def _apa(work: Work, full_authors: bool) -> Markup:
    numeric = False
    authors = _names(work.authors, work.authors_incomplete, numeric, full_authors)
    if not authors and work.editors and work.kind in ("book", "report"):
        authors = _names(work.editors, False, numeric, full_authors) + (
            " (Eds.)" if len(work.editors) > 1 else " (Ed.)"
        )
    date = work.date if len(work.date) == 10 and work.kind in ("webpage", "article-newspaper") else ""
    year = year_label(work)
    if date and year:
        year = f"{year}, {_date_text(date, True).rsplit(', ', 1)[0]}"
    head = [escape(_sentence(authors))] if authors else []
    title_first = not authors and bool(work.title)  # APA: with no author, the title takes the author's place
    if title_first:
        head.append(escape(_sentence(work.title)))
    if year:
        head.append(escape(f"({year})."))
    italic_title = work.kind in ("book", "thesis", "report", "webpage") and work.title
    title = Markup("<i>{}</i>").format(work.title) if italic_title else escape(work.title)
    extras = []
    if work.kind in ("book", "report") and work.edition:
        extras.append(_edition(work.edition))
    if work.kind == "report" and work.number:
        extras.append(f"{work.genre or 'Report'} No. {work.number}")
    if extras:
        title += escape(f" ({', '.join(extras)})")
    if work.kind == "thesis" and (work.genre or work.publisher):
        title += escape(" [" + ", ".join(p for p in (work.genre, work.publisher) if p) + "]")
    elif work.kind == "report" and work.genre and not work.number:
        title += escape(f" [{work.genre}]")
    parts = (
        [*head, title if _ends_sentence(plain_text(title)) else title + "."] if work.title and not title_first else head
    )
    parts.extend(_apa_source(work))
    return Markup(" ").join(p for p in parts if p)


def _ends_sentence(text: str) -> bool:
    return text.strip().endswith((".", "?", "!"))


def _apa_source(work: Work) -> list[Markup]:
    place = _place_publisher(work)
    if work.kind in ("article-journal", "article-magazine", "article-newspaper", "article") and work.container:
        text = Markup("<i>{}</i>").format(work.container)
        if work.volume:
            text += Markup(", <i>{}</i>").format(work.volume)
        if work.issue:
            text += escape(f"({work.issue})") if work.volume else escape(f", ({work.issue})")
        if work.pages:
            text += escape(f", {work.pages}")
        return [text + "."]
    if work.kind in ("chapter", "paper-conference", "entry-encyclopedia"):
        clause = Markup("In")
        if work.editors:
            names = [_apa_editor(p) for p in work.editors]
            joined = (
                names[0]
                if len(names) == 1
                else ", ".join(names[:-1]) + (", & " if len(names) > 2 else " & ") + names[-1]
            )
            clause += escape(f" {joined} ({'Eds.' if len(names) > 1 else 'Ed.'}),")
        if work.container:
            clause += Markup(" <i>{}</i>").format(work.container)
        details = [d for d in (_edition(work.edition), f"pp. {work.pages}" if work.pages else "") if d]
        if details:
            clause += escape(f" ({', '.join(details)})")
        result = [clause + "."] if work.editors or work.container or details else []
        if place:
            result.append(escape(_sentence(place)))
        return result
    if work.kind == "webpage":
        result = [escape(_sentence(work.container))] if work.container else []
        if work.url and work.accessed:
            result.append(escape(f"Retrieved {_date_text(work.accessed, True)}, from {work.url}"))
        elif work.url:
            result.append(escape(work.url))
        return result
    if work.kind == "thesis":
        return []  # the degree and institution are in brackets after the title
    pieces = [p for p in (work.container, place) if p]
    result = [escape(_sentence(". ".join(pieces)))] if pieces else []
    if work.url and work.kind not in ("book", "report"):
        result.append(escape(work.url))
    return result


def plain_text(reference: Markup) -> str:
    """Return a formatted reference without its tags and entities (e.g. the "Cite this study" text)."""
    return unescape(_TAG.sub("", str(reference)))
