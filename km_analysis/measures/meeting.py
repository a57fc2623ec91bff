"""What page 1 of a tambon's report puts before the sponsors' forum (เวทีคุณเอื้อ).

The forum the report is written for, the requests for the sponsors with their background,
and what needs pushing. Pure functions over `Records`, like the rest of `measures`.
"""

from __future__ import annotations

import pandas as pd

from ..frames import eq, lookup
from ..scope import own_and_province
from .period import as_of_or_default
from .selectors import groups_of, tambon_slug, visit_state, visits_of
from .tambon import open_actions

SPONSOR_FORUM = "sponsor_forum"


def next_sponsor_forum(records, tambon: str, as_of) -> dict | None:
    """Return the first sponsor forum after as_of that is T's or province-wide, or None.

    Keys: number (its place, from 1, among all T's and province-wide sponsor forums by date),
    date, title, venue (None when blank), session_id.
    """
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    sessions = records.sessions
    in_tambon, province = own_and_province(records.frames(), "sessions", tambon)
    forums = sessions.loc[(in_tambon | province) & eq(sessions["kind"], SPONSOR_FORUM)]
    forums = forums.sort_values(["date", "session_id"], kind="stable").reset_index(drop=True)
    coming = forums.index[(forums["date"] > as_of).to_numpy(bool)]
    if coming.empty:
        return None
    forum = forums.loc[coming[0]]
    return {"number": int(coming[0]) + 1, "date": forum["date"], "title": forum["title"],
            "venue": None if pd.isna(forum["venue"]) else forum["venue"],
            "session_id": forum["session_id"]}


def proposals(records, tambon: str, as_of) -> pd.DataFrame:
    """Return the open actions for the sponsors, each with its background, due soonest first.

    Columns: those of `open_actions`, plus background (the `summary` of the session that
    raised the action; blank without one). Overdue ones come first (their due dates are the
    earliest), then by due date, blank due dates last.
    """
    rows = open_actions(records, tambon, as_of, for_sponsor=True)
    raised_at = records.actions.set_index("action_id")["session_id"]
    summaries = lookup(records.sessions, "session_id", "summary")
    background = rows["action_id"].map(raised_at).map(summaries)
    return rows.assign(background=background.astype("string"))


def unvisited_groups(records, tambon: str, as_of) -> pd.DataFrame:
    """Return T's groups without a visit done by as_of: group_id, village_no, name.

    Sorted by village_no, then name.
    """
    tambon = tambon_slug(records, tambon)
    as_of = as_of_or_default(records, as_of)
    groups = groups_of(records, tambon)
    visits = visits_of(records, groups)
    visited = visits.loc[(visit_state(visits, as_of) == "done").to_numpy(bool), "group_id"]
    left = groups.loc[~groups["group_id"].isin(visited).to_numpy(bool),
                      ["group_id", "village_no", "name"]]
    return left.sort_values(["village_no", "name"], kind="stable",
                            na_position="last").reset_index(drop=True)


def has_community_facilitator(records, tambon: str) -> bool:
    """Return whether a person with the role community_facilitator belongs to T."""
    tambon = tambon_slug(records, tambon)
    people = records.people
    return bool((eq(people["tambon"], tambon) & eq(people["role"], "community_facilitator")).any())
