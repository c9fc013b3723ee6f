"""Take away what Windows lacks from every Python process started with this folder on PYTHONPATH.

`import fcntl` fails and `os.fork` is gone. CI runs the build and CLI tests once more like that (with
EVIDENCESITE_START_METHOD=spawn as well), to prove the generator needs neither. Starting programs still
works: subprocess and multiprocessing's spawn start them without os.fork.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

BLOCKED = frozenset({"fcntl"})


class BlockedModules(MetaPathFinder):
    """Refuse to find the blocked modules, as on a system that does not have them."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname in BLOCKED:
            raise ImportError(f"No module named {fullname!r} (blocked by tests/no_fcntl)", name=fullname)
        return None


for name in BLOCKED:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, BlockedModules())
for name in ("fork", "forkpty"):
    if hasattr(os, name):
        delattr(os, name)
