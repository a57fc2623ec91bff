"""Reading the raw cells of the records: CSV files in a folder, or sheets of one workbook.

Every cell is read as text (the value as typed is what messages quote); parsing into types
happens in `records`. Row numbers are the spreadsheet's: the header is row 1, and blank rows
count even though they carry nothing.

Files are read within bounds (README, "Limits"). A workbook is checked with the standard library
before python-calamine opens it, in constant memory: calamine allocates rows × columns of the
range a sheet uses, and one cell at XFD1048576 in a 2 KB file would abort the whole process.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

import pandas as pd

from ..errors import Problem, SourceError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = (",", ";", "\t")
# Thai Excel saves plain "CSV" as Windows-874; "CSV UTF-8" adds a BOM. Python's tis-620 codec
# is not used: it silently mangles bytes 0x80-0x9F, which cp874 maps to punctuation.
ENCODINGS = ("utf-8-sig", "cp874")

# The limits of what is read (README, "Limits"). A national table is far inside them: 100,000
# sessions are an 8 MB CSV file, or a 59 MB sheet of 100,001 rows × 7 columns.
MB = 2**20
MAX_CSV_BYTES = 200 * MB  # one CSV file
MAX_PART_BYTES = 200 * MB  # one part of a workbook (a sheet, the shared strings), unpacked
MAX_WORKBOOK_BYTES = 500 * MB  # all parts of a workbook together, unpacked; and the file itself
MAX_DIRECTORY_BYTES = 4 * MB  # the workbook's zip directory: some 40,000 parts
MAX_ROWS = 200_000  # the farthest row a sheet to be read may use
MAX_COLUMNS = 200  # the farthest column (GR); the most cells a line of a CSV file may hold
MAX_CELLS = 5_000_000  # rows × columns from A1 to the farthest cell used
CHUNK = MB  # workbook parts are unpacked and scanned this much at a time


@dataclass
class RawTable:
    """The cells of one table as text, indexed by spreadsheet row."""

    name: str
    label: str  # how the user finds it: the CSV path, or "book.xlsx [sheet]"
    cells: pd.DataFrame  # str cells, "" for blank; columns as in the header (normalised)
    headers: dict[str, str] = field(default_factory=dict)  # normalised -> as typed


@dataclass
class Source:
    """Where the records come from: a folder of CSV files or one workbook."""

    path: Path
    workbook: Path | None

    def describe(self) -> str:
        """Return where the records come from as text: the workbook, else the folder."""
        return str(self.workbook or self.path)


def resolve_source(path: str | Path) -> Source:
    """Return the source at `path`: a CSV folder, an .xlsx file, or a folder holding one."""
    path = Path(path)
    if not path.exists():
        raise SourceError(str(path), "no such file or folder")
    if not path.is_file() and not path.is_dir():
        raise SourceError(str(path), f"{_kind(path.stat().st_mode)}, not records: give a folder "
                          "of CSV files or an Excel workbook (.xlsx)")
    if path.is_file():
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            return Source(path.parent, path)
        raise SourceError(
            str(path),
            f"a {path.suffix or 'suffix-less'} file is not records: give a folder of CSV files "
            "or an Excel workbook (.xlsx)",
        )
    workbooks = sorted(
        p for p in path.iterdir()
        if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
    )
    csvs = _csv_files(path)
    if len(workbooks) > 1:
        names = ", ".join(p.name for p in workbooks)
        raise SourceError(str(path), f"holds more than one workbook ({names}): give one of them")
    if workbooks and csvs:
        raise SourceError(
            str(path),
            f"holds both a workbook ({workbooks[0].name}) and CSV files "
            f"({', '.join(p.name for p in csvs[:3])}{'…' if len(csvs) > 3 else ''}): "
            "keep one kind, or give the workbook's path",
        )
    if workbooks:
        return Source(path, workbooks[0])
    if not csvs:
        raise SourceError(str(path), "holds no CSV files and no .xlsx workbook")
    return Source(path, None)


def read_tables(source: Source, names: list[str]) -> tuple[dict[str, RawTable], list[Problem]]:
    """Return the raw tables found in `source` by name, and the problems of reading them."""
    if source.workbook is not None:
        return _read_workbook(source.workbook, names)
    tables, problems = {}, []
    # Every entry named *.csv is read, so that a folder, pipe or device by that name is named in a
    # problem rather than skipped as if the table were missing.
    entries = sorted(p for p in source.path.iterdir() if p.suffix.lower() == ".csv")
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
            tables[name] = table
    return tables, problems


def table_key(name: str) -> str:
    """Return the table a file stem or sheet name stands for: any case, any spaces."""
    return "".join(name.split()).lower()


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


class _NotAFile(Exception):
    """A path that is a folder, a pipe, a device or a socket (args[0] says which)."""


def _kind(mode: int) -> str:
    """Return what a non-regular file is, in words, from its stat mode."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def _open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Return `path` opened for reading and its size; _NotAFile unless it is a regular file."""
    # O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer forever.
    # The type is checked on the opened file, so a path swapped after a check cannot slip by.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise _NotAFile(_kind(status.st_mode))
        return os.fdopen(fd, "rb"), status.st_size
    except BaseException:
        os.close(fd)
        raise


