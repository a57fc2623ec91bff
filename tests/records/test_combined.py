"""A folder of workbooks (.xlsx, .ods) and CSV files is one set of records (issue #15)."""

from __future__ import annotations

import copy
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from km_analysis.errors import RecordsError
from km_analysis.provenance import fingerprints
from km_analysis.records import bounds
from km_analysis.records.load import load_records
from km_analysis.records.sources import ROW_STRIDE

from ..conftest import write_csv_folder, write_workbook
from .odsfile import write_ods

SHARED = ("tambons", "people")


def split_by_tambon(tables) -> dict[str, dict]:
    """Return one workbook's tables per tambon: the shared tables, and the tambon's rows
    (province-wide rows go with tharai's workbook)."""
    group_tambon = {g["group_id"]: g["tambon"] for g in tables["groups"]}
    books = {}
    for slug in ("tharai", "bangjak"):
        book = {name: copy.deepcopy(tables[name]) for name in SHARED}
        for name, rows in tables.items():
            if name in SHARED:
                continue
            mine = []
            for row in rows:
                tambon = row.get("tambon") or group_tambon.get(row.get("group_id", ""), "")
                if tambon == slug or (not tambon and slug == "tharai"):
                    mine.append(dict(row))
            if mine:
                book[name] = mine
        books[slug] = book
    return books


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


def test_a_folder_of_two_tambons_workbooks_is_the_combined_records(tmp_path, tables):
    one = load_records(write_workbook(tmp_path / "one" / "all.xlsx", tables))
    for slug, book in split_by_tambon(tables).items():
        write_workbook(tmp_path / "books" / f"{slug}.xlsx", book)
    two = load_records(tmp_path / "books")
    for name, frame in one.frames().items():
        pd.testing.assert_frame_equal(sorted_frame(two.frames()[name]), sorted_frame(frame),
                                      obj=name)
    # The same records, the same fingerprints: km verify cannot tell them apart.
    assert fingerprints(two) == fingerprints(one)
    assert two.source == str(tmp_path / "books")
    # Each row keeps where it came from.
    origins = two.origins("groups")
    assert set(zip(origins["source"], origins["sheet"], origins["row"])) == {
        (str(tmp_path / "books" / "bangjak.xlsx"), "groups", 2),
        (str(tmp_path / "books" / "tharai.xlsx"), "groups", 2),
    }
    # The shared tables, the same in both, are one set of rows.
    assert len(two.people) == 2 and list(two.places["people"][0]) == [
        str(tmp_path / "books" / "bangjak.xlsx"), "people"]


def test_an_ods_workbook_loads_like_the_xlsx(tmp_path, tables):
    xlsx = load_records(write_workbook(tmp_path / "a" / "records.xlsx", tables))
    ods = load_records(write_ods(tmp_path / "b" / "records.ods", tables))
    assert fingerprints(ods) == fingerprints(xlsx)
    assert ods.files["sessions"] == f"{tmp_path / 'b' / 'records.ods'} [sessions]"


def test_workbooks_beside_csv_files_add_their_tables(tmp_path, tables):
    books = split_by_tambon(tables)
    folder = write_csv_folder(tmp_path / "data", books["tharai"])
    write_ods(folder / "bangjak.ods", books["bangjak"])
    records = load_records(folder)
    assert set(records.groups["group_id"]) == {"G1", "G2"}
    assert fingerprints(records) == fingerprints(load_records(
        write_workbook(tmp_path / "all.xlsx", tables)))


