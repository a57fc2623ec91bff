"""Loading records: decoding, parsing, types, and every kind of problem located as typed."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from km_analysis import RecordsError, SourceError, load_records
from km_analysis.schema import TABLES

from ..conftest import DEMO_DATA, write_csv_folder, write_workbook


def _frames_equal(left, right) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)


def test_demo_data_loads_without_errors():
    records = load_records(DEMO_DATA)
    assert not records.errors
    assert set(records.tambons["tambon"]) == {"tharai", "mamuangsongton", "bangjak"}


def test_frames_are_typed(write, tables):
    records = load_records(write(tables))
    assert records.sessions["date"].dtype == "datetime64[us]"
    assert records.groups["members"].dtype == "Int64"
    assert records.groups["type"].dtype == "category"
    assert records.groups["group_id"].dtype == "string"
    assert records.actions["for_sponsor"].dtype == "boolean"


def test_index_is_the_spreadsheet_row(write, tables):
    records = load_records(write(tables))
    assert list(records.groups.index) == [2, 3]


def test_blank_count_stays_blank(write, tables):
    records = load_records(write(tables))
    assert pd.isna(records.sessions.loc[3, "participants"])


def test_codes_and_thai_labels_give_the_same_code(write, tables):
    records = load_records(write(tables))
    assert list(records.groups["type"]) == ["savings_group", "village_fund"]
    assert list(records.fish["part"]) == ["head", "tail"]


@pytest.mark.parametrize("typed", ["Savings Group", "SAVINGS-GROUP", " savings_group ",
                                   "กลุ่ม ออมทรัพย์"])
def test_codes_match_in_any_case_and_spacing(write, tables, typed):
    tables["groups"][0]["type"] = typed
    assert load_records(write(tables)).groups["type"].iloc[0] == "savings_group"


@pytest.mark.parametrize("typed, expected", [("ใช่", True), ("ไม่ใช่", False), ("Y", True),
                                             ("false", False), ("1", True), ("No", False)])
def test_yes_no_in_thai_or_english(write, tables, typed, expected):
    tables["actions"][0]["for_sponsor"] = typed
    assert load_records(write(tables)).actions["for_sponsor"].iloc[0] == expected


def test_blank_session_status_means_held(write, tables):
    assert load_records(write(tables)).sessions["status"].iloc[0] == "held"


def test_thai_digits_in_counts_and_dates(write, tables):
    tables["groups"][0]["members"] = "๑๒๐"
    tables["sessions"][0]["date"] = "๑๑ ต.ค. ๔๙"
    records = load_records(write(tables))
    assert records.groups["members"].iloc[0] == 120
    assert records.sessions["date"].iloc[0] == pd.Timestamp("2006-10-11")


def test_nikhahit_and_sara_aa_typed_apart_are_one_sara_am(write, tables):
    tables["groups"][0]["type"] = "กองทุนหมู่บ้าน"
    tables["groups"][0]["name"] = "กลุ่มออมทรัพย์บ้านน\u0e49\u0e4d\u0e32ใส"
    records = load_records(write(tables))
    assert records.groups["type"].iloc[0] == "village_fund"
    assert records.groups["name"].iloc[0] == "กลุ่มออมทรัพย์บ้านน้ำใส"


def test_tambon_may_be_given_by_its_thai_name(write, tables):
    tables["groups"][0]["tambon"] = "ท่าไร่"
    assert load_records(write(tables)).groups["tambon"].iloc[0] == "tharai"


def test_reference_with_its_name_reads_as_the_id(write, tables):
    tables["visits"][0]["group_id"] = "G1 – กลุ่มออมทรัพย์บ้านท่าไร่"
    assert load_records(write(tables)).visits["group_id"].iloc[0] == "G1"


def test_extra_columns_are_kept(write, tables):
    tables["groups"][0]["remark"] = "ตั้งปี 2540"
    assert load_records(write(tables)).groups["remark"].iloc[0] == "ตั้งปี 2540"


def test_missing_optional_tables_are_empty_with_their_columns(write, tables):
    records = load_records(write(tables))
    assert records.attendance.empty
    assert list(records.assessments.columns) == TABLES["assessments"].columns


def test_session_without_tambon_takes_no_tambon_from_nowhere(write, tables):
    records = load_records(write(tables))
    assert pd.isna(records.sessions["tambon"].iloc[0])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_every_encoding_and_separator_loads_like_the_utf8_twin(tmp_path, tables, encoding,
                                                                separator):
    twin = load_records(write_csv_folder(tmp_path / "utf8", tables))
    other = load_records(write_csv_folder(tmp_path / "other", tables, encoding, separator))
    _frames_equal(twin, other)


def test_cp874_bytes_0x80_to_0x9f_are_read_as_windows_874(write, tables):
    tables["sessions"][0]["summary"] = "สรุป \u2013 ทบทวน \u201cการบ้าน\u201d"  # 0x96, 0x93, 0x94
    records = load_records(write(tables, encoding="cp874"))
    assert records.sessions["summary"].iloc[0] == "สรุป – ทบทวน “การบ้าน”"


def test_workbook_loads_like_the_csv_twin(tmp_path, tables):
    twin = load_records(write_csv_folder(tmp_path / "csv", tables))
    workbook = load_records(write_workbook(tmp_path / "records.xlsx", tables))
    _frames_equal(twin, workbook)


def test_folder_holding_one_workbook_loads_it(tmp_path, tables):
    write_workbook(tmp_path / "book" / "records.xlsx", tables)
    assert len(load_records(tmp_path / "book").groups) == 2


def test_excel_date_cell_with_a_buddhist_year_is_that_day(tmp_path, tables):
    path = write_workbook(tmp_path / "records.xlsx", tables)
    workbook = openpyxl.load_workbook(path)
    workbook["sessions"]["B2"] = dt.datetime(2549, 10, 11)  # 2549 typed in a Gregorian Excel
    workbook["sessions"]["B3"] = dt.datetime(2006, 10, 15)
    workbook.save(path)
    dates = load_records(path).sessions["date"]
    assert list(dates) == [pd.Timestamp("2006-10-11"), pd.Timestamp("2006-10-15")]


def test_sheets_starting_with_underscore_are_ignored(tmp_path, tables):
    path = write_workbook(tmp_path / "records.xlsx", {**tables, "_lists": [{"x": "y"}]})
    assert not load_records(path).problems


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing", "no such file"),
    (lambda p: (p / "records.ods").write_bytes(b"x") and p / "records.ods", ".ods"),
])
def test_a_path_that_is_not_records_names_itself(tmp_path, make, message):
    with pytest.raises(SourceError) as caught:
        load_records(make(tmp_path))
    assert message in str(caught.value)


def _set(table, row, column, value):
    """Return a change to the tables: rows[row - 2][column] = value (row as in the sheet)."""
    def change(tables):
        tables[table][row - 2][column] = value
    return change


def _drop_column(table, column):
    def change(tables):
        for row in tables[table]:
            row.pop(column)
    return change


def _add_row(table, row):
    def change(tables):
        tables[table].append(row)
    return change


# (change to the valid tables, table, row, column) — each plants exactly one error.
PLANTED = {
    "empty required cell": (_set("groups", 2, "name", ""), "groups", 2, "name"),
    "unparseable date": (_set("sessions", 2, "date", "เมื่อวาน"), "sessions", 2, "date"),
    "date that does not exist": (_set("sessions", 3, "date", "29/2/2550"), "sessions", 3, "date"),
    "year alone": (_set("actions", 2, "raised", "2549"), "actions", 2, "raised"),
    "date outside 1950-2100": (_set("visits", 2, "planned", "1/1/1900"), "visits", 2, "planned"),
    "value outside the codes": (_set("groups", 3, "type", "bank"), "groups", 3, "type"),
    "duplicate id": (_add_row("people", {"person_id": "P1", "name": "ซ้ำ", "role": "sponsor"}),
                     "people", 4, "person_id"),
    "dangling person": (_set("groups", 2, "facilitator", "P9"), "groups", 2, "facilitator"),
    "dangling group": (_set("visits", 3, "group_id", "G7"), "visits", 3, "group_id"),
    "dangling tambon": (_set("actions", 3, "tambon", "nowhere"), "actions", 3, "tambon"),
    "session tambon and group disagree": (
        _add_row("sessions", {"session_id": "S3", "date": "1/11/2549", "kind": "field_visit",
                              "title": "ลงพื้นที่", "tambon": "bangjak", "group_id": "G1"}),
        "sessions", 4, "tambon"),
    "done without done_on": (_set("visits", 2, "done_on", ""), "visits", 2, "done_on"),
    "done_on on a visit not done": (_set("visits", 3, "done_on", "2/11/2549"), "visits", 3,
                                    "status"),
    "rescheduled on a visit not postponed": (_set("visits", 2, "rescheduled", "1/12/2549"),
                                             "visits", 2, "rescheduled"),
    "closed action without closed_on": (_set("actions", 3, "closed_on", ""), "actions", 3,
                                        "closed_on"),
    "open action with closed_on": (_set("actions", 2, "closed_on", "1/11/2549"), "actions", 2,
                                   "status"),
    "negative count": (_set("groups", 2, "members", "-5"), "groups", 2, "members"),
    "count that is not a number": (_set("groups", 2, "members", "ราว 80"), "groups", 2, "members"),
    "village beyond the tambon's villages": (_set("groups", 2, "village_no", "7"), "groups", 2,
                                             "village_no"),
    "reserved slug": (_set("tambons", 3, "tambon", "all"), "tambons", 3, "tambon"),
    "slug with capitals": (_set("tambons", 2, "tambon", "ThaRai"), "tambons", 2, "tambon"),
    "fish of both a group and a tambon": (_set("fish", 2, "tambon", "tharai"), "fish", 2,
                                          "tambon"),
    "fish of neither": (_set("fish", 3, "tambon", ""), "fish", 3, "group_id"),
    "missing column": (_drop_column("people", "role"), "people", 1, "role"),
    "level outside 1-5": (
        _add_row("assessments", {"group_id": "G1", "date": "1/11/2549", "competency": "บัญชี",
                                 "level": "6", "target": "5"}),
        "assessments", 2, "level"),
}


@pytest.mark.parametrize("change, table, row, column", PLANTED.values(), ids=PLANTED.keys())
def test_each_planted_error_is_found_where_the_user_typed_it(write, tables, change, table, row,
                                                             column):
    if table == "assessments":
        tables["assessments"] = []
    change(tables)
    folder = write(tables)
    with pytest.raises(RecordsError) as caught:
        load_records(folder)
    found = [(p.file, p.row, p.column) for p in caught.value.errors]
    assert found == [(str(folder / f"{table}.csv"), row, column)]


def test_duplicate_attendance_key_is_an_error(write, tables):
    tables["attendance"] = [
        {"session_id": "S1", "person_id": "P1", "status": "present"},
        {"session_id": "S1", "person_id": "P1", "status": "absent"},
    ]
    with pytest.raises(RecordsError) as caught:
        load_records(write(tables))
    assert [(p.table, p.row) for p in caught.value.errors] == [("attendance", 3)]
    assert "row 2" in caught.value.errors[0].expected


def test_assessment_competency_must_be_one_of_the_competencies(write, tables):
    tables["competencies"] = [{"competency": "bookkeeping", "name_th": "การจัดทำบัญชี"}]
    tables["assessments"] = [
        {"group_id": "G1", "date": "1/11/2549", "competency": "การจัดทำบัญชี", "level": "2",
         "target": "4"},
        {"group_id": "G1", "date": "1/11/2549", "competency": "saving", "level": "2",
         "target": "4"},
    ]
    records = load_records(write(tables), errors="collect")
    assert [(p.row, p.column) for p in records.errors] == [(3, "competency")]
    assert list(records.assessments["competency"]) == ["bookkeeping"]


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"\xff\xfe\x81\x00", "UTF-8 or Windows-874"),
])
def test_empty_or_undecodable_file_is_an_error(write, tables, content, expected):
    folder = write(tables)
    (folder / "actions.csv").write_bytes(content)
    with pytest.raises(RecordsError) as caught:
        load_records(folder)
    [problem] = caught.value.errors
    assert problem.file.endswith("actions.csv") and expected in problem.expected


def test_missing_required_table_is_an_error(write, tables):
    del tables["fish"]
    with pytest.raises(RecordsError) as caught:
        load_records(write(tables))
    [problem] = caught.value.errors
    assert problem.file.endswith("fish.csv") and problem.row is None


def test_duplicated_column_is_an_error(write, tables):
    folder = write(tables)
    path = folder / "people.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",Name"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordsError) as caught:
        load_records(folder)
    assert [(p.row, p.column) for p in caught.value.errors] == [(1, "name")]


def test_extra_cells_beyond_the_header_are_an_error(write, tables):
    folder = write(tables)
    path = folder / "people.csv"
    lines = path.read_text().splitlines()
    lines[2] += ",ตกหล่น"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordsError) as caught:
        load_records(folder)
    assert [(p.row, p.value) for p in caught.value.errors] == [(3, "ตกหล่น")]


def test_every_problem_in_every_table_is_reported_at_once(write, tables):
    tables["groups"][0]["members"] = "-1"
    tables["sessions"][1]["date"] = "31/9/2549"
    tables["visits"][0]["group_id"] = "G9"
    with pytest.raises(RecordsError) as caught:
        load_records(write(tables))
    assert {p.table for p in caught.value.errors} == {"groups", "sessions", "visits"}


def test_problem_quotes_the_value_as_typed(write, tables):
    tables["sessions"][0]["date"] = " 31 ก.ย. 49 "
    with pytest.raises(RecordsError) as caught:
        load_records(write(tables))
    assert caught.value.errors[0].value == "31 ก.ย. 49"


def test_problem_scope_is_the_rows_tambon(write, tables):
    tables["groups"][1]["members"] = "-1"
    tables["sessions"][0]["date"] = "2549"
    with pytest.raises(RecordsError) as caught:
        load_records(write(tables))
    scopes = {p.table: p.scope for p in caught.value.errors}
    assert scopes == {"groups": "bangjak", "sessions": None}


def test_collect_returns_the_records_without_the_bad_rows(write, tables):
    tables["groups"][1]["members"] = "-1"
    records = load_records(write(tables), errors="collect")
    assert list(records.groups["group_id"]) == ["G1"]
    assert [(p.table, p.row) for p in records.errors] == [("groups", 3)]


def test_group_without_facilitator_is_a_warning(write, tables):
    tables["groups"][0]["facilitator"] = ""
    records = load_records(write(tables))
    assert [(p.level, p.row, p.column) for p in records.problems] == [
        ("warning", 2, "facilitator")]


def test_more_present_than_participants_is_a_warning(write, tables):
    tables["sessions"][0]["participants"] = "1"
    tables["attendance"] = [
        {"session_id": "S1", "person_id": "P1", "status": "present"},
        {"session_id": "S1", "person_id": "P2", "status": "มา"},
    ]
    records = load_records(write(tables))
    assert [(p.table, p.row, p.column) for p in records.warnings] == [
        ("sessions", 2, "participants")]


def test_blank_rows_are_counted_and_reported(write, tables):
    folder = write(tables)
    path = folder / "groups.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], ",,,", "", lines[2]]) + "\n")
    records = load_records(folder)
    assert list(records.groups.index) == [2, 5]
    assert [(p.table, p.row) for p in records.warnings] == [("groups", 3)]


def test_character_the_font_cannot_draw_is_a_warning(write, tables):
    tables["fish"][0]["item"] = "เป้าหมาย ✓"
    records = load_records(write(tables))
    [warning] = records.warnings
    assert (warning.table, warning.row, warning.column) == ("fish", 2, "item")
    assert "U+2713" in warning.expected
