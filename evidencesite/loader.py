"""Read content/: find every source file, decode it, split its front matter. Only this module
(with config and bibliography) reads the author's files."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostics
from .frontmatter import Document, FrontMatterError, split_front_matter
from .models import Kind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# a study note's file name is its citation key: letters of any script, digits, '_', and '.', '+', '-' inside
# (characters every OS allows in a file name and that need no escaping in a link)
STUDY_STEM = re.compile(r"^\w(?:[\w.+-]*\w)?$")
SECTIONS = {kind.value: kind for kind in Kind if kind is not Kind.HOME}
BIBLIOGRAPHY_FILES = ("references.bib", "references.json")


@dataclass(frozen=True)
class RawDocument:
    """One Markdown file of content/, decoded and split, not yet validated."""

    kind: Kind
    stem: str
    path: Path
    document: Document


@dataclass(frozen=True)
class ContentFiles:
    documents: tuple[RawDocument, ...]
    bibliographies: tuple[Path, ...]
    assets: tuple[tuple[Path, str], ...]  # (source path, site path)
    rejected: tuple[str, ...] = ()  # site paths of Markdown files refused by name ('studies/x y.md')


def is_ignored(name: str) -> bool:
    """Editor back-ups, hidden files and lock files are never content."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".tmp"))


def find_content(
    site: Path, diagnostics: Diagnostics, read: Callable[[Path, Diagnostics], Document | None] | None = None
) -> ContentFiles:
    """Walk `<site>/content` and return its Markdown documents, bibliography files and assets.

    `read` replaces read_document (a long-running server passes a memoizing one).
    """
    read = read or read_document
    content = site / "content"
    if not content.is_dir():
        diagnostics.error(content, 0, "missing content/ folder")
        return ContentFiles((), (), ())
    root = site.resolve()
    documents: list[RawDocument] = []
    bibliographies: list[Path] = []
    assets: list[tuple[Path, str]] = []
    rejected: list[str] = []
    seen: dict[str, str] = {}  # case-folded site path -> site path: macOS and Windows see one file
    for path, relative in _walk(content, root, diagnostics):
        folded = relative.casefold()
        if folded in seen:
            diagnostics.error(
                path,
                0,
                f"file name '{relative}' differs from content/{seen[folded]} only by case: they are the same file "
                "on macOS and Windows; rename one",
            )
            rejected.append(relative)
            continue
        seen[folded] = relative
        parts = tuple(relative.split("/"))
        if len(parts) == 1 and parts[0] in BIBLIOGRAPHY_FILES:
            bibliographies.append(path)
            continue
        if not relative.endswith(".md"):
            assets.append((path, relative))
            continue
        kind = kind_of(parts)
        if kind is None:
            diagnostics.warning(
                path,
                0,
                "Markdown file outside the known sections (index.md, studies/, mechanisms/, substances/, pages/) is ignored",
            )
            continue
        stem = path.stem
        if kind is Kind.STUDY and not STUDY_STEM.match(stem):
            diagnostics.error(
                path,
                0,
                f"file name '{path.name}' of a study note must be letters, digits, '_', and '.', '+' or '-' between "
                "them, ending in .md (it is the citation key); for a key such as 'smith:2019' name the file "
                "e.g. smith-2019.md and write 'key: smith:2019' in its front matter",
            )
            rejected.append(relative)
            continue
        if kind is not Kind.STUDY and not SLUG.match(stem):
            diagnostics.error(
                path,
                0,
                f"file name '{path.name}' must be lowercase letters, digits and '-' only, ending in .md (it becomes the URL)",
            )
            rejected.append(relative)
            continue
        document = read(path, diagnostics)
        if document is not None:
            documents.append(RawDocument(kind, stem, path, document))
        else:
            rejected.append(relative)
    return ContentFiles(
        tuple(documents),
        tuple(sorted(bibliographies)),
        tuple(sorted(assets, key=lambda a: a[1])),
        tuple(rejected),
    )


def kind_of(parts: tuple[str, ...]) -> Kind | None:
    """Return the kind of page a file is, from its path under content/ (None: not a page)."""
    if parts == ("index.md",):
        return Kind.HOME
    if len(parts) == 2 and parts[0] in SECTIONS:
        return SECTIONS[parts[0]]
    return None


def _walk(content: Path, root: Path, diagnostics: Diagnostics) -> list[tuple[Path, str]]:
    """Return (path, path relative to content/ in POSIX form) of every file, sorted by folder then name.

    Symlinks are followed only while they stay inside the site. Uses scandir: the directory listing
    already says which entries are folders or links, so a plain file costs no extra system call.
    """
    found: list[tuple[Path, str]] = []
    folders: list[tuple[str, str]] = [(str(content), "")]
    while folders:
        directory, prefix = folders.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:  # unreadable, or removed while we walk (serve rebuilds again after a deletion)
            diagnostics.error(directory, 0, f"cannot read folder: {exc.strerror or exc}")
            continue
        subfolders = []
        for entry in entries:
            if is_ignored(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_symlink() and not _inside(path, root, diagnostics):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                found.append((path, prefix + entry.name))
        folders.extend(reversed(subfolders))
    return found


def _inside(path: Path, root: Path, diagnostics: Diagnostics) -> bool:
    if not path.is_symlink():
        return True
    target = path.resolve()
    if target != root and root not in target.parents:
        diagnostics.error(path, 0, f"symlink points outside the site folder (to {target}); copy the file in instead")
        return False
    if path.is_dir():
        diagnostics.error(path, 0, "symlinked folders are not followed; link individual files or copy the folder")
        return False
    return True


def read_text(path: Path, diagnostics: Diagnostics) -> str | None:
    """Return the file's text, or None after reporting why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(path, 0, f"cannot read file: {exc.strerror}")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.error(
            path,
            line,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
        )
        return None


def read_document(path: Path, diagnostics: Diagnostics) -> Document | None:
    """Read and split one Markdown file."""
    text = read_text(path, diagnostics)
    if text is None:
        return None
    if not text.strip().lstrip("\ufeff"):
        diagnostics.error(path, 1, "file is empty: a page needs front matter with at least a title")
        return None
    try:
        return split_front_matter(text)
    except FrontMatterError as exc:
        diagnostics.error(path, exc.line, exc.message)
        return None
