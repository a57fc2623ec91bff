"""The province overview, rendered and read back: totals, overdue flags, attachments, scale.

Figures are checked against `tambon_progress` of each tambon and against plain pandas; the
PDF's text is read by pdftotext, as tests/report/test_render.py does.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from km_analysis import load_records, thai
from km_analysis.cli import main
from km_analysis.measures import province_progress, resolve_period, tambon_progress
from km_analysis.records import synth
from km_analysis.report.overview import SHEET_COLUMNS, TAMBON_ROWS, OverviewReport

from ..conftest import DEMO_DATA
from .pdftext import RENDERS, pdf_text, squeeze

AS_OF = "2006-10-30"

pytestmark = RENDERS  # renders reports end to end


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def render(data: Path, out: Path) -> Path:
    assert main(["report", "overview", "--data", str(data), "--out", str(out)]) == 0
    [pdf] = out.glob("*/overview/km-progress-overview-*.pdf")
    return pdf


@pytest.fixture(scope="module")
def demo_overview(tmp_path_factory) -> Path:
    return render(DEMO_DATA, tmp_path_factory.mktemp("overview"))


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> tuple[Path, Path]:
    """Render the overview of a synthetic province of 165 tambons; return (data, PDF)."""
    folder = synth.write(synth.generate(165, seed=11), tmp_path_factory.mktemp("synth"))
    return folder, render(folder, tmp_path_factory.mktemp("province"))


def _row(cells) -> str:
    return squeeze("".join(str(c) for c in cells))


def _share(value: float) -> str:
    return f"{round(value * 100)}%"


def test_each_tambon_row_equals_its_own_report_and_the_total_counts_each_item_once(
        demo_overview):
    text = squeeze(pdf_text(demo_overview, "-layout"))
    records = load_records(DEMO_DATA)
    period = resolve_period(records, None)
    own = {slug: tambon_progress(records, slug, period.as_of, period.since)
           for slug in records.tambons["tambon"]}
    names = records.tambons.set_index("tambon")["name_th"]
    overdue_own = {"tharai": 0, "mamuangsongton": 1, "bangjak": 0}  # A07 only
    for slug, f in own.items():
        assert _row([names[slug], f["groups"], f"{f['visits_done']}/{f['visits_planned']}",
                     _share(f["visit_coverage"]), f["visits_overdue"],
                     _share(f["fish_coverage"]), f["own_sessions"], f["own_open_actions"],
                     overdue_own[slug]]) in text, slug
    # The total, worked out with plain pandas from the records.
    actions = records.actions
    open_ = (actions["raised"] <= period.as_of) & ~(actions["closed_on"] <= period.as_of)
    sessions = records.sessions
    held = ((sessions["status"].fillna("held") == "held") & (sessions["date"] > period.since)
            & (sessions["date"] <= period.as_of))
    visits = records.visits
    done = visits["done_on"] <= period.as_of
    groups = len(records.groups)
    visited = visits.loc[done, "group_id"].nunique()
    province_sessions = int((held & sessions["tambon"].isna()
                             & sessions["group_id"].isna()).sum())
    assert _row(["ระดับจังหวัด", province_sessions,
                 int((open_ & actions["tambon"].isna()).sum()), 0]) in text
    assert _row(["รวม", groups, f"{int(done.sum())}/{int((visits['status'] != 'cancelled').sum())}",
                 _share(visited / groups)]) in text
    total_tail = _row([int(held.sum()), int(open_.sum()),
                       int((open_ & (actions["due"] < period.as_of)).sum())])
    assert total_tail == "971"  # 9 sessions, 7 distinct open actions, 1 overdue
    assert total_tail in text


def test_an_overdue_action_shows_overdue_wherever_it_is_listed(demo_overview):
    text = squeeze(pdf_text(demo_overview))
    records = load_records(DEMO_DATA)
    as_of = pd.Timestamp(AS_OF)
    actions = records.actions
    overdue = actions[(actions["raised"] <= as_of) & ~(actions["closed_on"] <= as_of)
                      & (actions["due"] < as_of)]
    assert list(overdue["action_id"]) == ["A07"]
    for title in overdue["title"]:
        title = squeeze(thai.text.to_arabic_digits(title))
        places = [m.start() for m in re.finditer(re.escape(title), text)]
        assert places, title
        for place in places:
            assert "เลยกำหนด" in text[place:place + len(title) + 80]
    assert "เรื่องค้างที่เลยกำหนด1เรื่อง" in text  # the key figures


def test_the_overview_reads_as_a_meeting_paper(demo_overview):
    raw = pdf_text(demo_overview)
    text = squeeze(raw)
    assert "เรื่องเสนอเพื่อพิจารณา" in text and "ขอให้ที่ประชุมพิจารณา" in text
    assert "เวทีคุณเอื้อครั้งที่2วันที่20พฤศจิกายน2549" in text
    assert "กำหนดการระหว่าง31ต.ค.ถึง11ธ.ค.2549" in text and "หกสัปดาห์" not in text
    assert "เวทีคุณเอื้อเวทีคุณเอื้อครั้งที่2" in text  # the forum's kind by its Thai name
    assert "·" not in raw
    assert not re.search(r"(?<![\d,./])0\s*(ครั้ง|กลุ่ม|เรื่อง|ตำบล|คน|รายการ|กิจกรรม)", raw)
    assert "คำอธิบายตัวเลข" in text and "นับผู้มาร่วมจากรายชื่อ" in text


def test_attachments_are_listed_by_thai_title_and_the_spreadsheet_is_written(demo_overview):
    text = squeeze(pdf_text(demo_overview))
    assert "สิ่งที่ส่งมาด้วย" in text
    for name in ("ท่าไร่", "มะม่วงสองต้น", "บางจาก"):
        assert f"รายงานความก้าวหน้าตำบล{name}" in text
    assert "ตารางความก้าวหน้ารายตำบลและเรื่องค้าง" in text
    assert ".pdf" not in text and ".xlsx" not in text and "km-progress" not in text
    assert (demo_overview.parent / f"km-overview-tambons-{AS_OF}.xlsx").is_file()


def _sheet_rows(path: Path) -> pd.DataFrame:
    sheet = openpyxl.load_workbook(path)["รายตำบล"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [header for _, header, _ in SHEET_COLUMNS]
    for row in sheet.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f"  # never a formula
    return pd.DataFrame(rows[1:], columns=[name for name, _, _ in SHEET_COLUMNS])


def test_a_province_of_165_tambons_gets_one_row_per_amphoe_and_the_full_table_beside(
        province):
    data, pdf = province
    text = squeeze(pdf_text(pdf))
    records = load_records(data, errors="collect")
    assert len(records.tambons) > TAMBON_ROWS
    assert "อำเภอละหนึ่งแถว" in text
    assert "ตารางรายตำบลครบทั้ง165ตำบล" in text
    assert pages(pdf) <= 6
    [sheet] = pdf.parent.glob("km-overview-tambons-*.xlsx")
    got = _sheet_rows(sheet).set_index("tambon")
    period = resolve_period(records, None)
    expected = province_progress(records, period.as_of, period.since).set_index("tambon")
    assert len(got) == len(expected) == 165
    for name, _, kind in SHEET_COLUMNS:
        if kind == "int":
            assert (got[name].astype(int) == expected.loc[got.index, name]).all(), name
    assert (got["visit_coverage"] - expected.loc[got.index, "visit_coverage"]).abs().max() \
        < 1e-9


def test_a_small_province_gets_one_row_per_tambon(demo_overview):
    text = squeeze(pdf_text(demo_overview))
    assert "ตำบลละหนึ่งแถว" in text and "อำเภอละหนึ่งแถว" not in text
    assert pages(demo_overview) <= 5


def test_run_by_hand_the_overview_writes_nothing_and_lists_no_spreadsheet(tmp_path):
    report = OverviewReport.open(data_dir=str(DEMO_DATA))
    assert report.spreadsheet is None
    assert "ตารางความก้าวหน้า" not in report.attachments()
    report = OverviewReport.open(data_dir=str(DEMO_DATA), attachments_dir=str(tmp_path))
    assert "ตารางความก้าวหน้ารายตำบลและเรื่องค้าง" in report.attachments()
    assert [p.name for p in tmp_path.iterdir()] == [f"km-overview-tambons-{AS_OF}.xlsx"]
    first = report.spreadsheet.read_bytes()
    again = OverviewReport.open(data_dir=str(DEMO_DATA), attachments_dir=str(tmp_path / "b"))
    assert again.spreadsheet.read_bytes() == first  # the same records, the same bytes


def test_spreadsheet_text_that_looks_like_a_formula_stays_text_and_dates_show_buddhist_era(
        tmp_path):
    from km_analysis.measures import province_progress
    from km_analysis.records import load_records
    from km_analysis.report.overview import write_spreadsheet

    records = load_records(DEMO_DATA)
    progress = province_progress(records, AS_OF).assign(province_th="ชุมพร")
    progress.loc[progress.index[0], "name_th"] = '=HYPERLINK("http://x","y")'
    actions = pd.DataFrame({"tambon_name": [pd.NA], "title": ["=1+1"], "owner": ["คุณอำนวย"],
                            "for_sponsor": [True], "due": [pd.Timestamp("2006-11-15")],
                            "overdue": [False]})
    path = write_spreadsheet(tmp_path / "sheet.xlsx", progress, actions, pd.Timestamp(AS_OF))
    book = openpyxl.load_workbook(path)
    values = [c.value for row in book["รายตำบล"].iter_rows() for c in row]
    assert '=HYPERLINK("http://x","y")' in values
    assert all(c.data_type != "f" for row in book["รายตำบล"].iter_rows() for c in row)
    [header, action] = book["เรื่องค้าง"].iter_rows()
    assert [c.value for c in action][:2] == ["ระดับจังหวัด", "=1+1"]
    assert action[1].data_type == "s"
    assert action[4].value.date().isoformat() == "2006-11-15"
    assert "yyyy" in action[4].number_format and "107041E" in action[4].number_format
    assert all(c.font.bold for c in header)
