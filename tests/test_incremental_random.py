"""A seeded random walk of edits: after every step the incremental output equals a fresh build, byte for byte.

Edits touch notes, citations, keys, drafts, references.bib, site_config.yaml and templates; some steps
break a file and a later one repairs it. Both caches are checked: the disk cache of command-line builds
and the in-memory one of `serve` (a MemoryStore over the disk cache); a fourth walk lets files settle
before each build, so that prose edits take the body-edit path (build/body_edit.py).
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, snapshot, write_site
from evidencesite.build.pipeline import BuildOptions, build
from evidencesite.cache import files as cache_files
from evidencesite.cache import store as cache_store
from evidencesite.cache.store import MemoryStore
from evidencesite.errors import SiteError

NOTE = MINIMAL_FILES["content/studies/smith2020.md"]
PAGE_TEMPLATE = (Path(__file__).resolve().parent.parent / "templates" / "page.html").read_text()
Files = dict[str, str]
SETTLE_NS = 50_000_000  # `disk-settled`: files count as settled 50 ms after they are written (far above mtime granularity)


def _note(key: str, rng: random.Random) -> str:
    author = rng.choice(["Smith, AB", "Jones, C", "Ng", "World Health Organization", "García, M, Jr"])
    return (
        NOTE.replace("Smith, AB", author)
        .replace("year: 2020", f"year: {rng.randint(1990, 2024)}")
        .replace("[@smith2020]", f"[@{key}]")
        .replace("A trial of something", f"Trial {key}")
    )


def _notes(files: Files) -> list[str]:
    return sorted(name for name in files if name.startswith("content/studies/"))


def _keys(files: Files) -> list[str]:
    keys = [Path(name).stem for name in _notes(files) if "draft: true" not in files[name]]
    return keys + re.findall(r"@misc\{([^,]+),", files.get("content/references.bib", ""))


def _pages(files: Files) -> list[str]:
    return sorted(name for name in files if name.endswith(".md") and not name.startswith("content/studies/"))


def _cite(files: Files, rng: random.Random) -> None:
    page = rng.choice(_pages(files))
    files[page] += f"\nMore [@{rng.choice(_keys(files))}].\n"


def _uncite(files: Files, rng: random.Random) -> None:
    page = rng.choice(_pages(files) + _notes(files))
    files[page] = re.sub(r"\[@[^\]]+\]", "", files[page], count=1)


def _edit_body(files: Files, rng: random.Random) -> None:
    name = rng.choice(sorted(files))
    if name.endswith(".md"):
        files[name] += rng.choice(["\nA sentence.\n", "\n## A heading\n\nText.\n", "\n- a\n- list\n"])


def _edit_prose(files: Files, rng: random.Random) -> None:
    """Prose only: a sentence, or a word changed, in a note or a page (the body-edit path's case)."""
    name = rng.choice(_notes(files) + _pages(files))
    if rng.random() < 0.5:
        files[name] += f"\nA sentence {rng.randint(1, 99)}.\n"
    else:
        files[name] = files[name].replace("Text.", "Words.") if "Text." in files[name] else files[name] + "\nText.\n"


def _edit_front_matter(files: Files, rng: random.Random) -> None:
    name = rng.choice(_notes(files))
    files[name] = re.sub(r"year: \d+", f"year: {rng.randint(1990, 2024)}", files[name])
    files[name] = files[name].replace("n: 40", f"n: {rng.randint(5, 500)}")


def _add_note(files: Files, rng: random.Random) -> None:
    key = f"{rng.choice(['lee', 'kim', 'ortiz', 'nguyen'])}{rng.randint(1990, 2024)}{rng.choice('abc')}"
    files.setdefault(f"content/studies/{key}.md", _note(key, rng))


def _remove_note(files: Files, rng: random.Random) -> None:
    notes = _notes(files)
    if len(notes) > 1:
        name = rng.choice(notes)
        key = Path(name).stem
        del files[name]
        for other in files:  # and every citation of it, so the site stays valid
            files[other] = files[other].replace(f"[@{key}]", "").replace(f"[@{key}, p. 3]", "")
            files[other] = re.sub(rf"evidence: \[{re.escape(key)}\]", f"evidence: [{_keys(files)[0]}]", files[other])
            files[other] = files[other].replace(f"@{key}", "")


def _toggle_draft(files: Files, rng: random.Random) -> None:
    name = rng.choice(_notes(files))
    key = Path(name).stem
    cited = any(f"@{key}" in text or f"[{key}]" in text for other, text in files.items() if other != name)
    if "draft: true\n" in files[name]:
        files[name] = files[name].replace("draft: true\n", "")
    elif not cited:
        files[name] = files[name].replace("---\n", "---\ndraft: true\n", 1)


def _edit_bibliography(files: Files, rng: random.Random) -> None:
    key = f"guide{rng.randint(1, 6)}"
    bib = files.get("content/references.bib", "")
    entry = f"@misc{{{key},\n  title = {{Guide {rng.randint(1, 99)}}},\n  author = {{Body, Some}},\n  year = {{2020}}\n}}\n"
    existing = re.search(rf"@misc\{{{key},.*?\n\}}\n", bib, re.DOTALL)
    cited = any(f"@{key}" in text for text in files.values())
    if existing and not cited:
        files["content/references.bib"] = bib.replace(existing.group(0), "")
    elif existing:
        files["content/references.bib"] = bib.replace(existing.group(0), entry)
    else:
        files["content/references.bib"] = bib + entry


def _edit_config(files: Files, rng: random.Random) -> None:
    config = files["site_config.yaml"]
    if rng.random() < 0.5:
        files["site_config.yaml"] = re.sub(r"^title: .*$", f"title: Site {rng.randint(1, 9)}", config, flags=re.MULTILINE)
    else:
        style = "author-year" if "citation_style: numeric" in config else "numeric"
        files["site_config.yaml"] = re.sub(r"citation_style: \S+", f"citation_style: {style}", config)


def _edit_template(files: Files, rng: random.Random) -> None:
    name = "templates/page.html"
    if name in files:
        del files[name]
    else:
        files[name] = PAGE_TEMPLATE.replace("</article>", f"<p>Note {rng.randint(1, 9)}</p></article>", 1)


RESULTS = "results:\n  - id: r1\n    question: memory-q\n    measure: RR\n    events: [{0}, {1}]\n    totals: [50, 50]\n    favours: lower\n"
QUESTION = "questions:\n  - id: memory-q\n    question: Does it help?\n    pool: {2}\n    certainty: {0}\n    downgrades: {{imprecision: {1}}}\n"
TOPIC = "content/mechanisms/memory.md"


def _toggle_block(text: str, field: str, block: str, anchor: str) -> str:
    """Remove `field`'s block from the front matter, or add `block` before `anchor` when it is absent."""
    without = re.sub(rf"^{field}:\n(?:  .*\n)+", "", text, count=1, flags=re.MULTILINE)
    return without if without != text else text.replace(anchor, block + anchor, 1)


def _edit_evidence(files: Files, rng: random.Random) -> None:
    """Results, questions, key messages and dates: what other pages (forest plots, the home page) show too."""
    choice = rng.randrange(4)
    if choice == 0:
        name = rng.choice(_notes(files))
        files[name] = _toggle_block(files[name], "results", RESULTS.format(rng.randint(1, 20), rng.randint(1, 20)), "summary:")
    elif choice == 1:  # the question stays declared (results answering it would be errors), its grading changes
        certainty, steps = rng.choice([("high", 0), ("moderate", 1), ("low", 2)])
        pool = "true" if sum("results:" in files[name] for name in _notes(files)) >= 2 else "false"
        question = QUESTION.format(certainty, steps, pool)
        files[TOPIC] = re.sub(r"^questions:\n(?:  .*\n)+", question, files[TOPIC], flags=re.MULTILINE)
    elif choice == 2:
        message = f"key_messages:\n  - text: It may help {rng.randint(1, 9)}.\n    question: memory-q\n"
        files[TOPIC] = _toggle_block(files[TOPIC], "key_messages", message, "order:")
    else:
        name = rng.choice(_pages(files) + _notes(files))
        change = f"changes:\n  - {{date: 2024-0{rng.randint(1, 9)}-01, text: Updated {rng.randint(1, 9)}.}}\n"
        files[name] = _toggle_block(files[name], "changes", change, "title:")


EDITS: list[Callable[[Files, random.Random], None]] = [
    _edit_evidence,
    _edit_evidence,
    _cite,
    _uncite,
    _edit_body,
    _edit_body,
    _edit_prose,
    _edit_prose,
    _edit_front_matter,
    _add_note,
    _remove_note,
    _toggle_draft,
    _edit_bibliography,
    _edit_config,
    _edit_template,
]


def _sync(root: Path, files: Files, written: Files) -> None:
    for name in set(written) - set(files):
        (root / name).unlink()
    write_site(root, {name: text for name, text in files.items() if written.get(name) != text})
    written.clear()
    written.update(files)


def _build(options: BuildOptions, kinds: Counter[str]) -> str | None:
    """Build; return None on success or the problems, so failed builds can be compared too."""
    try:
        kinds[build(options).kind] += 1
        return None
    except SiteError as exc:
        return "\n".join(sorted(d.format() for d in exc.diagnostics))


@pytest.mark.parametrize(
    ("backend", "seed", "steps"), [("disk", 1, 90), ("disk", 2, 60), ("memory", 3, 70), ("disk-settled", 4, 80)]
)
def test_random_edits_keep_incremental_builds_identical_to_fresh_ones(
    tmp_path: Path, backend: str, seed: int, steps: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`disk-settled` lets each step's files settle before its build (50 ms here instead of 2 s), so that
    edits of prose take the body-edit path (build/body_edit.py); the others build what was just written."""
    if backend == "disk-settled":
        monkeypatch.setattr(cache_files, "RACY_NS", SETTLE_NS)
        monkeypatch.setattr(cache_store, "RACY_NS", SETTLE_NS)
    kinds: Counter[str] = Counter()
    rng = random.Random(seed)
    root = tmp_path / "site"
    files: Files = dict(MINIMAL_FILES)
    files[TOPIC] = files[TOPIC].replace("order:", QUESTION.format("high", 0, "false") + "order:", 1)
    written: Files = {}
    _sync(root, files, written)
    store = MemoryStore(root) if backend == "memory" else None
    incremental = BuildOptions(site=root, output=tmp_path / "out", store=store)
    broken: tuple[str, str] | None = None
    built = 0
    for step in range(steps):
        if broken is not None:  # repair what the previous step broke
            files[broken[0]] = broken[1]
            broken = None
        elif rng.random() < 0.08:
            name = rng.choice(_notes(files))
            broken = (name, files[name])
            files[name] = files[name].replace("design: rct", "design: [rct")
        else:
            rng.choice(EDITS)(files, rng)
        _sync(root, files, written)
        if backend == "disk-settled":
            time.sleep(SETTLE_NS / 1e9 + 0.02)
        problems = _build(incremental, kinds)
        fresh_output = tmp_path / f"fresh{step % 2}"
        fresh = _build(BuildOptions(site=root, output=fresh_output, use_cache=False), Counter())
        assert problems == fresh, f"step {step}"
        if problems is None:
            built += 1
            assert snapshot(tmp_path / "out") == snapshot(fresh_output), f"step {step}"
    assert built >= steps // 2, f"only {built} of {steps} steps built: the walk must mostly keep the site valid"
    if backend == "disk-settled":
        assert kinds["body edit"] >= 10, f"the walk must take the body-edit path often enough to test it: {kinds}"
