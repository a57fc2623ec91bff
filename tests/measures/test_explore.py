"""The analysts' tour (notebooks/explore.ipynb) runs, and the measures it shows are right.

Unless a test says otherwise the records are `minimal_tables()`: tambons tharai (group G1, a
savings group of 80 members) and bangjak (G2, a village fund of 120); sessions S1
(province-wide, 11 Oct 2006, 14 participants, spreadsheet row 2) and S2 (tharai, 15 Oct, blank
count, no roster); visit V1 of G1 done 21 Oct, V2 of G2 postponed; fish: G1's head (row 2) and
the tharai network's tail "ระบบบัญชีที่ตรวจสอบได้" (row 3), both recorded 21 Oct.
"""

from __future__ import annotations

import nbformat
import pandas as pd
import papermill
import pytest

from km_analysis import UsageError, load_records, metrics

from ..conftest import DEMO_DATA, ROOT

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
AS_OF = "2006-10-31"
SARA_AM_TYPED_APART = "\u0e4d\u0e32"  # ํ + า: how some keyboards type ำ


def load(write, tables):
    return load_records(write(tables))


def october(frame: pd.DataFrame) -> dict:
    return frame.loc[pd.Period("2006-10", freq="M")].to_dict()


def session(session_id, date, tambon="tharai", status="held", participants="", summary="",
            group_id="", title=None):
    return {"session_id": session_id, "date": date, "kind": "learning_circle",
            "title": title or f"กิจกรรม {session_id}", "tambon": tambon, "group_id": group_id,
            "status": status, "participants": participants, "summary": summary}


def group(group_id, type_="savings_group", members="10", tambon="tharai"):
    return {"group_id": group_id, "tambon": tambon, "village_no": "2",
            "name": f"กลุ่ม {group_id}", "type": type_, "members": members,
            "facilitator": "P2"}


def fish(part, group_id="", tambon="", item="รายการ", recorded="21/10/2549"):
    return {"part": part, "item": item, "recorded": recorded, "group_id": group_id,
            "tambon": tambon}


def visit_done(visit_id, group_id, done_on):
    return {"visit_id": visit_id, "group_id": group_id, "planned": done_on, "status": "done",
            "done_on": done_on, "rescheduled": ""}


# =============================================================================================
# The notebook


@pytest.mark.slow
def test_explore_notebook_runs_top_to_bottom(tmp_path):
    executed = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(executed), kernel_name="python3",
                               cwd=str(NOTEBOOK.parent), progress_bar=False, log_output=False)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


def test_explore_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [(c.outputs, c.execution_count) for c in code] == [([], None)] * len(code)


def test_explore_notebook_uses_the_python3_kernel():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}


def test_explore_notebook_defines_no_functions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not [s for s in sources if "def " in s or "lambda" in s or "class " in s]


def test_explore_notebook_is_valid_nbformat_with_cell_ids():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(cell.get("id") for cell in nb.cells)


# =============================================================================================
# monthly_trends


def test_monthly_trends_counts_the_months_sessions_participants_visits_and_fish(write, tables):
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert october(trends) == {"sessions": 2, "participants": 14, "visits_done": 1,
                               "fish_items": 2}


def test_monthly_trends_index_is_the_month_as_a_period(write, tables):
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert trends.index.equals(pd.PeriodIndex(["2006-10"], freq="M", name="month"))


def test_monthly_trends_columns_are_whole_numbers(write, tables):
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert dict(trends.dtypes.astype(str)) == dict.fromkeys(
        ["sessions", "participants", "visits_done", "fish_items"], "int64")


def test_months_without_anything_appear_as_zeros(write, tables):
    tables["sessions"].append(session("S3", "2006-08-20", participants="5"))
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert list(trends.index.astype(str)) == ["2006-08", "2006-09", "2006-10"]
    assert trends.loc[pd.Period("2006-09", freq="M")].tolist() == [0, 0, 0, 0]


def test_sessions_are_counted_in_the_month_of_their_date(write, tables):
    tables["sessions"].append(session("S3", "2006-08-20", participants="5"))
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert trends.loc[pd.Period("2006-08", freq="M"), ["sessions", "participants"]].tolist() \
        == [1, 5]


def test_blank_participants_count_the_rosters_present(write, tables):
    tables["people"].append({"person_id": "P3", "name": "ผู้ว่าฯ", "role": "observer"})
    tables["attendance"] = [
        {"session_id": "S2", "person_id": "P1", "status": "present"},
        {"session_id": "S2", "person_id": "P2", "status": "absent"},
        {"session_id": "S2", "person_id": "P3", "status": "observer"},
    ]
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert october(trends)["participants"] == 14 + 1


def test_planned_sessions_are_not_counted_in_trends(write, tables):
    tables["sessions"].append(session("S3", "2006-10-20", status="planned", participants="9"))
    trends = metrics.monthly_trends(load(write, tables), as_of=AS_OF)
    assert (october(trends)["sessions"], october(trends)["participants"]) == (2, 14)


