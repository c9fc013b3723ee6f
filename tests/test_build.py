"""End-to-end builds: the real site and tiny sites, output safety and link integrity."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from conftest import REPO, snapshot
from evidencesite.output.writer import MARKER
from link_checker import check_links


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the repository's own site once (strict) into a temporary folder."""
    from evidencesite.cli import main

    output = tmp_path_factory.mktemp("real") / "output"
    # as the publishing workflow builds it: with the address the owners publish it at
    assert main(["build", "--output", str(output), "--strict", "-q", "--base-url", "https://owners.example/"]) == 0
    return output


def test_real_site_builds_every_page_kind(real_site: Path) -> None:
    for path in (
        "index.html",
        "studies/index.html",
        "evidence/index.html",
        "references/index.html",
        "search/index.html",
        "mechanisms/reconsolidation/index.html",
        "substances/alcohol/index.html",
        "studies/das2019/index.html",
        "methods/index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "robots.txt",
        "references/references.bib",
        "studies/das2019/das2019.ris",
        MARKER,
    ):
        assert (real_site / path).is_file(), path


def test_real_site_has_no_broken_internal_link_or_fragment(real_site: Path) -> None:
    broken = check_links(real_site, "/")
    assert not broken, "\n".join(b.format() for b in broken[:30])


def test_every_citation_links_to_an_existing_reference_and_back(real_site: Path) -> None:
    checked = 0
    for page in real_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for key in re.findall(r'class="cite" [^>]*href="#ref-([a-z0-9-]+)"', html):
            assert f"ref-{key}" in ids, f"{page}: citation of {key} has no reference entry"
            checked += 1
        for anchor in re.findall(r'<a href="#(cites?-\d+)" aria-label="Back to citation', html):
            assert anchor in ids, f"{page}: back-link to missing #{anchor}"
    assert checked > 100


def test_cited_by_lists_exactly_the_pages_that_cite_the_study(real_site: Path) -> None:
    citing: dict[str, set[str]] = {}
    for page in real_site.rglob("index.html"):
        relative = page.relative_to(real_site).as_posix()
        html = page.read_text(encoding="utf-8")
        prose = html.split('<div class="prose">', 1)[-1].split("</div>", 1)[0] if '<div class="prose">' in html else ""
        for key in set(re.findall(r'data-key="([a-z0-9-]+)"', prose)):
            if relative != f"studies/{key}/index.html":
                citing.setdefault(key, set()).add(relative)
    for key, pages in citing.items():
        study_page = real_site / "studies" / key / "index.html"
        if not study_page.exists():
            continue
        section = study_page.read_text(encoding="utf-8").split('id="cited-by-heading"', 1)[1].split("</section>", 1)[0]
        listed = {
            (study_page.parent / href).resolve().relative_to(real_site.resolve()).as_posix()
            for href in re.findall(r'<a href="([^"#]+)(?:#[^"]*)?">', section)
        }
        assert pages <= listed, f"{key}: cited by {sorted(pages - listed)} but not listed"


def test_sitemap_and_feed_are_well_formed_and_every_page_is_in_the_sitemap_once(real_site: Path) -> None:
    sitemap = etree.parse(real_site / "sitemap.xml").getroot()
    locations = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locations) == len(set(locations))
    pages = [p.relative_to(real_site).as_posix() for p in real_site.rglob("*.html") if p.name != "404.html"]
    assert len(locations) == len(pages)
    assert all(loc and loc.startswith("https://") and not loc.endswith("index.html") for loc in locations)
    feed = etree.parse(real_site / "feed.xml").getroot()
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.findall("{http://www.w3.org/2005/Atom}entry")


