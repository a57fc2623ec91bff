"""The per-tambon report: built from the demo records, read back from the PDF, and refused safely.

Figures are checked against an independent computation written here with plain pandas, not
with km_analysis.metrics. PDF text is read by pdftotext (poppler, installed by .ci/run), exactly:
the text layer says what the page shows (textlayer.py), so nothing is folded.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from km_analysis import load_records, thai
from km_analysis.cli import main
from km_analysis.errors import FetchRefused
from km_analysis.report import exporters

from ..conftest import DEMO_DATA, ROOT, write_csv_folder
from .pdftext import RENDERS, pdf_text, squeeze

DEMO_TAMBONS = ("tharai", "mamuangsongton", "bangjak")
AS_OF = pd.Timestamp("2006-10-30")  # the last thing that happened in the demo: a visit

pytestmark = RENDERS  # renders reports end to end


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory) -> dict[str, Path]:
    """Render the three demo reports once; return the PDF path of each tambon."""
    out = tmp_path_factory.mktemp("reports")
    for slug in DEMO_TAMBONS:
        assert main(["report", slug, "--data", str(DEMO_DATA), "--out", str(out)]) == 0
    return {slug: out / "2006-10-30" / slug / f"km-progress-{slug}-2006-10-30.pdf"
            for slug in DEMO_TAMBONS}


def expected_figures(slug: str) -> dict[str, int]:
    """Work out the summary figures of `slug` from the demo records with plain pandas."""
    r = load_records(DEMO_DATA)
    as_of = AS_OF
    forums = r.sessions[(r.sessions["kind"] == "sponsor_forum") & (r.sessions["status"] == "held")
                        & (r.sessions["date"] < as_of)]
    since = forums["date"].max()
    group_tambon = dict(zip(r.groups["group_id"], r.groups["tambon"]))
    groups = r.groups[r.groups["tambon"] == slug]
    visits = r.visits[r.visits["group_id"].map(group_tambon) == slug]
    done = visits["done_on"] <= as_of
    overdue = ~done & (
        ((visits["status"] == "planned") & (visits["planned"] < as_of))
        | ((visits["status"] == "postponed") & (visits["rescheduled"] < as_of))
    )
    fish = r.fish[r.fish["recorded"] <= as_of]
    fish_of_groups = fish[fish["group_id"].map(group_tambon) == slug]
    heads = set(fish_of_groups.loc[fish_of_groups["part"] == "head", "group_id"])
    tails = set(fish_of_groups.loc[fish_of_groups["part"] == "tail", "group_id"])
    session_tambon = r.sessions["tambon"].fillna(r.sessions["group_id"].map(group_tambon))
    sessions = r.sessions[(r.sessions["status"] == "held") & (r.sessions["date"] > since)
                          & (r.sessions["date"] <= as_of)
                          & (session_tambon.isna() | (session_tambon == slug))]
    present = r.attendance[r.attendance["status"] == "present"].groupby("session_id").size()
    participants = sessions["participants"].fillna(sessions["session_id"].map(present)).fillna(0)
    actions = r.actions[r.actions["tambon"].isna() | (r.actions["tambon"] == slug)]
    open_ = (actions["raised"] <= as_of) & ~(actions["closed_on"] <= as_of)
    return {
        "groups": len(groups),
        "visits_planned": int((visits["status"] != "cancelled").sum()),
        "visits_done": int(done.sum()),
        "visited_groups": visits.loc[done, "group_id"].nunique(),
        "visits_overdue": int(overdue.sum()),
        "head_groups": len(heads),
        "tail_groups": len(tails),
        "both_groups": len(heads & tails),
        "fish_items": len(fish_of_groups) + int((fish["tambon"] == slug).sum()),
        "sessions": len(sessions),
        "participants": int(participants.sum()),
        "open_actions": int(open_.sum()),
        "open_sponsor_actions": int((open_ & actions["for_sponsor"].fillna(False)).sum()),
        "closed_actions": int(((actions["closed_on"] > since)
                               & (actions["closed_on"] <= as_of)).sum()),
    }


@pytest.mark.parametrize("slug", DEMO_TAMBONS)
def test_report_names_the_tambon_and_the_date_in_buddhist_era(demo_reports, slug):
    text = squeeze(pdf_text(demo_reports[slug]))
    name_th = load_records(DEMO_DATA).tambons.set_index("tambon").at[slug, "name_th"]
    assert squeeze(f"ตำบล{name_th}") in text
    assert squeeze("ข้อมูล ณ วันที่ 30 ตุลาคม 2549") in text


@pytest.mark.parametrize("slug", DEMO_TAMBONS)
def test_summary_figures_equal_an_independent_computation(demo_reports, slug):
    text = squeeze(pdf_text(demo_reports[slug]))
    f = expected_figures(slug)
    def said(count, none, some):  # the report words a count of zero as "none"
        return none if not count else some

    sentences = [
        f"ตำบลนี้มีกลุ่มการเงินในบันทึก {f['groups']} กลุ่ม",
        said(f["visits_done"], f"ยังไม่ได้ลงพื้นที่ จากแผน {f['visits_planned']} ครั้ง",
             f"ลงพื้นที่แล้ว {f['visits_done']} ครั้ง จากแผน {f['visits_planned']} ครั้ง"),
        said(f["visited_groups"], f"ยังไม่ได้ลงพื้นที่กลุ่มใดเลย จาก {f['groups']} กลุ่ม",
             f"ได้ลงพื้นที่แล้ว {f['visited_groups']} จาก {f['groups']} กลุ่ม"),
        said(f["visits_overdue"], "ไม่มีแผนลงพื้นที่ที่เลยกำหนด",
             f"แผนลงพื้นที่ {f['visits_overdue']} ครั้งเลยกำหนด"),
        said(f["head_groups"], "ยังไม่มีกลุ่มใดบันทึกเป้าหมายของกลุ่ม",
             f"{f['head_groups']} จาก {f['groups']} กลุ่มบันทึกเป้าหมาย"),
        said(f["tail_groups"], "ยังไม่มีกลุ่มใดบันทึกความรู้ที่มีอยู่",
             f"{f['tail_groups']} จาก {f['groups']} กลุ่มบันทึกความรู้"),
        said(f["both_groups"], "ยังไม่มีกลุ่มที่บันทึกครบทั้งหัวปลาและหางปลา",
             f"{f['both_groups']} กลุ่มพร้อมออกแบบการเรียนรู้"),
        f"บันทึกหัวปลา ตัวปลา และหางปลาแล้ว {f['fish_items']} รายการ",
        f"จัดกิจกรรม {f['sessions']} ครั้งในช่วงรายงาน",
        f"ผู้เข้าร่วมรวม {f['participants']:,} คน-ครั้ง",
        f"ยังค้าง {f['open_actions']} เรื่อง",
        f"{f['open_sponsor_actions']} เรื่องรอการตัดสินใจ",
        f"ปิดแล้ว {f['closed_actions']} เรื่องในช่วงรายงาน",
    ]
    missing = [s for s in sentences if squeeze(s) not in text]
    assert not missing


@pytest.mark.parametrize("slug", DEMO_TAMBONS)
def test_pdf_embeds_sarabun_only(demo_reports, slug):
    fonts = set()
    for page in PdfReader(demo_reports[slug]).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("Sarabun" in name for name in fonts)


def test_executed_notebook_lies_beside_the_pdf_with_its_parameters(demo_reports):
    pdf = demo_reports["bangjak"]
    executed = json.loads(pdf.with_suffix(".ipynb").read_text(encoding="utf-8"))
    parameters = executed["metadata"]["papermill"]["parameters"]
    assert parameters["tambon"] == "bangjak"
    assert parameters["as_of"] == "2006-10-30" and parameters["since"] == "2006-09-05"
    assert Path(parameters["snapshot"], "snapshot.json").exists()
    assert pdf.with_suffix(".html").exists() and (pdf.parent / "provenance.json").exists()


def test_nbconvert_exporter_gives_the_same_pdf_text(demo_reports, tmp_path):
    executed = demo_reports["tharai"].with_suffix(".ipynb")
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "km_pdf", str(executed),
                    "--output-dir", str(tmp_path)], check=True, capture_output=True)
    assert pdf_text(tmp_path / executed.with_suffix(".pdf").name) == pdf_text(
        demo_reports["tharai"])


def test_thai_numerals_option_writes_thai_digits(tmp_path):
    assert main(["report", "tharai", "--data", str(DEMO_DATA), "--out", str(tmp_path),
                 "--numerals", "thai"]) == 0
    text = pdf_text(tmp_path / "2006-10-30" / "tharai" / "km-progress-tharai-2006-10-30.pdf")
    assert squeeze("ข้อมูล ณ วันที่ ๓๐ ตุลาคม ๒๕๔๙") in squeeze(text)
    layout = pdf_text(tmp_path / "2006-10-30" / "tharai" / "km-progress-tharai-2006-10-30.pdf",
                      "-layout")
    assert "-๒-" in squeeze(layout)  # the page number "- ๒ -" of page 2 (in reading order)


def _km(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "km_analysis.cli", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("tambon", ["nowhere", "bangjek", "x;touch /tmp/km-owned", "../bangjak",
                                    "bang jak", "$(id)"])
def test_unknown_or_hostile_tambon_exits_2_and_writes_nothing(tmp_path, tambon):
    out = tmp_path / "out"
    result = _km("report", tambon, "--out", str(out))
    assert result.returncode == 2
    assert "Known tambons" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert not Path("/tmp/km-owned").exists()


def test_close_misspelling_gets_did_you_mean(tmp_path):
    result = _km("report", "bangjek", "--out", str(tmp_path / "out"))
    assert "Did you mean bangjak" in result.stderr


def test_make_never_lets_tambon_reach_a_shell(tmp_path):
    marker = tmp_path / "owned"
    result = subprocess.run(["make", "-s", "report", f"TAMBON=x;touch {marker}",
                             f"OUT={tmp_path / 'out'}"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_thai_name_is_an_alias_of_the_slug(tmp_path):
    result = _km("report", "ท่าไร่", "--out", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.strip().splitlines()[-1].endswith(
        "tharai/km-progress-tharai-2006-10-30.pdf")


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2549"], "not a year alone"),
    (["--as-of", "30/10/2549", "--since", "30 ต.ค. 49"], "since"),
])
def test_bad_period_exits_2_before_anything_runs(tmp_path, args, message):
    result = _km("report", "bangjak", *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_records_error_in_scope_refuses_the_report(tmp_path, tables):
    tables["groups"][0]["members"] = "-5"  # a Tha Rai group
    data = write_csv_folder(tmp_path / "records", tables)
    refused = _km("report", "tharai", "--data", str(data), "--out", str(tmp_path / "out"))
    assert refused.returncode == 1
    assert "groups.csv" in refused.stderr and "members" in refused.stderr
    assert not (tmp_path / "out").exists()


def test_records_error_in_another_tambon_does_not_block(tmp_path, tables):
    tables["groups"][0]["members"] = "-5"  # a Tha Rai group
    data = write_csv_folder(tmp_path / "records", tables)
    result = _km("report", "bangjak", "--data", str(data), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr


def test_record_text_is_escaped_and_nothing_is_fetched(tmp_path, tables):
    tables["sessions"][1]["title"] = "<script>alert(1)</script>"
    tables["fish"][1]["item"] = '<img src="http://127.0.0.1:9/x.png">'
    data = write_csv_folder(tmp_path / "records", tables)
    result = _km("report", "tharai", "--data", str(data), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    pdf = Path(result.stdout.strip().splitlines()[-1])
    text = pdf_text(pdf)
    assert "<script>alert(1)</script>" in text
    assert '<img src="http://127.0.0.1:9/x.png">' in text
    assert json.loads((pdf.parent / "provenance.json").read_text())["refused_fetches"] == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "https://example.org/a.css",
                                 "file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_fetcher_refuses_everything_but_data_and_package_files(url):
    fetcher = exporters.ReportFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_font_and_data_uris():
    fetcher = exporters.ReportFetcher()
    assert fetcher.fetch(thai.sarabun_path().as_uri()).read(4)
    assert fetcher.fetch("data:text/plain;base64,a20=").read() == b"km"


def test_character_the_font_cannot_draw_fails_naming_its_cell(tmp_path, tables):
    tables["fish"][0]["item"] = "เป้าหมาย ✓"
    data = write_csv_folder(tmp_path / "records", tables)
    result = _km("report", "tharai", "--data", str(data), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "U+2713" in result.stderr and "fish.csv, row 2, column item" in result.stderr
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_interrupted_render_leaves_no_pdf(tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(exporters, "layout_pdf", interrupt)
    result = main(["report", "tharai", "--data", str(DEMO_DATA), "--out", str(tmp_path)])
    assert result == 130
    folder = tmp_path / "2006-10-30" / "tharai"
    assert not list(folder.glob("*.pdf")) and not list(folder.parent.glob(".rendering-*"))


@pytest.mark.parametrize("slug", DEMO_TAMBONS)
def test_html_has_no_scripts_and_vector_charts(demo_reports, slug):
    html = demo_reports[slug].with_suffix(".html").read_text(encoding="utf-8")
    assert "<script" not in html and "require.js" not in html and "MathJax" not in html
    # HTML parsers ignore "/>" on any but void elements: an <a … /> stays open and takes the
    # rest of the page with it.
    assert not re.search(r"<(?!(?:img|br|wbr|meta|hr|link|input)\b)\w+\b[^>]*/>", html)
    # The coverage chart, the visits chart where a visit was done (Mamuang Song Ton has none:
    # no chart is drawn without data) and the river where groups assessed themselves.
    assert html.count('src="data:image/svg+xml;base64,') >= (1 if slug == "mamuangsongton" else 2)


class _Visible(HTMLParser):
    """The words a reader sees in the report's HTML, and its table headers and running title."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.repeated: set[str] = set()  # printed again on later pages
        self._skip = self._header = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "title")
        self._header += tag == "th"
        running = dict(attrs).get("data-running-title")
        if running:
            self.repeated.update(running.split())

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title")
        self._header -= tag == "th"

    def handle_data(self, data):
        if not self._skip:
            self.words += data.split()
            if self._header:
                self.repeated.update(data.split())


