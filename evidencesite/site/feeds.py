"""sitemap.xml, feed.xml (Atom) and robots.txt, built with ElementTree so they are well-formed."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterable

from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.models import Page
from evidencesite.urls import folder_url, page_path

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50


def sitemap_xml(config: SiteConfig, output_paths: Iterable[str]) -> bytes:
    """Return a sitemap listing each HTML page once, by its folder URL."""
    etree.register_namespace("", SITEMAP)
    root = etree.Element(f"{{{SITEMAP}}}urlset")
    for path in sorted(set(output_paths)):
        url = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = config.absolute_url(folder_url(path))
    return _serialise(root)


def _date(page: Page) -> str:
    """Return the entry date: `updated`, else 1 January of the study's year (no wall-clock time)."""
    if page.updated:
        return f"{page.updated}T00:00:00Z"
    year = page.study.work.year if page.study and page.study.work.year else 2000
    return f"{year}-01-01T00:00:00Z"


def atom_feed(config: SiteConfig, catalog: Catalog) -> bytes:
    """Return an Atom feed of the newest and most recently updated study notes."""
    etree.register_namespace("", ATOM)
    pages = sorted(catalog.studies.values(), key=lambda p: (_date(p), p.slug), reverse=True)[:FEED_SIZE]
    root = etree.Element(f"{{{ATOM}}}feed")
    etree.SubElement(root, f"{{{ATOM}}}title").text = f"{config.title}: studies"
    etree.SubElement(root, f"{{{ATOM}}}id").text = config.absolute_url("")
    etree.SubElement(root, f"{{{ATOM}}}updated").text = _date(pages[0]) if pages else "2000-01-01T00:00:00Z"
    etree.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": config.absolute_url("feed.xml")})
    etree.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": config.absolute_url("")})
    author = etree.SubElement(root, f"{{{ATOM}}}author")
    etree.SubElement(author, f"{{{ATOM}}}name").text = config.author or config.title
    for page in pages:
        entry = etree.SubElement(root, f"{{{ATOM}}}entry")
        url = config.absolute_url(folder_url(page_path(page)))
        etree.SubElement(entry, f"{{{ATOM}}}title").text = page.title
        etree.SubElement(entry, f"{{{ATOM}}}id").text = url
        etree.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": url})
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = _date(page)
        if page.summary:
            etree.SubElement(entry, f"{{{ATOM}}}summary").text = page.summary
    return _serialise(root)


def robots_txt(config: SiteConfig) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {config.absolute_url('sitemap.xml')}\n".encode()


def _serialise(root: etree.Element) -> bytes:
    etree.indent(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
