"""The `km` command: a thin door into the package.

Exit codes (docs/architecture.md): 0 ok, 1 records refused or a failure, 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from . import thai
from .errors import KmError, Problem, UsageError, errors_in
from .records.load import Records, load_records
from .records.schema import TABLES
from .records.sources import example_marker
from .report.startup import skip_iri_grammar
from .scope import OVERVIEW, resolve_tambon, row_tambons

if TYPE_CHECKING:
    from .report.kernels import StartedKernel

DEFAULT_DATA = "data"
DEFAULT_OUT = "reports"


def main(argv: Sequence[str] | None = None, kernel: StartedKernel | None = None) -> int:
    """Run the `km` command line; return its exit code. `kernel`: one started for this
    command's report by the launcher (launch.py), which also stops it."""
    # An entry point: spare nbformat's validator the IRI grammar it would build (~1 s).
    skip_iri_grammar()
    # A kill by SIGTERM unwinds like Ctrl-C, so staging folders and kernels are cleaned up.
    signal.signal(signal.SIGTERM, _terminate)
    parser = _parser()
    args = parser.parse_args(argv)
    args.started_kernel = kernel
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    out, err = _console(), _console(stderr=True)
    try:
        return args.run(args, out)
    except KmError as exc:
        err.print(Text.assemble((f"km {args.command}: ", "bold red"), str(exc)),
                  highlight=False, soft_wrap=True)
        if getattr(exc, "problems", None):
            print_problems(exc.problems, err)
        return exc.exit_code
    except OSError as exc:
        # Permission denied, a read-only file system, no space left: a failure while working.
        err.print(Text.assemble((f"km {args.command}: ", "bold red"), os_error_text(exc)),
                  highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


def os_error_text(exc: OSError) -> str:
    """Return one line for an operating-system error: what failed, where, and why."""
    reason = exc.strerror or type(exc).__name__
    where = exc.filename if exc.filename is not None else ""
    return f"{where}: {reason}" if where else reason


def checked_out_folder(out: str) -> Path:
    """Return --out if it is, or can become, a folder to write in; UsageError otherwise.

    Nothing is created here: a command refused later leaves no folder behind.
    """
    path = Path(out)
    if path.is_symlink() and not path.exists():
        raise UsageError(f"--out {out}: a link to nothing (expected a folder)")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        where = "" if existing == path else f" ({existing})"
        raise UsageError(f"--out {out}: a file{where}, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: {existing} cannot be written to (permission denied)")
    return path


def _console(stderr: bool = False) -> Console:
    # Record text and paths are data: "[/]" in a name must print as typed, not as markup.
    console = Console(stderr=stderr, markup=False)
    if not console.is_terminal:
        # Piped or logged output has no width to fit; keep file names and messages whole.
        console = Console(stderr=stderr, width=160, markup=False)
    return console


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="km",
        description="Check the KM programme's records and write its Thai progress reports.",
        epilog="Records are a folder of <table>.csv files or one .xlsx workbook "
        "(docs/records.md). Exit codes: 0 ok, 1 records refused or failure, 2 usage.",
    )
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check", help="validate the records and list every problem",
        description="Validate the records. Prints every problem (errors first) and exits 1 "
        "when there is an error; on clean records prints a summary and exits 0.",
    )
    _add_data_option(check)
    check.add_argument(
        "--format", choices=("table", "csv"), default="table",
        help="table (default) for reading, or csv of the problems, to open in a spreadsheet",
    )
    check.set_defaults(run=_run_check)

    report = commands.add_parser(
        "report", help="write a tambon's Thai A4 progress report (PDF), the overview, or all",
        description="Write the progress report of one tambon (or 'overview', the province "
        "overview, or 'all': every tambon and the overview in parallel) as a Thai A4 PDF, with "
        "the executed notebook, the HTML and provenance.json beside it, under "
        "OUT/<as-of>/<report>/. The last line printed is the PDF's path (for 'all': the "
        "manifest's).",
        epilog="Dates take any form the records accept (2006-10-30, 30/10/2549, 30 ต.ค. 49). "
        "Exit codes: 0 written (for all: every report ok or unchanged), 1 records refused or "
        "render failed, 2 usage.",
    )
    report.add_argument("tambon", metavar="TAMBON",
                        help="a tambon's slug (km tambons lists them) or Thai name, "
                        "'overview' or 'all'")
    _add_data_option(report)
    report.add_argument("--as-of", metavar="DATE",
                        help="the report's date (default: the latest date something happened)")
    report.add_argument("--since", metavar="DATE",
                        help="start of the period, exclusive (default: the last sponsor forum)")
    report.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help="where reports are written (default: %(default)s/)")
    report.add_argument("--numerals", choices=("arabic", "thai"), default="arabic",
                        help="digits in the report: arabic (default) or thai (๑๒๓)")
    batch = report.add_argument_group("with 'all'")
    batch.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="reports rendered at once (default: the number of cores)")
    batch.add_argument("--force", action="store_true",
                       help="render every report, even those whose inputs did not change")
    batch.add_argument("--tambons", metavar="A,B,…",
                       help="only these tambons (slugs or Thai names, comma-separated)")
    batch.add_argument("--amphoe", metavar="NAME", help="only the tambons of this district")
    report.set_defaults(run=_run_report)

    verify = commands.add_parser(
        "verify", help="are the records a report's PDF was made from the records at PATH now?",
        description="Read the record fingerprints a report's PDF carries in its metadata and "
        "compare them with the records at --data: exit 0 when they are the same, 1 when they "
        "changed (the changed tables are named), 2 when the PDF is not a report.",
    )
    verify.add_argument("pdf", metavar="PDF", help="a report's PDF")
    _add_data_option(verify)
    verify.set_defaults(run=_run_verify)

    template = commands.add_parser(
        "template", help="write the entry workbook (.xlsx) facilitators fill in",
        description="Write an Excel workbook with one sheet per table: English headers with "
        "Thai notes, dropdown lists in Thai, date cells shown in พ.ศ. With --data, the "
        "tambons, people, groups and competencies come filled in, to pick from lists. With "
        "--tambon, a tambon's own workbook: its rows of every table, the shared tables, and "
        "the province-wide sessions its rows refer to; `km check` passes on it alone.",
    )
    template.add_argument("--out", metavar="FILE.xlsx",
                          help="where the workbook is written (with --tambon, default "
                          "km-entry-<slug>.xlsx)")
    template.add_argument("--data", metavar="PATH",
                          help="records to fill in (a folder of CSV files or workbooks, or a "
                          f"workbook; with --tambon, default {DEFAULT_DATA}/)")
    template.add_argument("--tambon", metavar="SLUG",
                          help="fill in this tambon's rows (slug or Thai name)")
    template.set_defaults(run=_run_template)

    collect = commands.add_parser(
        "collect", help="what returned workbooks bring against the records, before adding them",
        description="Compare each workbook (.xlsx, .ods) in INBOX with the records at --data "
        "and print, per workbook and table, the rows that are new, changed (with the old and "
        "new value of each column), unchanged and removed (rows of the workbook's tambons it "
        "no longer holds), and every key two workbooks bring with different content. Values "
        "are compared as parsed (15/11/2549 and a date cell are one date; a tambon's Thai name "
        "is its slug). Each workbook is checked alone, as `km check --data BOOK` would: one "
        "holding an error is refused with all its problems and the others are still compared. "
        "Fish and notes have no id: an edited item shows as one removed and one new row. CSV "
        "files in INBOX are not read. Nothing is written.",
        epilog="Exit codes: 0 no conflicts and no refused workbook, 1 conflicts or refused "
        "workbooks, 2 usage (INBOX missing, not a folder or without workbooks; a bad --data).",
    )
    collect.add_argument("inbox", metavar="INBOX",
                         help="the folder of workbooks the tambons sent back")
    _add_data_option(collect)
    collect.set_defaults(run=_run_collect)

    tambons = commands.add_parser("tambons", help="list the tambons: slug, Thai and English name")
    _add_data_option(tambons)
    tambons.set_defaults(run=_run_tambons)
    return parser


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", default=DEFAULT_DATA, metavar="PATH",
        help="a folder of CSV files or an .xlsx workbook (default: %(default)s/)",
    )