def _size(n: int) -> str:
    # Rounded up: a file one byte over 200 MB must not read as "200 MB".
    return f"{-(-n // MB):,} MB" if n >= MB else f"{n:,} bytes"


def _read_bounded(name: str, path: Path) -> tuple[bytes | None, list[Problem]]:
    """Return the bytes of a CSV file read up to MAX_CSV_BYTES, or None and a problem naming it."""
    try:
        stream, size = _open_regular(path)
        with stream:
            # One byte past the limit tells a file that grew since it was measured.
            data = b"" if size > MAX_CSV_BYTES else stream.read(MAX_CSV_BYTES + 1)
    except _NotAFile as exc:
        expected = f"a CSV file; this is {exc.args[0]}"
    except OSError as exc:
        expected = f"a file that can be read ({exc.strerror or exc})"
    else:
        if size <= MAX_CSV_BYTES and len(data) <= MAX_CSV_BYTES:
            return data, []
        expected = (f"a CSV file of at most {_size(MAX_CSV_BYTES)}; this one is "
                    f"{_size(size) if size > MAX_CSV_BYTES else 'larger'}")
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


def _read_workbook(path: Path, names: list[str]) -> tuple[dict[str, RawTable], list[Problem]]:
    """Return the tables of a workbook's sheets, and the problems found reading them: one, if
    `_check_workbook` refuses the workbook (calamine never opens it); SourceError if the file is
    no workbook at all."""
    try:
        sheets, formulas = _check_workbook(path, names)
    except _Refused as refusal:
        label = f"{path} [{refusal.sheet}]" if refusal.sheet else str(path)
        return {}, [_problem("error", "", label, None, None, "", refusal.expected,
                             kind="refused_workbook")]
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        return {}, [_problem("error", "", str(path), None, None, "",
                             f"an Excel workbook that opens ({exc})", kind="refused_workbook")]
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
            tables[name] = table
    return tables, problems


def _formula_problems(
    name: str, label: str, rows: list[list[str]], formulas: list[tuple[int, int, str]]
) -> list[Problem]:
    """Return an error for each formula cell whose value was never saved."""
    header = dict(enumerate((cell.strip().lower() for cell in rows[0]), 1)) if rows else {}
    expected = ("a saved value; this is a formula without a saved value: open and save the "
                "workbook in Excel or LibreOffice")
    return [_problem("error", name, label, row, header.get(column) or f"#{column}", formula,
                     expected, kind="formula_without_value") for row, column, formula in formulas]


# ---------------------------------------------------------------------------------------------
# Checking a workbook before calamine opens it: the zip, its parts, the cells its sheets use


