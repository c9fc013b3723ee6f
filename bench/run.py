#!/usr/bin/env python3
"""Benchmark our generator (clean, no-op and one-note-edit builds, peak memory) against Hugo, Pelican and
MkDocs on the same synthetic corpus, and print a Markdown report.

    python bench/run.py --studies 1000 [--runs 5] [--tools ours,hugo,pelican,mkdocs] [--tmpfs DIR] [--json FILE]
    python bench/run.py --smoke          # CI: 50 studies, 1 run, ours only; exit 0 if every build succeeded

After the build times it reports what a reader downloads (bench/reader_side.py): the largest page, the home
page, output size and files, and each search query's transfer and time in headless Chromium.

Every time is a whole-process wall time (what a user waits for, including interpreter start-up and
imports), the median of --runs runs after --warmups warm-up runs, reported with its min-max, beside the
CPU time of the same runs (less disturbed by other load on the machine). The script
never asserts on times: it reports, and exits non-zero only when one of our builds fails. See
bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from identity import check_against_fresh
from make_corpus import EDIT_SENTENCE, Corpus, generate, note_path, write_corpus
from reader_side import report_for

REPOSITORY = Path(__file__).resolve().parent.parent
GENERATOR_PARTS = ("build.py", "evidencesite", "templates")
TOOLS = ("ours", "hugo", "pelican", "mkdocs")
TAIL_LINES = 40


class BuildError(Exception):
    """A build exited non-zero; the message holds the command, exit code and its output."""


@dataclass(frozen=True)
class Sample:
    """One timed build: wall seconds, CPU seconds (user + system) and peak resident set size in KiB.

    CPU time is kept beside wall time because on a shared machine other load stretches wall time but
    hardly changes CPU time; a large gap between the two in a report means the machine was busy.
    """

    seconds: float
    cpu_seconds: float
    max_rss_kib: int


@dataclass(frozen=True)
class Plan:
    """How to build one tool's corpus: commands, working folder, and what a clean build must delete."""

    tool: str
    fmt: str
    site: Path
    output: Path
    cwd: Path
    clean: tuple[str, ...]
    edit: tuple[str, ...]
    caches: tuple[Path, ...]
    version: tuple[str, ...]
    edit_kind: str


@dataclass
class ToolResult:
    """Everything measured for one tool (lists of samples per scenario, so --json keeps the raw data)."""

    tool: str
    version: str
    edit_kind: str
    command: str
    scenarios: dict[str, list[Sample]] = field(default_factory=dict)
    output_files: int = 0
    output_bytes: int = 0
    error: str = ""
    identity: dict[str, str] = field(default_factory=dict)  # ours: after which edits -> the verdict (identity.py)


@dataclass(frozen=True)
class Settings:
    studies: int
    runs: int
    warmups: int
    tools: tuple[str, ...]
    seed: int
    base: Path | None
    json_path: Path | None
    keep: bool


# ---------------------------------------------------------------- measuring


def run_timed(argv: Sequence[str], cwd: Path) -> Sample:
    """Run one build as a fresh child process and return its wall time, CPU time and peak RSS.

    os.wait4 returns the rusage of exactly that child (and its own waited-for children), which is what
    `getrusage(RUSAGE_CHILDREN)` would report inside a fresh wrapper process, without a wrapper
    inflating the timing. Output goes to temporary files so a chatty tool cannot block on a pipe.
    """
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise BuildError(failure_message(argv, process.returncode, stdout, stderr))
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def failure_message(argv: Sequence[str], code: int, stdout: IO[bytes], stderr: IO[bytes]) -> str:
    """Return the exact command, exit code and the tail of its output, for the report."""
    parts = [f"command: {shlex.join(argv)}", f"exit code: {code}"]
    for name, handle in (("stdout", stdout), ("stderr", stderr)):
        handle.seek(0)
        text = handle.read().decode("utf-8", "replace").strip()
        if text:
            lines = text.splitlines()
            parts.append(f"{name} (last {min(len(lines), TAIL_LINES)} lines):\n" + "\n".join(lines[-TAIL_LINES:]))
    return "\n".join(parts)


def remove(path: Path) -> None:
    """Delete a file or folder if present (a clean build starts without output and without caches)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def measure(plan: Plan, prepare: Callable[[int], None], argv: Sequence[str], settings: Settings) -> list[Sample]:
    """Run `prepare(i)` then the build, warm-ups first (discarded), and return the timed samples."""
    samples = []
    for index in range(settings.warmups + settings.runs):
        prepare(index)
        sample = run_timed(argv, plan.cwd)
        if index >= settings.warmups:
            samples.append(sample)
    return samples


def clean_state(plan: Plan) -> Callable[[int], None]:
    """Return a `prepare` step deleting the output folder and the tool's caches."""

    def prepare(_: int) -> None:
        for path in (plan.output, *plan.caches):
            remove(path)

    return prepare


