"""The rules across rows and tables: references, keys, states, and the warnings.

Each rule reads the typed frames (and the cells as typed, to quote them) and adds problems;
none changes a value, except `_resolve_references`, which replaces an alias (a tambon's Thai
or English name, "G01 – name") by its id so that the measures match on ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import thai
from ..errors import Problem
from ..frames import lookup
from .plausibility import HAPPENED, as_typed_in_thai, event_span, probable_date
from .schema import TABLES
from .sources import ROW_STRIDE


def check_rules(
    frames: dict[str, pd.DataFrame], cells: dict[str, pd.DataFrame], labels: dict[str, str],
    places: dict[str, list[list[str]]] | None = None,
    reported: set[tuple[str, int]] | frozenset = frozenset(),
) -> list[Problem]:
    """Return the problems every rule finds in the typed frames (`cells`: the text as typed).

    `places` names the sources of a table combined from several (Records.places); `reported`
    holds the (table, row) of rows already in conflict across sources, not reported again as
    repeated keys."""
    context = _RuleContext(frames, cells, labels, places or {}, set(reported))
    for rule in (
        _resolve_references,
        _check_compound_keys,
        _check_session_tambons,
        _check_village_numbers,
        _check_visit_states,
        _check_action_states,
        _check_fish_owner,
        _check_competencies,
        _check_dates,
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
    places: dict[str, list[list[str]]] = field(default_factory=dict)
    reported: set[tuple[str, int]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def row_text(self, table: str, row: int, near: int) -> str:
        """Return "row N" for a row of the same source as the row `near`; for a row of another
        source of a combined table, "book.xlsx [sheet] row N"."""
        row = int(row)
        if row < ROW_STRIDE or row // ROW_STRIDE == int(near) // ROW_STRIDE:
            return f"row {row % ROW_STRIDE}"
        source, sheet = self.places[table][row // ROW_STRIDE - 1]
        place = f"{source} [{sheet}]" if sheet else source
        return f"{place} row {row % ROW_STRIDE}"

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
                tambon_aliases[thai.code_key(alias)] = slug
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
                    lambda v: tambon_aliases.get(thai.code_key(v), v)).astype("string")
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
    """Return values.isin(known) computed by Arrow (pandas converts `known` one by one); a
    blank value is never in it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def as_arrow(texts) -> pa.Array:  # both sides alike: Arrow compares one type of string
        return pa.array(pd.Series(texts).astype("string"), from_pandas=True)

    found = pc.is_in(as_arrow(values), value_set=as_arrow(known))
    return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)


def _check_compound_keys(ctx: _RuleContext) -> None:
    for table in TABLES.values():
        if not table.key:
            continue
        frame = ctx.frames[table.name]
        if frame.empty:
            continue
        # Rows in conflict across sources have their own error, naming both places.
        keys = frame[list(table.key)][[(table.name, r) not in ctx.reported for r in frame.index]]
        repeated = keys.duplicated(keep="first") & keys.notna().all(axis=1)
        first_row = keys.rename_axis("row").reset_index().groupby(
            list(table.key), dropna=True)["row"].first()
        key_text = " + ".join(table.key)
        ctx.report(
            "error", table.name, keys.index[repeated], table.key[-1],
            lambda row, keys=keys, first_row=first_row, key_text=key_text, name=table.name:
            f"each {key_text} once; the same is on "
            f"{ctx.row_text(name, first_row.loc[tuple(keys.loc[row])], row)}",
        )


def _check_session_tambons(ctx: _RuleContext) -> None:
    sessions = ctx.frames["sessions"]
    group_tambon = lookup(ctx.frames["groups"], "group_id", "tambon")
    of_group = sessions["group_id"].map(group_tambon)
    disagree = sessions["tambon"].notna() & of_group.notna() & (sessions["tambon"] != of_group)
    ctx.report(
        "error", "sessions", sessions.index[disagree], "tambon",
        lambda row: f"the tambon of group {sessions.at[row, 'group_id']} "
        f"({of_group[row]}), or a blank cell",
    )


