"""The search index's text extraction: the fast prefix path must agree with converting everything."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencesite.html_text import BODY_CHARS, leading_text, page_text

ROOT = Path(__file__).resolve().parent.parent
htmlish = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<a href='x'>", "</a>", "&amp;", "&lt;", "&amp", " ", "\n", "word", "<", ">", "&", "é"]
    ),
    max_size=200,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(htmlish, st.integers(min_value=1, max_value=60))
def test_leading_text_is_the_start_of_the_whole_text(html: str, limit: int) -> None:
    assert leading_text(html, limit) == page_text(html)[:limit]


def test_leading_text_agrees_on_the_real_site(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "out"
    assert run_cli("build", "--site", ROOT, "--output", output, "--no-cache", "-q").code == 0
    pages = sorted(output.rglob("index.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert leading_text(html, BODY_CHARS) == page_text(html)[:BODY_CHARS], page
