"""Progress measures of a tambon as of a date: pure functions over the records' frames.

Every function takes `Records` (as `load_records` returns them) and plain values, and returns
numbers or fresh frames; nothing is read, written, printed or changed in the records. Codes stay
codes (the report adds the Thai labels). Dates may be given as a `pandas.Timestamp`, a
`datetime.date` or a string (ISO, or any form `thai.parse_date` reads, e.g. "2549-10-30").

The period of a report is `since < date <= as_of` (ARCHITECTURE.md, "The period of a report"),
and every status is judged as of `as_of`: a visit is done if done_on <= as_of, an action is open
if raised <= as_of and not closed_on <= as_of.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import thai
from ..errors import UsageError

NETWORK = "network"  # the owner of a tambon network's own fish items
FISH_PARTS = ("head", "body", "tail")
FACILITATOR_ROLES = ("project_facilitator", "community_facilitator", "coordinator")
VISIT_STATES = ("done", "overdue", "planned", "postponed", "postponed_undated", "cancelled",
                "no_plan")
DEFAULT_SINCE_DAYS = 30


@dataclass(frozen=True)
class Period:
    """The period of a report: the dates d with since < d <= as_of."""

    as_of: pd.Timestamp  # inclusive end
    since: pd.Timestamp  # exclusive start


# ---------------------------------------------------------------------------------------------
# The period


def default_as_of(records, today: dt.date | None = None) -> pd.Timestamp:
    """Return the latest date on which something happened, capped at today.

    Something happened = a held session, a visit done, a fish item recorded, an action raised
    or closed. Without any such date, today (default `date.today()`).
    """
    today = _day(dt.date.today() if today is None else today, "today")
    sessions = records.sessions
    dates = [
        sessions.loc[_held(sessions), "date"],
        records.visits["done_on"],
        records.fish["recorded"],
        records.actions["raised"],
        records.actions["closed_on"],
    ]
    latest = max((d.max() for d in dates if d.notna().any()), default=None)
    if latest is None:
        return today
    return min(pd.Timestamp(latest).normalize(), today)


def default_since(records, tambon: str | None, as_of) -> pd.Timestamp:
    """Return the date of the last held sponsor forum before as_of, else as_of - 30 days.

    The forum counts when it is the tambon's own or province-wide; for tambon None (the
    province overview) any sponsor forum counts. "Before" is strict: a forum on as_of itself
    opens the next period, not this one.
    """
    as_of = _day(as_of, "as_of")
    sessions = records.sessions
    forums = _held(sessions) & sessions["kind"].eq("sponsor_forum").to_numpy(bool)
    forums &= (sessions["date"] < as_of).to_numpy(bool)
    if tambon is not None:
        in_tambon, province = _session_scopes(records, tambon)
        forums &= in_tambon | province
    dates = sessions.loc[forums, "date"]
    if dates.empty:
        return as_of - pd.Timedelta(days=DEFAULT_SINCE_DAYS)
    return pd.Timestamp(dates.max()).normalize()


def resolve_period(records, tambon: str | None, as_of=None, since=None, today=None) -> Period:
    """Return the report's period, with as_of and since defaulted as ARCHITECTURE.md says.

    Raises UsageError for a date that cannot be read, an unknown tambon, or since >= as_of.
    """
    if tambon is not None:
        _check_tambon(records, tambon)
    as_of = default_as_of(records, today) if as_of is None else _day(as_of, "as_of")
    since = default_since(records, tambon, as_of) if since is None else _day(since, "since")
    if since >= as_of:
        raise UsageError(
            f"since ({since.date().isoformat()}) must be before as-of "
            f"({as_of.date().isoformat()}): a report covers since < date <= as-of"
        )
    return Period(as_of=as_of, since=since)


# ---------------------------------------------------------------------------------------------
# The progress measures of one tambon


def tambon_progress(records, tambon: str, as_of=None, since=None) -> dict[str, float | int]:
    """Return the progress measures of tambon T (ARCHITECTURE.md, "Progress measures").

    Keys: groups, visits_planned, visits_done, visits_overdue, visits_postponed_undated,
    groups_visited, visit_coverage, groups_with_head, groups_with_tail, groups_with_both,
    head_coverage, tail_coverage, fish_coverage, fish_items, sessions, participants,
    attendance_rate (None without a roster), open_actions, open_sponsor_actions,
    closed_actions. Coverages are fractions 0-1 (0.0 for a tambon without groups).
    """
    _check_tambon(records, tambon)
    period = resolve_period(records, tambon, as_of, since)
    as_of = period.as_of
    groups = _groups_of(records, tambon)
    visits = _visits_of(records, groups)
    state = _visit_state(visits, as_of)
    n_groups = len(groups)

    visited = visits.loc[state == "done", "group_id"].nunique()
    fish = _fish_of(records, tambon, groups, as_of)
    group_fish = fish[fish["group_id"].notna()]
    with_part = {
        part: set(group_fish.loc[group_fish["part"].eq(part).to_numpy(bool), "group_id"])
        for part in FISH_PARTS
    }
    with_both = with_part["head"] & with_part["tail"]

    sessions = _sessions_in(records, tambon, period)
    roster = _roster_counts(records, sessions["session_id"])
    present = int(roster["present"].sum())
    absent = int(roster["absent"].sum())

    actions, _ = _actions_of(records, tambon)
    open_now = _open_at(actions, as_of)
    sponsor = actions["for_sponsor"].fillna(False).to_numpy(bool)

    return {
        "groups": n_groups,
        "visits_planned": int((state != "cancelled").sum()),
        "visits_done": int((state == "done").sum()),
        "visits_overdue": int((state == "overdue").sum()),
        "visits_postponed_undated": int((state == "postponed_undated").sum()),
        "groups_visited": int(visited),
        "visit_coverage": _ratio(visited, n_groups),
        "groups_with_head": len(with_part["head"]),
        "groups_with_tail": len(with_part["tail"]),
        "groups_with_both": len(with_both),
        "head_coverage": _ratio(len(with_part["head"]), n_groups),
        "tail_coverage": _ratio(len(with_part["tail"]), n_groups),
        "fish_coverage": _ratio(len(with_both), n_groups),
        "fish_items": len(fish),
        "sessions": len(sessions),
        "participants": int(_participants(sessions, roster).sum()),
        "attendance_rate": present / (present + absent) if present + absent else None,
        "open_actions": int(open_now.sum()),
        "open_sponsor_actions": int((open_now & sponsor).sum()),
        "closed_actions": int(_within(actions["closed_on"], period).sum()),
    }


# ---------------------------------------------------------------------------------------------
# Frames for the report's sections


def visit_progress(records, tambon: str, as_of) -> pd.DataFrame:
    """Return one row per visit of the tambon's groups, with its state as of as_of.

    Columns: visit_id, group_id, village_no, group_name, group_type, facilitator_name, due
    (rescheduled if given, else planned), status (as recorded), state (one of VISIT_STATES),
    done_on (blank unless done by as_of). A group without any visit row appears once with state "no_plan" and blank dates.
    Sorted by village_no, group name, due.
    """
    _check_tambon(records, tambon)
    as_of = _as_of(records, as_of)
    groups = _groups_of(records, tambon)
    visits = _visits_of(records, groups)
    names = _person_names(records)
    by_group = groups.set_index("group_id")

    group_facilitator = visits["group_id"].map(by_group["facilitator"])
    planned = pd.DataFrame({
        "visit_id": visits["visit_id"],
        "group_id": visits["group_id"],
        "facilitator": visits["facilitator"].fillna(group_facilitator),
        "due": _due(visits),
        "status": visits["status"].astype("string"),
        "state": _visit_state(visits, as_of),
        "done_on": visits["done_on"].where(visits["done_on"] <= as_of),
    })
    unplanned = groups.loc[~groups["group_id"].isin(visits["group_id"]).to_numpy(bool)]
    no_plan = pd.DataFrame({
        "visit_id": pd.Series(pd.NA, index=unplanned.index, dtype="string"),
        "group_id": unplanned["group_id"],
        "facilitator": unplanned["facilitator"],
        "due": pd.Series(pd.NaT, index=unplanned.index, dtype="datetime64[us]"),
        "status": pd.Series(pd.NA, index=unplanned.index, dtype="string"),
        "state": "no_plan",
        "done_on": pd.Series(pd.NaT, index=unplanned.index, dtype="datetime64[us]"),
    })
    rows = pd.concat([planned, no_plan], ignore_index=True)
    rows["village_no"] = rows["group_id"].map(by_group["village_no"]).astype("Int64")
    rows["group_name"] = rows["group_id"].map(by_group["name"]).astype("string")
    rows["group_type"] = rows["group_id"].map(by_group["type"]).astype("string")
    rows["facilitator_name"] = _name_or_id(rows["facilitator"], names)
    rows["state"] = rows["state"].astype("string")
    rows = rows.sort_values(["village_no", "group_name", "due", "visit_id"], kind="stable",
                            na_position="last")
    return rows[["visit_id", "group_id", "village_no", "group_name", "group_type",
                 "facilitator_name", "due", "status", "state", "done_on"]].reset_index(drop=True)


def visits_over_time(records, tambon: str, as_of) -> pd.DataFrame:
    """Return, for each day, how many visits were due by then and how many were done.

    Index "date": every day from the first planned or done date (or as_of, when earlier) to
    max(as_of, last due date).
    Columns: planned_cumulative (visits not cancelled whose due date <= that day) and
    done_cumulative (visits done on or before that day, and on or before as_of). Empty (no rows)
    when the tambon has no visit that is not cancelled.
    """
    _check_tambon(records, tambon)
    as_of = _as_of(records, as_of)
    visits = _visits_of(records, _groups_of(records, tambon))
    visits = visits.loc[~visits["status"].eq("cancelled").to_numpy(bool)]
    if visits.empty:
        return pd.DataFrame(
            {"planned_cumulative": pd.Series([], dtype="int64"),
             "done_cumulative": pd.Series([], dtype="int64")},
            index=pd.DatetimeIndex([], name="date").as_unit("us"),
        )
    due = _due(visits)
    done = visits["done_on"].loc[visits["done_on"] <= as_of]
    # The range always holds as_of, so the chart can mark it even before the first visit.
    start = min(as_of, *(d.min() for d in (visits["planned"], due, done) if d.notna().any()))
    end = max(as_of, due.max())
    days = pd.date_range(start, end, freq="D", name="date").as_unit("us")
    day_values = days.to_numpy()
    due_sorted = np.sort(due.to_numpy())
    done_sorted = np.sort(done.to_numpy())
    return pd.DataFrame(
        {
            "planned_cumulative": np.searchsorted(due_sorted, day_values, side="right"),
            "done_cumulative": np.searchsorted(done_sorted, day_values, side="right"),
        },
        index=days,
    ).astype("int64")


def fish_coverage(records, tambon: str, as_of) -> pd.DataFrame:
    """Return one row per group of the tambon with its fish-item counts recorded <= as_of.

    Columns: group_id, village_no, group_name, head, body, tail (counts), has_head, has_tail,
    has_both (bool). Sorted by village_no, group name.
    """
    _check_tambon(records, tambon)
    as_of = _as_of(records, as_of)
    groups = _groups_of(records, tambon)
    fish = _fish_of(records, tambon, groups, as_of)
    rows = pd.DataFrame({
        "group_id": groups["group_id"],
        "village_no": groups["village_no"],
        "group_name": groups["name"],
    })
    for part in FISH_PARTS:
        counts = fish.loc[fish["part"].eq(part).to_numpy(bool), "group_id"].value_counts()
        rows[part] = rows["group_id"].map(counts).fillna(0).astype("int64")
    rows["has_head"] = rows["head"] > 0
    rows["has_tail"] = rows["tail"] > 0
    rows["has_both"] = rows["has_head"] & rows["has_tail"]
    rows = rows.sort_values(["village_no", "group_name", "group_id"], kind="stable")
    return rows.reset_index(drop=True)


def fish_items(records, tambon: str, as_of) -> pd.DataFrame:
    """Return the tambon's fish items recorded <= as_of: its groups' and its network's.

    Columns: owner ("network" or the group_id), group_name (blank for the network), part,
    item, recorded. Sorted by owner (network first), part (head, body, tail), recorded.
    """
    _check_tambon(records, tambon)
    as_of = _as_of(records, as_of)
    groups = _groups_of(records, tambon)
    return _fish_frame(_fish_of(records, tambon, groups, as_of), groups)


def sessions_in_period(records, tambon: str, period: Period) -> pd.DataFrame:
    """Return the held sessions of the period for tambon T (its own and province-wide ones).

    Columns: session_id, date, kind, title, scope ("tambon" or "province"), participants (the
    count given, else the roster's present; NA when neither), present, absent (roster counts,
    NA without a roster), attendance_rate (present / (present + absent), NA without one),
    observers (the roster's observers' names, comma-joined; "" if none). Sorted by date.
    """
    _check_tambon(records, tambon)
    period = _period(period)
    sessions = _sessions_in(records, tambon, period)
    roster = _roster_counts(records, sessions["session_id"])
    in_tambon, _ = _session_scopes(records, tambon)
    scope = pd.Series(in_tambon, index=records.sessions.index).loc[sessions.index]

    has_roster = roster["listed"] > 0
    present = roster["present"].astype("Int64").where(has_roster)
    absent = roster["absent"].astype("Int64").where(has_roster)
    answered = present + absent
    rate = (present / answered.where(answered > 0)).astype("Float64")
    observers = _observer_names(records, sessions["session_id"])

    rows = pd.DataFrame({
        "session_id": sessions["session_id"],
        "date": sessions["date"],
        "kind": sessions["kind"].astype("string"),
        "title": sessions["title"],
        "scope": np.where(scope.to_numpy(bool), "tambon", "province"),
        "participants": _participants(sessions, roster),
        "present": present,
        "absent": absent,
        "attendance_rate": rate,
        "observers": sessions["session_id"].map(observers).astype("string").fillna(""),
    })
    rows["scope"] = rows["scope"].astype("string")
    return rows.sort_values(["date", "session_id"], kind="stable").reset_index(drop=True)


def facilitators(records, tambon: str, as_of=None) -> pd.DataFrame:
    """Return the facilitators of tambon T with the groups and done visits they answer for.

    Rows: the project facilitators of T or province-wide, T's community facilitators and
    coordinators, and anyone else who is the facilitator of a T group or visit (a project
    facilitator of another tambon is listed only then: nationally there are thousands). Columns: person_id, name, role, organisation, groups (T's groups they facilitate),
    visits_done (T's visits done they led: the visit's facilitator, else the group's; done_on
    <= as_of when as_of is given). Sorted by role (project, community, coordinator, others),
    then name.
    """
    _check_tambon(records, tambon)
    groups = _groups_of(records, tambon)
    visits = _visits_of(records, groups)
    people = records.people

    led = visits["facilitator"].fillna(
        visits["group_id"].map(groups.set_index("group_id")["facilitator"]))
    if as_of is None:
        done = visits["done_on"].notna()
    else:
        done = visits["done_on"] <= _day(as_of, "as_of")
    group_counts = groups["facilitator"].value_counts()
    visit_counts = led.loc[done.to_numpy(bool)].value_counts()

    role = people["role"]
    own_or_province = _eq(people["tambon"], tambon) | people["tambon"].isna().to_numpy(bool)
    chosen = (
        (role.eq("project_facilitator").to_numpy(bool) & own_or_province)
        | (role.isin(FACILITATOR_ROLES[1:]).to_numpy(bool) & _eq(people["tambon"], tambon))
        | people["person_id"].isin(group_counts.index).to_numpy(bool)
        | people["person_id"].isin(visit_counts.index).to_numpy(bool)
    )
    chosen_people = people.loc[chosen]
    rows = pd.DataFrame({
        "person_id": chosen_people["person_id"],
        "name": chosen_people["name"],
        "role": chosen_people["role"].astype("string"),
        "organisation": chosen_people["organisation"],
        "groups": chosen_people["person_id"].map(group_counts).fillna(0).astype("int64"),
        "visits_done": chosen_people["person_id"].map(visit_counts).fillna(0).astype("int64"),
    })
    role_rank = rows["role"].map(_rank(FACILITATOR_ROLES)).fillna(len(FACILITATOR_ROLES))
    rows = rows.assign(_rank=role_rank).sort_values(["_rank", "name", "person_id"],
                                                     kind="stable")
    return rows.drop(columns="_rank").reset_index(drop=True)


def open_actions(records, tambon: str, as_of, for_sponsor: bool | None = None) -> pd.DataFrame:
    """Return the actions of tambon T or province-wide that are open at as_of.

    Columns: action_id, raised, title, status (as recorded: it may read done or dropped when the
    action was closed after as_of), owner (a person_id shown as the person's name, else the text
    as typed), due, overdue (due < as_of), for_sponsor, scope ("tambon"/"province").
    for_sponsor True/False keeps only the actions with that flag (blank counts as False).
    Sorted: overdue first, then by due (blank last), then raised.
    """
    _check_tambon(records, tambon)
    as_of = _as_of(records, as_of)
    actions, in_tambon = _actions_of(records, tambon)
    keep = _open_at(actions, as_of)
    flag = actions["for_sponsor"].fillna(False).to_numpy(bool)
    if for_sponsor is not None:
        keep &= flag == bool(for_sponsor)
    rows = _action_frame(records, actions.loc[keep], in_tambon[keep])
    rows.insert(6, "overdue", (rows["due"] < as_of).to_numpy(bool))
    rows = rows.drop(columns="closed_on")
    rows = rows.sort_values(["overdue", "due", "raised", "action_id"],
                            ascending=[False, True, True, True], kind="stable",
                            na_position="last")
    return rows.reset_index(drop=True)


def changes_since(records, tambon: str, period: Period) -> dict[str, pd.DataFrame]:
    """Return what changed for tambon T in the period, one frame per kind of change.

    Keys: "visits_done" (visit_id, group_id, group_name, facilitator_name, done_on),
    "fish_recorded" (as `fish_items`), "actions_raised" and "actions_closed" (action_id,
    raised, title, status, owner, due, for_sponsor, scope, closed_on; T's and province-wide).
    Each sorted by its date.
    """
    _check_tambon(records, tambon)
    period = _period(period)
    groups = _groups_of(records, tambon)
    by_group = groups.set_index("group_id")

    visits = _visits_of(records, groups)
    visits = visits.loc[_within(visits["done_on"], period)]
    facilitator = visits["facilitator"].fillna(visits["group_id"].map(by_group["facilitator"]))
    visits_done = pd.DataFrame({
        "visit_id": visits["visit_id"],
        "group_id": visits["group_id"],
        "group_name": visits["group_id"].map(by_group["name"]).astype("string"),
        "facilitator_name": _name_or_id(facilitator, _person_names(records)),
        "done_on": visits["done_on"],
    }).sort_values(["done_on", "visit_id"], kind="stable").reset_index(drop=True)

    fish = _fish_of(records, tambon, groups, period.as_of)
    fish = fish.loc[(fish["recorded"] > period.since).to_numpy(bool)]

    actions, in_tambon = _actions_of(records, tambon)
    raised = _within(actions["raised"], period)
    closed = _within(actions["closed_on"], period)
    return {
        "visits_done": visits_done,
        "fish_recorded": _fish_frame(fish, groups),
        "actions_raised": _action_frame(records, actions.loc[raised], in_tambon[raised])
        .sort_values(["raised", "action_id"], kind="stable").reset_index(drop=True),
        "actions_closed": _action_frame(records, actions.loc[closed], in_tambon[closed])
        .sort_values(["closed_on", "action_id"], kind="stable").reset_index(drop=True),
    }


def coming(records, tambon: str, as_of, days: int = 42) -> pd.DataFrame:
    """Return what is planned in (as_of, as_of + days] for tambon T: sessions and visits.

    Sessions of T or province-wide dated in the window (planned, or entered as held ahead of
    time); T's visits not done by as_of, not cancelled and not postponed without a new date,
    whose due date is in the window. Columns: date, what ("session" or "visit"), kind (the
    session kind, or "field_visit"), title (the session title, or "ลงพื้นที่ " + group name),
    where (the group name, else the tambon's Thai name, else the venue). Sorted by date.
    """
    _check_tambon(records, tambon)
    as_of = _as_of(records, as_of)
    end = as_of + pd.Timedelta(days=int(days))
    all_sessions = records.sessions
    in_tambon, province = _session_scopes(records, tambon)
    dates = all_sessions["date"]
    window = ((dates > as_of) & (dates <= end)).to_numpy(bool)
    sessions = all_sessions.loc[window & (in_tambon | province)]
    groups = _groups_of(records, tambon)
    # In scope, a session with a group is with one of T's groups.
    group_names = _lookup(groups, "group_id", "name")
    tambon_names = _lookup(records.tambons, "tambon", "name_th")
    where = (sessions["group_id"].map(group_names).astype("string")
             .fillna(sessions["tambon"].map(tambon_names).astype("string"))
             .fillna(sessions["venue"]))
    session_rows = pd.DataFrame({
        "date": sessions["date"],
        "what": "session",
        "kind": sessions["kind"].astype("string"),
        "title": sessions["title"],
        "where": where,
    })

    visits = _visits_of(records, groups)
    state = _visit_state(visits, as_of)
    due = _due(visits)
    waiting = state.isin(["planned", "postponed", "overdue"]).to_numpy(bool)
    visits = visits.loc[waiting & ((due > as_of) & (due <= end)).to_numpy(bool)]
    name = visits["group_id"].map(groups.set_index("group_id")["name"]).astype("string")
    visit_rows = pd.DataFrame({
        "date": due.loc[visits.index],
        "what": "visit",
        "kind": "field_visit",
        "title": "ลงพื้นที่ " + name,
        "where": name,
    })
    rows = pd.concat([session_rows, visit_rows], ignore_index=True)
    rows = rows.astype({"date": "datetime64[us]", "what": "string", "kind": "string",
                        "title": "string", "where": "string"})
    return rows.sort_values(["date", "what", "title"], kind="stable").reset_index(drop=True)


def notes_for(records, tambon: str | None, period: Period) -> pd.DataFrame:
    """Return the coordinator's notes for tambon T (None: the overview's) dated in the period.

    Columns: date, title, text. Sorted by date, then as entered.
    """
    period = _period(period)
    notes = records.notes
    if tambon is None:
        mine = notes["tambon"].isna().to_numpy(bool)
    else:
        _check_tambon(records, tambon)
        mine = _eq(notes["tambon"], tambon)
    notes = notes.loc[mine & _within(notes["date"], period), ["date", "title", "text"]]
    return notes.sort_values("date", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Helpers


def _day(value, what: str) -> pd.Timestamp:
    """Return value (a date, Timestamp or date text) as a Timestamp at midnight."""
    if isinstance(value, str):
        try:
            return pd.Timestamp(thai.parse_date(value.strip()))
        except ValueError:
            raise UsageError(
                f"{what}: {value!r} is not a date (expected e.g. 2006-10-30 or 30/10/2549)"
            ) from None
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        raise UsageError(f"{what}: a date is needed")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what}: {value!r} is not a date") from None
    if stamp is pd.NaT:
        raise UsageError(f"{what}: a date is needed")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


def _as_of(records, as_of) -> pd.Timestamp:
    return default_as_of(records) if as_of is None else _day(as_of, "as_of")


def _period(period) -> Period:
    if not isinstance(period, Period):
        raise TypeError(f"expected a Period (see resolve_period), not {type(period).__name__}")
    # A Period built by hand may hold dates or text; comparisons need Timestamps.
    return Period(as_of=_day(period.as_of, "as_of"), since=_day(period.since, "since"))


def _check_tambon(records, tambon) -> None:
    if tambon is None:
        raise UsageError("a tambon slug is needed here (the province overview is not a tambon)")
    known = records.tambons["tambon"]
    if _eq(known, tambon).any():
        return
    close = difflib.get_close_matches(str(tambon), known.dropna().tolist(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"unknown tambon {tambon!r}{hint}")


def _eq(series: pd.Series, value) -> np.ndarray:
    """Return series == value as a plain bool array (blank cells: False)."""
    return series.eq(value).fillna(False).to_numpy(bool)


def _within(dates: pd.Series, period: Period) -> np.ndarray:
    return ((dates > period.since) & (dates <= period.as_of)).to_numpy(bool)


def _held(sessions: pd.DataFrame) -> np.ndarray:
    return sessions["status"].eq("held").to_numpy(bool)


def _ratio(part: int, whole: int) -> float:
    return float(part) / whole if whole else 0.0


def _rank(order) -> dict[str, int]:
    return {code: i for i, code in enumerate(order)}


def _lookup(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """Return key -> column over the rows with a key (the first row of a repeated key)."""
    mapping = pd.Series(frame[column].to_numpy(), index=frame[key].to_numpy())
    mapping = mapping[mapping.index.notna()]
    return mapping[~mapping.index.duplicated(keep="first")]


def _person_names(records) -> pd.Series:
    return _lookup(records.people, "person_id", "name")


def _name_or_id(ids: pd.Series, names: pd.Series) -> pd.Series:
    return ids.map(names).astype("string").fillna(ids.astype("string"))


def _groups_of(records, tambon: str) -> pd.DataFrame:
    groups = records.groups
    return groups.loc[_eq(groups["tambon"], tambon)]


def _visits_of(records, groups: pd.DataFrame) -> pd.DataFrame:
    visits = records.visits
    return visits.loc[visits["group_id"].isin(groups["group_id"]).to_numpy(bool)]


def _fish_of(records, tambon: str, groups: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Return T's fish items recorded <= as_of: its groups' and its network's own."""
    fish = records.fish
    mine = fish["group_id"].isin(groups["group_id"]).to_numpy(bool) | _eq(fish["tambon"], tambon)
    return fish.loc[mine & (fish["recorded"] <= as_of).to_numpy(bool)]


def _session_scopes(records, tambon: str) -> tuple[np.ndarray, np.ndarray]:
    """Return, per session, (is tambon T's, is province-wide)."""
    sessions = records.sessions
    own = sessions["tambon"]
    blank = own.isna().to_numpy(bool)
    t_groups = records.groups.loc[_eq(records.groups["tambon"], tambon), "group_id"]
    in_tambon = _eq(own, tambon) | (blank & sessions["group_id"].isin(t_groups).to_numpy(bool))
    province = blank & sessions["group_id"].isna().to_numpy(bool)
    return in_tambon, province


def _sessions_in(records, tambon: str, period: Period) -> pd.DataFrame:
    """Return the held sessions of the period that are T's or province-wide."""
    sessions = records.sessions
    in_tambon, province = _session_scopes(records, tambon)
    keep = (in_tambon | province) & _held(sessions) & _within(sessions["date"], period)
    return sessions.loc[keep]


def _roster_counts(records, session_ids: pd.Series) -> pd.DataFrame:
    """Return per session (same index as session_ids): present, absent, listed (roster size)."""
    attendance = records.attendance
    roster = attendance.loc[attendance["session_id"].isin(session_ids).to_numpy(bool)]
    counts = {"listed": roster["session_id"].value_counts()}
    for status in ("present", "absent"):
        counts[status] = roster.loc[roster["status"].eq(status).to_numpy(bool),
                                    "session_id"].value_counts()
    return pd.DataFrame({
        name: session_ids.map(c).fillna(0).astype("int64") for name, c in counts.items()
    })


def _participants(sessions: pd.DataFrame, roster: pd.DataFrame) -> pd.Series:
    """Return each session's participants: the count given, else the roster's present (Int64)."""
    from_roster = roster["present"].astype("Int64").where(roster["listed"] > 0)
    return sessions["participants"].astype("Int64").fillna(from_roster)


def _observer_names(records, session_ids: pd.Series) -> pd.Series:
    """Return session_id -> the roster's observers' names, comma-joined in roster order."""
    attendance = records.attendance
    observers = attendance.loc[
        attendance["session_id"].isin(session_ids).to_numpy(bool)
        & attendance["status"].eq("observer").to_numpy(bool)
    ]
    if observers.empty:
        return pd.Series(dtype="string")
    names = _name_or_id(observers["person_id"], _person_names(records))
    return names.groupby(observers["session_id"].to_numpy(), sort=False).agg(", ".join)


def _due(visits: pd.DataFrame) -> pd.Series:
    return visits["rescheduled"].fillna(visits["planned"])


def _visit_state(visits: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Return each visit's state as of as_of (one of VISIT_STATES but no_plan)."""
    status = visits["status"]
    done = (visits["done_on"] <= as_of).to_numpy(bool)
    cancelled = status.eq("cancelled").to_numpy(bool)
    postponed = status.eq("postponed").to_numpy(bool)
    rescheduled = visits["rescheduled"]
    undated = postponed & rescheduled.isna().to_numpy(bool)
    # A visit recorded done after as_of was, at as_of, still waiting for its planned date.
    waiting = ~done & ~cancelled & ~postponed
    overdue = (
        (waiting & (visits["planned"] < as_of).to_numpy(bool))
        | (postponed & (rescheduled < as_of).to_numpy(bool))
    )
    state = np.select(
        [done, cancelled, overdue, undated, postponed],
        ["done", "cancelled", "overdue", "postponed_undated", "postponed"],
        default="planned",
    )
    return pd.Series(state, index=visits.index, dtype="string")


def _actions_of(records, tambon: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the actions of T or province-wide, and per row whether it is T's own."""
    actions = records.actions
    in_tambon = _eq(actions["tambon"], tambon)
    keep = in_tambon | actions["tambon"].isna().to_numpy(bool)
    return actions.loc[keep], in_tambon[keep]


def _open_at(actions: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    raised = (actions["raised"] <= as_of).to_numpy(bool)
    closed = (actions["closed_on"] <= as_of).to_numpy(bool)
    return raised & ~closed


def _action_frame(records, actions: pd.DataFrame, in_tambon: np.ndarray) -> pd.DataFrame:
    owner = actions["owner"]
    return pd.DataFrame({
        "action_id": actions["action_id"],
        "raised": actions["raised"],
        "title": actions["title"],
        "status": actions["status"].astype("string"),
        "owner": owner.map(_person_names(records)).astype("string").fillna(owner),
        "due": actions["due"],
        "for_sponsor": actions["for_sponsor"].fillna(False).astype(bool),
        "scope": pd.Series(np.where(in_tambon, "tambon", "province"), index=actions.index,
                           dtype="string"),
        "closed_on": actions["closed_on"],
    }).reset_index(drop=True)


def _fish_frame(fish: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    is_network = fish["group_id"].isna()
    rows = pd.DataFrame({
        "owner": fish["group_id"].fillna(NETWORK).astype("string"),
        "group_name": fish["group_id"].map(_lookup(groups, "group_id", "name")).astype("string"),
        "part": fish["part"].astype("string"),
        "item": fish["item"],
        "recorded": fish["recorded"],
    })
    keys = pd.DataFrame({
        "network": ~is_network,  # False sorts first
        "owner": rows["owner"],
        "part": rows["part"].map(_rank(FISH_PARTS)),
        "recorded": rows["recorded"],
        "entered": np.arange(len(rows)),
    })
    order = keys.sort_values(list(keys.columns)).index
    return rows.loc[order].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The province overview: every tambon side by side, province-wide rows counted once


def province_progress(records, as_of=None, since=None) -> pd.DataFrame:
    """Return one row per tambon: slug, name_th, amphoe_th and its `tambon_progress` measures.

    `own_sessions` and `own_participants` count the tambon's own sessions only, so that summing
    them and adding the province-wide sessions counts every session once.
    """
    tambons = records.tambons
    province = province_sessions(records, resolve_period(records, None, as_of, since))
    rows = []
    for slug in tambons["tambon"]:
        measures = tambon_progress(records, slug, as_of, since)
        measures["own_sessions"] = measures["sessions"] - len(province)
        measures["own_participants"] = (measures["participants"]
                                        - int(province["participants"].fillna(0).sum()))
        rows.append({"tambon": slug, **measures})
    frame = pd.DataFrame(rows)
    names = tambons.set_index("tambon")
    frame.insert(1, "name_th", frame["tambon"].map(names["name_th"]).astype("string"))
    frame.insert(2, "amphoe_th", frame["tambon"].map(names["amphoe_th"]).astype("string"))
    return frame


def province_sessions(records, period: Period) -> pd.DataFrame:
    """Return the province-wide sessions held in the period (as `sessions_in_period` shows)."""
    tambons = records.tambons["tambon"]
    if tambons.empty:
        return pd.DataFrame(columns=["session_id", "date", "kind", "title", "scope",
                                     "participants"])
    # Province-wide sessions are in every tambon's list; any tambon's list has them all.
    sessions = sessions_in_period(records, str(tambons.iloc[0]), _period(period))
    return sessions[sessions["scope"] == "province"].reset_index(drop=True)


def province_open_actions(records, as_of, for_sponsor: bool | None = None) -> pd.DataFrame:
    """Return every open action across tambons and province-wide, with the tambon's Thai name.

    Columns as `open_actions`, plus tambon and tambon_name (blank for province-wide).
    """
    as_of = _as_of(records, as_of)
    actions = records.actions
    keep = _open_at(actions, as_of)
    if for_sponsor is not None:
        keep &= actions["for_sponsor"].fillna(False).to_numpy(bool) == bool(for_sponsor)
    chosen = actions.loc[keep]
    rows = _action_frame(records, chosen, chosen["tambon"].notna().to_numpy(bool))
    rows.insert(6, "overdue", (rows["due"] < as_of).to_numpy(bool))
    rows = rows.drop(columns="closed_on")
    rows.insert(0, "tambon", chosen["tambon"].astype("string").to_numpy())
    rows.insert(1, "tambon_name", rows["tambon"].map(
        _lookup(records.tambons, "tambon", "name_th")).astype("string"))
    rows = rows.sort_values(["overdue", "due", "raised", "action_id"],
                            ascending=[False, True, True, True], kind="stable",
                            na_position="last")
    return rows.reset_index(drop=True)


def province_coming(records, as_of, days: int = 42) -> pd.DataFrame:
    """Return what is planned across the province in (as_of, as_of + days], each item once.

    Columns as `coming`, plus tambon_name (blank for province-wide sessions).
    """
    parts = []
    for slug, name in zip(records.tambons["tambon"], records.tambons["name_th"]):
        rows = coming(records, slug, as_of, days)
        rows.insert(0, "tambon_name", name)
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=["tambon_name", "date", "what", "kind", "title", "where"])
    rows = pd.concat(parts, ignore_index=True)
    # A province-wide session appears under every tambon: keep it once, without a tambon.
    sessions = records.sessions
    province_titles = set(sessions.loc[sessions["tambon"].isna() & sessions["group_id"].isna(),
                                       "title"].dropna())
    is_province = (rows["what"] == "session") & rows["title"].isin(province_titles)
    rows.loc[is_province, "tambon_name"] = pd.NA
    rows = rows.drop_duplicates(subset=["date", "what", "title", "tambon_name"])
    return rows.sort_values(["date", "tambon_name", "title"], kind="stable",
                            na_position="first").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Exploring: trends by month, a word in the records' text, group types side by side

SEARCHED_TEXT = (("fish", "item"), ("sessions", "summary"))  # (table, column) search_text reads


def monthly_trends(records, tambon: str | None = None, as_of=None) -> pd.DataFrame:
    """Return per calendar month the sessions held, participants, visits done and fish items.

    Index "month" (a monthly `pandas.Period`): every month from the first to the last with
    something counted, months without anything included as zeros; no rows when nothing
    happened. Columns (int64): sessions (held sessions dated that month), participants (their
    `participants`, or where blank the roster's present count, as in `tambon_progress`),
    visits_done (visits whose done_on falls in that month), fish_items (fish items recorded
    that month). For tambon T: T's sessions and the province-wide ones, visits of T's groups,
    fish items of T's groups and of T's network; for None, everything in the records, each
    once. Only dates on or before as_of count (default: the latest event, as `default_as_of`).
    """
    as_of = _as_of(records, as_of)
    sessions = records.sessions
    visits = records.visits
    fish = records.fish
    held = _held(sessions)
    if tambon is None:
        fish = fish.loc[(fish["recorded"] <= as_of).to_numpy(bool)]
    else:
        _check_tambon(records, tambon)
        in_tambon, province = _session_scopes(records, tambon)
        held = held & (in_tambon | province)
        groups = _groups_of(records, tambon)
        visits = _visits_of(records, groups)
        fish = _fish_of(records, tambon, groups, as_of)
    sessions = sessions.loc[held & (sessions["date"] <= as_of).to_numpy(bool)]
    done_on = visits["done_on"].loc[(visits["done_on"] <= as_of).to_numpy(bool)]
    participants = _participants(sessions, _roster_counts(records, sessions["session_id"]))

    session_month = sessions["date"].dt.to_period("M")
    counted = {
        "sessions": session_month.value_counts(),
        "participants": participants.fillna(0).groupby(session_month).sum(),
        "visits_done": done_on.dt.to_period("M").value_counts(),
        "fish_items": fish["recorded"].dt.to_period("M").value_counts(),
    }
    months = [m for c in counted.values() for m in c.index]
    if months:
        index = pd.period_range(min(months), max(months), freq="M", name="month")
    else:
        index = pd.PeriodIndex([], freq="M", name="month")
    return pd.DataFrame({
        name: counts.reindex(index, fill_value=0).astype("int64")
        for name, counts in counted.items()
    }, index=index)


def search_text(records, word: str) -> pd.DataFrame:
    """Return the fish items and session summaries that contain `word`, one row per cell.

    Both the word and the text are compared after `thai.normalise` (so ํ + า typed apart finds
    ำ, zero-width characters and doubled marks do not hide a match) and casefolded. Columns:
    table, row (as the user sees it in the spreadsheet), column, tambon (the row's tambon,
    blank for province-wide), text (as stored). Sorted by table (fish, then sessions) and row.
    Raises UsageError for a word that is blank once normalised.
    """
    wanted = thai.normalise(str(word)).casefold()
    if not wanted:
        raise UsageError("search_text: a word to search for is needed")
    from ..records.load import row_tambons

    frames = records.frames()
    parts = []
    for table, column in SEARCHED_TEXT:
        texts = frames[table][column].dropna()
        found = texts.map(lambda text: wanted in thai.normalise(str(text)).casefold())
        texts = texts.loc[found.astype(bool).to_numpy(bool)]
        parts.append(pd.DataFrame({
            "table": table,
            "row": texts.index.to_numpy(),
            "column": column,
            "tambon": row_tambons(frames, table).loc[texts.index].to_numpy(),
            "text": texts.to_numpy(),
        }))
    rows = pd.concat(parts, ignore_index=True)
    return rows.astype({"table": "string", "row": "int64", "column": "string",
                        "tambon": "string", "text": "string"})


def group_types(records, as_of=None) -> pd.DataFrame:
    """Return one row per group type: how many groups, members, and how far their work went.

    Columns: type (the code), type_th (its Thai label), groups, members (the sum of the
    members given; blanks left out), visit_coverage (share of the groups with a visit done
    on or before as_of), head_coverage, tail_coverage, fish_coverage (share with a head item,
    a tail item, both, recorded on or before as_of). Shares are fractions 0-1, as in
    `tambon_progress`. One row per type that has groups, across every tambon, in the order
    of `schema.GROUP_TYPES`. as_of defaults as in `default_as_of`.
    """
    from ..records.schema import GROUP_TYPES

    as_of = _as_of(records, as_of)
    groups = records.groups
    visits = records.visits
    fish = records.fish
    visited = set(visits.loc[(visits["done_on"] <= as_of).to_numpy(bool), "group_id"])
    recorded = fish.loc[(fish["recorded"] <= as_of).to_numpy(bool)
                        & fish["group_id"].notna().to_numpy(bool)]
    with_part = {part: set(recorded.loc[_eq(recorded["part"], part), "group_id"])
                 for part in ("head", "tail")}
    flags = pd.DataFrame({
        "type": groups["type"].astype("string"),
        "members": groups["members"].astype("Int64"),
        "visited": groups["group_id"].isin(visited).to_numpy(bool),
        "head": groups["group_id"].isin(with_part["head"]).to_numpy(bool),
        "tail": groups["group_id"].isin(with_part["tail"]).to_numpy(bool),
    })
    flags["both"] = flags["head"] & flags["tail"]
    by_type = flags.groupby("type", sort=False)
    rows = pd.DataFrame({
        "groups": by_type.size(),
        "members": by_type["members"].sum(),
        "visit_coverage": by_type["visited"].mean(),
        "head_coverage": by_type["head"].mean(),
        "tail_coverage": by_type["tail"].mean(),
        "fish_coverage": by_type["both"].mean(),
    })
    order = [code for code in GROUP_TYPES if code in rows.index]
    rows = rows.loc[order + sorted(set(rows.index) - set(order))]
    rows.insert(0, "type_th", rows.index.map(GROUP_TYPES).astype("string"))
    rows = rows.rename_axis("type").reset_index()
    return rows.astype({"type": "string", "groups": "int64", "members": "int64",
                        "visit_coverage": "float64", "head_coverage": "float64",
                        "tail_coverage": "float64", "fish_coverage": "float64"})