class _Refused(Exception):
    """A workbook that is one, but beyond the limits or built to hurt; `sheet` if one sheet."""

    def __init__(self, expected: str, sheet: str | None = None):
        super().__init__(expected)
        self.expected, self.sheet = expected, sheet


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx saved with a password
_END_OF_DIRECTORY = b"PK\x05\x06"
_LOCAL_HEADER = b"PK\x03\x04"


def _check_workbook(
    path: Path, names: list[str]
) -> tuple[list[str], dict[str, list[tuple[int, int, str]]]]:
    """Return the workbook's sheet names and, for each sheet that will be read, its formulas
    without a saved value (row, column, formula); _Refused if the workbook is beyond the limits,
    SourceError if it is not a workbook.

    Every part is unpacked once, in chunks: the sheets to be read are scanned for the cells they
    use, every other part checked to unpack to the size it declares (the size the limits were
    checked against), and for a DTD."""
    try:
        stream, size = _open_regular(path)
    except _NotAFile as exc:
        raise SourceError(str(path), f"{exc.args[0]}, not an Excel workbook (.xlsx)") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    with stream:
        if stream.read(len(_OLE)) == _OLE:
            raise SourceError(str(path), "an Excel 97-2003 workbook (.xls) or one saved with a "
                              "password, not an .xlsx workbook: save it as Excel Workbook (.xlsx) "
                              "without a password")
        if size > MAX_WORKBOOK_BYTES:
            raise _Refused(f"a workbook file of at most {_size(MAX_WORKBOOK_BYTES)}; this one is "
                           f"{_size(size)}")
        parts = _zip_parts(stream, size, path)
        # The index is read first (each part of it bounded) so that a refusal names the sheet.
        book = _Book(stream, parts)
        for key, info in parts.items():
            if info.file_size > MAX_PART_BYTES:
                raise _Refused(f"workbook parts of at most {_size(MAX_PART_BYTES)} each, "
                               f"unpacked; {info.filename} unpacks to {_size(info.file_size)}",
                               book.sheet_of.get(key))
        total = sum(info.file_size for info in parts.values())
        if total > MAX_WORKBOOK_BYTES:
            raise _Refused(f"a workbook of at most {_size(MAX_WORKBOOK_BYTES)}, unpacked; this "
                           f"one unpacks to {_size(total)}")
        formulas: dict[str, list[tuple[int, int, str]]] = {}
        chosen = _one_per_table([(n, n) for n in book.names if n[:1] != "_"], str, "")[0]
        for table, sheet in chosen.items():
            key = book.sheet_parts.get(sheet)
            if table in names and key in parts:
                formulas[sheet] = _scan_sheet(stream, parts[key], sheet)
        scanned = {book.sheet_parts[sheet] for sheet in formulas} | book.parsed
        for key, info in parts.items():
            if key not in scanned:
                _check_part(stream, info, book.sheet_of.get(key))
    return book.names, formulas


def _zip_parts(stream: BinaryIO, size: int, path: Path) -> dict[str, zipfile.ZipInfo]:
    """Return the zip's parts by lower-case name; SourceError if the file is not a zip."""
    not_a_workbook = SourceError(str(path), "not an Excel workbook (.xlsx): it is not a zip "
                                 "file, as every .xlsx workbook is")
    stream.seek(max(0, size - 22 - 0xFFFF))
    tail = stream.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        raise not_a_workbook
    directory_size, = struct.unpack_from("<L", tail, at + 12)
    comment_size, = struct.unpack_from("<H", tail, at + 20)
    if at + 22 + comment_size != len(tail):
        # The directory record must end the file: where two readers would look for it in
        # different places, calamine could read other parts than the ones checked here.
        raise _Refused("a workbook whose zip directory ends the file, as Excel writes it")
    if directory_size > MAX_DIRECTORY_BYTES:
        raise _Refused(f"a workbook whose zip directory is at most {_size(MAX_DIRECTORY_BYTES)}; "
                       f"this one is {_size(directory_size)}")
    try:
        infos = zipfile.ZipFile(stream).infolist()
    except Exception:  # BadZipFile, and the struct and value errors of a mangled directory
        raise not_a_workbook from None
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        # calamine looks parts up by lower-case name, "\" read as "/": two names it cannot
        # tell apart would let it read the one not checked.
        key = _ascii_lower(info.filename.replace("\\", "/"))
        if key in parts:
            raise _Refused(f"each part of the workbook once; {info.filename} is there twice")
        parts[key] = info
    return parts


