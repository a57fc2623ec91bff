"""Record text stays text: never a formula in a workbook or a CSV, never console markup."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile

from km_analysis import load_records

from ..conftest import demo_with

HOSTILE = '=HYPERLINK("http://example.invalid","click")'


def _km(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "km_analysis.cli", *args],
                          capture_output=True, text=True, check=False)


def test_the_entry_workbook_writes_formula_like_text_as_a_string_cell(tmp_path):
    folder = demo_with(tmp_path, "people", 2, "name", HOSTILE)
    book = tmp_path / "entry.xlsx"
    assert _km("template", "--out", str(book), "--data", str(folder)).returncode == 0
    with zipfile.ZipFile(book) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/worksheets/sheet")]
    assert any("HYPERLINK" in xml for xml in sheets)  # written, as text
    assert not any(re.search(r"<f>[^<]*HYPERLINK", xml) for xml in sheets)  # never a formula
    assert load_records(book).people.loc[2, "name"] == HOSTILE


def test_check_as_csv_neutralises_values_a_spreadsheet_would_run(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "members", "=1+1")
    result = _km("check", "--format", "csv", "--data", str(folder))
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    [bad] = [r for r in rows if r["column"] == "members"]
    assert bad["value"] == "'=1+1"


def test_the_problems_table_prints_markup_like_text_as_typed(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "members", "[/]")
    result = _km("check", "--data", str(folder))
    assert result.returncode == 1
    assert "[/]" in result.stdout and "Traceback" not in result.stderr
