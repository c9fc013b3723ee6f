"""A small offline search index shipped as a plain script, so search works from a web server and
from disk (file://), where module-based indexes such as pagefind cannot load."""

from __future__ import annotations

import json

from .html_text import BODY_CHARS, leading_text
from .rendered import RenderedPage


def search_index_js(rendered: list[RenderedPage]) -> bytes:
    """Return `static/search-index.js`, which sets `window.EVIDENCE_SEARCH_INDEX`."""
    # one encoder for every record: json.dumps with options would build a new one per call
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
    records = []
    for item in rendered:
        record = item.derived.get("search")
        if not isinstance(record, str):
            record = item.derived["search"] = encode(_record(item))
        records.append(record)
    data = "[" + ",".join(records) + "]"
    data = data.replace("</", "<\\/")
    return f"window.EVIDENCE_SEARCH_INDEX={data};\n".encode()


def _record(item: RenderedPage) -> dict[str, object]:
    """One page's entry in the index."""
    page = item.page
    record: dict[str, object] = {
        "t": page.title,
        "u": item.output_path,
        "s": page.summary,
        "x": item.search_text or leading_text(str(item.body), BODY_CHARS),
    }
    if page.study is not None:
        work = page.study.work
        record["a"] = "; ".join(p.family for p in work.authors)
        record["y"] = work.year or ""
        record["d"] = page.study.design.label
    return record