def _ascii_lower(text: str) -> str:
    # Lower-cases A-Z only, as calamine (Rust's to_ascii_lowercase) does.
    return text.encode("utf-8", "surrogateescape").lower().decode("utf-8", "surrogateescape")


def _part_chunks(stream: BinaryIO, info: zipfile.ZipInfo, sheet: str | None) -> Iterator[bytes]:
    """Yield a part's bytes as they unpack, CHUNK at most at a time; _Refused as soon as it
    unpacks to more than it declares, or if it is damaged."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(f"workbook parts deflated without a password, as Excel writes them; "
                       f"{info.filename} is encrypted or uses method {info.compress_type}", sheet)
    damaged = _Refused(f"a workbook that is not damaged: {info.filename} does not unpack whole "
                       "(save the workbook again)", sheet)
    stream.seek(info.header_offset)
    header = stream.read(30)
    if len(header) != 30 or header[:4] != _LOCAL_HEADER:
        raise damaged
    name_size, extra_size = struct.unpack_from("<HH", header, 26)
    stream.seek(info.header_offset + 30 + name_size + extra_size)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, unpacked, crc = info.compress_size, 0, 0
    while left > 0:
        packed = stream.read(min(CHUNK, left))
        if not packed:
            raise damaged
        left -= len(packed)
        for data in (packed,) if inflater is None else _inflate(inflater, packed):
            unpacked += len(data)
            if unpacked > info.file_size:
                raise _Refused(f"workbook parts that unpack to the size they declare; "
                               f"{info.filename} unpacks to more than its "
                               f"{info.file_size:,} bytes", sheet)
            crc = zlib.crc32(data, crc)
            yield data
    # An empty part may be written with no deflate stream at all.
    unfinished = inflater is not None and info.compress_size > 0 and not inflater.eof
    if unfinished or unpacked != info.file_size or crc != info.CRC:
        raise damaged


def _inflate(inflater, packed: bytes) -> Iterator[bytes]:
    """Yield what `packed` unpacks to, CHUNK at most at a time."""
    while True:
        # max_length bounds each output: a megabyte packed can unpack to a gigabyte.
        data = inflater.decompress(packed, CHUNK)
        packed = inflater.unconsumed_tail
        if data:
            yield data
        # A full chunk may leave output pending inside zlib: ask again, even with no input.
        if len(data) < CHUNK and (not packed or not data):
            return


def _check_part(stream: BinaryIO, info: zipfile.ZipInfo, sheet: str | None) -> None:
    """Return once a part not read here has unpacked to the size it declares, without a DTD if
    it is XML; _Refused if not (calamine may read it: styles, shared strings, pictures)."""
    xml = info.filename.lower().endswith((".xml", ".rels"))
    tail = b""
    for number, chunk in enumerate(_part_chunks(stream, info, sheet)):
        if not xml:
            continue
        if number == 0:
            _check_utf8(chunk, info, sheet)
        # The last bytes of the chunk before: a declaration split between two chunks.
        if _DECLARATION.search(tail + chunk):
            raise _Refused(_DTD.format(info.filename), sheet)
        tail = chunk[-8:]


_DECLARATION = re.compile(rb"<![A-Za-z]")  # <!DOCTYPE, <!ENTITY…; comments and CDATA pass
_DTD = ("XML without a <!DOCTYPE> or <!ENTITY> declaration, as Excel writes it (an entity can "
        "expand to gigabytes); {} declares one")


def _check_utf8(head: bytes, info: zipfile.ZipInfo, sheet: str | None) -> None:
    # The scans below read bytes: XML in UTF-16 or UTF-32 would hide its tags from them.
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise _Refused(f"XML saved as UTF-8, as Excel saves it; {info.filename} is not", sheet)


# ---------------------------------------------------------------------------------------------
# The workbook's index: where calamine (0.37) finds the sheets, read as it reads it

MAX_INDEX_BYTES = 16 * MB  # workbook.xml and the relationships, read whole
# A namespace prefix as quick_xml splits it off: anything before the first ":", even nothing.
_PREFIX = rb"(?:[^\s<>/:!?][^\s<>/:]*)?:"
_INDEX_TAGS = {local: re.compile(rb"<(?:" + _PREFIX + rb")?" + local
                                 + rb"""(?=[\s/>])((?:"[^"]*"|'[^']*'|[^"'<>])*)>""")
               for local in (b"Relationship", b"sheet")}
