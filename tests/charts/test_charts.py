"""The KM tools: their data (kmtools) from small record sets, and their charts (charts)."""

from __future__ import annotations

import io
import subprocess
import sys
import unicodedata
import warnings

import matplotlib
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from km_analysis import charts, kmtools
from km_analysis.errors import UsageError
from km_analysis.records import load_records
from km_analysis.report.sections import TambonReport
from km_analysis.thai import is_mark as _is_mark

from ..conftest import DEMO_DATA, minimal_tables, write_csv_folder

AS_OF = "2006-10-31"
THAI_MARKS = "\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B))) + "".join(
    map(chr, range(0x0E47, 0x0E4F)))


# ---------------------------------------------------------------------------------------------
# Records


@pytest.fixture(scope="module")
def demo():
    return load_records(DEMO_DATA)


def km_tables():
    """Return minimal_tables plus fish, sessions, competencies and assessments worked by hand.

    Group G1 (tharai, หมู่ 1): two head items (one recorded after as-of), one body item, one tail
    item; one held session with it and one planned; visit V1 done 21 Oct 2549. Group G3 (tharai,
    หมู่ 2): a tail item only. Tharai's network: one tail item. Assessments of G1 and G3.
    """
    tables = minimal_tables()
    tables["groups"].append(
        {"group_id": "G3", "tambon": "tharai", "village_no": "2", "name": "กองทุนหมู่บ้านหมู่ 2",
         "type": "village_fund", "members": "50", "facilitator": "P2"})
    tables["sessions"] += [
        {"session_id": "S3", "date": "21/10/2549", "kind": "field_visit",
         "title": "ลงพื้นที่กลุ่มออมทรัพย์", "tambon": "", "group_id": "G1", "status": "",
         "participants": "12"},
        {"session_id": "S4", "date": "5/11/2549", "kind": "field_visit",
         "title": "ลงพื้นที่ครั้งที่ 2", "tambon": "", "group_id": "G1", "status": "planned",
         "participants": ""},
    ]
    tables["fish"] += [
        {"part": "หัวปลา", "item": "หนี้ค้างชำระไม่เกินร้อยละ 5", "recorded": "2006-10-25",
         "group_id": "G1", "tambon": ""},
        {"part": "head", "item": "ยังไม่ถึงวัน", "recorded": "2006-11-02",
         "group_id": "G1", "tambon": ""},
        {"part": "body", "item": "ประชุมสมาชิกทุกเดือน", "recorded": "2006-10-21",
         "group_id": "G1", "tambon": ""},
        {"part": "tail", "item": "ระเบียบการกู้ยืม", "recorded": "2006-10-21",
         "group_id": "G1", "tambon": ""},
        {"part": "tail", "item": "การออมสัจจะ", "recorded": "2006-10-22",
         "group_id": "G3", "tambon": ""},
    ]
    tables["competencies"] = [
        {"competency": "bookkeeping", "name_th": "การจัดทำบัญชี", "level_1": "รู้ว่าต้องมีบัญชี",
         "level_3": "จดบัญชีครบ"},
        {"competency": "saving", "name_th": "การระดมเงินออม"},
    ]
    tables["assessments"] = [
        {"group_id": "G1", "date": "2006-10-01", "competency": "bookkeeping", "level": "1",
         "target": "3"},
        {"group_id": "G1", "date": "2006-10-21", "competency": "การจัดทำบัญชี", "level": "3",
         "target": "4"},
        {"group_id": "G1", "date": "2006-11-05", "competency": "bookkeeping", "level": "5",
         "target": "5"},
        {"group_id": "G1", "date": "2006-10-21", "competency": "saving", "level": "2",
         "target": "4"},
        {"group_id": "G3", "date": "2006-10-22", "competency": "saving", "level": "3",
         "target": "3"},
        {"group_id": "G2", "date": "2006-10-22", "competency": "saving", "level": "4",
         "target": "5"},
    ]
    return tables


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return load_records(write_csv_folder(tmp_path_factory.mktemp("km") / "records", km_tables()))


