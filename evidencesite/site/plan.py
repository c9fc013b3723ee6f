"""Plan every output file: its path, a signature of everything it is made from, and how to make it.

Files are produced lazily, so an incremental build renders only the files whose signature changed
since the last build (see output_manifest); a clean build produces them all.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from evidencesite.cache.fingerprint import code_fingerprint
from evidencesite.cache.search_cache import SearchCache
from evidencesite.content.catalog import Catalog, section_pages
from evidencesite.content.config import SiteConfig
from evidencesite.content.loader import is_ignored
from evidencesite.csl.export_formats import to_bibtex, to_csl_json, to_ris
from evidencesite.errors import Diagnostics, did_you_mean
from evidencesite.render.rendered import RenderedPage, content_resolver
from evidencesite.site.evidence_matrix import build_matrix
from evidencesite.site.feeds import atom_feed, robots_txt, sitemap_xml
from evidencesite.site.listing_outputs import plan_listing_outputs
from evidencesite.site.reader_outputs import plan_reader_outputs
from evidencesite.site.reads import Reads, Sources, digest, page_meta
from evidencesite.site.references import cited_by_index
from evidencesite.site.search_plan import plan_search_index
from evidencesite.site.static_assets import split_minified
from evidencesite.site.templating import (
    BUILTIN_TEMPLATES,
    TemplateRenderError,
    make_environment,
    render_template,
    template_folders,
)
from evidencesite.site.views import ViewBuilder

_T = TypeVar("_T")

SEARCH_INDEX = "static/search/"  # every file of the search index is under this folder (search_index.py)
INDEX_PAGE = "index.html"
TEMPLATE_FOR = {"home": "home.html", "studies": "study.html", "pages": "page.html"}  # and term_template()
SECTION_TEMPLATES = {
    "evidence": "evidence.html",
    "studies": "studies.html",
    "references": "references.html",
    "search": "search.html",
}  # a taxonomy's list page: list.html
# a site's own templates written for the default vocabulary's two page types keep working
LEGACY_TERM_TEMPLATES = {"mechanisms": "mechanism.html", "substances": "substance.html"}


def term_template(site: Path, taxonomy: str) -> str:
    """Return the template of a taxonomy's pages: `term-<key>.html`, else the old name for the default
    vocabulary's axes (`mechanism.html`, `substance.html`), else `term.html`; the first found wins."""
    folders = template_folders(site)
    for name in (f"term-{taxonomy}.html", LEGACY_TERM_TEMPLATES.get(taxonomy)):
        if name and any((folder / name).is_file() for folder in folders):
            return name
    return "term.html"


@dataclass(frozen=True)
class PlannedFile:
    path: str
    signature: str
    produce: Callable[[], bytes]
    kind: str = ""  # page kind for the summary line ('' for non-pages)


@dataclass(frozen=True)
class SitePlan:
    files: list[PlannedFile]
    copies: dict[str, Path]
    # renders one content page with this build's views and templates (raises TemplateRenderError); `serve`
    # uses it to write an edited page before the full rebuild (see fast_preview)
    render_content: Callable[[RenderedPage], bytes] | None = None
    # for a later body-only edit (build/body_edit.py): the views, and each content page's template and the
    # digest of what it read besides its own body (reads.Reads.rest), by output path
    views: ViewBuilder | None = None
    content_reads: dict[str, tuple[str, str]] = field(default_factory=dict)


