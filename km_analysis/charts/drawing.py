"""A drawing as HTML: its shapes as an SVG image without text, its words as positioned HTML text.

WeasyPrint 70 lays SVG `<text>` out one character at a time and loses Thai stacked marks (ที่
prints as ที), and text as paths cannot be searched, copied or read by the text layer. HTML text
is shaped by Pango like the body text. So `Drawing(figure)` saves the figure's shapes as SVG
(matplotlib's text calls recorded, not drawn) and writes each line that matplotlib would draw as
an absolutely positioned element with the line's text, at the place matplotlib laid it out:
the layout is still measured in Python with Sarabun (`thaitext`).

A line is anchored where its alignment says (left end, middle or right end of its baseline), so
a small difference between matplotlib's and Pango's widths moves a centred line's ends evenly.
"""

from __future__ import annotations

import base64
import io
import math
import re
from dataclasses import dataclass
from html import escape

from matplotlib import colors, font_manager
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.text import Text

from .style import _INK, thai_style
from .thaitext import text_metrics

PT_PER_CM = 72 / 2.54
# Where the baseline of a line box sits below its top, in ems, with line-height 1: half the
# box plus half of ascent minus descent (Sarabun's hhea and typo metrics: 1068 and 232 a 1000).
BASELINE_EM = 0.5 + (1.068 - 0.232) / 2
_ANCHORS = {"left": 0.0, "center": 0.5, "right": 1.0}
_DEFAULT_SIZE = 9.0  # points: the size most lines of a drawing have (no style written)

# The drawing's own geometry travels with it, so that JupyterLab shows what the PDF prints;
# report.css places the drawing on the page.
DRAWING_STYLE = (
    "<style>"
    "div.drawing{position:relative}"
    "div.drawing>img{position:absolute;left:0;top:0;width:100%;height:100%}"
    "div.drawing>span{position:absolute;white-space:nowrap;line-height:1;"
    f"font-family:Sarabun,sans-serif;font-size:{_DEFAULT_SIZE:g}pt;font-weight:400;"
    f"color:{_INK};transform-origin:0 {BASELINE_EM:.3f}em}}"
    "div.drawing>span.b{font-weight:700}"
    "</style>"
)


@dataclass(frozen=True)
class Line:
    """One line of a drawing's text, where matplotlib laid it out (cm from the top left)."""

    text: str
    x: float  # the anchor: the share `anchor` of the line's width lies left of it
    y: float  # the baseline
    size: float  # points
    bold: bool
    color: str
    anchor: float  # 0 left, 0.5 centre, 1 right
    angle: float  # degrees, counter-clockwise
    width: float  # cm, as matplotlib measured it

    def box(self) -> tuple[float, float, float, float]:
        """Return the line's upright box (left, top, right, bottom) in cm, from its ascent
        (0.8 em) to its descent (0.25 em), as matplotlib measured it (angle 0 only)."""
        left = self.x - self.anchor * self.width
        em = self.size / PT_PER_CM
        return left, self.y - 0.8 * em, left + self.width, self.y + 0.25 * em

    def html(self) -> str:
        """Return the line as an absolutely placed span, its baseline where matplotlib put it."""
        style = f"left:{self.x:.3f}cm;top:{self.y - BASELINE_EM * self.size / PT_PER_CM:.3f}cm"
        # A width of its own (matplotlib's measure and an em to spare), the text aligned in it
        # as anchored: WeasyPrint need not measure the line twice more to shrink the box to it.
        style += f";width:{self.width + self.size / PT_PER_CM:.3f}cm"
        if self.anchor:
            style += ";text-align:" + ("center" if self.anchor == 0.5 else "right")
        if self.size != _DEFAULT_SIZE:
            style += f";font-size:{self.size:g}pt"
        if self.color != _INK:
            style += f";color:{self.color}"
        moves = []
        if self.angle:
            moves.append(f"rotate({-self.angle:g}deg)")
        if self.anchor:
            moves.append(f"translateX({-100 * self.anchor:g}%)")
        if moves:
            style += ";transform:" + " ".join(moves)
        bold = ' class="b"' if self.bold else ""
        return f'<span{bold} style="{style}">{escape(self.text)}</span>'


