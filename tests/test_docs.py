"""Documentation stays true: README commands, CI, every flag and setting documented."""

from __future__ import annotations

import argparse
import re

from conftest import REPO
from evidencesite.cli import make_parser
from evidencesite.content.config import KNOWN_KEYS
from evidencesite.content.study_fields import STUDY_FIELDS

README = (REPO / "README.md").read_text(encoding="utf-8")
AUTHORING = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_readme_starts_with_setup_and_build_then_setup_and_test() -> None:
    first_lines = README.splitlines()[:6]
    assert any("```sh" in line for line in first_lines)
    build, test = _readme_commands()[:2]
    assert build == "python -m pip install -r requirements.txt && python build.py"
    assert test == "python -m pip install -r requirements-dev.txt && python -m pytest"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _readme_commands()[1]
    assert test_command in [line.strip() for line in ci.splitlines()]


def _options(parser: argparse.ArgumentParser) -> set[str]:
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
        found.update(option for option in action.option_strings if option.startswith("--"))
    return found - {"--help"}


def test_every_command_line_option_is_documented() -> None:
    documented = README + AUTHORING
    missing = sorted(option for option in _options(make_parser()) if option not in documented)
    assert not missing


def test_every_setting_and_study_field_is_documented() -> None:
    for key in KNOWN_KEYS:
        assert re.search(rf"`{key}`", AUTHORING), key
    for field in STUDY_FIELDS:
        assert re.search(rf"^{field}:|`{field}`", AUTHORING, re.MULTILINE), field


def test_every_dependency_is_explained_in_readme() -> None:
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("==")[0].lower()
            assert name in README.lower(), name