def plan_site(
    site: Path,
    config: SiteConfig,
    catalog: Catalog,
    rendered: list[RenderedPage],
    diagnostics: Diagnostics,
    bytecode_cache: jinja2.BytecodeCache | None = None,
    search_cache: SearchCache | None = None,
) -> SitePlan:
    """Return every output file with its signature; template errors are reported when produced."""
    environment = make_environment(site, bytecode_cache)
    matrix = build_matrix(catalog)
    views = ViewBuilder(config, catalog, cited_by_index(rendered), matrix, config.search)
    code = code_fingerprint()
    # what every page shows of the site: settings, templates, and the base context (nav, disclaimer link…)
    shown = views.base(INDEX_PAGE, "")
    # the term pages every page's menu may name: by their front matter (a prose edit of one re-makes only it)
    shown["term_pages"] = {key: [page_meta(page) for page in terms.values()] for key, terms in shown["term_pages"].items()}
    site_wide = digest(code, config, _templates_digest(site, diagnostics), shown)
    sources = Sources(catalog, views.cited_by, content_resolver(catalog))
    files: list[PlannedFile] = []

    def page_file(
        path: str, template: str, view: Callable[[Reads], Callable[[], dict[str, Any]]], kind: str
    ) -> PlannedFile:
        """A page made by `view`: its signature is what every page shows, its template and what the view read."""
        reads = Reads.start(sources, site_wide, template)
        make_context = view(reads)

        def produce() -> bytes:
            try:
                return render_template(environment, template, make_context()).encode("utf-8")
            except TemplateRenderError as problem:
                diagnostics.error(problem.path, problem.line, problem.message)
                return b""

        rest = reads.rest()
        if reads.own is not None:
            content_reads[path] = (template, rest)
        return PlannedFile(path, reads.signature(rest), produce, kind)

    content_reads: dict[str, tuple[str, str]] = {}
    templates = {**TEMPLATE_FOR, **{key: term_template(site, key) for key in catalog.vocabulary.keys}}
    for item in rendered:
        kind = item.page.section or "home"
        files.append(page_file(item.output_path, templates[kind], functools.partial(views.content_view, item), kind))
    content_signatures = [(planned.path, planned.signature) for planned in files]
    for section in section_pages(catalog.vocabulary):
        if section == "search" and not config.search:
            continue
        template = SECTION_TEMPLATES.get(section, "list.html")
        files.append(page_file(f"{section}/index.html", template, functools.partial(views.section_view, section), "index"))
    files.append(page_file("404.html", "404.html", lambda _reads: views.not_found, "index"))
    # the changelog, changes.xml and the CSV downloads; key messages' questions and #fragment links checked
    files += plan_reader_outputs(config, catalog, rendered, matrix, views, sources, site_wide, page_file, PlannedFile, diagnostics)
    # the bibliography's and the explorer's further pages, the explorer's data and download files
    files += plan_listing_outputs(catalog, views, sources, site_wide, page_file, PlannedFile)
    works = sorted(catalog.works.values(), key=lambda w: w.key)
    work_meta = sources.work_meta
    works_digest = digest(code, sorted(work_meta.items()))
    files.append(PlannedFile("references/references.bib", works_digest, lambda: to_bibtex(works).encode()))
    files.append(PlannedFile("references/references.ris", works_digest, lambda: to_ris(works).encode()))
    files.append(PlannedFile("references/references.json", works_digest, lambda: to_csl_json(works).encode()))
    for key in sorted(catalog.studies):
        work = catalog.works[key]
        signature = digest(code, work_meta[key])
        base = f"studies/{catalog.studies[key].slug}/{catalog.studies[key].slug}"  # the URL slug: a safe file name
        files.append(PlannedFile(f"{base}.bib", signature, _bind(_export, to_bibtex, work)))
        files.append(PlannedFile(f"{base}.ris", signature, _bind(_export, to_ris, work)))
        files.append(PlannedFile(f"{base}.json", signature, _bind(_export, to_csl_json, work)))
    html_pages = sorted(f.path for f in files if f.path.endswith(".html") and f.path != "404.html")
    if config.base_url:  # a sitemap and feeds need the site's published address
        files.append(PlannedFile("sitemap.xml", digest(site_wide, html_pages), lambda: sitemap_xml(config, html_pages)))
        files.append(PlannedFile("feed.xml", digest(site_wide, sources.every_page), lambda: atom_feed(config, catalog)))
    files.append(PlannedFile("robots.txt", digest(site_wide), lambda: robots_txt(config)))
    if config.search:
        # each page's signature covers its title, summary, body and study fields, which is what is indexed; the
        # index holds each study's design label, which the vocabulary (not the note) decides
        index_base = digest(code, config.vocabulary)
        for index_file in plan_search_index(rendered, dict(content_signatures), index_base, search_cache or SearchCache(None)):
            files.append(PlannedFile(index_file.path, index_file.signature, index_file.produce))
    copies, minified = split_minified(static_files(site), code)  # stylesheets and scripts are published minified
    files += [PlannedFile(*asset) for asset in minified]
    for source, site_path in catalog.assets:
        copies[site_path] = source
    made_from = {item.output_path: item.page.path for item in rendered}
    made_from.update({site_path: source for source, site_path in catalog.assets})
    report_collisions([f.path for f in files], copies, made_from, diagnostics)
    check_nav(config, catalog, {f.path for f in files} | set(copies), diagnostics)

    def render_content(item: RenderedPage) -> bytes:
        template = templates[item.page.section or "home"]
        context = views.content_view(item, Reads.start(sources))()
        return render_template(environment, template, context).encode("utf-8")

    return SitePlan(files, copies, render_content, views, content_reads)