def _run_check(args: argparse.Namespace, out: Console) -> int:
    records = load_records(args.data, errors="collect")
    if args.format == "csv":
        # stdout is the CSV of the problems; the example line goes beside it.
        print_example(records, _console(stderr=True))
        write_problems_csv(records.problems, sys.stdout)
        return 1 if records.errors else 0
    if records.errors:
        print_problems(records.problems, out)
        print_example(records, out)
        out.print(f"{len(records.errors)} error(s), {len(records.warnings)} warning(s) in "
                  f"{records.source}", style="bold red", highlight=False)
        return 1
    print_summary(records, out)
    if records.warnings:
        print_problems(records.warnings, out)
    print_example(records, out)
    out.print(f"ok: no errors, {len(records.warnings)} warning(s) in {records.source}",
              style="bold green", highlight=False)
    return 0


def _run_tambons(args: argparse.Namespace, out: Console) -> int:
    records = load_records(args.data, errors="collect")
    print_example(records, out)
    table = RichTable("slug", "ชื่อ", "name")
    for row in records.tambons.itertuples():
        table.add_row(row.tambon, row.name_th, row.name_en)
    out.print(table)
    return 0


def _run_report(args: argparse.Namespace, out: Console) -> int:
    err = _console(stderr=True)
    as_of = _date_option(args.as_of, "--as-of")
    since = _date_option(args.since, "--since")
    batch_only = {"--jobs": args.jobs, "--force": args.force or None,
                  "--tambons": args.tambons, "--amphoe": args.amphoe}
    if args.tambon != "all" and any(v is not None for v in batch_only.values()):
        used = ", ".join(k for k, v in batch_only.items() if v is not None)
        raise UsageError(f"{used} only go with 'km report all'")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: expected a number of reports, 1 or more")
    checked_out_folder(args.out)
    if args.tambon == "all":
        return _report(args, as_of, since, out, err, kernel=None)
    from .report.kernels import StartedKernel

    # One report's kernel starts while the records load and are checked, if the launcher did
    # not start it earlier still; it is stopped however this ends, a refusal included.
    with args.started_kernel or StartedKernel() as kernel:
        return _report(args, as_of, since, out, err, kernel)