def nothing(_: int) -> None:
    """The no-op rebuild's `prepare` step: change nothing."""


def edit_note(plan: Plan, key: str) -> Callable[[int], None]:
    """Return a `prepare` step appending a sentence to one study note (a different one each run)."""
    path = note_path(plan.site, plan.fmt, key)

    def prepare(index: int) -> None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{EDIT_SENTENCE} Edit number {index + 1}.\n")

    return prepare


def folder_size(path: Path) -> tuple[int, int]:
    """Return (files, bytes) under `path`: tools differ in how much they write, which explains timings."""
    files = total = 0
    for directory, _, names in os.walk(path):
        for name in names:
            files += 1
            total += (Path(directory) / name).stat().st_size
    return files, total


def benchmark_tool(plan: Plan, edit_key: str, cited_key: str, settings: Settings) -> ToolResult:
    """Measure clean build, (ours only) no-op rebuild, and one-note-edit rebuild of one tool."""
    result = ToolResult(plan.tool, tool_version(plan), plan.edit_kind, shlex.join(plan.clean))
    try:
        progress(f"{plan.tool}: clean builds (load average {load_average()})")
        result.scenarios["clean"] = measure(plan, clean_state(plan), plan.clean, settings)
        result.output_files, result.output_bytes = folder_size(plan.output)
        if plan.tool == "ours":
            result.edit_kind = ours_edit_kind(plan)
            progress(f"{plan.tool}: no-op rebuilds")
            result.scenarios["noop"] = measure(plan, nothing, plan.clean, settings)
        progress(f"{plan.tool}: one-note-edit rebuilds")
        result.scenarios["edit"] = measure(plan, edit_note(plan, edit_key), plan.edit, settings)
        if plan.tool == "ours":
            check_identity(plan, result, edit_key, cited_key)
    except (BuildError, OSError) as exc:
        result.error = str(exc)
        progress(f"{plan.tool}: FAILED\n{exc}")
    return result


def check_identity(plan: Plan, result: ToolResult, edit_key: str, cited_key: str) -> None:
    """Compare our incremental output with a --no-cache build: after the timed edits (prose: the body-edit path),
    then after one more edit that adds a citation (the full incremental build). A difference fails the run."""
    generator = Path(plan.clean[1]).parent
    scratch = plan.output.parent
    progress("ours: byte identity with --no-cache builds")
    result.identity["after the one-note edits"] = check_against_fresh(generator, plan.site, plan.output, scratch)
    with note_path(plan.site, plan.fmt, edit_key).open("a", encoding="utf-8") as handle:
        handle.write(f"\nSee also [@{cited_key}].\n")
    run_timed(plan.edit, plan.cwd)
    result.identity["after an edit adding a citation"] = check_against_fresh(generator, plan.site, plan.output, scratch)
    bad = [f"{when}: {verdict}" for when, verdict in result.identity.items() if not verdict.startswith("identical")]
    if bad:
        result.error = "incremental output differs from a --no-cache build; " + "; ".join(bad)


def ours_edit_kind(plan: Plan) -> str:
    """Say whether our rebuilds can use a cache: the generator may or may not have one yet."""
    caches = [path.name for path in plan.caches if path.exists()]
    return f"same command, {', '.join(caches)} kept" if caches else "same command, no cache written"


