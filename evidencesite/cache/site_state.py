"""What the last full build knew of the whole site, so that a body-only edit needs none of it made again.

A one-note edit at 10,000 studies spends seconds re-reading, cataloguing and re-planning notes it did not
change. When only the bodies of a few notes changed (build/body_edit.py decides exactly when that is
enough), the build needs the catalog, the cited-by index, each content page's template and signature parts
and its place in the search index as the last build had them. They are saved in `<site>/.cache/` as two
files:

- `site-state.json`, the header: the generator's fingerprint, the build's settings, the output generation it
  describes (the marker, as output_manifest records it), the stamp of every input file, the inputs changed too
  shortly before that build for their stamps to prove anything (files.is_settled), each published content
  file's front-matter digest (so an edit of front matter is told without loading the payload), and the SHA-256
  of the payload;
- `site-state.pickle`, the payload (catalog without note bodies, cited-by index, matrix, search synonyms,
  and one record per content page: template, signature parts, render key, place in the search index).

The payload is a pickle because it is read whole on every body edit and nothing else loads 10,000 notes'
catalog in a fraction of a second. It is unpickled only after the header matched this generator (code,
dependency and Python versions: a class that changed never meets an old pickle), these settings, this
output and the stamps of every input, and after the payload's bytes matched the header's digest; a damaged,
foreign or stale pair is ignored and the build is a full one. Like every file in `.cache/`, it is trusted
as much as the site's own files (a `.cache/` folder should never be committed or copied from elsewhere).
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import json
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencesite.cache.files import Stamp, atomic_write, cache_folder, stored_stamp
from evidencesite.cache.fingerprint import code_fingerprint
from evidencesite.models import Page

HEADER_FILE = "site-state.json"
PAYLOAD_FILE = "site-state.pickle"
STATE_FORMAT = 1


@dataclass
class SiteState:
    """The header of the saved state; the payload is unpickled on demand (`load_payload`)."""

    settings: dict[str, Any]
    marker: list[int] | None
    inputs: dict[str, Stamp]
    unsettled: set[str]  # inputs changed so shortly before the build that their stamps prove nothing
    pages: dict[str, str] = field(default_factory=dict)  # each published content file -> its front matter's digest
    payload_digest: str = ""
    code: str = field(default_factory=code_fingerprint)


def _without_body(page: Page) -> tuple[Any, ...]:
    """Pickle a page without its Markdown body: a body edit reads the notes it renders from their files, and no
    view shows another page's body (site/reads.py), so 10,000 bodies would only slow every load. (A dispatch
    table entry: the pickler calls it for pages only, not for each of the payload's half a million objects.)"""
    return _page_without_body, ({**page.__dict__, "body": ""},)


def _page_without_body(fields: dict[str, Any]) -> Page:
    page = object.__new__(Page)
    page.__dict__.update(fields)  # as the frozen dataclass's __init__ would store them (models.replaced)
    return page


def save_site_state(site: Path, state: SiteState, pages: dict[str, str], payload: object) -> None:
    """Write the payload, then the header naming its digest and the `pages`' front-matter digests (OSError)."""
    state.pages = pages
    folder = cache_folder(site)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Page: _without_body}
    pickler.dump(payload)
    data = buffer.getvalue()
    state.payload_digest = hashlib.sha256(data).hexdigest()
    atomic_write(folder / PAYLOAD_FILE, data)
    save_header(site, state)


def save_header(site: Path, state: SiteState) -> None:
    """Write the header alone: a body edit updates the stamps and the marker, never the payload."""
    header = {
        "format": STATE_FORMAT,
        "code": state.code,
        "settings": state.settings,
        "marker": state.marker,
        "inputs": state.inputs,
        "unsettled": sorted(state.unsettled),
        "pages": state.pages,
        "payload": state.payload_digest,
    }
    atomic_write(cache_folder(site) / HEADER_FILE, json.dumps(header, separators=(",", ":")))


def load_site_state(site: Path, settings: Mapping[str, object]) -> SiteState | None:
    """Return the saved header when it was made by this generator with these settings; else None."""
    try:
        data = json.loads((cache_folder(site) / HEADER_FILE).read_text(encoding="utf-8"))
        if (
            not isinstance(data, dict)
            or data.get("format") != STATE_FORMAT
            or data.get("code") != code_fingerprint()
            or data.get("settings") != json.loads(json.dumps(dict(settings), default=str))
        ):
            return None
        marker = data["marker"]
        inputs: dict[str, Stamp] = {}
        for path, value in data["inputs"].items():
            stamp = stored_stamp(value)
            if stamp is None:
                return None
            inputs[str(path)] = stamp
        if marker is not None and not (isinstance(marker, list) and all(type(part) is int for part in marker)):
            return None
        unsettled = {str(path) for path in data["unsettled"]}
        pages = {str(path): str(digest) for path, digest in data["pages"].items()}
        return SiteState(data["settings"], marker, inputs, unsettled, pages, str(data["payload"]), data["code"])
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None


def load_payload(site: Path, state: SiteState) -> Any | None:
    """Return the payload the header names, or None when it is missing or not the one the header describes."""
    try:
        data = (cache_folder(site) / PAYLOAD_FILE).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != state.payload_digest:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # the digest matched, so only a bug could get here: build everything rather than fail
        return None


def forget_site_state(site: Path) -> None:
    """Remove the saved state (`serve` builds in memory and does not keep it up to date)."""
    (cache_folder(site) / HEADER_FILE).unlink(missing_ok=True)

