"""The river (ธารปัญญา) and the stair (บันไดแห่งการเรียนรู้): the groups' self-assessed levels,
across competencies and on the steps of one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import thai
from .style import (
    _DARK,
    _INK,
    _LIGHT,
    _MID,
    _PALE,
    _PAPER,
    WIDTH_CM,
    _cm_axes,
    _say_nothing_to_draw,
    add_shape,
    new_figure,
    thai_style,
)
from .thaitext import _drawable, wrap_thai

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
    label_of = dict(zip(assessments[key].astype(str), assessments["label"].astype(str),
                        strict=True))
    group_labels = [label_of[k] for k in keys]
    several = len(keys) > 1
    columns = 3 if len(group_labels) > 8 else 2
    legend_rows = -(-(len(group_labels) + 1) // columns) if several else 1
    with thai_style():
        figure = new_figure(RIVER_HEIGHT_CM + 0.45 * legend_rows)
        axes = figure.add_subplot()
        if title:
            axes.set_title(_drawable(title, numerals), loc="left", fontweight="bold")
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
                          label=_short_label(label, 10.0 / columns, numerals), zorder=3)
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
        _competency_ticks(axes, x, names, numerals)
        handles, labels = axes.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center",
                      ncol=columns if several else 3, frameon=False,
                      fontsize=9, handlelength=3.2)
        return figure


def _river_axis(assessments: pd.DataFrame, competencies) -> tuple[list[str], list[str]]:
    """Return the codes and Thai names of the assessed competencies, in the chart's order."""
    if assessments.empty:
        return [], []
    assessed = list(dict.fromkeys(assessments["competency"].astype(str)))
    names = dict(zip(assessments["competency"].astype(str),
                     assessments.get("name_th", assessments["competency"]).astype(str),
                     strict=True))
    # The given order first; competencies it does not know follow, as first assessed.
    pairs = [(str(code), str(name)) for code, name in competencies or ()
             if str(code) in assessed]
    known = {code for code, _ in pairs}
    pairs += [(code, names[code]) for code in assessed if code not in known]
    return [code for code, _ in pairs], [name for _, name in pairs]


def _pivot(assessments, key, column, codes, keys) -> np.ndarray:
    """Return column as a matrix: one row per group (in keys' order), one per competency."""
    frame = assessments.assign(_key=assessments[key].astype(str),
                               _code=assessments["competency"].astype(str),
                               _value=assessments[column].astype(float))
    table = frame.pivot_table(index="_key", columns="_code", values="_value", aggfunc="last")
    table = table.reindex(index=keys, columns=codes)
    return table.to_numpy(dtype=float, na_value=np.nan)


def _short_label(label: str, width_cm: float = 7.0, numerals: str = "arabic") -> str:
    lines = wrap_thai(_drawable(label, numerals), width_cm, 9, max_lines=1)
    return lines[0] if lines else ""


def _competency_ticks(axes, x, names, numerals: str) -> None:
    """Label the competencies under the axis, wrapped to their slot, or turned when crowded."""
    slot_cm = (WIDTH_CM - 2.0) / max(len(names), 1)
    if slot_cm >= 1.4:
        labels = ["\n".join(wrap_thai(_drawable(name, numerals), slot_cm * 0.92, 9, max_lines=3))
                  for name in names]
        axes.set_xticks(x, labels, fontsize=9)
    else:
        labels = [(wrap_thai(_drawable(name, numerals), 3.0, 9, max_lines=1) or [""])[0]
                  for name in names]
        axes.set_xticks(x, labels, fontsize=9, rotation=90)


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
            axes.text(0.3, height - 0.45, _drawable(title, numerals), ha="left",
                      va="center_baseline", fontsize=10.5, fontweight="bold", color=_INK,
                      parse_math=False)
        axes.text(0.3, top_free + 0.15, STAIR_CAPTION, ha="left", va="bottom", fontsize=9,
                  color=_DARK)
        for k, level in enumerate(levels):
            left = 0.3 + k * step_w
            tread = base + level * unit
            add_shape(axes, Rectangle((left, base), step_w, level * unit,
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
                      fontsize=9, fontweight="bold", color=_INK)
            lines = wrap_thai(_drawable(description, numerals), step_w - 0.2, 9, max_lines=4)
            for j, line in enumerate(lines):
                axes.text(left + step_w / 2, base - 0.5 - j * 0.4, line, ha="center", va="top",
                          fontsize=9, color=_DARK, parse_math=False)
        axes.plot([0.3, 0.3 + step_w * len(levels)], [base, base], color=_DARK, linewidth=0.9)
        return figure


def _stair_groups(axes, groups, left, step_w, tread, top_free, numerals) -> None:
    """Write the groups on a step's tread, upward, as many as fit below top_free."""
    line = 0.42
    room = max(int((top_free - tread - 0.1) // line), 1)
    if not groups:
        axes.text(left + step_w / 2, tread + 0.12, "–", ha="center", va="bottom", fontsize=9,
                  color=_MID)
        return
    width = step_w - 0.2
    # Two lines a group when all fit so, else one line each, else the first few and a count.
    wrapped = [wrap_thai(_drawable(g, numerals), width, 9, max_lines=2) or [""] for g in groups]
    gap = 0.1  # between two groups, so that a group's two lines read as one
    if sum(len(w) for w in wrapped) * line + gap * (len(groups) - 1) <= room * line:
        blocks = wrapped
    else:
        shown = groups if len(groups) <= room else groups[:room - 1]
        blocks = [[(wrap_thai(_drawable(g, numerals), width, 9, max_lines=1) or [""])[0]]
                  for g in shown]
        if len(shown) < len(groups):
            rest = thai.format_number(len(groups) - len(shown), numerals=numerals)
            blocks.append([f"และอีก {rest} กลุ่ม"])
        gap = 0.0
    y = tread + 0.1
    for block in reversed(blocks):
        for text in reversed(block):
            axes.text(left + step_w / 2, y, text, ha="center", va="bottom", fontsize=9,
                      color=_INK if not text.startswith("และอีก") else _DARK,
                      parse_math=False)
            y += line
        y += gap
