"""The sponsors' meeting paper, read back from the PDF: page 1, overdue flags, wording, no code."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import numpy as np
import pypdfium2
import pytest

from km_analysis.cli import main

from ..conftest import DEMO_DATA
from .pdftext import RENDERS, page_texts, squeeze

pytestmark = RENDERS  # renders reports end to end

AS_OF = "2006-10-30"
DEMO_TAMBONS = ("tharai", "mamuangsongton", "bangjak")




def render(data: Path, out: Path, slug: str, *options: str) -> Path:
    assert main(["report", slug, "--data", str(data), "--out", str(out), *options]) == 0
    return out / AS_OF / slug / f"km-progress-{slug}-{AS_OF}.pdf"


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("paper")
    return {slug: render(DEMO_DATA, out, slug) for slug in DEMO_TAMBONS}


def add_actions(folder: Path, rows: list[dict]) -> None:
    path = folder / "actions.csv"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header = next(csv.reader(stream))
    with path.open("a", encoding="utf-8", newline="") as stream:
        csv.DictWriter(stream, header).writerows(rows)


def sponsor_action(number: int, due: str, title: str = "") -> dict:
    return {"action_id": f"X{number:02d}", "raised": "2006-10-11",
            "title": title or f"ข้อเสนอทดสอบที่ {number}", "status": "open",
            "tambon": "bangjak", "owner": "สำนักงานจังหวัด", "for_sponsor": "yes", "due": due,
            "closed_on": "", "session_id": "S09"}


@pytest.fixture(scope="module")
def busy_pdf(tmp_path_factory) -> Path:
    """Bang Jak with seven requests for the sponsors, one of them overdue."""
    folder = tmp_path_factory.mktemp("busy") / "data"
    shutil.copytree(DEMO_DATA, folder)
    add_actions(folder, [sponsor_action(1, "2006-10-20", "เรื่องทดสอบล่าช้า"),
                         *(sponsor_action(n, f"2006-12-{n:02d}") for n in range(2, 5))])
    return render(folder, tmp_path_factory.mktemp("busy-out"), "bangjak")


def test_page_one_names_the_next_sponsor_forum(demo_pdfs):
    first = squeeze(page_texts(demo_pdfs["bangjak"])[0])
    assert squeeze("เวทีคุณเอื้อ ครั้งที่ 2 วันที่ 20 พฤศจิกายน 2549") in first


def test_page_one_carries_every_open_request_to_the_sponsors(demo_pdfs):
    first = squeeze(page_texts(demo_pdfs["bangjak"])[0])
    assert squeeze("ขอให้ที่ประชุมพิจารณา 3 เรื่อง") in first
    for title in ("ขอให้แต่ละหน่วยงาน (กศน. พช. ธ.ก.ส. ออมสิน เกษตร) มอบผู้รับผิดชอบ",
                  "บูรณาการรูปแบบบัญชีของ กศน.", "อบรมการจัดทำบัญชีให้ทุกกองทุนใน ต.บางจาก"):
        assert squeeze(title) in first


def test_more_than_five_requests_show_five_and_count_the_rest_with_a_page(busy_pdf):
    pages = page_texts(busy_pdf)
    first = squeeze(pages[0])
    assert squeeze("ขอให้ที่ประชุมพิจารณา 7 เรื่อง") in first
    shown = [n for n in range(1, 5) if squeeze(f"ข้อเสนอทดสอบที่ {n}") in first]
    # The overdue request comes first; then the ones due soonest: the demo's 20 Nov, then
    # X02-X04 (1-4 Dec) before the demo's 15 and 20 Dec.
    assert "เรื่องทดสอบล่าช้า" in first and shown == [2, 3, 4]
    match = re.search(r"และอีก2เรื่อง\(ดูหน้า(\d+)\)", first)
    assert match, first
    table_page = int(match.group(1))
    assert "เรื่องที่เสนอคุณเอื้อ" in squeeze(pages[table_page - 1])


def test_an_overdue_action_says_so_wherever_it_is_listed(busy_pdf):
    listed = 0
    for page in page_texts(busy_pdf):
        lines = page.splitlines()
        for number, line in enumerate(lines):
            if "เรื่องทดสอบล่าช้า" in line:
                listed += 1
                nearby = "".join(lines[number:number + 4])
                assert "เลยกำหนด" in nearby, nearby
    # Page 1's request and its "to push" line, the sponsors' table, the changes of the period.
    assert listed >= 3


def test_no_running_text_counts_zero_of_something(demo_pdfs):
    zero = re.compile(r"(?<![\d.,/])0 ?(ครั้ง|กลุ่ม|เรื่อง|รายการ|คน)")
    for slug, pdf in demo_pdfs.items():
        for page in page_texts(pdf):
            for line in page.splitlines():
                assert not zero.search(line), f"{slug}: {line.strip()}"


def test_no_file_name_or_code_appears_in_a_tambon_report(demo_pdfs):
    for slug, pdf in demo_pdfs.items():
        text = "\n".join(page_texts(pdf))
        assert not re.search(r"\.(csv|xlsx|ods|pdf|json)\b", text), slug
        assert "km verify" not in text and "data/" not in text, slug


def test_record_text_follows_the_reports_numerals(demo_pdfs, tmp_path):
    # The records write "หมู่ ๓" with a Thai digit; an Arabic-numeral report reads "หมู่ 3".
    arabic = "\n".join(page_texts(demo_pdfs["bangjak"]))
    assert "หมู่ ๓" not in arabic and "หมู่ 3" in arabic
    thai = "\n".join(page_texts(render(DEMO_DATA, tmp_path, "bangjak", "--numerals", "thai")))
    assert "หมู่ 3" not in thai and "หมู่ ๓" in thai


def test_the_colophon_is_short_thai_at_the_end_of_the_last_page(demo_pdfs):
    last = squeeze(page_texts(demo_pdfs["bangjak"])[-1])
    assert squeeze("รายงานนี้จัดทำจากบันทึกของโครงการ ณ วันที่ 30 ตุลาคม 2549") in last
    assert re.search(r"รหัสตรวจสอบข้อมูล[0-9a-f]{12}จัดทำ", last)


def test_example_data_is_marked_on_every_page(demo_pdfs):
    for pdf in demo_pdfs.values():
        assert all("ข้อมูลตัวอย่าง" in page for page in page_texts(pdf))


def body_fullness(pdf: Path, dpi: int = 40) -> list[float]:
    """Return, per page, how far down the page body (inside the margins) anything is drawn."""
    fullness = []
    for page in pypdfium2.PdfDocument(pdf):
        pixels = page.render(scale=dpi / 72, grayscale=True).to_numpy()
        pixels = pixels[..., 0] if pixels.ndim == 3 else pixels
        top, bottom = round(2.2 / 2.54 * dpi), pixels.shape[0] - round(2.0 / 2.54 * dpi)
        inked = np.flatnonzero((pixels[top:bottom] < 200).any(axis=1))
        fullness.append((inked.max() + 1) / (bottom - top) if inked.size else 0.0)
    return fullness


@pytest.fixture(scope="module")
def overview_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("overview")
    assert main(["report", "overview", "--data", str(DEMO_DATA), "--out", str(out)]) == 0
    return out / AS_OF / "overview" / f"km-progress-overview-{AS_OF}.pdf"


def test_no_page_but_the_last_is_more_than_60_percent_empty(demo_pdfs, overview_pdf):
    for pdf in [*demo_pdfs.values(), overview_pdf]:
        fullness = body_fullness(pdf)
        assert all(share >= 0.4 for share in fullness[:-1]), (pdf.name, fullness)


def test_no_heading_is_left_alone_at_the_foot_of_a_page(demo_pdfs, overview_pdf):
    for pdf in [*demo_pdfs.values(), overview_pdf]:
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        headings = {squeeze(re.sub(r"<[^>]+>", "", h))
                    for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, flags=re.S)}
        for number, page in enumerate(page_texts(pdf)[:-1], start=1):
            lines = [line for line in page.splitlines() if line.strip()
                     and "ข้อมูลตัวอย่าง" not in line and not re.match(r"\s*-\s*\d+\s*-", line)]
            assert squeeze(lines[-1]) not in headings, (pdf.name, number, lines[-1])


def test_real_records_are_never_marked_as_example(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DEMO_DATA, folder)
    (folder / "_example.txt").unlink()
    pages = page_texts(render(folder, tmp_path / "out", "tharai"))
    assert not any("ข้อมูลตัวอย่าง" in page for page in pages)
