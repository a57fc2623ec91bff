"""The province overview: every tambon side by side, province-wide rows counted once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frames import day, lookup
from ..scope import row_tambons
from .period import (
    Period,
    as_of_or_default,
    checked_period,
    default_sinces,
    resolve_period,
)
from .selectors import (
    action_frame,
    due_dates,
    is_held,
    open_at,
    participant_counts,
    roster_counts,
    visit_state,
)
from .tambon import sessions_in_period

MEASURES = ("groups", "visits_planned", "visits_done", "visits_overdue",
            "visits_postponed_undated", "groups_visited", "visit_coverage", "groups_with_head",
            "groups_with_tail", "groups_with_both", "head_coverage", "tail_coverage",
            "fish_coverage", "fish_items", "sessions", "own_sessions", "province_sessions",
            "participants", "own_participants", "province_participants", "roster_sessions",
            "attendance_rate", "open_actions", "own_open_actions", "province_open_actions",
            "open_sponsor_actions", "overdue_actions", "closed_actions")


def province_progress(records, as_of=None, since=None) -> pd.DataFrame:
    """Return one row per tambon: slug, name_th, amphoe_th and its `tambon_progress` measures.

    Computed in one grouped pass (each row's tambon found once), so a country of tambons
    costs about what one tambon does; each row equals that tambon's `tambon_progress`.
    The `own_…` columns count the tambon's own items only, so that summing them and adding the
    province-wide part once counts every item once. With `since` None,
    each tambon's period starts at its own last sponsor forum, as its report's does.
    """
    as_of = as_of_or_default(records, as_of)
    tambons = records.tambons
    slugs = pd.Index(tambons["tambon"].astype("string"), name="tambon")
    frames = records.frames()
    # Each tambon's period starts at `since`, else at its own default, as its report's does.
    since_of = (pd.Series(day(since, "since"), index=slugs) if since is not None
                else default_sinces(records, slugs, as_of))

    def per_tambon(keys, values=None, how="size") -> pd.Series:
        """Return a count (or a sum) per tambon over rows keyed by tambon; 0 where none."""
        keys = pd.Series(keys).astype("string").to_numpy()
        frame = pd.DataFrame({"tambon": keys, "value": 1 if values is None else values})
        grouped = frame.groupby("tambon", dropna=True)["value"]
        counted = grouped.size() if how == "size" else grouped.sum()
        return counted.reindex(slugs, fill_value=0).astype("int64")

    groups = records.groups
    n_groups = per_tambon(groups["tambon"])

    visits = records.visits
    visit_tambon = visits["group_id"].map(lookup(groups, "group_id", "tambon"))
    state = visit_state(visits, as_of)
    counts = {name: per_tambon(visit_tambon[(state == code).to_numpy(bool)])
              for name, code in (("visits_done", "done"), ("visits_overdue", "overdue"),
                                 ("visits_postponed_undated", "postponed_undated"))}
    counts["visits_planned"] = per_tambon(visit_tambon[(state != "cancelled").to_numpy(bool)])
    done = (state == "done").to_numpy(bool)
    visited = (pd.DataFrame({"tambon": visit_tambon[done], "group": visits["group_id"][done]})
               .drop_duplicates())
    counts["groups_visited"] = per_tambon(visited["tambon"])

    fish = records.fish
    fish = fish.loc[(fish["recorded"] <= as_of).to_numpy(bool)]
    fish_tambon = fish["group_id"].map(lookup(groups, "group_id", "tambon")).astype("string")
    fish_tambon = fish_tambon.where(fish["group_id"].notna(), fish["tambon"].astype("string"))
    counts["fish_items"] = per_tambon(fish_tambon)
    parts = (fish.loc[fish["group_id"].notna().to_numpy(bool), ["group_id", "part"]]
             .astype("string").drop_duplicates())
    group_tambon = lookup(groups, "group_id", "tambon")
    has = {part: set(parts.loc[parts["part"].eq(part).to_numpy(bool), "group_id"])
           for part in ("head", "tail")}
    for name, members in (("groups_with_head", has["head"]), ("groups_with_tail", has["tail"]),
                          ("groups_with_both", has["head"] & has["tail"])):
        counts[name] = per_tambon(pd.Series(sorted(members), dtype="string").map(group_tambon))

    sessions = records.sessions
    session_tambon = row_tambons(frames, "sessions")
    held = is_held(sessions) & (sessions["date"] <= as_of).to_numpy(bool)
    held_sessions = sessions.loc[held]
    roster = roster_counts(records, held_sessions["session_id"])
    attended = participant_counts(held_sessions, roster).fillna(0).astype("int64")
    from_roster = (held_sessions["participants"].isna().to_numpy(bool)
                   & (roster["listed"] > 0).to_numpy(bool)).astype("int64")
    own_tambon = session_tambon[held]
    after_since = (held_sessions["date"].to_numpy()
                   > own_tambon.map(since_of).astype("datetime64[us]").to_numpy())
    own = own_tambon.notna().to_numpy(bool) & after_since
    own_sessions = per_tambon(own_tambon[own])
    own_people = per_tambon(own_tambon[own], attended[own].to_numpy(), "sum")
    own_present = per_tambon(own_tambon[own], roster["present"][own].to_numpy(), "sum")
    own_absent = per_tambon(own_tambon[own], roster["absent"][own].to_numpy(), "sum")
    own_from_roster = per_tambon(own_tambon[own], from_roster[own], "sum")
    province = own_tambon.isna().to_numpy(bool)
    province_dates = held_sessions["date"][province]

    def province_part(values) -> pd.Series:
        """Return, per tambon, the sum of `values` over province-wide sessions in its period."""
        return _sum_after(province_dates, values, since_of)

    actions = records.actions
    action_tambon = actions["tambon"].astype("string")
    open_now = open_at(actions, as_of)
    sponsor = actions["for_sponsor"].fillna(False).to_numpy(bool)
    overdue = open_now & (actions["due"] < as_of).to_numpy(bool)
    closed_on = actions["closed_on"]
    province_action = action_tambon.isna().to_numpy(bool)


    def with_province(own_counts: pd.Series, mask) -> pd.Series:
        """Return each tambon's own count plus the province-wide rows of `mask`."""
        return own_counts + int((mask & province_action).sum())

    closed = (closed_on <= as_of).to_numpy(bool)
    own_closed_rows = closed & (closed_on.to_numpy()
                                > action_tambon.map(since_of).astype("datetime64[us]").to_numpy())
    closed_actions = (per_tambon(action_tambon[own_closed_rows])
                      + _sum_after(closed_on[closed & province_action],
                                   np.ones(int((closed & province_action).sum()), "int64"),
                                   since_of))

    rows = pd.DataFrame(index=slugs)
    rows["groups"] = n_groups
    for name in ("visits_planned", "visits_done", "visits_overdue", "visits_postponed_undated",
                 "groups_visited"):
        rows[name] = counts[name]
    rows["visit_coverage"] = _share(counts["groups_visited"], n_groups)
    for name in ("groups_with_head", "groups_with_tail", "groups_with_both"):
        rows[name] = counts[name]
    rows["head_coverage"] = _share(counts["groups_with_head"], n_groups)
    rows["tail_coverage"] = _share(counts["groups_with_tail"], n_groups)
    rows["fish_coverage"] = _share(counts["groups_with_both"], n_groups)
    rows["fish_items"] = counts["fish_items"]
    rows["province_sessions"] = province_part(np.ones(province.sum(), dtype="int64"))
    rows["sessions"] = own_sessions + rows["province_sessions"]
    rows["own_sessions"] = own_sessions
    rows["province_participants"] = province_part(attended[province])
    rows["participants"] = own_people + rows["province_participants"]
    rows["own_participants"] = own_people
    rows["roster_sessions"] = own_from_roster + province_part(from_roster[province])
    present = own_present + province_part(roster["present"][province])
    answered = present + own_absent + province_part(roster["absent"][province])
    rows["attendance_rate"] = (present / answered.where(answered > 0)).astype("object")
    rows["attendance_rate"] = rows["attendance_rate"].where(answered > 0, None)
    rows["own_open_actions"] = per_tambon(action_tambon[open_now])
    rows["province_open_actions"] = int((open_now & province_action).sum())
    rows["open_actions"] = rows["own_open_actions"] + rows["province_open_actions"]
    rows["open_sponsor_actions"] = with_province(
        per_tambon(action_tambon[open_now & sponsor]), open_now & sponsor)
    rows["overdue_actions"] = with_province(per_tambon(action_tambon[overdue]), overdue)
    # The own and province-wide parts of what the overview's total counts once.
    rows["own_roster_sessions"] = own_from_roster
    rows["province_roster_sessions"] = rows["roster_sessions"] - own_from_roster
    rows["own_open_sponsor_actions"] = per_tambon(action_tambon[open_now & sponsor])
    rows["own_overdue_actions"] = per_tambon(action_tambon[overdue])
    rows["province_overdue_actions"] = int((overdue & province_action).sum())
    people = records.people
    rows["community_facilitators"] = per_tambon(
        people.loc[people["role"].eq("community_facilitator").fillna(False).to_numpy(bool),
                   "tambon"])
    rows["closed_actions"] = closed_actions
    frame = rows.reset_index()
    names = tambons.set_index("tambon")
    frame.insert(1, "name_th", frame["tambon"].map(names["name_th"]).astype("string"))
    frame.insert(2, "amphoe_th", frame["tambon"].map(names["amphoe_th"]).astype("string"))
    return frame


# What a row of the overview sums over its tambons: counts, and the own parts of the items
# that province-wide rows share (those are added once, by `province_totals`).
SUMMED = ("groups", "visits_planned", "visits_done", "visits_overdue", "groups_visited",
          "groups_with_head", "groups_with_tail", "groups_with_both", "own_sessions",
          "own_participants", "own_roster_sessions", "own_open_actions",
          "own_open_sponsor_actions", "own_overdue_actions")


def province_wide(records, as_of, since) -> dict[str, int]:
    """Return the province-wide part, each item once: held sessions in (since, as_of], their
    participants (as `tambon_progress` counts them) and the sessions counted from the roster;
    open, open-for-sponsor and overdue actions at as_of.
    """
    as_of = as_of_or_default(records, as_of)
    since = (day(since, "since") if since is not None
             else resolve_period(records, None, as_of).since)
    sessions = records.sessions
    province = row_tambons(records.frames(), "sessions").isna().to_numpy(bool)
    chosen = sessions.loc[province & is_held(sessions)
                          & ((sessions["date"] > since) & (sessions["date"] <= as_of))
                          .to_numpy(bool)]
    roster = roster_counts(records, chosen["session_id"])
    attended = participant_counts(chosen, roster).fillna(0)
    actions = records.actions
    wide = actions["tambon"].isna().to_numpy(bool) & open_at(actions, as_of)
    return {
        "sessions": len(chosen),
        "participants": int(attended.sum()),
        "roster_sessions": int((chosen["participants"].isna().to_numpy(bool)
                                & (roster["listed"] > 0).to_numpy(bool)).sum()),
        "open_actions": int(wide.sum()),
        "open_sponsor_actions": int((wide & actions["for_sponsor"].fillna(False)
                                     .to_numpy(bool)).sum()),
        "overdue_actions": int((wide & (actions["due"] < as_of).to_numpy(bool)).sum()),
    }


def province_totals(records, as_of, since, progress: pd.DataFrame | None = None) -> dict:
    """Return the overview's total: every item once, across all the records' tambons.

    Counts sum over the tambons; sessions, participants and actions are the tambons' own
    parts plus the province-wide part once (`province_wide`); coverages are across all
    tambons (groups visited ÷ all groups). `progress` is `province_progress(records, as_of,
    since)` when the caller has it already.
    """
    as_of = as_of_or_default(records, as_of)
    if since is None:  # one period for every tambon, so the province-wide part is one
        since = resolve_period(records, None, as_of).since
    if progress is None:
        progress = province_progress(records, as_of, since)
    totals = {name: int(progress[name].sum()) for name in SUMMED}
    wide = province_wide(records, as_of, since)
    totals["tambons"] = len(progress)
    totals["groups_never_visited"] = totals["groups"] - totals["groups_visited"]
    totals["visit_coverage"] = _ratio(totals["groups_visited"], totals["groups"])
    totals["head_coverage"] = _ratio(totals["groups_with_head"], totals["groups"])
    totals["tail_coverage"] = _ratio(totals["groups_with_tail"], totals["groups"])
    totals["fish_coverage"] = _ratio(totals["groups_with_both"], totals["groups"])
    for name in ("sessions", "participants", "roster_sessions", "open_actions",
                 "open_sponsor_actions", "overdue_actions"):
        totals[f"province_{name}"] = wide[name]
        totals[name] = totals[f"own_{name}"] + wide[name]
    totals["tambons_without_community_facilitator"] = int(
        (progress["community_facilitators"] == 0).sum())
    return totals


def progress_by(progress: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Return `province_progress` rows summed per area (e.g. ["province_th", "amphoe_th"]).

    The `SUMMED` columns add up; coverages are recomputed over the area's groups; `tambons`
    counts its tambons. Province-wide items belong to no area (the total adds them once).
    """
    keys = [progress[column].fillna("") for column in by]
    summed = progress.groupby(keys, sort=True)[list(SUMMED)].sum()
    summed.insert(0, "tambons", progress.groupby(keys, sort=True).size())
    summed["visit_coverage"] = _share(summed["groups_visited"], summed["groups"])
    summed["head_coverage"] = _share(summed["groups_with_head"], summed["groups"])
    summed["tail_coverage"] = _share(summed["groups_with_tail"], summed["groups"])
    summed["fish_coverage"] = _share(summed["groups_with_both"], summed["groups"])
    return summed.reset_index()


def next_sponsor_forum(records, as_of) -> dict | None:
    """Return the next province-wide sponsor forum after as_of: its date, title and number
    (its order among the province-wide sponsor forums, by date), or None.
    """
    as_of = as_of_or_default(records, as_of)
    sessions = records.sessions
    forums = sessions.loc[row_tambons(records.frames(), "sessions").isna().to_numpy(bool)
                          & sessions["kind"].eq("sponsor_forum").fillna(False).to_numpy(bool)
                          & sessions["date"].notna().to_numpy(bool)]
    forums = forums.sort_values(["date", "session_id"], kind="stable").reset_index(drop=True)
    after = forums.index[(forums["date"] > as_of).to_numpy(bool)]
    if after.empty:
        return None
    first = after[0]
    return {"date": forums.at[first, "date"], "title": forums.at[first, "title"],
            "number": int(first) + 1, "session_id": forums.at[first, "session_id"]}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """Return part / whole per tambon, 0.0 where whole is 0 (as `selectors.ratio`)."""
    return (part / whole.where(whole > 0)).fillna(0.0).astype("float64")


def _sum_after(dates: pd.Series, values, starts: pd.Series) -> pd.Series:
    """Return, per start, the sum of `values` whose date is after it (dates on or before as-of).

    Sorted once and searched per start, so many tambons cost little more than one.
    """
    order = np.argsort(dates.to_numpy(), kind="stable")
    sorted_dates = dates.to_numpy()[order]
    running = np.concatenate([[0], np.cumsum(np.asarray(values, dtype="int64")[order])])
    first_after = np.searchsorted(sorted_dates, starts.astype("datetime64[us]").to_numpy(),
                                  side="right")
    return pd.Series(running[-1] - running[first_after], index=starts.index).astype("int64")


def province_sessions(records, period: Period) -> pd.DataFrame:
    """Return the province-wide sessions held in the period (as `sessions_in_period` shows)."""
    tambons = records.tambons["tambon"]
    if tambons.empty:
        return pd.DataFrame(columns=["session_id", "date", "kind", "title", "scope",
                                     "participants"])
    # Province-wide sessions are in every tambon's list; any tambon's list has them all.
    sessions = sessions_in_period(records, str(tambons.iloc[0]), checked_period(period))
    return sessions[sessions["scope"] == "province"].reset_index(drop=True)


def province_open_actions(records, as_of, for_sponsor: bool | None = None) -> pd.DataFrame:
    """Return every open action across tambons and province-wide, with the tambon's Thai name.

    Columns as `open_actions`, plus tambon and tambon_name (blank for province-wide).
    """
    as_of = as_of_or_default(records, as_of)
    actions = records.actions
    keep = open_at(actions, as_of)
    if for_sponsor is not None:
        keep &= actions["for_sponsor"].fillna(False).to_numpy(bool) == bool(for_sponsor)
    chosen = actions.loc[keep]
    rows = action_frame(records, chosen, chosen["tambon"].notna().to_numpy(bool))
    rows.insert(6, "overdue", (rows["due"] < as_of).to_numpy(bool))
    rows = rows.drop(columns="closed_on")
    # The background of a request: the summary of the session that raised it, where given.
    summaries = lookup(records.sessions, "session_id", "summary")
    rows["background"] = chosen["session_id"].map(summaries).astype("string").to_numpy()
    rows.insert(0, "tambon", chosen["tambon"].astype("string").to_numpy())
    rows.insert(1, "tambon_name", rows["tambon"].map(
        lookup(records.tambons, "tambon", "name_th")).astype("string"))
    rows = rows.sort_values(["overdue", "due", "raised", "action_id"],
                            ascending=[False, True, True, True], kind="stable",
                            na_position="last")
    return rows.reset_index(drop=True)


def province_coming(records, as_of, days: int = 42) -> pd.DataFrame:
    """Return what is planned across the province in (as_of, as_of + days], each item once.

    Columns as `coming`, plus tambon_name (blank for province-wide sessions). One pass over
    the sessions and visits: each row's tambon is found once, so each tambon's rows are its
    own `coming`'s, and a province-wide session is listed once, not under every tambon.
    """
    as_of = as_of_or_default(records, as_of)
    end = as_of + pd.Timedelta(days=int(days))
    frames = records.frames()
    tambon_names = lookup(records.tambons, "tambon", "name_th")
    group_names = lookup(records.groups, "group_id", "name")

    sessions = records.sessions
    session_tambons = row_tambons(frames, "sessions")
    window = ((sessions["date"] > as_of) & (sessions["date"] <= end)).to_numpy(bool)
    known = session_tambons.isna() | session_tambons.isin(records.tambons["tambon"])
    chosen = window & known.to_numpy(bool)
    sessions, session_tambons = sessions.loc[chosen], session_tambons.loc[chosen]
    session_rows = pd.DataFrame({
        "tambon_name": session_tambons.map(tambon_names),
        "date": sessions["date"],
        "what": "session",
        "kind": sessions["kind"].astype("string"),
        "title": sessions["title"],
        "where": (sessions["group_id"].map(group_names).astype("string")
                  .fillna(sessions["tambon"].map(tambon_names).astype("string"))
                  .fillna(sessions["venue"])),
    })

    visits = records.visits
    visit_tambons = visits["group_id"].map(lookup(records.groups, "group_id", "tambon"))
    due = due_dates(visits)
    waiting = visit_state(visits, as_of).isin(["planned", "postponed", "overdue"]).to_numpy(bool)
    chosen = (waiting & ((due > as_of) & (due <= end)).to_numpy(bool)
              & visit_tambons.isin(records.tambons["tambon"]).to_numpy(bool))
    visits = visits.loc[chosen]
    name = visits["group_id"].map(group_names).astype("string")
    visit_rows = pd.DataFrame({
        "tambon_name": visit_tambons.loc[chosen].map(tambon_names),
        "date": due.loc[chosen],
        "what": "visit",
        "kind": "field_visit",
        "title": "ลงพื้นที่ " + name,
        "where": name,
    })
    rows = pd.concat([session_rows, visit_rows], ignore_index=True).astype({
        "tambon_name": "string", "date": "datetime64[us]", "what": "string", "kind": "string",
        "title": "string", "where": "string"})
    rows = rows.sort_values(["date", "what", "title"], kind="stable")
    return rows.sort_values(["date", "tambon_name", "title"], kind="stable",
                            na_position="first").reset_index(drop=True)