def test_nothing_after_as_of_is_counted(write, tables):
    trends = metrics.monthly_trends(load(write, tables), as_of="2006-10-20")
    assert october(trends) == {"sessions": 2, "participants": 14, "visits_done": 0,
                               "fish_items": 0}


def test_nothing_on_or_before_as_of_gives_no_rows(write, tables):
    trends = metrics.monthly_trends(load(write, tables), as_of="2006-10-01")
    assert trends.empty
    assert list(trends.columns) == ["sessions", "participants", "visits_done", "fish_items"]


@pytest.mark.parametrize("tambon, sessions", [("tharai", 2), ("bangjak", 1)])
def test_tambon_trends_count_its_own_and_the_province_wide_sessions(write, tables, tambon,
                                                                     sessions):
    trends = metrics.monthly_trends(load(write, tables), tambon, as_of=AS_OF)
    assert october(trends)["sessions"] == sessions


def test_tambon_trends_count_its_groups_and_networks_fish(write, tables):
    trends = metrics.monthly_trends(load(write, tables), "tharai", as_of=AS_OF)
    assert october(trends)["fish_items"] == 2


def test_tambon_trends_leave_other_tambons_visits_and_fish_out(write, tables):
    trends = metrics.monthly_trends(load(write, tables), "bangjak", as_of=AS_OF)
    assert (october(trends)["visits_done"], october(trends)["fish_items"]) == (0, 0)


def test_tambon_trends_count_its_groups_visits(write, tables):
    tables["visits"].append(visit_done("V3", "G2", "2006-11-02"))
    trends = metrics.monthly_trends(load(write, tables), "bangjak", as_of="2006-11-30")
    assert trends.loc[pd.Period("2006-11", freq="M"), "visits_done"] == 1


def test_monthly_trends_of_an_unknown_tambon_is_a_usage_error(write, tables):
    with pytest.raises(UsageError, match="unknown tambon"):
        metrics.monthly_trends(load(write, tables), "nowhere")


@pytest.mark.parametrize("tambon", ["tharai", "mamuangsongton", "bangjak"])
def test_monthly_trends_agree_with_tambon_progress_on_the_demo_records(tambon):
    records = load_records(DEMO_DATA)
    trends = metrics.monthly_trends(records, tambon, as_of=AS_OF)
    progress = metrics.tambon_progress(records, tambon, as_of=AS_OF, since="2006-09-30")
    assert (october(trends)["sessions"], october(trends)["participants"],
            int(trends["visits_done"].sum()), int(trends["fish_items"].sum())) == (
        progress["sessions"], progress["participants"], progress["visits_done"],
        progress["fish_items"])


# =============================================================================================
# search_text


def test_search_finds_a_fish_item_with_its_row_and_tambon(write, tables):
    found = metrics.search_text(load(write, tables), "บัญชี")
    assert found.to_dict("records") == [{"table": "fish", "row": 3, "column": "item",
                                         "tambon": "tharai", "text": "ระบบบัญชีที่ตรวจสอบได้"}]


def test_search_finds_a_province_wide_session_summary_with_a_blank_tambon(write, tables):
    tables["sessions"][0]["summary"] = "ตกลงอบรมบัญชีให้ทุกกองทุน"
    found = metrics.search_text(load(write, tables), "อบรมบัญชี")
    assert found[["table", "row", "column", "text"]].to_dict("records") == [
        {"table": "sessions", "row": 2, "column": "summary", "text": "ตกลงอบรมบัญชีให้ทุกกองทุน"}]
    assert found["tambon"].isna().all()


def test_search_lists_fish_items_before_session_summaries(write, tables):
    tables["sessions"][0]["summary"] = "เรื่องบัญชี"
    found = metrics.search_text(load(write, tables), "บัญชี")
    assert list(zip(found["table"], found["row"])) == [("fish", 3), ("sessions", 2)]


def test_search_gives_a_group_fish_item_its_groups_tambon(write, tables):
    tables["fish"].append(fish("tail", group_id="G2", item="สมุดบัญชีกองทุน"))
    found = metrics.search_text(load(write, tables), "สมุดบัญชี")
    assert found[["row", "tambon"]].to_dict("records") == [{"row": 4, "tambon": "bangjak"}]


def test_search_gives_a_group_session_its_groups_tambon(write, tables):
    tables["sessions"].append(session("S3", "2006-10-20", tambon="", group_id="G2",
                                      summary="ทบทวนบัญชีกองทุน"))
    found = metrics.search_text(load(write, tables), "ทบทวนบัญชี")
    assert found[["row", "tambon"]].to_dict("records") == [{"row": 4, "tambon": "bangjak"}]