def test_group_fish_lists_items_recorded_by_as_of_oldest_first(records):
    fish = kmtools.group_fish(records, "G1", AS_OF)
    assert fish["title"] == "หมู่ 1 กลุ่มออมทรัพย์บ้านท่าไร่"
    assert fish["head"] == ["สมาชิกออมเพิ่มขึ้น", "หนี้ค้างชำระไม่เกินร้อยละ 5"]
    assert fish["body"] == ["ประชุมสมาชิกทุกเดือน"]
    assert fish["tail"] == ["ระเบียบการกู้ยืม"]


def test_group_fish_counts_a_field_visit_once_with_buddhist_dates(records):
    # S3 is the field-visit session of V1 (both 21 Oct): one visit, not an activity besides.
    activity = kmtools.group_fish(records, "G1", AS_OF)["activity"].splitlines()
    assert activity == ["ลงพื้นที่เยี่ยมกลุ่มแล้ว 1 ครั้ง (21 ต.ค. 2549)"]


def test_group_fish_before_anything_happened_says_so(records):
    fish = kmtools.group_fish(records, "G1", "2006-10-20")
    assert fish["head"] == [] and fish["tail"] == []
    assert fish["activity"] == "ยังไม่ได้ลงพื้นที่หรือจัดกิจกรรมกับกลุ่ม"


def test_group_fish_thai_numerals(records):
    activity = kmtools.group_fish(records, "G1", AS_OF, numerals="thai")["activity"]
    assert activity == "ลงพื้นที่เยี่ยมกลุ่มแล้ว ๑ ครั้ง (๒๑ ต.ค. ๒๕๔๙)"


def test_group_fish_of_unknown_group_is_a_usage_error(records):
    with pytest.raises(UsageError, match="G9"):
        kmtools.group_fish(records, "G9", AS_OF)


def test_group_fishes_in_one_pass_are_each_group_s_fish_alone(demo):
    group_ids = list(demo.groups["group_id"])
    together = kmtools.group_fishes(demo, group_ids, "2006-10-30")
    assert list(together) == group_ids
    for group_id in group_ids:
        assert together[group_id] == kmtools.group_fishes(demo, [group_id], "2006-10-30")[
            group_id], group_id
    with pytest.raises(UsageError, match="G9"):
        kmtools.group_fishes(demo, [group_ids[0], "G9"], "2006-10-30")


def test_network_fish_has_the_tambons_own_items_and_coverage(records):
    network = kmtools.network_fish(records, "tharai", AS_OF)
    assert network["title"] == "เครือข่ายตำบลท่าไร่"
    assert network["head"] == [] and network["body"] == []
    assert network["tail"] == ["ระบบบัญชีที่ตรวจสอบได้"]
    assert (network["groups"], network["with_head"], network["with_tail"],
            network["with_both"]) == (2, 1, 2, 1)
    # S2 (tharai forum) is held by as-of; S3 is V1's field-visit session, counted as the
    # visit; S4 is planned.
    assert network["activity"] == "จัดกิจกรรมในตำบลแล้ว 1 ครั้ง และลงพื้นที่เยี่ยมกลุ่มแล้ว 1 ครั้ง"


def test_mobile_groups_say_which_of_head_and_tail_each_group_has(records):
    groups = kmtools.mobile_groups(records, "tharai", AS_OF)
    assert groups["group_id"].tolist() == ["G1", "G3"]
    assert groups["label"].tolist() == ["หมู่ 1 กลุ่มออมทรัพย์บ้านท่าไร่", "หมู่ 2 กองทุนหมู่บ้านหมู่ 2"]
    assert groups["completeness"].tolist() == ["both", "tail"]
    assert groups[["head", "body", "tail"]].to_numpy().tolist() == [[2, 1, 1], [0, 0, 1]]