@pytest.mark.parametrize("slug", DEMO_TAMBONS)
def test_pdf_text_says_exactly_what_the_html_says(demo_reports, slug):
    pdf = demo_reports[slug]
    visible = _Visible()
    visible.feed(pdf.with_suffix(".html").read_text(encoding="utf-8"))
    html_text = squeeze("".join(visible.words))
    pdf_words = pdf_text(pdf).split()
    # "- 2 -" at the top of a page: read as one word, three, or joined to its neighbour.
    page_number = re.compile(r"^-?[0-9๐-๙]*-?")
    for word in pdf_words:
        word = page_number.sub("", word) if re.match(r"^-|^[0-9๐-๙]+-?$", word) else word
        if not word or word in visible.repeated:
            continue
        assert word in html_text, f"the PDF reads {word!r}, which the page's HTML never says"
    # The other way, character by character: poppler reads the lines of neighbouring table
    # cells interleaved, so a word wrapped inside a cell is not one word in its text.
    missing = Counter(squeeze("".join(visible.words))) - Counter(squeeze("".join(pdf_words)))
    assert not missing, f"the PDF's text lacks characters the HTML says: {dict(missing)}"


def test_demo_report_text_reads_thai_words_where_the_page_shows_them(demo_reports):
    text = pdf_text(demo_reports["bangjak"])
    for word in ("ตำบลบางจาก", "การเงิน", "คุณอำนวย", "น้ำ"):
        assert word in text
    pypdf_text = "".join(page.extract_text() for page in PdfReader(demo_reports["bangjak"]).pages)
    assert "กำร" not in pypdf_text and "การเงิน" in pypdf_text


