"""Where every page lives in the output, and the one helper that links pages relatively.

Output paths name files ('studies/das2019/index.html') so that the same output works at a domain
root, under a sub-path and opened from disk; sitemap and canonical URLs use the folder form.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from evidencesite.models import Kind, Page

INDEX = "index.html"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def key_slug(key: str) -> str:
    """Return the URL folder of the study note whose citation key is `key`.

    The one rule: Unicode NFKD, combining marks dropped, lower-cased, every run of characters other than
    a-z and 0-9 becomes '-', '-' trimmed at both ends ('Müller:2019' -> 'muller-2019'). A key with nothing
    left ('..', '_') becomes 'key-' and 8 hex digits of its SHA-1. The result holds only a-z, 0-9 and '-',
    so no key can name a path outside its folder. Different keys can give one slug; the catalog refuses that.
    """
    decomposed = unicodedata.normalize("NFKD", key)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    slug = _NOT_SLUG.sub("-", plain).strip("-")
    return slug or "key-" + hashlib.sha1(key.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[:8]


def study_path(key: str) -> str:
    """Return the output file of the study note whose citation key is `key`."""
    return f"{Kind.STUDY.value}/{key_slug(key)}/{INDEX}"


def page_path(page: Page) -> str:
    """Return the output file of a content page."""
    if page.kind is Kind.HOME:
        return INDEX
    if page.kind is Kind.PAGE:
        return f"{page.slug}/{INDEX}"
    return f"{page.section}/{page.slug}/{INDEX}"


def section_path(section: str) -> str:
    """Return the output file of a generated section page such as 'evidence'."""
    return f"{section}/{INDEX}" if section else INDEX


def relative_url(from_path: str, to_path: str) -> str:
    """Return the link from output file `from_path` to `to_path` (which may carry '#fragment').

    Both are normalised paths inside the output folder, so this is plain string work (posixpath.relpath
    consults the working directory and is the slowest call in template rendering).
    """
    target, hash_, fragment = to_path.partition("#")
    if not target:
        return f"#{fragment}"
    start = from_path.split("/")[:-1]
    parts = target.split("/")
    common = 0
    while common < len(start) and common < len(parts) - 1 and start[common] == parts[common]:
        common += 1
    relative = "/".join([".."] * (len(start) - common) + parts[common:])
    return (relative or ".") + (hash_ + fragment if hash_ else "")


def folder_url(path: str) -> str:
    """Return the public form of an output path: 'studies/x/index.html' -> 'studies/x/'."""
    if path == INDEX:
        return ""
    if path.endswith("/" + INDEX):
        return path[: -len(INDEX)]
    return path
