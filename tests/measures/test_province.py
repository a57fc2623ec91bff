"""The province overview in one grouped pass equals each tambon's own measures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from km_analysis import load_records
from km_analysis.measures import province_progress, province_sessions, resolve_period
from km_analysis.measures.province import (
    MEASURES,
    next_sponsor_forum,
    progress_by,
    province_coming,
    province_totals,
    province_wide,
)
from km_analysis.measures.tambon import coming, tambon_progress
from km_analysis.records import synth
from km_analysis.scope import row_tambons

from ..conftest import DEMO_DATA


def _same(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or math.isnan(a)) and (b is None or (isinstance(b, float)
                                                                and math.isnan(b)))
    return a == pytest.approx(b)


def _assert_rows_equal_tambon_progress(records, as_of, since):
    frame = province_progress(records, as_of, since).set_index("tambon")
    for slug in records.tambons["tambon"]:
        expected = tambon_progress(records, slug, as_of, since)
        got = frame.loc[slug]
        differ = {k: (got[k], expected[k]) for k in MEASURES if not _same(got[k], expected[k])}
        assert differ == {}, f"{slug}: (grouped, per tambon) {differ}"


@pytest.fixture(scope="module")
def demo():
    return load_records(DEMO_DATA)


@pytest.mark.parametrize(("as_of", "since"), [
    (None, None), ("2006-10-30", "2006-09-05"), ("2006-10-12", None), ("2006-11-30", None),
])
def test_each_tambons_row_equals_its_own_measures_on_the_demo(demo, as_of, since):
    _assert_rows_equal_tambon_progress(demo, as_of, since)


def test_totals_are_own_parts_plus_the_province_wide_part_once(demo):
    period = resolve_period(demo, None)
    frame = province_progress(demo, period.as_of, period.since)
    province = province_sessions(demo, period)
    sessions = demo.sessions
    held = sessions[(sessions["status"] == "held") & (sessions["date"] > period.since)
                    & (sessions["date"] <= period.as_of)]
    assert frame["own_sessions"].sum() + len(province) == len(held)


@pytest.fixture(scope="module")
def province_records(tmp_path_factory):
    folder = synth.write(synth.generate(40, seed=7), tmp_path_factory.mktemp("synth"))
    return load_records(folder, errors="collect")


def test_each_tambons_row_equals_its_own_measures_on_synthetic_records(province_records):
    _assert_rows_equal_tambon_progress(province_records, None, None)
    as_of = resolve_period(province_records, None).as_of
    _assert_rows_equal_tambon_progress(province_records, as_of, as_of - pd.Timedelta(days=60))


def expected_totals(records, as_of, since) -> dict[str, int]:
    """The overview's total worked out with plain pandas: every item once, across tambons."""
    as_of, since = pd.Timestamp(as_of), pd.Timestamp(since)
    group_tambon = dict(zip(records.groups["group_id"], records.groups["tambon"]))
    visits = records.visits
    done = visits["done_on"] <= as_of
    due = visits["rescheduled"].where(visits["status"] == "postponed", visits["planned"])
    overdue = ~done & visits["status"].isin(["planned", "postponed"]) & (due < as_of)
    sessions = records.sessions
    tambon = sessions["tambon"].fillna(sessions["group_id"].map(group_tambon))
    held = sessions[(sessions["status"].fillna("held") == "held") & (sessions["date"] > since)
                    & (sessions["date"] <= as_of)]
    attendance = records.attendance
    present = attendance[attendance["status"] == "present"].groupby("session_id").size()
    listed = attendance.groupby("session_id").size()
    from_roster = held["participants"].isna() & held["session_id"].isin(listed.index)
    participants = held["participants"].fillna(held["session_id"].map(present)).fillna(0)
    actions = records.actions
    open_ = (actions["raised"] <= as_of) & ~(actions["closed_on"] <= as_of)
    return {
        "groups": len(records.groups),
        "visits_planned": int((visits["status"] != "cancelled").sum()),
        "visits_done": int(done.sum()),
        "visits_overdue": int(overdue.sum()),
        "groups_visited": visits.loc[done, "group_id"].nunique(),
        "sessions": len(held),
        "province_sessions": int(tambon.loc[held.index].isna().sum()),
        "participants": int(participants.sum()),
        "roster_sessions": int(from_roster.sum()),
        "open_actions": int(open_.sum()),
        "province_open_actions": int((open_ & actions["tambon"].isna()).sum()),
        "open_sponsor_actions": int((open_ & actions["for_sponsor"].fillna(False)).sum()),
        "overdue_actions": int((open_ & (actions["due"] < as_of)).sum()),
    }