def _report(args: argparse.Namespace, as_of, since, out: Console, err: Console, kernel) -> int:
    """Load the records and render the reports `args` ask for (one on `kernel`, or all)."""
    from .batch import plan_reports
    from .records.cache import checked_records

    # Records read anew most likely draw anew: the kernel imports the drawing code meanwhile.
    records, kept = checked_records(
        args.data, checking=kernel.prepare_drawings if kernel is not None else lambda: None)
    if args.tambon == "all":
        reports = [*_select_tambons(records, args.tambons, args.amphoe), OVERVIEW]
    elif args.tambon == OVERVIEW:
        reports = [OVERVIEW]
    else:
        reports = [resolve_tambon(records.tambons, args.tambon, records.source)]
    from .records.snapshot import snapshot_path

    started = time.perf_counter()
    # Planned against the snapshot's path; it is written only once something will render.
    snapshot = snapshot_path(records, Path(args.out) / ".snapshots", kept)
    plan = plan_reports(records, reports, snapshot=snapshot, out=Path(args.out),
                        as_of=as_of, since=since, numerals=args.numerals, data=args.data,
                        force=args.force or args.tambon != "all")
    snapshot_seconds = _snapshot(records, args.out, kept) if plan.jobs else 0.0
    if args.tambon == "all":
        return _run_batch(args, plan, records.source, started, out, err)
    [name] = reports
    if plan.refusals:
        blocking = plan.refusals[name]
        print_problems(blocking, err)
        raise KmError(f"the records hold {len(blocking)} error(s) in the scope of "
                      f"{name}: fix them, then run again (km check lists them all)")
    [job] = plan.jobs
    from .report.render import render_report

    with err.status(f"{name}: starting") as status:
        timings = render_report(job.notebook, job.parameters, job.paths, job.provenance,
                                progress=lambda step: status.update(f"{name}: {step}"),
                                kernel=kernel)
    steps = {"snapshot": snapshot_seconds, **timings.steps}
    err.print("  ".join(f"{step} {seconds:.2f}s" for step, seconds in steps.items()
                        if step != "notebook"), highlight=False, style="dim")
    out.print(str(job.paths.pdf), highlight=False, soft_wrap=True)
    return 0


