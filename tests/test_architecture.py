"""The package layout follows the pipeline: a module may import only from its own stage or earlier ones.

The order is the one docs/architecture.md shows; this test reads every import (including those inside
functions and under TYPE_CHECKING) with `ast`, so a new dependency against the order fails here rather
than slowly turning the stages back into one flat package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "evidencesite"

# Lowest first. The shared modules at the top of the package come first; `cli` comes last.
STAGES = ("shared", "csl", "content", "markdown", "synthesis", "output", "cache", "render", "site", "build", "serve", "authoring", "cli")

# Stages that must not see certain earlier ones even though the order would allow it.
FORBIDDEN = {
    "markdown": {"evidencesite.content.catalog", "evidencesite.content.catalog_works"},  # Markdown sees no catalog
}

MAX_LINES = 330  # "no module over ~300 lines"


def _stage(module: str) -> str:
    """The stage of a module named `evidencesite.x[.y]`."""
    parts = module.split(".")
    if len(parts) >= 3:
        return parts[1]
    return "cli" if parts[1] == "cli" else "shared"


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(part for part in relative.parts if part != "__init__")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every `evidencesite` module this file imports, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("evidencesite."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "relative"))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names if alias.name.startswith("evidencesite."))
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_stage_is_a_known_package() -> None:
    packages = {path.parent.name for path in _modules() if path.parent != PACKAGE}
    assert packages <= set(STAGES), f"add {sorted(packages - set(STAGES))} to STAGES and docs/architecture.md"


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_imports_follow_the_stage_order(path: Path) -> None:
    own = _stage(_module_name(path)) if path.name != "__init__.py" or path.parent != PACKAGE else "shared"
    problems = []
    for line, module in _imports(path):
        if module == "relative":
            problems.append(f"{line}: use an absolute import (evidencesite.<stage>.<module>)")
            continue
        theirs = _stage(module)
        if STAGES.index(theirs) > STAGES.index(own):
            problems.append(f"{line}: {own} stage imports {module} from the later {theirs} stage")
        if module in FORBIDDEN.get(own, set()):
            problems.append(f"{line}: the {own} stage must not import {module}")
    assert not problems, "\n".join(problems)


def test_the_stage_order_in_the_docs_matches() -> None:
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    positions = [text.find(f"`{stage}/`") if stage not in {"shared", "cli"} else 0 for stage in STAGES]
    missing = [stage for stage, position in zip(STAGES, positions, strict=True) if position < 0]
    assert not missing, f"docs/architecture.md does not name {missing}"
    named = [position for stage, position in zip(STAGES, positions, strict=True) if stage not in {"shared", "cli"}]
    assert named == sorted(named), "docs/architecture.md lists the stages in another order than STAGES"


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_no_module_is_too_long(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by job (limit {MAX_LINES})"
