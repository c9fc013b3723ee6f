"""Citation syntax against real Pandoc: every case of tests/fixtures/citation-syntax.yaml is read by
`pandoc -f markdown -t json` and by our Markdown renderer, and the citations found must agree (keys, mode,
prefix, locator as plain text). Cases marked `differs` are deliberate differences, each with its reason."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import missing_tool
from evidencesite.content.config import CitationStyle, RawHtml
from evidencesite.markdown.extensions import DocumentContext
from evidencesite.markdown.page_citations import PageCitations
from evidencesite.markdown.render import MarkdownRenderer

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "citation-syntax.yaml").read_text(encoding="utf-8"))
Found = list[tuple[str, str, str, str]]  # (key, mode, prefix, suffix)


def _require_pandoc() -> str:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        missing_tool("pandoc is not installed (apt-get install pandoc)")
    return pandoc


def _plain(text: str) -> str:
    """A prefix or locator as plain text: inline Markdown rendered, tags dropped, spaces normalised."""
    rendered = MarkdownRenderer(RawHtml.SANITISE).render(text, None).html if text else ""  # type: ignore[arg-type]
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    text = text.replace("\xa0", " ").strip()
    return text[1:].strip() if text.startswith(",") else text


def _inlines(items: list[dict[str, Any]]) -> str:
    out = []
    for item in items:
        kind = item["t"]
        if kind == "Str":
            out.append(item["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Span", "Quoted"):
            out.append(_inlines(item["c"] if kind in ("Emph", "Strong") else item["c"][-1]))
        else:
            out.append(f"<{kind}>")
    return "".join(out)


def _pandoc_citations(pandoc: str) -> list[Found]:
    """Run Pandoc once on every case, each in a fenced div, and return the citations of each."""
    source = "\n\n".join(f"::: {{#case-{n}}}\n{case['text']}\n:::" for n, case in enumerate(CASES))
    result = subprocess.run(
        [pandoc, "-f", "markdown", "-t", "json"], input=source, capture_output=True, text=True, check=True
    )
    found: list[Found] = [[] for _ in CASES]

    def walk(node: Any, case: int) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Div":
                case = int(node["c"][0][0].removeprefix("case-"))
            if node.get("t") == "Cite":
                for cite in node["c"][0]:
                    suffix = _inlines(cite["citationSuffix"]).replace("\xa0", " ").strip()
                    suffix = suffix[1:].strip() if suffix.startswith(",") else suffix
                    prefix = _inlines(cite["citationPrefix"]).replace("\xa0", " ").strip()
                    found[case].append((cite["citationId"], cite["citationMode"]["t"], prefix, suffix))
            for value in node.values():
                walk(value, case)
        elif isinstance(node, list):
            for value in node:
                walk(value, case)

    walk(json.loads(result.stdout)["blocks"], -1)
    return found


def _our_citations(text: str) -> Found:
    """Render `text` with the site's Markdown renderer and return the citations it parsed."""
    def report(line: int, message: str, is_error: bool) -> None:
        pass  # unknown keys are expected here: only the parse is compared

    citations = PageCitations({}, CitationStyle.AUTHOR_YEAR, report)
    context = DocumentContext(citations, text, "pages", "x/index.html", lambda target: None, report)
    MarkdownRenderer(RawHtml.SANITISE).render(text, context)
    found: Found = []
    for citation in context.found:
        for index, item in enumerate(citation.items):
            mode = "SuppressAuthor" if item.suppress_author else "NormalCitation"
            if citation.narrative and index == 0:
                mode = "AuthorInText"
            found.append((item.key, mode, _plain(item.prefix), _plain(item.locator)))
    return found


def test_citation_syntax_agrees_with_pandoc(capsys: pytest.CaptureFixture[str]) -> None:
    pandoc = _require_pandoc()
    theirs = _pandoc_citations(pandoc)
    assert len(CASES) >= 40
    agree, disagree, still_differ = 0, [], []
    for case, expected in zip(CASES, theirs, strict=True):
        ours = _our_citations(case["text"])
        if "differs" in case:
            still_differ.append(ours != expected)
            continue
        if sorted(ours) == sorted(expected):
            agree += 1
        else:
            disagree.append(f"{case['text']!r}: pandoc {expected}, ours {ours}")
    compared = len(CASES) - len(still_differ)
    with capsys.disabled():
        print(f"\ncitation syntax: {agree}/{compared} cases agree with {pandoc} ({len(still_differ)} documented differences)")
    assert not disagree, "\n".join(disagree)
    assert all(still_differ), "a case marked 'differs' now agrees with Pandoc: remove its 'differs'"