# An attribute as calamine's RawAttrIter reads it: the key is whatever comes before "=".
_ATTRIBUTE = rb"""[ \t\n\r\f]*([^=]*?)[ \t\n\r\f]*=[ \t\n\r\f]*(?:"([^"]*)"|'([^']*)')"""
_ATTRIBUTES = (re.compile(_ATTRIBUTE), re.compile(rb"(?:" + _ATTRIBUTE + rb")*[ \t\n\r\f]*"))


class _Book:
    """The workbook's sheets and the parts they are read from, as calamine finds them."""

    def __init__(self, stream: BinaryIO, parts: dict[str, zipfile.ZipInfo]):
        self.stream, self.parts = stream, parts
        self.parsed: set[str] = set()  # the index parts, unpacked here
        self.sheet_parts: dict[str, str] = {}  # sheet name -> part key
        self.sheet_of: dict[str, str] = {}  # part key -> the first sheet read from it
        xl = "xl/"
        for tag in self._tags("_rels/.rels", b"Relationship"):
            if tag.get("Type", "").endswith("/relationships/officeDocument") and "Target" in tag:
                xl = tag["Target"][: tag["Target"].rfind("/") + 1].removeprefix("/")
        targets = {tag.get("Id"): tag.get("Target", "")
                   for tag in self._tags(f"{xl}_rels/workbook.xml.rels", b"Relationship")}
        self.names: list[str] = []
        for tag in self._tags(f"{xl}workbook.xml", b"sheet"):
            name = html.unescape(tag.get("name", ""))  # of the index, calamine unescapes names
            self.names.append(name)
            ids = [value for key, value in tag.items() if key == "id" or key.endswith(":id")]
            target = targets.get(ids[-1]) if ids else None
            if target is not None and name not in self.sheet_parts:
                key = _ascii_lower(target[1:] if target.startswith("/") else xl + target)
                self.sheet_parts[name] = key
                self.sheet_of.setdefault(key, name)

    def _tags(self, name: str, local: bytes) -> list[dict[str, str]]:
        """Return the raw attributes of the elements `local` in the index part `name`."""
        info = self.parts.get(_ascii_lower(name))
        if info is None:
            return []  # calamine says the part is missing when it opens the workbook
        if info.file_size > MAX_INDEX_BYTES:
            raise _Refused(f"a workbook index part of at most {_size(MAX_INDEX_BYTES)}; "
                           f"{info.filename} unpacks to {_size(info.file_size)}")
        data = b"".join(_part_chunks(self.stream, info, None))
        self.parsed.add(_ascii_lower(name))
        _check_utf8(data, info, None)
        irregular = _Refused(f"a workbook index as Excel writes it; {info.filename} is not")
        # A comment hides a tag from calamine, not from this reading; calamine reads ids and
        # targets raw, so a reference (&#49;) or a tab in one sends it to another part.
        if b"<!" in data:
            raise irregular
        tags = []
        for match in _INDEX_TAGS[local].finditer(data):
            raw = match.group(1).rstrip(b"/")
            if not _ATTRIBUTES[1].fullmatch(raw):
                raise irregular
            try:
                tag = {key.decode(): (double or single).decode()
                       for key, double, single in _ATTRIBUTES[0].findall(raw)}
            except UnicodeDecodeError:
                raise irregular from None
            if len(tag) < len(_ATTRIBUTES[0].findall(raw)) or any(
                    "&" in value or any(c in value for c in " \t\n\r\f")
                    for key, value in tag.items() if key not in ("name", "Type")):
                raise irregular
            tags.append(tag)
        return tags


