"""The drawings at print size (16 cm wide, as the PDF shows them): no word under 9 pt, and a
fish part of at most three items shows each in full."""

from __future__ import annotations

import pytest
from matplotlib.text import Text

from km_analysis import charts, kmtools
from km_analysis.records import load_records

from ..conftest import DEMO_DATA

AS_OF = "2006-10-30"


@pytest.fixture(scope="module")
def demo():
    return load_records(DEMO_DATA)


def drawn_texts(figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def fish_figures(demo):
    for group_id in demo.fish["group_id"].dropna().unique():
        args = kmtools.group_fish(demo, group_id, AS_OF)
        yield args, charts.fish(**args)


def test_no_word_in_a_drawing_is_under_9_pt(demo):
    figures = [figure for _, figure in fish_figures(demo)]
    for tambon in ("bangjak", "tharai", "mamuangsongton"):
        figures.append(charts.pla_taphian(**kmtools.tambon_mobile(demo, tambon, AS_OF)))
    assessments = kmtools.latest_assessments(demo, "tharai", AS_OF)
    figures.append(charts.river(assessments, kmtools.competency_order(demo), title="ธารปัญญา"))
    assert len(figures) > 5
    for figure in figures:
        small = [(t.get_text(), t.get_fontsize()) for t in drawn_texts(figure)
                 if t.get_fontsize() < 9]
        assert not small


def test_a_fish_part_of_up_to_three_items_shows_each_in_full(demo):
    checked = 0
    for args, figure in fish_figures(demo):
        drawn = "".join(t.get_text() for t in drawn_texts(figure)).replace(" ", "")
        for part in ("head", "body", "tail"):
            if 0 < len(args[part]) <= 3:
                for item in args[part]:
                    assert item.replace(" ", "") in drawn.replace("•", "")
                    checked += 1
        assert "…" not in drawn or any(len(args[p]) > 3 for p in ("head", "body", "tail"))
    assert checked >= 5
