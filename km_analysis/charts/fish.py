"""The fish model (โมเดลปลาทู): a mackerel seen from the side, swimming right. Its head holds the
group's goals, its body the sharing, its tail the knowledge assets.

`_FishShape` is the outline and where text fits inside each part; the paragraphs are laid out
in a part line by line at the width the outline leaves.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import thai
from .style import (
    _DARK,
    _INK,
    _LIGHT,
    _PALE,
    _PAPER,
    WIDTH_CM,
    _cm_axes,
    add_shape,
    thai_style,
)
from .thaitext import _drawable, _wrap, text_width

FISH_ITEMS = 8  # items shown a part; the rest are counted
FISH_HEIGHT_CM = 10.0  # and WIDTH_CM wide: two fish fit on an A4 page
PART_HEADINGS = {
    "head": "หัวปลา: เป้าหมาย",
    "body": "ตัวปลา: การแลกเปลี่ยนเรียนรู้",
    "tail": "หางปลา: ขุมความรู้",
}
NOTHING_YET = "ยังไม่ได้บันทึก"


def _more(n: int, numerals: str) -> str:
    return f"และอีก {thai.format_number(n, numerals=numerals)} รายการ"


class _FishShape:
    """A mackerel's outline in centimetres: tail tip at x, centre line at y, swimming right.

    The shape is declared in units of the fish's length (u from the tail tip 0 to the snout 1,
    v up from the centre line); `points` turns those into centimetres.
    """

    PEDUNCLE, NECK = 0.245, 0.045  # where the tail fin meets the body; its half-height
    DEPTH, BELLY = 0.245, 0.86  # half-height at the deepest point; the belly's share of it
    RISE, FALL = 1.1, 0.72  # how the back rises from the tail and falls to the snout
    GILL = 0.70  # the gill cover's edge, where the head begins
    EYE, EYE_R = (0.905, 0.045), 0.02
    HANG = 0.56  # where a hanging fish balances: a string from its back there

    def __init__(self, x: float, y: float, length: float):
        self.x, self.y, self.length = x, y, length

    # -- geometry in fish units
    @classmethod
    def back(cls, u):
        """Return the half-height of the body above the centre line at u (0 outside)."""
        u = np.asarray(u, dtype=float)
        t = np.clip((u - cls.PEDUNCLE) / (1 - cls.PEDUNCLE), 0, 1)
        deepest = cls.RISE / (cls.RISE + cls.FALL)
        peak = deepest ** cls.RISE * (1 - deepest) ** cls.FALL
        neck = cls.NECK * (1 - t) ** 2
        h = neck + (cls.DEPTH - cls.NECK * (1 - deepest) ** 2) * (
            t ** cls.RISE * (1 - t) ** cls.FALL) / peak
        return np.where((u >= cls.PEDUNCLE) & (u <= 1), h, 0.0)

    @classmethod
    def gill(cls, v):
        """Return u of the gill cover's edge at height v: it bulges back toward the tail."""
        h = float(cls.back(cls.GILL))
        return cls.GILL - 0.028 * (1 - np.clip(np.asarray(v) / h, -1, 1) ** 2)

    # The tail fin: four quadratic Bézier curves (start, control, end) in fish units.
    TAIL = (
        ((PEDUNCLE + 0.015, NECK * 0.95), (0.13, 0.1), (0.0, 0.26)),
        ((0.0, 0.26), (0.06, 0.1), (0.06, 0.0)),
        ((0.06, 0.0), (0.06, -0.095), (0.0, -0.245)),
        ((0.0, -0.245), (0.13, -0.09), (PEDUNCLE + 0.015, -NECK * 0.95 * BELLY)),
    )

    @classmethod
    def tail_outline(cls, n: int = 30):
        """Return the tail fin's outline as a polyline (where its text fits is tested on it)."""
        return np.vstack([_bezier(*curve, n) for curve in cls.TAIL])

    @classmethod
    def fins(cls):
        """Return the fins' outlines: two dorsal fins, the anal and pelvic fins, finlets."""
        def on_back(u0, u1, height, tip=0.3, below=False):
            # Three points of the base: it lies under the body, drawn over the fins.
            u = np.linspace(u0, u1, 3)
            sign, scale = (-1, cls.BELLY) if below else (1, 1.0)
            base = np.column_stack([u, sign * scale * cls.back(u) * 0.97])
            top = (u0 + tip * (u1 - u0), sign * (scale * float(cls.back(u0 + tip * (u1 - u0)))
                                                 + height))
            return np.vstack([base[::-1], [top]]) if not below else np.vstack([base, [top]])

        fins = [
            on_back(0.50, 0.62, 0.06, tip=0.25),  # first dorsal fin, spiny
            on_back(0.39, 0.45, 0.04, tip=0.2),  # second dorsal fin
            on_back(0.39, 0.45, 0.035, tip=0.2, below=True),  # anal fin
            on_back(0.63, 0.69, 0.03, tip=0.15, below=True),  # pelvic fin
        ]
        for u0 in np.linspace(0.27, 0.355, 5):  # the mackerel's finlets
            fins.append(on_back(u0, u0 + 0.014, 0.014, tip=0.1))
            fins.append(on_back(u0, u0 + 0.014, 0.012, tip=0.1, below=True))
        return fins

    @classmethod
    def inside(cls, part: str, u, v, pad: float = 0.0):
        """Return where (u, v) lies inside a part, at least pad (fish units) from its edges."""
        u, v = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
        steps = np.array([(0, 0)] if pad == 0 else [
            (0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (0.7, -0.7), (-0.7, 0.7),
            (-0.7, -0.7)]) * pad
        # All the padded positions in one call: the test runs once, not once a step.
        shifted_u = u[None, ...] + steps[:, 0].reshape((-1,) + (1,) * u.ndim)
        shifted_v = v[None, ...] + steps[:, 1].reshape((-1,) + (1,) * v.ndim)
        return cls._inside(part, shifted_u, shifted_v).all(axis=0)

    @classmethod
    def _inside(cls, part, u, v):
        if part == "tail":
            u, v = np.broadcast_arrays(u, v)
            points = np.column_stack([u.ravel(), v.ravel()])
            inside = _tail_path().contains_points(points).reshape(u.shape)
            return inside & (u <= cls.PEDUNCLE)
        h = cls.back(u)
        # The dark band along the back is no place for text.
        in_body = (v <= h * 0.84) & (v >= -cls.BELLY * h)
        if part == "head":
            eye_u, eye_v = cls.EYE
            clear_of_eye = (u - eye_u) ** 2 + (v - eye_v) ** 2 >= (cls.EYE_R * 1.6) ** 2
            clear_of_mouth = u <= 0.955
            return in_body & (u >= cls.gill(v)) & clear_of_eye & clear_of_mouth
        return in_body & (u <= cls.gill(v)) & (u >= 0.29)

    # -- in centimetres
    def points(self, uv) -> np.ndarray:
        uv = np.asarray(uv, dtype=float)
        return np.column_stack([self.x + uv[:, 0] * self.length, self.y + uv[:, 1] * self.length])

    def extent(self, part: str, y_low: float, y_high: float, pad_cm: float):
        """Return the widest (x_left, x_right) in cm free for text in a band of the part.

        The band is taken to the thousandth of a centimetre, relative to the fish: every fish
        of a size shares the answers (a report draws dozens), and each answer is the same
        whichever fish asked first.
        """
        free = _free_band(self.length, part, round(y_low - self.y, 3), round(y_high - self.y, 3),
                          round(pad_cm, 3))
        return None if free is None else (self.x + free[0], self.x + free[1])

    def draw(self, axes, fills=None, detail: bool = True, outline: str = _DARK,
             linewidth: float = 1.0, hatch: dict | None = None, zorder: float = 0) -> None:
        """Draw the fish: tail, body and head (each with its fill), fins, gill, eye, mouth.

        Without detail (a small fish) the finlets, the dark back and the mouth are left out.
        The outlines are smooth curves of a few Bézier segments each: WeasyPrint reads every
        node of a drawing each time it prints it, and a fish drawn as polylines had 1,300.
        """
        from matplotlib.patches import Circle, PathPatch
        from matplotlib.path import Path

        fills = {"tail": _LIGHT, "body": _PALE, "head": _PALE, "fins": _LIGHT,
                 "back": _LIGHT, "eye": _PAPER, **(fills or {})}
        hatch = hatch or {}
        style = dict(edgecolor=outline, linewidth=linewidth, joinstyle="round")
        z = zorder

        def shape(path, **kwargs):
            add_shape(axes, PathPatch(path, **kwargs))

        # All fins in one shape: each shape is a node WeasyPrint styles and draws on its own.
        fins = [self._curves([fin], smooth=False)
                for fin in (self.fins() if detail else self.fins()[:4])]
        shape(Path.make_compound_path(*fins), facecolor=fills["fins"], **style, zorder=z + 1)
        shape(self._quadratics(self.TAIL), facecolor=fills["tail"], hatch=hatch.get("tail"),
              **style, zorder=z + 2)
        body = self._curves(self.body_pieces())
        shape(body, facecolor=fills["body"], hatch=hatch.get("body"), **style, zorder=z + 2)
        shape(self._curves(self.head_pieces()), facecolor=fills["head"],
              hatch=hatch.get("head"), edgecolor=outline if hatch.get("head") else "none",
              linewidth=0, zorder=z + 2.1)
        if detail:
            u = _ends_dense(0.3, 0.99, 12)
            h = self.back(u)
            band = [np.column_stack([u, h]), np.column_stack([u[::-1], 0.86 * h[::-1]])]
            shape(self._curves(band), facecolor=fills["back"], edgecolor="none", zorder=z + 2.2)
        # The outline again over the fills, then the gill cover's edge.
        shape(body, facecolor="none", **style, zorder=z + 2.3)
        h = float(self.back(self.GILL))
        v = np.linspace(h * 0.97, -self.BELLY * h * 0.97, 6)
        shape(self._curves([np.column_stack([self.gill(v), v])], closed=False),
              facecolor="none", edgecolor=outline, linewidth=linewidth, capstyle="round",
              zorder=z + 2.4)
        eye = self.points([self.EYE])[0]
        radius = self.EYE_R * self.length * (1.0 if detail else 1.4)
        add_shape(axes, Circle(eye, radius, facecolor=fills["eye"], edgecolor=outline,
                               linewidth=linewidth * 0.8, zorder=z + 2.5))
        add_shape(axes, Circle(eye, radius * 0.5, facecolor=outline, edgecolor="none",
                               zorder=z + 2.6))
        if detail:
            shape(self._quadratics([((1.0, -0.004), (0.985, -0.012), (0.962, -0.016))],
                                   closed=False),
                  facecolor="none", edgecolor=outline, linewidth=linewidth * 0.9,
                  capstyle="round", zorder=z + 2.5)

    @classmethod
    def body_pieces(cls, n: int = 14) -> list[np.ndarray]:
        """Return the body's outline as two curves: the back to the snout, the belly back."""
        u = _ends_dense(cls.PEDUNCLE, 1, n)
        h = cls.back(u)
        return [np.column_stack([u, h]), np.column_stack([u[::-1], -cls.BELLY * h[::-1]])]

    @classmethod
    def head_pieces(cls, n: int = 8) -> list[np.ndarray]:
        """Return the head's outline as three curves: the gill cover's edge, the belly to the
        snout and the back from it."""
        h = float(cls.back(cls.GILL))
        v = np.linspace(h, -cls.BELLY * h, n)
        u = _ends_dense(cls.GILL, 1, n)
        back = cls.back(u)
        return [np.column_stack([cls.gill(v), v]), np.column_stack([u, -cls.BELLY * back]),
                np.column_stack([u[::-1], back[::-1]])]

    def _curves(self, pieces: list[np.ndarray], closed: bool = True, smooth: bool = True):
        """Return a path in cm through the pieces (fish units), each a smooth curve (or
        straight lines), joined by straight lines."""
        from matplotlib.path import Path

        vertices, codes = [], []
        for piece in pieces:
            points = self.points(piece)
            if not vertices or not np.allclose(vertices[-1], points[0]):
                vertices.append(points[0])
                codes.append(Path.MOVETO if not vertices[:-1] else Path.LINETO)
            if smooth:
                vertices += _hermite_controls(points)
                codes += [Path.CURVE4] * (3 * (len(points) - 1))
            else:
                vertices += list(points[1:])
                codes += [Path.LINETO] * (len(points) - 1)
        if closed:
            vertices.append(vertices[0])
            codes.append(Path.CLOSEPOLY)
        return Path(np.array(vertices), codes)

    def _quadratics(self, curves, closed: bool = True):
        """Return a path in cm of quadratic Bézier curves (start, control, end in fish units),
        each starting where the last ended."""
        from matplotlib.path import Path

        vertices, codes = [], []
        for start, control, end in curves:
            if not vertices:
                vertices.append(self.points([start])[0])
                codes.append(Path.MOVETO)
            vertices += list(self.points([control, end]))
            codes += [Path.CURVE3, Path.CURVE3]
        if closed:
            vertices.append(vertices[0])
            codes.append(Path.CLOSEPOLY)
        return Path(np.array(vertices), codes)

    def top(self) -> float:
        """Return the y of the fish's back (cm) where a string holds it."""
        return self.y + float(self.back(self.HANG)) * self.length

    def bottom(self) -> float:
        """Return the y of the belly (cm) below the point where the fish hangs."""
        return self.y - self.BELLY * float(self.back(self.HANG)) * self.length

    def hang_x(self) -> float:
        return self.x + self.HANG * self.length

def _bezier(p0, p1, p2, n: int = 30) -> np.ndarray:
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(p1) + t ** 2 * np.array(p2)


@functools.lru_cache(maxsize=4096)
def _free_band(length: float, part: str, low: float, high: float, pad_cm: float):
    """Return the longest run (left, right), in cm from the tail tip, free for text in the part
    between heights low and high (cm from the centre line) of a fish `length` cm long."""
    u = np.linspace(0, 1, int(length / 0.04) + 1)
    ok = np.ones_like(u, dtype=bool)
    for y in np.linspace(low, high, 3):
        ok &= _FishShape.inside(part, u, y / length, pad_cm / length)
    if not ok.any():
        return None
    edges = np.diff(np.concatenate([[0], ok.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    best = int(np.argmax(ends - starts))
    return (float(u[starts[best]] * length), float(u[ends[best]] * length))


def _ends_dense(start: float, stop: float, n: int) -> np.ndarray:
    """Return n points from start to stop, closer together near both ends (where a fish's
    outline turns fastest: the snout, the tail's root)."""
    return start + (stop - start) * (1 - np.cos(np.linspace(0, np.pi, n))) / 2


def _hermite_controls(points: np.ndarray) -> list:
    """Return the control and end points of cubic Bézier segments through `points`: each a
    Hermite curve with the tangents of the polyline (chord-length differences)."""
    steps = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    tangents = np.gradient(points, along, axis=0)
    controls = []
    for i, step in enumerate(steps):
        controls += [points[i] + tangents[i] * step / 3, points[i + 1] - tangents[i + 1] * step / 3,
                     points[i + 1]]
    return controls


_TAIL_PATH = None


def _tail_path():
    global _TAIL_PATH
    if _TAIL_PATH is None:
        from matplotlib.path import Path

        _TAIL_PATH = Path(_FishShape.tail_outline(), closed=False)
    return _TAIL_PATH


@dataclass
class _Paragraph:
    text: str
    size: float  # relative to the part's font size
    weight: str = "normal"
    color: str = _INK
    bullet: bool = False
    max_lines: int | None = 3
    must_fit: bool = False  # never shortened with "…": the layout fails instead


@dataclass
class _PlacedLine:
    text: str
    x: float
    y: float
    size: float
    weight: str
    color: str


def _part_paragraphs(part: str, items: list[str], shown: int, extra: str,
                     numerals: str) -> list[_Paragraph]:
    paragraphs = [_Paragraph(PART_HEADINGS[part], 1.1, "bold", max_lines=2, must_fit=True)]
    if not items:
        paragraphs.append(_Paragraph(NOTHING_YET, 1.0, color=_DARK, max_lines=2,
                                     must_fit=True))
    for item in items[:shown]:
        # An item is whole or not shown (then counted): never cut.
        paragraphs.append(_Paragraph(item, 1.0, bullet=True, max_lines=None, must_fit=True))
    if len(items) > shown:
        paragraphs.append(_Paragraph(_more(len(items) - shown, numerals), 1.0, color=_DARK,
                                     max_lines=2, must_fit=True))
    for line in extra.splitlines():
        if line.strip():
            paragraphs.append(_Paragraph(line, 1.0, color=_DARK, max_lines=2))
    return paragraphs


# A part with at most this many items shows them all, in full: no "…", no "และอีก".
IN_FULL = 3
FISH_SIZES = (10.0, 9.5, 9.0)  # points: the part's text at print size, largest that fits


def _fill_part(shape: _FishShape, part: str, items: list[str], extra: str, numerals: str,
               sizes=FISH_SIZES, pad_cm: float = 0.16) -> list[_PlacedLine]:
    """Return the part's text laid out inside it: biggest size first, then fewer items.

    Up to IN_FULL items are all shown in full (the lines of `extra` give way first); beyond
    that, as many items as fit, each in full, and the rest counted ("และอีก N รายการ"): an item
    is never cut, so the drawing and the table list the same words.
    """
    items = [_drawable(item, numerals) for item in items]
    extra = _drawable(extra, numerals)
    centre = {"head": shape.y - 0.02 * shape.length, "body": shape.y, "tail": shape.y}[part]
    if len(items) <= IN_FULL:
        for extra_shown in ((extra, "") if extra.strip() else (extra,)):
            for size in sizes:
                paragraphs = _part_paragraphs(part, items, len(items), extra_shown, numerals)
                placed = _layout_in(shape, part, paragraphs, size, centre, pad_cm)
                if placed is not None:
                    return placed
        # Too long for the part's outline: all of it on a card pinned over the part.
        return _card(shape, part, _part_paragraphs(part, items, len(items), "", numerals),
                     sizes[-1], centre)
    first_shown = min(len(items), FISH_ITEMS)
    # More items first, at the largest size that fits.
    for shown in range(first_shown, -1, -1):
        for size in sizes:
            paragraphs = _part_paragraphs(part, items, shown, extra, numerals)
            placed = _layout_in(shape, part, paragraphs, size, centre, pad_cm)
            if placed is not None:
                return placed
    # Nothing fits (a tiny fish): the heading alone, as small as allowed.
    return _layout_in(shape, part, _part_paragraphs(part, [], 0, "", numerals)[:1], sizes[-1],
                      centre, pad_cm) or []


_CARD_WIDTH_CM = {"head": 3.6, "body": 6.0, "tail": 3.6}


def _card(shape, part, paragraphs, size, centre) -> list[_PlacedLine]:
    """Return the paragraphs' lines centred on a card over the part, the card first (its text
    "", x and y its centre, size its width and weight its height, in cm)."""
    width = _CARD_WIDTH_CM[part]
    line_cm = size * 1.42 / 72 * 2.54
    x = {"head": shape.x + 0.83 * shape.length, "body": shape.x + 0.5 * shape.length,
         "tail": shape.x + 0.13 * shape.length}[part]
    lines = []
    for paragraph in paragraphs:
        text = ("• " if paragraph.bullet else "") + paragraph.text
        for line in _wrap(text, lambda _: (width - 0.3) / 2.54 * 72, size * paragraph.size,
                          paragraph.weight):
            lines.append((line, size * paragraph.size, paragraph.weight, paragraph.color))
    top = centre + len(lines) * line_cm / 2
    placed = [_PlacedLine("", x, centre, width, str(len(lines) * line_cm + 0.3), _INK)]
    placed += [_PlacedLine(text, x, top - (k + 0.5) * line_cm, fontsize, weight, color)
               for k, (text, fontsize, weight, color) in enumerate(lines)]
    return placed


def _layout_in(shape, part, paragraphs, size, centre, pad_cm):
    """Return the paragraphs' lines centred in the part around `centre`, or None if they
    do not fit."""
    line_cm = size * 1.42 / 72 * 2.54
    gap_cm = line_cm * 0.35
    nominal = shape.extent(part, centre - line_cm / 2, centre + line_cm / 2, pad_cm)
    if nominal is None:
        return None
    top = centre + line_cm * len(paragraphs) / 2
    seen = set()
    while True:
        placed, bottom, fits = _layout_from(shape, part, paragraphs, size, top, line_cm,
                                            gap_cm, pad_cm, nominal)
        if placed is None:
            return None
        # Centre the block; stop when centred, or when the line count starts to oscillate.
        new_top = round(centre + (top - bottom) / 2, 4)
        if new_top == round(top, 4) or new_top in seen:
            return placed if fits else None
        seen.add(new_top)
        top = new_top


def _layout_from(shape, part, paragraphs, size, top, line_cm, gap_cm, pad_cm, nominal):
    """Lay the paragraphs out from `top` down: return (lines, bottom, all inside the part).

    Lines that fall outside the part are measured at the nominal width, so that the height of
    the block is known even before it is centred; lines is None when a paragraph cannot fit.
    """
    placed: list[_PlacedLine] = []
    fits = True
    y = top
    for index, paragraph in enumerate(paragraphs):
        if index:
            y -= gap_cm if paragraph.weight != "bold" else gap_cm * 2
        fontsize = size * paragraph.size
        text = ("• " if paragraph.bullet else "") + paragraph.text
        extents: dict[int, tuple | None] = {}

        def width_of_line(k, y0=y, extents=extents):
            centre_y = y0 - (k + 0.5) * line_cm
            extent = shape.extent(part, centre_y - line_cm * 0.42, centre_y + line_cm * 0.48,
                                  pad_cm)
            extents[k] = extent
            extent = extent or nominal
            return (extent[1] - extent[0]) / 2.54 * 72

        lines = _wrap(text, width_of_line, fontsize, paragraph.weight,
                      None if paragraph.must_fit else paragraph.max_lines)
        if paragraph.must_fit and len(lines) > (paragraph.max_lines or len(lines)):
            return None, 0, False
        for k, line in enumerate(lines):
            extent = extents.get(k)
            if extent is None:
                fits, extent = False, nominal
            width = text_width(line, fontsize, paragraph.weight) / 72 * 2.54
            if width > extent[1] - extent[0] + 0.02:
                fits = False
            placed.append(_PlacedLine(line, (extent[0] + extent[1]) / 2,
                                      y - (k + 0.5) * line_cm, fontsize, paragraph.weight,
                                      paragraph.color))
        y -= len(lines) * line_cm
    return placed, y, fits


def _draw_lines(axes, lines: list[_PlacedLine]) -> None:
    from matplotlib.patches import FancyBboxPatch

    for line in lines:
        if not line.text:  # a card (see _card): white, outlined, under its lines
            width, height = line.size, float(line.weight)
            add_shape(axes, FancyBboxPatch((line.x - width / 2, line.y - height / 2), width,
                                          height, boxstyle="round,pad=0,rounding_size=0.15",
                                          facecolor=_PAPER, edgecolor=_DARK, linewidth=0.8,
                                          zorder=4.5))
            continue
        axes.text(line.x, line.y, line.text, ha="center", va="center_baseline",
                  fontsize=line.size, fontweight=line.weight, color=line.color,
                  parse_math=False, zorder=5)


def fish(
    title: str,
    head: list[str],
    body: list[str],
    tail: list[str],
    activity: str = "",
    numerals: str = "arabic",
) -> Figure:
    """Return one group's fish (โมเดลปลาทู), 16 × 10 cm: two fit on an A4 page.

    The head holds the goals (`head`), the body the knowledge sharing (`body`, then the lines of
    `activity` beneath: e.g. the count and dates of sessions and visits), the tail the knowledge
    assets (`tail`). A part's text is 9-10 pt; up to three items are shown in full, more up to 8
    a part as long as they fit, each in full; the rest are counted, "และอีก N รายการ".
    `kmtools.group_fish(...)` gives these arguments.
    """
    with thai_style():
        figure = Figure(figsize=(WIDTH_CM / 2.54, FISH_HEIGHT_CM / 2.54))
        axes = _cm_axes(figure, WIDTH_CM, FISH_HEIGHT_CM)
        shape = _FishShape(x=0.3, y=4.45, length=15.4)
        shape.draw(axes, fills={"tail": _PALE, "body": _PAPER, "head": _PALE})
        for part, items, extra in (("head", head, ""), ("body", body, activity),
                                   ("tail", tail, "")):
            _draw_lines(axes, _fill_part(shape, part, list(items), extra, numerals))
        title_lines = _wrap(_drawable(title, numerals), lambda _: (WIDTH_CM - 0.6) / 2.54 * 72,
                            10.5, "bold", max_lines=1)
        if title_lines:
            axes.text(0.3, FISH_HEIGHT_CM - 0.45, title_lines[0], ha="left", va="center_baseline",
                      fontsize=10.5, fontweight="bold", color=_INK, parse_math=False)
        return figure
