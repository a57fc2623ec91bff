"""Charts in the report's Thai style: Sarabun, grey-safe (markers and hatching, not colour alone).

Figures are built with matplotlib's object API (no pyplot state), so a notebook shows exactly
the figures a function returns, and `Svg(figure)` gives the vector image the PDF embeds.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from . import thai

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


def use_thai_style() -> None:
    """Register Sarabun with matplotlib (once) and apply the report's style globally."""
    _register_sarabun()
    matplotlib.rcParams.update(STYLE)


@contextmanager
def thai_style() -> Iterator[None]:
    """Apply the report's style for the duration of a block."""
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


def visits_over_time(progress: pd.DataFrame, as_of, numerals: str = "arabic") -> Figure:
    """Return a step chart of visits planned vs done, cumulated, with the as-of date marked.

    `progress` is `metrics.visits_over_time(...)`: a date index with the columns
    planned_cumulative and done_cumulative.
    """
    with thai_style():
        figure = new_figure(6.5)
        axes = figure.add_subplot()
        if progress.empty:
            _say_nothing_to_draw(axes, "ยังไม่มีแผนลงพื้นที่")
            return figure
        # Markers only where a count changes: a daily series would bury the steps in dots.
        changed = progress.diff().ne(0).any(axis=1)
        changed.iloc[[0, -1]] = True
        steps = progress[changed]
        dates = steps.index
        axes.step(dates, steps["planned_cumulative"], where="post", linestyle="--",
                  marker="o", markersize=4, color="#777777", label="ตามแผน (สะสม)")
        axes.step(dates, steps["done_cumulative"], where="post", linestyle="-",
                  marker="s", markersize=4, color="#111111", label="ลงพื้นที่แล้ว (สะสม)")
        as_of = pd.Timestamp(as_of)
        axes.axvline(as_of, color="#444444", linewidth=0.8, linestyle=":")
        # The label goes on the side of the line with more room, so it never meets an axis.
        first, last = progress.index.min(), progress.index.max()
        in_left_half = last == first or (as_of - first) / (last - first) < 0.5
        axes.annotate(f"ณ {thai.format_date(as_of, numerals=numerals)}", (as_of, 1.0),
                      xycoords=("data", "axes fraction"), ha="left" if in_left_half else "right",
                      va="top", fontsize=8, xytext=(3 if in_left_half else -3, 0),
                      textcoords="offset points")
        axes.set_ylabel("จำนวนครั้ง")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylim(bottom=0)
        ticks = _date_ticks(progress.index)
        axes.set_xticks(ticks, [thai.format_date(t, numerals=numerals) for t in ticks])
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        return figure


def _date_ticks(dates: pd.DatetimeIndex, most: int = 6) -> list[pd.Timestamp]:
    """Return up to `most` evenly spread dates of the range, for readable Thai date labels."""
    start, end = dates.min(), dates.max()
    if start == end:
        return [start]
    return list(pd.date_range(start, end, periods=min(most, len(dates))).normalize().unique())


def coverage_bars(coverage: dict[str, float], numerals: str = "arabic") -> Figure:
    """Return horizontal bars of shares (0-1) by Thai label, hatched so they read in grey."""
    with thai_style():
        figure = new_figure(1.2 + 0.75 * len(coverage))
        axes = figure.add_subplot()
        labels = list(coverage)[::-1]
        values = [coverage[label] for label in labels]
        hatches = ["///", "...", "xxx", "\\\\\\"]
        bars = axes.barh(labels, values, color="white", edgecolor="#222222")
        for bar, hatch in zip(bars, hatches * len(bars)):
            bar.set_hatch(hatch)
        for bar, value in zip(bars, values):
            axes.text(min(value, 1.0) + 0.01, bar.get_y() + bar.get_height() / 2,
                      thai.format_number(round(value * 100), numerals=numerals) + "%",
                      va="center", fontsize=9)
        axes.set_xlim(0, 1.12)
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0],
                        [thai.format_number(v, numerals=numerals) + "%" for v in (0, 25, 50, 75, 100)])
        return figure


def coverage_by_tambon(progress: pd.DataFrame, numerals: str = "arabic") -> Figure:
    """Return paired bars per tambon: groups visited and groups with a whole fish (head+tail).

    `progress` is `metrics.province_progress(...)` (columns name_th, visit_coverage,
    fish_coverage), already ordered and cut to the tambons to show.
    """
    with thai_style():
        figure = new_figure(1.6 + 0.55 * max(len(progress), 1))
        axes = figure.add_subplot()
        if progress.empty:
            _say_nothing_to_draw(axes, "ยังไม่มีตำบลในบันทึก")
            return figure
        rows = progress.iloc[::-1]
        positions = range(len(rows))
        height = 0.38
        visited = axes.barh([p + height / 2 for p in positions], rows["visit_coverage"],
                            height=height, color="#333333", label="กลุ่มที่ลงพื้นที่แล้ว")
        whole = axes.barh([p - height / 2 for p in positions], rows["fish_coverage"],
                          height=height, color="white", edgecolor="#333333", hatch="///",
                          label="กลุ่มที่มีทั้งหัวและหางปลา")
        for bars in (visited, whole):
            for bar in bars:
                value = bar.get_width()
                axes.text(value + 0.01, bar.get_y() + bar.get_height() / 2,
                          thai.format_number(round(value * 100), numerals=numerals) + "%",
                          va="center", fontsize=8)
        axes.set_yticks(list(positions), [f"ตำบล{name}" for name in rows["name_th"]])
        axes.set_xlim(0, 1.15)
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0],
                        [thai.format_number(v, numerals=numerals) + "%" for v in (0, 25, 50, 75, 100)])
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        return figure


# ---------------------------------------------------------------------------------------------
# Thai text in a given width: Thai has no spaces between words, so lines break by measured
# width at syllable-like boundaries, and never between a combining mark and its base.

_THAI_MARKS = frozenset("\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B)))
                        + "".join(map(chr, range(0x0E47, 0x0E4F))))
