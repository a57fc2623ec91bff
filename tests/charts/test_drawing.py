"""charts.Drawing: the figure's shapes as SVG without text, each line of its text as a span
placed where matplotlib laid it out (the PDF side is tested in tests/report/test_drawings.py)."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure

from km_analysis import charts
from km_analysis.charts.drawing import BASELINE_EM, PT_PER_CM


def figure_with(*texts: dict) -> Figure:
    with charts.thai_style():
        figure = Figure(figsize=(10 / 2.54, 4 / 2.54))
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        axes.set_xlim(0, 10)
        axes.set_ylim(0, 4)
        for text in texts:
            axes.text(**{"fontsize": 9, "parse_math": False, **text})
    return figure


def spans(drawing) -> list[dict[str, str]]:
    """Return each span's style properties and text."""
    found = []
    for style, text in re.findall(r'<span(?: class="b")? style="([^"]*)">([^<]*)</span>',
                                  drawing.html):
        properties = dict(part.split(":", 1) for part in style.split(";"))
        found.append({**properties, "text": text})
    return found


def test_a_line_is_anchored_at_its_alignment_on_its_baseline():
    drawing = charts.Drawing(figure_with(
        {"x": 5, "y": 2, "s": "กลาง", "ha": "center", "va": "baseline"},
        {"x": 9, "y": 1, "s": "ขวา", "ha": "right", "va": "baseline", "fontsize": 12},
        {"x": 1, "y": 3, "s": "ซ้าย", "ha": "left", "va": "baseline", "fontweight": "bold",
         "color": "#444444"}))
    middle, right, left = drawing.lines
    assert (middle.x, middle.y, middle.anchor) == (pytest.approx(5), pytest.approx(2), 0.5)
    assert (right.x, right.y, right.anchor, right.size) == (
        pytest.approx(9), pytest.approx(3), 1.0, 12)
    assert (left.x, left.anchor, left.bold, left.color) == (pytest.approx(1), 0.0, True,
                                                           "#444444")
    middle_span, right_span, left_span = spans(drawing)
    assert middle_span["transform"] == "translateX(-50%)"
    assert right_span["transform"] == "translateX(-100%)" and right_span["font-size"] == "12pt"
    # The span's top is where its baseline falls BASELINE_EM below, in Sarabun's metrics.
    assert float(middle_span["top"].removesuffix("cm")) == pytest.approx(
        2 - BASELINE_EM * 9 / PT_PER_CM, abs=0.001)
    assert left_span["color"] == "#444444" and "transform" not in left_span


def test_each_line_of_a_wrapped_text_is_a_span_centred_like_the_text():
    drawing = charts.Drawing(figure_with(
        {"x": 5, "y": 2, "s": "บรรทัดแรก\nบรรทัดที่สองยาวกว่า", "ha": "center"}))
    first, second = drawing.lines
    assert (first.text, second.text) == ("บรรทัดแรก", "บรรทัดที่สองยาวกว่า")
    assert first.x == pytest.approx(5) and second.x == pytest.approx(5)
    assert second.y > first.y  # down the page
    assert [span["text"] for span in spans(drawing)] == [first.text, second.text]


def test_turned_text_turns_about_its_anchor():
    drawing = charts.Drawing(figure_with(
        {"x": 5, "y": 2, "s": "ระดับ", "ha": "center", "va": "center", "rotation": 90}))
    (line,) = drawing.lines
    assert line.angle == 90
    assert spans(drawing)[0]["transform"] == "rotate(-90deg) translateX(-50%)"
    # Turned up, its middle is at the point given.
    assert (line.x, line.y) == (pytest.approx(5, abs=0.3), pytest.approx(2, abs=0.05))


def test_the_svg_has_the_shapes_and_no_text_and_the_figure_is_left_as_it_was():
    figure = figure_with({"x": 5, "y": 2, "s": "ที่ <b>&"})
    with charts.thai_style():
        figure.axes[0].plot([0, 10], [0, 4])
    dpi = figure.dpi
    drawing = charts.Drawing(figure)
    assert "<path" in drawing.svg and "<text" not in drawing.svg and "ที่" not in drawing.svg
    assert figure.dpi == dpi
    assert "ที่ &lt;b&gt;&amp;" in drawing.html  # text is escaped
    assert drawing._repr_html_() == drawing.html
    assert 'class="drawing chart" style="width:10.000cm;height:4.000cm"' in drawing.html


def test_blank_and_hidden_texts_make_no_span():
    figure = figure_with({"x": 5, "y": 2, "s": "  "}, {"x": 5, "y": 3, "s": "ซ่อน"})
    figure.axes[0].texts[1].set_visible(False)
    assert charts.Drawing(figure).lines == []


@pytest.mark.parametrize(("numerals", "expected", "other"), [
    ("thai", "หมู่ ๓ กลุ่มออมทรัพย์", "ร้อยละ ๒๐"), ("arabic", "หมู่ 3 กลุ่มออมทรัพย์", "ร้อยละ 20")])
def test_a_drawings_record_text_follows_the_reports_numerals(numerals, expected, other):
    figure = charts.fish("หมู่ ๓ กลุ่มออมทรัพย์", ["สมาชิกออมเพิ่มขึ้นร้อยละ 20"], [], [],
                         numerals=numerals)
    text = charts.Drawing(figure).text()
    assert expected in text and other in text