def _assert_totals(records, as_of, since):
    progress = province_progress(records, as_of, since)
    totals = province_totals(records, as_of, since, progress)
    expected = expected_totals(records, as_of, since)
    assert {k: totals[k] for k in expected} == expected
    assert totals["visit_coverage"] == pytest.approx(expected["groups_visited"]
                                                     / expected["groups"])
    # The total is the tambons' own parts plus the province-wide part, once.
    for name in ("sessions", "participants", "open_actions", "overdue_actions"):
        assert totals[name] == (progress[f"own_{name}"].sum()
                                + progress[f"province_{name}"].iloc[0]), name
    return progress, totals


def test_totals_count_each_item_once_on_the_demo(demo):
    period = resolve_period(demo, None)
    progress, totals = _assert_totals(demo, period.as_of, period.since)
    # The demo: 7 distinct open actions, though the tambons' rows (with the province-wide
    # ones in each) add up to 13; A07 of Mamuang Song Ton is the one overdue.
    assert totals["open_actions"] == 7 and progress["open_actions"].sum() == 13
    assert totals["overdue_actions"] == 1
    assert progress.set_index("tambon").at["mamuangsongton", "own_overdue_actions"] == 1
    assert totals["tambons_without_community_facilitator"] == 1


def test_totals_count_each_item_once_on_synthetic_records(province_records):
    as_of = resolve_period(province_records, None).as_of
    _assert_totals(province_records, as_of, as_of - pd.Timedelta(days=60))


@pytest.mark.parametrize("as_of", ["2006-10-30", "2006-10-12"])
def test_own_and_province_parts_add_up_to_each_tambons_own_figures(demo, as_of):
    period = resolve_period(demo, None, as_of)
    frame = province_progress(demo, period.as_of, period.since).set_index("tambon")
    for slug in demo.tambons["tambon"]:
        own = tambon_progress(demo, slug, period.as_of, period.since)
        row = frame.loc[slug]
        assert row["own_overdue_actions"] + row["province_overdue_actions"] \
            == own["overdue_actions"]
        assert row["own_roster_sessions"] + row["province_roster_sessions"] \
            == own["roster_sessions"]
        assert row["own_open_sponsor_actions"] + province_wide(
            demo, period.as_of, period.since)["open_sponsor_actions"] \
            == own["open_sponsor_actions"]


def test_areas_sum_their_tambons(province_records):
    progress = province_progress(province_records)
    amphoes = progress_by(progress.assign(province_th="p"), ["province_th", "amphoe_th"])
    assert amphoes["tambons"].sum() == len(progress)
    assert amphoes["groups"].sum() == progress["groups"].sum()
    first = amphoes.iloc[0]
    members = progress[progress["amphoe_th"] == first["amphoe_th"]]
    assert first["visit_coverage"] == pytest.approx(
        members["groups_visited"].sum() / members["groups"].sum())


def test_the_next_sponsor_forum_is_numbered_by_its_order(demo):
    forum = next_sponsor_forum(demo, "2006-10-30")
    assert (forum["session_id"], forum["number"]) == ("S14", 2)
    assert next_sponsor_forum(demo, "2006-11-20") is None


def _coming_tambon_by_tambon(records, as_of) -> pd.DataFrame:
    """Each tambon's own `coming`, tagged with its name; a province-wide session once."""
    parts = []
    for slug, name in zip(records.tambons["tambon"], records.tambons["name_th"]):
        rows = coming(records, slug, as_of)
        rows.insert(0, "tambon_name", name)
        parts.append(rows)
    rows = pd.concat(parts, ignore_index=True)
    scopes = row_tambons(records.frames(), "sessions")
    province_ids = set(records.sessions.loc[scopes.isna().to_numpy(bool), "title"])
    rows.loc[(rows["what"] == "session") & rows["title"].isin(province_ids), "tambon_name"] = pd.NA
    return rows.drop_duplicates().astype({"tambon_name": "string"})


def _as_rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(tuple(map(str, row)) for row in frame.itertuples(index=False, name=None))


@pytest.mark.parametrize("as_of", ["2006-08-01", "2006-09-15", "2006-10-12", "2006-10-30"])
def test_the_coming_list_is_each_tambons_own_on_the_demo(demo, as_of):
    grouped = province_coming(demo, as_of)
    assert len(grouped) > 0
    assert _as_rows(grouped) == _as_rows(_coming_tambon_by_tambon(demo, as_of))


def test_the_coming_list_is_each_tambons_own_on_synthetic_records(province_records):
    as_of = province_records.sessions["date"].quantile(0.5)
    grouped = province_coming(province_records, as_of)
    assert len(grouped) > 0
    assert _as_rows(grouped) == _as_rows(_coming_tambon_by_tambon(province_records, as_of))
    assert grouped["date"].is_monotonic_increasing
