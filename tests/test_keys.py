"""Citation keys as Pandoc accepts them: study notes named by any key, their URLs, collisions, a note
whose key is also in the bibliography, and one message for a broken note however often it is cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL_FILES
from evidencesite.citations import CitationSyntaxError, check_key
from evidencesite.urls import key_slug

STUDY = MINIMAL_FILES["content/studies/smith2020.md"]


@pytest.mark.parametrize(
    "key", ["smithExerciseTherapyKnee2019", "Smith2019", "smith:2019", "hunter_oa_2019", "a.b", "müller2019", "-x", "a{b}"]
)
def test_check_key_accepts_every_key_pandoc_accepts(key: str) -> None:
    check_key(key)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "empty citation key: write '[@key]'"),
        (
            "smith 2019",
            "citation key 'smith 2019' contains white space, which Pandoc does not accept in a key; rename it (e.g. 'smith_2019')",
        ),
        ("a}b", "citation key 'a}b' has unbalanced braces, which Pandoc cannot read; rename it (e.g. 'ab')"),
    ],
)
def test_check_key_refuses_with_how_to_fix(key: str, message: str) -> None:
    with pytest.raises(CitationSyntaxError) as error:
        check_key(key)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("smithExerciseTherapyKnee2019", "smithexercisetherapyknee2019"),
        ("smith:2019", "smith-2019"),
        ("hunter_oa_2019", "hunter-oa-2019"),
        ("Müller2019", "muller2019"),
        ("../x", "x"),
        ("a/b", "a-b"),
        ("/etc/passwd", "etc-passwd"),
        ("a\x00b", "a-b"),
    ],
)
def test_key_slug_is_one_safe_rule(key: str, slug: str) -> None:
    assert key_slug(key) == slug


@pytest.mark.parametrize("key", ["..", ".", "_", "::", "漢字"])
def test_key_with_nothing_left_gets_a_hashed_slug(key: str) -> None:
    slug = key_slug(key)
    assert slug.startswith("key-") and len(slug) == 12 and slug == key_slug(key)
    assert "/" not in slug and "." not in slug


def _study(title: str = "A trial of something", extra: str = "") -> str:
    return STUDY.replace("title: A trial of something\n", f"title: {title}\n{extra}")


def test_uppercase_and_front_matter_keys_build_and_are_cited(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site(
        {
            "content/studies/smithExerciseTherapyKnee2019.md": _study("Knee", "").replace("[@smith2020]", "[@smithExerciseTherapyKnee2019]"),
            "content/studies/smith-colon.md": _study("Colon", "key: smith:2019\n").replace("[@smith2020]", "[@smith:2019]"),
            "content/pages/about.md": "---\ntitle: About\n---\nSee @smithExerciseTherapyKnee2019 [p. 3] and [@smith:2019]; "
            "[the note](../studies/smith-colon.md).\n",
        }
    )
    result = run_cli("build", "--site", root)
    assert result.code == 0, result.err
    output = root / "output"
    assert (output / "studies/smithexercisetherapyknee2019/index.html").is_file()
    assert (output / "studies/smith-2019/smith-2019.bib").read_text().startswith("@article{smith:2019,")
    about = (output / "about/index.html").read_text()
    assert 'href="../studies/smith-2019/index.html"' in about
    assert "citation-missing" not in about
    study = (output / "studies/smithexercisetherapyknee2019/index.html").read_text()
    assert "About" in study  # cited-by follows the key, not the URL slug


def test_keys_that_share_a_url_are_a_located_error_naming_both(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site(
        {"content/studies/smith-2020.md": _study("Dash"), "content/studies/colon.md": _study("Colon", "key: smith:2020\n")}
    )
    result = run_cli("build", "--site", root)
    assert result.code == 1
    assert (
        "content/studies/smith-2020.md:1: error: citation key 'smith-2020' and 'smith:2020' of content/studies/colon.md "
        "give the same URL studies/smith-2020/ (keys that differ only in case or punctuation collide, and on macOS and "
        "Windows so do files); change one key"
    ) in result.err


def test_keys_differing_only_by_case_collide(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site({"content/studies/smith-upper.md": _study("Upper", "key: Smith2020\n")})
    result = run_cli("build", "--site", root)
    assert result.code == 1
    assert (
        "content/studies/smith2020.md:1: error: citation key 'smith2020' and 'Smith2020' of content/studies/smith-upper.md "
        "give the same URL studies/smith2020/ (keys that differ only in case or punctuation collide, and on macOS and "
        "Windows so do files); change one key"
    ) in result.err


def test_content_file_names_differing_by_case_are_an_error_on_every_os(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site({"content/pages/About.md": "---\ntitle: A\n---\n", "content/pages/about.md": "---\ntitle: B\n---\n"})
    result = run_cli("build", "--site", root)
    assert result.code == 1
    assert (
        "content/pages/about.md: error: file name 'pages/about.md' differs from content/pages/About.md only by case: "
        "they are the same file on macOS and Windows; rename one"
    ) in result.err


def test_stem_that_pandoc_reads_differently_is_refused(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site({"content/studies/smith--2019.md": _study("Dashes")})
    result = run_cli("build", "--site", root)
    assert result.code == 1
    assert (
        "content/studies/smith--2019.md:1: error: file name 'smith--2019.md' is not a citation key as written: "
        "Pandoc reads '@smith--2019' as '@smith'; rename the file (e.g. 'smith-2019.md') or write the key in 'key:'"
    ) in result.err


def test_invalid_front_matter_key_says_how_to_fix(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site({"content/studies/smith-b.md": _study("B", "key: smith 2019\n")})
    result = run_cli("build", "--site", root)
    assert result.code == 1
    assert (
        "content/studies/smith-b.md:3: error: citation key 'smith 2019' contains white space, which Pandoc does not "
        "accept in a key; rename it (e.g. 'smith_2019')"
    ) in result.err


def test_note_and_bibliography_entry_merge_with_a_warning_per_disagreement(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    bib = (
        "@article{smith2020,\n  title = {A trial of something},\n  author = {Smith, A. B. and Jones, C.},\n"
        "  year = 2020,\n  doi = {10.1000/other},\n  publisher = {Test Press},\n  volume = {12}\n}\n"
    )
    root: Path = site({"content/references.bib": bib})
    result = run_cli("build", "--site", root)
    assert result.code == 0, result.err
    assert result.err.count("warning:") == 1
    assert (
        "content/studies/smith2020.md:6: warning: 'doi' is '10.1000/test.1' here but '10.1000/other' in "
        "content/references.bib:1 (same key 'smith2020'); the note's value is used: correct whichever is wrong"
    ) in result.err
    export = (root / "output/studies/smith2020/smith2020.bib").read_text()
    assert "10.1000/test.1" in export and "12" in export  # the note's DOI, the entry's volume


def test_broken_note_cited_by_three_pages_is_one_error_and_one_note(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root: Path = site(
        {
            "content/studies/smith2020.md": STUDY.replace("design: rct", "design: rcct"),
            "content/pages/linking.md": "---\ntitle: Linking\n---\nSee [the trial](../studies/smith2020.md).\n",
        }
    )
    result = run_cli("build", "--site", root)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if not line.startswith("build failed")]
    assert lines[0].startswith("content/studies/smith2020.md:8: error: unknown design 'rcct'")
    assert lines[1:] == [
        "content/studies/smith2020.md:8: note: 4 other pages cite or link this file; they work again once it is fixed"
    ]
