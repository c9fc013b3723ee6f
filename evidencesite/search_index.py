"""A small offline search index shipped as a plain script, so search works from a web server and
from disk (file://), where module-based indexes such as pagefind cannot load."""

from __future__ import annotations

import html
import json
import re

from .rendered import RenderedPage

BODY_CHARS = 1200
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


def search_index_js(rendered: list[RenderedPage]) -> bytes:
    """Return `static/search-index.js`, which sets `window.EVIDENCE_SEARCH_INDEX`."""
    records = []
    for item in rendered:
        record = item.derived.get("search")
        if not isinstance(record, str):
            record = item.derived["search"] = _record_json(item)
        records.append(record)
    data = "[" + ",".join(records) + "]"
    data = data.replace("</", "<\\/")
    return f"window.EVIDENCE_SEARCH_INDEX={data};\n".encode()


def _record_json(item: RenderedPage) -> str:
    """One page's entry in the index, as JSON (keys sorted)."""
    page = item.page
    record = {
        "t": page.title,
        "u": item.output_path,
        "s": page.summary,
        "x": leading_text(str(item.body), BODY_CHARS),
    }
    if page.study is not None:
        work = page.study.work
        record["a"] = "; ".join(p.family for p in work.authors)
        record["y"] = work.year or ""
        record["d"] = page.study.design.label
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
