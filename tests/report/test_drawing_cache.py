"""Each drawing drawn once per data: the cache gives what drawing gives, and only that."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from matplotlib.figure import Figure

from km_analysis import charts
from km_analysis.report import drawings

CALLS: list[dict] = []
A_BAR = f"{__name__}:a_bar"


def a_bar(values: pd.DataFrame, title: str) -> Figure:
    """A small drawing with words, counting its calls."""
    CALLS.append({"title": title})
    with charts.thai_style():
        figure = charts.new_figure(3)
        axes = figure.add_subplot()
        axes.bar(values["name"], values["count"])
        axes.set_title(title)
    return figure


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KM_CACHE_DIR", str(tmp_path / "cache"))
    CALLS.clear()
    return tmp_path / "cache" / "drawings"


def values(count: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"name": ["ท่าไร่", "บางจาก"], "count": [count, 5]})


def test_a_drawing_is_drawn_once_and_the_cached_html_is_the_drawn_html(cache):
    first = drawings.drawing(A_BAR, {"values": values(), "title": "กลุ่มที่มีปลาทู"}, "chart")
    again = drawings.drawing(A_BAR, {"values": values(), "title": "กลุ่มที่มีปลาทู"}, "chart")
    assert again == first
    assert len(CALLS) == 1
    assert first == charts.Drawing(a_bar(values(), "กลุ่มที่มีปลาทู"), "chart").html
    assert len(list(cache.glob("*.html"))) == 1


@pytest.mark.parametrize("changed", [
    {"values": values(4), "title": "กลุ่มที่มีปลาทู"},  # one figure of a frame
    {"values": values(), "title": "กลุ่มที่มีปลาตะเพียน"},
])
def test_any_changed_argument_draws_anew(cache, changed):
    drawings.drawing(A_BAR, {"values": values(), "title": "กลุ่มที่มีปลาทู"}, "chart")
    html = drawings.drawing(A_BAR, changed, "chart")
    assert len(CALLS) == 2
    assert html == charts.Drawing(a_bar(**changed), "chart").html


def test_the_key_holds_the_code_and_a_whole_frame_not_its_summary(monkeypatch):
    long = pd.DataFrame({"name": [f"กลุ่ม{i}" for i in range(500)], "count": range(500)})
    edited = long.copy()
    edited.loc[250, "count"] = 0  # hidden in the middle of a printed summary
    key = drawings.drawing_key(A_BAR, {"values": long, "title": "t"}, "chart")
    assert drawings.drawing_key(A_BAR, {"values": edited, "title": "t"}, "chart") != key
    assert drawings.drawing_key(A_BAR, {"values": long, "title": "t"}, "fish") != key
    monkeypatch.setattr(drawings, "code_and_versions", lambda: "another release")
    assert drawings.drawing_key(A_BAR, {"values": long, "title": "t"}, "chart") != key


def test_an_argument_without_a_faithful_key_is_drawn_and_not_kept(cache, monkeypatch):
    with pytest.raises(TypeError, match="no cache key"):
        drawings.drawing_key(A_BAR, {"values": object(), "title": "t"}, "chart")

    def unkeyable(value):  # as for any value the key cannot hold whole
        raise TypeError("no cache key")

    monkeypatch.setattr(drawings, "_value_of", unkeyable)
    html = drawings.drawing(A_BAR, {"values": values(), "title": "t"}, "chart")
    assert html == charts.Drawing(a_bar(values(), "t"), "chart").html
    assert not cache.exists() or not list(cache.glob("*.html"))


def test_a_kept_drawing_imports_nothing_to_draw(cache):
    """Named "module:function", a drawing found in the cache never imports its module."""
    arguments = {"values": values(), "title": "t"}
    unimportable = "km_analysis_no_such_module:draw"
    cache.mkdir(parents=True)
    key = drawings.drawing_key(unimportable, arguments, "chart")
    (cache / f"{key}.html").write_text("<div>kept</div>", encoding="utf-8")
    assert drawings.drawing(unimportable, arguments, "chart") == "<div>kept</div>"
    with pytest.raises(ModuleNotFoundError):
        drawings.drawing(unimportable, {**arguments, "title": "not kept"}, "chart")


def test_the_report_notebooks_imports_leave_matplotlib_to_the_first_drawing():
    imports = ("import sys, km_analysis.sections, km_analysis.records.snapshot;"
               "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", imports], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_a_frame_is_keyed_to_its_last_digit():
    close = [pd.DataFrame({"share": [0.12345678901]}), pd.DataFrame({"share": [0.12345678904]})]
    keys = {drawings.drawing_key(A_BAR, {"values": frame, "title": "t"}, "chart")
            for frame in close}
    assert len(keys) == 2


def test_a_broken_or_unwritable_cache_draws_instead(cache, tmp_path, monkeypatch):
    arguments = {"values": values(), "title": "กลุ่มที่มีปลาทู"}
    drawn = drawings.drawing(A_BAR, arguments, "chart")
    [entry] = cache.glob("*.html")
    entry.write_bytes(b"\xff\xfe not utf-8")
    assert drawings.drawing(A_BAR, arguments, "chart") == drawn
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("KM_CACHE_DIR", str(blocked))
    assert drawings.drawing(A_BAR, arguments, "chart") == drawn


def test_pruning_keeps_the_entries_used_last(tmp_path):
    for age, name in enumerate(["old", "older", "new"]):
        path = tmp_path / f"{name}.html"
        path.write_text("x" * 100)
        os.utime(path, (1_000_000 - age * 1000 if name != "new" else 2_000_000,) * 2)
    drawings._prune(tmp_path, limit=150)
    assert sorted(p.name for p in tmp_path.glob("*.html")) == ["new.html"]