def _snapshot(records: Records, out: str, kept: Path | None) -> float:
    """Write the records' snapshot under --out (once); return the seconds it took."""
    from .records.snapshot import write_snapshot_once

    started = time.perf_counter()
    write_snapshot_once(records, Path(out) / ".snapshots", kept)
    return round(time.perf_counter() - started, 3)


def _run_batch(args: argparse.Namespace, plan, source: str, started: float, out: Console,
               err: Console) -> int:
    """Render the plan's jobs in parallel with a progress bar; write the manifest."""
    from .batch import JobResult, run_jobs, write_manifest

    workers = min(args.jobs or os.cpu_count() or 1, max(len(plan.jobs), 1))
    rendered: list[JobResult] = []
    with _progress(err) as progress:
        failures = sum(r.status == "failed" for r in plan.decided.values())
        task = progress.add_task("reports", total=len(plan.order), failed=failures,
                                 completed=len(plan.decided))

        def finished(result: JobResult) -> None:
            nonlocal failures
            failures += result.status == "failed"
            progress.update(task, advance=1, failed=failures)

        if plan.jobs:
            with _executor(workers) as executor:
                rendered = run_jobs(plan.jobs, executor, finished)
    results = plan.results(rendered)
    manifest = write_manifest(Path(args.out), plan, results, source=source, jobs=workers,
                              seconds=round(time.perf_counter() - started, 2))
    for result in results:
        if result.status == "failed":
            err.print(f"{result.report}: failed: {result.reason}", style="red", highlight=False)
    counts = {status: sum(r.status == status for r in results)
              for status in ("ok", "failed", "skipped")}
    err.print(f"{counts['ok']} ok, {counts['failed']} failed, {counts['skipped']} skipped "
              "(unchanged)", highlight=False)
    out.print(str(manifest), highlight=False, soft_wrap=True)
    return 1 if counts["failed"] else 0


def _select_tambons(records: Records, names: str | None, amphoe: str | None) -> list[str]:
    slugs = list(records.tambons["tambon"])
    if names:
        wanted = [resolve_tambon(records.tambons, n.strip(), records.source)
                  for n in names.split(",") if n.strip()]
        slugs = [s for s in slugs if s in wanted]
    if amphoe:
        amphoes = records.tambons.set_index("tambon")["amphoe_th"]
        key = thai.normalise(amphoe).removeprefix("อำเภอ")
        slugs = [s for s in slugs if thai.normalise(str(amphoes.get(s, ""))) == key]
        if not slugs:
            known = ", ".join(sorted(str(a) for a in amphoes.dropna().unique()))
            raise UsageError(f"no tambon in the amphoe {amphoe!r}; amphoes: {known}")
    return slugs


def _progress(console: Console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("failed: {task.fields[failed]}"), TimeElapsedColumn(),
                    console=console)