_LEADING_VOWELS = frozenset("เแโใไ")
_FOLLOWING_VOWELS = frozenset("ะาำๅ")
_NO_BREAK_BEFORE = frozenset("ๆฯ)]}»”’,.:;!?%") | _FOLLOWING_VOWELS
_NO_BREAK_AFTER = frozenset("([{«“‘") | _LEADING_VOWELS
# กร, กล, กว, ปร, ตร ...: two consonants that begin one syllable.
_CLUSTER_FIRSTS = frozenset("กขคตปพผบดทจซศส")
_CLUSTER_SECONDS = frozenset("รลว")
_THANTHAKHAT = "\u0e4c"

# Break qualities: where a line may end, best first.
_AT_SPACE, _AT_SYLLABLE, _AT_CLUSTER, _LAST_RESORT, _NEVER = 3, 2, 1, 0.5, 0


def _is_mark(char: str) -> bool:
    return char in _THAI_MARKS or unicodedata.combining(char) != 0 or (
        unicodedata.category(char) in ("Mn", "Me", "Mc"))


def _is_thai_consonant(char: str) -> bool:
    return "\u0e01" <= char <= "\u0e2e"


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def break_qualities(text: str) -> list[float]:
    """Return, for each position i of `text`, how good a line break before text[i] is.

    3 after a space; 2 at a likely Thai syllable start (a leading vowel, a consonant carrying a
    vowel or tone mark, the first of two consonants that begin a syllable) or between Thai and
    other scripts; 1 at any other cluster boundary; 0.5 where only an overlong word may break
    (after a leading vowel, before a following vowel or closing punctuation, inside a Latin word
    or a number); 0 never (before a combining mark, at position 0, inside spaces).
    """
    n = len(text)
    qualities = [_NEVER] * n
    for i in range(1, n):
        char, before = text[i], text[i - 1]
        if char.isspace() or _is_mark(char):
            continue
        if before.isspace():
            qualities[i] = _AT_SPACE
        elif char in _NO_BREAK_BEFORE or before in _NO_BREAK_AFTER:
            qualities[i] = _LAST_RESORT
        elif _is_thai(char) and _is_thai(before):
            qualities[i] = _thai_break_quality(text, i)
        elif _is_thai(char) != _is_thai(before):
            qualities[i] = _AT_SYLLABLE
        elif char.isalnum() and before.isalnum():
            qualities[i] = _LAST_RESORT
        else:
            qualities[i] = _AT_CLUSTER
    return qualities


def _cluster_end(text: str, i: int) -> int:
    """Return the index after the cluster starting at i (the base and its marks)."""
    j = i + 1
    while j < len(text) and _is_mark(text[j]):
        j += 1
    return j


def _carries_vowel(text: str, i: int) -> bool:
    """Return whether the consonant at i has a vowel or tone mark (or a following vowel)."""
    end = _cluster_end(text, i)
    marks = set(text[i + 1:end]) - {_THANTHAKHAT}
    return bool(marks) or (end < len(text) and text[end] in _FOLLOWING_VOWELS)


def _thai_break_quality(text: str, i: int) -> float:
    char = text[i]
    if char in _LEADING_VOWELS:
        return _AT_SYLLABLE
    if not _is_thai_consonant(char):
        return _AT_CLUSTER
    end = _cluster_end(text, i)
    if _THANTHAKHAT in text[i:end]:
        return _LAST_RESORT  # a silenced consonant belongs to the syllable before it
    before = text[i - 1]
    if _carries_vowel(text, i):
        onset_before = before in _CLUSTER_FIRSTS and (
            i < 2 or not (_is_mark(text[i - 2]) or text[i - 2] in _FOLLOWING_VOWELS))
        if char in _CLUSTER_SECONDS and onset_before:
            return _AT_CLUSTER  # กล, กร, กว ... : the syllable began one consonant earlier
        return _AT_SYLLABLE
    # A bare consonant after a vowel or tone mark most likely closes that syllable.
    if _is_mark(before) or before in "าๅ":
        return _AT_CLUSTER
    end = _cluster_end(text, i)
    if (char in _CLUSTER_FIRSTS and end < len(text) and text[end] in _CLUSTER_SECONDS
            and _carries_vowel(text, end)):
        return _AT_SYLLABLE  # this consonant and the next begin a syllable together
    return _AT_CLUSTER  # e.g. ตำ|บล, ระ|บบ: a syllable break, but inside a word


def _char_widths(text: str, fontsize: float, weight: str) -> list[float]:
    return [_char_width(char, fontsize, weight) for char in text]


_WIDTHS: dict[tuple[str, float, str], float] = {}


def _char_width(char: str, fontsize: float, weight: str) -> float:
    """Return the advance of one character in points (combining marks: 0)."""
    key = (char, fontsize, weight)
    if key not in _WIDTHS:
        _WIDTHS[key] = text_width(char, fontsize, weight) if not _is_mark(char) else 0.0
    return _WIDTHS[key]


def text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Return the width of `text` in points, set in Sarabun at `fontsize`."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    _register_sarabun()
    properties = FontProperties(family="Sarabun", size=fontsize, weight=weight)
    width, _, _ = text_to_path.get_text_width_height_descent(text, properties, ismath=False)
    return width


def wrap_thai(
    text: str,
    width_cm: float,
    fontsize: float = 8.0,
    weight: str = "normal",
    max_lines: int | None = None,
) -> list[str]:
    """Return `text` broken into lines no wider than width_cm, set in Sarabun at fontsize.

    Lines break at a space when one falls past 40% of the line, else at a likely Thai
    syllable start past half the line, else at any cluster boundary: never between a combining mark
    (U+0E31, U+0E34-U+0E3A, U+0E47-U+0E4E) and its base. A word wider than the whole line
    breaks where it must. With max_lines, the last line kept ends in "…" when text is cut.
    """
    width_pt = width_cm / 2.54 * 72
    return _wrap(text, lambda _: width_pt, fontsize, weight, max_lines)


