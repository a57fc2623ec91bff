"""Loading the programme's records: read every cell as text, parse it, then validate.

`load_records(path)` returns `Records`, one typed frame per table of schema v1, or raises
`RecordsError` carrying every problem found across all tables. A table read from one source is
indexed by the spreadsheet row; a table combined from several sources (a folder of workbooks)
by `(k + 1) * ROW_STRIDE + row` for its k-th source: `Records.origin` and `Records.locate` turn
either back into the workbook, sheet and row (`combine`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .. import thai
from ..errors import Problem, RecordsError, errors_in
from ..scope import scope_problems
from .combine import (
    Pieces,
    alias_maps,
    combine_table,
    decode_problems,
    origin_of,
    place_label,
)
from .rules import check_rules
from .schema import TABLES, WHOLE_NUMBER_MAX, YES_NO_ALIASES, Field, Table, pandera_schema
from .sources import ROW_STRIDE, RawTable, read_sources, resolve_source

# "G01 – กลุ่มออมทรัพย์…": the entry workbook's dropdowns show a reference with its name.
_REFERENCE_WITH_NAME = re.compile(r"^(\S+)\s+[–—-]\s+\S.*$")
_INTEGER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$|^[+-]?\d+(\.0*)?$")
# Control characters (C0 but tab, line feed and carriage return; DEL; C1) do not show where they
# are, and a NUL or an escape sequence in a message can hide or rewrite what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Records:
    """The records: one typed frame per table (index = spreadsheet row), and the problems."""

    tambons: pd.DataFrame
    people: pd.DataFrame
    groups: pd.DataFrame
    sessions: pd.DataFrame
    attendance: pd.DataFrame
    visits: pd.DataFrame
    fish: pd.DataFrame
    assessments: pd.DataFrame
    competencies: pd.DataFrame
    actions: pd.DataFrame
    notes: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)  # table -> where it was read from
    # True when the source holds the example marker (sources.EXAMPLE_FILE or EXAMPLE_SHEET):
    # these records are largely invented, for trying the workbook (the demo data).
    example: bool = False
    # table -> the places it was read from, in order: [source, sheet] ("" for a CSV file).
    # One place: the index is the spreadsheet row; several: see `origin`.
    places: dict[str, list[list[str]]] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Return the frames by table name, in schema order."""
        return {name: getattr(self, name) for name in TABLES}

    @property
    def warnings(self) -> list[Problem]:
        """Return the problems of level warning (usable, but worth a look)."""
        return [p for p in self.problems if p.level == "warning"]

    @property
    def errors(self) -> list[Problem]:
        """Return the problems of level error (only with errors="collect")."""
        return errors_in(self.problems)

    def origin(self, table: str, index: int) -> tuple[str, str, int]:
        """Return where the row `index` of `table` came from: (source, sheet, row), the
        source being the workbook or CSV file, the sheet "" for a CSV file."""
        return origin_of(self.places.get(table, []), index)

    def origins(self, table: str) -> pd.DataFrame:
        """Return, per row of `table` (same index), its source, sheet and spreadsheet row."""
        index = getattr(self, table).index
        rows = [self.origin(table, i) for i in index]
        return pd.DataFrame(rows, index=index, columns=["source", "sheet", "row"])

    def locate(self, problem: Problem) -> int | None:
        """Return the index of the row a problem names (by its file and row), or None."""
        if problem.row is None or problem.table not in self.places:
            return None
        places = self.places[problem.table]
        for k, (source, sheet) in enumerate(places):
            if problem.file == place_label(source, sheet):
                index = problem.row if len(places) == 1 else (k + 1) * ROW_STRIDE + problem.row
                return index if index in getattr(self, problem.table).index else None
        return None