def test_search_word_with_sara_am_typed_apart_finds_the_text(write, tables):
    tables["fish"].append(fish("body", group_id="G1", item="ทำบัญชีทุกเดือน"))
    word = "ทำบัญชี".replace("ำ", SARA_AM_TYPED_APART)
    found = metrics.search_text(load(write, tables), word)
    assert found["text"].tolist() == ["ทำบัญชีทุกเดือน"]


def test_search_text_with_sara_am_typed_apart_is_found(write, tables):
    tables["fish"].append(fish("body", group_id="G1",
                               item="ทำบัญชีทุกเดือน".replace("ำ", SARA_AM_TYPED_APART)))
    found = metrics.search_text(load(write, tables), "ทำบัญชี")
    assert found["row"].tolist() == [4]


def test_search_ignores_zero_width_spaces_in_the_word(write, tables):
    found = metrics.search_text(load(write, tables), "บัญ\u200bชี")
    assert found["row"].tolist() == [3]


def test_search_ignores_latin_case(write, tables):
    tables["sessions"][0]["summary"] = "ทำ AAR หลังเวที"
    found = metrics.search_text(load(write, tables), "aar")
    assert found["row"].tolist() == [2]


def test_search_leaves_session_titles_out(write, tables):
    found = metrics.search_text(load(write, tables), "วงเรียนรู้คุณอำนวย")  # S1's title
    assert found.empty


def test_search_without_a_match_gives_an_empty_frame_with_the_columns(write, tables):
    found = metrics.search_text(load(write, tables), "ไม่มีคำนี้")
    assert found.empty
    assert list(found.columns) == ["table", "row", "column", "tambon", "text"]


@pytest.mark.parametrize("word", ["", "   ", "\u200b"])
def test_search_for_a_blank_word_is_a_usage_error(write, tables, word):
    with pytest.raises(UsageError, match="a word"):
        metrics.search_text(load(write, tables), word)


# =============================================================================================
# group_types


def test_group_types_count_groups_and_members_per_type(write, tables):
    types = metrics.group_types(load(write, tables), as_of=AS_OF)
    assert types[["type", "groups", "members"]].to_dict("records") == [
        {"type": "savings_group", "groups": 1, "members": 80},
        {"type": "village_fund", "groups": 1, "members": 120},
    ]


def test_group_types_carry_the_thai_label(write, tables):
    types = metrics.group_types(load(write, tables), as_of=AS_OF)
    assert types["type_th"].tolist() == ["กลุ่มออมทรัพย์", "กองทุนหมู่บ้าน"]


def test_group_types_follow_the_schema_order_not_the_rows(write, tables):
    tables["groups"].insert(0, group("G3", type_="welfare_fund"))
    types = metrics.group_types(load(write, tables), as_of=AS_OF)
    assert types["type"].tolist() == ["savings_group", "village_fund", "welfare_fund"]


def test_group_types_without_groups_are_left_out(write, tables):
    types = metrics.group_types(load(write, tables), as_of=AS_OF)
    assert "production_group" not in set(types["type"])


def test_blank_members_are_left_out_of_the_sum(write, tables):
    tables["groups"].append(group("G3", members=""))
    types = metrics.group_types(load(write, tables), as_of=AS_OF).set_index("type")
    assert (types.loc["savings_group", "groups"], types.loc["savings_group", "members"]) == (2, 80)


def savings_groups_with_fish(tables):
    """Savings groups G1 (visited, head), G3 (tail only) and G4 (head and tail)."""
    tables["groups"] += [group("G3"), group("G4")]
    tables["fish"] += [fish("tail", group_id="G3"), fish("head", group_id="G4"),
                       fish("tail", group_id="G4"), fish("body", group_id="G3")]
    return tables


@pytest.mark.parametrize("column, expected", [
    ("visit_coverage", 1 / 3),
    ("head_coverage", 2 / 3),
    ("tail_coverage", 2 / 3),
    ("fish_coverage", 1 / 3),
])
def test_group_type_shares_are_fractions_of_the_types_groups(write, tables, column, expected):
    records = load(write, savings_groups_with_fish(tables))
    types = metrics.group_types(records, as_of=AS_OF).set_index("type")
    assert types.loc["savings_group", column] == pytest.approx(expected)


def test_a_networks_fish_items_count_for_no_group_type(write, tables):
    # minimal_tables' tail item belongs to the tharai network, not to savings group G1.
    types = metrics.group_types(load(write, tables), as_of=AS_OF).set_index("type")
    assert types.loc["savings_group", "tail_coverage"] == 0.0


@pytest.mark.parametrize("column", ["visit_coverage", "head_coverage"])
def test_visits_and_fish_after_as_of_do_not_count_for_a_group_type(write, tables, column):
    types = metrics.group_types(load(write, tables), as_of="2006-10-20").set_index("type")
    assert types.loc["savings_group", column] == 0.0


def test_group_types_as_of_defaults_to_the_latest_event(write, tables):
    records = load(write, tables)
    assert metrics.group_types(records).equals(
        metrics.group_types(records, as_of=metrics.default_as_of(records)))
