#!/usr/bin/env python3
"""Measure `build.py serve`: time from saving one study note to its page being rewritten on disk.

Usage: python bench/serve_latency.py --studies 1000 [--edits 10] [--tmpfs DIR]
Generates the seeded corpus, starts the server on a free port, waits for the first build, then
appends a sentence to one note at a time and polls the note's output page until it changes, for two
kinds of edit: prose, and a sentence citing a study the note did not cite (which also changes that
study's page and the references page; serve writes the edited page first either way, then rebuilds the
rest). Prints the median and min-max of each, with the machine's load. Reports only; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from identity import check_against_fresh

REPOSITORY = Path(__file__).resolve().parent.parent
POLL = 0.002
KINDS = {"prose": "prose edit", "citation": "edit adding a citation"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(POLL)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.tmpfs, prefix="evidencesite-serve-") as base:
        site = Path(base) / "site"
        subprocess.run(
            [
                sys.executable,
                str(REPOSITORY / "bench" / "make_corpus.py"),
                "--studies",
                str(args.studies),
                "--out",
                str(site),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        results: dict[str, list[tuple[float, float]] | None] = {}
        port = free_port()
        log = (Path(base) / "serve.log").open("w")
        server = subprocess.Popen(
            [sys.executable, str(REPOSITORY / "build.py"), "serve", "--site", str(site), "--port", str(port)],
            stdout=log,
            stderr=log,
        )
        try:
            if not wait_until(lambda: "serving" in (Path(base) / "serve.log").read_text(), 600):
                print("server did not start", file=sys.stderr)
                return 1
            notes = sorted((site / "content" / "studies").glob("*.md"))
            for kind in KINDS:
                results[kind] = measure_edits(kind, notes, site, Path(base) / "serve.log", args.edits)
                if results[kind] is None:
                    return 1
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
            log.close()
        # serve's output after every edit, against a fresh build of the same sources (bench/identity.py)
        verdict = check_against_fresh(REPOSITORY, site, site / "output", Path(base))
    for kind, samples in results.items():
        assert samples is not None
        page = [written for written, _ in samples]
        site_done = [done for _, done in samples]
        print(
            f"serve, N={args.studies}, {KINDS[kind]}: save-to-page-written median {statistics.median(page) * 1000:.0f} ms "
            f"(min {min(page) * 1000:.0f} – max {max(page) * 1000:.0f} ms); save-to-whole-site-rebuilt median "
            f"{statistics.median(site_done) * 1000:.0f} ms (min {min(site_done) * 1000:.0f} – max "
            f"{max(site_done) * 1000:.0f} ms); {len(samples)} edits; load average {os.getloadavg()[0]:.2f}"
        )
    print(
        "Both include noticing the save (native file events through watchfiles, handed over after 10 ms of quiet, "
        "or 100 ms polling where they are unavailable). serve writes the edited page first, then runs the full rebuild for the pages that "
        "depend on it (the whole-site time; the log's 'rebuilt in' line)."
    )
    print(f"serve, N={args.studies}: byte identity of its output with a --no-cache build after the edits: {verdict}.")
    return 0 if verdict.startswith("identical") else 1


def measure_edits(kind: str, notes: list[Path], site: Path, log: Path, edits: int) -> list[tuple[float, float]] | None:
    """Append to one note at a time; return (save to page written, save to full rebuild done) per edit."""
    latencies = []
    for index in range(edits):
        note = notes[(index * 97 + (0 if kind == "prose" else 31)) % len(notes)]
        page = site / "output" / "studies" / note.stem / "index.html"
        marker = f"Edit number {index} for the latency benchmark."
        sentence = marker
        if kind == "citation":
            text = note.read_text(encoding="utf-8")
            other = next(n.stem for n in notes if n != note and f"@{n.stem}" not in text)
            sentence = f"{marker} See also [@{other}]."
        rebuilds = log.read_text().count("rebuilt in")
        started = time.perf_counter()
        with note.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{sentence}\n")
        if not wait_until(
            lambda page=page, marker=marker: page.exists() and marker in page.read_text(encoding="utf-8"), 60
        ):
            print(f"edit {index} never reached {page}", file=sys.stderr)
            return None
        page_written = time.perf_counter() - started
        # the next edit starts from a quiet server: the full rebuild has finished
        if not wait_until(lambda rebuilds=rebuilds: log.read_text().count("rebuilt in") > rebuilds, 60):
            print(f"edit {index}: the full rebuild never finished", file=sys.stderr)
            return None
        latencies.append((page_written, time.perf_counter() - started))
        time.sleep(0.1)
    return latencies


if __name__ == "__main__":
    sys.exit(main())
