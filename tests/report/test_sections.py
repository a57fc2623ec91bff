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