def load_records(
    path: str | Path, errors: Literal["raise", "collect"] = "raise"
) -> Records:
    """Return the records at `path` (a CSV folder or .xlsx), parsed and validated.

    With errors="raise" (the default) any error raises one `RecordsError` carrying every
    problem; with errors="collect" the records come back without the rows that hold an error,
    and `records.problems` lists them all.
    """
    if errors not in ("raise", "collect"):
        raise ValueError("errors must be 'raise' or 'collect'")
    source = resolve_source(path)
    found = read_sources(source, list(TABLES))
    problems = [p for part in found for p in part.problems]
    example = any(part.example for part in found)
    # A workbook refused as a whole (too big, or built to hurt) was not read: its one problem
    # says so, and is not buried under every table reported missing or every reference broken.
    refused = any(part.refused for part in found)
    unreadable = {p.table for p in errors_in(problems)}
    frames: dict[str, pd.DataFrame] = {}
    raw_cells: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    places: dict[str, list[list[str]]] = {}
    reported_rows: set[tuple[str, int]] = set()
    parsed: dict[str, Pieces] = {}
    for table in TABLES.values():
        pieces = [part.tables[table.name] for part in found if table.name in part.tables]
        if refused or (not pieces and table.name in unreadable):
            frames[table.name] = table.empty_frame()
            continue
        if not pieces:
            frame, missing = _parse_table(table, None, source.missing_table(table.name))
            frames[table.name] = frame
            problems += missing
            continue
        parsed[table.name] = Pieces(table)
        for raw in pieces:
            # Cells already reported while reading (a formula without a saved value) are not
            # reported again as blank.
            reported = {(p.row, p.column) for p in problems
                        if p.table == table.name and p.file == raw.label and p.row is not None}
            frame, table_problems = _parse_table(table, raw, source.describe(), reported)
            parsed[table.name].add(raw, frame, table_problems)
    # Every table is parsed before any is combined: rows are compared with their aliases
    # (a tambon's Thai name) read as the ids the tambons and competencies tables give.
    aliases = alias_maps(parsed)
    for name, pieces in parsed.items():
        frame, cells, table_problems, conflicts = combine_table(pieces, problems, aliases)
        problems = [p for p in problems if not pieces.holds(p)] + table_problems
        frames[name], raw_cells[name] = frame, cells
        labels[name] = " + ".join(raw.label for raw in pieces.raws)
        places[name] = [[raw.source or raw.label, raw.sheet] for raw in pieces.raws]
        reported_rows |= {(name, row) for row in conflicts}
    frames = {name: frames[name] for name in TABLES}  # in the tables' declared order
    if not refused:
        problems += check_rules(frames, raw_cells, labels, places, reported_rows)
    problems = scope_problems(problems, frames)
    if errors == "raise" and errors_in(problems):
        raise RecordsError(_sorted(decode_problems(problems, places)))
    frames = _without_bad_rows(frames, problems)
    return Records(**frames, problems=_sorted(decode_problems(problems, places)),
                   source=source.describe(), files=labels, example=example, places=places)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=_problem_order)


# ---------------------------------------------------------------------------------------------
# Parsing: text cells -> typed columns


def _parse_table(
    table: Table, raw: RawTable | None, source: str, reported: set | frozenset = frozenset()
) -> tuple[pd.DataFrame, list[Problem]]:
    """Return the table's typed frame and its problems; `reported` holds the (row, column) of
    cells already reported while reading, which are not reported again. Without `raw`,
    `source` is where the table was looked for."""
    if raw is None:
        if table.optional:
            return table.empty_frame(), []
        where = source
        return table.empty_frame(), [Problem(
            "error", table.name, where, None, None, "",
            f"the required table {table.name} ({table.label_th})",
        )]
    problems = _control_problems(table, raw)
    missing = [c for c in table.required_columns if c not in raw.cells.columns]
    for column in missing:
        problems.append(Problem("error", table.name, raw.label, 1, column, "",
                                f"a column named {column} ({table.field(column).label_th})"))
    cells = raw.cells
    if problems:
        # A cell holding a control character is reported once, then read as blank (by the
        # rules too, which look at the raw cells).
        cells = cells.copy()
        for p in problems:
            if p.row in cells.index and p.column in cells.columns:
                cells.at[p.row, p.column] = ""
        raw.cells = cells
    typed = {}
    for f in table.fields:
        column = cells[f.name] if f.name in cells.columns else pd.Series("", index=cells.index)
        typed[f.name], bad = _parse_column(column, f)
        problems += [
            Problem("error", table.name, raw.label, row, f.name, value, expected)
            for row, value, expected in bad
        ]
    extra = {c: cells[c].astype("string") for c in cells.columns if c not in typed}
    frame = pd.DataFrame({**typed, **extra}, index=cells.index)
    # A cell that did not parse, or a missing column, is reported once, not again as blank.
    already = ({(p.row, p.column) for p in problems} | set(reported)
               | {(r, c) for c in missing for r in frame.index})
    problems += _validate_schema(table, frame, raw, already)
    return frame, problems


