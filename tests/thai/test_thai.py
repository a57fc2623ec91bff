"""Tests for km_analysis.thai: normalisation, digits, dates, numbers, fonts."""

import datetime
import pickle

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from km_analysis.thai import (
    THAI_MONTHS_LONG,
    THAI_MONTHS_SHORT,
    DateError,
    buddhist_year,
    fiscal_year_start,
    font_coverage,
    format_date,
    format_number,
    normalise,
    parse_date,
    sarabun_dir,
    sarabun_path,
    to_arabic_digits,
    to_thai_digits,
    uncovered_characters,
)

OCT_11_2006 = datetime.date(2006, 10, 11)
NIKHAHIT, SARA_AA, SARA_AM, MAI_EK, MAI_THO = "\u0e4d", "\u0e32", "\u0e33", "\u0e48", "\u0e49"


# ---------------------------------------------------------------- normalise


def test_nikhahit_sara_aa_becomes_sara_am():
    assert normalise("น" + NIKHAHIT + SARA_AA) == "น" + SARA_AM


@pytest.mark.parametrize(
    "typed",
    ["น" + NIKHAHIT + MAI_THO + SARA_AA, "น" + MAI_THO + NIKHAHIT + SARA_AA],
    ids=["tone-between", "tone-before"],
)
def test_sara_am_with_tone_mark_in_either_order(typed):
    assert normalise(typed) == "น้ำ"


@pytest.mark.parametrize("zw", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_zero_width_characters_removed(zw):
    assert normalise(f"{zw}กา{zw}ร") == "การ"


def test_repeated_tone_mark_collapsed():
    assert normalise("ก" + MAI_EK + MAI_EK + "า") == "ก่า"


def test_whitespace_stripped_and_collapsed():
    assert normalise(" \tการ \u00a0\t จัดการ\n ") == "การ จัดการ"


def test_nfc_applied():
    assert normalise("e\u0301") == "\u00e9"


@pytest.mark.parametrize(
    "text",
    [
        "น" + NIKHAHIT + MAI_THO + SARA_AA,
        "ก" + MAI_THO + NIKHAHIT + MAI_THO + SARA_AA,
        "ก" + NIKHAHIT + MAI_THO + MAI_THO + SARA_AA,
        "ก" + NIKHAHIT + NIKHAHIT + SARA_AA,
        " น\u200b\u0e4d\u0e32  ใจ\u00a0",
    ],
)
def test_normalise_is_idempotent_on_awkward_input(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0x0E00, max_codepoint=0x0E5B)
               | st.sampled_from(" \t\u00a0\u200bae\u0301")))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


# ---------------------------------------------------------------- digits


def test_to_arabic_digits():
    assert to_arabic_digits("๑๑ ต.ค. ๒๕๔๙") == "11 ต.ค. 2549"


def test_to_thai_digits():
    assert to_thai_digits("ปี 2549, 0-9") == "ปี ๒๕๔๙, ๐-๙"


# ---------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    "text",
    [
        "2006-10-11",
        "2549-10-11",
        "2006-10-11 00:00:00",
        "2549-10-11T09:30",
        "11/10/2006",
        "11/10/2549",
        "11/10/49",
        "11 ต.ค. 2549",
        "11 ต.ค. 49",
        "11 ตุลาคม 2549",
        "11ต.ค.49",
        "11 ตค 2549",
        "11 ต.ค 2549",
        "11 ต. ค. 2549",
        "11 ต.ค. พ.ศ. 2549",
        "วันที่ 11 ต.ค. 2549",
        "วันที่ 11 เดือนตุลาคม พ.ศ. 2549",
        "  11  ต.ค.  2549 ",
    ],
)
def test_accepted_forms(text):
    assert parse_date(text) == OCT_11_2006


@pytest.mark.parametrize(
    "text",
    ["๑๑ ต.ค. ๒๕๔๙", "๑๑/๑๐/๔๙", "๒๕๔๙-๑๐-๑๑"],
)
def test_thai_digits_accepted(text):
    assert parse_date(text) == OCT_11_2006


