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


# --- terms and shards --------------------------------------------------------------------------------------

WORDS = (
    "Randomised randomized RANDOMISATION behaviour behavior colours anaemia anemia haemorrhage paediatric oesophagus "
    "centre center metres fibre modelling modeled labelled catalogue analyse analysed trials studies study bus "
    "analysis Müller Ørsted naïve 王伟 Ng 2019 a I does ketamine's side-effects COVID-19 α-synuclein x ß Straße "
    "İstanbul it’s e.g. U.S. FDA’s"
)


def test_search_terms_fold_spellings_plurals_accents_and_stop_words() -> None:
    from evidencesite.site.search_terms import terms

    assert terms("Randomised trials of behaviour in the centre") == terms("randomized trial of behavior in center")
    assert terms("Does ketamine work for alcohol?") == ["ketamine", "work", "alcohol"]
    assert terms("Anaemia, haemorrhage and paediatric oesophagus") == ["anemia", "hemorrhage", "pediatric", "esophagus"]
    assert terms("Müller studies") == ["muller", "study"]


def test_the_browser_computes_the_same_terms_and_shards_as_the_generator() -> None:
    """search-terms.js runs under node on the same text: the terms and the shard of each must be identical."""
    import json
    import shutil
    import subprocess

    from conftest import missing_tool
    from evidencesite.site.search_terms import STOP_WORDS, bucket, terms

    node = shutil.which("node")
    if node is None:
        missing_tool("node is not installed (apt-get install nodejs)")
    script = ROOT / "templates" / "static" / "search-terms.js"
    text = WORDS + " " + " ".join(f"{word} x{word}" for word in sorted(STOP_WORDS))  # each stop word, and not
    program = (
        f"const t = require({json.dumps(str(script))}); const text = {json.dumps(text)};"
        "const terms = t.terms(text); console.log(JSON.stringify([terms, terms.map(w => t.bucket(w, 64))]));"
    )
    result = subprocess.run([node, "-e", program], capture_output=True, text=True, check=True)
    expected = terms(text)
    assert json.loads(result.stdout) == [expected, [bucket(w, 64) for w in expected]]


def test_the_index_is_sharded_and_every_term_is_in_its_shard(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import json
    import re

    from conftest import MINIMAL_FILES, write_site
    from evidencesite.site.search_index import DOCS_PER_SHARD, index_paths
    from evidencesite.site.search_terms import bucket

    pages = {f"content/pages/p{i}.md": f"---\ntitle: Page {i} about behaviour\n---\nText {i} [@smith2020].\n" for i in range(60)}
    site = write_site(tmp_path / "site", {**MINIMAL_FILES, **pages})
    assert run_cli("build", "--site", site, "-q").code == 0
    folder = site / "output" / "static" / "search"
    files = sorted(p.relative_to(site / "output").as_posix() for p in folder.iterdir())

    def load(name: str) -> object:
        text = (folder / name).read_text(encoding="utf-8")
        match = re.fullmatch(r"EVIDENCE_SEARCH\.(\w+)\((.*)\);\n", text, re.DOTALL)
        assert match, name
        return json.loads(match.group(2))

    meta = load("meta.js")
    assert isinstance(meta, dict) and meta["docs"] == 64 and meta["perShard"] == DOCS_PER_SHARD
    assert files == sorted(index_paths(meta["docs"]))
    documents = [doc for n in range(2) for doc in load(f"d{n}.js")[1]]  # type: ignore[index]
    assert len(documents) == 64 and all(len(doc) == 5 for doc in documents)
    for n in range(meta["terms"]):
        number, shard = load(f"t{n}.js")  # type: ignore[misc]
        assert number == n
        for term, postings in shard.items():
            assert bucket(term, meta["terms"]) == n
            assert len(postings) % 2 == 0 and all(0 <= d < 64 for d in postings[::2])
    behaviour = load(f"t{bucket('behavior', meta['terms'])}.js")[1]["behavior"]  # type: ignore[index]
    titles = {documents[d][0] for d in behaviour[::2]}
    assert titles == {f"Page {i} about behaviour" for i in range(60)}
    assert set(behaviour[1::2]) == {10}  # a title word
