"""`km template --tambon SLUG`: a tambon's own entry workbook (issue #15)."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd

from km_analysis import load_records
from km_analysis.cli import main
from km_analysis.provenance import fingerprints
from km_analysis.scope import row_tambons

from .conftest import DEMO_DATA


def test_a_tambons_workbook_holds_its_rows_and_checks_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["template", "--tambon", "บางจาก", "--data", str(DEMO_DATA)]) == 0
    out = tmp_path / "km-entry-bangjak.xlsx"
    assert capsys.readouterr().out.strip() == out.name
    assert main(["check", "--data", str(out)]) == 0
    book, demo = load_records(out), load_records(DEMO_DATA)
    frames, whole = book.frames(), demo.frames()
    for name in ("tambons", "people", "competencies"):
        assert len(frames[name]) == len(whole[name]), name
    for name in ("groups", "visits", "fish", "assessments", "actions", "notes"):
        scopes = row_tambons(frames, name)
        assert scopes.eq("bangjak").all(), name  # no other tambon's, no province-wide rows
        expected = row_tambons(whole, name).eq("bangjak").sum()
        assert len(frames[name]) == expected, name
    # Province-wide sessions only when a row of bangjak's refers to them.
    sessions = frames["sessions"]
    wide = sessions[row_tambons(frames, "sessions").isna().to_numpy()]["session_id"]
    referred = set()
    for name in ("attendance", "visits", "fish", "actions"):
        referred |= set(frames[name]["session_id"].dropna())
    assert set(wide) <= referred
    assert len(wide) < row_tambons(whole, "sessions").isna().sum()
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert not [s for s in sheets if "example" in s.lower()] and book.example is False


def test_the_coordinators_records_and_every_tambons_workbook_are_the_same_records(tmp_path):
    folder = shutil.copytree(DEMO_DATA, tmp_path / "inbox")
    for slug in load_records(DEMO_DATA).tambons["tambon"]:
        assert main(["template", "--tambon", slug, "--data", str(DEMO_DATA),
                     "--out", str(folder / f"{slug}.xlsx")]) == 0
    combined, demo = load_records(folder), load_records(DEMO_DATA)
    assert fingerprints(combined) == fingerprints(demo)
    assert [len(f) for f in combined.frames().values()] == [
        len(f) for f in demo.frames().values()]
    pd.testing.assert_frame_equal(combined.tambons.reset_index(drop=True),
                                  demo.tambons.reset_index(drop=True))


def test_an_unknown_tambon_exits_2_and_names_the_known_ones(tmp_path, capsys):
    assert main(["template", "--tambon", "nowhere", "--data", str(DEMO_DATA),
                 "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "unknown tambon 'nowhere'" in err and "bangjak" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_without_out_or_tambon_template_exits_2(capsys):
    assert main(["template"]) == 2
    assert "--out FILE.xlsx is needed" in capsys.readouterr().err