def _wrap(text, width_of_line, fontsize, weight, max_lines=None) -> list[str]:
    """Return text's lines, line k no wider than width_of_line(k) points."""
    text = " ".join(str(text).split())
    if not text:
        return []
    qualities = break_qualities(text)
    prefix = [0.0]
    for width in _char_widths(text, fontsize, weight):
        prefix.append(prefix[-1] + width)
    starts: list[int] = []
    start, n = 0, len(text)
    while start < n:
        starts.append(start)
        end = _line_end(text, start, width_of_line(len(starts) - 1), qualities, prefix)
        start = end
        while start < n and text[start].isspace():
            start += 1
        if max_lines is not None and len(starts) == max_lines and start < n:
            line = text[starts[-1]:end].rstrip()
            lines = [text[a:b].rstrip() for a, b in zip(starts, starts[1:] + [end])]
            lines[-1] = _ellipsised(line, width_of_line(len(starts) - 1), fontsize, weight)
            return lines
    if len(starts) >= 2:
        starts[-1] = _balanced_break(text, starts[-2], starts[-1], width_of_line(len(starts) - 2),
                                     width_of_line(len(starts) - 1), qualities, prefix)
    return [text[a:b].strip() for a, b in zip(starts, starts[1:] + [n])]


def _balanced_break(text, first, second, width1, width2, qualities, prefix) -> int:
    """Return where the last line should start so that it is not a short orphan.

    The greedy break stays when the last line fills a third of its width or more; otherwise
    the break moves to the space or syllable break (else any break) at which both lines fit
    and their widths are closest.
    """
    n = len(text)

    def used(a, b):
        while b > a and text[b - 1].isspace():
            b -= 1
        return prefix[b] - prefix[a]

    if used(second, n) >= width2 / 3:
        return second
    fitting = [i for i in range(first + 1, n) if qualities[i] > _LAST_RESORT
               and used(first, i) <= width1 + 1e-6 and used(i, n) <= width2 + 1e-6]
    if not fitting:
        return second
    good = [i for i in fitting if qualities[i] >= _AT_SYLLABLE] or fitting
    # The most even pair of lines, a space counting as a quarter of a line evener.
    return min(good, key=lambda i: abs(used(first, i) - used(i, n))
               - (width2 / 4 if qualities[i] >= _AT_SPACE else 0))


def _line_end(text, start, width, qualities, prefix) -> int:
    """Return where the line starting at `start` ends (the index the next line starts at)."""
    n = len(text)

    def fits(end):
        stripped = end
        while stripped > start and text[stripped - 1].isspace():
            stripped -= 1
        return prefix[stripped] - prefix[start] <= width + 1e-6

    if fits(n):
        return n
    candidates = [i for i in range(start + 1, n) if qualities[i] > _NEVER and fits(i)]
    if not candidates:
        # Not even one cluster fits: the first cluster goes alone rather than being cut.
        i = start + 1
        while i < n and qualities[i] == _NEVER:
            i += 1
        return i

    def used(end):
        return prefix[end] - prefix[start]

    for quality, share in ((_AT_SPACE, 0.4), (_AT_SYLLABLE, 0.5), (_AT_CLUSTER, 0.0)):
        good = [i for i in candidates if qualities[i] >= quality and used(i) >= share * width]
        if good:
            return max(good)
    return max(candidates)


def _ellipsised(line: str, width: float, fontsize: float, weight: str) -> str:
    """Return line shortened at a break so that it ends in "…" within width."""
    ellipsis = _char_width("…", fontsize, weight)
    widths = _char_widths(line, fontsize, weight)
    if sum(widths) + ellipsis <= width:
        return line + "…"
    qualities = break_qualities(line)
    for end in range(len(line) - 1, 0, -1):
        if qualities[end] > _NEVER and sum(widths[:end]) + ellipsis <= width:
            return line[:end].rstrip() + "…"
    return line + "…"


# ---------------------------------------------------------------------------------------------
# The fish model (โมเดลปลาทู): a mackerel seen from the side, swimming right. Its head holds the
# group's goals, its body the sharing, its tail the knowledge assets.

FISH_ITEMS = 8  # items shown a part; the rest are counted
FISH_HEIGHT_CM = 10.0  # and WIDTH_CM wide: two fish fit on an A4 page
PART_HEADINGS = {
    "head": "หัวปลา: เป้าหมาย",
    "body": "ตัวปลา: การแลกเปลี่ยนเรียนรู้",
    "tail": "หางปลา: ขุมความรู้",
}
NOTHING_YET = "ยังไม่ได้บันทึก"

