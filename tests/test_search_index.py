"""The search index's text extraction: the fast prefix path must agree with converting everything."""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once for this module's tests; returns its output folder."""
    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("real") / "out"
    assert main(["build", "--site", str(ROOT), "--output", str(output), "--no-cache", "-q"]) == 0
    return output


def test_leading_text_agrees_on_the_real_site(real_site: Path) -> None:
    output = real_site
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
    from evidencesite.site.search_postings import decode
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
        for term, packed in shard.items():
            assert bucket(term, meta["terms"]) == n
            postings = decode(packed, meta["width"])
            assert [d for d, _ in postings] == sorted({d for d, _ in postings})  # document order, each once
            assert all(0 <= d < 64 for d, _ in postings)
    behaviour = decode(load(f"t{bucket('behavior', meta['terms'])}.js")[1]["behavior"], meta["width"])  # type: ignore[index]
    titles = {documents[d][0] for d, _ in behaviour}
    assert titles == {f"Page {i} about behaviour" for i in range(60)}
    assert {w for _, w in behaviour} == {10}  # a title word


def test_postings_are_fixed_width_records_that_read_back() -> None:
    from evidencesite.site.search_index import MAX_BODY_WEIGHT, WEIGHTS
    from evidencesite.site.search_postings import MAX_WEIGHT, code, decode, document_codes, record, width_for

    assert [width_for(n) for n in (1, 36, 37, 1296, 1297, 46656, 46657)] == [1, 1, 2, 2, 3, 3, 4]
    codes = document_codes(50_000)
    assert codes[0] == "0000" and codes[35] == "000z" and codes[36] == "0010" and codes[-1] == code(49_999, 50_000)
    assert codes == sorted(codes)  # equal-width codes sort as their numbers: bisection works on the string
    pairs = [(0, 1), (37, 10), (1295, 39), (49_999, 63)]
    assert decode("".join(record(codes[d], w) for d, w in pairs), 4) == pairs
    # the largest weight a term can get (every field, the text at its most) fits one character
    fields = sum(weight for name, weight in WEIGHTS if name != "body")
    assert fields + dict(WEIGHTS)["body"] * MAX_BODY_WEIGHT <= MAX_WEIGHT
    with pytest.raises(ValueError):
        record(codes[0], MAX_WEIGHT + 1)
    with pytest.raises(ValueError):
        record(codes[0], -1)


# --- synonyms (a glossary's front matter) ---------------------------------------------------------------------

GLOSSARY = (
    "---\ntitle: Glossary\nsynonyms:\n  AUD: alcohol use disorder\n  RCT: randomised controlled trial\n---\n"
    "## Alcohol use disorder (AUD)\n\nDrinking that harms [@smith2020].\n\n"
    "## Randomised controlled trial\n\nA trial that assigns people by chance.\n"
)


