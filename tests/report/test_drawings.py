"""The drawings in print, read back from PDFs made by the report's own WeasyPrint path.

Their words are real text (pdfplumber and pdftotext find them), at least 9 pt, where matplotlib
laid them out; no two lines' character boxes meet and no stroke of a drawing crosses a line; a
fish item is drawn in full or counted; stacked Thai marks sit as in the body text. And every
character of a demo report is at least 8 pt.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2
import pytest
from matplotlib.figure import Figure

from km_analysis import charts, kmtools, thai
from km_analysis.cli import main
from km_analysis.records import load_records
from km_analysis.report.exporters import html_to_pdf, report_css

from ..conftest import DEMO_DATA
from .pdftext import RENDERS, pdf_text, squeeze

pytestmark = RENDERS

AS_OF = "2006-10-30"
TAMBONS = ("tharai", "mamuangsongton", "bangjak")
PT_PER_CM = 72 / 2.54
STACKED = "ที่ ชื่อ ปั้น นี้ มั่น น้ำ"
# One drawing a page, its top left corner at the page's: PDF points are the drawing's.
PAGES_CSS = """
@page { size: A4; margin: 0; @top-left { content: none } @top-center { content: none }
        @top-right { content: none } @bottom-center { content: none } }
div.drawing, div.drawing.fish { margin: 0; break-before: page; }
p.body { margin: 0; padding: 1cm; font-size: 12pt; line-height: 1.5; }
"""


def drawings_pdf(drawings: list[charts.Drawing], path: Path, body: str = "") -> Path:
    """Write the drawings, one a page, through the report's CSS and WeasyPrint, to path."""
    html = ('<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><style>'
            + report_css() + PAGES_CSS + "</style></head><body>" + body
            + "".join(drawing.html for drawing in drawings) + "</body></html>")
    path.write_bytes(html_to_pdf(html))
    return path


@pytest.fixture(scope="module")
def demo():
    return load_records(DEMO_DATA)


@pytest.fixture(scope="module")
def fish_drawings(demo) -> list[tuple[dict, charts.Drawing]]:
    return [(args, charts.Drawing(charts.fish(**args), "fish"))
            for group_id in demo.fish["group_id"].dropna().unique()
            for args in [kmtools.group_fish(demo, group_id, AS_OF)]]


@pytest.fixture(scope="module")
def mobile_drawings(demo) -> list[tuple[dict, charts.Drawing]]:
    return [(args, charts.Drawing(charts.pla_taphian(**args), "mobile"))
            for tambon in TAMBONS for args in [kmtools.tambon_mobile(demo, tambon, AS_OF)]]


@pytest.fixture(scope="module")
def other_drawings(demo) -> list[charts.Drawing]:
    order = kmtools.competency_order(demo)
    drawings = [charts.Drawing(charts.river(kmtools.latest_assessments(demo, tambon, AS_OF),
                                            order, title="ธารปัญญา"), "river")
                for tambon in TAMBONS]
    drawings += [charts.Drawing(charts.stair(kmtools.stair_steps(demo, "tharai", code, AS_OF),
                                             title=name), "stair") for code, name in order[:3]]
    return drawings


@pytest.fixture(scope="module")
def drawings(fish_drawings, mobile_drawings, other_drawings) -> list[charts.Drawing]:
    return ([d for _, d in fish_drawings] + [d for _, d in mobile_drawings]
            + other_drawings)


@pytest.fixture(scope="module")
def pages_pdf(drawings, tmp_path_factory) -> Path:
    return drawings_pdf(drawings, tmp_path_factory.mktemp("drawings") / "drawings.pdf")


def is_mark(char: str) -> bool:
    return unicodedata.combining(char) > 0 or unicodedata.category(char) in ("Mn", "Me")


def upright_letters(page) -> list[dict]:
    """Return a page's upright characters that are not combining marks or spaces."""
    return [c for c in page.chars if c["upright"] and c["text"].strip()
            and not any(is_mark(ch) for ch in c["text"])]