# Greys that stay apart on a grey-scale printer.
_INK, _DARK, _MID, _LIGHT, _PALE, _PAPER = "#111111", "#444444", "#8c8c8c", "#cfcfcf", "#ececec", "#ffffff"


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
        self._extents: dict = {}

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

    @classmethod
    def body_outline(cls, n: int = 160):
        u = np.linspace(cls.PEDUNCLE, 1, n)
        h = cls.back(u)
        return np.vstack([np.column_stack([u, h]),
                          np.column_stack([u[::-1], -cls.BELLY * h[::-1]])])

    @classmethod
    def tail_outline(cls):
        p, neck = cls.PEDUNCLE + 0.015, cls.NECK * 0.95
        return np.vstack([
            _bezier((p, neck), (0.13, 0.1), (0.0, 0.26)),
            _bezier((0.0, 0.26), (0.06, 0.1), (0.06, 0.0)),
            _bezier((0.06, 0.0), (0.06, -0.095), (0.0, -0.245)),
            _bezier((0.0, -0.245), (0.13, -0.09), (p, -neck * cls.BELLY)),
        ])

    @classmethod
    def fins(cls):
        """Return the fins' outlines: two dorsal fins, the anal and pelvic fins, finlets."""
        def on_back(u0, u1, height, tip=0.3, below=False):
            u = np.linspace(u0, u1, 12)
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
        """Return the widest (x_left, x_right) in cm free for text in a band of the part."""
        key = (part, round(y_low, 3), round(y_high, 3), round(pad_cm, 3))
        if key not in self._extents:
            self._extents[key] = self._extent(part, y_low, y_high, pad_cm)
        return self._extents[key]

    def _extent(self, part: str, y_low: float, y_high: float, pad_cm: float):
        u = np.linspace(0, 1, int(self.length / 0.04) + 1)
        ok = np.ones_like(u, dtype=bool)
        for y in np.linspace(y_low, y_high, 3):
            ok &= self.inside(part, u, (y - self.y) / self.length, pad_cm / self.length)
        if not ok.any():
            return None
        # The longest run of free samples.
        edges = np.diff(np.concatenate([[0], ok.astype(int), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
        best = int(np.argmax(ends - starts))
        return (self.x + u[starts[best]] * self.length, self.x + u[ends[best]] * self.length)

    def draw(self, axes, fills=None, detail: bool = True, outline: str = _DARK,
             linewidth: float = 1.0, hatch: dict | None = None, zorder: float = 0) -> None:
        """Draw the fish: tail, body and head (each with its fill), fins, gill, eye, mouth.

        Without detail (a small fish) the finlets, the dark back and the mouth are left out.
        """
        from matplotlib.patches import Circle, Polygon

        fills = {"tail": _LIGHT, "body": _PALE, "head": _PALE, "fins": _LIGHT,
                 "back": _LIGHT, "eye": _PAPER, **(fills or {})}
        hatch = hatch or {}
        style = dict(edgecolor=outline, linewidth=linewidth, joinstyle="round")
        z = zorder
        for fin in self.fins() if detail else self.fins()[:4]:
            axes.add_patch(Polygon(self.points(fin), closed=True, facecolor=fills["fins"],
                                   **style, zorder=z + 1))
        axes.add_patch(Polygon(self.points(self.tail_outline()), closed=True,
                               facecolor=fills["tail"], hatch=hatch.get("tail"), **style,
                               zorder=z + 2))
        body = self.body_outline()
        axes.add_patch(Polygon(self.points(body), closed=True, facecolor=fills["body"],
                               hatch=hatch.get("body"), **style, zorder=z + 2))
        axes.add_patch(Polygon(self.points(self._head_outline()), closed=True,
                               facecolor=fills["head"], hatch=hatch.get("head"),
                               edgecolor=outline if hatch.get("head") else "none",
                               linewidth=0, zorder=z + 2.1))
        if detail:
            u = np.linspace(0.3, 0.99, 80)
            h = self.back(u)
            band = np.vstack([np.column_stack([u, h]), np.column_stack([u[::-1], 0.86 * h[::-1]])])
            axes.add_patch(Polygon(self.points(band), closed=True, facecolor=fills["back"],
                                   edgecolor="none", zorder=z + 2.2))
        # The outline again over the fills, then the gill cover's edge.
        axes.add_patch(Polygon(self.points(body), closed=True, facecolor="none", **style,
                               zorder=z + 2.3))
        h = float(self.back(self.GILL))
        v = np.linspace(h * 0.97, -self.BELLY * h * 0.97, 40)
        gill = self.points(np.column_stack([self.gill(v), v]))
        axes.plot(gill[:, 0], gill[:, 1], color=outline, linewidth=linewidth, zorder=z + 2.4,
                  solid_capstyle="round")
        eye = self.points([self.EYE])[0]
        radius = self.EYE_R * self.length * (1.0 if detail else 1.4)
        axes.add_patch(Circle(eye, radius, facecolor=fills["eye"], edgecolor=outline,
                              linewidth=linewidth * 0.8, zorder=z + 2.5))
        axes.add_patch(Circle(eye, radius * 0.5, facecolor=outline, edgecolor="none",
                              zorder=z + 2.6))
        if detail:
            mouth = self.points(_bezier((1.0, -0.004), (0.985, -0.012), (0.962, -0.016), 12))
            axes.plot(mouth[:, 0], mouth[:, 1], color=outline, linewidth=linewidth * 0.9,
                      zorder=z + 2.5, solid_capstyle="round")

    def top(self) -> float:
        """Return the y of the fish's back (cm) where a string holds it."""
        return self.y + float(self.back(self.HANG)) * self.length

    def bottom(self) -> float:
        """Return the y of the belly (cm) below the point where the fish hangs."""
        return self.y - self.BELLY * float(self.back(self.HANG)) * self.length

    def hang_x(self) -> float:
        return self.x + self.HANG * self.length

    def _head_outline(self):
        h = float(self.back(self.GILL))
        v = np.linspace(h, -self.BELLY * h, 40)
        gill = np.column_stack([self.gill(v), v])
        u = np.linspace(self.GILL, 1, 60)
        back = self.back(u)
        return np.vstack([gill, np.column_stack([u, -self.BELLY * back]),
                          np.column_stack([u[::-1], back[::-1]])])


def _bezier(p0, p1, p2, n: int = 30) -> np.ndarray:
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(p1) + t ** 2 * np.array(p2)


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
                     numerals: str, item_lines: int | None = 3) -> list[_Paragraph]:
    paragraphs = [_Paragraph(PART_HEADINGS[part], 1.1, "bold", max_lines=2, must_fit=True)]
    if not items:
        paragraphs.append(_Paragraph(NOTHING_YET, 1.0, color=_DARK, max_lines=2,
                                     must_fit=True))
    for item in items[:shown]:
        paragraphs.append(_Paragraph(item, 1.0, bullet=True, max_lines=item_lines))
    if len(items) > shown:
        paragraphs.append(_Paragraph(_more(len(items) - shown, numerals), 0.95, color=_DARK,
                                     max_lines=2, must_fit=True))
    for line in extra.splitlines():
        if line.strip():
            paragraphs.append(_Paragraph(line, 0.92, color=_DARK, max_lines=2))
    return paragraphs


def _fill_part(shape: _FishShape, part: str, items: list[str], extra: str, numerals: str,
               sizes=(8.0, 7.5, 7.0, 6.5), pad_cm: float = 0.16) -> list[_PlacedLine]:
    """Return the part's text laid out inside it: biggest size first, then fewer items."""
    items = [_drawable(item) for item in items]
    extra = _drawable(extra)
    centre = {"head": shape.y - 0.02 * shape.length, "body": shape.y, "tail": shape.y}[part]
    first_shown = min(len(items), FISH_ITEMS)
    # More items first; for as many items, whole items (at any size) before shortened ones.
    for shown in range(first_shown, -1, -1):
        for item_lines in (None, 3):
            for size in sizes:
                paragraphs = _part_paragraphs(part, items, shown, extra, numerals, item_lines)
                placed = _layout_in(shape, part, paragraphs, size, centre, pad_cm)
                if placed is not None:
                    return placed
    # Nothing fits (a tiny fish): the heading alone, as small as allowed.
    return _layout_in(shape, part, _part_paragraphs(part, [], 0, "", numerals)[:1], sizes[-1],
                      centre, pad_cm) or []


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


def _drawable(text: str) -> str:
    """Return text with the characters Sarabun cannot draw replaced by "?" (no tofu boxes)."""
    text = str(text)
    missing = thai.uncovered_characters(text)
    for char in missing:
        text = text.replace(char, "?")
    return text


def _cm_axes(figure: Figure, width_cm: float, height_cm: float):
    """Return axes filling the figure whose data units are centimetres, equal in x and y."""
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width_cm)
    axes.set_ylim(0, height_cm)
    axes.set_axis_off()
    return axes


def _draw_lines(axes, lines: list[_PlacedLine]) -> None:
    for line in lines:
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
    assets (`tail`). Up to 8 items a part, each wrapped to at most three lines; beyond that, or
    when a part is full, "และอีก N รายการ". `kmtools.group_fish(...)` gives these arguments.
    """
    with thai_style():
        figure = Figure(figsize=(WIDTH_CM / 2.54, FISH_HEIGHT_CM / 2.54))
        axes = _cm_axes(figure, WIDTH_CM, FISH_HEIGHT_CM)
        shape = _FishShape(x=0.3, y=4.45, length=15.4)
        shape.draw(axes, fills={"tail": _PALE, "body": _PAPER, "head": _PALE})
        for part, items, extra in (("head", head, ""), ("body", body, activity),
                                   ("tail", tail, "")):
            _draw_lines(axes, _fill_part(shape, part, list(items), extra, numerals))
        title_lines = _wrap(_drawable(title), lambda _: (WIDTH_CM - 0.6) / 2.54 * 72, 10.5,
                            "bold", max_lines=1)
        if title_lines:
            axes.text(0.3, FISH_HEIGHT_CM - 0.45, title_lines[0], ha="left", va="center_baseline",
                      fontsize=10.5, fontweight="bold", color=_INK, parse_math=False)
        return figure


# ---------------------------------------------------------------------------------------------
# The mobile (ปลาตะเพียน): the tambon network's fish above, each group's fish hanging beneath,
# all swimming the same way, each shaded by how complete its fish is.

COMPLETENESS_LABELS = {
    "both": "มีทั้งหัวปลาและหางปลา",
    "head": "มีหัวปลา ยังไม่มีหางปลา",
    "tail": "มีหางปลา ยังไม่มีหัวปลา",
    "none": "ยังไม่มีหัวปลาและหางปลา",
}
# Told apart in grey: solid dark, hatched with a dark head, light with a dark tail, outline.
_COMPLETENESS_STYLE = {
    "both": ({"tail": _DARK, "body": _DARK, "head": _DARK, "fins": _DARK}, {}),
    "head": ({"tail": _PAPER, "body": _PAPER, "head": _DARK, "fins": _PAPER},
             {"body": "//////", "tail": "//////"}),
    "tail": ({"tail": _DARK, "body": _LIGHT, "head": _LIGHT, "fins": _LIGHT}, {}),
    "none": ({"tail": _PAPER, "body": _PAPER, "head": _PAPER, "fins": _PAPER}, {}),
}
MOBILE_COLUMNS = 6  # at most this many strings hang from the rod


def _draw_small_fish(axes, shape: _FishShape, completeness: str, zorder: float = 0) -> None:
    fills, hatch = _COMPLETENESS_STYLE.get(completeness, _COMPLETENESS_STYLE["none"])
    shape.draw(axes, fills=fills, hatch=hatch, detail=False, outline=_INK,
               linewidth=0.8 if shape.length > 1.2 else 0.6, zorder=zorder)


def pla_taphian(network: dict, groups: pd.DataFrame, numerals: str = "arabic") -> Figure:
    """Return the tambon's mobile (ปลาตะเพียน), 16 cm wide, taller with more groups.

    The big fish is the tambon network's (`network`: title, head and tail items, and the
    coverage figures groups, with_head, with_tail), with its goals beside its head and its
    knowledge beside its tail, or, without items, how many groups have each. Beneath it hangs
    one small fish per row of `groups` (columns village_no, group_name, completeness: both,
    head, tail or none), up to six strings of fish, shaded by completeness, with a legend.
    `kmtools.tambon_mobile(...)` gives these arguments.
    """
    groups = groups.reset_index(drop=True)
    n = len(groups)
    rows = max(1, -(-n // MOBILE_COLUMNS))
    columns = max(1, -(-n // rows)) if n else 1
    cell = (WIDTH_CM - 0.4) / columns
    fish_length = min(2.6, cell * 0.8)
    label_lines = 3
    row_height = fish_length * 0.52 + 0.55 + label_lines * 0.3
    top_band, legend_band = 4.6, 1.1
    height = top_band + rows * row_height + legend_band
    with thai_style():
        figure = Figure(figsize=(WIDTH_CM / 2.54, height / 2.54))
        axes = _cm_axes(figure, WIDTH_CM, height)
        rod_y = _draw_network_fish(axes, network, height, numerals)
        string = dict(color=_MID, linewidth=0.6, zorder=0.5, solid_capstyle="round")
        if n == 0:
            axes.text(WIDTH_CM / 2, rod_y - 1.0, "ยังไม่มีกลุ่มในตำบลนี้", ha="center",
                      va="center", fontsize=9, color=_DARK)
        else:
            left = (WIDTH_CM - columns * cell) / 2
            axes.plot([left + cell * 0.3, left + cell * (columns - 0.3)], [rod_y, rod_y],
                      color=_DARK, linewidth=1.6, solid_capstyle="round", zorder=1)
            for column in range(columns):
                above = rod_y
                for row in range(rows):
                    index = row * columns + column
                    if index >= n:
                        break
                    group = groups.iloc[index]
                    centre_x = left + cell * (column + 0.5)
                    fish_y = rod_y - 0.45 - row * row_height - fish_length * 0.26
                    shape = _FishShape(centre_x - _FishShape.HANG * fish_length + 0.05 * cell,
                                       fish_y, fish_length)
                    axes.plot([shape.hang_x()] * 2, [above, shape.top()], **string)
                    _draw_small_fish(axes, shape, str(group["completeness"]), zorder=1)
                    label_top = shape.y - fish_length * 0.3
                    label_bottom = _draw_group_label(axes, group, centre_x, label_top,
                                                     cell * 0.85, numerals)
                    # The string goes on from the belly to the label, then from under it.
                    axes.plot([shape.hang_x()] * 2, [shape.bottom(), label_top + 0.12],
                              **string)
                    above = label_bottom
        _draw_mobile_legend(axes, groups, numerals)
        return figure


def _draw_network_fish(axes, network: dict, height: float, numerals: str) -> float:
    """Draw the network's big fish at the top; return the y of the rod beneath it."""
    length = 7.0
    shape = _FishShape(WIDTH_CM / 2 - length * 0.55, height - 2.5, length)
    string = dict(color=_MID, linewidth=0.6, zorder=0.5)
    axes.plot([shape.hang_x()] * 2, [height, shape.top()], **string)
    shape.draw(axes, fills={"tail": _LIGHT, "body": _PAPER, "head": _PALE}, detail=True,
               outline=_INK, linewidth=0.9)
    # The network's name on one line in the body when it fits, else on two.
    name = _drawable(network.get("title", ""))
    size = next((size for size in (8.5, 8, 7.5) if text_width(name, size, "bold") <= 82), 7.5)
    title = _wrap(name, lambda _: 82 if size > 7.5 else 68, size, "bold", max_lines=2)
    for k, line in enumerate(title):
        axes.text(shape.x + 0.5 * length, shape.y + (len(title) / 2 - k - 0.5) * 0.38, line,
                  ha="center", va="center_baseline", fontsize=size, fontweight="bold",
                  color=_INK, parse_math=False, zorder=5)
    total = int(network.get("groups", 0))
    number = lambda value: thai.format_number(int(value), numerals=numerals)  # noqa: E731
    for part, x, ha in (("head", shape.x + length + 0.25, "left"),
                        ("tail", shape.x - 0.25, "right")):
        width = (WIDTH_CM - 0.2 - x) if ha == "left" else (x - 0.2)
        have = network.get(f"with_{part}", 0)
        heading = {"head": "หัวปลาของเครือข่าย", "tail": "หางปลาของเครือข่าย"}[part]
        coverage = (f"กลุ่มที่มี{'หัว' if part == 'head' else 'หาง'}ปลาแล้ว "
                    f"{number(have)} จาก {number(total)} กลุ่ม")
        lines = [(heading, 7.5, "bold", _INK)]
        items = [_drawable(item) for item in network.get(part, [])]
        shown = items[:3]
        for item in shown:
            for line in _wrap("• " + item, lambda _: width / 2.54 * 72, 7, "normal", 1):
                lines.append((line, 7, "normal", _INK))
        if len(items) > len(shown):
            lines.append((_more(len(items) - len(shown), numerals), 6.5, "normal", _DARK))
        if not items:
            lines.append(("ยังไม่ได้บันทึก", 7, "normal", _DARK))
        lines.append((coverage, 6.5, "normal", _DARK))
        top = shape.y + len(lines) * 0.33 / 2
        for k, (text, size, weight, color) in enumerate(lines):
            axes.text(x, top - (k + 0.5) * 0.33, text, ha=ha, va="center_baseline",
                      fontsize=size, fontweight=weight, color=color, parse_math=False)
    return shape.y - length * 0.25 - 0.35


