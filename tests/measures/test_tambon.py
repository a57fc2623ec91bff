"""Progress measures: each figure against the value worked out by hand from the rows written.

Unless a test says otherwise the period is 1 Oct < date <= 31 Oct 2006, and the records are
`minimal_tables()` (tambons tharai and bangjak; tharai has group G1, bangjak G2), so:
sessions S1 (province-wide, 11 Oct, 14 participants) and S2 (tharai, 15 Oct, blank count);
visit V1 of G1 done 21 Oct, V2 of G2 postponed to 15 Nov; fish: G1 head and the tharai
network's tail, both 21 Oct; actions A1 (province-wide, open, for the sponsors, raised 11 Oct)
and A2 (bangjak, done 25 Oct).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt

import pandas as pd
import pytest

from km_analysis import UsageError, load_records, metrics, schema, thai
from km_analysis.metrics import Period
from km_analysis.schema import TABLES

from ..conftest import DEMO_DATA

AS_OF, SINCE = "2006-10-31", "2006-10-01"
PERIOD = Period(as_of=pd.Timestamp(AS_OF), since=pd.Timestamp(SINCE))
LATER = dt.date(2030, 1, 1)  # a "today" after every record


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --- rows ------------------------------------------------------------------------------------


def person(person_id, name=None, role="practitioner", tambon=""):
    return {"person_id": person_id, "name": name or f"คน {person_id}", "role": role,
            "tambon": tambon}


def group(group_id, tambon="tharai", village_no="2", name=None, facilitator="P2"):
    return {"group_id": group_id, "tambon": tambon, "village_no": village_no,
            "name": name or f"กลุ่ม {group_id}", "type": "savings_group", "members": "10",
            "facilitator": facilitator}


def session(session_id, date, tambon="tharai", kind="learning_circle", status="held",
            participants="", group_id="", title=None):
    return {"session_id": session_id, "date": date, "kind": kind,
            "title": title or f"กิจกรรม {session_id}", "tambon": tambon, "group_id": group_id,
            "status": status, "participants": participants}


def visit(visit_id, group_id, planned, status="planned", done_on="", rescheduled="",
          facilitator=""):
    return {"visit_id": visit_id, "group_id": group_id, "planned": planned, "status": status,
            "done_on": done_on, "rescheduled": rescheduled, "facilitator": facilitator}


def fish(part, recorded, group_id="", tambon="", item="รายการ"):
    return {"part": part, "item": item, "recorded": recorded, "group_id": group_id,
            "tambon": tambon}


def action(action_id, raised, status="open", tambon="tharai", closed_on="", for_sponsor="no",
           due="", owner=""):
    return {"action_id": action_id, "raised": raised, "title": f"งาน {action_id}",
            "status": status, "tambon": tambon, "owner": owner, "for_sponsor": for_sponsor,
            "due": due, "closed_on": closed_on}


def roster(session_id, *entries):
    """Return attendance rows: entries are (person_id, status)."""
    return [{"session_id": session_id, "person_id": p, "status": s} for p, s in entries]


def note(date, tambon, title="บันทึก"):
    return {"date": date, "title": title, "text": "ข้อความ", "tambon": tambon}


# --- helpers ---------------------------------------------------------------------------------


def load(write, tables):
    return load_records(write(tables))


def progress(write, tables, tambon="tharai", as_of=AS_OF, since=SINCE):
    return metrics.tambon_progress(load(write, tables), tambon, as_of=as_of, since=since)


def with_people(tables, *people):
    tables["people"] += list(people)
    return tables


# =============================================================================================
# The period


def test_default_as_of_is_the_latest_event(write, tables):
    # A2 closed on 25 Oct is the latest of the minimal records' events.
    assert metrics.default_as_of(load(write, tables), today=LATER) == day("2006-10-25")


@pytest.mark.parametrize("table, row, expected", [
    ("sessions", session("S9", "2006-11-01"), "2006-11-01"),
    ("visits", visit("V9", "G1", "2006-11-01", "done", done_on="2006-11-02"), "2006-11-02"),
    ("fish", fish("head", "2006-11-03", group_id="G1"), "2006-11-03"),
    ("actions", action("A9", "2006-11-04"), "2006-11-04"),
    ("actions", action("A9", "2006-10-12", "done", closed_on="2006-11-05"), "2006-11-05"),
], ids=["held-session", "visit-done", "fish-recorded", "action-raised", "action-closed"])
def test_default_as_of_takes_every_kind_of_event(write, tables, table, row, expected):
    tables[table].append(row)
    assert metrics.default_as_of(load(write, tables), today=LATER) == day(expected)


def test_planned_session_is_not_an_event(write, tables):
    tables["sessions"].append(session("S9", "2006-12-01", status="planned"))
    assert metrics.default_as_of(load(write, tables), today=LATER) == day("2006-10-25")


def test_default_as_of_is_capped_at_today(write, tables):
    today = dt.date(2006, 10, 20)
    assert metrics.default_as_of(load(write, tables), today=today) == day("2006-10-20")


def test_default_as_of_without_any_event_is_today(write, tables):
    tables["sessions"] = [session("S1", "2006-10-11", status="planned")]
    tables["visits"] = [visit("V1", "G1", "2006-10-20")]
    folder = write(tables)
    for table in ("fish", "actions"):
        (folder / f"{table}.csv").write_text(",".join(TABLES[table].required_columns) + "\n")
    records = load_records(folder)
    assert metrics.default_as_of(records, today=dt.date(2006, 11, 2)) == day("2006-11-02")


def test_default_since_falls_back_to_30_days_before_as_of(write, tables):
    assert metrics.default_since(load(write, tables), "tharai", AS_OF) == day("2006-10-01")


@pytest.mark.parametrize("forum", [
    session("S9", "2006-10-05", tambon="tharai", kind="sponsor_forum"),
    session("S9", "2006-10-05", tambon="", kind="sponsor_forum"),
    session("S9", "2006-10-05", tambon="", group_id="G1", kind="sponsor_forum"),
], ids=["the-tambons", "province-wide", "with-one-of-its-groups"])
def test_default_since_is_the_last_sponsor_forum(write, tables, forum):
    tables["sessions"].append(forum)
    assert metrics.default_since(load(write, tables), "tharai", AS_OF) == day("2006-10-05")


def test_default_since_takes_the_latest_of_several_forums(write, tables):
    tables["sessions"] += [session("S8", "2006-10-05", tambon="", kind="sponsor_forum"),
                           session("S9", "2006-10-20", kind="sponsor_forum")]
    assert metrics.default_since(load(write, tables), "tharai", AS_OF) == day("2006-10-20")


def test_default_since_ignores_another_tambons_forum(write, tables):
    tables["sessions"].append(session("S9", "2006-10-05", tambon="bangjak", kind="sponsor_forum"))
    assert metrics.default_since(load(write, tables), "tharai", AS_OF) == day("2006-10-01")


@pytest.mark.parametrize("date", ["2006-10-31", "2006-11-05"], ids=["on-as-of", "after-as-of"])
def test_default_since_ignores_a_forum_not_before_as_of(write, tables, date):
    tables["sessions"].append(session("S9", date, kind="sponsor_forum"))
    assert metrics.default_since(load(write, tables), "tharai", AS_OF) == day("2006-10-01")


def test_default_since_ignores_a_planned_forum(write, tables):
    tables["sessions"].append(session("S9", "2006-10-05", kind="sponsor_forum", status="planned"))
    assert metrics.default_since(load(write, tables), "tharai", AS_OF) == day("2006-10-01")


def test_default_since_for_the_overview_takes_any_forum(write, tables):
    tables["sessions"].append(session("S9", "2006-10-05", tambon="bangjak", kind="sponsor_forum"))
    assert metrics.default_since(load(write, tables), None, AS_OF) == day("2006-10-05")


def test_resolve_period_defaults_both_ends(write, tables):
    period = metrics.resolve_period(load(write, tables), "tharai", today=LATER)
    assert period == Period(as_of=day("2006-10-25"), since=day("2006-09-25"))


def test_resolve_period_defaults_since_from_the_given_as_of(write, tables):
    period = metrics.resolve_period(load(write, tables), "tharai", as_of="2006-10-20")
    assert period.since == day("2006-09-20")


@pytest.mark.parametrize("as_of", [
    "2006-10-31", "2549-10-31", "31/10/2549", dt.date(2006, 10, 31),
    dt.datetime(2006, 10, 31, 15, 30), pd.Timestamp("2006-10-31"),
], ids=["iso", "iso-buddhist", "slashes", "date", "datetime", "timestamp"])
def test_resolve_period_reads_any_form_of_date(write, tables, as_of):
    period = metrics.resolve_period(load(write, tables), "tharai", as_of=as_of, since=SINCE)
    assert period == PERIOD


@pytest.mark.parametrize("since", ["2006-10-31", "2006-11-01"], ids=["equal", "after"])
def test_since_not_before_as_of_is_refused(write, tables, since):
    with pytest.raises(UsageError, match="since"):
        metrics.resolve_period(load(write, tables), "tharai", as_of=AS_OF, since=since)


def test_unreadable_date_is_a_usage_error(write, tables):
    with pytest.raises(UsageError, match="not a date"):
        metrics.resolve_period(load(write, tables), "tharai", as_of="last tuesday")


def test_unknown_tambon_is_a_usage_error(write, tables):
    with pytest.raises(UsageError, match="tharia"):
        metrics.tambon_progress(load(write, tables), "tharia", AS_OF, SINCE)


def test_tambon_progress_needs_a_tambon(write, tables):
    with pytest.raises(UsageError):
        metrics.tambon_progress(load(write, tables), None, AS_OF, SINCE)


# =============================================================================================
# tambon_progress


def test_minimal_records_give_the_hand_worked_progress(write, tables):
    assert progress(write, tables) == {
        "groups": 1, "visits_planned": 1, "visits_done": 1, "visits_overdue": 0,
        "visits_postponed_undated": 0, "groups_visited": 1, "visit_coverage": 1.0,
        "groups_with_head": 1, "groups_with_tail": 0, "groups_with_both": 0,
        "head_coverage": 1.0, "tail_coverage": 0.0, "fish_coverage": 0.0, "fish_items": 2,
        "sessions": 2, "own_sessions": 1, "province_sessions": 1,
        "participants": 14, "own_participants": 0, "province_participants": 14,
        "roster_sessions": 0, "attendance_rate": None,
        "open_actions": 1, "own_open_actions": 0, "province_open_actions": 1,
        "open_sponsor_actions": 1, "overdue_actions": 0, "closed_actions": 0,
    }


def test_progress_defaults_to_the_resolved_period(write, tables):
    # as_of defaults to 25 Oct, when bangjak's A2 was closed: inside the default period.
    assert metrics.tambon_progress(load(write, tables), "bangjak")["closed_actions"] == 1


def test_groups_counts_only_the_tambons_groups(write, tables):
    tables["groups"] += [group("G3"), group("G4", tambon="bangjak")]
    assert progress(write, tables)["groups"] == 2


def test_cancelled_visit_is_not_planned(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-25", "cancelled"))
    assert progress(write, tables)["visits_planned"] == 1


def test_visit_done_after_as_of_is_not_done(write, tables):
    tables["visits"][0]["done_on"] = "2006-11-02"
    assert progress(write, tables)["visits_done"] == 0


def test_visit_done_on_as_of_is_done(write, tables):
    tables["visits"][0]["done_on"] = AS_OF
    assert progress(write, tables)["visits_done"] == 1


def test_planned_visit_whose_date_has_passed_is_overdue(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-30"))
    assert progress(write, tables)["visits_overdue"] == 1


def test_planned_visit_due_on_as_of_is_not_yet_overdue(write, tables):
    tables["visits"].append(visit("V3", "G1", AS_OF))
    assert progress(write, tables)["visits_overdue"] == 0


def test_postponed_visit_with_past_new_date_is_overdue(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-10", "postponed", rescheduled="2006-10-30"))
    assert progress(write, tables)["visits_overdue"] == 1


def test_postponed_visit_with_future_new_date_is_not_overdue(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-10", "postponed", rescheduled="2006-11-05"))
    assert progress(write, tables)["visits_overdue"] == 0


def test_postponed_visit_without_new_date_is_not_overdue(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-10", "postponed"))
    assert progress(write, tables)["visits_overdue"] == 0


def test_postponed_visit_without_new_date_is_counted_undated(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-10", "postponed"))
    assert progress(write, tables)["visits_postponed_undated"] == 1


def test_cancelled_visit_whose_date_has_passed_is_not_overdue(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-10", "cancelled"))
    assert progress(write, tables)["visits_overdue"] == 0


def test_visit_done_after_as_of_was_overdue_at_as_of(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-10", "done", done_on="2006-11-02"))
    assert progress(write, tables)["visits_overdue"] == 1


def test_visit_coverage_counts_groups_not_visits(write, tables):
    tables["groups"].append(group("G3"))
    tables["visits"].append(visit("V3", "G1", "2006-10-25", "done", done_on="2006-10-25"))
    assert progress(write, tables)["visit_coverage"] == 0.5


@pytest.mark.parametrize("key", ["visit_coverage", "head_coverage", "tail_coverage",
                                 "fish_coverage"])
def test_coverage_is_zero_for_a_tambon_without_groups(write, tables, key):
    tables["tambons"].append({"tambon": "mamuang", "name_th": "มะม่วงสองต้น",
                              "name_en": "Mamuang Song Ton"})
    assert progress(write, tables, tambon="mamuang")[key] == 0.0


@pytest.mark.parametrize("key, expected", [
    ("head_coverage", 2 / 3), ("tail_coverage", 2 / 3), ("fish_coverage", 1 / 3),
])
def test_fish_coverage_counts_groups_with_head_tail_and_both(write, tables, key, expected):
    # G1 has a head (minimal); G3 a tail; G4 both; the network's tail counts for no group.
    tables["groups"] += [group("G3"), group("G4")]
    tables["fish"] += [fish("tail", "2006-10-22", group_id="G3"),
                       fish("head", "2006-10-22", group_id="G4"),
                       fish("tail", "2006-10-23", group_id="G4")]
    assert progress(write, tables)[key] == pytest.approx(expected)


def test_fish_recorded_after_as_of_does_not_cover(write, tables):
    tables["fish"].append(fish("tail", "2006-11-01", group_id="G1"))
    assert progress(write, tables)["tail_coverage"] == 0.0


def test_fish_items_count_the_groups_and_the_networks_items_up_to_as_of(write, tables):
    tables["fish"] += [fish("body", AS_OF, tambon="tharai"),
                       fish("body", "2006-11-01", group_id="G1"),
                       fish("head", "2006-10-22", group_id="G2")]
    # G1 head + network tail (minimal) + network body on as_of.
    assert progress(write, tables)["fish_items"] == 3


@pytest.mark.parametrize("tambon", ["tharai", "bangjak"])
def test_province_wide_session_counts_for_every_tambon(write, tables, tambon):
    tables["sessions"] = [session("S1", "2006-10-11", tambon="", participants="14")]
    assert progress(write, tables, tambon=tambon)["sessions"] == 1


def test_session_of_another_tambon_is_not_counted(write, tables):
    tables["sessions"].append(session("S3", "2006-10-12", tambon="bangjak"))
    assert progress(write, tables)["sessions"] == 2


def test_session_with_one_of_the_tambons_groups_is_the_tambons(write, tables):
    tables["sessions"].append(session("S3", "2006-10-12", tambon="", group_id="G1"))
    assert progress(write, tables)["sessions"] == 3


def test_planned_session_is_not_counted(write, tables):
    tables["sessions"].append(session("S3", "2006-10-12", status="planned"))
    assert progress(write, tables)["sessions"] == 2


@pytest.mark.parametrize("date, counted", [
    (SINCE, 0), ("2006-10-02", 1), (AS_OF, 1), ("2006-11-01", 0),
], ids=["on-since", "day-after-since", "on-as-of", "after-as-of"])
def test_session_period_excludes_since_and_includes_as_of(write, tables, date, counted):
    tables["sessions"] = [session("S1", date)]
    assert progress(write, tables)["sessions"] == counted


def test_blank_participants_use_the_rosters_present(write, tables):
    with_people(tables, person("P3"), person("P4"), person("P5"))
    tables["attendance"] = roster("S2", ("P1", "present"), ("P2", "present"),
                                  ("P3", "present"), ("P4", "absent"), ("P5", "observer"))
    assert progress(write, tables)["participants"] == 14 + 3


def test_sessions_whose_count_came_from_the_roster_are_counted(write, tables):
    with_people(tables, person("P3"))
    tables["attendance"] = roster("S2", ("P3", "present")) + roster("S1", ("P1", "present"))
    figures = progress(write, tables)
    # S2's blank count is the roster's 1; S1's given 14 stands although it has a roster.
    assert (figures["roster_sessions"], figures["own_participants"],
            figures["province_participants"]) == (1, 1, 14)


def test_observers_never_count_as_participants(write, tables):
    with_people(tables, person("P3", role="observer"))
    tables["attendance"] = roster("S2", ("P3", "observer"))
    assert progress(write, tables)["participants"] == 14


def test_given_participants_are_not_replaced_by_the_roster(write, tables):
    tables["attendance"] = roster("S1", ("P1", "present"), ("P2", "present"))
    assert progress(write, tables)["participants"] == 14


def test_participants_of_sessions_outside_the_period_are_not_counted(write, tables):
    tables["sessions"].append(session("S3", "2006-09-20", participants="30"))
    assert progress(write, tables)["participants"] == 14


def test_attendance_rate_is_present_over_present_and_absent(write, tables):
    with_people(tables, person("P3"), person("P4", role="observer"), person("P5"))
    tables["attendance"] = roster("S1", ("P1", "present"), ("P2", "present"),
                                  ("P3", "absent"), ("P4", "observer")) \
        + roster("S2", ("P5", "present"))
    assert progress(write, tables)["attendance_rate"] == pytest.approx(3 / 4)


def test_attendance_rate_is_none_without_a_roster(write, tables):
    assert progress(write, tables)["attendance_rate"] is None


def test_attendance_rate_ignores_rosters_outside_the_period(write, tables):
    tables["sessions"].append(session("S3", "2006-09-20"))
    tables["attendance"] = roster("S3", ("P1", "present"), ("P2", "absent"))
    assert progress(write, tables)["attendance_rate"] is None


def test_open_actions_count_the_tambons_and_province_wide(write, tables):
    tables["actions"] += [action("A3", "2006-10-12"), action("A4", "2006-10-12", tambon="bangjak")]
    assert progress(write, tables)["open_actions"] == 2  # A1 province-wide, A3 tharai


def test_open_actions_split_into_own_and_province_wide(write, tables):
    tables["actions"] += [action("A3", "2006-10-12"), action("A4", "2006-10-12"),
                          action("A5", "2006-10-12", tambon="")]
    figures = progress(write, tables)
    assert (figures["own_open_actions"], figures["province_open_actions"]) == (2, 2)
    assert figures["own_open_actions"] + figures["province_open_actions"] \
        == figures["open_actions"]


@pytest.mark.parametrize(("due", "overdue"), [("2006-10-30", 1), ("2006-10-31", 0), ("", 0)],
                         ids=["before", "on as_of", "blank"])
def test_open_action_due_before_as_of_is_overdue(write, tables, due, overdue):
    tables["actions"].append(action("A3", "2006-10-12", due=due))
    assert progress(write, tables)["overdue_actions"] == overdue


def test_closed_action_is_never_overdue(write, tables):
    tables["actions"].append(action("A3", "2006-10-12", "done", due="2006-10-15",
                                    closed_on="2006-10-20"))
    assert progress(write, tables)["overdue_actions"] == 0


def test_action_closed_after_as_of_is_still_open(write, tables):
    tables["actions"].append(action("A3", "2006-10-12", "done", closed_on="2006-11-02"))
    assert progress(write, tables)["open_actions"] == 2


def test_action_closed_on_as_of_is_not_open(write, tables):
    tables["actions"].append(action("A3", "2006-10-12", "dropped", closed_on=AS_OF))
    assert progress(write, tables)["open_actions"] == 1


def test_action_raised_after_as_of_is_not_open(write, tables):
    tables["actions"].append(action("A3", "2006-11-01"))
    assert progress(write, tables)["open_actions"] == 1


def test_action_raised_before_the_period_and_still_open_is_open(write, tables):
    tables["actions"].append(action("A3", "2006-08-01", "in_progress"))
    assert progress(write, tables)["open_actions"] == 2


def test_open_sponsor_actions_count_only_those_for_the_sponsors(write, tables):
    tables["actions"] += [action("A3", "2006-10-12", for_sponsor="yes"),
                          action("A4", "2006-10-12", for_sponsor="no"),
                          action("A5", "2006-10-12", for_sponsor="")]
    assert progress(write, tables)["open_sponsor_actions"] == 2  # A1 and A3


@pytest.mark.parametrize("closed_on, counted", [
    (SINCE, 0), ("2006-10-02", 1), (AS_OF, 1), ("2006-11-01", 0),
], ids=["on-since", "day-after-since", "on-as-of", "after-as-of"])
def test_closed_actions_count_closures_in_the_period(write, tables, closed_on, counted):
    tables["actions"].append(action("A3", "2006-09-01", "done", closed_on=closed_on))
    assert progress(write, tables)["closed_actions"] == counted


def test_closed_actions_of_another_tambon_are_not_counted(write, tables):
    # A2 is bangjak's, closed on 25 Oct.
    assert progress(write, tables)["closed_actions"] == 0


def test_province_wide_closed_action_counts(write, tables):
    tables["actions"].append(action("A3", "2006-09-01", "done", tambon="", closed_on="2006-10-20"))
    assert progress(write, tables)["closed_actions"] == 1


# =============================================================================================
# Frames for the report's sections


def _state_of_v3(write, tables, row):
    tables["visits"].append(row)
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF)
    return rows.set_index("visit_id").at["V3", "state"]


@pytest.mark.parametrize("row, state", [
    (visit("V3", "G1", "2006-10-20", "done", done_on="2006-10-30"), "done"),
    (visit("V3", "G1", "2006-10-20", "done", done_on=AS_OF), "done"),
    (visit("V3", "G1", "2006-10-20", "done", done_on="2006-11-02"), "overdue"),
    (visit("V3", "G1", "2006-11-01", "done", done_on="2006-11-02"), "planned"),
    (visit("V3", "G1", "2006-10-30"), "overdue"),
    (visit("V3", "G1", AS_OF), "planned"),
    (visit("V3", "G1", "2006-10-20", "postponed", rescheduled="2006-10-30"), "overdue"),
    (visit("V3", "G1", "2006-10-20", "postponed", rescheduled="2006-11-05"), "postponed"),
    (visit("V3", "G1", "2006-10-20", "postponed"), "postponed_undated"),
    (visit("V3", "G1", "2006-10-20", "cancelled"), "cancelled"),
], ids=["done", "done-on-as-of", "done-later-date-passed", "done-later-not-yet-due",
        "planned-passed", "planned-on-as-of", "postponed-new-date-passed",
        "postponed-new-date-ahead", "postponed-undated", "cancelled"])
def test_visit_state_is_judged_as_of(write, tables, row, state):
    assert _state_of_v3(write, tables, row) == state


def test_visit_progress_lists_a_group_without_visits_as_no_plan(write, tables):
    tables["groups"].append(group("G3"))
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF)
    g3 = rows[rows["group_id"] == "G3"]
    assert g3["state"].tolist() == ["no_plan"] and g3["due"].isna().all()


def test_visit_progress_due_is_the_new_date_of_a_postponed_visit(write, tables):
    tables["visits"].append(visit("V3", "G1", "2006-10-20", "postponed", rescheduled="2006-11-05"))
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF).set_index("visit_id")
    assert rows.at["V3", "due"] == day("2006-11-05")


def test_visit_progress_hides_a_done_on_after_as_of(write, tables):
    tables["visits"][0]["done_on"] = "2006-11-02"
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF)
    assert rows["done_on"].isna().all()


@pytest.mark.parametrize(("facilitator", "visitor"),
                         [("", None), ("P2", None), ("P1", "อ.จำนง")],
                         ids=["blank", "the-groups-own", "someone-else"])
def test_visit_progress_names_the_groups_facilitator_and_another_visitor(
        write, tables, facilitator, visitor):
    tables["visits"][0]["facilitator"] = facilitator
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF)
    # Who is responsible comes from the group, always; the visit only adds who went.
    assert rows["facilitator_name"].tolist() == ["ผู้นำเครือข่าย"]
    assert rows["visitor_name"].fillna("").tolist() == [visitor or ""]


def test_visit_progress_sorts_by_village_then_group_name_then_due(write, tables):
    tables["groups"] += [group("G3", village_no="2", name="ขุนทอง"),
                         group("G4", village_no="2", name="กาบัว")]
    tables["visits"] += [visit("V3", "G3", "2006-11-10"), visit("V4", "G3", "2006-11-01"),
                         visit("V5", "G4", "2006-11-20")]
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF)
    assert rows["visit_id"].tolist() == ["V1", "V5", "V4", "V3"]


def test_visit_progress_leaves_other_tambons_out(write, tables):
    rows = metrics.visit_progress(load(write, tables), "tharai", AS_OF)
    assert rows["visit_id"].tolist() == ["V1"]


@pytest.fixture
def timeline_tables(tables):
    # Due dates of the visits that count: 20 Oct, 28 Oct, 5 Nov; done by 31 Oct: 21 Oct only.
    tables["visits"] = [
        visit("V1", "G1", "2006-10-20", "done", done_on="2006-10-21"),
        visit("V3", "G1", "2006-10-25", "postponed", rescheduled="2006-11-05"),
        visit("V4", "G1", "2006-10-22", "cancelled"),
        visit("V5", "G1", "2006-10-28", "done", done_on="2006-11-02"),
    ]
    return tables


def test_visits_over_time_spans_first_planned_to_last_due(write, timeline_tables):
    rows = metrics.visits_over_time(load(write, timeline_tables), "tharai", AS_OF)
    assert (rows.index[0], rows.index[-1], len(rows)) == (day("2006-10-20"), day("2006-11-05"), 17)


@pytest.mark.parametrize("date, planned, done", [
    ("2006-10-20", 1, 0), ("2006-10-21", 1, 1), ("2006-10-28", 2, 1), ("2006-11-02", 2, 1),
    ("2006-11-05", 3, 1),
])
def test_visits_over_time_counts_due_and_done_cumulatively(write, timeline_tables, date,
                                                           planned, done):
    rows = metrics.visits_over_time(load(write, timeline_tables), "tharai", AS_OF)
    assert tuple(rows.loc[day(date)]) == (planned, done)


def test_visits_over_time_reaches_as_of_after_the_last_due_date(write, tables):
    rows = metrics.visits_over_time(load(write, tables), "tharai", "2006-12-01")
    assert rows.index[-1] == day("2006-12-01")


def test_visits_over_time_without_visits_is_empty(write, tables):
    tables["visits"] = [tables["visits"][1]]  # only bangjak's
    rows = metrics.visits_over_time(load(write, tables), "tharai", AS_OF)
    assert rows.empty and list(rows.columns) == ["planned_cumulative", "done_cumulative"]


def test_fish_coverage_counts_each_groups_parts(write, tables):
    tables["groups"].append(group("G3", village_no="2"))
    tables["fish"] += [fish("head", "2006-10-22", group_id="G1"),
                       fish("tail", "2006-10-25", group_id="G1"),
                       fish("body", "2006-10-25", group_id="G3"),
                       fish("tail", "2006-11-05", group_id="G3")]
    rows = metrics.fish_coverage(load(write, tables), "tharai", AS_OF)
    columns = ["group_id", "head", "body", "tail", "has_head", "has_tail", "has_both"]
    assert rows[columns].values.tolist() == [
        ["G1", 2, 0, 1, True, True, True],
        ["G3", 0, 1, 0, False, False, False],
    ]


def test_fish_items_lists_the_network_first_then_by_part_and_date(write, tables):
    tables["fish"] += [fish("tail", "2006-10-22", group_id="G1"),
                       fish("head", "2006-10-23", tambon="tharai"),
                       fish("head", "2006-10-25", group_id="G1"),
                       fish("body", "2006-10-22", group_id="G1"),
                       fish("head", "2006-11-02", group_id="G1")]
    rows = metrics.fish_items(load(write, tables), "tharai", AS_OF)
    assert list(zip(rows["owner"], rows["part"], rows["recorded"].dt.strftime("%m-%d"))) == [
        ("network", "head", "10-23"), ("network", "tail", "10-21"),
        ("G1", "head", "10-21"), ("G1", "head", "10-25"), ("G1", "body", "10-22"),
        ("G1", "tail", "10-22"),
    ]


def test_fish_items_name_the_group_and_leave_the_network_blank(write, tables):
    rows = metrics.fish_items(load(write, tables), "tharai", AS_OF).set_index("owner")
    assert rows.at["G1", "group_name"] == "กลุ่มออมทรัพย์บ้านท่าไร่"
    assert pd.isna(rows.at["network", "group_name"])


@pytest.fixture
def roster_tables(tables):
    with_people(tables, person("P3"), person("P4", name="ผู้ว่าราชการจังหวัด", role="observer"),
                person("P5", name="นายอำเภอ", role="observer"))
    tables["attendance"] = roster("S1", ("P1", "present"), ("P2", "present"), ("P3", "absent"),
                                  ("P4", "observer"), ("P5", "observer"))
    return tables


def test_sessions_in_period_counts_the_roster(write, roster_tables):
    rows = metrics.sessions_in_period(load(write, roster_tables), "tharai", PERIOD)
    s1 = rows.set_index("session_id").loc["S1"]
    assert (s1["scope"], s1["participants"], s1["present"], s1["absent"]) == ("province", 14, 2, 1)
    assert s1["attendance_rate"] == pytest.approx(2 / 3)


def test_sessions_in_period_joins_the_observers_names(write, roster_tables):
    rows = metrics.sessions_in_period(load(write, roster_tables), "tharai", PERIOD)
    assert rows["observers"].tolist() == ["ผู้ว่าราชการจังหวัด, นายอำเภอ", ""]


def test_session_without_roster_has_blank_roster_figures(write, tables):
    rows = metrics.sessions_in_period(load(write, tables), "tharai", PERIOD)
    s2 = rows.set_index("session_id").loc["S2"]
    assert s2["scope"] == "tambon"
    assert all(pd.isna(s2[c]) for c in ("participants", "present", "absent", "attendance_rate"))


def test_sessions_in_period_take_participants_from_the_roster_when_blank(write, tables):
    tables["attendance"] = roster("S2", ("P1", "present"), ("P2", "absent"))
    rows = metrics.sessions_in_period(load(write, tables), "tharai", PERIOD)
    assert rows["participants"].tolist() == [14, 1]


def test_sessions_in_period_are_sorted_by_date(write, tables):
    tables["sessions"].append(session("S0", "2006-10-02"))
    rows = metrics.sessions_in_period(load(write, tables), "tharai", PERIOD)
    assert rows["session_id"].tolist() == ["S0", "S1", "S2"]


@pytest.fixture
def facilitator_tables(tables):
    with_people(tables,
                person("P3", role="community_facilitator", tambon="bangjak"),
                person("P4", name="เลขานายก", role="coordinator", tambon="tharai"),
                person("P5", name="ก.ไก่", role="project_facilitator", tambon="bangjak"),
                person("P6", role="sponsor", tambon="tharai"))
    tables["groups"].append(group("G3", facilitator="P1"))
    tables["visits"] += [visit("V3", "G3", "2006-10-25", "done", done_on="2006-10-25",
                               facilitator="P5"),
                         visit("V4", "G3", "2006-11-25", facilitator="P1")]
    return tables


def test_facilitators_lists_project_facilitators_and_the_tambons_own(write, facilitator_tables):
    rows = metrics.facilitators(load(write, facilitator_tables), "tharai")
    assert rows["person_id"].tolist() == ["P5", "P1", "P2", "P4"]


def test_facilitators_leave_out_other_tambons_project_facilitators(write, facilitator_tables):
    with_people(facilitator_tables,
                person("P7", role="project_facilitator", tambon="bangjak"))
    rows = metrics.facilitators(load(write, facilitator_tables), "tharai")
    assert "P7" not in rows["person_id"].tolist()


def test_facilitators_count_groups_and_visits_done(write, facilitator_tables):
    rows = metrics.facilitators(load(write, facilitator_tables), "tharai").set_index("person_id")
    # V1 has no facilitator of its own: it is G1's facilitator P2's.
    assert rows[["groups", "visits_done"]].to_dict("index") == {
        "P5": {"groups": 0, "visits_done": 1}, "P1": {"groups": 1, "visits_done": 0},
        "P2": {"groups": 1, "visits_done": 1}, "P4": {"groups": 0, "visits_done": 0},
    }


@pytest.fixture
def action_tables(tables):
    tables["actions"] += [
        action("A3", "2006-10-12", owner="P1", due="2006-10-20"),
        action("A4", "2006-10-12", "in_progress", owner="พช.", due="2006-11-15"),
        action("A5", "2006-10-12", "done", closed_on="2006-11-05", due="2006-10-25"),
        action("A6", "2006-11-02"),
        action("A7", "2006-10-12", tambon="bangjak"),
    ]
    return tables


def test_open_actions_sorted_overdue_first_then_due(write, action_tables):
    rows = metrics.open_actions(load(write, action_tables), "tharai", AS_OF)
    assert list(zip(rows["action_id"], rows["overdue"])) == [
        ("A3", True), ("A5", True), ("A4", False), ("A1", False)]


def test_open_actions_show_a_person_owner_by_name(write, action_tables):
    rows = metrics.open_actions(load(write, action_tables), "tharai", AS_OF).set_index("action_id")
    assert (rows.at["A3", "owner"], rows.at["A4", "owner"]) == ("อ.จำนง", "พช.")


@pytest.mark.parametrize("for_sponsor, expected", [(True, ["A1"]), (False, ["A3", "A5", "A4"])])
def test_open_actions_filter_for_the_sponsors(write, action_tables, for_sponsor, expected):
    rows = metrics.open_actions(load(write, action_tables), "tharai", AS_OF, for_sponsor)
    assert rows["action_id"].tolist() == expected


def test_open_actions_say_whose_they_are(write, action_tables):
    rows = metrics.open_actions(load(write, action_tables), "tharai", AS_OF).set_index("action_id")
    assert rows["scope"].to_dict() == {"A3": "tambon", "A5": "tambon", "A4": "tambon",
                                       "A1": "province"}


@pytest.fixture
def change_tables(tables):
    tables["visits"].append(visit("V3", "G1", "2006-09-25", "done", done_on=SINCE))
    tables["fish"] += [fish("tail", SINCE, group_id="G1"), fish("tail", "2006-11-02",
                                                                 group_id="G1")]
    tables["actions"] += [action("A3", "2006-09-20", "done", closed_on="2006-10-15"),
                          action("A4", AS_OF)]
    return tables


@pytest.mark.parametrize("key, column, expected", [
    ("visits_done", "visit_id", ["V1"]),
    ("fish_recorded", "owner", ["network", "G1"]),
    ("actions_raised", "action_id", ["A1", "A4"]),
    ("actions_closed", "action_id", ["A3"]),
])
def test_changes_since_keep_what_happened_in_the_period(write, change_tables, key, column,
                                                        expected):
    changes = metrics.changes_since(load(write, change_tables), "tharai", PERIOD)
    assert changes[key][column].tolist() == expected


@pytest.fixture
def coming_tables(tables):
    tables["sessions"] += [
        session("S3", "2006-11-08", tambon="", status="planned", title="วงเรียนรู้ครั้งที่ 3"),
        session("S4", "2006-12-12", status="planned", title="เวทีท่าไร่"),
        session("S5", "2006-12-13", status="planned"),
        session("S6", "2006-11-10", tambon="bangjak", status="planned"),
        session("S7", AS_OF, status="planned"),
    ]
    tables["visits"] += [
        visit("V3", "G1", "2006-11-03"),
        visit("V4", "G1", "2006-11-04", "cancelled"),
        visit("V5", "G1", "2006-10-20", "postponed", rescheduled="2006-11-20"),
        visit("V6", "G1", "2006-11-06", "postponed"),
        visit("V7", "G1", "2006-11-07", "done", done_on="2006-10-30"),
    ]
    return tables


def test_coming_lists_sessions_and_visits_in_the_window(write, coming_tables):
    rows = metrics.coming(load(write, coming_tables), "tharai", AS_OF, days=42)
    visit_title = "ลงพื้นที่ กลุ่มออมทรัพย์บ้านท่าไร่"
    assert list(zip(rows["date"].dt.strftime("%m-%d"), rows["what"], rows["title"])) == [
        ("11-03", "visit", visit_title), ("11-08", "session", "วงเรียนรู้ครั้งที่ 3"),
        ("11-20", "visit", visit_title), ("12-12", "session", "เวทีท่าไร่"),
    ]


def test_coming_says_where(write, coming_tables):
    rows = metrics.coming(load(write, coming_tables), "tharai", AS_OF, days=42)
    assert rows.set_index("title").at["เวทีท่าไร่", "where"] == "ท่าไร่"
    assert rows["where"].iloc[0] == "กลุ่มออมทรัพย์บ้านท่าไร่"


def test_coming_calls_a_visit_a_field_visit(write, coming_tables):
    rows = metrics.coming(load(write, coming_tables), "tharai", AS_OF, days=42)
    assert set(rows.loc[rows["what"] == "visit", "kind"]) == {"field_visit"}


def test_notes_for_a_tambon_are_its_notes_in_the_period(write, tables):
    tables["notes"] = [note("2006-10-15", "tharai", "ก"), note("2006-10-20", "", "ข"),
                       note("2006-10-16", "bangjak", "ค"), note(SINCE, "tharai", "ง"),
                       note(AS_OF, "tharai", "จ")]
    rows = metrics.notes_for(load(write, tables), "tharai", PERIOD)
    assert rows["title"].tolist() == ["ก", "จ"]


def test_notes_for_the_overview_are_the_notes_without_tambon(write, tables):
    tables["notes"] = [note("2006-10-15", "tharai", "ก"), note("2006-10-20", "", "ข")]
    rows = metrics.notes_for(load(write, tables), None, PERIOD)
    assert rows["title"].tolist() == ["ข"]


def test_measures_leave_the_records_unchanged(write, roster_tables):
    records = load(write, roster_tables)
    before = copy.deepcopy(records.frames())
    metrics.tambon_progress(records, "tharai", AS_OF, SINCE)
    metrics.visit_progress(records, "tharai", AS_OF)
    metrics.visits_over_time(records, "tharai", AS_OF)
    metrics.fish_coverage(records, "tharai", AS_OF)
    metrics.fish_items(records, "tharai", AS_OF)
    metrics.sessions_in_period(records, "tharai", PERIOD)
    metrics.facilitators(records, "tharai")
    metrics.open_actions(records, "tharai", AS_OF)
    metrics.changes_since(records, "tharai", PERIOD)
    metrics.coming(records, "tharai", AS_OF)
    metrics.notes_for(records, "tharai", PERIOD)
    for name, frame in records.frames().items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


# =============================================================================================
# The demo records, worked out here from the CSV rows with plain Python


def _demo(table: str, dates=(), codes=None) -> list[dict]:
    """Return the demo CSV's rows, with `dates` parsed and `codes` ({column: codes}) decoded."""
    with open(DEMO_DATA / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for column in dates:
            row[column] = thai.parse_date(row[column]) if row[column] else None
        for column, mapping in (codes or {}).items():
            by_label = {label: code for code, label in mapping.items()}
            row[column] = by_label.get(row[column], row[column])
    return rows


def _demo_expectations(tambon: str) -> dict[str, object]:
    groups = _demo("groups")
    group_tambon = {g["group_id"]: g["tambon"] for g in groups}
    mine = {g["group_id"] for g in groups if g["tambon"] == tambon}
    sessions = _demo("sessions", ["date"], {"status": schema.SESSION_STATUSES,
                                            "kind": schema.SESSION_KINDS})
    for s in sessions:
        s["tambon"] = s["tambon"] or group_tambon.get(s["group_id"], "")
        s["status"] = s["status"] or "held"
    all_visits = _demo("visits", ["planned", "rescheduled", "done_on"],
                       {"status": schema.VISIT_STATUSES})
    visits = [v for v in all_visits if v["group_id"] in mine]
    all_fish = _demo("fish", ["recorded"], {"part": schema.FISH_PARTS})
    actions = _demo("actions", ["raised", "closed_on"], {"for_sponsor": schema.YES_NO})
    roster = _demo("attendance", codes={"status": schema.ATTENDANCE_STATUSES})

    events = [s["date"] for s in sessions if s["status"] == "held"]
    events += [v["done_on"] for v in all_visits if v["done_on"]]
    events += [f["recorded"] for f in all_fish]
    events += [a["raised"] for a in actions] + [a["closed_on"] for a in actions if a["closed_on"]]
    as_of = min(max(events), dt.date.today())
    forums = [s["date"] for s in sessions if s["kind"] == "sponsor_forum"
              and s["status"] == "held" and s["tambon"] in (tambon, "") and s["date"] < as_of]
    since = max(forums) if forums else as_of - dt.timedelta(days=30)

    done = [v for v in visits if v["done_on"] and v["done_on"] <= as_of]
    overdue = [v for v in visits if v not in done and (
        (v["status"] in ("planned", "done") and v["planned"] < as_of)
        or (v["status"] == "postponed" and v["rescheduled"] and v["rescheduled"] < as_of))]
    fish = [f for f in all_fish if f["recorded"] <= as_of
            and (f["group_id"] in mine or f["tambon"] == tambon)]
    with_part = {p: {f["group_id"] for f in fish if f["part"] == p and f["group_id"]}
                 for p in ("head", "tail")}
    held = [s for s in sessions if s["status"] == "held" and s["tambon"] in (tambon, "")
            and since < s["date"] <= as_of]
    ids = {s["session_id"] for s in held}
    present = {i: sum(1 for r in roster if r["session_id"] == i and r["status"] == "present")
               for i in ids}
    absent = sum(1 for r in roster if r["session_id"] in ids and r["status"] == "absent")
    mine_actions = [a for a in actions if a["tambon"] in (tambon, "")]
    open_now = [a for a in mine_actions
                if a["raised"] <= as_of and not (a["closed_on"] and a["closed_on"] <= as_of)]
    n = len(mine)
    return {
        "as_of": pd.Timestamp(as_of), "since": pd.Timestamp(since),
        "groups": n,
        "visits_planned": sum(1 for v in visits if v["status"] != "cancelled"),
        "visits_done": len(done),
        "visits_overdue": len(overdue),
        "visits_postponed_undated": sum(1 for v in visits
                                        if v["status"] == "postponed" and not v["rescheduled"]),
        "visit_coverage": len({v["group_id"] for v in done}) / n,
        "head_coverage": len(with_part["head"]) / n,
        "tail_coverage": len(with_part["tail"]) / n,
        "fish_coverage": len(with_part["head"] & with_part["tail"]) / n,
        "fish_items": len(fish),
        "sessions": len(held),
        "participants": sum(int(s["participants"]) if s["participants"]
                            else present[s["session_id"]] for s in held),
        "attendance_rate": sum(present.values()) / (sum(present.values()) + absent),
        "open_actions": len(open_now),
        "open_sponsor_actions": sum(1 for a in open_now if a["for_sponsor"] == "yes"),
        "closed_actions": sum(1 for a in mine_actions
                              if a["closed_on"] and since < a["closed_on"] <= as_of),
    }


@pytest.fixture(scope="module")
def demo_records():
    return load_records(DEMO_DATA)


@pytest.mark.parametrize("tambon", ["tharai", "mamuangsongton", "bangjak"])
def test_demo_period_matches_the_csv_rows(demo_records, tambon):
    expected = _demo_expectations(tambon)
    period = metrics.resolve_period(demo_records, tambon)
    assert (period.as_of, period.since) == (expected["as_of"], expected["since"])


@pytest.mark.parametrize("tambon", ["tharai", "mamuangsongton", "bangjak"])
def test_demo_progress_matches_the_csv_rows(demo_records, tambon):
    expected = _demo_expectations(tambon)
    del expected["as_of"], expected["since"]
    got = metrics.tambon_progress(demo_records, tambon)
    assert {k: got[k] for k in expected} == pytest.approx(expected)