def _executor(workers: int):
    """Return a process pool whose workers fork from a server that already imported us."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["km_analysis.batch"])
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _run_template(args: argparse.Namespace, out: Console) -> int:
    from .records.workbook import write_template

    if args.out is None and args.tambon is None:
        raise UsageError("--out FILE.xlsx is needed (or --tambon SLUG, written to "
                         "km-entry-<slug>.xlsx)")
    data = args.data or (DEFAULT_DATA if args.tambon is not None else None)
    path = Path(args.out) if args.out is not None else None
    if path is not None:
        if path.suffix.lower() != ".xlsx":
            raise UsageError(f"--out {args.out}: expected a file name ending in .xlsx")
        if path.is_dir():
            raise UsageError(f"--out {args.out}: a folder, not a file name")
        checked_out_folder(str(path.parent))
    records = slug = None
    if data:
        records = load_records(data, errors="collect")
        if args.tambon is not None:
            slug = resolve_tambon(records.tambons, args.tambon, records.source)
            path = path or Path(f"km-entry-{slug}.xlsx")
        if records.errors:
            _console(stderr=True).print(
                f"{len(records.errors)} record error(s) in {records.source}: the rows that "
                "hold them are left out of the workbook (km check lists them)", style="yellow",
                highlight=False)
    # Written aside and renamed, so an open copy in Excel is never left half-written.
    staging = path.with_name(f".{path.name}.writing.xlsx")
    try:
        write_template(staging, records, tambon=slug)
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
    out.print(str(path), highlight=False, soft_wrap=True)
    return 0


def _run_collect(args: argparse.Namespace, out: Console) -> int:
    from .records.collect import collect

    comparison = collect(args.inbox, args.data)
    if comparison.current_errors:
        _console(stderr=True).print(
            f"{len(comparison.current_errors)} record error(s) in {comparison.current}: the "
            "rows that hold them are left out of the comparison (km check lists them)",
            style="yellow", highlight=False)
    for brought in comparison.workbooks:
        print_brought(brought, out)
    if comparison.conflicts:
        print_conflicts(comparison.conflicts, out)
    refused, conflicts = len(comparison.refused), len(comparison.conflicts)
    compared = len(comparison.workbooks) - refused
    ok = not refused and not conflicts
    out.print(f"{compared} workbook(s) compared with {comparison.current}, {refused} refused; "
              f"{conflicts} conflict(s) between workbooks", style="bold green" if ok
              else "bold red", highlight=False, soft_wrap=True)
    return 0 if ok else 1


def print_brought(brought, console: Console) -> None:
    """Print what one workbook brings: its rows per table, then each row it adds, changes or
    no longer holds (km collect)."""
    from .records.collect import shown

    if brought.refused:
        console.print(Text.assemble((brought.workbook, "bold"), (
            f": refused, {len(errors_in(brought.problems))} error(s); nothing of it is "
            "compared", "red")), highlight=False, soft_wrap=True)
        print_problems(brought.problems, console)
        return
    tambons = ", ".join(f"{slug} {name}".strip() for slug, name in brought.tambons.items())
    warnings = len(brought.problems)  # a workbook compared holds no error
    console.print(Text.assemble(
        (brought.workbook, "bold"), f" ({tambons or 'no tambon'})",
        (f", {warnings} warning(s): km check --data lists them" if warnings else "", "yellow")),
        highlight=False, soft_wrap=True)
    counts = RichTable("table", "ตาราง", "rows", "new", "changed", "unchanged", "removed")
    for c in brought.counts:
        counts.add_row(c.table, TABLES[c.table].label_th,
                       *(str(n) for n in (c.rows, c.new, c.changed, c.unchanged, c.removed)))
    console.print(counts)
    if not (brought.new or brought.changed or brought.removed):
        console.print("no change: every row is already in the records", highlight=False)
        return
    rows = RichTable("change", "table", "key", "column", "now", "in the workbook", "where")
    for change in brought.changed:
        for column, before, after in change.columns:
            rows.add_row(*map(Text, ("changed", change.table, change.key, column,
                                     shown(before) or "(blank)", shown(after) or "(blank)",
                                     change.place.in_book())))
    for change in brought.new:
        rows.add_row(*map(Text, ("new", change.table, change.key, "", "", "",
                                 change.place.in_book())))
    for change in brought.removed:
        rows.add_row(*map(Text, ("removed", change.table, change.key, "", "", "",
                                 f"now {change.was}")))
    console.print(rows)


def print_conflicts(conflicts, console: Console) -> None:
    """Print each key two workbooks bring with different content, one line per column,
    naming both places whole (km collect)."""
    from .records.collect import shown

    console.print(f"{len(conflicts)} conflict(s): one key, different content in two workbooks "
                  "(keep one version, in one workbook)", style="bold red", highlight=False)
    for conflict in conflicts:
        first, second = conflict.places
        for column, one, other in conflict.columns:
            console.print(
                f"conflict: {conflict.table} {conflict.key}, {column}: {_quoted(shown(one))} in "
                f"{first}; {_quoted(shown(other))} in {second}", style="red", highlight=False,
                soft_wrap=True)


def _quoted(text: str) -> str:
    return repr(text) if text else "blank"


def _run_verify(args: argparse.Namespace, out: Console) -> int:
    from .provenance import META_PREFIX, changed_tables, read_pdf_metadata

    pdf = Path(args.pdf)
    if not pdf.is_file():
        raise UsageError(f"{pdf}: no such file")
    try:
        metadata = read_pdf_metadata(pdf)
    except Exception as exc:  # pypdf raises several kinds for files that are not PDFs
        raise UsageError(f"{pdf}: not a readable PDF ({exc})") from None
    report_name = metadata.get(f"{META_PREFIX}report")
    if not report_name:
        raise UsageError(f"{pdf}: carries no record fingerprints: not a report made by km")
    records = load_records(args.data, errors="collect")
    changed = changed_tables(metadata, records)
    where = f"{pdf.name} ({report_name}, as of {metadata.get(f'{META_PREFIX}asof', '?')})"
    if not changed:
        out.print(f"same: the records at {records.source} are the records {where} was made "
                  f"from (fingerprint {metadata.get(f'{META_PREFIX}records', '')})",
                  highlight=False)
        return 0
    out.print(f"changed: the records at {records.source} differ from those {where} was made "
              f"from, in {len(changed)} table(s): {', '.join(changed)}", highlight=False)
    return 1


def _date_option(text: str | None, option: str):
    if not text:
        return None
    try:
        return thai.parse_date(text)
    except thai.DateError as exc:
        raise UsageError(f"{option} {text!r}: expected {exc.expected}") from None


def print_problems(problems: Sequence[Problem], console: Console) -> None:
    """Print problems as one table, errors first, as a user finds them in the spreadsheet."""
    table = RichTable(show_lines=False, expand=False)
    table.add_column("level")
    table.add_column("file", overflow="fold", min_width=12)
    table.add_column("row", justify="right")
    table.add_column("column", overflow="fold")
    table.add_column("value", overflow="fold")
    table.add_column("expected", overflow="fold", ratio=1)
    table.add_column("tambon", overflow="fold")
    for p in sorted(problems, key=lambda p: p.level != "error"):
        cells = (p.level, p.file, "" if p.row is None else str(p.row), p.column or "", p.value,
                 p.expected, p.scope or "province")
        # Text cells, not strings: a table cell string would be read as console markup.
        table.add_row(*map(Text, cells), style="red" if p.level == "error" else "yellow")
    console.print(table)


def write_problems_csv(problems: Sequence[Problem], stream) -> None:
    """Write problems as CSV (UTF-8 with BOM, so that Thai Excel opens it as Thai).

    A value that a spreadsheet would run as a formula is written with a leading apostrophe
    (OWASP's rule against CSV injection): the cell then shows the text as typed.
    """
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["level", "file", "row", "column", "value", "expected", "tambon"])
    for p in problems:
        writer.writerow([as_spreadsheet_text(v) for v in (
            p.level, p.file, "" if p.row is None else p.row, p.column or "", p.value,
            p.expected, p.scope or "")])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_spreadsheet_text(value) -> str:
    """Return `value` as text a spreadsheet shows and never runs: formula starts get a quote."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def print_example(records: Records, console: Console) -> None:
    """Print one line when the records are marked as example data (the demo data)."""
    if records.example:
        console.print(f"example data: these records are marked as example data "
                      f"({example_marker(records.source)})", style="bold yellow",
                      highlight=False, soft_wrap=True)


def print_summary(records: Records, console: Console) -> None:
    """Print a one-screen summary of clean records: rows, groups and sessions per tambon."""
    frames = records.frames()
    counts = RichTable("table", "rows", title=f"records in {records.source}")
    for name in TABLES:
        counts.add_row(name, str(len(frames[name])))
    console.print(counts)
    per_tambon = RichTable("tambon", "ชื่อ", "groups", "sessions")
    groups = records.groups["tambon"].value_counts()
    sessions = row_tambons(frames, "sessions").value_counts(dropna=False)
    for row in records.tambons.itertuples():
        per_tambon.add_row(row.tambon, row.name_th, str(groups.get(row.tambon, 0)),
                           str(sessions.get(row.tambon, 0)))
    province_wide = int(sessions[sessions.index.isna()].sum())
    per_tambon.add_row("(province)", "ทั้งจังหวัด", "", str(province_wide))
    console.print(per_tambon)
    dates = records.sessions["date"].dropna()
    if not dates.empty:
        console.print(f"sessions from {thai.format_date(dates.min())} to "
                      f"{thai.format_date(dates.max())}", highlight=False)


if __name__ == "__main__":
    sys.exit(main())