def _draw_group_label(axes, group, x: float, y: float, width_cm: float, numerals: str) -> float:
    """Write "หมู่ N" and the group's name under its fish, from y down; return the bottom."""
    village = group.get("village_no")
    heading = ("หมู่ " + thai.format_number(int(village), numerals=numerals)
               if village is not None and not pd.isna(village) else "")
    name = _drawable("" if pd.isna(group.get("group_name")) else group.get("group_name"))
    size = 6.5 if width_cm >= 2.2 else 6.0
    lines = ([(heading, size + 0.5, "bold")] if heading else []) + [
        (line, size, "normal") for line in wrap_thai(name, width_cm, size, max_lines=2)]
    line_cm = 0.3
    for k, (text, fontsize, weight) in enumerate(lines):
        axes.text(x, y - k * line_cm, text, ha="center", va="top", fontsize=fontsize,
                  fontweight=weight, color=_INK, parse_math=False, zorder=4)
    return y - len(lines) * line_cm - 0.05


def _draw_mobile_legend(axes, groups: pd.DataFrame, numerals: str) -> None:
    counts = groups["completeness"].value_counts() if len(groups) else pd.Series(dtype=int)
    slot = (WIDTH_CM - 0.4) / len(COMPLETENESS_LABELS)
    for k, (code, label) in enumerate(COMPLETENESS_LABELS.items()):
        x = 0.2 + k * slot
        shape = _FishShape(x, 0.5, 0.9)
        _draw_small_fish(axes, shape, code)
        count = thai.format_number(int(counts.get(code, 0)), numerals=numerals)
        axes.text(x + 1.0, 0.5, f"{label} ({count})", ha="left", va="center_baseline",
                  fontsize=6.5, color=_INK)