# ---------------------------------------------------------------------------------------------
# The range of cells a sheet uses, streamed: what calamine will allocate

# A cell as Excel, LibreOffice and openpyxl write it: its reference first, then only these
# attributes, simple values. Self-closing cells (<c r="B2" s="1"/>) hold nothing; calamine
# leaves them out of the range, and so does this pattern.
_CELL_ATTRIBUTES = rb'(?: (?:s|t|cm|vm|ph)="[\w.-]*")*'
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,8})"' + _CELL_ATTRIBUTES + rb">")
# Anything else that could be or hold a cell is followed exactly, by _ExactScan.
_IRREGULAR = re.compile(
    rb"<(?:!"  # a comment, CDATA or a DTD
    rb"|" + _PREFIX + rb"[cf][\s/>]"  # a cell or a formula with a namespace prefix
    rb"|f[\s/>]"  # a formula: was its value saved?
    rb'|c(?! r="[A-Z]{1,3}[1-9][0-9]{0,8}"' + _CELL_ATTRIBUTES + rb"/?>)[\s/>])"  # other cells
)


def _scan_sheet(
    stream: BinaryIO, info: zipfile.ZipInfo, sheet: str
) -> list[tuple[int, int, str]]:
    """Return a sheet's formulas without a saved value (row, column, formula); _Refused if the
    cells it uses reach beyond the limits, or its XML declares a DTD. A sheet as Excel writes it
    is scanned by regular expressions (~20 ms a MB); anything irregular is followed by expat."""
    rows = columns = 0
    carry = b""
    for number, chunk in enumerate(_part_chunks(stream, info, sheet)):
        if number == 0:
            _check_utf8(chunk, info, sheet)
        buffer = carry + chunk
        # Cut after the last complete tag: no tag is split between two pieces.
        cut = buffer.rfind(b"<")
        if cut < 0 or buffer.find(b">", cut) >= 0:
            cut = len(buffer)
        piece, carry = buffer[:cut], buffer[cut:]
        if len(carry) > CHUNK:  # a tag cut by a chunk's end is carried over; none is this long
            raise _Refused(f"a sheet as Excel writes it; {info.filename} has a tag longer than "
                           f"{_size(CHUNK)}", sheet)
        refs = _CELL.findall(piece)
        if not _plain(piece, len(refs)) and _IRREGULAR.search(piece):
            return _ExactScan(sheet, info).scan(stream)
        if refs:
            rows = max(rows, max(map(int, map(itemgetter(1), refs))))
            widest = max(set(map(itemgetter(0), refs)), key=lambda letters: (len(letters), letters))
            columns = max(columns, _column_number(widest.decode()))
            _check_extent(rows, columns, sheet)
    if carry:
        return _ExactScan(sheet, info).scan(stream)  # the sheet ends inside a tag
    return []


def _plain(piece: bytes, cells: int) -> bool:
    """Return whether every tag of `piece` starting "<c" is one of its `cells` found by _CELL
    (no <cols>, <c/>, <c  r=…>), and nothing could be a formula, a prefixed cell or a DTD: then
    _IRREGULAR, several times slower, need not look. One-byte tests are memchr-fast."""
    return (piece.count(b"<c") == cells and b"<f" not in piece
            and (b"!" not in piece or b"<!" not in piece)
            and (b":" not in piece or (b":c" not in piece and b":f" not in piece)))


def _column_number(letters: str) -> int:
    return sum(26**i * (ord(c) - 64) for i, c in enumerate(reversed(letters.upper())))


