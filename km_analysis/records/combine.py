"""One table from several sources: a folder of workbooks, one per tambon or facilitator.

Each source's rows are parsed as they are (index = spreadsheet row), then shifted so that the
k-th source's row r is `(k + 1) * ROW_STRIDE + r`, and combined. The same row in two places
(the same key and the same values) is one row; the same key with different values in two
places is an error on both rows, each naming the other place. A table read from one source
keeps its spreadsheet rows as they are.

Keys: the table's id column, else its compound key; a table without either (fish, notes) is
keyed by all its columns, so only the very same item in two places is one item.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .. import thai
from ..errors import Problem
from .schema import Table
from .sources import ROW_STRIDE, RawTable


def place_label(source: str, sheet: str) -> str:
    """Return how problems name a place: "book.xlsx [sheet]", or the CSV file."""
    return f"{source} [{sheet}]" if sheet else source


def origin_of(places: list[list[str]], index: int) -> tuple[str, str, int]:
    """Return (source, sheet, spreadsheet row) of the row `index` of a table read from
    `places` (Records.places)."""
    index = int(index)
    if len(places) <= 1:
        source, sheet = places[0] if places else ("", "")
        return source, sheet, index
    source, sheet = places[index // ROW_STRIDE - 1]
    return source, sheet, index % ROW_STRIDE


def decode_problems(problems: list[Problem], places: dict[str, list[list[str]]]) -> list[Problem]:
    """Return the problems with each row of a combined table named as the user finds it:
    its workbook and sheet (or CSV file), and its spreadsheet row."""
    decoded = []
    for p in problems:
        where = places.get(p.table, [])
        if p.row is not None and len(where) > 1 and p.row >= ROW_STRIDE:
            source, sheet, row = origin_of(where, p.row)
            p = dataclasses.replace(p, file=place_label(source, sheet), row=row)
        decoded.append(p)
    return decoded


@dataclasses.dataclass
class Pieces:
    """A table's parsed pieces, one per source that holds it, in the sources' order."""

    table: Table
    raws: list[RawTable] = dataclasses.field(default_factory=list)
    frames: list[pd.DataFrame] = dataclasses.field(default_factory=list)
    problems: list[list[Problem]] = dataclasses.field(default_factory=list)

    def add(self, raw: RawTable, frame: pd.DataFrame, problems: list[Problem]) -> None:
        """Add the piece read as `raw`, parsed to `frame` with `problems`."""
        self.raws.append(raw)
        self.frames.append(frame)
        self.problems.append(problems)

    def holds(self, problem: Problem) -> bool:
        """Return whether a problem found while reading is about one of these pieces."""
        return problem.table == self.table.name and any(
            problem.file == raw.label for raw in self.raws)


# Tables whose rows other tables may name by an alias, with their id and alias columns: a
# tambon by its Thai or English name, a competency by its Thai name (records/rules.py turns
# the aliases into ids once the tables are combined).
ALIASED = {"tambons": ("tambon", ("name_th", "name_en")),
           "competencies": ("competency", ("name_th",))}


def alias_maps(pieces: dict[str, Pieces]) -> dict[str, dict[str, str]]:
    """Return, per aliased table, code_key(id or alias) → id, from every piece of it."""
    maps: dict[str, dict[str, str]] = {}
    for name, (id_column, alias_columns) in ALIASED.items():
        found = maps.setdefault(name, {})
        for frame in pieces[name].frames if name in pieces else []:
            for column in (id_column, *alias_columns):
                for alias, id_ in zip(frame[column], frame[id_column]):
                    if pd.notna(alias) and pd.notna(id_):
                        found.setdefault(thai.code_key(alias), id_)
    return maps


def _aliased_columns(table: Table) -> list[tuple[str, str]]:
    """Return (column, aliased table) for the columns of `table` that may hold an alias."""
    columns = [(f.name, f.ref[0]) for f in table.fields if f.ref and f.ref[0] in ALIASED]
    if table.name == "assessments":  # a code or a Thai name: see rules._check_competencies
        columns.append(("competency", "competencies"))
    return columns


def _as_compared(table: Table, frame: pd.DataFrame,
                 aliases: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Return `frame` as rows are compared across sources: an alias as the id it names, so
    that "บางจาก" in one workbook and "bangjak" in another are the same tambon."""
    compared = frame.copy()
    for column, target in _aliased_columns(table):
        known = aliases.get(target, {})
        if known:
            compared[column] = frame[column].map(
                lambda v, known=known: known.get(thai.code_key(v), v) if pd.notna(v) else v)
    return compared


