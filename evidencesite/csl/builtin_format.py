"""The two built-in styles' reference entries, formatted by our own fast code.

Any other style is a CSL style formatted by citeproc-py (formatter.py); these two stay ours because
they are fast on thousands of works and keep every author on study pages. The rules are the ones in
docs/authoring.md ("Citation styles"):

numeric      Vancouver-like: Das RK, Gale G, ... et al. Title. Journal. 2019;10(1):5187.
author-year  APA-like:      Das, R. K., & Gale, G. (2019). Title. Journal, 10(1), 5187.

Books, chapters, theses, reports and web pages keep what identifies them (editors, edition, pages,
degree, number, place, URL and access date). A missing year, title or author is left out, never
printed as "n.d.". Their author lists are builtin_names.py's, their in-text labels labels.py's.
"""

from __future__ import annotations

import re
from html import unescape

from markupsafe import Markup, escape

from evidencesite.csl.builtin_names import apa_editor, names_text
from evidencesite.csl.labels import year_label
from evidencesite.csl.style import AnyStyle, CitationStyle
from evidencesite.models import Work

_TAG = re.compile(r"<[^>]+>")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONG_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


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


def _creators(work: Work, numeric: bool, full_authors: bool, editor_labels: tuple[str, str]) -> str:
    """Return the author list, or for an edited book or report without authors its editors and their label."""
    authors = names_text(work.authors, work.authors_incomplete, numeric, full_authors)
    if not authors and work.editors and work.kind in ("book", "report"):
        return names_text(work.editors, False, numeric, full_authors) + editor_labels[len(work.editors) > 1]
    return authors


def _vancouver(work: Work, full_authors: bool) -> Markup:
    authors = _creators(work, True, full_authors, (", editor", ", editors"))
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
            editors = names_text(work.editors, False, True, True)
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
    authors = _creators(work, False, full_authors, (" (Ed.)", " (Eds.)"))
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
            names = [apa_editor(p) for p in work.editors]
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
