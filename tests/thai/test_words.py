"""Thai line breaking from a dictionary: a line never breaks where pythainlp's newmm would not.

newmm is called here directly (`word_tokenize`), not through `thai.words`, so that these tests
check the wrapper against the dictionary rather than against itself.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from pythainlp.tokenize import word_tokenize

from km_analysis import charts, thai
from km_analysis.records import load_records, synth

from ..conftest import DEMO_DATA

# Words the old syllable wrapper broke (issue 14), with where it broke them.
BROKEN_BEFORE = ["ติดตามหนี้", "รายการ", "ผลกำไร", "ชำระ", "ครอบครัว", "ระดับ", "ภายใน",
                 "ส่วนร่วม", "สมาชิก", "คณะกรรมการ", "กองทุนหมู่บ้าน", "มะม่วงสองต้น",
                 "ความคืบหน้า", "กำลังดำเนินการ", "สวัสดิการ"]
_THAI = re.compile("[\u0e00-\u0e7f]")


def newmm_boundaries(text: str) -> set[int]:
    """Return the offsets at which newmm ends a word of `text` (spaces included)."""
    offsets, at = set(), 0
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        at += len(word)
        offsets.add(at)
    return offsets


def line_breaks(text: str, lines: list[str]) -> list[int]:
    """Return the offsets in `text` at which `lines` (its wrapped lines, spaces dropped at the
    breaks) end, but the last."""
    offsets, at = [], 0
    for line in lines[:-1]:
        at = text.index(line, at) + len(line)
        offsets.append(at)
    return offsets


def assert_breaks_between_words(text: str, lines: list[str]) -> None:
    allowed = newmm_boundaries(text)
    for offset in line_breaks(text, lines):
        assert offset in allowed or text[offset:offset + 1].isspace(), (
            f"{text[:offset]}|{text[offset:]} breaks inside a newmm word")


def drawn_labels(tables: dict[str, pd.DataFrame]) -> set[str]:
    """Return the texts the drawings wrap: fish items, group and network names, competencies."""
    labels = set()
    for table, columns in (("fish", ["item"]), ("groups", ["name"]),
                           ("competencies", ["name_th"]), ("tambons", ["name_th"])):
        frame = tables[table]
        for column in columns:
            labels |= {thai.normalise(str(v)) for v in frame[column].dropna()}
    return {label for label in labels if _THAI.search(label)}


@pytest.fixture(scope="module")
def labels() -> list[str]:
    demo = load_records(DEMO_DATA)
    tables = {name: getattr(demo, name) for name in ("fish", "groups", "competencies",
                                                     "tambons")}
    demo_labels = drawn_labels(tables)
    synthetic = drawn_labels(synth.generate(12))
    return sorted(demo_labels | synthetic)


def test_the_labels_cover_demo_and_synthetic_records(labels):
    assert len(labels) > 100
    assert any("กองทุนหมู่บ้าน" in label for label in labels)


@pytest.mark.parametrize("width_cm", [1.8, 2.6, 4.0, 6.5])
def test_no_drawn_label_breaks_inside_a_newmm_word(labels, width_cm):
    for label in labels:
        lines = charts.wrap_thai(label, width_cm, 9.0)
        assert "".join(lines).replace(" ", "") == label.replace(" ", "")
        assert_breaks_between_words(label, lines)


@pytest.mark.parametrize("word", BROKEN_BEFORE)
def test_the_words_the_syllable_wrapper_broke_stay_whole(word):
    text = f"ผลการดำเนินงาน{word}ของกลุ่มในตำบล"
    start, end = text.index(word), text.index(word) + len(word)
    for width_cm in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0):
        lines = charts.wrap_thai(text, width_cm, 9.0)
        for offset in line_breaks(text, lines):
            # A break between the words newmm finds inside a phrase is a break between words.
            assert not start < offset < end or (offset - start) in newmm_boundaries(word), (
                text[:offset], text[offset:])


def test_shortened_lines_end_at_a_word_with_an_ellipsis(labels):
    long = [label for label in labels if charts.text_width(label, 9.0) > 200]
    assert long
    for label in long:
        lines = charts.wrap_thai(label, 2.5, 9.0, max_lines=2)
        assert lines[-1].endswith("…")
        kept = lines[-1][:-1]
        at = label.index(kept, label.index(lines[0]) + len(lines[0])) + len(kept)
        assert at in newmm_boundaries(label) or label[at].isspace()


def test_a_place_name_stays_with_its_abbreviation():
    assert "ต.ท่าไร่" in thai.words("ผู้ประสานงาน ต.ท่าไร่")
    assert thai.breaks("ต.ท่าไร่") == set()
    assert "ตำบลท่าไร่" in thai.words("กองทุนสวัสดิการชุมชนตำบลท่าไร่")
    assert thai.words("ในตำบลท่าไร่มีระบบบัญชี")[1] == "ตำบลท่าไร่"  # the name ends


def test_words_give_the_text_back_and_breaks_are_newmm_boundaries(labels):
    for label in labels[:400]:
        assert "".join(thai.words(label)) == label
        assert thai.breaks(label) <= newmm_boundaries(label) | {
            i + 1 for i, char in enumerate(label) if char.isspace()}


def test_the_mark_set_is_defined_once():
    from km_analysis.charts import thaitext
    from km_analysis.report import textlayer

    assert "\u0e48" in thai.THAI_MARKS and "\u0e31" in thai.THAI_MARKS
    assert "\u0e32" not in thai.THAI_MARKS  # SARA AA follows its base: not a mark
    assert thaitext._is_mark is thai.is_mark
    thai_block = [chr(c) for c in range(0x0E00, 0x0E80)]
    assert [textlayer._is_mark(c) for c in thai_block] == [
        thai.is_mark(c) for c in thai_block] == [c in thai.THAI_MARKS for c in thai_block]


def test_a_hyphenated_unit_stays_whole():
    # "คน-" at a line's end reads as a word cut in two, and pdftotext drops the hyphen.
    assert "คน-ครั้ง" in thai.words("ผู้เข้าร่วม 124 คน-ครั้ง")
    assert "คน-ครั้ง)" in thai.words("(ในกิจกรรมของตำบล 98 คน-ครั้ง)")


def test_the_word_set_segments_as_pythainlps_trie(labels):
    from pythainlp.tokenize import word_dict_trie
    from pythainlp.tokenize.newmm import segment

    from km_analysis.thai.words import _dictionary

    demo = load_records(DEMO_DATA)
    texts = labels + [str(v) for v in demo.sessions["summary"].dropna()] + BROKEN_BEFORE
    trie = word_dict_trie()
    for text in texts:
        assert segment(text, custom_dict=_dictionary()) == segment(text, custom_dict=trie), text