def _column_letters(number: int) -> str:
    return _column_letters((number - 1) // 26) + chr(65 + (number - 1) % 26) if number else ""


def _check_extent(rows: int, columns: int, sheet: str) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise _Refused(
            f"a sheet within A1:{_column_letters(MAX_COLUMNS)}{MAX_ROWS} and at most "
            f"{MAX_CELLS:,} cells from A1; this one spans A1:{_column_letters(columns)}{rows} "
            f"({rows * columns:,} cells)", sheet)


class _ExactScan:
    """A sheet followed tag by tag as calamine reads it, for sheets not as Excel writes them:
    a cell without a reference goes after the one before, a row without one after the row
    before; a formula whose value was never saved is noted."""

    def __init__(self, sheet: str, info: zipfile.ZipInfo):
        self.sheet, self.info = sheet, info
        self.rows = self.columns = 0  # the farthest cell holding something
        self.row, self.column = 1, 1  # where a cell without a reference goes
        self.cell: dict | None = None  # the open cell: where, its type, what it holds
        self.formulas: list[tuple[int, int, str]] = []
        self.parser = expat.ParserCreate()

    def scan(self, stream: BinaryIO) -> list[tuple[int, int, str]]:
        """Return the formulas without a saved value; _Refused as soon as a limit is passed."""
        parser = self.parser
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self._declaration
        parser.StartElementHandler, parser.EndElementHandler = self._start, self._end
        parser.buffer_text = True
        try:
            for number, chunk in enumerate(_part_chunks(stream, self.info, self.sheet)):
                if number == 0:
                    _check_utf8(chunk, self.info, self.sheet)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _Refused(f"a sheet whose XML reads; {self.info.filename}: "
                           f"{expat.ErrorString(exc.code)} at line {exc.lineno}",
                           self.sheet) from None
        return self.formulas

    def _declaration(self, *_) -> None:
        raise _Refused(_DTD.format(self.info.filename), self.sheet)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.partition(":")[2] or name  # quick_xml's local name: after the first ":"
        cell = self.cell
        if cell is not None:
            cell["holds"] = True
            if local in ("f", "v"):
                cell[local] = []
                self.parser.CharacterDataHandler = cell[local].append
            cell["inline"] = cell["inline"] or local == "is"
        elif local == "row" and "r" in attributes:
            self.row = self._position(attributes["r"], column=False)[0]
        elif local == "c":
            row, column = (self._position(attributes["r"], column=True) if "r" in attributes
                           else (self.row, self.column))
            self.cell = {"row": row, "column": column, "type": attributes.get("t", ""),
                         "holds": False, "inline": False, "f": None, "v": None}

    def _end(self, name: str) -> None:
        local = name.partition(":")[2] or name
        self.parser.CharacterDataHandler = None
        cell = self.cell
        if cell is None and local == "row":
            self.row, self.column = self.row + 1, 1
        if cell is None or local != "c":
            return
        row, column = cell["row"], cell["column"]
        self.cell, self.column = None, column + 1
        if cell["holds"]:
            self.rows, self.columns = max(self.rows, row), max(self.columns, column)
            _check_extent(self.rows, self.columns, self.sheet)
        # An empty <v/> is a saved value only for a formula giving text (t="str").
        value = cell["v"]
        saved = cell["inline"] or (value is not None and (any(value) or cell["type"] == "str"))
        if cell["f"] is not None and not saved:
            text = "".join(cell["f"])
            self.formulas.append((row, column, f"={text[:200]}" if text else ""))

    def _position(self, reference: str, column: bool) -> tuple[int, int]:
        """Return (row, column) of a reference such as B7, as calamine reads it."""
        match = re.fullmatch(r"([A-Za-z]*)([0-9]+)", reference)
        if not match or (column and not match[1]) or not match[2].strip("0"):
            raise _Refused(f"cell references such as B7; this sheet has {reference[:20]!r}",
                           self.sheet)
        letters, digits = match.groups()
        # Past nine digits or three letters a reference is beyond every limit (and calamine's
        # 32-bit arithmetic would wrap it round).
        return (int(digits) if len(digits) <= 9 else 10**9,
                _column_number(letters) if len(letters) <= 3 else 10**5)