def test_one_key_with_other_values_names_both_places_and_its_tambon(tmp_path, tables):
    books = split_by_tambon(tables)
    # bangjak's workbook also holds tharai's group G1, with another village.
    g1 = dict(tables["groups"][0], village_no="4")
    books["bangjak"]["groups"].append(g1)
    for slug, book in books.items():
        write_workbook(tmp_path / f"{slug}.xlsx", book)
    with pytest.raises(RecordsError) as caught:
        load_records(tmp_path)
    conflicts = [p for p in caught.value.errors if p.kind == "conflicting_row"]
    tharai, bangjak = tmp_path / "tharai.xlsx", tmp_path / "bangjak.xlsx"
    assert {(p.file, p.row, p.column, p.value) for p in conflicts} == {
        (f"{tharai} [groups]", 2, "village_no", "1"),
        (f"{bangjak} [groups]", 3, "village_no", "4"),
    }
    here = next(p for p in conflicts if p.file == f"{bangjak} [groups]")
    assert f"{tharai} [groups] row 2" in here.expected
    assert "village_no '1'" in here.expected and "group_id G1" in here.expected
    # Scoped to the tambon the row concerns: bangjak's report is not refused for it.
    assert {p.scope for p in conflicts} == {"tharai"}
    collected = load_records(tmp_path, errors="collect")
    assert "G1" not in set(collected.groups["group_id"])  # neither version is taken
    # Every other problem names its workbook, sheet and spreadsheet row too.
    assert all(p.row is None or p.row < ROW_STRIDE for p in collected.problems)


def test_the_same_row_in_two_places_is_one_row_and_a_repeat_within_one_stays_an_error(
        tmp_path, tables):
    books = split_by_tambon(tables)
    books["bangjak"]["fish"] = [dict(tables["fish"][0])]  # the same fish item, twice
    books["bangjak"]["attendance"] = [
        {"session_id": "S1", "person_id": "P1", "status": "present"}]
    books["tharai"]["attendance"] = [
        {"session_id": "S1", "person_id": "P1", "status": "มา"},  # the same, as typed in Thai
        {"session_id": "S1", "person_id": "P1", "status": "present"}]  # a repeat in one book
    for slug, book in books.items():
        write_workbook(tmp_path / f"{slug}.xlsx", book)
    records = load_records(tmp_path, errors="collect")
    assert len(records.fish) == len(tables["fish"])
    [repeat] = records.errors
    tharai = tmp_path / "tharai.xlsx"
    assert (repeat.file, repeat.row, repeat.column) == (f"{tharai} [attendance]", 3, "person_id")
    # tharai's row 2 is bangjak's row 2 (one row); row 3 repeats that row's key.
    assert repeat.expected == ("each session_id + person_id once; the same is on "
                               f"{tmp_path / 'bangjak.xlsx'} [attendance] row 2")


def test_two_names_for_one_table_within_one_workbook_stay_an_error(tmp_path, tables):
    books = split_by_tambon(tables)
    books["bangjak"]["Groups "] = books["bangjak"]["groups"]
    for slug, book in books.items():
        write_workbook(tmp_path / f"{slug}.xlsx", book)
    with pytest.raises(RecordsError) as caught:
        load_records(tmp_path)
    [error] = [p for p in caught.value.errors if p.kind == "duplicate_table"]
    assert "bangjak.xlsx [groups]" in error.file and "bangjak.xlsx [Groups ]" in error.file


def test_a_problem_in_the_second_workbook_finds_its_row(tmp_path, tables):
    books = split_by_tambon(tables)
    books["bangjak"]["groups"][0]["facilitator"] = ""  # a warning on bangjak's group G2
    for slug, book in books.items():
        write_workbook(tmp_path / f"{slug}.xlsx", book)
    records = load_records(tmp_path)
    [warning] = [p for p in records.warnings if p.kind == "no_facilitator"]
    assert (warning.file, warning.row) == (f"{tmp_path / 'bangjak.xlsx'} [groups]", 2)
    assert records.groups.loc[records.locate(warning), "group_id"] == "G2"
    assert records.origin("groups", records.locate(warning)) == (
        str(tmp_path / "bangjak.xlsx"), "groups", 2)


def test_a_single_source_keeps_spreadsheet_rows_as_the_index(tmp_path, tables):
    records = load_records(write_workbook(tmp_path / "records.xlsx", tables))
    assert list(records.groups.index) == [2, 3]
    assert records.origin("groups", 3) == (str(tmp_path / "records.xlsx"), "groups", 3)


