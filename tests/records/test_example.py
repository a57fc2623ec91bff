"""Example data says so: a marker file in a folder, an `_example` sheet in a workbook.

The marker is never a table, so it never makes a problem; `Records.example` carries it through
the snapshot the report reads, and into what a report is made from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from km_analysis import load_records
from km_analysis.batch import plan_job
from km_analysis.records.snapshot import read_snapshot, snapshot_path, write_snapshot
from km_analysis.records.sources import EXAMPLE_FILE, EXAMPLE_SHEET, example_marker

from ..conftest import DEMO_DATA, write_workbook

NOTE = "ข้อมูลตัวอย่าง / example data: delete this in a copy that holds real records"


def _marked_workbook(path: Path, tables, sheet: str = EXAMPLE_SHEET) -> Path:
    write_workbook(path, tables)
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet(sheet)["A1"] = NOTE
    workbook.save(path)
    return path


def test_the_demo_data_is_marked_as_example_data_and_the_marker_is_no_problem():
    records = load_records(DEMO_DATA)
    assert (DEMO_DATA / EXAMPLE_FILE).is_file()
    assert records.example is True
    assert [p for p in records.problems if "example" in f"{p.file}{p.table}".lower()] == []
    assert "ignored_table" not in {p.kind for p in records.problems}


def test_records_without_the_marker_are_not_example_data(write, tables):
    records = load_records(write(tables))
    assert records.example is False


@pytest.mark.parametrize("name", [EXAMPLE_FILE, "_Example.TXT"])
def test_a_folder_holding_the_marker_file_is_example_data(write, tables, name):
    folder = write(tables)
    (folder / name).write_text(NOTE, encoding="utf-8")
    records = load_records(folder)
    assert records.example is True
    assert records.problems == []


def test_a_folder_by_the_marker_s_name_is_no_marker(write, tables):
    folder = write(tables)
    (folder / EXAMPLE_FILE).mkdir()
    assert load_records(folder).example is False


@pytest.mark.parametrize("sheet", [EXAMPLE_SHEET, "_Example"])
def test_a_workbook_with_the_example_sheet_is_example_data(tmp_path, tables, sheet):
    book = _marked_workbook(tmp_path / "book.xlsx", tables, sheet)
    records = load_records(book)
    assert records.example is True
    assert records.problems == []
    assert example_marker(records.source) == f"{book} [{EXAMPLE_SHEET}]"


def test_a_workbook_without_the_sheet_is_not_example_data(tmp_path, tables):
    assert load_records(write_workbook(tmp_path / "book.xlsx", tables)).example is False


def test_a_marker_file_beside_a_workbook_does_not_mark_it(tmp_path, tables):
    book = write_workbook(tmp_path / "records" / "book.xlsx", tables)
    (book.parent / EXAMPLE_FILE).write_text(NOTE, encoding="utf-8")
    assert load_records(book).example is False


@pytest.mark.parametrize("example", [True, False])
def test_the_flag_survives_the_snapshot_whole_and_per_tambon(tmp_path, example):
    data = Path(shutil.copytree(DEMO_DATA, tmp_path / "data"))
    if not example:
        (data / EXAMPLE_FILE).unlink()
    records = load_records(data)
    assert records.example is example
    folder = write_snapshot(records, tmp_path / "snapshot")
    assert read_snapshot(folder).example is example
    assert read_snapshot(folder, "bangjak").example is example


def test_the_marker_changes_the_snapshot_and_the_report_s_inputs(tmp_path):
    example = load_records(DEMO_DATA)
    real = load_records(DEMO_DATA)
    real.example = False
    assert snapshot_path(example, tmp_path) != snapshot_path(real, tmp_path)
    jobs = [plan_job(r, "bangjak", "2006-10-30", "2006-09-05", tmp_path / "s", tmp_path)
            for r in (example, real)]
    assert jobs[0].inputs_key != jobs[1].inputs_key
    assert [job.provenance["records"]["example"] for job in jobs] == [True, False]