def test_two_builds_are_byte_identical(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_cli("build", "--site", root, "--output", first, "-q").code == 0
    assert run_cli("build", "--site", root, "--output", second, "-q").code == 0
    assert snapshot(first) == snapshot(second)


def test_failed_build_leaves_previous_output_byte_for_byte(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    assert run_cli("build", "--site", root, "-q").code == 0
    before = snapshot(root / "output")
    (root / "content" / "index.md").write_text("---\ntitle: Home\n---\n[@missing]\n")
    assert run_cli("build", "--site", root).code == 1
    assert snapshot(root / "output") == before
    assert not [p.name for p in root.iterdir() if p.name.startswith(".evidencesite-")]  # no staging folder left


def test_files_of_earlier_builds_do_not_linger(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/pages/about.md": "---\ntitle: About\n---\nAbout.\n"})
    assert run_cli("build", "--site", root, "-q").code == 0
    assert (root / "output" / "about" / "index.html").exists()
    (root / "content" / "pages" / "about.md").unlink()
    assert run_cli("build", "--site", root, "-q").code == 0
    assert not (root / "output" / "about").exists()


@pytest.mark.parametrize("output", [".", "content", "content/out", ".."])
def test_dangerous_output_folders_are_refused(site, run_cli, output: str) -> None:  # type: ignore[no-untyped-def]
    root = site()
    before = snapshot(root)
    result = run_cli("build", "--site", root, "--output", root / output)
    assert result.code == 2
    assert "output folder" in result.err
    assert snapshot(root) == before


def test_foreign_non_empty_output_folder_is_not_replaced(site, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = site()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    result = run_cli("build", "--site", root, "--output", precious)
    assert result.code == 2
    assert (precious / "thesis.tex").read_text() == "years of work"


def test_links_are_relative_and_name_files(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    assert run_cli("build", "--site", root, "-q").code == 0
    html = (root / "output" / "studies" / "smith2020" / "index.html").read_text()
    assert 'href="../../mechanisms/memory/index.html"' in html
    assert not re.search(r'href="/(?!/)', html)
    assert '<link rel="canonical" href="https://example.org/sub/studies/smith2020/">' in html


def test_not_found_page_uses_base_element_for_any_depth(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    assert run_cli("build", "--site", root, "-q").code == 0
    html = (root / "output" / "404.html").read_text()
    assert '<base href="/sub/">' in html


def test_drafts_are_skipped_unless_requested(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site({"content/pages/wip.md": "---\ntitle: Work in progress\ndraft: true\n---\nSoon.\n"})
    assert run_cli("build", "--site", root, "-q").code == 0
    assert not (root / "output" / "wip").exists()
    assert run_cli("build", "--site", root, "-q", "--drafts").code == 0
    assert (root / "output" / "wip" / "index.html").exists()


def test_summary_line_counts_pages_by_type(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    result = run_cli("build", "--site", root)
    assert result.code == 0
    assert re.search(
        r"built \d+ files into .* \(.*1 home, .*1 studies.*; 0 warning\(s\)\) in \d+\.\d\d s", result.out
    ), result.out


def test_no_subcommand_means_build_and_bad_flag_is_usage_error(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    assert run_cli("--site", root, "-q").code == 0
    assert (root / "output" / "index.html").exists()
    assert run_cli("build", "--no-such-flag").code == 2


def test_check_writes_nothing(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    before = snapshot(root)
    assert run_cli("check", "--site", root).code == 0
    assert snapshot(root) == before
    assert not (root / "output").exists()


def test_site_templates_override_builtin_ones_file_by_file(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site(
        {
            "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
            "templates/page.html": "{% extends 'base.html' %}{% block main %}<h1>Custom {{ page.title }}</h1>{{ body }}{% endblock %}\n",
        }
    )
    assert run_cli("build", "--site", root, "-q").code == 0
    assert "<h1>Custom About</h1>" in (root / "output" / "about" / "index.html").read_text()
    study = (root / "output" / "studies" / "smith2020" / "index.html").read_text()
    assert "Custom" not in study and "Bibliographic record" in study


def test_each_page_with_its_css_and_js_stays_under_100_kb(real_site: Path) -> None:
    over = []
    for page in real_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        total = len(html.encode())
        for asset in re.findall(r'(?:href|src)="([^"#?]+\.(?:css|js))"', html):
            total += (page.parent / asset).resolve().stat().st_size
        if total >= 100_000:
            over.append(f"{page.relative_to(real_site)}: {total} bytes")
    assert not over


def test_verbose_prints_stage_timings_and_quiet_prints_nothing(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = site()
    verbose = run_cli("build", "--site", root, "-v", "--no-cache")
    for stage in ("read", "validate", "render", "templates", "search index", "write"):
        assert re.search(rf"^\s*{stage}:\s+\d+\.\d ms$", verbose.err, re.MULTILINE), stage
    quiet = run_cli("build", "--site", root, "-q", "--no-cache")
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""


def test_real_site_bibtex_export_round_trips_and_no_scholar_tags(real_site: Path) -> None:
    from evidencesite.content.bibliography import parse_bibtex
    from evidencesite.errors import Diagnostics

    diagnostics = Diagnostics(real_site)
    exported = {
        w.key: w
        for w in parse_bibtex(
            (real_site / "references" / "references.bib").read_text(), real_site / "r.bib", diagnostics
        )
    }
    assert not diagnostics.items
    note = (REPO / "content" / "studies" / "das2019.md").read_text()
    das = exported["das2019"]
    assert das.title in note and das.doi == "10.1038/s41467-019-13162-w" and das.pmid == "31772157"
    assert [p.family for p in das.authors][:3] == ["Das", "Gale", "Walsh"]
    assert len(exported) > 90
    for page in real_site.rglob("*.html"):
        assert 'name="citation_' not in page.read_text(encoding="utf-8"), page


def test_raw_html_is_sanitised_unless_the_site_opts_in(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    page = '---\ntitle: Raw\n---\n<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(2)">x</a> <b>bold</b></p>\n'
    root = site({"content/pages/raw.md": page})
    assert run_cli("build", "--site", root, "-q").code == 0
    html = (root / "output" / "raw" / "index.html").read_text()
    assert "alert(" not in html and "onclick" not in html and "javascript:" not in html and "<b>bold</b>" in html
    config = (root / "site_config.yaml").read_text() + "raw_html: allow\n"
    (root / "site_config.yaml").write_text(config)
    assert run_cli("build", "--site", root, "-q").code == 0
    assert "<script>alert(1)</script>" in (root / "output" / "raw" / "index.html").read_text()


def test_a_site_without_base_url_builds_without_what_needs_its_address(site, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Before the owners know their address: no fake domain, a note, and no sitemap, feeds or canonical links."""
    from conftest import BASE_CONFIG

    root = site({"site_config.yaml": BASE_CONFIG.replace("base_url: https://example.org/sub/\n", "")})
    result = run_cli("build", "--site", root, "--strict")
    assert result.code == 0, result.err
    note = "site_config.yaml:1: note: base_url is not set, so sitemap.xml, the Atom feeds and canonical links are left out"
    assert note in result.err.replace(str(root) + "/", "")
    output = root / "output"
    assert not (output / "sitemap.xml").exists() and not (output / "feed.xml").exists()
    assert (output / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    html = (output / "studies" / "smith2020" / "index.html").read_text()
    assert 'rel="canonical"' not in html and "og:url" not in html and "feed.xml" not in html and '"url":' not in html
    assert not check_links(output, "/")
