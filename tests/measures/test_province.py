"""The province overview in one grouped pass equals each tambon's own measures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from km_analysis import load_records
from km_analysis.measures import province_progress, province_sessions, resolve_period
from km_analysis.measures.province import MEASURES
from km_analysis.measures.tambon import tambon_progress
from km_analysis.records import synth

from ..conftest import DEMO_DATA


def _same(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or math.isnan(a)) and (b is None or (isinstance(b, float)
                                                                and math.isnan(b)))
    return a == pytest.approx(b)


def _assert_rows_equal_tambon_progress(records, as_of, since):
    frame = province_progress(records, as_of, since).set_index("tambon")
    for slug in records.tambons["tambon"]:
        expected = tambon_progress(records, slug, as_of, since)
        got = frame.loc[slug]
        differ = {k: (got[k], expected[k]) for k in MEASURES if not _same(got[k], expected[k])}
        assert differ == {}, f"{slug}: (grouped, per tambon) {differ}"


@pytest.fixture(scope="module")
def demo():
    return load_records(DEMO_DATA)


@pytest.mark.parametrize(("as_of", "since"), [
    (None, None), ("2006-10-30", "2006-09-05"), ("2006-10-12", None), ("2006-11-30", None),
])
def test_each_tambons_row_equals_its_own_measures_on_the_demo(demo, as_of, since):
    _assert_rows_equal_tambon_progress(demo, as_of, since)


def test_totals_are_own_parts_plus_the_province_wide_part_once(demo):
    period = resolve_period(demo, None)
    frame = province_progress(demo, period.as_of, period.since)
    province = province_sessions(demo, period)
    sessions = demo.sessions
    held = sessions[(sessions["status"] == "held") & (sessions["date"] > period.since)
                    & (sessions["date"] <= period.as_of)]
    assert frame["own_sessions"].sum() + len(province) == len(held)


@pytest.fixture(scope="module")
def province_records(tmp_path_factory):
    folder = synth.write(synth.generate(40, seed=7), tmp_path_factory.mktemp("synth"))
    return load_records(folder, errors="collect")


def test_each_tambons_row_equals_its_own_measures_on_synthetic_records(province_records):
    _assert_rows_equal_tambon_progress(province_records, None, None)
    as_of = resolve_period(province_records, None).as_of
    _assert_rows_equal_tambon_progress(province_records, as_of, as_of - pd.Timedelta(days=60))
