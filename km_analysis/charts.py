"""Charts in the report's Thai style: Sarabun, grey-safe (markers and hatching, not colour alone).

Figures are built with matplotlib's object API (no pyplot state), so a notebook shows exactly
the figures a function returns, and `Svg(figure)` gives the vector image the PDF embeds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
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


class Svg:
    """A figure as SVG text, displayed inline by Jupyter and embedded as a vector in the PDF."""

    def __init__(self, figure: Figure):
        buffer = io.StringIO()
        with thai_style():
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        self.text = buffer.getvalue()

    def _repr_svg_(self) -> str:
        return self.text


def visits_over_time(progress: pd.DataFrame, as_of, numerals: str = "arabic") -> Figure:
    """Return a step chart of visits planned vs done, cumulated, with the as-of date marked.

    `progress` is `metrics.visits_over_time(...)`: a date index with the columns
    planned_cumulative and done_cumulative.
    """
    with thai_style():
        figure = new_figure(6.5)
        axes = figure.add_subplot()
        if progress.empty:
            axes.text(0.5, 0.5, "ยังไม่มีแผนลงพื้นที่", ha="center", va="center",
                      transform=axes.transAxes)
            axes.set_axis_off()
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
