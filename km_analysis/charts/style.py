"""The report's chart style: Sarabun, the grey palette, and the figures' frame and output.

`thai_style()` applies the style for a block and puts matplotlib's settings back after it:
nothing here changes a global setting. `Svg` and `Png` save a figure inside the style, since
matplotlib reads some settings (the SVG font type, its id salt) only when it saves.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from .. import thai

# Fixed ids and no timestamp: the same records give the same SVG bytes.
STYLE = {
    "font.family": "Sarabun",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "km-workbook",
    "svg.fonttype": "path",
    "axes.prop_cycle": matplotlib.cycler(color=["#222222", "#777777", "#aaaaaa"]),
}
WIDTH_CM = 16.0  # the A4 text width between 3 cm and 2 cm margins

# Greys that stay apart on a grey-scale printer.
_INK, _DARK, _MID = "#111111", "#444444", "#8c8c8c"
_LIGHT, _PALE, _PAPER = "#cfcfcf", "#ececec", "#ffffff"


@contextmanager
def thai_style() -> Iterator[None]:
    """Apply the report's style for the duration of a block; matplotlib's settings are as
    they were after it (Sarabun stays registered with the font manager)."""
    _register_sarabun()
    with matplotlib.rc_context(STYLE):
        yield


_registered = False


def _register_sarabun() -> None:
    global _registered
    if not _registered:
        for weight in ("Regular", "Bold"):
            font_manager.fontManager.addfont(str(thai.sarabun_path(weight)))
        _registered = True


def new_figure(height_cm: float = 7.0) -> Figure:
    """Return an empty figure the width of the report's text column."""
    return Figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), layout="constrained")


def _cm_axes(figure: Figure, width_cm: float, height_cm: float):
    """Return axes filling the figure whose data units are centimetres, equal in x and y."""
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width_cm)
    axes.set_ylim(0, height_cm)
    axes.set_axis_off()
    # No ticks at all: drawing the figure would otherwise make a dozen invisible ones.
    axes.xaxis.set_major_locator(NullLocator())
    axes.yaxis.set_major_locator(NullLocator())
    return axes


def add_shape(axes, patch) -> None:
    """Add a patch to axes whose limits are fixed (`_cm_axes`), skipping `add_patch`'s update
    of the data limits: it walks every Bézier segment, most of the time a fish took to draw.
    Not clipped: the shapes lie inside the drawing, and a clip path is more work for
    WeasyPrint each time it prints the shape."""
    axes.add_artist(patch)
    patch.set_clip_on(False)


def _say_nothing_to_draw(axes, sentence: str) -> None:
    """Replace an empty chart by one Thai sentence saying why it is empty."""
    axes.text(0.5, 0.5, sentence, ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()


class Svg:
    """A figure as SVG text, displayed inline by Jupyter and embedded as a vector in the PDF."""

    def __init__(self, figure: Figure):
        buffer = io.StringIO()
        with thai_style():
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        self.text = buffer.getvalue()

    def _repr_svg_(self) -> str:
        return self.text


class Png:
    """A figure as a PNG image, for drawings dense with Thai text (the fish, the mobile).

    As vectors each glyph is a path, which WeasyPrint lays out and the text-layer step scans
    one by one: a tambon's fish took seconds. At 200 dpi the print is as crisp.
    """

    def __init__(self, figure: Figure, dpi: int = 200):
        buffer = io.BytesIO()
        with thai_style():
            figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        self.data = buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.data
