"""The `km` command: a thin door into the package.

Exit codes (ARCHITECTURE.md): 0 ok, 1 records refused or a failure, 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table as RichTable

from . import thai
from .errors import KmError, Problem
from .records import Records, load_records, row_tambons
from .schema import TABLES

DEFAULT_DATA = "data"


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