def _control_problems(table: Table, raw: RawTable) -> list[Problem]:
    """Return an error for each cell (or header) holding a control character."""
    problems = []
    for column, typed in raw.headers.items():
        if _CONTROL.search(typed):
            problems.append(_control_problem(table, raw, 1, _escaped(column), typed))
    for column in raw.cells.columns:
        values = raw.cells[column]
        # One search over the joined column: nearly always it finds nothing.
        if not _CONTROL.search("".join(values.tolist())):
            continue
        for row, text in values[values.str.contains(_CONTROL.pattern, regex=True)].items():
            problems.append(_control_problem(table, raw, int(row), _escaped(column), text))
    return problems


def _control_problem(table: Table, raw: RawTable, row: int, column: str, text: str) -> Problem:
    found = ", ".join(sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(text)}))
    return Problem("error", table.name, raw.label, row, column, _escaped(text),
                   f"text without control characters; the cell holds {found}",
                   kind="control_character")


def _escaped(text: str) -> str:
    """Return text with its control characters written as \\xNN, so that it prints as it is."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _parse_column(raw: pd.Series, f: Field) -> tuple[pd.Series, list[tuple[int, str, str]]]:
    """Return the column parsed to its dtype (NA where blank or bad) and the bad cells.

    Values repeat (dates, codes, references): each distinct text is parsed once, and the
    column is put together from the parsed distinct values by position (`pd.factorize`),
    never cell by cell: a national fish table has two million cells.
    """
    parse = _PARSERS[f.kind]
    positions, texts = pd.factorize(raw)  # the cells are text, blank ones "": never NA
    parsed: list[object] = []
    failures: dict[int, str] = {}
    for position, text in enumerate(texts.tolist()):
        if text == "":
            parsed.append(f.default)  # None: NA
            continue
        try:
            parsed.append(parse(text, f))
        except ValueError as exc:
            parsed.append(None)
            failures[position] = getattr(exc, "expected", None) or f.expected()
    values = _typed(pd.Series(parsed, dtype=object), f).take(positions).set_axis(raw.index)
    bad_mask = np.isin(positions, list(failures))
    bad = [(row, raw.at[row], failures[position])
           for row, position in zip(raw.index[bad_mask], positions[bad_mask])]
    return values, bad


def _typed(values: pd.Series, f: Field) -> pd.Series:
    if f.kind == "date":
        return pd.to_datetime(values, errors="raise").astype("datetime64[us]")
    return values.astype(f.dtype)


def _parse_text(text: str, f: Field) -> str:
    return thai.normalise(text)


def _parse_reference(text: str, f: Field) -> str:
    text = thai.normalise(text)
    match = _REFERENCE_WITH_NAME.match(text)
    return match.group(1) if match else text


def _parse_date(text: str, f: Field):
    return pd.Timestamp(thai.parse_date(text))


def _parse_integer(text: str, f: Field) -> int:
    digits = thai.to_arabic_digits(text).strip()
    if not _INTEGER.match(digits):
        raise ValueError(text)
    # Exactly, without float: 99999999999999999999 must not round, overflow the Int64 column
    # or take int() past its 4,300 digits.
    whole = digits.replace(",", "").split(".")[0]
    if len(whole.lstrip("+-").lstrip("0")) <= len(str(WHOLE_NUMBER_MAX)):
        number = int(whole)
        if abs(number) <= WHOLE_NUMBER_MAX:
            return number
    low = 0 if f.low is None else f.low
    error = ValueError(text)
    if f.high is not None:
        error.expected = f"a whole number from {low} to {f.high}"
    elif whole.startswith("-"):
        error.expected = f"a whole number, {low} or more"
    else:
        error.expected = f"a whole number up to {WHOLE_NUMBER_MAX:,}"
    raise error


def _parse_code(text: str, f: Field) -> str:
    lookup = _code_lookup(f)
    try:
        return lookup[thai.code_key(text)]
    except KeyError:
        raise ValueError(text) from None


def _parse_yes_no(text: str, f: Field) -> bool:
    code = _parse_code(text, f)
    return code == "yes"


_CODE_LOOKUPS: dict[str, dict[str, str]] = {}


def _code_lookup(f: Field) -> dict[str, str]:
    key = f"{id(f.codes)}"
    if key not in _CODE_LOOKUPS:
        lookup = {}
        for code, label in (f.codes or {}).items():
            lookup[thai.code_key(code)] = code
            lookup[thai.code_key(label)] = code
        if f.kind == "yesno":
            lookup.update({thai.code_key(alias): code for alias, code in YES_NO_ALIASES.items()})
        _CODE_LOOKUPS[key] = lookup
    return _CODE_LOOKUPS[key]


_PARSERS: dict[str, Callable[[str, Field], object]] = {
    "id": _parse_text,
    "slug": _parse_text,
    "text": _parse_text,
    "ref": _parse_reference,
    "date": _parse_date,
    "count": _parse_integer,
    "int": _parse_integer,
    "code": _parse_code,
    "yesno": _parse_yes_no,
}


def _validate_schema(
    table: Table, frame: pd.DataFrame, raw: RawTable, already: set
) -> list[Problem]:
    """Return the problems pandera finds in the parsed frame (lazily: all of them)."""
    import pandera.pandas as pa

    try:
        pandera_schema(table).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    problems = []
    for case in cases.itertuples(index=False):
        row = None if pd.isna(case.index) else int(case.index)
        column = case.column
        if (row, column) in already:
            continue
        if case.check == "field_uniqueness" and _is_first_occurrence(frame, column, row):
            continue  # the first of the repeated ids is the one the others repeat
        value = raw.cells.at[row, column] if row is not None and column in raw.cells else ""
        problems.append(Problem("error", table.name, raw.label, row, column, value,
                                _expected_from_check(case.check, frame, column, row)))
    return problems


def _is_first_occurrence(frame: pd.DataFrame, column: str, row: int) -> bool:
    return frame.index[frame[column] == frame.at[row, column]][0] == row


def _expected_from_check(check: str, frame: pd.DataFrame, column: str, row: int | None) -> str:
    if check == "not_nullable":
        return f"a value: {column} is required"
    if check == "field_uniqueness":
        same = frame.index[frame[column] == frame.at[row, column]]
        return f"a {column} used once; it is also on row {same[0]}"
    return check


# ---------------------------------------------------------------------------------------------
# Order, and dropping bad rows


def _problem_order(p: Problem):
    tables = list(TABLES)
    return (
        p.level != "error",
        tables.index(p.table) if p.table in tables else -1,
        p.file,
        p.row or 0,
        p.column or "",
    )


def _without_bad_rows(
    frames: dict[str, pd.DataFrame], problems: list[Problem]
) -> dict[str, pd.DataFrame]:
    bad: dict[str, set[int]] = {}
    for p in errors_in(problems):
        if p.row is not None:
            bad.setdefault(p.table, set()).add(p.row)
    return {
        name: frame.drop(index=[r for r in bad.get(name, ()) if r in frame.index])
        for name, frame in frames.items()
    }
