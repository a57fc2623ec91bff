"""Loading the programme's records: read every cell as text, parse it, then validate.

`load_records(path)` returns `Records`, one typed frame per table of schema v1, indexed by the
spreadsheet row, or raises `RecordsError` carrying every problem found across all tables.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import thai
from ..errors import Problem, RecordsError, errors_in
from .schema import TABLES, YES_NO_ALIASES, Field, Table, pandera_schema
from .sources import RawTable, read_tables, resolve_source

# "G01 – กลุ่มออมทรัพย์…": the entry workbook's dropdowns show a reference with its name.
_REFERENCE_WITH_NAME = re.compile(r"^(\S+)\s+[–—-]\s+\S.*$")
_SEPARATORS_IN_CODES = re.compile(r"[\s_\-]+")
_INTEGER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$|^[+-]?\d+(\.0*)?$")


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
    raw, problems = read_tables(source, list(TABLES))
    unreadable = {p.table for p in errors_in(problems)} - set(raw)
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES.values():
        if table.name in unreadable:
            frames[table.name] = table.empty_frame()
            continue
        frame, table_problems = _parse_table(table, raw.get(table.name), source.describe())
        frames[table.name] = frame
        problems += table_problems
    labels = {name: t.label for name, t in raw.items()}
    raw_cells = {name: t.cells for name, t in raw.items()}
    problems += _check_rules(frames, raw_cells, labels)
    problems = _with_scopes(problems, frames)
    problems.sort(key=_problem_order)
    if errors == "raise" and errors_in(problems):
        raise RecordsError(problems)
    frames = _without_bad_rows(frames, problems)
    return Records(**frames, problems=problems, source=source.describe(), files=labels)


def row_tambons(frames: dict[str, pd.DataFrame], table: str) -> pd.Series:
    """Return the tambon slug each row of `table` belongs to (NA = province-wide).

    A row's own tambon column (the table's declared scope column) comes first; a row without
    one belongs to its group's tambon, and an attendance row to its session's.
    """
    frame = frames[table]
    declared = TABLES[table].scope_column
    tambons = (frame[declared] if declared
               else pd.Series(pd.NA, index=frame.index, dtype="string"))
    if "group_id" in frame.columns:
        tambons = tambons.fillna(
            frame["group_id"].map(_lookup(frames["groups"], "group_id", "tambon")))
    if table == "attendance":
        session_tambons = row_tambons(frames, "sessions")
        tambons = tambons.fillna(frame["session_id"].map(
            _lookup(frames["sessions"], "session_id", None, session_tambons)))
    return tambons.astype("string")


def _lookup(frame: pd.DataFrame, key: str, column: str | None, values=None) -> pd.Series:
    """Return a mapping key -> column (or -> `values`) over the rows with a unique key."""
    values = frame[column] if column is not None else values
    mapping = pd.Series(values.to_numpy(), index=frame[key].to_numpy())
    mapping = mapping[mapping.index.notna()]
    return mapping[~mapping.index.duplicated(keep="first")]


# ---------------------------------------------------------------------------------------------
# Parsing: text cells -> typed columns


def _parse_table(
    table: Table, raw: RawTable | None, source: str
) -> tuple[pd.DataFrame, list[Problem]]:
    if raw is None:
        if table.optional:
            return table.empty_frame(), []
        where = (f"{source} [sheet {table.name}]" if source.lower().endswith((".xlsx", ".xlsm"))
                 else str(Path(source) / f"{table.name}.csv"))
        return table.empty_frame(), [Problem(
            "error", table.name, where, None, None, "",
            f"the required table {table.name} ({table.label_th})",
        )]
    problems = []
    missing = [c for c in table.required_columns if c not in raw.cells.columns]
    for column in missing:
        problems.append(Problem("error", table.name, raw.label, 1, column, "",
                                f"a column named {column} ({table.field(column).label_th})"))
    cells = raw.cells
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
    already = {(p.row, p.column) for p in problems} | {(r, c) for c in missing for r in frame.index}
    problems += _validate_schema(table, frame, raw, already)
    return frame, problems


def _parse_column(raw: pd.Series, f: Field) -> tuple[pd.Series, list[tuple[int, str, str]]]:
    """Return the column parsed to its dtype (NA where blank or bad) and the bad cells."""
    parse = _PARSERS[f.kind]
    # Values repeat (dates, codes, references): parse each distinct text once.
    parsed: dict[str, object] = {}
    failures: dict[str, str] = {}
    for text in pd.unique(raw.to_numpy()):
        if text == "":
            continue
        try:
            parsed[text] = parse(text, f)
        except ValueError as exc:
            failures[text] = getattr(exc, "expected", None) or f.expected()
    values = raw.map(parsed)
    if f.default is not None:
        values = values.where(raw != "", f.default)
    bad_mask = raw.isin(list(failures))
    bad = [(row, text, failures[text]) for row, text in raw[bad_mask].items()]
    return _typed(values, f), bad


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
    return int(float(digits.replace(",", "")))


def code_key(text: str) -> str:
    """Return the form in which codes and labels are compared: any case, any spacing."""
    return _SEPARATORS_IN_CODES.sub("", thai.normalise(text).casefold())


def _parse_code(text: str, f: Field) -> str:
    lookup = _code_lookup(f)
    try:
        return lookup[code_key(text)]
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
            lookup[code_key(code)] = code
            lookup[code_key(label)] = code
        if f.kind == "yesno":
            lookup.update({code_key(alias): code for alias, code in YES_NO_ALIASES.items()})
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
# Rules across rows and tables


def _check_rules(
    frames: dict[str, pd.DataFrame], cells: dict[str, pd.DataFrame], labels: dict[str, str]
) -> list[Problem]:
    context = _RuleContext(frames, cells, labels)
    for rule in (
        _resolve_references,
        _check_compound_keys,
        _check_session_tambons,
        _check_village_numbers,
        _check_visit_states,
        _check_action_states,
        _check_fish_owner,
        _check_competencies,
        _warn_groups_without_facilitator,
        _warn_rosters_over_participants,
        _warn_blank_rows,
        _warn_undrawable_characters,
    ):
        rule(context)
    return context.problems


@dataclass
class _RuleContext:
    frames: dict[str, pd.DataFrame]
    cells: dict[str, pd.DataFrame]
    labels: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def report(
        self, level, table: str, rows: Iterable[int], column: str, expected, kind: str = ""
    ) -> None:
        """Add one problem per row; `expected` is text or a function of the row."""
        cells = self.cells.get(table)
        for row in rows:
            value = ""
            if cells is not None and column in cells.columns and row in cells.index:
                value = cells.at[row, column]
            text = expected(row) if callable(expected) else expected
            self.problems.append(
                Problem(level, table, self.labels.get(table, table), int(row), column, value, text,
                        kind=kind)
            )


def _resolve_references(ctx: _RuleContext) -> None:
    """Replace aliases by ids (a tambon's Thai or English name) and report dangling ones."""
    tambons = ctx.frames["tambons"]
    tambon_aliases = {}
    for column in ("name_en", "name_th", "tambon"):
        for alias, slug in zip(tambons[column], tambons["tambon"]):
            if pd.notna(alias) and pd.notna(slug):
                tambon_aliases[code_key(alias)] = slug
    for table in TABLES.values():
        frame = ctx.frames[table.name]
        for f in table.fields:
            if f.kind != "ref" or frame.empty:
                continue
            target_table, target_column = f.ref
            known = ctx.frames[target_table][target_column].dropna().unique()
            values = frame[f.name]
            dangling = values.notna() & ~_isin(values, known)
            if target_table == "tambons" and dangling.any():
                values = values.copy()
                values[dangling] = values[dangling].map(
                    lambda v: tambon_aliases.get(code_key(v), v)).astype("string")
                frame[f.name] = values
                dangling = values.notna() & ~_isin(values, known)
            if not dangling.any():
                continue
            choices = list(known)

            def expected(row, f=f, target_table=target_table, target_column=target_column,
                         values=values, choices=choices):
                close = difflib.get_close_matches(str(values[row]), choices, n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                return f"an existing {target_table}.{target_column}{hint}"

            ctx.report("error", table.name, values.index[dangling], f.name, expected)


def _isin(values: pd.Series, known) -> pd.Series:
    """Return values.isin(known) computed by Arrow (pandas converts `known` one by one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(values.astype("string"), from_pandas=True),
                     value_set=pa.array(list(known), type=pa.string()))
    return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)


def _check_compound_keys(ctx: _RuleContext) -> None:
    for table in TABLES.values():
        if not table.key:
            continue
        frame = ctx.frames[table.name]
        if frame.empty:
            continue
        keys = frame[list(table.key)]
        repeated = keys.duplicated(keep="first") & keys.notna().all(axis=1)
        first_row = keys.reset_index().groupby(list(table.key), dropna=True)["row"].first()
        key_text = " + ".join(table.key)
        ctx.report(
            "error", table.name, frame.index[repeated], table.key[-1],
            lambda row, keys=keys: f"each {key_text} once; the same is on row "
            f"{first_row.loc[tuple(keys.loc[row])]}",
        )


def _check_session_tambons(ctx: _RuleContext) -> None:
    sessions = ctx.frames["sessions"]
    group_tambon = _lookup(ctx.frames["groups"], "group_id", "tambon")
    of_group = sessions["group_id"].map(group_tambon)
    disagree = sessions["tambon"].notna() & of_group.notna() & (sessions["tambon"] != of_group)
    ctx.report(
        "error", "sessions", sessions.index[disagree], "tambon",
        lambda row: f"the tambon of group {sessions.at[row, 'group_id']} "
        f"({of_group[row]}), or a blank cell",
    )


def _check_village_numbers(ctx: _RuleContext) -> None:
    groups = ctx.frames["groups"]
    villages = groups["tambon"].map(_lookup(ctx.frames["tambons"], "tambon", "villages"))
    beyond = groups["village_no"].notna() & villages.notna() & (groups["village_no"] > villages)
    ctx.report(
        "error", "groups", groups.index[beyond], "village_no",
        lambda row: f"a village number from 1 to {villages[row]} "
        f"(tambon {groups.at[row, 'tambon']} has {villages[row]} villages)",
    )


def _check_visit_states(ctx: _RuleContext) -> None:
    visits = ctx.frames["visits"]
    done = visits["status"] == "done"
    has_done_on = visits["done_on"].notna()
    ctx.report("error", "visits", visits.index[done & ~has_done_on], "done_on",
               "the date of the visit, since its status is done")
    ctx.report("error", "visits", visits.index[visits["status"].notna() & ~done & has_done_on],
               "status", "done (เสร็จแล้ว), since done_on is given; or clear done_on")
    misplaced = visits["rescheduled"].notna() & visits["status"].notna() & (
        visits["status"] != "postponed")
    ctx.report("error", "visits", visits.index[misplaced], "rescheduled",
               "a blank cell: only a postponed (เลื่อน) visit has a new date")


def _check_action_states(ctx: _RuleContext) -> None:
    actions = ctx.frames["actions"]
    closed = actions["status"].isin(["done", "dropped"])
    has_closed_on = actions["closed_on"].notna()
    ctx.report("error", "actions", actions.index[closed & ~has_closed_on], "closed_on",
               "the date it was closed, since its status is done or dropped")
    ctx.report("error", "actions",
               actions.index[actions["status"].notna() & ~closed & has_closed_on], "status",
               "done or dropped, since closed_on is given; or clear closed_on")


def _check_fish_owner(ctx: _RuleContext) -> None:
    fish = ctx.frames["fish"]
    has_group, has_tambon = fish["group_id"].notna(), fish["tambon"].notna()
    ctx.report("error", "fish", fish.index[has_group & has_tambon], "tambon",
               "a blank cell: a group's fish takes its tambon from the group")
    ctx.report("error", "fish", fish.index[~has_group & ~has_tambon], "group_id",
               "a group_id (a group's fish) or a tambon (the tambon network's own fish)")


def _check_competencies(ctx: _RuleContext) -> None:
    """Map assessments' competency (code or Thai name) to the code, when codes are given."""
    competencies = ctx.frames["competencies"]
    assessments = ctx.frames["assessments"]
    if competencies.empty or assessments.empty:
        return
    aliases = {}
    for code, name in zip(competencies["competency"], competencies["name_th"]):
        if pd.notna(code):
            aliases[code_key(code)] = code
            if pd.notna(name):
                aliases[code_key(name)] = code
    given = assessments["competency"]
    resolved = given.map(lambda v: aliases.get(code_key(v), pd.NA) if pd.notna(v) else pd.NA)
    unknown = given.notna() & resolved.isna()
    assessments["competency"] = resolved.fillna(given).astype("string")
    codes = ", ".join(str(c) for c in competencies["competency"].dropna())
    ctx.report("error", "assessments", assessments.index[unknown], "competency",
               f"a competency of the competencies table ({codes})")
    # Re-check the key now that names and codes are one.
    keys = assessments[["group_id", "date", "competency"]]
    repeated = keys.duplicated(keep="first") & keys.notna().all(axis=1) & ~unknown
    already = {(p.table, p.row) for p in ctx.problems}
    rows = [r for r in assessments.index[repeated] if ("assessments", r) not in already]
    ctx.report("error", "assessments", rows, "competency",
               "each group_id + date + competency once (a name and its code are the same)")


def _warn_groups_without_facilitator(ctx: _RuleContext) -> None:
    groups = ctx.frames["groups"]
    ctx.report("warning", "groups", groups.index[groups["facilitator"].isna()], "facilitator",
               "a responsible facilitator (person_id): the group has none",
               kind="no_facilitator")


def _warn_rosters_over_participants(ctx: _RuleContext) -> None:
    attendance, sessions = ctx.frames["attendance"], ctx.frames["sessions"]
    if attendance.empty:
        return
    present = attendance[attendance["status"] == "present"].groupby("session_id").size()
    counted = sessions["session_id"].map(present)
    over = sessions["participants"].notna() & counted.notna() & (
        counted > sessions["participants"])
    ctx.report(
        "warning", "sessions", sessions.index[over], "participants",
        lambda row: f"at least the {int(counted[row])} people present on the attendance roster",
        kind="roster_over_participants",
    )


def _warn_blank_rows(ctx: _RuleContext) -> None:
    """Blank rows between records are skipped; say so, since a row may have been lost."""
    for table, cells in ctx.cells.items():
        if cells.empty:
            continue
        rows = cells.index.to_numpy()
        gaps = [int(r) for r, previous in zip(rows[1:], rows[:-1]) if r - previous > 1]
        for row in gaps:
            blank_from = int(rows[list(rows).index(row) - 1]) + 1
            ctx.problems.append(Problem(
                "warning", table, ctx.labels[table], blank_from, None, "",
                f"no blank rows between records (rows {blank_from}–{row - 1} are blank and "
                "were skipped)", kind="blank_rows",
            ))


def _warn_undrawable_characters(ctx: _RuleContext) -> None:
    """A character no embedded font can draw would print as a box in the report."""
    for table in TABLES.values():
        frame = ctx.frames[table.name]
        for f in table.fields:
            if f.dtype != pd.StringDtype() or frame.empty:
                continue
            column = frame[f.name].dropna()
            texts = pd.unique(column.to_numpy())
            # One pass over all the column's text first: nearly always nothing is missing.
            if not thai.uncovered_characters("".join(texts)):
                continue
            undrawable = {text: thai.uncovered_characters(text) for text in texts}
            undrawable = {text: chars for text, chars in undrawable.items() if chars}
            for text, chars in undrawable.items():
                names = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars)
                ctx.report("warning", table.name, column.index[column == text], f.name,
                           f"characters the report's font can draw; {names} would print "
                           "as a box", kind="undrawable")


# ---------------------------------------------------------------------------------------------
# Scopes, order, and dropping bad rows


def _with_scopes(problems: list[Problem], frames: dict[str, pd.DataFrame]) -> list[Problem]:
    scopes = {}
    for table in TABLES:
        try:
            scopes[table] = row_tambons(frames, table)
        except KeyError:
            scopes[table] = pd.Series(dtype="string")
    scoped = []
    for p in problems:
        scope = None
        if p.row is not None and p.table in scopes and p.row in scopes[p.table].index:
            value = scopes[p.table].at[p.row]
            scope = None if pd.isna(value) else str(value)
        scoped.append(dataclasses.replace(p, scope=scope))
    return scoped


def _problem_order(p: Problem):
    tables = list(TABLES)
    return (
        p.level != "error",
        tables.index(p.table) if p.table in tables else -1,
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
