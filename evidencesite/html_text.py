"""The visible text of rendered HTML: what the search index holds of each page.

Kept apart from search_index so that page rendering (and its cache) can extract the text where the
HTML is made, in the worker processes, instead of once per build for every page.
"""

from __future__ import annotations

import html
import re

BODY_CHARS = 1200  # how much of each page's text the search index keeps
_TAGS = re.compile(r"<[^>]+>")


def page_text(body_html: str) -> str:
    """Return the visible text of rendered HTML, whitespace collapsed."""
    return " ".join(html.unescape(_TAGS.sub(" ", body_html)).split())


def leading_text(body_html: str, limit: int) -> str:
    """Return `page_text(body_html)[:limit]`, converting only as much of the HTML as that needs.

    The HTML is cut just after a tag: tags become spaces, so the text of that prefix is a prefix of
    the whole text (whole words, no half entity or tag); if it is long enough, the rest is not needed.
    """
    end = body_html.find(">", 4 * limit)
    if end >= 0:
        text = page_text(body_html[: end + 1])
        if len(text) >= limit:
            return text[:limit]
    return page_text(body_html)[:limit]