class _ShapesRenderer(RendererSVG):
    """Draws everything but text; records each line of text matplotlib asks it to draw."""

    def __init__(self, *args, owners: dict[int, Text], **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = owners
        self.lines: list[Line] = []

    def get_text_width_height_descent(self, s, prop, ismath):
        return text_metrics(s, prop, ismath)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if not s.strip():
            return
        # Text.draw passes each line's left end of the baseline (y from the top: SVG flips y).
        owner = mtext or self.owners.get(id(prop))
        anchor = _anchor(owner, single_line=mtext is not None)
        width, _, _ = self.get_text_width_height_descent(s, prop, ismath)
        radians = math.radians(angle)
        self.lines.append(Line(
            text=s,
            x=float(x + anchor * width * math.cos(radians)) / PT_PER_CM,
            y=float(y - anchor * width * math.sin(radians)) / PT_PER_CM,
            size=round(prop.get_size_in_points(), 2),
            bold=_weight(prop.get_weight()) >= 600,
            color=colors.to_hex(gc.get_rgb(), keep_alpha=False),
            anchor=anchor,
            angle=float(round(angle, 2) % 360),
            width=float(width / PT_PER_CM),
        ))


def _anchor(owner: Text | None, single_line: bool) -> float:
    """Return the share of a line's width left of its anchor: its text's alignment."""
    if owner is None:
        return 0.0
    if single_line:
        return _ANCHORS.get(owner.get_horizontalalignment(), 0.0)
    return _ANCHORS.get(owner._get_multialignment(), 0.0)


def _weight(weight) -> int:
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


def shapes_and_lines(figure: Figure) -> tuple[str, list[Line]]:
    """Return the figure's shapes as SVG text (no text in it) and its lines of text."""
    owners = {id(text._fontproperties): text for text in figure.findobj(Text)}
    buffer = io.StringIO()
    with thai_style():
        dpi = figure.dpi
        figure.dpi = 72  # display units are points, as in matplotlib's own SVG output
        try:
            width, height = figure.get_size_inches()
            svg = _ShapesRenderer(width * 72, height * 72, buffer, image_dpi=dpi,
                                  metadata={"Date": None}, owners=owners)
            figure.draw(MixedModeRenderer(figure, width, height, dpi, svg))
            svg.finalize()
        finally:
            figure.dpi = dpi
    return _lean(buffer.getvalue()), svg.lines


_SVG, _XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
_DECIMALS = re.compile(r"(\.\d\d)\d+")


def _lean(svg: str) -> str:
    """Return matplotlib's SVG with less for WeasyPrint to read, drawing the same.

    WeasyPrint draws SVG in Python, node by node, matching every style rule against every node:
    the `*` rule of matplotlib's stylesheet becomes attributes of the root (SVG inherits them),
    groups that only carry an id give their children to their parent, the metadata goes, and
    coordinates keep hundredths of a point (finer than print).
    """
    from xml.etree import ElementTree

    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", _XLINK)
    root = ElementTree.fromstring(svg.encode("utf-8"))
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for child in list(root):
        if child.tag == f"{{{_SVG}}}metadata":
            root.remove(child)
        elif child.tag == f"{{{_SVG}}}defs":
            for style in child.findall(f"{{{_SVG}}}style"):
                child.remove(style)
            if not len(child):
                root.remove(child)
    _unwrap_plain_groups(root)
    return _DECIMALS.sub(r"\1", ElementTree.tostring(root, encoding="unicode"))


def _unwrap_plain_groups(element) -> None:
    """Replace each <g> with no attribute but an id by its children, all the way down."""
    children = []
    for child in element:
        _unwrap_plain_groups(child)
        if child.tag == f"{{{_SVG}}}g" and set(child.attrib) <= {"id"}:
            children.extend(child)
        else:
            children.append(child)
    element[:] = children


class Drawing:
    """A figure for the report: shapes as a vector image, words as real, Pango-shaped text.

    `html` (and `_repr_html_`, so Jupyter shows it) is a `<div class="drawing …">` of the
    figure's size in cm: the SVG of the shapes, then a `<span>` a line of text.
    """

    def __init__(self, figure: Figure, css_class: str = "chart"):
        width, height = figure.get_size_inches()
        self.width_cm, self.height_cm = width * 2.54, height * 2.54
        self.svg, self.lines = shapes_and_lines(figure)
        self.css_class = css_class

    @property
    def html(self) -> str:
        """Return the drawing: its size, its shapes as an SVG image, its lines as spans."""
        image = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return (
            f'{DRAWING_STYLE}<div class="drawing {escape(self.css_class)}" '
            f'style="width:{self.width_cm:.3f}cm;height:{self.height_cm:.3f}cm">'
            f'<img alt="" src="data:image/svg+xml;base64,{image}">'
            + "".join(line.html() for line in self.lines) + "</div>"
        )

    def _repr_html_(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html

    def text(self) -> str:
        """Return the drawing's words, a line a line (what the PDF's text layer reads)."""
        return "\n".join(line.text for line in self.lines)
