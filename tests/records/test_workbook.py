"""The entry workbook: what a facilitator sees in it, and what the loader reads back."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from km_analysis.records import load_records, workbook
from km_analysis.schema import FISH_PARTS, GROUP_TYPES, TABLES

from ..conftest import DEMO_DATA, minimal_tables, write_csv_folder

COMPETENCIES = [
    {"competency": "bookkeeping", "name_th": "การจัดทำบัญชี", "level_1": "รู้ว่าต้องมีบัญชี"},
    {"competency": "saving", "name_th": "การระดมเงินออม"},
]
FILLED = ("tambons", "people", "groups", "competencies")


@pytest.fixture
def base_tables():
    tables = minimal_tables()
    tables["competencies"] = COMPETENCIES
    return tables


@pytest.fixture
def records(base_tables, tmp_path):
    return load_records(write_csv_folder(tmp_path / "base", base_tables))


@pytest.fixture
def template(records, tmp_path):
    return workbook.write_template(tmp_path / "entry.xlsx", records)


def column_of(sheet, name: str) -> int:
    headers = [cell.value for cell in sheet[1]]
    return headers.index(name) + 1


def list_cells(book, sheet_name: str, column: str) -> list:
    """Return the cells of the hidden list behind a column's dropdown (values or formulas)."""
    sheet = book[sheet_name]
    cell = f"{get_column_letter(column_of(sheet, column))}2"
    validation = next(v for v in sheet.data_validations.dataValidation if cell in v.sqref)
    match = re.search(r"'(_\w+)'!\$([A-Z]+)\$2", validation.formula1)
    return [c.value for c in book[match.group(1)][match.group(2)][1:]]


# =IF(INDEX('groups'!$A:$A,5)="","",IF(INDEX('groups'!$D:$D,5)="",…&" – "&…)): row 5's id – name.
WHOLE_COLUMN = re.compile(r"INDEX\('(\w+)'!\$([A-Z]+):\$\2,(\d+)\)")


def choices(book, sheet_name: str, column: str) -> list[str]:
    """Return the values a column's dropdown offers: a list of values as it is; a reference's
    list evaluated as Calc and Excel evaluate its formulas, down to its last non-blank entry
    (tests/records/test_libreoffice.py has Calc evaluate them)."""
    cells = list_cells(book, sheet_name, column)
    if not str(cells[0]).startswith("="):
        return [v for v in cells if v]
    values = []
    for formula in cells:
        [(table, key, row), (_, name, _), *_] = WHOLE_COLUMN.findall(formula)
        key, name = book[table][f"{key}{row}"].value, book[table][f"{name}{row}"].value
        if key in (None, "") or name in (None, ""):
            values.append("" if key is None else str(key))
        else:
            values.append(name if table == "competencies" else f"{key} – {name}")
    while values and values[-1] == "":
        values.pop()
    return values


def pick(options: list[str], starting: str) -> str:
    return next(option for option in options if option.startswith(starting))


def put(sheet, row: int, values: dict) -> None:
    """Type a row as a facilitator would: text and numbers; a date object is a date cell (one
    pasted from another workbook)."""
    for name, value in values.items():
        sheet.cell(row, column_of(sheet, name), value)


