"""The mobile (ปลาตะเพียน): the tambon network's fish above, each group's fish hanging beneath,
all swimming the same way, each shaded by how complete its fish is.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .. import thai
from .fish import _FishShape, _more
from .style import _DARK, _INK, _LIGHT, _MID, _PALE, _PAPER, WIDTH_CM, _cm_axes, thai_style
from .thaitext import _drawable, _wrap, text_width, wrap_thai

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
    coverage figures groups, with_head, with_tail), with its goals beside its head, its
    knowledge beside its tail (each item in full, more than three counted) and how many groups
    have each, and its sharing under it when it has any. Beneath it hangs
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
    labels = [_group_label(groups.iloc[i], cell * 0.92, numerals) for i in range(n)]
    # Each row as tall as its longest label: a row's strings never cross the labels above.
    row_lines = [max((len(labels[i]) for i in range(r * columns, min(n, (r + 1) * columns))),
                     default=1) for r in range(rows)]
    row_heights = [fish_length * 0.52 + 0.55 + lines * _LABEL_LINE_CM for lines in row_lines]
    blocks = _network_blocks(network, numerals)
    top_band, legend_band = _rod_depth(blocks) + 0.45, 1.7
    height = top_band + sum(row_heights) + legend_band
    with thai_style():
        figure = Figure(figsize=(WIDTH_CM / 2.54, height / 2.54))
        axes = _cm_axes(figure, WIDTH_CM, height)
        rod_y = _draw_network_fish(axes, network, blocks, height, numerals)
        string = dict(color=_MID, linewidth=0.6, zorder=0.5, solid_capstyle="round")
        if n == 0:
            axes.text(WIDTH_CM / 2, rod_y - 1.0, "ยังไม่มีกลุ่มในตำบลนี้", ha="center",
                      va="center", fontsize=9.5, color=_DARK)
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
                    fish_y = rod_y - 0.45 - sum(row_heights[:row]) - fish_length * 0.26
                    shape = _FishShape(centre_x - _FishShape.HANG * fish_length + 0.05 * cell,
                                       fish_y, fish_length)
                    axes.plot([shape.hang_x()] * 2, [above, shape.top()], **string)
                    _draw_small_fish(axes, shape, str(group["completeness"]), zorder=1)
                    label_top = shape.y - fish_length * 0.3
                    label_bottom = _draw_group_label(axes, labels[index], centre_x, label_top)
                    # The string goes on from the belly to the label, then from under it.
                    axes.plot([shape.hang_x()] * 2, [shape.bottom(), label_top + 0.12],
                              **string)
                    above = label_bottom
        _draw_mobile_legend(axes, groups, numerals)
        return figure


_NETWORK_LENGTH = 6.0  # cm: the network's fish
_NETWORK_Y = 2.5  # cm below the top: its centre line
_NETWORK_BELLY = 4.15  # cm below the top: under its belly and its pelvic fin
_NETWORK_ROD = 4.35  # cm below the top: the rod, when the texts beside the fish leave room
_NETWORK_LINE_CM = 0.42  # a line of the texts beside the fish at 9-9.5 pt
NETWORK_ITEMS = 3  # items shown a part beside the network's fish, each in full; more counted
_NETWORK_PARTS = {"head": "หัวปลาของเครือข่าย", "body": "ตัวปลาของเครือข่าย",
                  "tail": "หางปลาของเครือข่าย"}


def _network_x() -> float:
    return WIDTH_CM / 2 - _NETWORK_LENGTH * 0.55


def _network_blocks(network: dict, numerals: str) -> list[tuple[float, str, list]]:
    """Return the texts around the network's fish as (x, ha, lines): its goals right of the
    head, its knowledge left of the tail (with the groups' coverage), its sharing under it
    when it has any; each item in full, wrapped between words, beyond three counted."""
    total = int(network.get("groups", 0))
    number = lambda value: thai.format_number(int(value), numerals=numerals)  # noqa: E731
    fish_x = _network_x()
    blocks = []
    for part, x, ha in (("head", fish_x + _NETWORK_LENGTH + 0.25, "left"),
                        ("tail", fish_x - 0.25, "right"),
                        ("body", fish_x + _NETWORK_LENGTH * 0.5, "center")):
        items = [_drawable(item, numerals) for item in network.get(part, [])]
        if part == "body" and not items:
            continue
        width = {"left": WIDTH_CM - 0.2 - x, "right": x - 0.2, "center": 6.2}[ha]
        lines = [(_NETWORK_PARTS[part], 9.5, "bold", _INK)]
        for item in items[:NETWORK_ITEMS]:
            lines.extend((line, 9, "normal", _INK) for line in wrap_thai("• " + item, width, 9))
        if len(items) > NETWORK_ITEMS:
            lines.append((_more(len(items) - NETWORK_ITEMS, numerals), 9, "normal", _DARK))
        if part == "body":
            blocks.append((x, ha, lines))
            continue
        if not items:
            lines.append(("ยังไม่ได้บันทึก", 9, "normal", _DARK))
        coverage = (f"กลุ่มที่มี{'หัว' if part == 'head' else 'หาง'}ปลาแล้ว "
                    f"{number(network.get(f'with_{part}', 0))} จาก {number(total)} กลุ่ม")
        lines.extend((line, 9, "normal", _DARK) for line in wrap_thai(coverage, width, 9))
        blocks.append((x, ha, lines))
    return blocks


def _block_top(ha: str, lines: list) -> float:
    """Return how far below the top of the drawing a block's first line starts (cm)."""
    if ha == "center":  # the sharing, under the fish
        return _NETWORK_BELLY
    return max(0.15, _NETWORK_Y - len(lines) * _NETWORK_LINE_CM / 2)


def _rod_depth(blocks) -> float:
    """Return how far below the top the rod hangs: under the network's fish and its texts."""
    bottoms = [_block_top(ha, lines) + len(lines) * _NETWORK_LINE_CM for _, ha, lines in blocks]
    return max([_NETWORK_ROD, *(bottom + 0.25 for bottom in bottoms)])


def _draw_network_fish(axes, network: dict, blocks, height: float, numerals: str) -> float:
    """Draw the network's big fish at the top and the texts around it; return the rod's y."""
    shape = _FishShape(_network_x(), height - _NETWORK_Y, _NETWORK_LENGTH)
    string = dict(color=_MID, linewidth=0.6, zorder=0.5)
    axes.plot([shape.hang_x()] * 2, [height, shape.top()], **string)
    shape.draw(axes, fills={"tail": _LIGHT, "body": _PAPER, "head": _PALE}, detail=True,
               outline=_INK, linewidth=0.9)
    # The network's name on one line in the body when it fits, else on two.
    name = _drawable(network.get("title", ""), numerals)
    size = 10 if text_width(name, 10, "bold") <= 72 else 9.5
    title = _wrap(name, lambda _: 72, size, "bold", max_lines=2)
    for k, line in enumerate(title):
        axes.text(shape.x + 0.5 * _NETWORK_LENGTH, shape.y + (len(title) / 2 - k - 0.5) * 0.42,
                  line, ha="center", va="center_baseline", fontsize=size, fontweight="bold",
                  color=_INK, parse_math=False, zorder=5)
    for x, ha, lines in blocks:
        top = height - _block_top(ha, lines)
        for k, (text, size, weight, color) in enumerate(lines):
            axes.text(x, top - (k + 0.5) * _NETWORK_LINE_CM, text, ha=ha,
                      va="center_baseline", fontsize=size, fontweight=weight, color=color,
                      parse_math=False)
    return height - _rod_depth(blocks)


_LABEL_LINE_CM = 0.4  # a line of a group's label at 9 pt


def _group_label(group, width_cm: float, numerals: str) -> list[tuple[str, float, str]]:
    """Return the lines under a group's fish: "หมู่ N" and its name, shortened at a word."""
    village = group.get("village_no")
    heading = ("หมู่ " + thai.format_number(int(village), numerals=numerals)
               if village is not None and not pd.isna(village) else "")
    name = _drawable("" if pd.isna(group.get("group_name")) else group.get("group_name"),
                     numerals)
    return ([(heading, 9.5, "bold")] if heading else []) + [
        (line, 9, "normal") for line in wrap_thai(name, width_cm, 9, max_lines=2)]


def _draw_group_label(axes, lines, x: float, y: float) -> float:
    """Write a group's label lines under its fish, from y down; return the bottom."""
    for k, (text, fontsize, weight) in enumerate(lines):
        axes.text(x, y - k * _LABEL_LINE_CM, text, ha="center", va="top", fontsize=fontsize,
                  fontweight=weight, color=_INK, parse_math=False, zorder=4)
    return y - len(lines) * _LABEL_LINE_CM - 0.05


def _draw_mobile_legend(axes, groups: pd.DataFrame, numerals: str) -> None:
    counts = groups["completeness"].value_counts() if len(groups) else pd.Series(dtype=int)
    slot = (WIDTH_CM - 0.4) / 2  # two to a row: at 9 pt four do not fit on one
    for k, (code, label) in enumerate(COMPLETENESS_LABELS.items()):
        x, y = 0.2 + (k % 2) * slot, 1.15 - (k // 2) * 0.65
        shape = _FishShape(x, y, 0.9)
        _draw_small_fish(axes, shape, code)
        count = thai.format_number(int(counts.get(code, 0)), numerals=numerals)
        axes.text(x + 1.0, y, f"{label} ({count})", ha="left", va="center_baseline",
                  fontsize=9, color=_INK)
