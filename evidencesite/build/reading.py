"""The first two stages of a build: read every source file and validate it into pages.

Files come through the store's documents (cache/documents.py), so an unchanged file is neither parsed
nor validated again. Files that fail are remembered by name and key, so that the catalog can tell a
reference to a broken file from one to a missing file, and their bodies are still checked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from evidencesite.cache.documents import DocumentStore
from evidencesite.content.bibliography import load_bibliographies
from evidencesite.content.config import SiteConfig
from evidencesite.content.frontmatter import is_draft
from evidencesite.content.loader import ContentFiles, RawDocument, find_content
from evidencesite.content.study_fields import study_key
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
from evidencesite.errors import Diagnostics
from evidencesite.models import Kind, Page, Work


@dataclass
class SiteSources:
    """Everything read: the valid pages and works, and what failed (for the catalog's messages)."""

    content: ContentFiles
    pages: list[Page] = field(default_factory=list)
    works: list[Work] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # 'studies/x': files that failed validation (or were refused)
    broken_keys: dict[str, str] = field(default_factory=dict)  # their citation keys -> 'studies/x.md'
    draft_keys: set[str] = field(default_factory=set)
    broken_documents: list[RawDocument] = field(default_factory=list)  # their bodies are checked too


def read_site(
    site: Path, config: SiteConfig | None, documents: DocumentStore, diagnostics: Diagnostics, drafts: bool
) -> SiteSources:
    """Read and validate every source file; report every problem, raise nothing."""
    vocabulary = config.vocabulary if config is not None else DEFAULT_VOCABULARY
    allow_active = config is not None and config.raw_html.value == "allow"
    content = find_content(site, diagnostics, documents.read, allow_active, vocabulary.keys)
    sources = SiteSources(content)
    for raw in content.documents:
        known = documents.known_page(raw)  # validated cleanly last time: its front matter is not parsed again
        if not drafts and (known.draft if known is not None else is_draft(raw.document)):
            if raw.kind is Kind.STUDY:
                sources.draft_keys.add(known.study.work.key if known and known.study else study_key(raw))
            continue
        page = known or documents.validate(raw, diagnostics)
        if page is None:
            sources.broken_documents.append(raw)
            sources.broken.add(f"{raw.section}/{raw.stem}" if raw.section else raw.stem)
            if raw.kind is Kind.STUDY:
                sources.broken_keys[study_key(raw)] = f"studies/{raw.path.name}"
        else:
            sources.pages.append(page)
    for relative in content.rejected:
        if relative.endswith(".md"):
            sources.broken.add(relative[:-3])
            if relative.startswith("studies/") and relative.count("/") == 1:
                sources.broken_keys.setdefault(unicodedata.normalize("NFC", relative[8:-3]), relative)
    sources.works = load_bibliographies(content.bibliographies, diagnostics)
    return sources
