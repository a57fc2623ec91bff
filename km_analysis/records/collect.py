"""What returned workbooks bring: each workbook of an inbox compared with the current records.

A tambon's facilitators fill in their own workbook (`km template --tambon`) and send it back.
Before the coordinator adds it to the records, `km collect INBOX --data CURRENT` says, per
workbook and table, which rows are new, changed, unchanged or removed, and which keys two
workbooks of the inbox bring with different content. Nothing is written.

Rows are compared on their values as `load_records` leaves them (parsed and normalised, a
tambon's Thai name resolved to its slug, a competency's name to its code), so a date typed
15/11/2549 and a date cell 2006-11-15 are the same value. Each workbook is loaded alone, as
`km check --data BOOK.xlsx` loads it: a tambon's workbook holds the shared tables its rows
refer to. A workbook holding an error is refused with every problem, and the others are still
compared.

Keys: the table's id column, else its compound key; fish and notes have none, so a row is its
whole content and an edited item is one removed row and one new row. "Removed" means a row of
CURRENT that belongs to one of the workbook's tambons, in a table the workbook holds, and that
the workbook no longer holds; province-wide rows are never removed by a tambon's workbook.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import thai
from ..errors import KmError, Problem, SourceError, UsageError, errors_in
from ..scope import row_tambons
from .combine import place_label
from .load import Records, load_records
from .schema import TABLES, Table
from .sources import WORKBOOK_SUFFIXES

# The tables every tambon's workbook holds whole, so that its references resolve: their rows
# are compared, but they do not say which tambons a workbook is about.
SHARED_TABLES = ("tambons", "people", "competencies")
# What names a row of a table without a key, for people to recognise it.
_LABEL_COLUMNS = {"fish": ("group_id", "tambon", "part", "item"),
                  "notes": ("tambon", "date", "title")}


@dataclass(frozen=True)
class Place:
    """Where a row is, as the user finds it: workbook (or CSV file), sheet, spreadsheet row."""

    source: str
    sheet: str
    row: int

    def __str__(self) -> str:
        return f"{place_label(self.source, self.sheet)} row {self.row}"

    def in_book(self) -> str:
        """Return the place within its workbook: "[sheet] row N" (a CSV file: "row N")."""
        return f"[{self.sheet}] row {self.row}" if self.sheet else f"row {self.row}"


@dataclass(frozen=True)
class RowChange:
    """One row a workbook brings new, changes or no longer holds.

    `columns` lists (column, value in the current records, value in the workbook) for a
    changed row; `place` is the row in the workbook, `was` the row in the current records."""

    table: str
    key: str
    place: Place | None = None
    was: Place | None = None
    columns: tuple[tuple[str, object, object], ...] = ()


@dataclass(frozen=True)
class TableCount:
    """How many rows of one table a workbook holds, and what they are to the current records."""

    table: str
    rows: int
    new: int
    changed: int
    unchanged: int
    removed: int


@dataclass
class Brought:
    """What one workbook brings against the current records."""

    workbook: str
    tambons: dict[str, str] = field(default_factory=dict)  # slug -> Thai name
    counts: list[TableCount] = field(default_factory=list)
    new: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Return True when the workbook holds an error: nothing of it is compared."""
        return bool(errors_in(self.problems))


@dataclass(frozen=True)
class Conflict:
    """One key two workbooks bring with different content: (column, value here, value there)."""

    table: str
    key: str
    places: tuple[Place, Place]
    columns: tuple[tuple[str, object, object], ...]


@dataclass
class Comparison:
    """What every workbook of an inbox brings, and the keys two of them disagree on."""

    current: str
    workbooks: list[Brought]
    conflicts: list[Conflict]
    # Errors in the current records: their rows are left out, so a workbook holding such a
    # row shows it as new.
    current_errors: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> list[Brought]:
        """Return the workbooks refused by the checks."""
        return [b for b in self.workbooks if b.refused]


# ---------------------------------------------------------------------------------------------
# Reading the inbox