def _bind(function: Callable[..., _T], *args: object) -> Callable[[], _T]:
    return lambda: function(*args)


def _export(export: Callable[[list[object]], str], work: object) -> bytes:
    return export([work]).encode()


def _templates_digest(site: Path, diagnostics: Diagnostics) -> str:
    """Hash every template file that may be used (site's own first, then the built-in ones).

    This is the first read of every template, so an unreadable one is reported here, at its path.
    """
    hashed = hashlib.sha1(usedforsecurity=False)
    for folder in template_folders(site):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "static" not in path.relative_to(folder).parts:
                hashed.update(path.relative_to(folder).as_posix().encode())
                try:
                    hashed.update(path.read_bytes())
                except OSError as exc:
                    diagnostics.error(path, 0, f"cannot read template: {exc.strerror or exc}; check its permissions")
    return hashed.hexdigest()


def report_collisions(
    planned: list[str], copies: dict[str, Path], sources: dict[str, Path], diagnostics: Diagnostics
) -> None:
    """Report output paths that are both a file and a folder, or made twice (an asset named like a generated file).

    The file system cannot hold `about` as a file and `about/index.html`; found here, `check` reports it
    too, at the content file (or asset) that causes it, before anything is written.
    """
    every = sorted([*planned, *copies])
    folders: dict[str, str] = {}  # folder -> one path inside it
    for path in every:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), path)
    seen: set[str] = set()
    for path in every:
        duplicate = path in seen
        seen.add(path)
        if not duplicate and path not in folders:
            continue
        other = folders.get(path, path)
        own = sources.get(path) or copies.get(path)
        if duplicate:
            where, problem = own or path, f"its output '{path}' is also a generated file"
        elif own is not None:
            where, problem = own, f"its output '{path}' would be a file where '{other}' needs a folder"
        else:
            where = sources.get(other) or copies.get(other) or other
            problem = f"its output '{other}' needs the folder '{path}/', but '{path}' is a generated file"
        diagnostics.error(where, 0, f"output paths collide: {problem}; rename or move this file")


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def check_nav(config: SiteConfig, catalog: Catalog, paths: set[str], diagnostics: Diagnostics) -> None:
    """Report nav links that lead nowhere, or out of the site, at their line in site_config.yaml."""
    sections = [section for section in section_pages(catalog.vocabulary) if f"{section}/{INDEX_PAGE}" in paths]
    choices = [*sections, *catalog.content_paths]
    for item in config.nav:
        link = item.link.strip()
        hint = "a content file such as pages/methods.md or a section such as evidence"
        if _SCHEME.match(link):
            diagnostics.error(config.path, item.line, f"nav link '{link}' leaves the site: a nav link is {hint}")
        elif link.endswith(".md"):
            if link not in catalog.content_paths:
                diagnostics.error(
                    config.path,
                    item.line,
                    f"nav link '{link}' names no content file{did_you_mean(link, catalog.content_paths)}; "
                    f"a nav link is {hint}",
                )
        else:
            target = link.strip("/")
            if not ({target, f"{target}/{INDEX_PAGE}"} & paths) and target:
                diagnostics.error(
                    config.path,
                    item.line,
                    f"nav link '{link}' leads to no page of the site{did_you_mean(target, choices)}; a nav link is {hint}",
                )


def static_files(site: Path) -> dict[str, Path]:
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


def count_pages(files: list[PlannedFile]) -> Counter[str]:
    return Counter(f.kind for f in files if f.kind)