# ---------------------------------------------------------------------------------------------
# Real text, at the size and place matplotlib laid out


def test_a_drawing_is_a_div_of_its_size_with_an_svg_without_text_and_a_span_a_line(demo):
    figure = charts.fish(**kmtools.group_fish(demo, "G01", AS_OF))
    drawing = charts.Drawing(figure, "fish")
    assert drawing.html.count('<div class="drawing fish" style="width:16.000cm;height:10.000cm">')
    assert "<text" not in drawing.svg and "<path" in drawing.svg
    assert drawing.html.count("<span") == len(drawing.lines) > 5
    assert "ประชุมสมาชิกทุกเดือน" in drawing.text()


def test_the_words_of_every_drawing_are_text_at_9_pt_or_more(pages_pdf, drawings):
    with pdfplumber.open(pages_pdf) as pdf:
        assert len(pdf.pages) == len(drawings)
        for page in pdf.pages:
            letters = upright_letters(page)
            assert letters, "a drawing without text"
            assert min(c["size"] for c in letters) >= 9 - 0.01
    assert all(line.size >= 9 for drawing in drawings for line in drawing.lines)


def test_every_line_lands_where_matplotlib_laid_it_out(pages_pdf, drawings):
    """Each upright letter of a page belongs to one line of the drawing: same baseline (to a
    tenth of a point) and within the line's width as matplotlib measured it (to 2%)."""
    with pdfplumber.open(pages_pdf) as pdf:
        for page, drawing in zip(pdf.pages, drawings, strict=True):
            for char in upright_letters(page):
                assert len(_lines_of(char, drawing, page.height)) == 1, char["text"]


def _lines_of(char: dict, drawing: charts.Drawing, page_height: float) -> list:
    y = page_height - char["matrix"][5]
    found = []
    for line in drawing.lines:
        if line.angle:
            continue
        left, _, right, _ = line.box()
        slack = 0.02 * (right - left) * PT_PER_CM + 1
        if (abs(y - line.y * PT_PER_CM) < 0.1
                and left * PT_PER_CM - slack <= char["x0"] <= right * PT_PER_CM + slack):
            found.append(line)
    return found


# ---------------------------------------------------------------------------------------------
# No overlaps


def line_boxes(page, drawing) -> list[tuple[float, float, float, float]]:
    """Return each upright line's box on the page: the union of its characters' boxes."""
    boxes: dict[int, list] = {}
    for char in upright_letters(page):
        (line,) = _lines_of(char, drawing, page.height)
        box = boxes.setdefault(id(line), [char["x0"], char["top"], char["x1"], char["bottom"]])
        box[:] = [min(box[0], char["x0"]), min(box[1], char["top"]),
                  max(box[2], char["x1"]), max(box[3], char["bottom"])]
    return [tuple(box) for box in boxes.values()]


def meet(a, b, by: float = 0.0) -> bool:
    return a[0] < b[2] - by and b[0] < a[2] - by and a[1] < b[3] - by and b[1] < a[3] - by


def test_no_two_lines_of_a_drawing_meet(pages_pdf, drawings):
    with pdfplumber.open(pages_pdf) as pdf:
        for page, drawing in zip(pdf.pages, drawings, strict=True):
            boxes = line_boxes(page, drawing)
            assert boxes
            for i, a in enumerate(boxes):
                assert not [b for b in boxes[i + 1:] if meet(a, b)]


