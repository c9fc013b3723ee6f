"""Format works as reference entries and in-text labels, in the site's two documented styles.

We use our own small formatter rather than citeproc-py: it has to produce HTML with links and
badges, keep every author on study pages, and be fast on thousands of works; the rules are the
ones in docs/authoring.md ("Citation styles").

numeric      Vancouver-like: Das RK, Gale G, ... et al. Title. Journal. 2019;10(1):5187.
author-year  APA-like:      Das, R. K., & Gale, G. (2019). Title. Journal, 10(1), 5187.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape

from markupsafe import Markup, escape

from .config import CitationStyle
from .models import Person, Work
from .names import initials

VANCOUVER_MAX_AUTHORS = 6
APA_MAX_AUTHORS = 20
_TAG = re.compile(r"<[^>]+>")


def short_label(work: Work) -> str:
    """Return the author part of an in-text label: 'Das et al.', 'Worrell & Gould', 'FDA'."""
    authors = work.authors
    if not authors:
        return _title_words(work.title)
    if len(authors) == 1:
        return authors[0].family if not work.authors_incomplete else f"{authors[0].family} et al."
    if len(authors) == 2 and not work.authors_incomplete:
        return f"{authors[0].family} & {authors[1].family}"
    return f"{authors[0].family} et al."


def narrative_label(work: Work) -> str:
    """Return the label used in running text: 'Worrell and Gould', 'Das et al.'."""
    return short_label(work).replace(" & ", " and ")


def year_label(work: Work) -> str:
    return f"{work.year}{work.year_suffix}" if work.year else f"n.d.{work.year_suffix and '-' + work.year_suffix}"


def _title_words(title: str) -> str:
    words = title.split()
    return " ".join(words[:3]) + ("…" if len(words) > 3 else "")


def disambiguation_suffixes(works: Iterable[Work]) -> dict[str, str]:
    """Return key -> 'a'/'b'/... for works whose author-year labels would otherwise collide."""
    groups: dict[tuple[str, int | None], list[Work]] = {}
    for work in works:
        groups.setdefault((short_label(work), work.year), []).append(work)
    suffixes: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda w: (w.title.lower(), w.key))
        for index, work in enumerate(members):
            suffixes[work.key] = letters(index)
    return suffixes


def letters(index: int) -> str:
    """Return 0 -> 'a', 25 -> 'z', 26 -> 'aa': suffixes for years and back-links."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("a") + remainder) + text
    return text


def format_authors(work: Work, style: CitationStyle, full: bool = False) -> str:
    """Return the author list as plain text; `full` lists every author (study pages never shorten)."""
    people = list(work.authors)
    if style is CitationStyle.NUMERIC:
        names = [_vancouver_name(p) for p in people]
        shortened = not full and len(names) > VANCOUVER_MAX_AUTHORS
        if shortened:
            names = names[:VANCOUVER_MAX_AUTHORS]
        text = ", ".join(names)
        if shortened or work.authors_incomplete:
            text += ", et al"
        return text
    names = [_apa_name(p) for p in people]
    if not full and len(names) > APA_MAX_AUTHORS:
        names = [*names[: APA_MAX_AUTHORS - 1], "…", names[-1]]
        return ", ".join(names[:-2]) + " " + names[-2] + " " + names[-1]
    if work.authors_incomplete:
        return ", ".join(names) + ", et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _vancouver_name(person: Person) -> str:
    if person.literal or not person.given:
        return person.family
    return f"{person.family} {initials(person.given)}"


def _apa_name(person: Person) -> str:
    if person.literal or not person.given:
        return person.family
    dotted = " ".join(
        f"{part}." if "-" not in part else "-".join(f"{p}." for p in part.split("-"))
        for part in _initial_list(person.given)
    )
    return f"{person.family}, {dotted}"


def _initial_list(given: str) -> list[str]:
    compact = initials(given)
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
    return text if text.endswith((".", "?", "!")) else text + "."


def format_reference(work: Work, style: CitationStyle, full_authors: bool = False) -> Markup:
    """Return the formatted reference as safe HTML (every field escaped; container in italics for APA)."""
    authors = format_authors(work, style, full_authors)
    title = _sentence(work.title)
    if style is CitationStyle.NUMERIC:
        parts = [escape(_sentence(authors)) if authors else Markup(""), escape(title)]
        source = _vancouver_source(work)
        if source:
            parts.append(escape(source))
        return Markup(" ").join(p for p in parts if p)
    year = f"({year_label(work)})."
    head = f"{authors} {year}" if authors else year
    parts = [escape(head), escape(title)]
    container = _apa_container(work)
    if container:
        parts.append(container)
    return Markup(" ").join(parts)


def _vancouver_source(work: Work) -> str:
    text = work.container
    year = str(work.year) if work.year else "n.d."
    if work.kind == "article-journal" and work.container:
        text = f"{work.container}. {year}"
        if work.volume:
            text += f";{work.volume}"
            if work.issue:
                text += f"({work.issue})"
        if work.pages:
            text += f":{work.pages}" if work.volume else f";{work.pages}"
        return text + "."
    pieces = [p for p in (work.container, work.publisher) if p]
    pieces.append(year)
    return ". ".join(pieces) + "."


def _apa_container(work: Work) -> Markup:
    if not work.container and not work.publisher:
        return Markup("")
    if work.kind == "article-journal" and work.container:
        text = Markup("<i>{}</i>").format(work.container)
        if work.volume:
            text += Markup(", <i>{}</i>").format(work.volume)
            if work.issue:
                text += escape(f"({work.issue})")
        if work.pages:
            text += escape(f", {work.pages}")
        return text + "."
    pieces = [p for p in (work.container, work.publisher) if p]
    return escape(_sentence(". ".join(pieces)))


def plain_text(reference: Markup) -> str:
    """Return a formatted reference without its tags and entities (e.g. the "Cite this study" text)."""
    return unescape(_TAG.sub("", str(reference)))