@pytest.mark.parametrize("tail, spans", [
    # A million rows of a thousand cells each, in 400 bytes.
    ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
     'table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
     "</table:table-cell></table:table-row>", "A1:ALL1000003"),
    # One cell far away, after empty repeated rows and cells.
    ('<table:table-row table:number-rows-repeated="999000"><table:table-cell/></table:table-row>'
     '<table:table-row><table:table-cell table:number-columns-repeated="16000"/>'
     '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
     "</table:table-row>", "A1:WQK999004"),
])
def test_an_ods_beyond_the_bounds_is_refused_before_calamine_opens_it(tmp_path, tables, tail,
                                                                     spans):
    book = write_ods(tmp_path / "records.ods", {"tambons": tables["tambons"]}, tail)
    started = time.process_time()
    with pytest.raises(RecordsError) as caught:
        load_records(book)
    assert time.process_time() - started < 5
    [refusal] = caught.value.errors
    assert refusal.file == f"{book} [tambons]" and f"spans {spans}" in refusal.expected


def test_empty_repeated_rows_as_libreoffice_writes_them_are_read(tmp_path, tables):
    tail = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row>')
    book = write_ods(tmp_path / "records.ods", tables, tail)
    assert bounds.check_ods(Path(book))[:2] == ["tambons", "people"]
    assert len(load_records(book).groups) == 2


def test_a_row_naming_its_tambon_or_competency_by_an_alias_is_the_same_row(tmp_path, tables):
    """A returned workbook's dropdowns give Thai names; the coordinator's CSV files codes."""
    tables["competencies"] = [{"competency": "bookkeeping", "name_th": "การจัดทำบัญชี"}]
    tables["assessments"] = [{"group_id": "G1", "date": "22/10/2549",
                              "competency": "bookkeeping", "level": "3", "target": "4"}]
    tables["sessions"].append({"session_id": "S9", "date": "12 ต.ค. 2549",
                               "kind": "learning_circle", "title": "วงเรียนรู้ท่าไร่",
                               "tambon": "tharai", "group_id": "", "status": "",
                               "participants": "9"})
    write_csv_folder(tmp_path / "records", tables)
    returned = copy.deepcopy(tables)
    returned["sessions"][-1]["tambon"] = "ท่าไร่"
    returned["assessments"][0]["competency"] = "การจัดทำบัญชี"
    write_workbook(tmp_path / "records" / "km-entry-tharai.xlsx", returned)
    records = load_records(tmp_path / "records", errors="collect")
    assert records.errors == []
    assert records.sessions.set_index("session_id").at["S9", "tambon"] == "tharai"
    assert list(records.assessments["competency"]) == ["bookkeeping"]
    # An alias that names another tambon is still a conflict.
    returned["sessions"][-1]["tambon"] = "บางจาก"
    write_workbook(tmp_path / "records" / "km-entry-tharai.xlsx", returned)
    records = load_records(tmp_path / "records", errors="collect")
    assert [(e.table, e.column) for e in records.errors] == [("sessions", "tambon")] * 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_two_tambons_workbooks_give_the_reports_of_one_combined_workbook(tmp_path, tables):
    from km_analysis.cli import main

    from ..report.pdftext import page_texts

    write_workbook(tmp_path / "one" / "all.xlsx", tables)
    for slug, book in split_by_tambon(tables).items():
        write_workbook(tmp_path / "books" / f"km-entry-{slug}.xlsx", book)
    texts = {}
    for source in ("one/all.xlsx", "books"):
        out = tmp_path / "out" / source.split("/")[0]
        assert main(["report", "tharai", "--data", str(tmp_path / source), "--as-of",
                     "2006-10-30", "--out", str(out)]) == 0
        [pdf] = out.glob("*/tharai/*.pdf")
        texts[source] = page_texts(pdf)
    assert texts["books"] == texts["one/all.xlsx"]
