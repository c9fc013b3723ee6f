"""What the output folder holds: each output file's signature and on-disk identity, in `<site>/.cache/`.

With it, a build produces only the files whose signature changed and hard-links the rest from the
current output into the complete new tree it swaps in (writer.swap_in). The record names the output
folder's marker file by device, inode and mtime, and every swap puts a new marker in place, so a record
that was not saved after a build (`--no-cache`, a full disk, an unwritable `.cache`, a build killed just
after its swap) no longer matches: the output is then treated as unknown and the next build produces
everything, as a clean build does. Per file it is trusted only while the file on disk is a regular file
reached without a symlink with the recorded size, mtime and inode, so a file edited by hand is rewritten.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

from evidencesite.cache.files import atomic_write, cache_folder
from evidencesite.output.writer import MARKER, is_own_temporary

MANIFEST_FILE = "output-manifest.json"
MANIFEST_FORMAT = 2

Stamp = tuple[int, int, int]  # size, mtime_ns, inode
Record = tuple[str, int, int, int]  # signature, size, mtime_ns, inode


def output_identity(output: Path) -> list[int] | None:
    """Return what identifies this generation of the output: its marker's device, inode and mtime."""
    try:
        stat = os.lstat(output / MARKER)
    except OSError:
        return None
    return [stat.st_dev, stat.st_ino, stat.st_mtime_ns]


def scan_output(output: Path) -> dict[str, Stamp]:
    """Return every regular file in `output` (site path -> stamp), without following symlinks.

    A file behind a symlinked folder is not listed, so it is never taken as unchanged nor linked into the
    next tree (a link could lead out of the output). Our marker and temporary folders are left out.
    """
    files: dict[str, Stamp] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and (entry.name == MARKER or is_own_temporary(entry.name)):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    files[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)

    try:
        walk(os.fspath(output), "")
    except OSError:
        return {}
    return files


@dataclass
class OutputManifest:
    path: Path
    output: Path
    files: dict[str, Record] = field(default_factory=dict)  # site path -> its record
    on_disk: dict[str, Stamp] = field(default_factory=dict)
    valid: bool = False

    @classmethod
    def load(cls, site: Path, output: Path) -> OutputManifest:
        """Return the record of what `output` holds; not `valid` unless it describes this very output folder."""
        manifest = cls(cache_folder(site) / MANIFEST_FILE, output)
        identity = output_identity(output)
        if identity is None:
            return manifest
        try:
            data = json.loads(manifest.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return manifest
        if (
            not isinstance(data, dict)
            or data.get("format") != MANIFEST_FORMAT
            or data.get("output") != str(output)
            or data.get("marker") != identity
        ):
            return manifest
        files = data.get("files")
        if isinstance(files, dict):
            manifest.files = {k: record for k, v in files.items() if (record := _record(v)) is not None}
            manifest.on_disk = scan_output(output)
            manifest.valid = True
        return manifest

    def unchanged(self, site_path: str, signature: str) -> bool:
        """True when the file on disk is exactly what the previous build wrote for `signature`."""
        recorded = self.files.get(site_path)
        if not self.valid or recorded is None or recorded[0] != signature:
            return False
        return self.on_disk.get(site_path) == (recorded[1], recorded[2], recorded[3])

    def intact(self) -> bool:
        """True when every recorded file is on disk as recorded (nothing edited, deleted or replaced)."""
        return self.valid and all(
            self.on_disk.get(path) == (record[1], record[2], record[3]) for path, record in self.files.items()
        )


def _record(value: Any) -> Record | None:
    """Return a stored record if it has exactly the recorded shape (the file is never trusted), else None."""
    if not isinstance(value, list) or len(value) != 4 or not isinstance(value[0], str):
        return None
    if type(value[1]) is not int or type(value[2]) is not int or type(value[3]) is not int:
        return None  # (no generator: 40,000 records are checked on every build, the no-op one included)
    return (value[0], value[1], value[2], value[3])


def restamped(on_disk: Mapping[str, Stamp], output: Path, paths: Iterable[str]) -> dict[str, Stamp]:
    """Return `on_disk` with the stamps of `paths` read again: what the output holds after an edit replaced
    those files in place, without scanning 40,000 files. A path that is no longer a regular file is left out
    (the next build then produces it); every other file keeps the stamp its build started with, so one
    changed since then does not match its record either."""
    stamps = dict(on_disk)
    for path in paths:
        try:
            stat = os.lstat(output / path)
        except OSError:
            stamps.pop(path, None)
            continue
        if S_ISREG(stat.st_mode):
            stamps[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        else:
            stamps.pop(path, None)
    return stamps


def save_manifest(site: Path, output: Path, signatures: dict[str, str], on_disk: Mapping[str, Stamp] | None = None) -> None:
    """Record what `output` now holds (call right after the swap), atomically; `on_disk` when the build knows
    it (restamped), else the output is scanned."""
    if on_disk is None:
        on_disk = scan_output(output)
    files = {path: [signature, *on_disk[path]] for path, signature in sorted(signatures.items()) if path in on_disk}
    data = {"format": MANIFEST_FORMAT, "output": str(output), "marker": output_identity(output), "files": files}
    atomic_write(cache_folder(site) / MANIFEST_FILE, json.dumps(data, sort_keys=True, separators=(",", ":")))