def _check_village_numbers(ctx: _RuleContext) -> None:
    groups = ctx.frames["groups"]
    villages = groups["tambon"].map(lookup(ctx.frames["tambons"], "tambon", "villages"))
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
            aliases[thai.code_key(code)] = code
            if pd.notna(name):
                aliases[thai.code_key(name)] = code
    given = assessments["competency"]
    resolved = given.map(lambda v: aliases.get(thai.code_key(v), pd.NA) if pd.notna(v) else pd.NA)
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


def _check_dates(ctx: _RuleContext) -> None:
    """Report dates that cannot be true, each with the date probably meant.

    A record of something that happened dated after the day of the run; any date outside
    the span of the records' events. Both are errors: the rows are set aside before as-of is
    resolved, so no single date can move a report's period.
    """
    today = pd.Timestamp(thai.run_date())
    happened = {(table, column): _happened_rows(ctx, table, column)
                for table, column in HAPPENED}
    future = {key: rows & (ctx.frames[key[0]][key[1]] > today).to_numpy(bool)
              for key, rows in happened.items()}
    events = pd.concat([ctx.frames[t][c][rows & ~future[(t, c)]]
                        for (t, c), rows in happened.items()])
    span = event_span(events)

    def suggestion(date) -> str:
        meant = probable_date(date, span) if span is not None else None
        return f"; probably {as_typed_in_thai(meant)}" if meant is not None else ""

    for (table, column), rows in future.items():
        dates = ctx.frames[table][column]
        ctx.report("error", table, dates.index[rows], column, lambda row, d=dates: (
            f"a date on or before {as_typed_in_thai(today)}, the day of this run: a record of "
            f"something that happened cannot be later" + suggestion(d[row])), kind="future_date")
    if span is None:
        return
    for table in TABLES.values():
        frame = ctx.frames[table.name]
        for f in table.fields:
            if f.kind != "date" or frame.empty:
                continue
            dates = frame[f.name]
            outside = (dates.notna() & ((dates < span.low) | (dates > span.high))).to_numpy(bool)
            if (table.name, f.name) in future:
                outside = outside & ~future[(table.name, f.name)]
            ctx.report("error", table.name, dates.index[outside], f.name, lambda row, d=dates: (
                f"a date {span.describe()}, the span of the records' events"
                + suggestion(d[row])), kind="date_out_of_span")


def _happened_rows(ctx: _RuleContext, table: str, column: str) -> np.ndarray:
    """Return, per row of `table`, whether `column` dates something that happened."""
    frame = ctx.frames[table]
    dated = frame[column].notna().to_numpy(bool)
    if table != "sessions":
        return dated
    attendance = ctx.frames["attendance"]
    present = attendance.loc[attendance["status"].eq("present").fillna(False).to_numpy(bool),
                             "session_id"]
    took_place = (frame["participants"].fillna(0).gt(0).to_numpy(bool)
                  | _isin(frame["session_id"], present.dropna()).to_numpy(bool))
    return dated & took_place


def _warn_groups_without_facilitator(ctx: _RuleContext) -> None:
    groups = ctx.frames["groups"]
    ctx.report("warning", "groups", groups.index[groups["facilitator"].isna()], "facilitator",
               "a responsible facilitator (person_id): the group has none",
               kind="no_facilitator")


def _warn_rosters_over_participants(ctx: _RuleContext) -> None:
    attendance, sessions = ctx.frames["attendance"], ctx.frames["sessions"]
    if attendance.empty or sessions.empty:  # sessions unreadable: its error says why
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
        # Rows of two sources of a combined table are no gap: each source starts afresh.
        gaps = [(int(previous) + 1, int(r)) for r, previous in zip(rows[1:], rows[:-1])
                if r - previous > 1 and r // ROW_STRIDE == previous // ROW_STRIDE]
        for blank_from, row in gaps:
            ctx.problems.append(Problem(
                "warning", table, ctx.labels[table], blank_from, None, "",
                f"no blank rows between records (rows {blank_from % ROW_STRIDE}–"
                f"{(row - 1) % ROW_STRIDE} are blank and were skipped)", kind="blank_rows",
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
