from __future__ import annotations

import pytest

from evidencesite.content.frontmatter import FrontMatterError, Scalar, split_front_matter


def test_values_stay_as_written_without_yaml_11_coercions() -> None:
    document = split_front_matter("---\nanswer: no\nversion: 1.10\ntime: 12:30\n---\nBody\n")
    assert document.data == {
        "answer": Scalar("no", False),
        "version": Scalar("1.10", False),
        "time": Scalar("12:30", False),
    }


def test_every_key_knows_its_line() -> None:
    document = split_front_matter("---\ntitle: A\nauthors:\n  - 'X, Y'\n  - 'Z, W'\n---\nBody\n")
    assert document.line_of("title") == 2
    assert document.line_of("authors", 1) == 5
    assert document.body_line == 7


def test_duplicate_key_is_error_naming_both_lines() -> None:
    with pytest.raises(FrontMatterError) as error:
        split_front_matter("---\ntitle: A\nyear: 1\ntitle: B\n---\n")
    assert (error.value.line, error.value.message) == (4, "duplicate key 'title' (first given on line 2)")


def test_unclosed_front_matter_is_error_at_line_1() -> None:
    with pytest.raises(FrontMatterError) as error:
        split_front_matter("---\ntitle: A\nBody text\n")
    assert error.value.line == 1
    assert "never closed" in error.value.message


def test_tab_indentation_gets_a_hint() -> None:
    with pytest.raises(FrontMatterError) as error:
        split_front_matter("---\ntitle: A\nlist:\n\t- x\n---\n")
    assert error.value.line == 4
    assert "tabs are not allowed" in error.value.message


def test_bom_and_windows_line_endings_work() -> None:
    document = split_front_matter("\ufeff---\r\ntitle: A\r\n---\r\nBody\r\n")
    assert document.data["title"] == Scalar("A", False)
    assert document.body == "Body\n"


def test_quoted_scalars_are_marked_quoted_and_null_is_none() -> None:
    document = split_front_matter("---\na: 'no'\nb: ~\nc:\n---\n")
    assert document.data == {"a": Scalar("no", True), "b": None, "c": None}


def test_file_without_front_matter_has_empty_data() -> None:
    document = split_front_matter("# Just Markdown\n")
    assert not document.has_front_matter
    assert document.body == "# Just Markdown\n"


def test_top_level_list_is_rejected() -> None:
    with pytest.raises(FrontMatterError, match="must be a mapping"):
        split_front_matter("---\n- a\n- b\n---\n")


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        (
            # "billion laughs": 446 bytes that expand to gigabytes if aliases are followed
            'title: x\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
            "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
            4,
            "YAML aliases ('*name' repeating an '&name' anchor) are not supported: write the value out again",
        ),
        ("title: x\nloop: &a [*a]\n", 3, "YAML aliases ('*name' repeating an '&name' anchor) are not supported: write the value out again"),
        ('title: "A \\0 title"\n', 2, 'text contains the control character U+0000 (from an escape such as "\\0" or "\\e"?): remove it; pages and feeds cannot carry it'),
        ('title: x\ntags: ["\\e[31mred"]\n', 3, 'text contains the control character U+001B (from an escape such as "\\0" or "\\e"?): remove it; pages and feeds cannot carry it'),
        ("title: " + "[" * 5000 + "]" * 5000 + "\n", 2, "malformed YAML: nested too deeply"),
    ],
)
def test_hostile_yaml_is_a_located_error_not_a_hang_or_crash(yaml_text: str, line: int, message: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(f"---\n{yaml_text}---\nBody.\n")
    assert (caught.value.line, caught.value.message) == (line, message)
