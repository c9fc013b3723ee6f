"""What the previous build wrote: each output file's signature, size and mtime, in `<site>/.cache/`.

With it, a build produces and writes only the files whose signature changed, and deletes the ones no
longer produced. It is trusted only for the same output folder, only while that folder still carries
our marker, and per file only while the file on disk still has the recorded size and mtime (so a
file edited or deleted by hand is rewritten). Anything unreadable means a full build.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .render_cache import CACHE_FOLDER
from .writer import MARKER

MANIFEST_FILE = "output-manifest.json"
MANIFEST_FORMAT = 1


@dataclass
class OutputManifest:
    path: Path
    output: Path
    files: dict[str, list[object]] = field(default_factory=dict)  # site path -> [signature, size, mtime_ns]
    valid: bool = False

    @classmethod
    def load(cls, site: Path, output: Path) -> OutputManifest:
        manifest = cls(site / CACHE_FOLDER / MANIFEST_FILE, output)
        if not (output / MARKER).is_file():
            return manifest
        try:
            data = json.loads(manifest.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return manifest
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or data.get("output") != str(output):
            return manifest
        files = data.get("files")
        if isinstance(files, dict):
            manifest.files = {
                k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, list) and len(v) == 3
            }
            manifest.valid = True
        return manifest

    def unchanged(self, site_path: str, signature: str) -> bool:
        """True when the file on disk is exactly what the previous build wrote for `signature`."""
        recorded = self.files.get(site_path)
        if not self.valid or recorded is None or recorded[0] != signature:
            return False
        try:
            stat = os.stat(os.path.join(self.output, site_path))  # plain strings: 4000 calls per build
        except OSError:
            return False
        return stat.st_size == recorded[1] and stat.st_mtime_ns == recorded[2]

    def save(self, signatures: dict[str, str], rewritten: set[str] | None = None) -> None:
        """Record every output file's signature with its current size and mtime, atomically.

        Files not in `rewritten` that were recorded with the same signature keep their record (they were
        just checked on disk by `unchanged`); None means stat every file.
        """
        files: dict[str, list[object]] = {}
        for site_path, signature in sorted(signatures.items()):
            recorded = self.files.get(site_path)
            if (
                rewritten is not None
                and site_path not in rewritten
                and recorded is not None
                and recorded[0] == signature
            ):
                files[site_path] = recorded
                continue
            try:
                stat = (self.output / site_path).stat()
            except OSError:
                continue
            files[site_path] = [signature, stat.st_size, stat.st_mtime_ns]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": MANIFEST_FORMAT, "output": str(self.output), "files": files}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)