def test_synonyms_are_checked_with_the_line_of_each_problem(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    glossary = (
        "---\ntitle: Glossary\nsynonyms:\n  AUD: alcohol use disorder\n  GAD: generalised anxiety disorder\n"
        "  aud: alcohol use disorder\n  Alcohol: alcohol\n  '--': craving\n  RCT: [randomised, trial]\n---\n"
        "## Alcohol use disorder (AUD)\n\nText.\n"
    )
    result = run_cli("build", "--site", site({"content/pages/glossary.md": glossary}), "-q")
    assert result.code == 1
    path = "content/pages/glossary.md"
    assert result.err.splitlines() == [
        f"{path}:5: error: synonym 'GAD' stands for 'generalised anxiety disorder', which no heading of this page "
        "names: a page declares synonyms only for the terms it defines; add an entry headed with the term, or remove it",
        f"{path}:6: error: synonym 'aud' is given twice (also as 'AUD'): keep one",
        f"{path}:7: error: synonym 'Alcohol' stands for itself: give the term it abbreviates or renames",
        f"{path}:8: error: synonym '--' has no letters or digits to search for",
        f"{path}:9: error: synonym 'RCT' must name the term it stands for as text "
        "(e.g. 'synonyms: {RCT: randomised controlled trial}')",
        "build failed: 5 error(s); the previous output was left unchanged",
    ]
    result = run_cli("build", "--site", site({"content/pages/glossary.md": "---\ntitle: G\nsynonyms: [AUD]\n---\n"}), "-q")
    assert result.err.splitlines()[:1] == [
        f"{path}:3: error: 'synonyms' must be a mapping of a word to the term it stands for "
        "(e.g. 'synonyms: {RCT: randomised controlled trial}'), not a list"
    ]
    studies = run_cli("build", "--site", site({"content/substances/alcohol.md": GLOSSARY.replace("Glossary", "A")}), "-q")
    assert "content/substances/alcohol.md:3: warning: unknown field 'synonyms'" in studies.err  # only free pages


# --- ranking, run under node on a built index ---------------------------------------------------------------

SEARCH = """
const fs = require('fs'), path = require('path'), vm = require('vm');
const S = require(%(search)s);
const folder = path.join(%(output)s, 'static', 'search'), index = {terms: {}, docs: {}, meta: null};
const context = {EVIDENCE_SEARCH: {meta: m => { index.meta = m; }, terms: d => { index.terms[d[0]] = d[1]; },
                                   docs: d => { index.docs[d[0]] = d[1]; }}};
vm.createContext(context);
for (const name of fs.readdirSync(folder)) vm.runInContext(fs.readFileSync(path.join(folder, name), 'utf8'), context);
const per = index.meta.perShard, out = {};
for (const query of %(queries)s) {
  out[query] = S.search(query, index.meta, index.terms).map(h => index.docs[Math.floor(h.doc / per)][h.doc %% per][1]);
}
console.log(JSON.stringify(out));
"""


def search_under_node(output: Path, queries: list[str]) -> dict[str, list[str]]:
    """Run templates/static/search.js's ranking under node on the built index: each query's result URLs, in order."""
    import json
    import shutil
    import subprocess

    from conftest import missing_tool

    node = shutil.which("node")
    if node is None:
        missing_tool("node is not installed (apt-get install nodejs)")
    values = {"search": ROOT / "templates" / "static" / "search.js", "output": output, "queries": queries}
    program = SEARCH % {name: json.dumps(str(value) if isinstance(value, Path) else value) for name, value in values.items()}
    result = subprocess.run([node, "-e", program], capture_output=True, text=True, check=True)
    found: dict[str, list[str]] = json.loads(result.stdout)
    return found


def test_synonyms_spellings_and_topic_pages_rank_as_a_reader_expects(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    from conftest import MINIMAL_FILES

    study = MINIMAL_FILES["content/studies/smith2020.md"]
    files = {
        "content/pages/glossary.md": GLOSSARY,
        # a study that says "AUD" only, one that names alcohol in passing, one that is about alcohol throughout
        "content/studies/smith2020.md": study.replace("It worked a little.", "Ketamine in AUD, it worked a little."),
        "content/studies/jones2019.md": study.replace("Smith, AB", "Jones, Q").replace("year: 2020", "year: 2019")
        .replace("title: A trial of something", "title: A randomized trial of memory")
        .replace("Did it work", "Alcohol was not studied. Did it work"),
        "content/studies/brown2018.md": study.replace("Smith, AB", "Brown, Q").replace("year: 2020", "year: 2018")
        .replace("Did it work", "Alcohol, alcohol and more alcohol: did it work"),
        "content/substances/alcohol.md": "---\ntitle: Alcohol\nsummary: Alcohol use.\norder: 1\n---\nAbout alcohol.\n",
    }
    root = site(files)
    assert run_cli("build", "--site", root, "-q").code == 0
    found = search_under_node(root / "output", ["AUD", "alcohol use disorder", "alcohol", "randomised", "randomized",
                                                "is it for the alcohol", "the of and"])
    assert found["AUD"][:2] == ["glossary/index.html", "studies/smith2020/index.html"]
    assert "studies/smith2020/index.html" in found["alcohol use disorder"]  # says only "AUD"
    assert found["alcohol"][0] == "substances/alcohol/index.html"  # the topic page above notes with the same word
    # ties break by relevance: the note that is about alcohol before the one that names it once
    assert found["alcohol"].index("studies/brown2018/index.html") < found["alcohol"].index("studies/jones2019/index.html")
    assert found["randomised"] == found["randomized"] != []
    assert found["is it for the alcohol"] == found["alcohol"]  # stop words are ignored
    assert found["the of and"] == []


def test_the_real_site_ranks_the_page_a_reader_wants_first(real_site: Path) -> None:
    """The browser test's table of queries (tests/test_browser.py), ranked by search.js under node."""
    from test_browser import FIRST_RESULTS, TOP_THREE

    spellings = ["randomised", "randomized", "behaviour", "behavior"]
    found = search_under_node(real_site, [*FIRST_RESULTS, *TOP_THREE, *spellings, "AUD"])
    # an abbreviation the glossary declares finds the pages that only spell it out (it used to find nothing)
    assert {"glossary/index.html", "substances/alcohol/index.html"} <= set(found["AUD"][:10]), found["AUD"][:10]
    for query, expected in FIRST_RESULTS.items():
        assert found[query] and expected in found[query][0], (query, found[query][:3])
    for query, expected in TOP_THREE.items():
        assert any(expected in url for url in found[query][:3]), (query, found[query][:3])
    assert found["randomised"] == found["randomized"] != []
    assert found["behaviour"] == found["behavior"] != []