@pytest.mark.parametrize("month", range(1, 13))
def test_every_short_month_name(month):
    assert parse_date(f"1 {THAI_MONTHS_SHORT[month - 1]} 2550") == datetime.date(2007, month, 1)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_long_month_name(month):
    assert parse_date(f"1 {THAI_MONTHS_LONG[month - 1]} 2550") == datetime.date(2007, month, 1)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_short_month_name_without_dots(month):
    bare = THAI_MONTHS_SHORT[month - 1].replace(".", "")
    assert parse_date(f"1 {bare} 2550") == datetime.date(2007, month, 1)


def test_two_digit_year_is_buddhist_era():
    assert parse_date("1/1/00") == datetime.date(1957, 1, 1)


def test_four_digit_year_above_2400_is_buddhist_era():
    assert parse_date("2500-01-01") == datetime.date(1957, 1, 1)


def test_four_digit_year_up_to_2400_is_common_era():
    assert parse_date("2100-12-31") == datetime.date(2100, 12, 31)


def test_slashes_are_day_first():
    assert parse_date("3/4/2549") == datetime.date(2006, 4, 3)


def test_february_without_thanthakhat_accepted():
    assert parse_date("1 กุมภาพันธ 2550") == datetime.date(2007, 2, 1)


def test_date_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date("nonsense")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2549", "a full date, not a year alone"),
        ("๒๕๔๙", "a full date, not a year alone"),
        ("พ.ศ. 2549", "a full date, not a year alone"),
        ("ต.ค. 2549", "a full date with a day, not a month and year alone"),
        ("31/9/2549", "a date that exists (31/9/2549 does not)"),
        ("29/2/2550", "a date that exists (29/2/2550 does not)"),
        ("29 ก.พ. 2550", "a date that exists (29 ก.พ. 2550 does not)"),
        ("11/13/2549", "a date that exists (11/13/2549 does not)"),
        ("1/1/1949", "a date between 1950 and 2100 CE (2493–2643 BE)"),
        ("1/1/2492", "a date between 1950 and 2100 CE (2493–2643 BE)"),
        ("2101-01-01", "a date between 1950 and 2100 CE (2493–2643 BE)"),
        ("1/1/2644", "a date between 1950 and 2100 CE (2493–2643 BE)"),
        ("", "a date such as 11/10/2549, 2549-10-11 or 11 ต.ค. 2549"),
        ("hello", "a date such as 11/10/2549, 2549-10-11 or 11 ต.ค. 2549"),
        ("10/2549", "a date such as 11/10/2549, 2549-10-11 or 11 ต.ค. 2549"),
        ("11 ต.ค. 549", "a date such as 11/10/2549, 2549-10-11 or 11 ต.ค. 2549"),
    ],
)
def test_date_error_expected(text, expected):
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.expected == expected


def test_leap_day_checked_after_era_conversion():
    # 2551 BE is 2008 CE, a leap year (2551 itself would not be).
    assert parse_date("29/2/2551") == datetime.date(2008, 2, 29)


def test_date_error_message_is_a_sentence():
    with pytest.raises(DateError) as info:
        parse_date("2549")
    assert str(info.value) == ("Cannot read '2549' as a date: expected a full date, "
                               "not a year alone.")


def test_date_error_survives_pickling():
    err = pickle.loads(pickle.dumps(DateError("x", "a full date, not a year alone")))
    assert (err.text, err.expected) == ("x", "a full date, not a year alone")


def test_parse_date_rejects_non_text():
    with pytest.raises(TypeError):
        parse_date(20061011)


_FORMS = [
    lambda d, be: d.isoformat(),
    lambda d, be: f"{be}-{d.month:02d}-{d.day:02d}",
    lambda d, be: f"{d.day}/{d.month}/{d.year}",
    lambda d, be: f"{d.day}/{d.month}/{be}",
    lambda d, be: f"{d.day}/{d.month}/{be % 100:02d}",
    lambda d, be: f"{d.day} {THAI_MONTHS_SHORT[d.month - 1]} {be}",
    lambda d, be: f"{d.day} {THAI_MONTHS_SHORT[d.month - 1]} {be % 100:02d}",
    lambda d, be: f"{d.day} {THAI_MONTHS_LONG[d.month - 1]} {be}",
    lambda d, be: f"{d.day} {THAI_MONTHS_LONG[d.month - 1]} {be % 100:02d}",
]


