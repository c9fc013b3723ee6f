"""Check a built site on disk: every internal href/src and #fragment must resolve to a file and id."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action", "source": "src"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        if tag == "base" and values.get("href"):
            self.base = values["href"]
        attribute = _LINK_ATTRIBUTES.get(tag)
        value = values.get(attribute) if attribute else None
        if value is not None:
            self.links.append((self.getpos()[0], value))


@dataclass(frozen=True)
class BrokenLink:
    page: str
    line: int
    link: str
    reason: str

    def format(self) -> str:
        return f"{self.page}:{self.line}: broken link '{self.link}': {self.reason}"


def check_links(output: Path, base_path: str = "/") -> list[BrokenLink]:
    """Return every broken internal link or fragment in the HTML files under `output`."""
    pages: dict[str, _PageParser] = {}
    for path in sorted(output.rglob("*.html")):
        parser = _PageParser()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(output).as_posix()] = parser
    broken = []
    for page, parser in pages.items():
        for line, link in parser.links:
            problem = _check(page, parser, link, pages, output, base_path)
            if problem:
                broken.append(BrokenLink(page, line, link, problem))
    return broken


def _check(
    page: str, parser: _PageParser, link: str, pages: dict[str, _PageParser], output: Path, base_path: str
) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None if parts.scheme in ("http", "https", "mailto", "data") else f"unexpected scheme '{parts.scheme}'"
    if not parts.path:
        return (
            None
            if not parts.fragment or parts.fragment in parser.ids
            else f"no element with id '{parts.fragment}' on this page"
        )
    if parts.path.startswith("/"):
        return "absolute path: internal links must be relative so the site works under a sub-path and from disk"
    if parser.base is not None:
        base = parser.base[len(base_path) :] if parser.base.startswith(base_path) else parser.base.lstrip("/")
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target.startswith(".."):
        return "points outside the site"
    file = output / target
    if file.is_dir():
        return "links to a folder (opened from disk this shows a directory listing); link to its index.html"
    if not file.is_file():
        return f"no file {target}"
    if parts.fragment and target.endswith(".html"):
        other = pages.get(target)
        if other is not None and parts.fragment not in other.ids:
            return f"no element with id '{parts.fragment}' in {target}"
    return None