def inbox_workbooks(inbox: Path) -> list[Path]:
    """Return the workbooks of a folder (.xlsx, .xlsm, .ods; not Excel's ~$ lock files);
    UsageError when it is no folder or holds none. CSV files and folders in it are not read:
    what the tambons send back is a workbook each."""
    if not inbox.exists():
        raise UsageError(f"{inbox}: no such folder (expected a folder of returned workbooks)")
    if not inbox.is_dir():
        raise UsageError(f"{inbox}: not a folder (expected a folder of returned workbooks)")
    books = sorted(p for p in inbox.iterdir() if p.is_file()
                   and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$"))
    if not books:
        raise UsageError(f"{inbox}: holds no workbook (.xlsx, .ods) to collect")
    return books


def read_workbook(path: Path) -> Records:
    """Return a workbook's records loaded alone (errors collected, never raised); a file that
    is no workbook at all comes back empty with the one problem saying so."""
    try:
        return load_records(path, errors="collect")
    except SourceError as exc:
        problem = Problem("error", "", str(path), None, None, "", exc.reason,
                          kind="refused_workbook")
    except KmError as exc:
        problem = Problem("error", "", str(path), None, None, "", str(exc),
                          kind="refused_workbook")
    empty = {name: table.empty_frame() for name, table in TABLES.items()}
    return Records(**empty, problems=[problem], source=str(path))


def collect(inbox: str | Path, current: str | Path) -> Comparison:
    """Return what each workbook of the folder `inbox` brings against the records at
    `current` (loaded with errors collected: rows holding an error are left out)."""
    books = [read_workbook(path) for path in inbox_workbooks(Path(inbox))]
    return compare(load_records(current, errors="collect"), books)


# ---------------------------------------------------------------------------------------------
# Comparing


def compare(current: Records, incoming: Sequence[Records]) -> Comparison:
    """Return what each of the `incoming` records (one workbook each) brings against
    `current`, and the keys two of them bring with different content."""
    now = current.frames()
    keys_of = {name: dict(zip(frame.index, row_keys(TABLES[name], frame)))
               for name, frame in now.items()}
    indexed = {name: {key: index for index, key in keys.items()}
               for name, keys in keys_of.items()}
    scopes = {name: row_tambons(now, name) for name in TABLES}
    brought = []
    for book in incoming:
        if errors_in(book.problems):
            brought.append(Brought(book.source, problems=book.problems))
            continue
        brought.append(_brought(current, indexed, keys_of, scopes, book))
    good = [book for book in incoming if not errors_in(book.problems)]
    return Comparison(current.source, brought, _conflicts(good), current.errors)


def workbook_tambons(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Return the tambons a workbook's rows belong to (its shared tables aside), with their
    Thai names."""
    found: set[str] = set()
    for name in TABLES:
        if name not in SHARED_TABLES:
            found |= set(row_tambons(frames, name).dropna())
    names = frames["tambons"].set_index("tambon")["name_th"]
    return {slug: str(names.get(slug, "")) for slug in sorted(found)}


def _brought(current: Records, indexed: dict[str, dict[tuple, int]],
             keys_of: dict[str, dict[int, tuple]], scopes: dict[str, pd.Series],
             book: Records) -> Brought:
    frames = book.frames()
    result = Brought(book.source, tambons=workbook_tambons(frames), problems=book.problems)
    for name, frame in frames.items():
        if name not in book.places:
            continue  # a table the workbook does not hold changes nothing
        table = TABLES[name]
        known = indexed[name]
        held: set[tuple] = set()
        new = changed = 0
        for key, index in _keyed(table, frame).items():
            held.add(key)
            place = Place(*book.origin(name, index))
            if key not in known:
                new += 1
                result.new.append(RowChange(name, _key_text(table, frame, index), place))
                continue
            was = known[key]
            differing = _differing(table, getattr(current, name).loc[was], frame.loc[index])
            if differing:
                changed += 1
                result.changed.append(RowChange(name, _key_text(table, frame, index), place,
                                                Place(*current.origin(name, was)), differing))
        old = getattr(current, name)
        in_scope = scopes[name].isin(list(result.tambons)).fillna(False).to_numpy(bool)
        gone = [i for i in old.index[in_scope] if keys_of[name][i] not in held]
        result.removed += [RowChange(name, _key_text(table, old, i),
                                     was=Place(*current.origin(name, i))) for i in gone]
        result.counts.append(TableCount(name, len(frame), new, changed,
                                        len(frame) - new - changed, len(gone)))
    return result


def _conflicts(books: Sequence[Records]) -> list[Conflict]:
    """Return each key that two workbooks bring with different content, against the first
    workbook that brought it."""
    conflicts = []
    for name, table in TABLES.items():
        if not (table.id_column or table.key):
            continue  # a row without a key is its content: two contents are two rows
        first: dict[tuple, tuple[Records, int]] = {}
        for book in books:
            if name not in book.places:
                continue
            frame = getattr(book, name)
            for key, index in _keyed(table, frame).items():
                other, there = first.setdefault(key, (book, index))
                if other is book:
                    continue
                differing = _differing(table, getattr(other, name).loc[there], frame.loc[index])
                if differing:
                    places = (Place(*other.origin(name, there)), Place(*book.origin(name, index)))
                    conflicts.append(Conflict(name, _key_text(table, frame, index), places,
                                              differing))
    return conflicts


# ---------------------------------------------------------------------------------------------
# Rows, keys and values


def key_columns(table: Table) -> list[str]:
    """Return the columns that name a row: the id, the compound key, else every column."""
    return [table.id_column] if table.id_column else list(table.key) or table.columns


def _keyed(table: Table, frame: pd.DataFrame) -> dict[tuple, int]:
    """Return {key: index} for the rows of `frame`."""
    return dict(zip(row_keys(table, frame), frame.index))


def row_keys(table: Table, frame: pd.DataFrame) -> list[tuple]:
    """Return each row's key, in the frame's order. A table without a key is keyed by its
    whole content and how many times it was met before, so that an item twice is two rows."""
    columns = key_columns(table)
    keys = [_values(row) for row in frame[columns].itertuples(index=False, name=None)]
    if columns == table.columns:
        seen: Counter = Counter()
        counted = []
        for key in keys:
            counted.append((*key, seen[key]))
            seen[key] += 1
        keys = counted
    return keys


def _values(row) -> tuple:
    """Return a row's values as plain Python values (numpy's as Python's), None for blank."""
    return tuple(None if pd.isna(v) else v.item() if isinstance(v, np.generic) else v
                 for v in row)


def _differing(table: Table, before: pd.Series, after: pd.Series
               ) -> tuple[tuple[str, object, object], ...]:
    """Return (column, before, after) for each column of the table whose value differs."""
    old, new = _values(before[table.columns]), _values(after[table.columns])
    return tuple((c, a, b) for c, a, b in zip(table.columns, old, new) if a != b)


def _key_text(table: Table, frame: pd.DataFrame, index: int) -> str:
    """Return how a row is named: its key values, or for a row without a key what it says."""
    columns = _LABEL_COLUMNS.get(table.name) or key_columns(table)
    values = _values(frame.loc[index, columns])
    return " · ".join(shown(v) for v in values if v is not None)


def shown(value: object) -> str:
    """Return a parsed value as people read it: a date in พ.ศ., yes/no, "" for blank."""
    if value is None:
        return ""
    if isinstance(value, pd.Timestamp):
        return thai.format_date(value.date())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