@given(
    d=st.dates(datetime.date(1957, 1, 1), datetime.date(2056, 12, 31)),
    form=st.sampled_from(_FORMS),
    thai_digits=st.booleans(),
)
def test_any_supported_form_parses_back(d, form, thai_digits):
    text = form(d, d.year + 543)
    if thai_digits:
        text = to_thai_digits(text)
    assert parse_date(text) == d


# ---------------------------------------------------------------- format_date


def test_format_date_short():
    assert format_date(OCT_11_2006) == "11 ต.ค. 2549"


def test_format_date_long():
    assert format_date(OCT_11_2006, style="long") == "11 ตุลาคม 2549"


def test_format_date_thai_numerals():
    assert format_date(OCT_11_2006, numerals="thai") == "๑๑ ต.ค. ๒๕๔๙"


def test_format_date_accepts_timestamp():
    assert format_date(pd.Timestamp("2006-10-11 09:30")) == "11 ต.ค. 2549"


@pytest.mark.parametrize("missing", [None, pd.NaT, float("nan")], ids=["None", "NaT", "NaN"])
def test_format_date_missing_is_empty(missing):
    assert format_date(missing) == ""


@pytest.mark.parametrize("kwargs", [{"style": "medium"}, {"numerals": "roman"}])
def test_format_date_unknown_option_raises(kwargs):
    with pytest.raises(ValueError):
        format_date(OCT_11_2006, **kwargs)


def test_format_then_parse_round_trips():
    assert parse_date(format_date(OCT_11_2006, style="long", numerals="thai")) == OCT_11_2006


def test_month_tuples_have_twelve_names():
    assert (len(THAI_MONTHS_SHORT), len(THAI_MONTHS_LONG)) == (12, 12)


# ---------------------------------------------------------------- format_number


@pytest.mark.parametrize(
    ("n", "kwargs", "text"),
    [
        (1234, {}, "1,234"),
        (-1234567, {}, "-1,234,567"),
        (0, {}, "0"),
        (1234.5, {}, "1,235"),
        (1234.567, {"decimals": 2}, "1,234.57"),
        (2.675, {"decimals": 2}, "2.68"),
        (-0.4, {}, "0"),
        (5, {"decimals": 1}, "5.0"),
        (1234, {"numerals": "thai"}, "๑,๒๓๔"),
        (1e30, {}, "1,000,000,000,000,000,000,000,000,000,000"),
        (None, {}, ""),
    ],
)
def test_format_number(n, kwargs, text):
    assert format_number(n, **kwargs) == text


def test_format_number_unknown_numerals_raises():
    with pytest.raises(ValueError):
        format_number(1, numerals="roman")


# ---------------------------------------------------------------- years


def test_buddhist_year():
    assert buddhist_year(OCT_11_2006) == 2549


@pytest.mark.parametrize(
    ("d", "start"),
    [
        (datetime.date(2006, 10, 11), datetime.date(2006, 10, 1)),
        (datetime.date(2006, 10, 1), datetime.date(2006, 10, 1)),
        (datetime.date(2006, 9, 30), datetime.date(2005, 10, 1)),
        (datetime.date(2007, 1, 1), datetime.date(2006, 10, 1)),
    ],
)
def test_fiscal_year_starts_on_1_october(d, start):
    assert fiscal_year_start(d) == start


# ---------------------------------------------------------------- fonts


def test_sarabun_regular_and_bold_exist():
    assert sarabun_path().name == "Sarabun-Regular.ttf"
    assert sarabun_path("Bold").is_file()
    assert sarabun_path().parent == sarabun_dir()


def test_unknown_sarabun_weight_raises():
    with pytest.raises(ValueError):
        sarabun_path("Heavy")


@pytest.mark.parametrize("char", ["ก", "ำ", "๙", "A", "฿"])
def test_font_covers(char):
    assert ord(char) in font_coverage()


def test_font_does_not_cover_check_mark():
    assert 0x2713 not in font_coverage()


def test_uncovered_characters_distinct_in_order():
    assert uncovered_characters("ก✓ข★✓") == ["✓", "★"]


def test_uncovered_characters_ignores_whitespace_and_controls():
    assert uncovered_characters("การ\nจัด\tการ\r\u00a0ดี") == []
