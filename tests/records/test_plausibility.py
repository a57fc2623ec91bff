"""Dates that cannot be true are errors naming the probable date, and never move as-of."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from km_analysis import load_records
from km_analysis.measures import default_as_of
from km_analysis.records.plausibility import Span, event_span, probable_date

from ..conftest import DEMO_DATA, demo_with

DEMO_AS_OF = pd.Timestamp("2006-10-30")


def _errors(folder: Path):
    return load_records(folder, errors="collect").errors


@pytest.fixture(scope="module")
def demo_span() -> Span:
    return Span(pd.Timestamp("2005-09-15"), pd.Timestamp("2007-10-30"),
                pd.Timestamp("2006-10-11"))


@pytest.mark.parametrize(("typed", "meant"), [
    ("2049-10-11", "2006-10-11"),  # พ.ศ. 2549 typed 2049: a one-digit change
    ("1963-10-30", "2006-10-30"),  # 30/10/06 read as พ.ศ. 2506: ค.ศ. 2006
    ("1950-10-15", "2007-10-15"),  # a date cell's 1950 from "15/10/50": พ.ศ. 2550
])
def test_the_probable_date_is_the_candidate_nearest_the_median(demo_span, typed, meant):
    assert probable_date(pd.Timestamp(typed), demo_span) == pd.Timestamp(meant)


def test_no_candidate_inside_the_span_gives_no_suggestion(demo_span):
    assert probable_date(pd.Timestamp("1800-01-01"), demo_span) is None


def test_the_span_is_at_least_two_years_wide():
    span = event_span(pd.Series(pd.to_datetime(["2006-10-11", "2006-10-12"])))
    assert span.high - span.low >= pd.Timedelta(days=2 * 365)


def test_the_demo_data_has_no_implausible_date():
    assert [p for p in load_records(DEMO_DATA, errors="collect").errors] == []


def test_a_held_session_in_2049_is_an_error_naming_2549(tmp_path):
    folder = demo_with(tmp_path, "sessions", 9, "date", "11/10/2049")
    [problem] = _errors(folder)
    assert (Path(problem.file).name, problem.row, problem.column, problem.value) == (
        "sessions.csv", 9, "date", "11/10/2049")
    assert "probably 2006-10-11 (11 ต.ค. 2549)" in problem.expected
    assert problem.kind == "future_date"


def test_a_two_digit_year_read_as_2506_is_an_error_naming_2549(tmp_path):
    folder = demo_with(tmp_path, "sessions", 3, "date", "30/10/06")
    [problem] = _errors(folder)
    assert problem.kind == "date_out_of_span"
    assert "probably 2006-10-30 (30 ต.ค. 2549)" in problem.expected
    assert problem.scope is None  # a province-wide session: every report would change


def test_a_visit_done_after_the_day_of_the_run_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KM_TODAY", "2006-10-29")
    errors = _errors(DEMO_DATA)
    assert ("visits", "done_on") in {(p.table, p.column) for p in errors}
    assert all(p.kind == "future_date" and "2006-10-29" in p.expected for p in errors)


def test_an_implausible_date_never_moves_as_of(tmp_path):
    records = load_records(demo_with(tmp_path, "visits", 5, "done_on", "15/11/2094"),
                           errors="collect")
    assert records.errors
    assert default_as_of(records) == DEMO_AS_OF


def test_km_report_refuses_a_report_touched_by_a_wrong_year(tmp_path):
    folder = demo_with(tmp_path, "sessions", 9, "date", "11/10/2049")
    result = subprocess.run([sys.executable, "-m", "km_analysis.cli", "report", "mamuangsongton",
                             "--data", str(folder), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "sessions.csv" in result.stderr and "2049" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out").rglob("*.pdf"))


@pytest.mark.parametrize("second", ["SESSIONS.csv", "sessions .csv", "sessions.CSV"])
def test_two_files_for_one_table_are_an_error_naming_both(tmp_path, second):
    folder = demo_with(tmp_path, "sessions", 2, "title", "ครั้งที่หนึ่ง")
    (folder / second).write_bytes((DEMO_DATA / "sessions.csv").read_bytes())
    errors = _errors(folder)
    [problem] = [p for p in errors if p.kind == "duplicate_table"]
    assert "sessions.csv" in problem.file and second in problem.file
    assert problem.scope is None  # either file could change every report


def test_two_sheets_for_one_table_are_an_error_naming_both(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "sessions"
    book.create_sheet("Sessions ")
    path = tmp_path / "entry.xlsx"
    book.save(path)
    result = load_records(path, errors="collect")
    [problem] = [p for p in result.errors if p.kind == "duplicate_table"]
    assert "[sessions]" in problem.file and "[Sessions ]" in problem.file