def test_one_sheet_per_table_in_schema_order_and_a_hidden_list_sheet(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == [*TABLES, workbook.LIST_SHEET]
    assert book[workbook.LIST_SHEET].sheet_state == "hidden"


@pytest.mark.parametrize("table", list(TABLES))
def test_headers_are_the_loaders_names_with_thai_notes(template, table):
    sheet = openpyxl.load_workbook(template)[table]
    assert [c.value for c in sheet[1]] == TABLES[table].columns
    assert sheet.freeze_panes == "A2"
    for cell, field in zip(sheet[1], TABLES[table].fields):
        assert cell.font.bold
        note = cell.comment.text
        assert note.startswith(field.label_th)
        assert ("ต้องกรอก" in note) == field.required
        if field.example:
            assert f"ตัวอย่าง: {field.example}" in note
        assert 10 <= sheet.column_dimensions[cell.column_letter].width <= 50


def test_code_columns_drop_down_their_thai_labels(template):
    book = openpyxl.load_workbook(template)
    assert choices(book, "fish", "part") == list(FISH_PARTS.values())
    assert choices(book, "groups", "type") == list(GROUP_TYPES.values())
    assert choices(book, "actions", "for_sponsor") == ["ใช่", "ไม่ใช่"]


def test_reference_columns_drop_down_id_and_name(template):
    book = openpyxl.load_workbook(template)
    assert choices(book, "fish", "group_id") == ["G1 – กลุ่มออมทรัพย์บ้านท่าไร่",
                                                 "G2 – กองทุนหมู่บ้านหมู่ 3"]
    assert choices(book, "groups", "facilitator") == ["P1 – อ.จำนง", "P2 – ผู้นำเครือข่าย"]
    assert choices(book, "fish", "tambon") == ["tharai – ท่าไร่", "bangjak – บางจาก"]
    assert choices(book, "assessments", "competency") == ["การจัดทำบัญชี", "การระดมเงินออม"]
    # No session is filled in: its dropdown offers whatever is typed on the sessions sheet.
    assert choices(book, "visits", "session_id") == []


def test_a_reference_list_reads_whole_columns_row_by_row(template):
    """Row r of a list reads row r of whole columns: no inserted row moves what it reads, so a
    row inserted anywhere on the groups sheet is in the dropdown (whose range is fixed)."""
    book = openpyxl.load_workbook(template)
    cells = list_cells(book, "visits", "group_id")
    assert len(cells) == workbook.ROWS
    for row, formula in enumerate(cells, start=2):
        references = WHOLE_COLUMN.findall(formula)
        assert {(table, int(r)) for table, _, r in references} == {("groups", row)}
        assert {column for _, column, _ in references} == {"A", "D"}  # group_id, name


def test_date_columns_are_text_cells_that_say_what_to_type(template):
    """What a facilitator types is what the cell shows and what the loader reads: 15/11/2549
    in a date cell is the year 2549 (shown 3092 under a Buddhist-year format) and 15/11/50 is
    1950, in LibreOffice Calc and in Excel outside a Thai-calendar Windows."""
    sheet = openpyxl.load_workbook(template)["visits"]
    for name in ("planned", "rescheduled", "done_on"):
        column = column_of(sheet, name)
        assert sheet.column_dimensions[get_column_letter(column)].number_format == "@"
        note = sheet.cell(1, column).comment.text
        assert "ปี พ.ศ." in note and "15/11/2549" in note and "15/11/49" in note


def test_pre_filled_cells_hold_what_their_dropdowns_offer(tmp_path):
    """Dates as Thai text, references as "id – name", competencies by name: the workbook's own
    validity check passes them, and they load back to the same records."""
    demo = load_records(DEMO_DATA)
    path = workbook.write_template(tmp_path / "bangjak.xlsx", demo, tambon="bangjak")
    book = openpyxl.load_workbook(path)
    checked = 0
    for table in TABLES.values():
        sheet = book[table.name]
        for field in table.fields:
            if workbook.dropdown_values(field) == [] and workbook.choice_labels(
                    field, demo.frames()) == {}:
                continue
            offered = set(choices(book, table.name, field.name))
            column = column_of(sheet, field.name)
            for row in range(2, sheet.max_row + 1):
                value = sheet.cell(row, column).value
                if value is not None:
                    assert value in offered, (table.name, row, field.name, value)
                    checked += 1
    assert checked > 100
    assert book["visits"]["B2"].value == "G14 – กองทุนหมู่บ้านบ้านบางจาก"
    assert book["visits"]["C2"].value == "30 ต.ค. 2549"
    back = load_records(path).frames()
    for name, frame in workbook.tambon_rows(demo.frames(), "bangjak").items():
        pd.testing.assert_frame_equal(back[name].reset_index(drop=True),
                                      frame.reset_index(drop=True), obj=name)


def test_a_date_cell_read_as_1950_is_an_error_naming_2550(tmp_path):
    """15/10/50 typed into a date cell (a workbook of an older template, or another one) is
    1950 in the cell: never read silently, an error naming พ.ศ. 2550."""
    demo = load_records(DEMO_DATA)
    path = workbook.write_template(tmp_path / "bangjak.xlsx", demo, tambon="bangjak")
    book = openpyxl.load_workbook(path)
    book["visits"]["C2"].value = dt.date(1950, 10, 15)
    book.save(path)
    [problem] = load_records(path, errors="collect").errors
    assert (problem.table, problem.row, problem.column, problem.value) == (
        "visits", 2, "planned", "1950-10-15")
    assert problem.kind == "date_out_of_span"
    assert "probably 2007-10-15 (15 ต.ค. 2550)" in problem.expected


def test_empty_template_loads_without_any_problem(tmp_path):
    path = workbook.write_template(tmp_path / "empty.xlsx")
    records = load_records(path)
    assert records.problems == []
    assert all(frame.empty for frame in records.frames().values())


def test_template_with_the_demo_records_loads_them_unchanged(tmp_path):
    demo = load_records(DEMO_DATA)
    back = load_records(workbook.write_template(tmp_path / "demo.xlsx", demo))
    assert back.errors == []
    for table in FILLED:
        pd.testing.assert_frame_equal(back.frames()[table], demo.frames()[table])
    assert back.sessions.empty and back.fish.empty


def test_filled_in_from_the_dropdowns_loads_as_typed_with_codes(template, base_tables, tmp_path):
    book = openpyxl.load_workbook(template)
    put(book["sessions"], 2, {
        "session_id": "S9", "date": "25/10/2549",
        "kind": pick(choices(book, "sessions", "kind"), "เวทีทำแผน"),
        "title": "เวทีทำแผนท่าไร่", "tambon": pick(choices(book, "sessions", "tambon"), "tharai"),
        "status": pick(choices(book, "sessions", "status"), "จัดแล้ว"),
        "lead": pick(choices(book, "sessions", "lead"), "P1 "), "participants": 20,
    })
    put(book["visits"], 2, {
        "visit_id": "V9", "group_id": pick(choices(book, "visits", "group_id"), "G1 "),
        # A date cell pasted from a Gregorian-calendar Excel where 30/10/2549 was typed.
        "planned": dt.date(2549, 10, 30),
        "status": pick(choices(book, "visits", "status"), "เสร็จแล้ว"),
        "done_on": "30/10/49", "session_id": "S9",
    })
    put(book["fish"], 2, {
        "part": pick(choices(book, "fish", "part"), "หางปลา"), "item": "ระเบียบการกู้ยืม",
        "recorded": "30 ต.ค. 2549",
        "group_id": pick(choices(book, "fish", "group_id"), "G1 "), "session_id": "S9",
    })
    put(book["fish"], 3, {
        "part": pick(choices(book, "fish", "part"), "หัวปลา"), "item": "สวัสดิการระดับตำบล",
        "recorded": "๒๕/๑๐/๒๕๔๙", "tambon": pick(choices(book, "fish", "tambon"), "thar"),
    })
    put(book["assessments"], 2, {
        "group_id": pick(choices(book, "assessments", "group_id"), "G2 "),
        "date": "30 ต.ค. 49",
        "competency": pick(choices(book, "assessments", "competency"), "การระดม"),
        "level": 3, "target": 4,
    })
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    got = load_records(filled)
    assert got.errors == []

    # The same facts typed with codes and plain ids, as CSV files.
    typed = {name: base_tables[name] for name in FILLED}
    typed["sessions"] = [{"session_id": "S9", "date": "2006-10-25", "kind": "planning_forum",
                          "title": "เวทีทำแผนท่าไร่", "tambon": "tharai", "status": "held",
                          "lead": "P1", "participants": "20"}]
    typed["visits"] = [{"visit_id": "V9", "group_id": "G1", "planned": "2006-10-30",
                        "status": "done", "done_on": "2006-10-30", "session_id": "S9"}]
    typed["fish"] = [
        {"part": "tail", "item": "ระเบียบการกู้ยืม", "recorded": "2006-10-30", "group_id": "G1",
         "tambon": "", "session_id": "S9"},
        {"part": "head", "item": "สวัสดิการระดับตำบล", "recorded": "2006-10-25", "group_id": "",
         "tambon": "tharai", "session_id": ""},
    ]
    typed["assessments"] = [{"group_id": "G2", "date": "2006-10-30", "competency": "saving",
                             "level": "3", "target": "4"}]
    folder = write_csv_folder(tmp_path / "typed", typed)
    (folder / "actions.csv").write_text("action_id,raised,title,status\r\n", encoding="utf-8")
    expected = load_records(folder)
    for table in ("sessions", "visits", "fish", "assessments", *FILLED):
        columns = TABLES[table].columns
        pd.testing.assert_frame_equal(got.frames()[table][columns],
                                      expected.frames()[table][columns])
    assert got.visits.at[2, "planned"] == pd.Timestamp("2006-10-30")
    assert got.fish["group_id"].tolist() == ["G1", pd.NA]
    assert got.assessments.at[2, "competency"] == "saving"


def test_km_template_writes_a_workbook_that_loads(tmp_path):
    from km_analysis.cli import main

    out = tmp_path / "entry.xlsx"
    assert main(["template", "--out", str(out), "--data", str(DEMO_DATA)]) == 0
    assert len(load_records(out).groups) == len(load_records(DEMO_DATA).groups)


def test_km_template_refuses_another_suffix(tmp_path):
    from km_analysis.cli import main

    assert main(["template", "--out", str(tmp_path / "entry.ods")]) == 2
    assert not list(tmp_path.iterdir())