def test_two_renders_of_the_same_records_are_byte_identical(tmp_path):
    pdfs = []
    for run in ("first", "second"):
        assert main(["report", "mamuangsongton", "--data", str(DEMO_DATA),
                     "--out", str(tmp_path / run)]) == 0
        folder = tmp_path / run / "2006-10-30" / "mamuangsongton"
        pdfs.append({p.suffix: p.read_bytes() for p in folder.iterdir()
                     if p.suffix in (".pdf", ".html")})
    assert pdfs[0][".html"] == pdfs[1][".html"]
    assert pdfs[0][".pdf"] == pdfs[1][".pdf"]


def test_a_full_disk_says_one_line_and_leaves_the_previous_report_whole(tmp_path, monkeypatch,
                                                                        capsys):
    folder = tmp_path / "out" / "2006-10-30" / "tharai"
    folder.mkdir(parents=True)
    previous = {f"km-progress-tharai-2006-10-30{suffix}": f"previous {suffix}".encode()
                for suffix in (".pdf", ".html", ".ipynb")}
    previous["provenance.json"] = b'{"inputs_key": "previous"}'
    for name, data in previous.items():
        (folder / name).write_bytes(data)
    write_bytes = Path.write_bytes

    def full_disk(self, data):
        if self.parent.name.startswith(".rendering-") and self.suffix == ".pdf":
            with self.open("wb") as stream:  # half of it fits
                stream.write(data[:len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    assert main(["report", "tharai", "--data", str(DEMO_DATA), "--out",
                 str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"km report: {folder / 'km-progress-tharai-2006-10-30.pdf'}: No " \
                          "space left on device"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == previous
    assert sorted(p.name for p in folder.parent.iterdir()) == ["tharai"]
