"""The inputs of the last successful build, so that a build with nothing changed does no work.

A fingerprint of every input (inputs.input_fingerprint: the stamp of each source, template and static
file, the settings, the generator, the build options) is saved in `<site>/.cache/` with the summary of
that build. When the next build finds the same fingerprint and an output folder that still holds exactly
the files the output manifest records, the output is already correct: we report the same summary and
warnings and stop, without importing the renderers at all. The record names the output generation it
describes (output_manifest.output_identity): a build that updated the output but could not save its
record leaves an older one that no longer matches, so it is never taken for the new output.

A fingerprint is trusted only when every input was already RACY_NS old when the build that saved it
started (files.is_settled).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from evidencesite.cache.files import atomic_write, cache_folder
from evidencesite.cache.output_manifest import OutputManifest, output_identity

STATE_FILE = "last-build.json"
STATE_FORMAT = 3

Warning = tuple[str, int, int, str]  # path, line, column, message


@dataclass(frozen=True)
class LastBuild:
    fingerprint: str
    output: str
    counts: dict[str, int]
    warnings: tuple[Warning, ...]
    trusted: bool = True  # every input was RACY_NS old when that build started
    marker: tuple[int, ...] | None = None  # the output generation this build wrote (output_identity)


def load_last_build(site: Path) -> LastBuild | None:
    """Return the record of the last successful build, or None when there is none or it is not ours."""
    try:
        data = json.loads((cache_folder(site) / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("format") != STATE_FORMAT:
            return None
        return LastBuild(
            str(data["fingerprint"]),
            str(data["output"]),
            {str(kind): int(count) for kind, count in dict(data["counts"]).items()},
            tuple((str(p), int(line), int(column), str(message)) for p, line, column, message in data["warnings"]),
            data["trusted"] is True,
            tuple(int(part) for part in data["marker"]) if isinstance(data["marker"], list) else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_last_build(site: Path, state: LastBuild) -> None:
    atomic_write(cache_folder(site) / STATE_FILE, json.dumps({"format": STATE_FORMAT, **asdict(state)}, sort_keys=True))


def intact_output(site: Path, output: Path, state: LastBuild) -> OutputManifest | None:
    """Return the record of `output` when it is the generation `state` describes and every recorded file is on
    disk as recorded; else None."""
    identity = output_identity(output)
    if identity is None or tuple(identity) != state.marker:
        return None
    manifest = OutputManifest.load(site, output)
    return manifest if manifest.intact() else None