def test_mobile_groups_before_any_fish_are_all_none(records):
    groups = kmtools.mobile_groups(records, "tharai", "2006-10-01")
    assert groups["completeness"].tolist() == ["none", "none"]


def test_competency_order_follows_the_competencies_table(records):
    assert kmtools.competency_order(records) == [("bookkeeping", "การจัดทำบัญชี"),
                                                 ("saving", "การระดมเงินออม")]


def test_competency_order_without_a_table_is_first_appearance_ignoring_case(tmp_path):
    tables = km_tables()
    del tables["competencies"]
    for row, text in zip(tables["assessments"], ["Saving", "bookkeeping", "SAVING", "saving",
                                                 "Book keeping", "welfare"]):
        row["competency"] = text
    tables["assessments"][3]["date"] = "2006-10-20"  # keep (group, date, competency) unique
    records = load_records(write_csv_folder(tmp_path / "r", tables))
    assert kmtools.competency_order(records) == [("Saving", "Saving"),
                                                 ("bookkeeping", "bookkeeping"),
                                                 ("welfare", "welfare")]


def test_latest_assessments_take_each_groups_latest_by_as_of(records):
    latest = kmtools.latest_assessments(records, "tharai", AS_OF)
    got = latest[["group_id", "competency", "level", "target"]].astype(object).to_numpy().tolist()
    # G1 bookkeeping: 1 Oct (1) and 21 Oct by Thai name (3) -> 3; 5 Nov is after as-of.
    # G2 is in bangjak.
    assert got == [["G1", "bookkeeping", 3, 4], ["G1", "saving", 2, 4], ["G3", "saving", 3, 3]]
    assert latest["name_th"].tolist() == ["การจัดทำบัญชี", "การระดมเงินออม", "การระดมเงินออม"]
    assert latest["date"].tolist() == [pd.Timestamp("2006-10-21")] * 2 + [
        pd.Timestamp("2006-10-22")]


def test_latest_assessments_of_one_group(records):
    latest = kmtools.latest_assessments(records, "tharai", "2006-11-30", group_id="G1")
    assert latest["level"].tolist() == [5, 2]


def test_latest_assessments_of_a_group_elsewhere_is_a_usage_error(records):
    with pytest.raises(UsageError):
        kmtools.latest_assessments(records, "tharai", AS_OF, group_id="G2")


def test_stair_steps_put_groups_on_their_level_with_its_description(records):
    steps = kmtools.stair_steps(records, "tharai", "การระดมเงินออม", AS_OF)
    assert steps.index.tolist() == [1, 2, 3, 4, 5]
    assert steps["groups"].tolist() == [(), ("หมู่ 1 กลุ่มออมทรัพย์บ้านท่าไร่",),
                                        ("หมู่ 2 กองทุนหมู่บ้านหมู่ 2",), (), ()]
    assert steps["description"].tolist() == [""] * 5
    bookkeeping = kmtools.stair_steps(records, "tharai", "bookkeeping", AS_OF)
    assert bookkeeping["description"].tolist() == ["รู้ว่าต้องมีบัญชี", "", "จดบัญชีครบ", "", ""]
    latest = kmtools.latest_assessments(records, "tharai", AS_OF)
    pd.testing.assert_frame_equal(
        kmtools.stair_steps(records, "tharai", "bookkeeping", AS_OF, latest), bookkeeping)


def test_competency_name_from_code_or_name(records):
    assert kmtools.competency_name(records, "saving") == "การระดมเงินออม"
    assert kmtools.competency_name(records, "การจัดทำบัญชี") == "การจัดทำบัญชี"
    assert kmtools.competency_name(records, "other") == "other"


# ---------------------------------------------------------------------------------------------
# Wrapping Thai text


