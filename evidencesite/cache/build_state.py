"""The inputs of the last successful build, so that a build with nothing changed does no work.

A fingerprint of every input (the stamp of each source, template and static file, the
settings, the generator's code, the build options) is saved in `<site>/.cache/` with the summary
of that build. When the next build finds the same fingerprint and an output folder that still
holds exactly the files the output manifest records, the output is already correct: we report the
same summary and warnings and stop, without importing the renderers at all. The state names the output
generation it describes (output_manifest.output_identity): a build that updated the output but could not
save its state leaves an older state that no longer matches, so it is never taken for the new output.

Timestamps are coarse (a clock tick; seconds on some file systems), so a file rewritten with the same
length in the same tick keeps its size and mtime. As git does with its index, a fingerprint is trusted
only when every input was already RACY_NS old when the build that saved it started.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidencesite.cache.output_manifest import OutputManifest, output_identity
from evidencesite.cache.render_cache import CACHE_FOLDER, code_fingerprint

STATE_FILE = "last-build.json"
STATE_FORMAT = 3
RACY_NS = 2_000_000_000  # how old a file must be for its size and mtime to stand for its content


def file_stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    """Return what says a file is unchanged: size, mtime, ctime and inode.

    mtime alone is not enough: `cp -p`, `rsync -t` and `touch -d` write new content under an old mtime.
    They cannot set the ctime (the kernel sets it on every write), and a file replaced by a rename (as
    editors save) has a new inode. On Windows st_ctime is the creation time and st_ino the file index.
    """
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def input_fingerprint(site: Path, builtin_templates: Path, options: dict[str, Any]) -> tuple[str, int]:
    """Hash the stamp of every input file, the code and the options; also return the newest mtime or ctime."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    newest = 0
    roots = [site / "site_config.yaml", site / "content", site / "templates", site / "static", builtin_templates]
    roots += [*sorted(site.glob("*.csl")), site / "styles"]  # a citation_style .csl file (docs/authoring.md)
    for root in roots:
        if root.is_file():
            stat = root.stat()
            newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
            digest.update(f"{root}\0{file_stamp(stat)}\n".encode())
            continue
        for directory, subdirectories, names in os.walk(root):
            subdirectories.sort()
            for name in sorted(names):
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
                digest.update(f"{path}\0{file_stamp(stat)}\n".encode())
    return digest.hexdigest(), newest


@dataclass(frozen=True)
class LastBuild:
    fingerprint: str
    output: str
    counts: dict[str, int]
    warnings: list[list[Any]]  # [path, line, column, message]
    trusted: bool = True  # every input was RACY_NS old when that build started
    marker: list[int] | None = None  # the output generation this build wrote (output_identity)


def load_last_build(site: Path) -> LastBuild | None:
    try:
        data = json.loads((site / CACHE_FOLDER / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("format") != STATE_FORMAT:
            return None
        return LastBuild(
            str(data["fingerprint"]),
            str(data["output"]),
            dict(data["counts"]),
            list(data["warnings"]),
            data["trusted"] is True,
            [int(part) for part in data["marker"]] if isinstance(data["marker"], list) else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_last_build(site: Path, state: LastBuild) -> None:
    path = site / CACHE_FOLDER / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": STATE_FORMAT, **state.__dict__}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def output_intact(site: Path, output: Path, state: LastBuild) -> bool:
    """True when `output` is the generation `state` describes and every recorded file is on disk as recorded."""
    identity = output_identity(output)
    return identity is not None and identity == state.marker and OutputManifest.load(site, output).intact()
