"""Where every page lives in the output, and the one helper that links pages relatively.

Output paths name files ('studies/das2019/index.html') so that the same output works at a domain
root, under a sub-path and opened from disk; sitemap and canonical URLs use the folder form.
"""

from __future__ import annotations

from .models import Kind, Page

INDEX = "index.html"


def page_path(page: Page) -> str:
    """Return the output file of a content page."""
    if page.kind is Kind.HOME:
        return INDEX
    if page.kind is Kind.PAGE:
        return f"{page.slug}/{INDEX}"
    return f"{page.kind.value}/{page.slug}/{INDEX}"


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
