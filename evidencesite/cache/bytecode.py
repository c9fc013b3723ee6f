"""Compiled templates: in memory for `serve`, in `<site>/.cache/jinja/` for command-line builds.

Jinja keys each entry by the template's name and a checksum of its source, so an edited template is
compiled again; on disk each entry also carries a digest of its bytecode, so a stale or corrupted file
is recompiled, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import jinja2

from evidencesite.cache.files import atomic_write

_DIGEST_SIZE = 32


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory by a long-running process (serve); keyed by the source's checksum."""

    def __init__(self) -> None:
        self._buckets: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._buckets.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._buckets[bucket.key] = bucket.bytecode_to_string()


class VerifiedFileBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's on-disk bytecode cache, with every entry checked by a SHA-256 digest before it is loaded.

    Jinja unmarshals an entry after checking only its header: one flipped bit in the code could give
    wrong pages, bogus errors, a crash or a hang. Each file holds the digest of its bytecode first; an
    entry whose digest does not match (or that cannot be read) is ignored, and the template recompiled.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        digest, payload = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if len(digest) == _DIGEST_SIZE and hashlib.sha256(payload).digest() == digest:
            bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = bucket.bytecode_to_string()
        with contextlib.suppress(OSError):  # a cache that cannot be written costs only speed
            atomic_write(Path(self._get_cache_filename(bucket)), hashlib.sha256(payload).digest() + payload)


def disk_bytecode_cache(folder: Path) -> VerifiedFileBytecodeCache | None:
    """Return the on-disk cache in `folder`, or None when it cannot be made (costs speed, never the build)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return VerifiedFileBytecodeCache(str(folder))
