"""site_config.yaml: the site's settings, validated with located errors."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidencesite.content.field_reader import choices_of
from evidencesite.content.frontmatter import FrontMatterError, Scalar, normalise_text, parse_yaml_mapping
from evidencesite.content.reader_config import READER_KEYS, ReaderSettings, read_reader_settings
from evidencesite.content.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from evidencesite.content.vocabulary_config import VOCABULARY_KEYS, read_vocabulary
from evidencesite.csl.style import AnyStyle, CitationStyle, CslStyle, StyleError, resolve_style
from evidencesite.errors import Diagnostics, did_you_mean

__all__ = ["AnyStyle", "CitationStyle", "CslStyle", "SiteConfig", "load_config"]

CONFIG_NAME = "site_config.yaml"
_BASE_URL = re.compile(r"^https?://[^/\s]+(/[^\s]*)?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class RawHtml(enum.Enum):
    """What happens to raw HTML in Markdown: scripts and handlers removed, or kept verbatim."""

    SANITISE = "sanitise"
    ALLOW = "allow"


@dataclass(frozen=True)
class NavItem:
    title: str
    link: str
    line: int  # of its `link`, where problems with the link are reported


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # "" until the owners set the address the site is published at
    description: str = ""
    language: str = "en"
    author: str = ""
    license: str = ""
    citation_style: AnyStyle = CitationStyle.NUMERIC
    disclaimer: str = ""
    nav: tuple[NavItem, ...] = ()
    raw_html: RawHtml = RawHtml.SANITISE
    search: bool = True
    strict: bool = False  # warnings fail every build of this site (as `--strict` does)
    vocabulary: Vocabulary = DEFAULT_VOCABULARY  # taxonomies, designs and note sections (vocabulary.py)
    reader: ReaderSettings = field(default_factory=ReaderSettings)  # searched date, review interval, readability, contents (reader_config.py)
    path: Path = field(default=Path(CONFIG_NAME), compare=False)

    @property
    def base_path(self) -> str:
        """Return the URL path under which the site is served, always ending in '/'."""
        match = re.match(r"^https?://[^/]+(/.*)?$", self.base_url)
        path = (match.group(1) if match else None) or "/"
        return path if path.endswith("/") else path + "/"

    def absolute_url(self, site_path: str) -> str:
        """Return the absolute URL of a site path such as 'studies/das2019/' ('' before base_url is set)."""
        if not self.base_url:
            return ""
        return self.base_url.rstrip("/") + "/" + site_path.lstrip("/")


NO_ADDRESS = (
    "base_url is not set, so sitemap.xml, the Atom feeds and canonical links are left out; set base_url to the "
    "address where the site is published (e.g. https://example.org/) or build with --base-url"
)
_STRING_KEYS = ("title", "description", "language", "author", "license", "disclaimer", "base_url")
KNOWN_KEYS = (*_STRING_KEYS, "citation_style", "nav", "raw_html", "search", "strict", *VOCABULARY_KEYS, *READER_KEYS)


def load_config(site: Path, diagnostics: Diagnostics, base_url: str | None = None) -> SiteConfig | None:
    """Read and validate `<site>/site_config.yaml`; report problems to `diagnostics`."""
    path = site / CONFIG_NAME
    if not path.is_file():
        diagnostics.error(path, 0, f"missing {CONFIG_NAME}: every site folder needs one; start a new site with `python build.py init FOLDER` (see docs/authoring.md)")
        return None
    try:
        text = normalise_text(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        diagnostics.error(path, 0, f"cannot read {CONFIG_NAME}: {exc.strerror or exc}; check its permissions")
        return None
    except UnicodeDecodeError as exc:
        diagnostics.error(path, 1, f"file is not valid UTF-8 (byte {exc.start})")
        return None
    try:
        data, lines = parse_yaml_mapping(text)
    except FrontMatterError as exc:
        diagnostics.error(path, exc.line, exc.message)
        return None
    return _validate(data, lines, path, diagnostics, base_url)


def _validate(
    data: dict[str, Any], lines: dict[Any, int], path: Path, diagnostics: Diagnostics, base_url: str | None
) -> SiteConfig | None:
    errors_before = diagnostics.error_count

    def line(*key: str | int) -> int:
        return lines.get(tuple(key), 1)

    for key in data:
        if key not in KNOWN_KEYS:
            diagnostics.warning(path, line(key), f"unknown setting '{key}'{did_you_mean(key, KNOWN_KEYS)}")
    values: dict[str, str] = {}
    for key in _STRING_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, Scalar):
            diagnostics.error(path, line(key), f"'{key}' must be a single line of text, not a list or mapping")
            continue
        values[key] = value.text.strip()
    if not values.get("title"):
        diagnostics.error(path, line(), "missing required setting 'title'")
    if base_url is not None:
        values["base_url"] = base_url
    url = values.get("base_url", "")
    if not url:  # a site not yet published: everything works but what needs its address
        diagnostics.note(path, line("base_url") if "base_url" in data else 1, NO_ADDRESS)
    elif not _BASE_URL.match(url):
        diagnostics.error(
            path, line("base_url"), f"base_url '{url}' must be an absolute URL starting with https:// or http://"
        )
    language = values.get("language", "en")
    if not _LANGUAGE.match(language):
        diagnostics.error(
            path, line("language"), f"language '{language}' is not a language tag such as 'en' or 'en-GB'"
        )
    style = _citation_style(data, path, line, diagnostics, language)
    raw_html = _enum(data, "raw_html", RawHtml, RawHtml.SANITISE, path, line, diagnostics)
    search = _bool(data, "search", True, path, line, diagnostics)
    strict = _bool(data, "strict", False, path, line, diagnostics)
    nav = _nav(data.get("nav"), path, line, diagnostics)
    vocabulary = read_vocabulary(data, path, line, diagnostics)
    reader = read_reader_settings(data, path, line, diagnostics)
    if diagnostics.error_count > errors_before:
        return None
    return SiteConfig(
        title=values["title"],
        base_url=url if not url or url.endswith("/") else url + "/",
        description=values.get("description", ""),
        language=language,
        author=values.get("author", ""),
        license=values.get("license", ""),
        citation_style=style,
        disclaimer=values.get("disclaimer", ""),
        nav=nav,
        raw_html=raw_html,
        search=search,
        strict=strict,
        vocabulary=vocabulary,
        reader=reader,
        path=path,
    )


def _enum(
    data: dict[str, Any], key: str, kind: type[enum.Enum], default: Any, path: Path, line: Any, diagnostics: Diagnostics
) -> Any:
    value = data.get(key)
    if value is None:
        return default
    choices = choices_of(kind)
    if isinstance(value, Scalar) and value.text in choices:
        return kind(value.text)
    shown = value.text if isinstance(value, Scalar) else type(value).__name__
    diagnostics.error(
        path, line(key), f"{key} '{shown}' must be one of: {', '.join(choices)}{did_you_mean(str(shown), choices)}"
    )
    return default


def _citation_style(data: dict[str, Any], path: Path, line: Any, diagnostics: Diagnostics, language: str) -> AnyStyle:
    """Return the built-in or CSL style named by `citation_style` (see csl/style.py)."""
    value = data.get("citation_style")
    if value is None:
        return CitationStyle.NUMERIC
    if not isinstance(value, Scalar) or not value.text.strip():
        diagnostics.error(
            path, line("citation_style"), "citation_style must be numeric, author-year, a CSL style name or a .csl path"
        )
        return CitationStyle.NUMERIC
    try:
        return resolve_style(value.text.strip(), path.parent, language)
    except StyleError as exc:
        if exc.path is None:
            diagnostics.error(path, line("citation_style"), exc.message)
        else:
            diagnostics.error(exc.path, exc.line, f"{exc.message} (citation_style on {path.name} line {line('citation_style')})")
        return CitationStyle.NUMERIC


def _bool(data: dict[str, Any], key: str, default: bool, path: Path, line: Any, diagnostics: Diagnostics) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, Scalar) and value.text.lower() in ("true", "false"):
        return value.text.lower() == "true"
    diagnostics.error(path, line(key), f"'{key}' must be true or false")
    return default


def _nav(value: Any, path: Path, line: Any, diagnostics: Diagnostics) -> tuple[NavItem, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        diagnostics.error(path, line("nav"), "'nav' must be a list of {title, link} entries")
        return ()
    items = []
    for index, entry in enumerate(value):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("title"), Scalar)
            or not isinstance(entry.get("link"), Scalar)
        ):
            diagnostics.error(path, line("nav", index), "each nav entry needs 'title' and 'link' (text)")
            continue
        for key in entry:
            if key not in ("title", "link"):
                diagnostics.warning(
                    path, line("nav", index, key), f"unknown nav setting '{key}'{did_you_mean(key, ('title', 'link'))}"
                )
        items.append(NavItem(entry["title"].text, entry["link"].text, line("nav", index, "link")))
    return tuple(items)