def progress(message: str) -> None:
    """Progress goes to stderr so stdout stays a clean Markdown report."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- tools


def python_tool(module: str) -> tuple[str, ...] | None:
    """Run a Python tool with this interpreter when importable, else its console script from PATH."""
    if importlib.util.find_spec(module) is not None:
        return (sys.executable, "-m", module)
    script = shutil.which(module)
    return (script,) if script else None


def snapshot_generator(root: Path) -> Path:
    """Copy build.py, evidencesite/ and templates/ into `root` and return the copy's folder.

    Every run of one benchmark then measures the same code even if someone edits the repository while
    it runs (a long run takes many minutes); the report names the snapshot by its digest.
    """
    target = root / "generator"
    for part in GENERATOR_PARTS:
        source = REPOSITORY / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    # Byte-compile it, as pip does for the installed Pelican and MkDocs: Python would write these .pyc
    # files on the first run, but not where PYTHONDONTWRITEBYTECODE is set (as on our machine), and then
    # every run would compile the generator from source (~0.3 s) and measure that instead.
    compileall.compile_dir(str(target / "evidencesite"), quiet=1)
    return target


def sources_digest(folder: Path) -> str:
    """SHA-256 over the snapshot's file names and bytes: identifies uncommitted code, unlike the commit."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def make_plan(tool: str, root: Path, generator: Path) -> Plan | None:
    """Return how to build `tool`'s corpus under `root`, or None when the tool is not installed."""
    site, output = root / tool / "site", root / tool / "output"
    if tool == "ours":
        argv = (
            sys.executable,
            str(generator / "build.py"),
            "build",
            "--site",
            str(site),
            "--output",
            str(output),
            "-q",
        )
        return Plan(tool, "ours", site, output, site, argv, argv, (site / ".cache",), (), "same command")
    if tool == "hugo":
        hugo = shutil.which("hugo")
        if hugo is None:
            return None
        argv = (hugo, "--source", str(site), "--destination", str(output), "--quiet")
        caches = (site / "resources", site / ".hugo_build.lock")
        return Plan(tool, "hugo", site, output, site, argv, argv, caches, (hugo, "version"), "full rebuild")
    base = python_tool(tool)
    if base is None:
        return None
    if tool == "pelican":
        argv = (*base, "content", "-s", "pelicanconf.py", "-o", str(output), "-q")
        return Plan(
            tool, "pelican", site, output, site, argv, argv, (site / "cache",), (*base, "--version"), "content cache"
        )
    argv = (*base, "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(output))
    return Plan(tool, "mkdocs", site, output, site, argv, (*argv, "--dirty"), (), (*base, "--version"), "--dirty")


def tool_version(plan: Plan) -> str:
    """Return the tool's version line (ours: commit, digest of the measured sources, library versions)."""
    if plan.tool == "ours":
        libraries = ", ".join(f"{name} {package_version(name)}" for name in ("markdown", "jinja2", "nh3"))
        generator = Path(plan.clean[1]).parent  # the snapshot holding the build.py being measured
        return (
            f"evidencesite, commit {repository_commit(REPOSITORY)[:12]}, measured sources sha256 "
            f"{sources_digest(generator)[:12]} (snapshot of build.py, evidencesite/, templates/, byte-compiled; {libraries})"
        )
    try:
        done = subprocess.run(plan.version, capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        return f"unknown ({exc})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def package_version(name: str) -> str:
    """Installed version of a library our generator spends its time in (Markdown, Jinja2, nh3)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def repository_commit(repository: Path) -> str:
    """Read the checked-out commit from .git without running git (results name the code they measured)."""
    git = repository / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        if (git / ref).is_file():
            return (git / ref).read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        pass
    return "unknown"


# ---------------------------------------------------------------- machine


def machine_info(base: Path) -> dict[str, str]:
    """Describe the machine: timings are meaningless without CPU, cores, RAM, Python and the filesystem."""
    return {
        "cpu": cpu_model(),
        "cores": f"{os.cpu_count()} logical ({len(os.sched_getaffinity(0))} usable)",
        "ram": memory_total(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "workdir": f"{base} ({filesystem_type(base)})",
        "load average (1, 5, 15 min) at start": load_average(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "unset"),
    }


def load_average() -> str:
    """Other load on the machine stretches wall times; the report shows it at start and end."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_model() -> str:
    """The CPU model from /proc/cpuinfo (platform.processor() is often empty on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    """Total RAM from /proc/meminfo, so a memory figure can be read against the machine's size."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def filesystem_type(path: Path) -> str:
    """Return the filesystem type holding `path` (from /proc/mounts: the longest matching mount point)."""
    best, kind = "", "unknown"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    resolved = str(path.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1]
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def work_base(requested: Path | None) -> Path | None:
    """Prefer --tmpfs, else /dev/shm when writable, so disk speed does not dominate ("outputs on tmpfs")."""
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        return requested
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


# ---------------------------------------------------------------- report


def stats(samples: Sequence[Sample], pick: Callable[[Sample], float]) -> tuple[float, float, float]:
    """Median, min and max of one quantity over the samples."""
    values = [pick(sample) for sample in samples]
    return statistics.median(values), min(values), max(values)


def seconds_of(sample: Sample) -> float:
    return sample.seconds


def cpu_of(sample: Sample) -> float:
    return sample.cpu_seconds


def rss_of(sample: Sample) -> float:
    return float(sample.max_rss_kib)


def show_time(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def show_rss(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def cell(samples: Sequence[Sample] | None, pick: Callable[[Sample], float], show: Callable[[float], str]) -> str:
    """Return 'median (min-max)' for a table cell, or '-' when not measured."""
    if not samples:
        return "–"
    median, low, high = stats(samples, pick)
    if len(samples) == 1:
        return show(median)
    return f"{show(median)} ({show(low)}–{show(high)})"


def ratio(ours: Sequence[Sample] | None, other: Sequence[Sample] | None, pick: Callable[[Sample], float]) -> str:
    """ours/other of the medians: above 1 means ours is slower (or uses more memory)."""
    if not ours or not other:
        return "–"
    denominator = stats(other, pick)[0]
    return f"{stats(ours, pick)[0] / denominator:.2f}" if denominator else "–"


def report(
    results: Sequence[ToolResult],
    missing: Sequence[str],
    machine: dict[str, str],
    settings: Settings,
    corpus: dict[str, str],
) -> str:
    """Return the Markdown report: machine, our four numbers, then the comparison with ratios."""
    lines = [
        f"# Benchmark: {settings.studies} study notes, {settings.runs} run(s) after {settings.warmups} warm-up(s)",
        "",
        "## Machine",
        "",
        *(f"- {name}: {value}" for name, value in machine.items()),
        "",
        "## Corpus",
        "",
        *(f"- {name}: {value}" for name, value in corpus.items()),
        "",
        "## Tools",
        "",
        *(f"- {result.tool}: {result.version}" for result in results),
        *(f"- {tool}: not installed, skipped" for tool in missing),
        "",
    ]
    ours = next((result for result in results if result.tool == "ours"), None)
    if ours is not None:
        lines += ours_table(ours)
    if any(result.tool != "ours" for result in results):
        lines += comparison_table(results, ours)
    for result in results:
        if result.error:
            lines += ["", f"### {result.tool}: build FAILED", "", "```", result.error, "```"]
    return "\n".join(lines) + "\n"


def ours_table(ours: ToolResult) -> list[str]:
    """Our generator's four measurements."""
    rows = [
        ("clean build (no output, no .cache)", ours.scenarios.get("clean")),
        ("no-op rebuild (nothing changed)", ours.scenarios.get("noop")),
        (f"one-note-edit rebuild ({ours.edit_kind})", ours.scenarios.get("edit")),
    ]
    return [
        "## Our generator",
        "",
        "| measurement | wall time, median (min–max) | CPU time (user+sys), median (min–max) |",
        "|---|---|---|",
        *(
            f"| {name} | {cell(samples, seconds_of, show_time)} | {cell(samples, cpu_of, show_time)} |"
            for name, samples in rows
        ),
        f"| peak RSS, clean build | {cell(ours.scenarios.get('clean'), rss_of, show_rss)} | |",
        "",
        f"Output: {ours.output_files} files, {ours.output_bytes / 1024 / 1024:.1f} MiB.",
        "",
        *(f"Byte identity with a `--no-cache` build, {when}: {verdict}." for when, verdict in ours.identity.items()),
        "",
    ]


def comparison_table(results: Sequence[ToolResult], ours: ToolResult | None) -> list[str]:
    """Every tool side by side, with ours/other ratios of the medians (above 1: ours is slower or bigger)."""
    lines = [
        "## Comparison (ours/other: above 1 means ours is slower or uses more memory)",
        "",
        "| tool | clean build | clean build CPU | edit rebuild (kind) | peak RSS (clean) | output "
        "| ours/other clean | ours/other edit | ours/other RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    mine = ours.scenarios if ours else {}
    lines.extend(comparison_row(result, mine, result is ours) for result in results)
    return lines


def comparison_row(result: ToolResult, mine: dict[str, list[Sample]], is_ours: bool) -> str:
    """One tool's row; our own row shows '–' for the ratios."""
    clean, edit = result.scenarios.get("clean"), result.scenarios.get("edit")
    size = f"{result.output_files} files, {result.output_bytes / 1024 / 1024:.1f} MiB" if clean else "–"
    ratios = ["–"] * 3
    if not is_ours:
        ratios = [
            ratio(mine.get("clean"), clean, seconds_of),
            ratio(mine.get("edit"), edit, seconds_of),
            ratio(mine.get("clean"), clean, rss_of),
        ]
    cells = [
        result.tool,
        cell(clean, seconds_of, show_time),
        cell(clean, cpu_of, show_time),
        f"{cell(edit, seconds_of, show_time)} ({result.edit_kind})",
        cell(clean, rss_of, show_rss),
        size,
        *ratios,
    ]
    return "| " + " | ".join(cells) + " |"


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description="Benchmark our generator against Hugo, Pelican and MkDocs.")
    parser.add_argument("--studies", type=int, default=1000, help="number of study notes (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--warmups", type=int, default=1, help="untimed warm-up runs before each measurement")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of: " + ",".join(TOOLS))
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--tmpfs", type=Path, help="folder for corpus and outputs (default /dev/shm when writable)")
    parser.add_argument("--json", type=Path, help="also save raw results (every sample) to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and outputs")
    parser.add_argument("--smoke", action="store_true", help="CI check: 50 studies, 1 run, ours only, no warm-up")
    args = parser.parse_args(argv)
    tools = tuple(name.strip() for name in args.tools.split(",") if name.strip())
    unknown = [name for name in tools if name not in TOOLS]
    if unknown or args.runs < 1 or args.warmups < 0:
        parser.error(f"unknown tool(s) {unknown}" if unknown else "--runs must be >= 1 and --warmups >= 0")
    if args.smoke:
        return Settings(50, 1, 0, ("ours",), args.seed, args.tmpfs, args.json, args.keep)
    return Settings(args.studies, args.runs, args.warmups, tools, args.seed, args.tmpfs, args.json, args.keep)


def prepare_corpora(corpus: Corpus, root: Path, tools: Sequence[str]) -> tuple[list[Plan], list[str]]:
    """Write each installed tool's corpus; return the plans and the names of tools that are not installed."""
    plans, missing = [], []
    generator = snapshot_generator(root) if "ours" in tools else REPOSITORY
    for tool in tools:
        plan = make_plan(tool, root, generator)
        if plan is None:
            progress(f"{tool}: not installed, skipped")
            missing.append(tool)
            continue
        write_corpus(corpus, plan.site, plan.fmt)
        plans.append(plan)
    return plans, missing


def check_corpus(plan: Plan) -> str:
    """Run `build.py check --strict` once (untimed): a corpus with warnings would benchmark error paths."""
    argv = (plan.clean[0], plan.clean[1], "check", "--strict", "--site", str(plan.site))
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the corpus, measure every tool, print the report; exit 1 only if one of our builds failed."""
    settings = parse_args(argv)
    base = work_base(settings.base)
    root = Path(tempfile.mkdtemp(prefix="evidencesite-bench-", dir=base))
    try:
        machine = machine_info(root)
        started = time.perf_counter()
        corpus = generate(settings.studies, settings.seed)
        plans, missing = prepare_corpora(corpus, root, settings.tools)
        corpus_info = {
            "corpus": f"{settings.studies} study notes + 6 mechanisms + 6 substances + home, 20 background works "
            f"(seed {settings.seed}, written in {time.perf_counter() - started:.1f} s)",
        }
        ours_plan = next((plan for plan in plans if plan.tool == "ours"), None)
        if ours_plan is not None:
            corpus_info["corpus check (build.py check --strict)"] = check_corpus(ours_plan)
        edit_key = corpus.studies[len(corpus.studies) // 2].slug
        corpus_info["edited note"] = edit_key
        cited_key = corpus.studies[len(corpus.studies) // 3].slug  # cited by the identity check's last edit
        results = [benchmark_tool(plan, edit_key, cited_key, settings) for plan in plans]
        machine["load average (1, 5, 15 min) at end"] = load_average()
        print(report(results, missing, machine, settings, corpus_info), end="")
        if ours_plan is not None and (ours_plan.output / "index.html").exists():
            progress("ours: reader-side figures (page weights, search in headless Chromium)")
            print("\n" + "\n".join(report_for(ours_plan.output)), end="")
        if settings.json_path is not None:
            save_json(settings.json_path, results, machine, settings, corpus_info)
        ours_failed = any(result.tool == "ours" and result.error for result in results)
        return 1 if ours_failed else 0
    finally:
        if settings.keep:
            progress(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def save_json(
    path: Path, results: Sequence[ToolResult], machine: dict[str, str], settings: Settings, corpus: dict[str, str]
) -> None:
    """Save every sample, so later analysis is not limited to the medians printed."""
    data = {
        "settings": {key: str(value) if isinstance(value, Path) else value for key, value in asdict(settings).items()},
        "machine": machine,
        "corpus": corpus,
        "results": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
