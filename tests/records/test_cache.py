"""Checked records kept between commands: the same files, code and day give the same records,
and anything else checks the files again."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from km_analysis.cli import main
from km_analysis.locations import cache_folder
from km_analysis.records import cache
from km_analysis.records.load import load_records

from ..conftest import DEMO_DATA


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("KM_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "data"
    shutil.copytree(DEMO_DATA, folder)
    return folder


@pytest.fixture
def loads(monkeypatch):
    """Count the times the files are read and checked."""
    calls = []

    def counted(path, errors="raise"):
        calls.append(path)
        return load_records(path, errors)

    monkeypatch.setattr(cache, "load_records", counted)
    return calls


def assert_same_records(a, b):
    for name, frame in a.frames().items():
        pd.testing.assert_frame_equal(frame, b.frames()[name], obj=name)
    assert (a.problems, a.source, a.files, a.places, a.example) == (
        b.problems, b.source, b.files, b.places, b.example)


def test_the_same_files_are_checked_once_and_give_the_same_records(data, loads):
    first, kept = cache.checked_records(data)
    again, kept_again = cache.checked_records(data)
    assert len(loads) == 1 and kept == kept_again and kept.is_dir()
    assert_same_records(again, load_records(data, errors="collect"))
    assert_same_records(again, first)


def test_checking_is_announced_only_when_the_files_are_read_anew(data, loads):
    announced = []
    cache.checked_records(data, checking=lambda: announced.append(len(loads)))
    cache.checked_records(data, checking=lambda: announced.append(len(loads)))
    assert announced == [0]  # once, and before the files were read


@pytest.mark.parametrize("change", ["edit", "add", "remove", "today", "folder"])
def test_a_changed_file_or_day_checks_the_files_again(data, loads, monkeypatch, change):
    cache.checked_records(data)
    if change == "edit":  # one figure of one row
        sessions = data / "sessions.csv"
        sessions.write_text(sessions.read_text(encoding="utf-8").replace(",24,", ",25,", 1),
                            encoding="utf-8")
    elif change == "add":
        (data / "notes-2.csv").write_text("date,title,text,tambon\n", encoding="utf-8")
    elif change == "remove":
        (data / "notes.csv").unlink()
    elif change == "folder":  # not a file, yet the loader names it
        (data / "notes-2.csv").mkdir()
    else:
        monkeypatch.setenv("KM_TODAY", "2006-11-30")
    records, _ = cache.checked_records(data)
    assert len(loads) == 2
    assert_same_records(records, load_records(data, errors="collect"))


def test_a_cache_that_cannot_be_written_or_read_is_passed_by(data, loads, tmp_path, monkeypatch):
    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.setenv("KM_CACHE_DIR", str(blocked))
    records, kept = cache.checked_records(data)
    assert kept is None
    assert_same_records(records, load_records(data, errors="collect"))
    monkeypatch.setenv("KM_CACHE_DIR", str(tmp_path / "cache"))
    _, kept = cache.checked_records(data)
    for parquet in kept.glob("*.parquet"):
        parquet.write_bytes(b"not parquet")
    records, _ = cache.checked_records(data)
    assert len(loads) == 3
    assert_same_records(records, load_records(data, errors="collect"))


def test_only_the_sets_used_last_are_kept(data, loads, monkeypatch):
    for day in range(1, cache.KEPT + 3):
        monkeypatch.setenv("KM_TODAY", f"2006-11-{day:02d}")
        cache.checked_records(data)
    assert len([p for p in cache_folder("records").iterdir() if p.is_dir()]) == cache.KEPT


@pytest.mark.slow
def test_a_report_from_kept_records_is_the_report_from_the_files(data, tmp_path, monkeypatch):
    assert main(["report", "tharai", "--data", str(data), "--out", str(tmp_path / "a")]) == 0
    monkeypatch.setattr(cache, "load_records", None)  # the second report must not check again
    assert main(["report", "tharai", "--data", str(data), "--out", str(tmp_path / "b")]) == 0
    [first] = (tmp_path / "a").glob("*/tharai/*.pdf")
    [second] = (tmp_path / "b").glob("*/tharai/*.pdf")
    assert first.read_bytes() == second.read_bytes()
    assert main(["verify", str(second), "--data", str(data)]) == 0
