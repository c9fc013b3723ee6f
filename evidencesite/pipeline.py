"""One build: gather and validate everything, render everything, and only then write."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .bibliography import load_bibliographies
from .catalog import build_catalog
from .config import SiteConfig, load_config
from .errors import Diagnostic, Diagnostics, SiteError
from .evidence import build_matrix
from .exports import to_bibtex, to_csl_json, to_ris
from .feeds import atom_feed, robots_txt, sitemap_xml
from .frontmatter import Document, Scalar
from .loader import find_content, is_ignored
from .models import Kind
from .render_cache import RenderCache
from .rendered import render_all
from .schema import validate_document
from .search_index import search_index_js
from .templating import BUILTIN_TEMPLATES, TemplateRenderError, make_environment, render_template
from .views import ViewBuilder
from .writer import check_output_folder, output_lock, write_output

SECTIONS = ("evidence", "studies", "mechanisms", "substances", "references", "search")
TEMPLATE_FOR = {
    "home": "home.html",
    "studies": "study.html",
    "mechanisms": "mechanism.html",
    "substances": "substance.html",
    "pages": "page.html",
}
SECTION_TEMPLATES = {
    "evidence": "evidence.html",
    "studies": "studies.html",
    "mechanisms": "list.html",
    "substances": "list.html",
    "references": "references.html",
    "search": "search.html",
}


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    output: Path | None = None
    base_url: str | None = None
    strict: bool = False
    drafts: bool = False
    write: bool = True
    use_cache: bool = True


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic]
    counts: Counter[str] = field(default_factory=Counter)
    files_written: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    output: Path | None = None


@dataclass(frozen=True)
class SiteOutput:
    files: dict[str, bytes]
    copies: dict[str, Path]
    counts: Counter[str]


Progress = Callable[[str], None]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build the site; raise SiteError (with every problem) before writing anything if it has errors."""
    site = options.site.resolve()
    diagnostics = Diagnostics(site)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
        if progress:
            progress(stage)

    config = load_config(site, diagnostics, options.base_url)
    content = find_content(site, diagnostics)
    pages = []
    broken: set[str] = set()
    draft_keys: set[str] = set()
    for raw in content.documents:
        if not options.drafts and is_draft(raw.document):
            if raw.kind is Kind.STUDY:
                draft_keys.add(raw.stem)
            continue
        page = validate_document(raw, diagnostics)
        if page is None:
            broken.add(f"{raw.kind.value}/{raw.stem}" if raw.kind.value else raw.stem)
        else:
            pages.append(page)
    works = load_bibliographies(content.bibliographies, diagnostics)
    lap("read")
    if config is None:
        diagnostics.raise_if_errors()
    assert config is not None
    catalog = build_catalog(
        pages, works, diagnostics, options.drafts, content.assets, frozenset(broken), frozenset(draft_keys)
    )
    lap("validate")
    cache = RenderCache.load(site if options.use_cache and options.write else None)
    rendered = render_all(catalog, config, diagnostics, site, cache)
    # Templates assume consistent content: with content errors they would only add noise.
    diagnostics.raise_if_errors()
    site_output = _render_site(site, config, catalog, rendered, diagnostics)
    lap("render")
    diagnostics.raise_if_errors(strict=options.strict)
    result = BuildResult(diagnostics.items, site_output.counts, timings=timings)
    if not options.write:
        return result
    output = (options.output or site / "output").resolve()
    try:
        check_output_folder(output, site)
        with output_lock(output):
            result.files_written = write_output(site_output.files, output, site_output.copies)
    except OSError as exc:
        diagnostics.error(output, 0, f"cannot write output: {exc.strerror or exc}")
        raise SiteError(diagnostics.items) from None
    cache.save()
    lap("write")
    result.output = output
    return result


def is_draft(document: Document) -> bool:
    """True when the front matter says `draft: true` (drafts are validated only with --drafts)."""
    value = document.data.get("draft")
    return isinstance(value, Scalar) and value.text.lower() == "true"


def _render_site(site: Path, config: SiteConfig, catalog, rendered, diagnostics: Diagnostics) -> SiteOutput:  # type: ignore[no-untyped-def]
    environment = make_environment(site)
    matrix = build_matrix(catalog)
    views = ViewBuilder(config, catalog, rendered, matrix, config.search)
    files: dict[str, bytes] = {}
    counts: Counter[str] = Counter()

    def emit(path: str, template: str, context: dict[str, object], count_as: str) -> None:
        try:
            files[path] = render_template(environment, template, context).encode("utf-8")
            counts[count_as] += 1
        except TemplateRenderError as problem:
            diagnostics.error(problem.path, problem.line, problem.message)

    for item in rendered:
        kind = item.page.kind.value or "home"
        emit(item.output_path, TEMPLATE_FOR[kind], views.content_page(item), kind)
    for section in SECTIONS:
        if section == "search" and not config.search:
            continue
        emit(f"{section}/index.html", SECTION_TEMPLATES[section], views.section(section), "index")
    emit("404.html", "404.html", views.not_found(), "index")
    works = sorted(catalog.works.values(), key=lambda w: w.key)
    files["references/references.bib"] = to_bibtex(works).encode()
    files["references/references.ris"] = to_ris(works).encode()
    files["references/references.json"] = to_csl_json(works).encode()
    for key in catalog.studies:
        work = catalog.works[key]
        files[f"studies/{key}/{key}.bib"] = to_bibtex([work]).encode()
        files[f"studies/{key}/{key}.ris"] = to_ris([work]).encode()
        files[f"studies/{key}/{key}.json"] = to_csl_json([work]).encode()
    html_pages = [path for path in files if path.endswith(".html") and path != "404.html"]
    files["sitemap.xml"] = sitemap_xml(config, html_pages)
    files["feed.xml"] = atom_feed(config, catalog)
    files["robots.txt"] = robots_txt(config)
    if config.search:
        files["static/search-index.js"] = search_index_js(rendered)
    copies = _static_files(site)
    for source, site_path in catalog.assets:
        copies[site_path] = source
    counts["asset"] = len(copies)
    return SiteOutput(files, copies, counts)


def _static_files(site: Path) -> dict[str, Path]:
    """Return static assets: built-in templates/static, then the site's templates/static and static/."""
    copies: dict[str, Path] = {}
    for folder in (BUILTIN_TEMPLATES / "static", site / "templates" / "static", site / "static"):
        if not folder.is_dir():
            continue
        for directory, subdirectories, names in os.walk(folder):
            subdirectories[:] = sorted(d for d in subdirectories if not is_ignored(d))
            for name in sorted(names):
                if is_ignored(name):
                    continue
                path = Path(directory) / name
                copies["static/" + path.relative_to(folder).as_posix()] = path
    return copies
