"""Every file a build reads, found by one walk that the no-op check and `serve`'s polling both use.

The roots are the site's settings, content, templates, static files and CSL styles, and the generator's
built-in templates. `build` hashes the stamp of every file under them to know that nothing changed since
the last build (last_build); `serve` watches the same roots and, where it polls, compares the same stamps.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from evidencesite.cache.files import Stamp, file_stamp
from evidencesite.cache.fingerprint import PACKAGE, code_fingerprint

BUILTIN_TEMPLATES = PACKAGE.parent / "templates"


def input_roots(site: Path) -> list[Path]:
    """Return what a change to means a rebuild (existing or not): settings, sources, templates, static files, styles."""
    roots = [site / "site_config.yaml", site / "content", site / "templates", site / "static", BUILTIN_TEMPLATES]
    roots += [*sorted(site.glob("*.csl")), site / "styles"]  # a citation_style .csl file (docs/authoring.md)
    return list(dict.fromkeys(roots))  # the repository's own site uses the built-in templates folder


def walk_inputs(roots: Iterable[Path]) -> Iterator[tuple[str, Stamp]]:
    """Yield (path, stamp) for every file under `roots`, in a stable order; missing roots yield nothing."""
    for root in roots:
        try:
            if root.is_file():
                yield str(root), file_stamp(root.stat())
                continue
        except OSError:
            continue
        for directory, subdirectories, names in os.walk(root):
            subdirectories.sort()
            for name in sorted(names):
                path = os.path.join(directory, name)
                try:
                    yield path, file_stamp(os.stat(path))
                except OSError:
                    continue


def input_fingerprint(
    site: Path, settings: Mapping[str, object], stamps: dict[str, Stamp] | None = None
) -> tuple[str, int]:
    """Hash the stamp of every input, the generator and the build's settings; also return the newest mtime or ctime.

    `stamps`, when given, receives every input's stamp (cache/site_state.py compares them one by one)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(json.dumps(dict(settings), sort_keys=True, default=str).encode())
    newest = 0
    for path, stamp in walk_inputs(input_roots(site)):
        newest = max(newest, stamp[1], stamp[2])
        digest.update(f"{path}\0{stamp}\n".encode())
        if stamps is not None:
            stamps[path] = stamp
    return digest.hexdigest(), newest
