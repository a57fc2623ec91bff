"""Table cells keep each Thai word whole: rendered by WeasyPrint, read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
from pythainlp.tokenize import word_tokenize
from weasyprint import HTML

from km_analysis import thai
from km_analysis.locations import TEMPLATES_DIR
from km_analysis.report.linebreaks import WORD_SPAN, ZERO_WIDTH_SPACE, lean_word_breaks
from km_analysis.report.tables import Column, html_table, whole_words
from km_analysis.report.textlayer import fix_text_layer

# Cells that Pango broke inside a word ("ต.ท่า|ไร่", "ความคืบ|หน้า"), and longer ones.
CELLS = ["ต.ท่าไร่", "ความคืบหน้า", "กำลังดำเนินการ", "คณะกรรมการติดตามหนี้ค้างชำระ",
         "กองทุนหมู่บ้านบ้านหนองบัว", "ประชุมสมาชิกเพื่อแลกเปลี่ยนเรียนรู้ส่วนร่วมของครอบครัว"]


def _render(table: str, tmp_path, lean: bool = False) -> list[str]:
    css = (TEMPLATES_DIR / "km_report" / "report.css").read_text(encoding="utf-8")
    font = thai.sarabun_path("Regular").as_uri()
    document = (f'<html lang="th"><head><style>@font-face {{ font-family: "Sarabun"; '
                f'src: url("{font}"); }}\n{css}\ntable {{ width: 5.2cm; }}</style></head>'
                f"<body>{table}</body></html>")
    if lean:
        document = lean_word_breaks(document)
    pdf = tmp_path / "table.pdf"
    # The report's exact text layer, so that pdftotext reads SARA AM and stacked marks right.
    pdf.write_bytes(fix_text_layer(HTML(string=document).write_pdf()))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip()]


def _newmm_boundaries(text: str) -> set[int]:
    offsets, at = {0, len(text)}, 0
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        at += len(word)
        offsets.add(at)
    return offsets


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("lean", [False, True], ids=["every word spanned", "as laid out"])
def test_rendered_cells_break_only_between_newmm_words(tmp_path, lean):
    frame = pd.DataFrame({"a": CELLS, "b": ["ความคืบหน้า"] * len(CELLS)})
    columns = [Column("a", "ความคืบหน้า", width="60%"), Column("b", "กำลังดำเนินการ")]
    lines = _render(html_table(frame, columns), tmp_path, lean)
    # Each cell's lines, read left column first: every line starts and ends at a newmm word.
    left = [line.split("  ")[0].strip() for line in lines]
    joined = "".join(left)
    for cell in CELLS:
        assert cell.replace(" ", "") in joined.replace(" ", "")
    for line in left:
        owner = next(cell for cell in [*CELLS, "ความคืบหน้า"] if line in cell)
        start = owner.index(line)
        bounds = _newmm_boundaries(owner)
        assert start in bounds and start + len(line) in bounds, f"{line!r} cut from {owner!r}"
    for word in ("ความคืบหน้า", "ต.ท่าไร่"):
        assert any(word in line for line in lines)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_without_the_word_spans_pango_breaks_inside_words(tmp_path):
    # The check above can fail: the same cells as plain text break inside words.
    rows = "".join(f"<tr><td>{cell}</td></tr>" for cell in CELLS)
    lines = _render(f'<table style="width: 2.2cm"><tbody>{rows}</tbody></table>', tmp_path)
    cut = [line for line in lines
           if not any((cell.startswith(line) and len(line) in _newmm_boundaries(cell))
                      or (line in cell and cell.index(line) in _newmm_boundaries(cell)
                      and cell.index(line) + len(line) in _newmm_boundaries(cell))
                      for cell in CELLS)]
    assert cut


def test_whole_words_escapes_and_spans_each_thai_word():
    assert whole_words("<b>") == "&lt;b&gt;"
    html = whole_words("ความคืบหน้า กำลังดำเนินการ")
    assert html == ('<span class="w">ความคืบหน้า</span> <span class="w">กำลัง</span><wbr>'
                    '<span class="w">ดำเนินการ</span>')


def test_laid_out_a_word_keeps_its_span_only_where_pango_would_cut_it():
    cells = "".join(f"<td>{whole_words(cell)}</td>" for cell in CELLS)
    document = f'<table><tr>{cells}</tr></table><p class="x">ต.ท่าไร่ &amp; ท่าน้ำ</p>'
    lean = lean_word_breaks(document)
    kept = WORD_SPAN.findall(lean)
    assert 0 < len(kept) < len(WORD_SPAN.findall(document))
    assert "ความคืบหน้า" in kept  # Pango cuts it: ความคืบ|หน้า
    assert "<wbr" not in lean and ZERO_WIDTH_SPACE in lean
    # The same text, the same tags around it, the untouched paragraph as it was.
    def strip(markup):
        return re.sub(r'</?span[^>]*>', "", markup).replace(ZERO_WIDTH_SPACE, "").replace(
            "<wbr/>", "").replace("<wbr>", "")
    assert strip(lean) == strip(document)
    assert lean.endswith('<p class="x">ต.ท่าไร่ &amp; ท่าน้ำ</p>')
