"""sitemap.xml, feed.xml and changes.xml (Atom) and robots.txt, built with ElementTree so they are well-formed."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterable

from evidencesite.content.catalog import Catalog
from evidencesite.content.config import SiteConfig
from evidencesite.models import Page
from evidencesite.site.changelog import CHANGELOG_PAGE, CHANGES_FEED, page_date, site_changes, site_date
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
    """Return the latest date the author gave the page, as an Atom timestamp ('' when none)."""
    date = page_date(page)
    return f"{date}T00:00:00Z" if date else ""


def _feed(config: SiteConfig, title: str, path: str, updated: str, alternate: str = "") -> etree.Element:
    """Return an Atom feed element with its title, id, date, links and author, ready for entries."""
    etree.register_namespace("", ATOM)
    root = etree.Element(f"{{{ATOM}}}feed")
    etree.SubElement(root, f"{{{ATOM}}}title").text = title
    etree.SubElement(root, f"{{{ATOM}}}id").text = config.absolute_url(path if path != "feed.xml" else "")
    etree.SubElement(root, f"{{{ATOM}}}updated").text = f"{updated}T00:00:00Z"
    etree.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": config.absolute_url(path)})
    etree.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": config.absolute_url(alternate)})
    author = etree.SubElement(root, f"{{{ATOM}}}author")
    etree.SubElement(author, f"{{{ATOM}}}name").text = config.author or config.title
    return root


def _entry(root: etree.Element, title: str, url: str, entry_id: str, updated: str, summary: str) -> None:
    entry = etree.SubElement(root, f"{{{ATOM}}}entry")
    etree.SubElement(entry, f"{{{ATOM}}}title").text = title
    etree.SubElement(entry, f"{{{ATOM}}}id").text = entry_id
    etree.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": url})
    etree.SubElement(entry, f"{{{ATOM}}}updated").text = updated
    if summary:
        etree.SubElement(entry, f"{{{ATOM}}}summary").text = summary


def atom_feed(config: SiteConfig, catalog: Catalog) -> bytes:
    """Return an Atom feed of the study notes, most recently dated first.

    Dates are those the authors wrote (`updated`, `reviewed`, `changes:`), never a study's year of
    publication; an undated note carries the feed's own date (see changelog.site_date).
    """
    updated = site_date(catalog, config.reader.searched)
    pages = sorted(
        catalog.studies.values(),
        key=lambda p: (_date(p), (p.study.work.year if p.study else None) or 0, p.slug),
        reverse=True,
    )[:FEED_SIZE]
    root = _feed(config, f"{config.title}: studies", "feed.xml", updated)
    for page in pages:
        url = config.absolute_url(folder_url(page_path(page)))
        _entry(root, page.title, url, url, _date(page) or f"{updated}T00:00:00Z", page.summary)
    return _serialise(root)


def changes_feed(config: SiteConfig, catalog: Catalog) -> bytes:
    """Return an Atom feed of the evidence changes (`changes:` on any page), newest first."""
    changes = site_changes(catalog)[:FEED_SIZE]
    updated = changes[0].change.date if changes else site_date(catalog, config.reader.searched)
    root = _feed(config, f"{config.title}: changes to the evidence", CHANGES_FEED, updated, folder_url(CHANGELOG_PAGE))
    for item in changes:
        url = config.absolute_url(folder_url(item.path))
        entry_id = config.absolute_url(f"{folder_url(CHANGELOG_PAGE)}#{item.anchor}")
        _entry(root, f"{item.page.title}: {item.change.text}", url, entry_id, f"{item.change.date}T00:00:00Z", "")
    return _serialise(root)


def robots_txt(config: SiteConfig) -> bytes:
    sitemap = f"Sitemap: {config.absolute_url('sitemap.xml')}\n" if config.base_url else ""
    return f"User-agent: *\nAllow: /\n{sitemap}".encode()


def _serialise(root: etree.Element) -> bytes:
    etree.indent(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
