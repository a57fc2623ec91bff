"""A tambon's progress measures, and the rows behind each section of its report.

Every function takes `Records` (as `load_records` returns them) and plain values, and returns
numbers or fresh frames; nothing is read, written, printed or changed in the records. Codes stay
codes (the report adds the Thai labels). Dates may be given as a `pandas.Timestamp`, a
`datetime.date` or a string (ISO, or any form `thai.parse_date` reads, e.g. "2549-10-30").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frames import day, eq, lookup
from ..scope import own_and_province, row_tambons
from .period import Period, as_of_or_default, checked_period, resolve_period
from .selectors import (
    FISH_PARTS,
    action_frame,
    actions_of,
    due_dates,
    fish_frame,
    fish_of,
    groups_of,
    name_or_id,
    observer_names,
    open_at,
    participant_counts,
    person_names,
    rank,
    ratio,
    roster_counts,
    sessions_in,
    tambon_slug,
    visit_state,
    visits_of,
    within,
)

FACILITATOR_ROLES = ("project_facilitator", "community_facilitator", "coordinator")


def tambon_progress(records, tambon: str, as_of=None, since=None) -> dict[str, float | int]:
    """Return the progress measures of tambon T (docs/architecture.md, "The measures").

    Keys: groups, visits_planned, visits_done, visits_overdue, visits_postponed_undated,
    groups_visited, visit_coverage, groups_with_head, groups_with_tail, groups_with_both,
    head_coverage, tail_coverage, fish_coverage, fish_items, sessions, participants,
    attendance_rate (None without a roster), open_actions, open_sponsor_actions,
    overdue_actions (open, due before as_of), closed_actions. Coverages are fractions 0-1
    (0.0 for a tambon without groups).

    Sessions, participants and actions count the tambon's own items plus the province-wide
    ones; `own_…` and `province_…` keys give the two parts (they add up to the whole).
    `roster_sessions` counts the sessions whose blank participant count was taken from the
    roster's present.
    """
    tambon = tambon_slug(records, tambon)
    period = resolve_period(records, tambon, as_of, since)
    as_of = period.as_of
    groups = groups_of(records, tambon)
    visits = visits_of(records, groups)
    state = visit_state(visits, as_of)
    n_groups = len(groups)

    visited = visits.loc[state == "done", "group_id"].nunique()
    fish = fish_of(records, tambon, groups, as_of)
    group_fish = fish[fish["group_id"].notna()]
    with_part = {
        part: set(group_fish.loc[group_fish["part"].eq(part).to_numpy(bool), "group_id"])
        for part in FISH_PARTS
    }
    with_both = with_part["head"] & with_part["tail"]

    sessions = sessions_in(records, tambon, period)
    own_session = eq(row_tambons(records.frames(), "sessions").loc[sessions.index], tambon)
    roster = roster_counts(records, sessions["session_id"])
    present = int(roster["present"].sum())
    absent = int(roster["absent"].sum())
    people = participant_counts(sessions, roster).fillna(0).to_numpy("int64")

    actions, own_action = actions_of(records, tambon)
    open_now = open_at(actions, as_of)
    sponsor = actions["for_sponsor"].fillna(False).to_numpy(bool)
    overdue = open_now & (actions["due"] < as_of).to_numpy(bool)

    return {
        "groups": n_groups,
        "visits_planned": int((state != "cancelled").sum()),
        "visits_done": int((state == "done").sum()),
        "visits_overdue": int((state == "overdue").sum()),
        "visits_postponed_undated": int((state == "postponed_undated").sum()),
        "groups_visited": int(visited),
        "visit_coverage": ratio(visited, n_groups),
        "groups_with_head": len(with_part["head"]),
        "groups_with_tail": len(with_part["tail"]),
        "groups_with_both": len(with_both),
        "head_coverage": ratio(len(with_part["head"]), n_groups),
        "tail_coverage": ratio(len(with_part["tail"]), n_groups),
        "fish_coverage": ratio(len(with_both), n_groups),
        "fish_items": len(fish),
        "sessions": len(sessions),
        "own_sessions": int(own_session.sum()),
        "province_sessions": int((~own_session).sum()),
        "participants": int(people.sum()),
        "own_participants": int(people[own_session].sum()),
        "province_participants": int(people[~own_session].sum()),
        "roster_sessions": int((sessions["participants"].isna().to_numpy(bool)
                                & (roster["listed"] > 0).to_numpy(bool)).sum()),
        "attendance_rate": present / (present + absent) if present + absent else None,
        "open_actions": int(open_now.sum()),
        "own_open_actions": int((open_now & own_action).sum()),
        "province_open_actions": int((open_now & ~own_action).sum()),
        "open_sponsor_actions": int((open_now & sponsor).sum()),
        "overdue_actions": int(overdue.sum()),
        "closed_actions": int(within(actions["closed_on"], period).sum()),
    }


def visit_progress(records, tambon: str, as_of) -> pd.DataFrame:
    """Return one row per visit of the tambon's groups, with its state as of as_of.

    Columns: visit_id, group_id, village_no, group_name, group_type, facilitator_name (the
    group's facilitator: the one source of who is responsible for a group), visitor_name (the
    visit's own facilitator where it is someone else, else blank), due (rescheduled if given,
    else planned), status (as recorded), state (one of VISIT_STATES), done_on (blank unless
    done by as_of). A group without any visit row appears once with state "no_plan" and blank
    dates.
    Sorted by village_no, group name, due.
    """
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    groups = groups_of(records, tambon)
    visits = visits_of(records, groups)
    names = person_names(records)
    by_group = groups.set_index("group_id")

    group_facilitator = visits["group_id"].map(by_group["facilitator"])
    planned = pd.DataFrame({
        "visit_id": visits["visit_id"],
        "group_id": visits["group_id"],
        "facilitator": group_facilitator,
        "visitor": visits["facilitator"].where(visits["facilitator"].ne(group_facilitator)
                                               .fillna(True)),
        "due": due_dates(visits),
        "status": visits["status"].astype("string"),
        "state": visit_state(visits, as_of),
        "done_on": visits["done_on"].where(visits["done_on"] <= as_of),
    })
    unplanned = groups.loc[~groups["group_id"].isin(visits["group_id"]).to_numpy(bool)]
    no_plan = pd.DataFrame({
        "visit_id": pd.Series(pd.NA, index=unplanned.index, dtype="string"),
        "group_id": unplanned["group_id"],
        "facilitator": unplanned["facilitator"],
        "visitor": pd.Series(pd.NA, index=unplanned.index, dtype="string"),
        "due": pd.Series(pd.NaT, index=unplanned.index, dtype="datetime64[us]"),
        "status": pd.Series(pd.NA, index=unplanned.index, dtype="string"),
        "state": "no_plan",
        "done_on": pd.Series(pd.NaT, index=unplanned.index, dtype="datetime64[us]"),
    })
    rows = pd.concat([planned, no_plan], ignore_index=True)
    rows["village_no"] = rows["group_id"].map(by_group["village_no"]).astype("Int64")
    rows["group_name"] = rows["group_id"].map(by_group["name"]).astype("string")
    rows["group_type"] = rows["group_id"].map(by_group["type"]).astype("string")
    rows["facilitator_name"] = name_or_id(rows["facilitator"], names)
    rows["visitor_name"] = name_or_id(rows["visitor"], names)
    rows["state"] = rows["state"].astype("string")
    rows = rows.sort_values(["village_no", "group_name", "due", "visit_id"], kind="stable",
                            na_position="last")
    return rows[["visit_id", "group_id", "village_no", "group_name", "group_type",
                 "facilitator_name", "visitor_name", "due", "status", "state", "done_on"]
                ].reset_index(drop=True)


def visits_over_time(records, tambon: str, as_of) -> pd.DataFrame:
    """Return, for each day, how many visits were due by then and how many were done.

    Index "date": every day from the first planned or done date (or as_of, when earlier) to
    max(as_of, last due date).
    Columns: planned_cumulative (visits not cancelled whose due date <= that day) and
    done_cumulative (visits done on or before that day, and on or before as_of). Empty (no rows)
    when the tambon has no visit that is not cancelled.
    """
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    visits = visits_of(records, groups_of(records, tambon))
    visits = visits.loc[~visits["status"].eq("cancelled").to_numpy(bool)]
    if visits.empty:
        return pd.DataFrame(
            {"planned_cumulative": pd.Series([], dtype="int64"),
             "done_cumulative": pd.Series([], dtype="int64")},
            index=pd.DatetimeIndex([], name="date").as_unit("us"),
        )
    due = due_dates(visits)
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
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    groups = groups_of(records, tambon)
    fish = fish_of(records, tambon, groups, as_of)
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
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    groups = groups_of(records, tambon)
    return fish_frame(fish_of(records, tambon, groups, as_of), groups)


def sessions_in_period(records, tambon: str, period: Period) -> pd.DataFrame:
    """Return the held sessions of the period for tambon T (its own and province-wide ones).

    Columns: session_id, date, kind, title, scope ("tambon" or "province"), participants (the
    count given, else the roster's present; NA when neither), present, absent (roster counts,
    NA without a roster), attendance_rate (present / (present + absent), NA without one),
    observers (the roster's observers' names, comma-joined; "" if none). Sorted by date.
    """
    tambon = tambon_slug(records, tambon)
    period = checked_period(period)
    sessions = sessions_in(records, tambon, period)
    roster = roster_counts(records, sessions["session_id"])
    in_tambon, _ = own_and_province(records.frames(), "sessions", tambon)
    scope = pd.Series(in_tambon, index=records.sessions.index).loc[sessions.index]

    has_roster = roster["listed"] > 0
    present = roster["present"].astype("Int64").where(has_roster)
    absent = roster["absent"].astype("Int64").where(has_roster)
    answered = present + absent
    rate = (present / answered.where(answered > 0)).astype("Float64")
    observers = observer_names(records, sessions["session_id"])

    rows = pd.DataFrame({
        "session_id": sessions["session_id"],
        "date": sessions["date"],
        "kind": sessions["kind"].astype("string"),
        "title": sessions["title"],
        "scope": np.where(scope.to_numpy(bool), "tambon", "province"),
        "participants": participant_counts(sessions, roster),
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
    facilitator of another tambon is listed only then: nationally there are thousands).
    Columns: person_id, name, role, organisation, groups (T's groups they facilitate),
    visits_done (T's visits done they led: the visit's facilitator, else the group's; done_on
    <= as_of when as_of is given). Sorted by role (project, community, coordinator, others),
    then name.
    """
    tambon = tambon_slug(records, tambon)
    groups = groups_of(records, tambon)
    visits = visits_of(records, groups)
    people = records.people

    led = visits["facilitator"].fillna(
        visits["group_id"].map(groups.set_index("group_id")["facilitator"]))
    done = (visits["done_on"].notna() if as_of is None
            else visits["done_on"] <= day(as_of, "as_of"))
    group_counts = groups["facilitator"].value_counts()
    visit_counts = led.loc[done.to_numpy(bool)].value_counts()

    role = people["role"]
    own_or_province = eq(people["tambon"], tambon) | people["tambon"].isna().to_numpy(bool)
    chosen = (
        (role.eq("project_facilitator").to_numpy(bool) & own_or_province)
        | (role.isin(FACILITATOR_ROLES[1:]).to_numpy(bool) & eq(people["tambon"], tambon))
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
    role_rank = rows["role"].map(rank(FACILITATOR_ROLES)).fillna(len(FACILITATOR_ROLES))
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
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    actions, in_tambon = actions_of(records, tambon)
    keep = open_at(actions, as_of)
    flag = actions["for_sponsor"].fillna(False).to_numpy(bool)
    if for_sponsor is not None:
        keep &= flag == bool(for_sponsor)
    rows = action_frame(records, actions.loc[keep], in_tambon[keep])
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
    tambon = tambon_slug(records, tambon)
    period = checked_period(period)
    groups = groups_of(records, tambon)
    by_group = groups.set_index("group_id")

    visits = visits_of(records, groups)
    visits = visits.loc[within(visits["done_on"], period)]
    facilitator = visits["facilitator"].fillna(visits["group_id"].map(by_group["facilitator"]))
    visits_done = pd.DataFrame({
        "visit_id": visits["visit_id"],
        "group_id": visits["group_id"],
        "group_name": visits["group_id"].map(by_group["name"]).astype("string"),
        "facilitator_name": name_or_id(facilitator, person_names(records)),
        "done_on": visits["done_on"],
    }).sort_values(["done_on", "visit_id"], kind="stable").reset_index(drop=True)

    fish = fish_of(records, tambon, groups, period.as_of)
    fish = fish.loc[(fish["recorded"] > period.since).to_numpy(bool)]

    actions, in_tambon = actions_of(records, tambon)
    raised = within(actions["raised"], period)
    closed = within(actions["closed_on"], period)
    return {
        "visits_done": visits_done,
        "fish_recorded": fish_frame(fish, groups),
        "actions_raised": action_frame(records, actions.loc[raised], in_tambon[raised])
        .sort_values(["raised", "action_id"], kind="stable").reset_index(drop=True),
        "actions_closed": action_frame(records, actions.loc[closed], in_tambon[closed])
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
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    end = as_of + pd.Timedelta(days=int(days))
    all_sessions = records.sessions
    in_tambon, province = own_and_province(records.frames(), "sessions", tambon)
    dates = all_sessions["date"]
    window = ((dates > as_of) & (dates <= end)).to_numpy(bool)
    sessions = all_sessions.loc[window & (in_tambon | province)]
    groups = groups_of(records, tambon)
    # In scope, a session with a group is with one of T's groups.
    group_names = lookup(groups, "group_id", "name")
    tambon_names = lookup(records.tambons, "tambon", "name_th")
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

    visits = visits_of(records, groups)
    state = visit_state(visits, as_of)
    due = due_dates(visits)
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
    period = checked_period(period)
    notes = records.notes
    if tambon is None:
        mine = notes["tambon"].isna().to_numpy(bool)
    else:
        tambon = tambon_slug(records, tambon)
        mine = eq(notes["tambon"], tambon)
    notes = notes.loc[mine & within(notes["date"], period), ["date", "title", "text"]]
    return notes.sort_values("date", kind="stable").reset_index(drop=True)
