#!/usr/bin/env python3
"""Measure `build.py serve`: time from saving one study note to its page being rewritten on disk.

Usage: python bench/serve_latency.py --studies 1000 [--edits 10] [--tmpfs DIR]
Generates the seeded corpus, starts the server on a free port, waits for the first build, then
appends a sentence to one note at a time and polls the note's output page until it changes. Prints
the median and min-max over the edits, with the machine's load. Reports only; asserts nothing.
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

REPOSITORY = Path(__file__).resolve().parent.parent
POLL = 0.002


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
            latencies = []
            for index in range(args.edits):
                note = notes[(index * 97) % len(notes)]
                page = site / "output" / "studies" / note.stem / "index.html"
                marker = f"Edit number {index} for the latency benchmark."
                started = time.perf_counter()
                with note.open("a", encoding="utf-8") as handle:
                    handle.write(f"\n{marker}\n")
                if not wait_until(
                    lambda page=page, marker=marker: page.exists() and marker in page.read_text(encoding="utf-8"), 60
                ):
                    print(f"edit {index} never reached {page}", file=sys.stderr)
                    return 1
                latencies.append(time.perf_counter() - started)
                time.sleep(0.3)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
            log.close()
    median = statistics.median(latencies)
    print(
        f"serve, N={args.studies}: save-to-page-written median {median * 1000:.0f} ms "
        f"(min {min(latencies) * 1000:.0f} – max {max(latencies) * 1000:.0f} ms) over {len(latencies)} edits; "
        f"load average {os.getloadavg()[0]:.2f}; includes noticing the save (inotify and a 10 ms quiet window, or 100 ms polling where inotify is unavailable)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
