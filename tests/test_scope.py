"""What belongs to a report: a typo that would change a report's figures refuses that report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from km_analysis import load_records
from km_analysis.batch import plan_reports
from km_analysis.report.sections import OverviewReport
from km_analysis.scope import meant_tambon, refused_tambons, resolve_tambon

from .conftest import DEMO_DATA, demo_with


def _km(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "km_analysis.cli", *args],
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def demo_tambons():
    return load_records(DEMO_DATA).tambons


@pytest.mark.parametrize(("typed", "meant"), [
    ("bangjakk", "bangjak"), ("bangjk", "bangjak"), ("บางจาค", "bangjak"),
    ("tharia", "tharai"), ("ท่าไร", "tharai"),
])
def test_a_tambon_typed_close_to_one_tambon_means_it(demo_tambons, typed, meant):
    assert meant_tambon(typed, demo_tambons) == meant


@pytest.mark.parametrize("typed", ["xyz", "bang", "mamuang"])
def test_a_tambon_close_to_none_means_none(demo_tambons, typed):
    assert meant_tambon(typed, demo_tambons) is None


def test_a_name_equally_close_to_two_tambons_means_neither():
    import pandas as pd

    tambons = pd.DataFrame({"tambon": ["banna", "banno"], "name_th": ["บ้านนา", "บ้านโน"]})
    assert meant_tambon("bannx", tambons) is None


def test_resolve_tambon_accepts_slug_and_thai_name_and_suggests(demo_tambons):
    from km_analysis.errors import UsageError

    assert resolve_tambon(demo_tambons, "ตำบลบางจาก") == "bangjak"
    with pytest.raises(UsageError, match="Did you mean bangjak"):
        resolve_tambon(demo_tambons, "bangjakk")


def test_a_group_tambon_typo_is_an_error_in_the_meant_tambons_scope(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "tambon", "tharaii")
    records = load_records(folder, errors="collect")
    problem = records.errors[0]
    assert (Path(problem.file).name, problem.row, problem.column, problem.value) == (
        "groups.csv", 2, "tambon", "tharaii")
    assert {p.scope for p in records.errors} == {"tharai"}  # the session it unsettles too
    assert refused_tambons(records) == ["tharai"]


def test_an_unclear_tambon_refuses_every_report(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "tambon", "elsewhere")
    records = load_records(folder, errors="collect")
    plan = plan_reports(records, ["tharai", "bangjak", "overview"], snapshot=tmp_path / "s",
                        out=tmp_path / "out")
    assert set(plan.refusals) == {"tharai", "bangjak", "overview"}
    assert plan.jobs == []


def test_km_report_refuses_the_tambon_a_typo_touches_with_exit_1(tmp_path):
    folder = demo_with(tmp_path, "sessions", 3, "tambon", "bangjk")
    result = _km("report", "bangjak", "--data", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "sessions.csv" in result.stderr and "bangjk" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_the_overview_plan_names_the_refused_tambons(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "tambon", "tharaii")
    records = load_records(folder, errors="collect")
    plan = plan_reports(records, ["overview"], snapshot=tmp_path / "s", out=tmp_path / "out")
    [job] = plan.jobs
    assert job.parameters["excluded"] == "tharai"


def test_the_overview_leaves_a_refused_tambon_out_and_says_so_first(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "tambon", "tharaii")
    report = OverviewReport.open(data_dir=str(folder))
    assert report.excluded == ("tharai",)
    assert "tharai" not in set(report.records.groups["tambon"])
    assert "ภาพรวมนี้ยังไม่รวมตำบลท่าไร่" in report.title()
    progress = report._progress()
    assert list(progress["tambon"]) == ["mamuangsongton", "bangjak"]
    attachments = report.attachments()  # its report is named as missing, by Thai title
    assert "ตำบลท่าไร่ ยังไม่ได้จัดทำรายงาน" in attachments
    assert "รายงานความก้าวหน้า ตำบลท่าไร่" not in attachments
    assert "รายงานความก้าวหน้า ตำบลบางจาก" in attachments


@pytest.mark.parametrize("example", [True, False])
def test_a_report_s_slice_keeps_whether_the_records_are_example_data(example):
    from km_analysis.scope import slice_of, without_tambons

    records = load_records(DEMO_DATA)
    records.example = example
    assert slice_of(records, "bangjak").example is example
    assert slice_of(records, None).example is example
    assert without_tambons(records, ["tharai"]).example is example


def test_slices_from_rows_tambons_worked_out_once_are_the_slices_worked_out_alone():
    from km_analysis.scope import every_row_tambon, slice_of

    records = load_records(DEMO_DATA)
    scopes = every_row_tambon(records.frames())
    for tambon in records.tambons["tambon"]:
        alone, planned = slice_of(records, tambon), slice_of(records, tambon, scopes)
        for name, frame in alone.frames().items():
            pd.testing.assert_frame_equal(planned.frames()[name], frame)
        # Each tambon's slice holds its own rows and the province-wide ones, not all rows.
        assert len(alone.groups) < len(records.groups)
