"""Reading the raw cells of the records: CSV files in a folder, or sheets of one workbook.

Every cell is read as text (the value as typed is what messages quote); parsing into types
happens in `records`. Row numbers are the spreadsheet's: the header is row 1, and blank rows
count even though they carry nothing.

Files are read within bounds (README, "Limits"); `bounds` checks a workbook before
python-calamine opens it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from operator import methodcaller
from pathlib import Path

import pandas as pd

from ..errors import Problem, SourceError
from .bounds import (
    MAX_COLUMNS,
    MAX_CSV_BYTES,
    NotAFile,
    Refused,
    check_ods,
    check_workbook,
    kind_of,
    open_regular,
    size_text,
)
from .schema import table_key

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
ODS_SUFFIX = ".ods"
# A table read from several sources is indexed source by source: its k-th source's spreadsheet
# row r is row (k + 1) * ROW_STRIDE + r; a table from one source keeps r (load.Records.origin).
ROW_STRIDE = 1_000_000  # above bounds.MAX_ROWS
SEPARATORS = (",", ";", "\t")
# Thai Excel saves plain "CSV" as Windows-874; "CSV UTF-8" adds a BOM. Python's tis-620 codec
# is not used: it silently mangles bytes 0x80-0x9F, which cp874 maps to punctuation.
ENCODINGS = ("utf-8-sig", "cp874")
# Records that are example data (the demo folder) say so: a folder holds a file by this name
# (any case), a workbook a sheet named EXAMPLE_SHEET. Neither is a table, so neither is read.
EXAMPLE_FILE = "_example.txt"
EXAMPLE_SHEET = "_example"


@dataclass
class RawTable:
    """The cells of one table as text, indexed by spreadsheet row."""

    name: str
    label: str  # how the user finds it: the CSV path, or "book.xlsx [sheet]"
    cells: pd.DataFrame  # str cells, "" for blank; columns as in the header (normalised)
    headers: dict[str, str] = field(default_factory=dict)  # normalised -> as typed
    source: str = ""  # the workbook, or the CSV file
    sheet: str = ""  # the sheet of a workbook; "" for a CSV file


@dataclass
class Source:
    """Where the records come from: a folder of CSV files, one workbook, or a folder of
    workbooks (.xlsx, .ods) with or without CSV files beside them."""

    path: Path
    workbooks: list[Path] = field(default_factory=list)
    csv: bool = False  # the folder's CSV files are read too

    @property
    def workbook(self) -> Path | None:
        """Return the workbook when the records are that one workbook alone, else None."""
        return self.workbooks[0] if len(self.workbooks) == 1 and not self.csv else None

    def describe(self) -> str:
        """Return where the records come from as text: the workbook, else the folder."""
        return str(self.workbook or self.path)

    def missing_table(self, table: str) -> str:
        """Return where a table nobody holds would be looked for, as a problem names it."""
        if self.workbook is not None:
            return f"{self.workbook} [sheet {table}]"
        if not self.workbooks:
            return str(self.path / f"{table}.csv")
        return f"{self.path} (a sheet {table} in one of its workbooks, or {table}.csv)"


@dataclass
class SourceTables:
    """What one source holds: a workbook's sheets, or the folder's CSV files."""

    name: str  # the workbook's path, or the folder's
    tables: dict[str, RawTable]
    problems: list[Problem]
    example: bool
    refused: bool = False  # a workbook refused as a whole: nothing of it was read


def resolve_source(path: str | Path) -> Source:
    """Return the source at `path`: a workbook (.xlsx, .ods), or a folder of CSV files and
    workbooks."""
    path = Path(path)
    if not path.exists():
        raise SourceError(str(path), "no such file or folder")
    if not path.is_file() and not path.is_dir():
        raise SourceError(str(path), f"{kind_of(path.stat().st_mode)}, not records: give a folder "
                          "of CSV files or workbooks, or a workbook (.xlsx, .ods)")
    if path.is_file():
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            return Source(path.parent, [path])
        raise SourceError(
            str(path),
            f"a {path.suffix or 'suffix-less'} file is not records: give a folder of CSV files "
            "or workbooks, or a workbook (.xlsx, .ods)",
        )
    # "~$book.xlsx" is Excel's lock file beside an open workbook, not a workbook.
    workbooks = sorted(
        p for p in path.iterdir()
        if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
    )
    csvs = _csv_files(path)
    if not workbooks and not csvs:
        raise SourceError(str(path), "holds no CSV files and no workbook (.xlsx, .ods)")
    return Source(path, workbooks, bool(csvs))


def read_sources(source: Source, names: list[str]) -> list[SourceTables]:
    """Return what each source holds, in order: the folder's CSV files first, then each
    workbook by name; a table is combined across them by `load`."""
    found = []
    if source.csv or not source.workbooks:
        tables, problems, example = _read_csv_folder(source.path, names)
        found.append(SourceTables(str(source.path), tables, problems, example))
    for workbook in source.workbooks:
        tables, problems, example = _read_workbook(workbook, names)
        refused = any(p.kind == "refused_workbook" for p in problems)
        found.append(SourceTables(str(workbook), tables, problems, example, refused))
    return found


def _read_csv_folder(
    folder: Path, names: list[str]
) -> tuple[dict[str, RawTable], list[Problem], bool]:
    """Return the tables of a folder's CSV files, the problems of reading them, and whether the
    folder marks itself as example data (`EXAMPLE_FILE`)."""
    example = any(p.name.lower() == EXAMPLE_FILE and p.is_file() for p in folder.iterdir())
    tables, problems = {}, []
    # Every entry named *.csv is read, so that a folder, pipe or device by that name is named in a
    # problem rather than skipped as if the table were missing.
    entries = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")
    files, problems = _one_per_table([(p.stem, p) for p in entries], lambda p: str(p), "files")
    for name, csv_path in files.items():
        if name not in names:
            problems.append(_problem("warning", name, str(csv_path), None, None, "",
                                     "a file named after a table of the records; ignored",
                                     kind="ignored_table"))
            continue
        table, read_problems = _read_csv(name, csv_path)
        problems += read_problems
        if table is not None:
            table.source = str(csv_path)
            tables[name] = table
    return tables, problems, example


def example_marker(source: str) -> str:
    """Return where records read from `source` (`Records.source`) keep the example marker:
    a workbook's sheet, a folder's file, else the sheet of one of the folder's workbooks."""
    if source.lower().endswith(WORKBOOK_SUFFIXES):
        return f"{source} [{EXAMPLE_SHEET}]"
    folder = Path(source)
    if folder.is_dir() and not any(p.name.lower() == EXAMPLE_FILE for p in folder.iterdir()):
        return f"{folder} (a workbook's {EXAMPLE_SHEET} sheet)"
    return str(folder / EXAMPLE_FILE)