def test_wrapped_lines_fit_the_width():
    text = "ทุกกลุ่มการเงินในตำบลท่าไร่มีระบบบัญชีที่โปร่งใส ตรวจสอบได้"
    lines = charts.wrap_thai(text, 2.0, 8)
    assert len(lines) > 1
    assert all(charts.text_width(line, 8) <= 2.0 / 2.54 * 72 + 1e-6 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_prefers_a_space():
    assert charts.wrap_thai("แกนนำเครือข่ายเป็นคุณอำนวยชุมชน ลงพื้นที่ทุกกลุ่ม", 4.5, 8) == [
        "แกนนำเครือข่ายเป็นคุณอำนวยชุมชน", "ลงพื้นที่ทุกกลุ่ม"]


def test_wrap_breaks_after_a_final_consonant_not_before_it():
    # "ทุก|กลุ่ม", never "ทุ|กกลุ่ม" nor "ทุกก|ลุ่ม".
    qualities = charts.break_qualities("ทุกกลุ่ม")
    assert qualities[3] == 2 and qualities[2] < 2 and qualities[4] < 2


def test_wrap_with_max_lines_ends_in_an_ellipsis():
    lines = charts.wrap_thai("สมาชิกออมเพิ่มขึ้นร้อยละ 20 และหนี้ค้างชำระลดลง" * 3, 2.0, 8,
                             max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")


def test_wrap_of_blank_text_is_no_lines():
    assert charts.wrap_thai("   ", 3.0) == []


THAI_TEXT = st.text(
    alphabet=st.sampled_from(
        list("กขคงจชซญดตถทนบปผพฟมยรลวศษสหอฮะาำเแโใไๆฯ") + list(THAI_MARKS)
        + list(" 0123456789abcXYZ()-,.")),
    min_size=0, max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(text=THAI_TEXT, width=st.floats(min_value=0.2, max_value=6.0))
def test_wrap_never_separates_a_combining_mark_from_its_base(text, width):
    lines = charts.wrap_thai(text, width, 8)
    for k, line in enumerate(lines):
        assert line == line.strip() and line
        if k or not text.strip() or not _is_mark(text.strip()[0]):
            assert not _is_mark(line[0]), (text, lines)
    # Nothing is lost or reordered: only whitespace at the breaks goes.
    assert "".join("".join(lines).split()) == "".join(text.split())


@given(text=THAI_TEXT)
def test_no_break_is_allowed_before_a_mark_or_at_a_space(text):
    for char, quality in zip(text, charts.break_qualities(text)):
        if char in THAI_MARKS or unicodedata.combining(char) or char.isspace():
            assert quality == 0


# ---------------------------------------------------------------------------------------------
# The charts: each returns a Figure that renders without a warning (a missing glyph included)


def rendered(figure: Figure) -> Figure:
    """Render the figure as the report does (SVG) and as a PNG; warnings are errors here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts.Svg(figure)
        figure.savefig(io.BytesIO(), format="png", dpi=80)
    return figure


def many(n: int, text: str = "สมาชิกออมเพิ่มขึ้นร้อยละ 20 และหนี้ค้างชำระลดลงทุกเดือน") -> list[str]:
    return [f"{text} ({i})" for i in range(n)]


def thirty_groups(completeness=("both", "head", "tail", "none")) -> pd.DataFrame:
    return pd.DataFrame({
        "village_no": [i % 20 + 1 for i in range(30)],
        "group_name": [f"กองทุนหมู่บ้านบ้านคลองใหม่พัฒนา {i}" for i in range(30)],
        "completeness": [completeness[i % len(completeness)] for i in range(30)],
    })


def draw(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = make()
    assert isinstance(figure, Figure)
    return rendered(figure)


FISH_CASES = {
    "demo group": lambda demo: charts.fish(**kmtools.group_fish(demo, "G01", "2006-10-30")),
    "no items": lambda demo: charts.fish("หมู่ 3 กองทุนหมู่บ้านบ้านคลองเกาะ", [], [], []),
    "30 items": lambda demo: charts.fish("หมู่ 9 กลุ่มที่มีรายการมาก", many(30), many(30),
                                         many(30), "จัดกิจกรรมกับกลุ่มแล้ว 30 ครั้ง\nลงพื้นที่แล้ว"),
}


@pytest.mark.parametrize("case", FISH_CASES)
def test_fish_draws_without_warnings(demo, case):
    figure = draw(lambda: FISH_CASES[case](demo))
    width, height = figure.get_size_inches() * 2.54
    assert (round(width), round(height)) == (16, 10)


def fish_texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.axes[0].texts]


def test_fish_shows_the_items_of_each_part(demo):
    texts = "".join(fish_texts(charts.fish(**kmtools.group_fish(demo, "G01", "2006-10-30"))))
    texts = texts.replace(" ", "")
    for words in ("หัวปลา", "ตัวปลา", "หางปลา", "สมาชิกออมเพิ่มขึ้นร้อยละ20",
                  "22ต.ค.2549", "ระบบบัญชีที่ตรวจสอบได้"):
        assert words in texts


def test_fish_counts_the_items_it_cannot_show():
    texts = fish_texts(charts.fish("กลุ่ม", many(30), [], []))
    more = [t for t in texts if t.startswith("และอีก")]
    shown = [t for t in texts if t.startswith("• ")]
    assert len(more) == 1 and 1 <= len(shown) <= charts.FISH_ITEMS
    assert more[0] == f"และอีก {30 - len(shown)} รายการ"


def test_fish_draws_a_character_sarabun_lacks_as_a_question_mark():
    texts = fish_texts(draw(lambda: charts.fish("กลุ่ม ★", ["ออม ✓"], [], [])))
    assert any("?" in t for t in texts) and not any("★" in t or "✓" in t for t in texts)


def empty_network():
    return {"title": "เครือข่ายตำบลทดสอบ", "head": [], "body": [], "tail": [], "groups": 0,
            "with_head": 0, "with_tail": 0}


MOBILE_CASES = {
    "demo tambon": lambda demo: charts.pla_taphian(
        **kmtools.tambon_mobile(demo, "tharai", "2006-10-30")),
    "no groups": lambda demo: charts.pla_taphian(
        empty_network(), pd.DataFrame(columns=["village_no", "group_name", "completeness"])),
    "30 groups": lambda demo: charts.pla_taphian(
        {**empty_network(), "head": many(30), "tail": many(30), "groups": 30}, thirty_groups()),
}


@pytest.mark.parametrize("case", MOBILE_CASES)
def test_pla_taphian_draws_without_warnings(demo, case):
    draw(lambda: MOBILE_CASES[case](demo))


def test_pla_taphian_grows_with_more_groups(demo):
    small = charts.pla_taphian(**kmtools.tambon_mobile(demo, "tharai", "2006-10-30"))
    large = charts.pla_taphian(empty_network(), thirty_groups())
    assert small.get_size_inches()[0] == large.get_size_inches()[0]
    assert large.get_size_inches()[1] > small.get_size_inches()[1]


def test_pla_taphian_legend_counts_each_kind(demo):
    figure = charts.pla_taphian(empty_network(), thirty_groups())
    texts = [t.get_text() for t in figure.axes[0].texts]
    # 30 groups cycling through 4 kinds: 8, 8, 7, 7.
    assert "มีทั้งหัวปลาและหางปลา (8)" in texts
    assert "ยังไม่มีหัวปลาและหางปลา (7)" in texts


def random_levels(groups: int, competencies) -> pd.DataFrame:
    rows = [{"label": f"หมู่ {g + 1} กลุ่มที่ {g}", "competency": code, "name_th": name,
             "level": (g + i) % 5 + 1, "target": 5}
            for g in range(groups) for i, (code, name) in enumerate(competencies)]
    return pd.DataFrame(rows)


RIVER_CASES = {
    "demo tambon": lambda demo: charts.river(
        kmtools.latest_assessments(demo, "tharai", "2006-10-30"), kmtools.competency_order(demo)),
    "demo group": lambda demo: charts.river(
        kmtools.latest_assessments(demo, "tharai", "2006-10-30", group_id="G02"),
        kmtools.competency_order(demo), title="หมู่ 2"),
    "no assessments": lambda demo: charts.river(
        kmtools.latest_assessments(demo, "mamuangsongton", "2006-10-30")),
    "30 groups": lambda demo: charts.river(random_levels(30, kmtools.competency_order(demo))),
    "a competency one group skipped": lambda demo: charts.river(
        random_levels(3, kmtools.competency_order(demo)).iloc[1:]),
    "30 competencies": lambda demo: charts.river(
        random_levels(3, [(f"c{i}", f"ความสามารถหลักข้อที่ {i} ที่ชื่อยาว") for i in range(30)])),
}


@pytest.mark.parametrize("case", RIVER_CASES)
def test_river_draws_without_warnings(demo, case):
    draw(lambda: RIVER_CASES[case](demo))


def test_river_of_a_tambon_names_every_group_in_the_legend(demo):
    figure = RIVER_CASES["demo tambon"](demo)
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert labels[0].startswith("ธารปัญญา")
    assert [label.split()[1] for label in labels[1:]] == ["1", "2", "4"]


def test_river_of_one_group_shows_current_and_target(demo):
    figure = RIVER_CASES["demo group"](demo)
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert set(labels) == {"ช่องว่างที่ต้องพัฒนา", "ระดับเป้าหมาย", "ระดับปัจจุบัน"}
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert ticks[0] == "การจัดทำบัญชี"


STAIR_CASES = {
    "demo competency": lambda demo: charts.stair(
        kmtools.stair_steps(demo, "tharai", "bookkeeping", "2006-10-30"), title="การจัดทำบัญชี"),
    "no groups": lambda demo: charts.stair(
        kmtools.stair_steps(demo, "mamuangsongton", "bookkeeping", "2006-10-30")),
    "30 groups": lambda demo: charts.stair(pd.DataFrame(
        {"groups": [(), (), (), (), tuple(many(30, "กองทุนหมู่บ้าน"))],
         "description": [""] * 5}, index=pd.Index([1, 2, 3, 4, 5], name="level"))),
}


@pytest.mark.parametrize("case", STAIR_CASES)
def test_stair_draws_without_warnings(demo, case):
    draw(lambda: STAIR_CASES[case](demo))


def test_stair_counts_the_groups_it_cannot_show(demo):
    texts = [t.get_text() for t in STAIR_CASES["30 groups"](demo).axes[0].texts]
    more = [t for t in texts if t.startswith("และอีก")]
    shown = [t for t in texts if t.startswith("กองทุนหมู่บ้าน")]
    assert more == [f"และอีก {30 - len(shown)} กลุ่ม"]


# ---------------------------------------------------------------------------------------------
# No global style: the charts apply theirs for the drawing and leave matplotlib's as it was


def test_drawing_and_saving_charts_leave_matplotlib_settings_as_they_were(demo):
    before = dict(matplotlib.rcParams)
    report = TambonReport.open(tambon="tharai", data_dir=str(DEMO_DATA))
    report.visits_chart()
    report.river()
    charts.Png(FISH_CASES["demo group"](demo), dpi=40)
    charts.Png(MOBILE_CASES["demo tambon"](demo), dpi=40)
    charts.Png(STAIR_CASES["demo competency"](demo), dpi=40)
    charts.Svg(charts.coverage_bars({"ลงพื้นที่แล้ว": 0.5}))
    charts.Drawing(FISH_CASES["demo group"](demo))
    assert dict(matplotlib.rcParams) == before


def test_importing_the_charts_changes_no_matplotlib_setting():
    probe = ("import matplotlib\n"
             "from matplotlib import font_manager\n"
             "before = dict(matplotlib.rcParams)\n"
             "fonts = len(font_manager.fontManager.ttflist)\n"
             "import km_analysis.charts\n"
             "assert dict(matplotlib.rcParams) == before, 'rcParams changed'\n"
             "assert len(font_manager.fontManager.ttflist) == fonts, 'fonts registered'\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