def combine_table(
    pieces: Pieces, read_problems: list[Problem], aliases: dict[str, dict[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem], set[int]]:
    """Return the table combined from its pieces: the typed frame, the cells as typed (same
    index), its problems (those found reading the pieces, rows shifted alike, and the
    conflicts), and the rows in conflict. Rows are compared with aliases read as ids."""
    table = pieces.table
    if len(pieces.raws) == 1:
        held = [p for p in read_problems if pieces.holds(p)]
        return pieces.frames[0], pieces.raws[0].cells, held + pieces.problems[0], set()
    frames, cells, problems = [], [], []
    for k, (raw, frame, parsed) in enumerate(zip(pieces.raws, pieces.frames, pieces.problems)):
        offset = (k + 1) * ROW_STRIDE
        frames.append(frame.set_axis(frame.index + offset))
        cells.append(raw.cells.set_axis(raw.cells.index + offset))
        own = [p for p in read_problems if p.table == table.name and p.file == raw.label]
        problems += [p if p.row is None else dataclasses.replace(p, row=p.row + offset)
                     for p in own + parsed]
    frame = pd.concat(frames)
    extra = [c for c in frame.columns if c not in table.columns]
    frame[extra] = frame[extra].astype("string")
    for f in table.fields:
        frame[f.name] = frame[f.name].astype(pieces.frames[0][f.name].dtype)
    cell_frame = pd.concat(cells).fillna("")
    labels = [raw.label for raw in pieces.raws]
    drop, conflicts, found = _same_and_conflicting(
        table, _as_compared(table, frame, aliases), cell_frame, labels)
    return frame.drop(index=drop), cell_frame.drop(index=drop), problems + found, conflicts


def _same_and_conflicting(
    table: Table, frame: pd.DataFrame, cells: pd.DataFrame, labels: list[str]
) -> tuple[list[int], set[int], list[Problem]]:
    """Return the rows that repeat a row of an earlier source (to drop), the rows whose key an
    other source holds with other values, and an error on each of those."""
    key = [table.id_column] if table.id_column else list(table.key) or table.columns
    keys = frame[key]
    repeated = keys.duplicated(keep=False)
    if key != table.columns:  # a key with a blank part is no key (its own error says so)
        repeated &= keys.notna().all(axis=1)
    candidates = frame.index[repeated.to_numpy()]
    first: dict[tuple, int] = {}
    drop: list[int] = []
    conflicts: set[int] = set()
    problems: list[Problem] = []
    seen_in: set[tuple] = set()  # (key, source): a key already met in that source
    for index in candidates:
        values = tuple(None if pd.isna(v) else v for v in keys.loc[index])
        piece = index // ROW_STRIDE
        if (values, piece) in seen_in:
            continue  # a repeat within one source: the table's own uniqueness check speaks
        seen_in.add((values, piece))
        other = first.setdefault(values, index)
        if other == index:
            continue
        here, there = _content(frame, table, index), _content(frame, table, other)
        if here == there:
            drop.append(index)
            continue
        differing = [c for c in table.columns if here[c] != there[c]]
        key_text = ", ".join(f"{c} {v}" for c, v in zip(key, values))
        for row, elsewhere in ((index, other), (other, index)):
            if row in conflicts and row == other:
                continue  # the first place is named once, against the first other place
            conflicts.add(row)
            problems.append(_conflict(table, cells, labels, row, elsewhere, differing, key_text))
    return drop, conflicts, problems


def _content(frame: pd.DataFrame, table: Table, index: int) -> dict[str, object]:
    return {c: (None if pd.isna(v) else v) for c, v in frame.loc[index, table.columns].items()}


def _typed(cells: pd.DataFrame, index: int, column: str) -> str:
    return str(cells.at[index, column]) if column in cells.columns else ""


def _conflict(table: Table, cells: pd.DataFrame, labels: list[str], row: int, elsewhere: int,
              differing: list[str], key_text: str) -> Problem:
    column = differing[0]
    there = f"{labels[elsewhere // ROW_STRIDE - 1]} row {elsewhere % ROW_STRIDE}"
    shown = "; ".join(f"{c} {_typed(cells, elsewhere, c)!r}" for c in differing)
    return Problem(
        "error", table.name, labels[row // ROW_STRIDE - 1], row, column, _typed(cells, row, column),
        f"the same values as {there}, which holds the same {table.name} row ({key_text}) with "
        f"{shown}: keep one version of the row, in one place", kind="conflicting_row")