def _csv_files(folder: Path) -> list[Path]:
    """Return the folder's CSV files, whatever the case of their extension."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())


def _one_per_table(named: list, label, what: str) -> tuple[dict, list[Problem]]:
    """Return {table: item} for items named (name, item), and an error for each table that
    two names stand for ("sessions.csv" beside "SESSIONS.csv" or "sessions .csv"): which
    one holds the records is the user's call, never a silent replacement."""
    by_table: dict[str, list] = {}
    for name, item in named:
        by_table.setdefault(table_key(name), []).append(item)
    chosen, problems = {}, []
    for table, items in by_table.items():
        if len(items) == 1:
            chosen[table] = items[0]
            continue
        places = " and ".join(label(item) for item in items)
        problems.append(_problem("error", table, places, None, None, "",
                                 f"one of these {what} for the table {table}, not both: "
                                 "keep one, or merge their rows into it",
                                 kind="duplicate_table"))
    return chosen, problems


def _problem(level, table, label, row, column, value, expected, kind="") -> Problem:
    return Problem(level, table, label, row, column, value, expected, kind=kind)


def _decode(data: bytes) -> str | None:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _sniff_separator(header_line: str) -> str:
    # The header holds only column names, so the most frequent candidate is the separator.
    return max(SEPARATORS, key=header_line.count)


