"""Read content/: find every source file, decode it, split its front matter. Only this module
(with config and bibliography) reads the author's files."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evidencesite.content.frontmatter import Document, FrontMatterError, split_front_matter
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
from evidencesite.errors import Diagnostics
from evidencesite.models import Kind

# \Z, not $: `$` also matches before a final newline, which would accept 'x\n.md' (match and fullmatch agree)
SLUG = re.compile(r"\A[a-z0-9][a-z0-9-]*\Z")
# a study note's file name is its citation key: letters of any script, digits, '_', and '.', '+', '-' inside
# (characters every OS allows in a file name and that need no escaping in a link)
STUDY_STEM = re.compile(r"\A\w(?:[\w.+-]*\w)?\Z")
FIXED_FOLDERS = {"studies": Kind.STUDY, "pages": Kind.PAGE}  # the taxonomies' folders are the site's own
DEFAULT_TAXONOMY_KEYS = DEFAULT_VOCABULARY.keys  # the folders of a site that configures no taxonomies
BIBLIOGRAPHY_FILES = ("references.bib", "references.json")
# Bounds that keep a build's time and memory finite whatever is in content/ (documented in docs/authoring.md).
MAX_DEPTH = 16  # folders below content/
MAX_TEXT_BYTES = 64 * 1024 * 1024  # a Markdown or bibliography file
# The asset policy: these are copied as they are; they cannot run script in a browser.
ASSET_TYPES = frozenset(
    " ".join(
        (
            ".png .jpg .jpeg .gif .webp .avif .ico .bmp .tif .tiff",  # images
            ".pdf .csv .tsv .txt .json .bib .ris .ods .odt .xls .xlsx .doc .docx .ppt .pptx .zip .gz",  # documents
            ".woff .woff2 .ttf .otf",  # fonts
            ".mp3 .mp4 .m4a .ogg .oga .ogv .wav .webm .vtt",  # audio, video, captions
        )
    ).split()
)
# Active content: a browser runs script in these, so raw HTML's policy applies (copied only with raw_html: allow).
ACTIVE_TYPES = frozenset(
    " ".join(
        (
            ".html .htm .xhtml .xht .shtml .mht .mhtml .svg .svgz .xml .xsl .xslt .rss .atom",  # markup
            ".js .mjs .cjs .wasm .css .swf .hta .php .asp .aspx .jsp .cgi .pl .py .sh",  # scripts and styles
        )
    ).split()
)


@dataclass(frozen=True)
class RawDocument:
    """One Markdown file of content/, decoded and split, not yet validated."""

    kind: Kind
    stem: str
    path: Path
    document: Document
    section: str = ""  # the folder under content/ ('studies', a taxonomy's key…); '' for the home page


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
    site: Path,
    diagnostics: Diagnostics,
    read: Callable[[Path, Diagnostics], Document | None] | None = None,
    allow_active: bool = False,
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMY_KEYS,
) -> ContentFiles:
    """Walk `<site>/content` and return its Markdown documents, bibliography files and assets.

    `read` replaces read_document (a long-running server passes a memoizing one). `allow_active` (the
    site's `raw_html: allow`) lets HTML, SVG, XML and scripts be copied; otherwise they are errors, as
    raw HTML would be sanitised. `taxonomies` are the folders of the site's taxonomy pages (its vocabulary).
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
            if _asset_allowed(path, relative, allow_active, diagnostics):
                assets.append((path, relative))
            else:
                rejected.append(relative)
            continue
        kind = kind_of(parts, taxonomies)
        if kind is None:
            folders = ", ".join(f"{name}/" for name in ("studies", *taxonomies, "pages"))
            diagnostics.warning(
                path, 0, f"Markdown file outside the known sections (index.md, {folders}) is ignored"
            )
            continue
        stem = path.stem
        if kind is Kind.STUDY and not STUDY_STEM.fullmatch(stem):
            diagnostics.error(
                path,
                0,
                f"file name '{path.name}' of a study note must be letters, digits, '_', and '.', '+' or '-' between "
                "them, ending in .md (it is the citation key); for a key such as 'smith:2019' name the file "
                "e.g. smith-2019.md and write 'key: smith:2019' in its front matter",
            )
            rejected.append(relative)
            continue
        if kind is not Kind.STUDY and not SLUG.fullmatch(stem):
            diagnostics.error(
                path,
                0,
                f"file name '{path.name}' must be lowercase letters, digits and '-' only, ending in .md (it becomes the URL)",
            )
            rejected.append(relative)
            continue
        document = read(path, diagnostics)
        if document is not None:
            documents.append(RawDocument(kind, stem, path, document, parts[0] if len(parts) == 2 else ""))
        else:
            rejected.append(relative)
    return ContentFiles(
        tuple(documents),
        tuple(sorted(bibliographies)),
        tuple(sorted(assets, key=lambda a: a[1])),
        tuple(rejected),
    )


def _asset_allowed(path: Path, relative: str, allow_active: bool, diagnostics: Diagnostics) -> bool:
    """Apply the asset policy to a file of content/ that is not Markdown; report a refusal at the file."""
    suffix = "." + relative.rpartition(".")[2].lower() if "." in relative.rpartition("/")[2] else ""
    if suffix in ASSET_TYPES or (allow_active and suffix in ACTIVE_TYPES):
        return True
    if suffix in ACTIVE_TYPES:
        diagnostics.error(
            path,
            0,
            f"'{relative}' is active content ({suffix} files can run script in a browser) and raw_html is "
            "'sanitise': write the page in Markdown, or set 'raw_html: allow' in site_config.yaml if you trust it",
        )
    else:
        diagnostics.error(
            path,
            0,
            f"'{relative}' is not a file type content/ publishes ({suffix or 'no extension'}); allowed are images, "
            "PDF, CSV/TSV/TXT/JSON, office documents, fonts, audio and video: remove it, rename it, or put it in "
            "static/, which is copied as it is",
        )
    return False


def kind_of(parts: tuple[str, ...], taxonomies: tuple[str, ...] = DEFAULT_TAXONOMY_KEYS) -> Kind | None:
    """Return the kind of page a file is, from its path under content/ (None: not a page)."""
    if parts == ("index.md",):
        return Kind.HOME
    if len(parts) == 2 and parts[0] in FIXED_FOLDERS:
        return FIXED_FOLDERS[parts[0]]
    if len(parts) == 2 and parts[0] in taxonomies:
        return Kind.TERM
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
        if prefix.count("/") > MAX_DEPTH:
            diagnostics.error(
                directory,
                0,
                f"folder nests more than {MAX_DEPTH} levels below content/; its files are not read: flatten it",
            )
            continue
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
            elif _is_regular(entry):
                found.append((path, prefix + entry.name))
            else:  # a FIFO would block the build for ever, a device could be endless
                diagnostics.error(path, 0, "not a regular file (a pipe, socket or device); remove it from content/")
        folders.extend(reversed(subfolders))
    return found


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return stat.S_ISREG(entry.stat().st_mode)  # follows a symlink, which _inside has checked
    except OSError:
        return False


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
    """Return the file's text, or None after reporting why it cannot be read.

    Only a regular file of at most MAX_TEXT_BYTES is read: the file is opened without blocking (a FIFO put
    in place after the folder was listed must not hang the build) and checked before reading.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as file:
            status = os.fstat(file.fileno())
            if not stat.S_ISREG(status.st_mode):
                diagnostics.error(path, 0, "not a regular file (a pipe, socket or device); replace it with a file")
                return None
            if status.st_size > MAX_TEXT_BYTES:
                diagnostics.error(
                    path, 0, f"file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; split it into smaller files"
                )
                return None
            data = file.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        diagnostics.error(path, 0, f"cannot read file: {exc.strerror or exc}")
        return None
    if len(data) > MAX_TEXT_BYTES:  # grew while being read
        diagnostics.error(
            path, 0, f"file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; split it into smaller files"
        )
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
        return exc.body  # the body alone (marked unparsed), or None