def test_no_stroke_or_edge_of_a_drawing_runs_under_its_words(drawings, pages_pdf, tmp_path):
    """Under each line's box the drawing's shapes alone (the same PDF with the words hidden) are
    one flat colour: no string, outline, hatching or edge of a fill runs through a label. A
    line on a card (the white box a fish part's text moves to) hides what the card covers."""
    shapes = drawings_pdf(drawings, tmp_path / "shapes.pdf",
                          "<style>div.drawing>span{visibility:hidden}</style>")
    scale = 150 / 72
    crossed = []
    with pdfplumber.open(pages_pdf) as pdf:
        images = pypdfium2.PdfDocument(shapes)
        for number, (page, drawing) in enumerate(zip(pdf.pages, drawings, strict=True)):
            image = np.asarray(images[number].render(scale=scale, grayscale=True).to_pil()
                               .convert("L")).astype(int)
            for box in line_boxes(page, drawing):
                x0, top, x1, bottom = (round(v * scale) for v in (
                    box[0] + 0.5, box[1] + 0.5, box[2] - 0.5, box[3] - 0.5))
                under = image[top:bottom, x0:x1]
                if under.max() - under.min() > 12:
                    crossed.append((number + 1, [round(v) for v in box]))
    assert not crossed


# ---------------------------------------------------------------------------------------------
# Fish items: whole in the drawing or counted; whole in the table


def drawn_items(text: str) -> tuple[str, int]:
    """Return a drawing's text squeezed (wrapped lines joined) and the items it counts."""
    counted = sum(int(n) for n in re.findall(r"และอีก\s*(\d+)\s*รายการ", text))
    return squeeze(text).replace("•", ""), counted


def test_every_fish_item_is_drawn_whole_or_counted(fish_drawings, mobile_drawings, tmp_path):
    shown = 0
    cases = [(args, ("head", "body", "tail"), d) for args, d in fish_drawings]
    cases += [(args["network"], ("head", "body", "tail"), d) for args, d in mobile_drawings]
    pdf = drawings_pdf([d for *_, d in cases], tmp_path / "fish.pdf")
    pages = pdf_text(pdf).split("\f")[:-1]
    for (fish, parts, _), page in zip(cases, pages, strict=True):
        text, counted = drawn_items(page)
        items = [squeeze(item) for part in parts for item in fish.get(part, [])]
        # An item cut short ("…") is neither whole nor counted.
        missing = [item for item in items if item not in text]
        assert len(missing) <= counted, missing
        shown += len(items) - len(missing)
    assert shown >= 15


@pytest.fixture(scope="module")
def report_pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    pdfs = {}
    for slug in ("bangjak", "tharai"):
        assert main(["report", slug, "--data", str(DEMO_DATA), "--out", str(out)]) == 0
        pdfs[slug] = out / AS_OF / slug / f"km-progress-{slug}-{AS_OF}.pdf"
    return pdfs


def test_every_fish_item_is_in_the_reports_tables_in_full(report_pdfs, demo):
    for slug, pdf in report_pdfs.items():
        text = squeeze(pdf_text(pdf))
        fish = demo.fish
        own = fish[fish["tambon"].eq(slug).fillna(False).to_numpy(bool)
                   | fish["group_id"].isin(demo.groups.loc[
                       demo.groups["tambon"].eq(slug).fillna(False).to_numpy(bool),
                       "group_id"]).to_numpy(bool)]
        assert len(own) >= 2
        for item in own["item"]:
            assert squeeze(thai.normalise(item)) in text


def test_every_character_of_a_report_is_at_least_8_pt(report_pdfs):
    for pdf in report_pdfs.values():
        with pdfplumber.open(pdf) as document:
            sizes = [(c["text"], round(c["size"], 2), page.page_number)
                     for page in document.pages for c in upright_letters(page)]
        assert len(sizes) > 1000
        assert not [s for s in sizes if s[1] < 8 - 0.01]


def test_the_reports_drawings_are_text(report_pdfs):
    text = squeeze(pdf_text(report_pdfs["bangjak"]))
    for words in ("หัวปลา:เป้าหมาย", "หางปลาของเครือข่าย", "ธารปัญญาตำบลบางจาก", "การระดมเงินออม",
                  "ระดับปัจจุบัน", "มีทั้งหัวปลาและหางปลา(1)"):
        assert words in text