def _read_bounded(name: str, path: Path) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of a CSV file read up to MAX_CSV_BYTES, or None and a problem naming it."""
    try:
        stream, size = open_regular(path)
        with stream:
            # One byte past the limit tells a file that grew since it was measured.
            data = b"" if size > MAX_CSV_BYTES else stream.read(MAX_CSV_BYTES + 1)
    except NotAFile as exc:
        expected = f"a CSV file; this is {exc.args[0]}"
    except OSError as exc:
        expected = f"a file that can be read ({exc.strerror or exc})"
    else:
        if size <= MAX_CSV_BYTES and len(data) <= MAX_CSV_BYTES:
            return data, []
        expected = (f"a CSV file of at most {size_text(MAX_CSV_BYTES)}; this one is "
                    f"{size_text(size) if size > MAX_CSV_BYTES else 'larger'}")
    return None, [_problem("error", name, str(path), None, None, "", expected)]


def _read_csv(name: str, path: Path) -> tuple[RawTable | None, list[Problem]]:
    label = str(path)
    data, problems = _read_bounded(name, path)
    if data is None:
        return None, problems
    text = _decode(data)
    if text is None:
        return None, [_problem("error", name, label, None, None, "",
                               "text saved as UTF-8 or Windows-874 (Thai); the file is neither")]
    if not text.strip():
        return None, [_problem("error", name, label, None, None, "",
                               "a header row naming the columns; the file is empty")]
    first_line = text.lstrip("\r\n").splitlines()[0]
    separator = _sniff_separator(first_line)
    # A line of a million commas would be a million columns: pandas would need gigabytes.
    widths = map(methodcaller("count", separator), io.StringIO(text, newline=""))
    if (widest := max(widths, default=0) + 1) > MAX_COLUMNS:
        return None, [_problem("error", name, label, None, None, "", f"lines of at most "
                               f"{MAX_COLUMNS} cells; one has {widest:,}")]
    try:
        # pandas' C parser reads a national table in a second; every cell stays text.
        grid = pd.read_csv(io.StringIO(text), sep=separator, header=None, dtype=str,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           engine="c")
    except pd.errors.ParserError:
        # A row with more cells than the first: the csv module reads it, so it can be named.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
        return _table_from_rows(name, label, rows)
    return _table_from_grid(name, label, grid)


def _table_from_rows(
    name: str, label: str, rows: list[list[str]]
) -> tuple[RawTable | None, list[Problem]]:
    """Build a RawTable from rows of text cells, the first row being the header."""
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return _table_from_grid(name, label, grid)


def _table_from_grid(
    name: str, label: str, grid: pd.DataFrame
) -> tuple[RawTable | None, list[Problem]]:
    """Build a RawTable from a frame of text cells whose first row is the header."""
    problems: list[Problem] = []
    grid = grid.fillna("").astype(str).apply(lambda column: column.str.strip())
    if grid.empty or not grid.iloc[0].ne("").any():
        return None, [_problem("error", name, label, 1, None, "",
                               "a header row naming the columns in row 1")]
    header_typed = list(grid.iloc[0])
    while header_typed and header_typed[-1] == "":
        header_typed.pop()
    header = [h.lower() for h in header_typed]
    seen: dict[str, int] = {}
    for position, column in enumerate(header):
        if column == "":
            problems.append(_problem("error", name, label, 1, f"#{position + 1}", "",
                                     "a column name (the header cell is blank)"))
        elif column in seen:
            problems.append(_problem("error", name, label, 1, column, header_typed[position],
                                     f"each column once; {column!r} is also column "
                                     f"{seen[column] + 1}"))
        else:
            seen[column] = position
    width = len(header)
    body = grid.iloc[1:]
    body.index = pd.RangeIndex(2, len(grid) + 1, name="row")
    # A blank row carries nothing; it still counts for row numbers.
    body = body[body.ne("").any(axis=1)]
    if body.shape[1] > width:
        extra = body.iloc[:, width:]
        for row, cells in extra[extra.ne("").any(axis=1)].iterrows():
            value = next(c for c in cells if c)
            problems.append(_problem("error", name, label, int(row), f"#{width + 1}", value,
                                     f"at most {width} cells, as many as the header has"))
    keep = [i for i, c in enumerate(header) if c and seen.get(c) == i]
    cells = body.iloc[:, keep].astype(object)
    cells.columns = [header[i] for i in keep]
    cells.index = cells.index.astype("int64")
    headers = {header[i]: header_typed[i] for i in keep}
    return RawTable(name, label, cells, headers), problems


def _cell_text(value) -> str:
    """Return a workbook cell as the text a user would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_workbook(
    path: Path, names: list[str]
) -> tuple[dict[str, RawTable], list[Problem], bool]:
    """Return the tables of a workbook's sheets, the problems found reading them (one, if
    `bounds.check_workbook` refuses the workbook: calamine never opens it) and whether it holds
    the example sheet; SourceError if the file is no workbook at all."""
    try:
        if path.suffix.lower() == ODS_SUFFIX:
            sheets = check_ods(path)
            formulas = {sheet: [] for sheet in sheets}  # an .ods saves every formula's value
        else:
            sheets, formulas = check_workbook(path, names)
    except Refused as refusal:
        label = f"{path} [{refusal.sheet}]" if refusal.sheet else str(path)
        return {}, [_problem("error", "", label, None, None, "", refusal.expected,
                             kind="refused_workbook")], False
    example = any(table_key(name) == EXAMPLE_SHEET for name in sheets)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        return {}, [_problem("error", "", str(path), None, None, "",
                             f"a workbook that opens ({exc})",
                             kind="refused_workbook")], False
    # Sheets whose names start with "_" are helpers (the lists behind dropdowns), not records.
    named = [(name, name) for name in sheets if not name.startswith("_")]
    chosen, problems = _one_per_table(named, lambda sheet: f"{path} [{sheet}]", "sheets")
    tables = {}
    for name, sheet_name in chosen.items():
        label = f"{path} [{sheet_name}]"
        if name not in names:
            problems.append(_problem("warning", name, label, None, None, "",
                                     "a sheet named after a table of the records; ignored",
                                     kind="ignored_table"))
            continue
        try:
            if sheet_name not in formulas:  # only a sheet whose part was checked is read
                raise LookupError("its part is missing")
            sheet = workbook.get_sheet_by_name(sheet_name)
            # skip_empty_area=False keeps row 1 at index 0 even when the sheet starts lower down.
            rows = [[_cell_text(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
        except Exception as exc:  # calamine's errors for a sheet it cannot read
            problems.append(_problem("error", name, label, None, None, "",
                                     f"a sheet that can be read ({exc})"))
            continue
        problems += _formula_problems(name, label, rows, formulas[sheet_name])
        table, sheet_problems = _table_from_rows(name, label, rows)
        problems += sheet_problems
        if table is not None:
            table.source, table.sheet = str(path), sheet_name
            tables[name] = table
    return tables, problems, example


def _formula_problems(
    name: str, label: str, rows: list[list[str]], formulas: list[tuple[int, int, str]]
) -> list[Problem]:
    """Return an error for each formula cell whose value was never saved."""
    header = dict(enumerate((cell.strip().lower() for cell in rows[0]), 1)) if rows else {}
    expected = ("a saved value; this is a formula without a saved value: open and save the "
                "workbook in Excel or LibreOffice")
    return [_problem("error", name, label, row, header.get(column) or f"#{column}", formula,
                     expected, kind="formula_without_value") for row, column, formula in formulas]
