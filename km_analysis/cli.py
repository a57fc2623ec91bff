"""The `km` command: a thin door into the package.

Exit codes (ARCHITECTURE.md): 0 ok, 1 records refused or a failure, 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable

from . import thai
from .errors import KmError, Problem, UsageError
from .records import Records, load_records, row_tambons
from .schema import TABLES

DEFAULT_DATA = "data"
DEFAULT_OUT = "reports"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `km` command line; return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    out, err = _console(), _console(stderr=True)
    try:
        return args.run(args, out)
    except KmError as exc:
        err.print(f"[bold red]km {args.command}:[/] {exc}", markup=True, highlight=False)
        if getattr(exc, "problems", None):
            print_problems(exc.problems, err)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


def _console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr)
    if not console.is_terminal:
        # Piped or logged output has no width to fit; keep file names and messages whole.
        console = Console(stderr=stderr, width=160)
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
        "report", help="write a tambon's Thai A4 progress report (PDF)",
        description="Write the progress report of one tambon as a Thai A4 PDF, with the executed "
        "notebook, the HTML and provenance.json beside it, under OUT/<as-of>/<tambon>/. "
        "The last line printed is the PDF's path.",
        epilog="Dates take any form the records accept (2006-10-30, 30/10/2549, 30 ต.ค. 49). "
        "Exit codes: 0 written, 1 records refused or render failed, 2 usage.",
    )
    report.add_argument("tambon", metavar="TAMBON",
                        help="the tambon's slug (km tambons lists them) or its Thai name")
    _add_data_option(report)
    report.add_argument("--as-of", metavar="DATE",
                        help="the report's date (default: the latest date something happened)")
    report.add_argument("--since", metavar="DATE",
                        help="start of the period, exclusive (default: the last sponsor forum)")
    report.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help="where reports are written (default: %(default)s/)")
    report.add_argument("--numerals", choices=("arabic", "thai"), default="arabic",
                        help="digits in the report: arabic (default) or thai (๑๒๓)")
    report.set_defaults(run=_run_report)

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
        write_problems_csv(records.problems, sys.stdout)
        return 1 if records.errors else 0
    if records.errors:
        print_problems(records.problems, out)
        out.print(f"{len(records.errors)} error(s), {len(records.warnings)} warning(s) in "
                  f"{records.source}", style="bold red", highlight=False)
        return 1
    print_summary(records, out)
    if records.warnings:
        print_problems(records.warnings, out)
    out.print(f"ok: no errors, {len(records.warnings)} warning(s) in {records.source}",
              style="bold green", highlight=False)
    return 0


def _run_tambons(args: argparse.Namespace, out: Console) -> int:
    records = load_records(args.data, errors="collect")
    table = RichTable("slug", "ชื่อ", "name")
    for row in records.tambons.itertuples():
        table.add_row(row.tambon, row.name_th, row.name_en)
    out.print(table)
    return 0


def _run_report(args: argparse.Namespace, out: Console) -> int:
    from . import metrics, report, snapshot

    err = _console(stderr=True)
    as_of = _date_option(args.as_of, "--as-of")
    since = _date_option(args.since, "--since")
    records = load_records(args.data, errors="collect")
    slug = resolve_tambon(records, args.tambon)
    blocking = [p for p in records.errors if p.scope in (None, slug)]
    if blocking:
        print_problems(blocking, err)
        raise KmError(f"the records hold {len(blocking)} error(s) in the scope of {slug} "
                      "(its own rows or province-wide rows): fix them, then run again "
                      "(km check lists them all)")
    period = metrics.resolve_period(records, slug, as_of, since)
    as_of_text = period.as_of.date().isoformat()
    timings = report.Timings()
    snapshot_folder = timings.measure(
        "snapshot", lambda: snapshot.write_snapshot_once(records, Path(args.out) / ".snapshots"))
    paths = report.ReportPaths.for_report(Path(args.out), as_of_text, slug)
    parameters = {
        "tambon": slug,
        "as_of": as_of_text,
        "since": period.since.date().isoformat(),
        "snapshot": str(snapshot_folder.resolve()),
        "numerals": args.numerals,
        "data_dir": str(Path(args.data).resolve()),
    }
    provenance = {
        "report": slug,
        "parameters": parameters,
        "records": records.source,
        "fingerprints": snapshot.fingerprints(records),
        "software": report.software_versions(),
    }
    with err.status(f"{slug}: starting") as status:
        rendered = report.render_report(
            "tambon_report.ipynb", parameters, paths, records, provenance,
            progress=lambda step: status.update(f"{slug}: {step}"),
        )
    steps = {**timings.steps, **rendered.steps}
    err.print(
        "  ".join(f"{step} {seconds:.2f}s" for step, seconds in steps.items()
                  if step != "notebook"),
        highlight=False, style="dim",
    )
    out.print(str(paths.pdf), highlight=False, soft_wrap=True)
    return 0


def _date_option(text: str | None, option: str):
    if not text:
        return None
    try:
        return thai.parse_date(text)
    except thai.DateError as exc:
        raise UsageError(f"{option} {text!r}: expected {exc.expected}") from None


def resolve_tambon(records: Records, name: str) -> str:
    """Return the slug of the tambon named by its slug or Thai name; UsageError otherwise."""
    tambons = records.tambons
    wanted = thai.normalise(name)
    by_name = {**dict(zip(tambons["tambon"], tambons["tambon"])),
               **dict(zip(tambons["name_th"], tambons["tambon"])),
               **{f"ตำบล{n}": slug for n, slug in zip(tambons["name_th"], tambons["tambon"])}}
    if wanted in by_name:
        return by_name[wanted]
    known = ", ".join(f"{slug} ({n})" for slug, n in zip(tambons["tambon"], tambons["name_th"]))
    close = difflib.get_close_matches(wanted.lower(), list(by_name), n=1, cutoff=0.5)
    hint = f" Did you mean {by_name[close[0]]} ({close[0]})?" if close else ""
    raise UsageError(f"no tambon named {name!r} in {records.source}.{hint} Known tambons: {known}")


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
        table.add_row(
            p.level, p.file, "" if p.row is None else str(p.row), p.column or "", p.value,
            p.expected, p.scope or "province", style="red" if p.level == "error" else "yellow",
        )
    console.print(table)


def write_problems_csv(problems: Sequence[Problem], stream) -> None:
    """Write problems as CSV (UTF-8 with BOM, so that Thai Excel opens it as Thai)."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["level", "file", "row", "column", "value", "expected", "tambon"])
    for p in problems:
        writer.writerow([p.level, p.file, "" if p.row is None else p.row, p.column or "",
                         p.value, p.expected, p.scope or ""])


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