# ---------------------------------------------------------------------------------------------
# The river (ธารปัญญา): self-assessed levels across competencies.

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p")
_LINESTYLES = ("-", "--", ":", "-.")
_LINE_GREYS = ("#111111", "#555555", "#888888")
RIVER_HEIGHT_CM = 8.5


def river(
    assessments: pd.DataFrame,
    competencies: list[tuple[str, str]] | None = None,
    title: str = "",
    numerals: str = "arabic",
) -> Figure:
    """Return the river diagram (ธารปัญญา): levels 0-5 (y) across competencies (x).

    `assessments` is `kmtools.latest_assessments(...)` (columns label, competency, level,
    target; one row per group and competency). One group: its current and target lines, the
    gap between them shaded. Several groups: every group's current line (told apart by marker
    and line style, named in the legend) and the band between the highest and the lowest
    group per competency shaded: the river. `competencies` ((code, Thai name) pairs, e.g.
    `kmtools.competency_order(records)`) gives the order and the names on the axis; only those
    assessed are shown. 16 cm wide, 8.5 cm tall plus the legend.
    """
    codes, names = _river_axis(assessments, competencies)
    # One line a group: by group_id when given (two groups may share a name), else by label.
    key = "group_id" if "group_id" in assessments.columns else "label"
    keys = list(dict.fromkeys(assessments[key].astype(str))) if len(assessments) else []
    label_of = dict(zip(assessments[key].astype(str), assessments["label"].astype(str)))
    group_labels = [label_of[k] for k in keys]
    several = len(keys) > 1
    columns = 3 if len(group_labels) > 8 else 2
    legend_rows = -(-(len(group_labels) + 1) // columns) if several else 1
    with thai_style():
        figure = new_figure(RIVER_HEIGHT_CM + 0.45 * legend_rows)
        axes = figure.add_subplot()
        if title:
            axes.set_title(_drawable(title), loc="left", fontweight="bold")
        if not codes:
            _say_nothing_to_draw(axes, "ยังไม่มีการประเมินตนเอง")
            return figure
        x = np.arange(len(codes), dtype=float)
        level = _pivot(assessments, key, "level", codes, keys)
        if several:
            # Every competency shown was assessed by some group: no column is all blank.
            low, high = np.nanmin(level, axis=0), np.nanmax(level, axis=0)
            axes.fill_between(x, low, high, color=_PALE, edgecolor=_LIGHT, linewidth=0.6,
                              label="ธารปัญญา: ระหว่างกลุ่มสูงสุดกับต่ำสุด", zorder=1)
            spread = min(0.08, 0.5 / len(group_labels))
            for i, label in enumerate(group_labels):
                offset = (i - (len(group_labels) - 1) / 2) * spread
                axes.plot(x + offset, level[i], marker=_MARKERS[i % len(_MARKERS)],
                          linestyle=_LINESTYLES[(i // len(_MARKERS)) % len(_LINESTYLES)]
                          if len(group_labels) > len(_MARKERS) else _LINESTYLES[i % 4],
                          color=_LINE_GREYS[i % len(_LINE_GREYS)], markersize=4.5,
                          linewidth=1.1, markerfacecolor=_PAPER if i % 2 else None,
                          label=_short_label(label, 10.0 / columns), zorder=3)
        else:
            target = _pivot(assessments, key, "target", codes, keys)[0]
            current = level[0]
            axes.fill_between(x, current, target, where=target >= current, interpolate=True,
                              facecolor=_PALE, edgecolor=_MID, hatch="////", linewidth=0,
                              label="ช่องว่างที่ต้องพัฒนา", zorder=1)
            axes.plot(x, target, marker="s", linestyle="--", color=_MID, markersize=5,
                      linewidth=1.2, markerfacecolor=_PAPER, label="ระดับเป้าหมาย", zorder=3)
            axes.plot(x, current, marker="o", linestyle="-", color=_INK, markersize=5,
                      linewidth=1.6, label="ระดับปัจจุบัน", zorder=4)
        axes.set_ylim(0, 5.3)
        axes.set_yticks(range(6), [thai.format_number(v, numerals=numerals) for v in range(6)])
        axes.set_ylabel("ระดับ")
        axes.grid(axis="y", color=_PALE, linewidth=0.6, zorder=0)
        axes.set_xlim(-0.4, len(codes) - 0.6)
        _competency_ticks(axes, x, names)
        handles, labels = axes.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center",
                      ncol=columns if several else 3, frameon=False,
                      fontsize=7.5 if columns == 2 else 7, handlelength=3.2)
        return figure


def _river_axis(assessments: pd.DataFrame, competencies) -> tuple[list[str], list[str]]:
    """Return the codes and Thai names of the assessed competencies, in the chart's order."""
    if assessments.empty:
        return [], []
    assessed = list(dict.fromkeys(assessments["competency"].astype(str)))
    if competencies:
        pairs = [(str(code), str(name)) for code, name in competencies if str(code) in assessed]
        known = {code for code, _ in pairs}
        names = dict(zip(assessments["competency"].astype(str),
                         assessments.get("name_th", assessments["competency"]).astype(str)))
        pairs += [(code, names[code]) for code in assessed if code not in known]
    else:
        names = dict(zip(assessments["competency"].astype(str),
                         assessments.get("name_th", assessments["competency"]).astype(str)))
        pairs = [(code, names[code]) for code in assessed]
    return [code for code, _ in pairs], [name for _, name in pairs]


def _pivot(assessments, key, column, codes, keys) -> np.ndarray:
    """Return column as a matrix: one row per group (in keys' order), one per competency."""
    frame = assessments.assign(_key=assessments[key].astype(str),
                               _code=assessments["competency"].astype(str),
                               _value=assessments[column].astype(float))
    table = frame.pivot_table(index="_key", columns="_code", values="_value", aggfunc="last")
    table = table.reindex(index=keys, columns=codes)
    return table.to_numpy(dtype=float, na_value=np.nan)


def _short_label(label: str, width_cm: float = 7.0) -> str:
    lines = wrap_thai(_drawable(label), width_cm, 7.5, max_lines=1)
    return lines[0] if lines else ""


def _competency_ticks(axes, x, names) -> None:
    """Label the competencies under the axis, wrapped to their slot, or turned when crowded."""
    slot_cm = (WIDTH_CM - 2.0) / max(len(names), 1)
    if slot_cm >= 1.4:
        labels = ["\n".join(wrap_thai(_drawable(name), slot_cm * 0.92, 8, max_lines=3))
                  for name in names]
        axes.set_xticks(x, labels, fontsize=8)
    else:
        labels = [(wrap_thai(_drawable(name), 3.0, 7, max_lines=1) or [""])[0] for name in names]
        axes.set_xticks(x, labels, fontsize=7, rotation=90)


# ---------------------------------------------------------------------------------------------
# The stair (บันไดแห่งการเรียนรู้): one competency, the groups on the step of their level.

STAIR_HEIGHT_CM = 9.0
STAIR_CAPTION = "กลุ่มบนขั้นที่สูงกว่าเป็นพี่เลี้ยงให้กลุ่มบนขั้นที่ต่ำกว่าได้"


def stair(steps: pd.DataFrame, title: str = "", numerals: str = "arabic") -> Figure:
    """Return the stair diagram of one competency: five steps rising left to right.

    `steps` is `kmtools.stair_steps(...)`: index level 1-5, columns groups (labels of the
    groups now at that level) and description (what the level looks like, may be ""). Each
    step carries its groups on its tread (as many as fit, then "และอีก N กลุ่ม") and its
    description beneath it, so the reader sees who can teach whom. 16 × 9 cm.
    """
    levels = [int(level) for level in steps.index]
    width, height = WIDTH_CM, STAIR_HEIGHT_CM
    step_w = (width - 0.6) / max(len(levels), 1)
    base, unit = 2.2, 0.7
    top_free = height - (1.25 if title else 0.75)
    greys = ("#eeeeee", "#d9d9d9", "#c4c4c4", "#afafaf", "#9a9a9a")
    with thai_style():
        figure = Figure(figsize=(width / 2.54, height / 2.54))
        axes = _cm_axes(figure, width, height)
        from matplotlib.patches import Rectangle

        if title:
            axes.text(0.3, height - 0.45, _drawable(title), ha="left", va="center_baseline",
                      fontsize=10.5, fontweight="bold", color=_INK, parse_math=False)
        axes.text(0.3, top_free + 0.15, STAIR_CAPTION, ha="left", va="bottom", fontsize=7.5,
                  color=_DARK)
        for k, level in enumerate(levels):
            left = 0.3 + k * step_w
            tread = base + level * unit
            axes.add_patch(Rectangle((left, base), step_w, level * unit,
                                     facecolor=greys[min(k, len(greys) - 1)], edgecolor=_DARK,
                                     linewidth=0.9, zorder=1))
            axes.text(left + 0.18, tread - 0.12, thai.format_number(level, numerals=numerals),
                      ha="left", va="top", fontsize=12, fontweight="bold", color=_INK, zorder=2)
            row = steps.loc[level] if level in steps.index else None
            groups = list(row["groups"]) if row is not None else []
            description = "" if row is None or pd.isna(row["description"]) else row["description"]
            _stair_groups(axes, groups, left, step_w, tread, top_free, numerals)
            heading = f"ระดับ {thai.format_number(level, numerals=numerals)}"
            axes.text(left + step_w / 2, base - 0.12, heading, ha="center", va="top",
                      fontsize=7.5, fontweight="bold", color=_INK)
            lines = wrap_thai(_drawable(description), step_w - 0.2, 6.8, max_lines=5)
            for j, line in enumerate(lines):
                axes.text(left + step_w / 2, base - 0.5 - j * 0.3, line, ha="center", va="top",
                          fontsize=6.8, color=_DARK, parse_math=False)
        axes.plot([0.3, 0.3 + step_w * len(levels)], [base, base], color=_DARK, linewidth=0.9)
        return figure


def _stair_groups(axes, groups, left, step_w, tread, top_free, numerals) -> None:
    """Write the groups on a step's tread, upward, as many as fit below top_free."""
    line = 0.36
    room = max(int((top_free - tread - 0.1) // line), 1)
    if not groups:
        axes.text(left + step_w / 2, tread + 0.12, "–", ha="center", va="bottom", fontsize=8,
                  color=_MID)
        return
    width = step_w - 0.2
    # Two lines a group when all fit so, else one line each, else the first few and a count.
    wrapped = [wrap_thai(_drawable(g), width, 7, max_lines=2) or [""] for g in groups]
    gap = 0.1  # between two groups, so that a group's two lines read as one
    if sum(len(w) for w in wrapped) * line + gap * (len(groups) - 1) <= room * line:
        blocks = wrapped
    else:
        shown = groups if len(groups) <= room else groups[:room - 1]
        blocks = [[(wrap_thai(_drawable(g), width, 7, max_lines=1) or [""])[0]] for g in shown]
        if len(shown) < len(groups):
            rest = thai.format_number(len(groups) - len(shown), numerals=numerals)
            blocks.append([f"และอีก {rest} กลุ่ม"])
        gap = 0.0
    y = tread + 0.1
    for block in reversed(blocks):
        for text in reversed(block):
            axes.text(left + step_w / 2, y, text, ha="center", va="bottom", fontsize=7,
                      color=_INK if not text.startswith("และอีก") else _DARK,
                      parse_math=False)
            y += line
        y += gap
