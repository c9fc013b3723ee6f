"""`build.py init`: a new site in one command, that builds strictly and publishes with the generated files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from conftest import REPO, snapshot
from evidencesite.authoring.site_init import NETLIFY, PAGES_WORKFLOW
from evidencesite.output.writer import MARKER

TITLE = "Exercise for knee osteoarthritis"


def test_init_makes_a_site_that_builds_strict_with_no_warnings(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "knee"
    created = run_cli("init", site, "--title", TITLE)
    assert created.code == 0, created.err
    for relative in (
        "site_config.yaml",
        "content/index.md",
        "content/studies/example2024.md",
        "content/interventions/example-intervention.md",
        "content/outcomes/example-outcome.md",
        "content/pages/about.md",
        "content/references.bib",
        ".gitignore",
        ".github/workflows/pages.yml",
        "netlify.toml",
    ):
        assert f"created {site / relative}" in created.out
    built = run_cli("build", "--site", site, "--strict")
    assert built.code == 0, built.err
    # its only message: the address is left for the owner to fill in (the publishing workflows pass it)
    assert "0 warning(s)" in built.out and built.err.startswith("site_config.yaml:7: note: base_url is not set")
    assert built.err.count("\n") == 1
    assert TITLE in (site / "output" / "index.html").read_text()
    assert (site / "output" / "studies" / "example2024" / "index.html").is_file()
    check = run_cli("check", "--site", site, "--strict")
    assert check.code == 0 and "check: 0 error(s), 0 warning(s)" in check.err


def test_every_setting_is_in_the_generated_config(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from evidencesite.content.config import KNOWN_KEYS

    assert run_cli("init", tmp_path / "s").code == 0
    config = (tmp_path / "s" / "site_config.yaml").read_text()
    for key in KNOWN_KEYS:
        assert re.search(rf"^#? ?{key}:", config, re.MULTILINE), key


def test_init_refuses_a_non_empty_folder_and_writes_nothing(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.md").write_text("my own file")
    result = run_cli("init", folder)
    assert result.code == 2
    assert result.err == (
        f"build.py: error: {folder} is not empty; init never overwrites files: choose a new folder, "
        "or add site_config.yaml and content/ by hand (see docs/authoring.md)\n"
    )
    assert snapshot(folder) == {"notes.md": b"my own file"}
    assert run_cli("init", folder / "notes.md").code == 2


def test_commands_on_a_folder_without_config_suggest_init_and_create_nothing(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    typo = tmp_path / "sitee"
    for args in (("new", "study", "smith2020"), ("import", tmp_path / "x.bib"), ("serve",)):
        result = run_cli(*args, "--site", typo)
        assert result.code == 2
        assert result.err == (
            f"build.py: error: {typo} has no site_config.yaml, so it is not a site folder: "
            f"check --site, or start a new site with `python build.py init {typo}`\n"
        )
    assert not typo.exists()
    typo.mkdir()
    built = run_cli("build", "--site", typo)
    assert built.code == 1
    assert "start a new site with `python build.py init FOLDER`" in built.err


def test_site_config_strict_fails_warnings_in_every_build(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    from conftest import BASE_CONFIG

    root = site({"site_config.yaml": BASE_CONFIG + "strict: true\n", "content/pages/x.md": "---\ntitle: X\ncolour: red\n---\nX.\n"})
    for command in ("build", "check"):
        result = run_cli(command, "--site", root)
        assert result.code == 1, command
        assert "content/pages/x.md:3: error: unknown field 'colour'" in result.err  # as with --strict
    (root / "site_config.yaml").write_text(BASE_CONFIG + "strict: false\n")
    assert run_cli("build", "--site", root).code == 0


def test_the_repository_publishes_with_the_same_files_init_writes() -> None:
    workflow = (REPO / ".github" / "workflows" / "pages.yml").read_text()
    assert workflow == PAGES_WORKFLOW.format(site_dir=".", generator_dir=".")
    assert (REPO / "netlify.toml").read_text() == NETLIFY.format(site_dir=".", generator_dir=".", output="output")
    assert MARKER in workflow and MARKER in NETLIFY


def _published(site_repo: Path, command: str, env: dict[str, str]) -> dict[str, bytes]:
    """Run a publishing command as the host would (without its `pip install`: no network here)."""
    command = re.sub(r'python -m pip install -r "?\$GENERATOR_DIR/requirements.txt"? *(&&)?', "", command)
    command = command.replace("python ", f"{sys.executable} ", 1)
    result = subprocess.run(
        ["bash", "-euc", command], cwd=site_repo, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return snapshot(site_repo / env["SITE_DIR"] / "output")


def test_generated_workflows_build_and_publish_a_site_in_its_own_repository(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    site_repo = tmp_path / "knee-site"
    assert run_cli("init", site_repo, "--title", TITLE).code == 0
    (site_repo / "generator").symlink_to(REPO, target_is_directory=True)  # stands for the git submodule

    workflow = yaml.safe_load((site_repo / ".github" / "workflows" / "pages.yml").read_text())
    env = {key: str(value) for key, value in workflow["env"].items()}
    assert env == {"SITE_DIR": ".", "GENERATOR_DIR": "generator"}
    build_step = next(step["run"] for step in workflow["jobs"]["build"]["steps"] if step.get("name") == "Build")
    build_step = build_step.replace("${{ steps.pages.outputs.base_url }}", "https://user.github.io/knee")
    published = _published(site_repo, build_step, env)
    assert "index.html" in published and "studies/example2024/index.html" in published
    assert MARKER not in published
    assert b"https://user.github.io/knee/studies/example2024/" in published["sitemap.xml"]
    upload = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "${{ env.SITE_DIR }}/output"

    shutil.rmtree(site_repo / "output")  # each deploy starts from a fresh checkout
    netlify = tomllib.loads((site_repo / "netlify.toml").read_text())
    assert netlify["build"]["environment"]["GENERATOR_DIR"] == "generator"
    env = {**netlify["build"]["environment"], "URL": "https://knee.netlify.app"}
    published = _published(site_repo, netlify["build"]["command"], env)
    assert netlify["build"]["publish"] == "output" and MARKER not in published
    assert b"https://knee.netlify.app/studies/example2024/" in published["sitemap.xml"]


def test_a_site_inside_the_generator_checkout_is_published_from_there(tmp_path: Path) -> None:
    from evidencesite.authoring.site_init import init_site

    checkout = tmp_path / "generator"
    checkout.mkdir()
    init_site(checkout / "sites" / "knee", TITLE, checkout)
    netlify = tomllib.loads((checkout / "sites" / "knee" / "netlify.toml").read_text())
    assert netlify["build"]["environment"] == {"PYTHON_VERSION": "3.11", "SITE_DIR": "sites/knee", "GENERATOR_DIR": "."}
    assert netlify["build"]["publish"] == "sites/knee/output"
