"""Page 1's measures: the next sponsor forum, the requests with their background, what to push."""

from __future__ import annotations

import pandas as pd
import pytest

from km_analysis import load_records
from km_analysis.measures import (
    has_community_facilitator,
    next_sponsor_forum,
    proposals,
    unvisited_groups,
)

from ..conftest import DEMO_DATA


@pytest.fixture(scope="module")
def demo():
    return load_records(DEMO_DATA)


@pytest.mark.parametrize(("as_of", "number", "date"), [
    ("2006-09-01", 1, "2006-09-05"),   # before the first forum
    ("2006-11-01", 2, "2006-11-20"),   # between the two
    ("2006-11-20", None, None),        # on the day of the last: it is no longer coming
])
def test_next_sponsor_forum_is_numbered_by_its_place_among_forums(demo, as_of, number, date):
    forum = next_sponsor_forum(demo, "bangjak", as_of)
    if number is None:
        assert forum is None
    else:
        assert (forum["number"], forum["date"]) == (number, pd.Timestamp(date))


def test_next_sponsor_forum_counts_the_tambons_own_forums_too(demo):
    sessions = demo.sessions.copy()
    own = sessions.iloc[[0]].assign(session_id="S99", kind="sponsor_forum",
                                    date=pd.Timestamp("2006-10-01"), tambon="bangjak")
    records = _with(demo, sessions=pd.concat([sessions, own], ignore_index=True))
    assert next_sponsor_forum(records, "bangjak", "2006-11-01")["number"] == 3
    # Another tambon's own forum is not bangjak's.
    assert next_sponsor_forum(records, "tharai", "2006-11-01")["number"] == 2


def test_proposals_carry_the_raising_sessions_summary(demo):
    rows = proposals(demo, "bangjak", "2006-11-01")
    actions = demo.actions
    expected = actions[actions["for_sponsor"].fillna(False).astype(bool)
                       & (actions["raised"] <= "2006-11-01")
                       & ~(actions["closed_on"] <= "2006-11-01")
                       & (actions["tambon"].isna() | (actions["tambon"] == "bangjak"))]
    assert sorted(rows["action_id"]) == sorted(expected["action_id"])
    summaries = demo.sessions.set_index("session_id")["summary"]
    for row in rows.itertuples():
        session = actions.set_index("action_id").loc[row.action_id, "session_id"]
        assert row.background == summaries.get(session)


def test_unvisited_groups_are_those_without_a_done_visit(demo):
    left = unvisited_groups(demo, "bangjak", "2006-11-01")
    groups = demo.groups[demo.groups["tambon"] == "bangjak"]
    visits = demo.visits
    done = visits[visits["done_on"] <= "2006-11-01"]["group_id"]
    assert set(left["group_id"]) == set(groups["group_id"]) - set(done)


def test_community_facilitator_belongs_to_the_tambon(demo):
    people = demo.people
    for slug in demo.tambons["tambon"]:
        expected = ((people["tambon"] == slug)
                    & (people["role"] == "community_facilitator")).any()
        assert has_community_facilitator(demo, slug) == bool(expected)


def _with(records, **frames):
    import dataclasses

    return dataclasses.replace(records, **frames)
