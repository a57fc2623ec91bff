"""The plain charts: visits planned and done over time, coverage as bars."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .. import thai
from .style import _say_nothing_to_draw, new_figure, thai_style


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
                      va="top", fontsize=9, xytext=(3 if in_left_half else -3, 0),
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
        # Lines, not dots: a dotted hatch is thousands of circles for WeasyPrint to draw.
        hatches = ["///", "---", "xxx", "\\\\\\"]
        bars = axes.barh(labels, values, color="white", edgecolor="#222222")
        for bar, hatch in zip(bars, hatches * len(bars), strict=False):
            bar.set_hatch(hatch)
        for bar, value in zip(bars, values, strict=True):
            axes.text(min(value, 1.0) + 0.01, bar.get_y() + bar.get_height() / 2,
                      thai.format_number(round(value * 100), numerals=numerals) + "%",
                      va="center", fontsize=9)
        axes.set_xlim(0, 1.12)
        _percent_ticks(axes, numerals)
        return figure


def coverage_by_tambon(progress: pd.DataFrame, numerals: str = "arabic",
                       note: str = "") -> Figure:
    """Return paired bars per row: groups visited and groups with a whole fish (head+tail).

    `progress` has the columns visit_coverage and fish_coverage, and either `label` (the
    row's Thai name: a tambon, an amphoe, a province) or name_th (a tambon's name); already
    ordered and cut to the rows to show. `note` (e.g. which rows are shown) goes under the
    axis.
    """
    with thai_style():
        # 1.1 cm a row: the two bars' 9 pt percentages stand apart, never overprinted.
        figure = new_figure(2.6 + 1.1 * max(len(progress), 1))
        axes = figure.add_subplot()
        if progress.empty:
            _say_nothing_to_draw(axes, "ยังไม่มีตำบลในบันทึก")
            return figure
        rows = progress.iloc[::-1]
        labels = (rows["label"] if "label" in rows.columns
                  else [f"ตำบล{name}" for name in rows["name_th"]])
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
                          va="center", fontsize=9)
        axes.set_yticks(list(positions), list(labels))
        axes.set_xlim(0, 1.15)
        _percent_ticks(axes, numerals)
        if note:
            axes.set_xlabel(note, fontsize=9)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        return figure


def _percent_ticks(axes, numerals: str) -> None:
    """Mark the x axis (shares 0-1) at 0, 25, 50, 75 and 100%."""
    labels = [thai.format_number(v, numerals=numerals) + "%" for v in (0, 25, 50, 75, 100)]
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0], labels)
