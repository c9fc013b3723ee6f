"""Links that land on a place in another page (`[NMDA receptor](../pages/glossary.md#nmda-receptor)`) must find it.

A heading's id is its text made a slug (Python-Markdown's TOC rule: 'NMDA receptor' -> 'nmda-receptor'), or the
id written after it (`### NMDA receptor {#nmda}`). After rendering, each link to another content page with a
`#fragment` is looked up among the ids of that page's body and of its template; one that is missing is a warning
at the line of the link in the source (a renamed heading breaks such links silently otherwise).
"""

from __future__ import annotations

import posixpath
import re

from evidencesite.errors import Diagnostics
from evidencesite.markdown.toc import TEMPLATE_IDS
from evidencesite.render.rendered import RenderedPage

_HREF = re.compile(r'<a\b[^>]*?\shref="([^"#:]+)#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
# ids a page's template makes from its content (references, claims, results, changes): not checked here
_GENERATED = re.compile(r"^(ref|claim|cite|cites|result|question|change|fn|fnref)[-:]")


def check_fragment_links(rendered: list[RenderedPage], diagnostics: Diagnostics) -> None:
    """Warn about each link from one content page to another whose #fragment is on no element there."""
    by_path = {item.output_path: item for item in rendered}
    ids: dict[str, set[str]] = {}
    for item in rendered:
        body = str(item.body)
        if "#" not in body:
            continue
        reported: set[str] = set()
        for href, fragment in _HREF.findall(body):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(item.output_path), href))
            page = by_path.get(target)
            if page is None or page is item or _GENERATED.match(fragment) or fragment in TEMPLATE_IDS:
                continue
            known = ids.get(target)
            if known is None:
                known = ids[target] = {ident for _, ident, _ in page.headings} | set(_ID.findall(str(page.body)))
            if fragment in known or f"{href}#{fragment}" in reported:
                continue
            reported.add(f"{href}#{fragment}")
            headings = [ident for _, ident, _ in page.headings]
            hint = f"; its headings' ids include: {', '.join(headings[:8])}" if headings else ""
            diagnostics.warning(
                item.page.path,
                _line_of(item, fragment),
                f"link to '{page.page.source.path}#{fragment}': that page has no heading or element with id "
                f"'{fragment}'{hint}",
            )


def _line_of(item: RenderedPage, fragment: str) -> int:
    """The source line that writes the link (the body's first line when it cannot be found)."""
    for offset, line in enumerate(item.page.body.splitlines()):
        if f"#{fragment}" in line:
            return item.page.body_line + offset
    return item.page.body_line


def fragment_facts(item: RenderedPage) -> tuple[list[str], list[tuple[str, str]]]:
    """What the check above reads of a page: the ids it offers and the links with a #fragment it makes."""
    body = str(item.body)
    ids = sorted({ident for _, ident, _ in item.headings} | set(_ID.findall(body)))
    return ids, sorted(_HREF.findall(body)) if "#" in body else []
