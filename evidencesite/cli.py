"""The command line: build, check, serve, new, import, init. Prints `path:line: error: message`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evidencesite.errors import Diagnostic, InterruptedAfterWrite, Severity, SiteError, escape_control
from evidencesite.output.writer import OutputError

if TYPE_CHECKING:
    from evidencesite.content.vocabulary import Vocabulary

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="Build a citation-linked evidence site from Markdown study notes.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    def site_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--site",
            type=Path,
            default=REPOSITORY_ROOT,
            help="folder holding site_config.yaml and content/ (default: the repository)",
        )

    build = commands.add_parser("build", help="build the site into the output folder (the default command)")
    site_option(build)
    build.add_argument("--output", type=Path, help="output folder (default: <site>/output)")
    build.add_argument("--base-url", help="override base_url from site_config.yaml (e.g. for a preview deploy)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    build.add_argument("--no-cache", action="store_true", help="ignore <site>/.cache/ and render every page afresh")
    verbosity = build.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print per-stage timings")

    check = commands.add_parser("check", help="validate everything without writing anything")
    site_option(check)
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format for problems")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    check.add_argument("-v", "--verbose", action="store_true", help="also print every page's readability grades")

    serve = commands.add_parser("serve", help="build, serve on localhost and rebuild + reload on every save")
    site_option(serve)
    serve.add_argument("--output", type=Path, help="output folder (default: <site>/output)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 exposes the preview)"
    )
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000; the next free port if busy)")
    serve.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    serve.add_argument(
        "--poll",
        action="store_true",
        help="check files for changes every 0.1 s instead of file events (for network or VM-shared folders)",
    )

    new = commands.add_parser("new", help="create a content file from its skeleton (never overwrites)")
    site_option(new)
    new.add_argument(
        "kind", help="what to create: study, page, or one of the site's taxonomies (e.g. mechanism, interventions)"
    )
    new.add_argument("slug", help="citation key (study) or slug: lowercase a-z, 0-9 and '-'")

    importer = commands.add_parser("import", help="create draft study notes from a Zotero / Better BibTeX export")
    site_option(importer)
    importer.add_argument("file", type=Path, help="a .bib (BibTeX) or .json (CSL-JSON) file")

    init = commands.add_parser("init", help="start a new site in a new or empty folder (never overwrites)")
    init.add_argument("folder", type=Path, help="the folder to create")
    init.add_argument("--title", default="My evidence map", help="the site's title (default: 'My evidence map')")
    return parser


def _port(text: str) -> int:
    """Parse --port: a TCP port is 1-65535 (argparse turns the ValueError into a usage error, exit 2)."""
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1-65535")
    return port


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 content errors, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--debug")):
        argv.insert(0, "build")
    elif argv == ["--debug"]:
        argv.append("build")
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
        if args.command == "init":
            return _init(args)
        if args.command in ("new", "import", "serve") and not _is_site(args.site):
            return EXIT_USAGE
        if args.command == "serve":
            from evidencesite.serve.dev_server import serve

            return serve(args.site, args.output, args.host, args.port, args.drafts, args.poll)
        if args.command == "new":
            return _new(args)
        if args.command == "import":
            return _import(args)
    except InterruptedAfterWrite as exc:
        print(
            f"interrupted after the output was updated: {escape_control(exc.output)} holds the complete new site; the cache was not "
            "saved, so the next build will redo that work",
            file=sys.stderr,
        )
        return 130
    except KeyboardInterrupt:
        unchanged = "; the previous output was left unchanged" if args.command == "build" else ""
        print(f"interrupted{unchanged}", file=sys.stderr)
        return 130
    except OSError as exc:
        if args.debug:
            raise
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"build.py: error: {escape_control(f'{exc.strerror or exc}{where}')}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:
        if args.debug:
            raise
        import traceback

        print("internal error: the generator failed unexpectedly (run with --debug for the traceback)", file=sys.stderr)
        print(traceback.format_exc().strip().splitlines()[-1], file=sys.stderr)
        return 70
    parser.print_help()
    return EXIT_USAGE


def _print_diagnostics(items: Sequence[Diagnostic]) -> None:
    for item in items:
        print(item.format(), file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from evidencesite.build.pipeline import BuildOptions, build

    started = time.perf_counter()
    if not (args.site / "site_config.yaml").exists() and not args.site.is_dir():
        print(f"build.py: error: site folder {args.site} does not exist", file=sys.stderr)
        return EXIT_USAGE
    options = BuildOptions(
        site=args.site,
        output=args.output,
        base_url=args.base_url,
        strict=args.strict,
        drafts=args.drafts,
        use_cache=not args.no_cache,
    )

    def progress(stage: str, elapsed: float) -> None:
        # a plain progress line once a build takes longer than a second (or always with -v)
        if args.verbose or (elapsed > 1.0 and not args.quiet):
            print(f"  {stage} done ({elapsed:.1f} s)", file=sys.stderr, flush=True)

    try:
        result = build(options, progress)
    except SiteError as exc:
        _print_diagnostics(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.severity is Severity.ERROR)
        print(f"build failed: {errors} error(s); the previous output was left unchanged", file=sys.stderr)
        return EXIT_CONTENT
    except OutputError as exc:
        print(f"build.py: error: {escape_control(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    _print_diagnostics(result.diagnostics)
    elapsed = time.perf_counter() - started
    if args.verbose:
        print(f"{'build':>10}: {result.kind}", file=sys.stderr)  # full, unchanged, or body edit (docs/architecture.md)
        for stage, seconds in result.timings.items():
            print(f"{stage:>10}: {seconds * 1000:8.1f} ms", file=sys.stderr)
    if not args.quiet:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(result.counts.items()) if kind != "asset")
        warnings = sum(1 for d in result.diagnostics if d.severity is Severity.WARNING)
        print(
            f"built {result.files_written} files into {result.output} ({kinds}; {warnings} warning(s)) in {elapsed:.2f} s"
        )
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from evidencesite.build.pipeline import BuildOptions, build

    options = BuildOptions(site=args.site, strict=args.strict, drafts=args.drafts, write=False, readability_table=args.verbose)
    try:
        result = build(options)
        items, failed = result.diagnostics, False
        if result.report and args.format == "text":
            print(result.report)
    except SiteError as exc:
        items, failed = exc.diagnostics, True
    if args.format == "json":
        print(json.dumps([d.as_json() for d in items], indent=2))
    else:
        _print_diagnostics(items)
        print(
            f"check: {sum(1 for d in items if d.severity is Severity.ERROR)} error(s), {sum(1 for d in items if d.severity is Severity.WARNING)} warning(s)",
            file=sys.stderr,
        )
    return EXIT_CONTENT if failed else EXIT_OK


def _is_site(site: Path) -> bool:
    """True when `site` holds a site_config.yaml; otherwise say so (and how to start one) and return False."""
    if (site / "site_config.yaml").is_file():
        return True
    print(
        f"build.py: error: {site} has no site_config.yaml, so it is not a site folder: "
        f"check --site, or start a new site with `python build.py init {site}`",
        file=sys.stderr,
    )
    return False


def _init(args: argparse.Namespace) -> int:
    from evidencesite.authoring.site_init import InitError, init_site

    try:
        written = init_site(args.folder, args.title, REPOSITORY_ROOT)
    except InitError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"created {path}")
    print(
        f"init: a new site in {args.folder}. Build it with `python build.py build --site {args.folder}`, "
        f"preview it with `python build.py serve --site {args.folder}`"
    )
    return EXIT_OK


def _vocabulary(site: Path) -> Vocabulary:
    """Return the site's vocabulary for `new` and `import`; the defaults when its settings have errors
    (the next build or check reports them)."""
    from evidencesite.content.config import load_config
    from evidencesite.content.vocabulary import DEFAULT_VOCABULARY
    from evidencesite.errors import Diagnostics

    config = load_config(site, Diagnostics(site))
    return config.vocabulary if config is not None else DEFAULT_VOCABULARY


def _new(args: argparse.Namespace) -> int:
    from evidencesite.authoring.scaffold import ScaffoldError, new_content

    try:
        path = new_content(args.site, args.kind, args.slug, _vocabulary(args.site))
    except ScaffoldError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"created {path} (marked draft: true until you remove that line)")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from evidencesite.authoring.scaffold import ScaffoldError, import_bibliography

    try:
        created, existing, warnings = import_bibliography(args.site, args.file, _vocabulary(args.site))
    except SiteError as exc:
        _print_diagnostics(exc.diagnostics)
        print("import failed: nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except ScaffoldError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_diagnostics(warnings)
    for path in created:
        print(f"created {path}")
    for key in existing:
        print(f"kept    content/studies/{key}.md (already exists, left untouched)")
    print(f"import: {len(created)} new draft note(s), {len(existing)} existing note(s) left untouched")
    return EXIT_OK