# ---------------------------------------------------------------------------------------------
# Stacked marks: the same in a drawing as in the body text


def stacked_marks_figure() -> Figure:
    with charts.thai_style():
        figure = Figure(figsize=(16 / 2.54, 3 / 2.54))
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        axes.text(0.05, 0.5, STACKED, fontsize=12, parse_math=False)
    return figure


def words_on(page) -> list[list[dict]]:
    """Return the words of a page's first line (its characters in the order drawn)."""
    words: list[list[dict]] = [[]]
    for char in page.chars:
        if char["top"] > 100:
            continue
        if not char["text"].strip():
            words.append([])
        else:
            words[-1].append(char)
    return [word for word in words if word]


def mark_places(word: list[dict], size: float = 12.0) -> list[tuple[str, float, float]]:
    """Return each character's text and origin relative to the word's first, in ems."""
    x, y = word[0]["matrix"][4], word[0]["matrix"][5]
    return [(c["text"], round((c["matrix"][4] - x) / size, 2),
             round((c["matrix"][5] - y) / size, 2)) for c in word]


def ink(pdf: Path, page_index: int, box: tuple[float, float, float, float]) -> np.ndarray:
    """Return the page's ink in box (points) at 400 dpi, cropped to the ink, as booleans."""
    scale = 400 / 72
    page = pypdfium2.PdfDocument(pdf)[page_index]
    image = np.asarray(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
    x0, top, x1, bottom = (round(v * scale) for v in box)
    dark = image[top:bottom, x0:x1] < 128
    rows, columns = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    return dark[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]


def near(mask: np.ndarray, shape: tuple[int, int], reach: int = 2) -> np.ndarray:
    """Return mask, cut or padded to shape, grown by reach pixels every way."""
    padded = np.zeros((shape[0] + 2 * reach, shape[1] + 2 * reach), bool)
    h, w = min(mask.shape[0], shape[0]), min(mask.shape[1], shape[1])
    padded[reach:reach + h, reach:reach + w] = mask[:h, :w]
    grown = np.zeros(shape, bool)
    for dy in range(2 * reach + 1):
        for dx in range(2 * reach + 1):
            grown |= padded[dy:dy + shape[0], dx:dx + shape[1]]
    return grown


def test_stacked_marks_sit_in_a_drawing_as_in_the_body_text(tmp_path):
    body = f'<p class="body">{STACKED}</p>'
    pdf = drawings_pdf([charts.Drawing(stacked_marks_figure())], tmp_path / "marks.pdf", body)
    with pdfplumber.open(pdf) as document:
        words = [words_on(page) for page in document.pages[:2]]
    assert ["".join(c["text"] for c in w) for w in words[0]] == [
        "".join(c["text"] for c in w) for w in words[1]]
    assert len(words[0]) == 6
    # The marks' places relative to their words (pdfplumber: glyph positions, text rise).
    assert [mark_places(w) for w in words[1]] == [mark_places(w) for w in words[0]]
    # And as drawn: every inked pixel of one within 2 px (0.13 pt) of the other's ink.
    inks = []
    for page_index, page_words in enumerate(words):
        chars = [c for w in page_words for c in w]
        box = (min(c["x0"] for c in chars) - 3, min(c["top"] for c in chars) - 6,
               max(c["x1"] for c in chars) + 3, max(c["bottom"] for c in chars) + 3)
        inks.append(ink(pdf, page_index, box))
    body_ink, drawing_ink = inks
    assert abs(body_ink.shape[0] - drawing_ink.shape[0]) <= 1
    assert abs(body_ink.shape[1] - drawing_ink.shape[1]) <= 1
    assert not (body_ink & ~near(drawing_ink, body_ink.shape)).any()
    assert not (drawing_ink & ~near(body_ink, drawing_ink.shape)).any()
