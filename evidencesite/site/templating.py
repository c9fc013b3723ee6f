"""Jinja2: one environment per build, site templates overriding the built-in ones file by file."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from evidencesite.models import Finding
from evidencesite.urls import relative_url, study_path

BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class TemplateRenderError(Exception):
    """A template failed; `path` and `line` locate it in the template file."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message


def template_folders(site: Path) -> list[Path]:
    """Return the template search path: the site's own templates/ first, then the built-in ones."""
    folders = [site / "templates"] if (site / "templates").is_dir() else []
    if BUILTIN_TEMPLATES.resolve() not in [f.resolve() for f in folders]:
        folders.append(BUILTIN_TEMPLATES)
    return folders


def make_environment(site: Path, bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """Return the build's Jinja environment: autoescaping on, undefined variables are errors.

    Each build makes a fresh environment, so templates are never reloaded mid-build: `auto_reload` off spares
    a stat of every template file on each page's `extends`, `import` and `include`.
    """
    environment = jinja2.Environment(
        bytecode_cache=bytecode_cache,
        auto_reload=False,
        loader=jinja2.FileSystemLoader([str(f) for f in template_folders(site)]),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["url"] = _url
    environment.globals["study_path"] = study_path  # a study page's output file from its citation key
    environment.globals["findings"] = tuple(Finding)  # the explorer's direction-of-result filter, in order
    return environment


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """Link from the page being rendered to output path `target` ('' = home); see `page_url`."""
    return relative_url(context["output_path"], target or "index.html")


def page_url(output_path: str) -> Callable[[str], str]:
    """Return the `url()` of one page: link from `output_path` to output path `target` ('' = home).

    render_template passes it with each page's variables, where it hides the `_url` global. A plain
    function is cheaper for Jinja to call than a context function, which inside a loop or block that sets
    a variable gets a copy of the whole template context on every call.
    """

    def url(target: str) -> str:
        return relative_url(output_path, target or "index.html")

    return url


def render_template(environment: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render `name`; raise TemplateRenderError located at the template file and line."""
    output_path = context.get("output_path")
    if isinstance(output_path, str) and "url" not in context:
        context = {**context, "url": page_url(output_path)}
    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateRenderError(
            _template_path(environment, exc.name or name, exc.filename),
            exc.lineno or 0,
            f"template syntax error: {exc.message}",
        ) from None
    except jinja2.TemplateNotFound as exc:
        where = _innermost_template(exc.__traceback__, environment)
        path, line = where or (name, 0)
        raise TemplateRenderError(
            path,
            line,
            f"template '{exc.name}' not found (looked in {', '.join(str(f) for f in template_folders_of(environment))})",
        ) from None
    except jinja2.UndefinedError as exc:
        where = _innermost_template(exc.__traceback__, environment)
        path, line = where or (name, 0)
        raise TemplateRenderError(path, line, f"template error: {exc.message}") from None
    except (TypeError, ValueError, AttributeError, KeyError, ZeroDivisionError) as exc:
        where = _innermost_template(exc.__traceback__, environment)
        if where is None:
            raise
        raise TemplateRenderError(where[0], where[1], f"template error: {exc}") from None


def template_folders_of(environment: jinja2.Environment) -> list[str]:
    loader = environment.loader
    return list(loader.searchpath) if isinstance(loader, jinja2.FileSystemLoader) else []


def _template_path(environment: jinja2.Environment, name: str, filename: str | None) -> str:
    return filename or name


def _innermost_template(tb: Any, environment: jinja2.Environment) -> tuple[str, int] | None:
    folders = template_folders_of(environment)
    found = None
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if any(filename.startswith(folder) for folder in folders):
            found = (filename, line)
    return found
