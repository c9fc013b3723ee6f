"""The cache folder, how a file is known to be unchanged, and the one way a cache file is saved.

Everything a build remembers lives in `<site>/.cache/` and may be deleted at any time. Every cache file
is replaced atomically (written beside its place, then renamed over it), so a build killed mid-save
leaves the previous file or the new one, never half of one; readers still treat whatever they find as
untrusted input.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_FOLDER = ".cache"
RACY_NS = 2_000_000_000  # how old a file must be for its size and mtime to stand for its content

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def cache_folder(site: Path) -> Path:
    """Return the folder holding everything `site`'s builds remember."""
    return site / CACHE_FOLDER


def atomic_write(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` in one step (text is written as UTF-8); create its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def file_stamp(stat: os.stat_result) -> Stamp:
    """Return what says a file is unchanged: size, mtime, ctime and inode.

    mtime alone is not enough: `cp -p`, `rsync -t` and `touch -d` write new content under an old mtime.
    They cannot set the ctime (the kernel sets it on every write), and a file replaced by a rename (as
    editors save) has a new inode. On Windows st_ctime is the creation time and st_ino the file index.
    """
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def stored_stamp(value: object) -> Stamp | None:
    """Return a stamp as a cache file stores it (a list of four integers), or None for anything else."""
    if not isinstance(value, list) or len(value) != 4 or not all(type(part) is int for part in value):
        return None
    return (value[0], value[1], value[2], value[3])


def is_settled(stamp: Stamp, started_ns: int) -> bool:
    """True when a file with `stamp` was already RACY_NS old at `started_ns`, so its stamp stands for its content.

    Timestamps are coarse (a clock tick; seconds on some file systems): a file rewritten with the same
    length in the same tick keeps its stamp. As git does with its index, a stamp taken too close to the
    file's last change is not trusted: the file is read again next time.
    """
    return max(stamp[1], stamp[2]) < started_ns - RACY_NS
