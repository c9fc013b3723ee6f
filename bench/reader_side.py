"""What a reader downloads: page weights, output size and the cost of a search, measured on a built site.

    python bench/reader_side.py OUTPUT_FOLDER      # prints the Markdown table (run.py calls report_for())

Search is measured in Debian's headless Chromium (Playwright): for each query of QUERIES, a fresh browser
context opens `search/index.html?q=…` and waits for the first result; the bytes of every response (the page,
its CSS and scripts, the index shards it adds) are summed, and the time from navigation to the first result is
taken. Both served over HTTP (a local server on 127.0.0.1) and opened from disk (file://). Medians of the
queries are reported with their maximum. Nothing here asserts a target: it reports.
"""

from __future__ import annotations

import functools
import statistics
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

QUERIES = ("ketamine", "randomised trial", "alcohol relapse", "memory reconsolidation", "Smith", "does it work")
CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True)
class PageWeights:
    largest_page: str
    largest_bytes: int
    home_bytes: int
    html_pages: int
    output_bytes: int
    output_files: int
    study_notes: int
    study_files: int  # files in the study notes' own folders: each note's page and its exports


@dataclass(frozen=True)
class SearchCost:
    where: str  # "served" or "file://"
    transfer_bytes: list[int]
    first_result_ms: list[float]
    results: list[int]


def page_weights(output: Path) -> PageWeights:
    """Return the largest HTML page, the home page and the whole output's size and file count."""
    pages = [(path.stat().st_size, path) for path in output.rglob("*.html")]
    files = [path for path in output.rglob("*") if path.is_file()]
    size, largest = max(pages)
    notes = [folder for folder in (output / "studies").iterdir() if (folder / "index.html").is_file()]
    return PageWeights(
        largest.relative_to(output).as_posix(),
        size,
        (output / "index.html").stat().st_size,
        len(pages),
        sum(path.stat().st_size for path in files),
        len(files),
        len(notes),
        sum(1 for folder in notes for path in folder.iterdir() if path.is_file()),
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _server(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def search_costs(output: Path, queries: Sequence[str] = QUERIES) -> list[SearchCost] | str:
    """Measure every query served and from disk; return a reason instead when Chromium is not available."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    costs = []
    with sync_playwright() as playwright, _server(output) as root:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            for where, base in (("served", root), ("file://", output.resolve().as_uri() + "/")):
                costs.append(_measure(browser, where, base, output, queries))
        finally:
            browser.close()
    return costs


def _measure(browser: object, where: str, base: str, output: Path, queries: Sequence[str]) -> SearchCost:
    transfer, times, results = [], [], []
    for query in queries:
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        loaded: list[str] = []
        page.on("requestfinished", lambda request, loaded=loaded: loaded.append(request.url))
        started = time.perf_counter()
        page.goto(base + "search/index.html?q=" + query.replace(" ", "+"))
        page.wait_for_function(
            "() => /results? for|No results/.test(document.getElementById('search-status').textContent)"
            " && (document.querySelector('#search-results > li') || /No results/.test("
            "document.getElementById('search-status').textContent))"
        )
        times.append((time.perf_counter() - started) * 1000)
        results.append(page.locator("#search-results > li").count())
        transfer.append(sum(_size(url, base, output) for url in set(loaded)))
        context.close()
    return SearchCost(where, transfer, times, results)


def _size(url: str, base: str, output: Path) -> int:
    """The bytes a request transferred: the file it named in the output (query strings dropped)."""
    if not url.startswith(base):
        return 0
    path = output / url[len(base) :].split("?")[0].split("#")[0]
    return path.stat().st_size if path.is_file() else 0


def report_for(output: Path) -> list[str]:
    """Return the Markdown lines of the reader-side report for a built site."""
    weights = page_weights(output)
    lines = [
        "## What a reader downloads",
        "",
        "| what | size |",
        "|---|---|",
        f"| largest HTML page (`{weights.largest_page}`) | {weights.largest_bytes / 1024:.1f} KiB |",
        f"| home page (`index.html`) | {weights.home_bytes / 1024:.1f} KiB |",
        f"| output: {weights.output_files} files ({weights.html_pages} HTML pages) | "
        f"{weights.output_bytes / 1024 / 1024:.1f} MiB |",
        f"| files per study note (its page and its .bib, .ris, .json) | "
        f"{weights.study_files / max(weights.study_notes, 1):.1f} ({weights.study_notes} notes) |",
        "",
    ]
    costs = search_costs(output)
    if isinstance(costs, str):
        return [*lines, f"Search not measured: {costs}.", ""]
    lines += [
        f"Search, {len(QUERIES)} queries ({', '.join(QUERIES)}), each in a fresh headless Chromium context: "
        "bytes of every file the search page loaded until its first result, and the time to that result "
        "(median, max).",
        "",
        "| opened | transfer per query | time to first result | results shown |",
        "|---|---|---|---|",
    ]
    for cost in costs:
        lines.append(
            f"| {cost.where} | {statistics.median(cost.transfer_bytes) / 1024:.0f} KiB "
            f"(max {max(cost.transfer_bytes) / 1024:.0f}) | {statistics.median(cost.first_result_ms):.0f} ms "
            f"(max {max(cost.first_result_ms):.0f}) | {min(cost.results)}–{max(cost.results)} |"
        )
    return [*lines, ""]


if __name__ == "__main__":
    print("\n".join(report_for(Path(sys.argv[1]))))
