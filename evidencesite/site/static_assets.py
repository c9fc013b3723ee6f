"""Stylesheets and scripts are published minified: every page loads less (a page with its CSS and JS stays
under 100 KB). Other static files are copied as they are.

rcssmin and rjsmin only remove comments and white space a browser ignores, so the published files behave as
their sources do; comments starting `/*!` (licences) are kept. Files already named `.min.css` or `.min.js`,
and files that are not UTF-8, are copied unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import rcssmin  # type: ignore[import-untyped]
import rjsmin  # type: ignore[import-untyped]

MINIFIED = (".css", ".js")
ALREADY_MINIFIED = (".min.css", ".min.js")

# (output path, signature, producer): plan.py makes each a PlannedFile
Asset = tuple[str, str, Callable[[], bytes]]


def is_minified_on_output(site_path: str) -> bool:
    """True for the stylesheets and scripts the build minifies."""
    return site_path.endswith(MINIFIED) and not site_path.endswith(ALREADY_MINIFIED)


def minify(site_path: str, text: str) -> str:
    """Return `text` without the comments and white space a browser ignores (CSS or JS by the file's name)."""
    if site_path.endswith(".css"):
        return str(rcssmin.cssmin(text, keep_bang_comments=True)) + "\n"
    return str(rjsmin.jsmin(text, keep_bang_comments=True)) + "\n"


def minify_file(site_path: str, source: Path) -> bytes:
    """Read `source` and return it minified; a file that is not UTF-8 is returned as it is."""
    data = source.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return minify(site_path, text).encode("utf-8")


def split_minified(copies: dict[str, Path], code: str) -> tuple[dict[str, Path], list[Asset]]:
    """Split static files into those copied as they are and those produced minified (with their signatures).

    The signature is the generator's fingerprint (rcssmin and rjsmin are pinned in requirements.txt, which it
    covers) and the source's bytes, so an edited stylesheet is minified again and an unchanged one is not.
    """
    kept: dict[str, Path] = {}
    assets: list[Asset] = []
    for site_path, source in copies.items():
        if not is_minified_on_output(site_path):
            kept[site_path] = source
            continue
        try:
            data = source.read_bytes()
        except OSError:  # copied instead, and the writer reports it at its path
            kept[site_path] = source
            continue
        hashed = hashlib.sha1(code.encode(), usedforsecurity=False)
        hashed.update(data)
        assets.append((site_path, hashed.hexdigest(), _producer(site_path, source)))
    return kept, assets


def _producer(site_path: str, source: Path) -> Callable[[], bytes]:
    return lambda: minify_file(site_path, source)
