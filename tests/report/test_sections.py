"""Report sections read right for every count: none, one or many."""

from __future__ import annotations

import re

import pytest

from km_analysis.report.sections import TambonReport

from ..conftest import DEMO_DATA

# A sentence that counts zero of something ("0 ครั้ง", "0 จาก 6 กลุ่ม") reads wrong in Thai:
# none is said in words ("ยังไม่มี…", "ไม่มี…").
ZERO_COUNT = re.compile(r"(?<![\d.,])0 (ครั้ง|กลุ่ม|เรื่อง|รายการ|คน|จาก)")


@pytest.mark.parametrize("as_of", ["2006-07-21", "2006-10-30"])
@pytest.mark.parametrize("tambon", ["tharai", "mamuangsongton", "bangjak"])
def test_no_sentence_counts_zero_of_something(tambon, as_of):
    report = TambonReport.open(tambon=tambon, as_of=as_of, data_dir=str(DEMO_DATA),
                               since="2006-07-01")
    for section in (report.summary(), report.visits()):
        assert ZERO_COUNT.findall(str(section)) == []


def test_the_visit_status_line_adds_up_to_the_table():
    report = TambonReport.open(tambon="bangjak", data_dir=str(DEMO_DATA))
    html = str(report.visits())
    lead = re.search(r'<p class="lead">(.*?)</p>', html).group(1)
    counted = sum(int(n) for n in re.findall(r"(\d+) (?:ครั้ง|กลุ่ม)", lead))
    assert counted == html.count("<tr") - 1  # every row but the header


def _text(html) -> str:
    """Return the words of a section's HTML (table cells wrap each word in a span)."""
    return re.sub(r"<[^>]+>", "", str(html))


def test_appendix_names_the_group_and_what_to_fix_without_file_names():
    appendix = _text(TambonReport.open(tambon="tharai", data_dir=str(DEMO_DATA)).appendix())
    assert "กองทุนหมู่บ้านบ้านปากคลอง" in appendix  # the group with no facilitator
    assert "ใส่รหัสคุณอำนวยผู้รับผิดชอบของกลุ่ม" in appendix
    assert "กลุ่มการเงิน แถวที่ 8" in appendix and ".csv" not in appendix


def test_appendix_finds_the_row_when_tables_come_from_several_workbooks(tmp_path):
    from km_analysis.cli import main

    folder = tmp_path / "collected"
    folder.mkdir()
    for slug in ("tharai", "mamuangsongton", "bangjak"):
        assert main(["template", "--tambon", slug, "--data", str(DEMO_DATA),
                     "--out", str(folder / f"km-entry-{slug}.xlsx")]) == 0
    appendix = _text(TambonReport.open(tambon="tharai", data_dir=str(folder)).appendix())
    assert "กองทุนหมู่บ้านบ้านปากคลอง" in appendix


def test_a_tambon_without_anything_to_fix_has_no_appendix():
    assert TambonReport.open(tambon="bangjak", data_dir=str(DEMO_DATA)).appendix() == ""
