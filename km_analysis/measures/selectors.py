"""Which rows a measure counts, and their states: the measures' shared vocabulary.

A tambon's groups, visits, fish, sessions and actions; a visit's state and an action's
openness as of a date; a session's participants. Every measure module builds on these, so
"overdue" or "participants" means one thing in every section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..frames import eq, lookup
from ..scope import own_and_province, resolve_tambon

if TYPE_CHECKING:
    from .period import Period

NETWORK = "network"  # the owner of a tambon network's own fish items
FISH_PARTS = ("head", "body", "tail")
VISIT_STATES = ("done", "overdue", "planned", "postponed", "postponed_undated", "cancelled",
                "no_plan")


def tambon_slug(records, tambon) -> str:
    """Return the slug of `tambon` (its slug or Thai name); UsageError for an unknown one."""
    if isinstance(tambon, str) and eq(records.tambons["tambon"], tambon).any():
        return tambon  # the common case, kept cheap: the overview asks once per tambon
    return resolve_tambon(records.tambons, tambon, records.source)


def within(dates: pd.Series, period: Period) -> np.ndarray:
    """Return, per date, whether it falls in the period (since < date <= as_of)."""
    return ((dates > period.since) & (dates <= period.as_of)).to_numpy(bool)


def is_held(sessions: pd.DataFrame) -> np.ndarray:
    """Return, per session, whether it was held (status held)."""
    return sessions["status"].eq("held").to_numpy(bool)


def ratio(part: int, whole: int) -> float:
    """Return part / whole, 0.0 when whole is 0 (a tambon without groups)."""
    return float(part) / whole if whole else 0.0


def rank(order) -> dict[str, int]:
    """Return code -> position in `order`, for sorting by a declared order."""
    return {code: i for i, code in enumerate(order)}


def person_names(records) -> pd.Series:
    """Return person_id -> name."""
    return lookup(records.people, "person_id", "name")


def name_or_id(ids: pd.Series, names: pd.Series) -> pd.Series:
    """Return each id's name, else the id itself (an owner typed as free text)."""
    return ids.map(names).astype("string").fillna(ids.astype("string"))


def groups_of(records, tambon: str) -> pd.DataFrame:
    """Return the groups of tambon T (a slug)."""
    groups = records.groups
    return groups.loc[eq(groups["tambon"], tambon)]


def visits_of(records, groups: pd.DataFrame) -> pd.DataFrame:
    """Return the visits of `groups`."""
    visits = records.visits
    return visits.loc[visits["group_id"].isin(groups["group_id"]).to_numpy(bool)]


def fish_of(records, tambon: str, groups: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Return T's fish items recorded <= as_of: its groups' and its network's own."""
    fish = records.fish
    mine = fish["group_id"].isin(groups["group_id"]).to_numpy(bool) | eq(fish["tambon"], tambon)
    return fish.loc[mine & (fish["recorded"] <= as_of).to_numpy(bool)]


def sessions_in(records, tambon: str, period: Period) -> pd.DataFrame:
    """Return the held sessions of the period that are T's or province-wide."""
    sessions = records.sessions
    in_tambon, province = own_and_province(records.frames(), "sessions", tambon)
    keep = (in_tambon | province) & is_held(sessions) & within(sessions["date"], period)
    return sessions.loc[keep]


def roster_counts(records, session_ids: pd.Series) -> pd.DataFrame:
    """Return per session (same index as session_ids): present, absent, listed (roster size)."""
    # Counting every roster row and picking the sessions asked for is cheaper than choosing
    # the rows first: `isin` over Arrow strings is slow on a national roster.
    roster = records.attendance
    counts = {"listed": roster["session_id"].value_counts()}
    for status in ("present", "absent"):
        counts[status] = roster.loc[roster["status"].eq(status).to_numpy(bool),
                                    "session_id"].value_counts()
    return pd.DataFrame({
        name: session_ids.map(c).fillna(0).astype("int64") for name, c in counts.items()
    })


def participant_counts(sessions: pd.DataFrame, roster: pd.DataFrame) -> pd.Series:
    """Return each session's participants: the count given, else the roster's present (Int64)."""
    from_roster = roster["present"].astype("Int64").where(roster["listed"] > 0)
    return sessions["participants"].astype("Int64").fillna(from_roster)


def observer_names(records, session_ids: pd.Series) -> pd.Series:
    """Return session_id -> the roster's observers' names, comma-joined in roster order."""
    attendance = records.attendance
    observers = attendance.loc[
        attendance["session_id"].isin(session_ids).to_numpy(bool)
        & attendance["status"].eq("observer").to_numpy(bool)
    ]
    if observers.empty:
        return pd.Series(dtype="string")
    names = name_or_id(observers["person_id"], person_names(records))
    return names.groupby(observers["session_id"].to_numpy(), sort=False).agg(", ".join)


def due_dates(visits: pd.DataFrame) -> pd.Series:
    """Return each visit's due date: rescheduled if given, else planned."""
    return visits["rescheduled"].fillna(visits["planned"])


def visit_state(visits: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
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


def actions_of(records, tambon: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the actions of T or province-wide, and per row whether it is T's own."""
    actions = records.actions
    in_tambon = eq(actions["tambon"], tambon)
    keep = in_tambon | actions["tambon"].isna().to_numpy(bool)
    return actions.loc[keep], in_tambon[keep]


def open_at(actions: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Return, per action, whether it is open at as_of (raised, not yet closed)."""
    raised = (actions["raised"] <= as_of).to_numpy(bool)
    closed = (actions["closed_on"] <= as_of).to_numpy(bool)
    return raised & ~closed


def action_frame(records, actions: pd.DataFrame, in_tambon: np.ndarray) -> pd.DataFrame:
    """Return actions as the report lists them: owner as a name, scope tambon/province."""
    owner = actions["owner"]
    return pd.DataFrame({
        "action_id": actions["action_id"],
        "raised": actions["raised"],
        "title": actions["title"],
        "status": actions["status"].astype("string"),
        "owner": owner.map(person_names(records)).astype("string").fillna(owner),
        "due": actions["due"],
        "for_sponsor": actions["for_sponsor"].fillna(False).astype(bool),
        "scope": pd.Series(np.where(in_tambon, "tambon", "province"), index=actions.index,
                           dtype="string"),
        "closed_on": actions["closed_on"],
    }).reset_index(drop=True)


def fish_frame(fish: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Return fish items as the report lists them: network first, then by group and part."""
    is_network = fish["group_id"].isna()
    rows = pd.DataFrame({
        "owner": fish["group_id"].fillna(NETWORK).astype("string"),
        "group_name": fish["group_id"].map(lookup(groups, "group_id", "name")).astype("string"),
        "part": fish["part"].astype("string"),
        "item": fish["item"],
        "recorded": fish["recorded"],
    })
    keys = pd.DataFrame({
        "network": ~is_network,  # False sorts first
        "owner": rows["owner"],
        "part": rows["part"].map(rank(FISH_PARTS)),
        "recorded": rows["recorded"],
        "entered": np.arange(len(rows)),
    })
    order = keys.sort_values(list(keys.columns)).index
    return rows.loc[order].reset_index(drop=True)
