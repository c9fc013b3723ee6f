"""The long lists' own output files, planned for plan.plan_site: the bibliography's and the explorer's pages
after the first (listings.py) and the explorer's data files (explorer_data.py), each with the signature of what
it is made from."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from evidencesite.content.catalog import Catalog
from evidencesite.site.explorer_data import chunk, chunk_paths, cite_paths, data_script, download_rows, study_rows
from evidencesite.site.pagination import listing_path
from evidencesite.site.reader_outputs import PageFile
from evidencesite.site.reads import Sources, digest
from evidencesite.site.views import ViewBuilder


def plan_listing_outputs(
    catalog: Catalog,
    views: ViewBuilder,
    sources: Sources,
    site_wide: str,
    page_file: PageFile,
    planned: Callable[[str, str, Callable[[], bytes]], Any],
) -> list[Any]:
    """Return pages 2… of the bibliography and the explorer, and the explorer's data and download files."""
    files = []
    for section, count in (("references", views.listings.reference_pages), ("studies", views.listings.explorer_pages)):
        template = f"{section}.html"
        for number in range(2, count + 1):
            view = functools.partial(views.listing_view, section, number)
            files.append(page_file(listing_path(section, number), template, view, "index"))
    studies = views.studies_sorted()
    # the rows are made from every study's front matter (and the vocabulary, in site_wide), like the explorer's page
    rows_signature = digest(site_wide, sources.every_page)
    downloads_signature = digest(site_wide, sources.every_page, sorted(sources.work_meta.items()))
    for number, path in enumerate(chunk_paths(len(studies)), 1):
        files.append(planned(path, rows_signature, functools.partial(_rows_file, views, catalog, number)))
    for number, path in enumerate(cite_paths(len(studies)), 1):
        files.append(planned(path, downloads_signature, functools.partial(_downloads_file, views, catalog, number)))
    return files


def _rows_file(views: ViewBuilder, catalog: Catalog, number: int) -> bytes:
    rob_of = views.evidence.explorer()["rob_of"]
    return data_script("explorerData", number, study_rows(catalog, chunk(views.studies_sorted(), number), rob_of))


def _downloads_file(views: ViewBuilder, catalog: Catalog, number: int) -> bytes:
    return data_script("explorerCite", number, download_rows(catalog, chunk(views.studies_sorted(), number)))
