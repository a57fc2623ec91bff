"""The `km` command: exit codes, tables of problems, and no tracebacks on bad input."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from km_analysis.cli import main

from .conftest import DEMO_DATA, write_csv_folder, write_workbook


def _km(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "km_analysis.cli", *args],
                          capture_output=True, text=True, check=False)


def test_check_on_the_demo_data_exits_0_with_a_summary(capsys):
    assert main(["check", "--data", str(DEMO_DATA)]) == 0
    out = capsys.readouterr().out
    assert "ok: no errors" in out and "bangjak" in out and "2549" in out


def test_tambons_lists_slug_and_names(capsys):
    assert main(["tambons", "--data", str(DEMO_DATA)]) == 0
    out = capsys.readouterr().out
    assert "mamuangsongton" in out and "มะม่วงสองต้น" in out and "Mamuang Song Ton" in out


def test_check_with_a_missing_path_exits_2_naming_it():
    result = _km("check", "--data", "no/such/folder")
    assert result.returncode == 2
    assert "no/such/folder" in result.stderr and "Traceback" not in result.stderr


def _problems(result: subprocess.CompletedProcess) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))


def test_check_lists_exactly_the_planted_problems_across_cp874_and_xlsx(tmp_path, tables):
    # Three problems in cp874 CSV files...
    tables["groups"][0]["members"] = "-3"
    tables["sessions"][1]["date"] = "30 ก.พ. 2549"
    tables["visits"][0]["status"] = "ไปแล้ว"
    csv_folder = write_csv_folder(tmp_path / "csv", tables, encoding="cp874")
    # ...and two more in a workbook holding the same three.
    tables["actions"][1]["closed_on"] = ""
    tables["fish"][0]["group_id"] = "G5"
    workbook = write_workbook(tmp_path / "book.xlsx", tables)

    from_csv = _km("check", "--format", "csv", "--data", str(csv_folder))
    from_book = _km("check", "--format", "csv", "--data", str(workbook))

    assert (from_csv.returncode, from_book.returncode) == (1, 1)
    assert "Traceback" not in from_csv.stderr + from_book.stderr
    assert [(p["file"], p["row"], p["column"], p["value"]) for p in _problems(from_csv)] == [
        (str(csv_folder / "groups.csv"), "2", "members", "'-3"),  # a leading quote: never a formula
        (str(csv_folder / "sessions.csv"), "3", "date", "30 ก.พ. 2549"),
        (str(csv_folder / "visits.csv"), "2", "status", "ไปแล้ว"),
    ]
    assert [(p["file"], p["row"], p["column"]) for p in _problems(from_book)] == [
        (f"{workbook} [groups]", "2", "members"),
        (f"{workbook} [sessions]", "3", "date"),
        (f"{workbook} [visits]", "2", "status"),
        (f"{workbook} [fish]", "2", "group_id"),
        (f"{workbook} [actions]", "3", "closed_on"),
    ]


def test_check_prints_problems_as_a_table_and_exits_1(tmp_path, tables, monkeypatch):
    tables["groups"][0]["members"] = "-3"
    write_csv_folder(tmp_path / "csv", tables)
    monkeypatch.chdir(tmp_path)
    result = _km("check", "--data", "csv")
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if "members" in line]
    assert "csv/groups.csv" in line and " 2 " in line and "-3" in line
    assert "1 error(s)" in result.stdout


@pytest.mark.parametrize("args", [[], ["--help"], ["check", "--help"]])
def test_help_describes_the_commands(args):
    result = _km(*args)
    assert "check" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["file", "dangling link"])
def test_report_with_a_bad_out_exits_2_in_one_line(tmp_path, kind):
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("not a folder")
    else:
        out.symlink_to(tmp_path / "nowhere")
    result = _km("report", "bangjak", "--data", str(DEMO_DATA), "--out", str(out))
    assert result.returncode == 2
    assert str(out) in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_template_into_a_folder_that_cannot_be_made_exits_2(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder would go")
    result = _km("template", "--out", str(blocker / "entry.xlsx"), "--data", str(DEMO_DATA))
    assert result.returncode == 2
    assert "blocker" in result.stderr and "Traceback" not in result.stderr


EXAMPLE_LINE = "example data: these records are marked as example data"


def test_check_says_the_demo_data_is_example_data_and_exits_as_before(capsys):
    assert main(["check", "--data", str(DEMO_DATA)]) == 0
    out = capsys.readouterr().out
    assert f"{EXAMPLE_LINE} ({DEMO_DATA / '_example.txt'})" in out
    assert out.strip().splitlines()[-1].startswith("ok: no errors")


def test_check_says_nothing_of_example_data_for_records_without_the_marker(tmp_path, tables,
                                                                            capsys):
    assert main(["check", "--data", str(write_csv_folder(tmp_path / "csv", tables))]) == 0
    assert EXAMPLE_LINE not in capsys.readouterr().out


def test_check_names_a_workbook_s_example_sheet_and_keeps_exit_1_for_errors(tmp_path, tables):
    import openpyxl

    tables["groups"][0]["members"] = "-3"
    book = write_workbook(tmp_path / "book.xlsx", tables)
    workbook = openpyxl.load_workbook(book)
    workbook.create_sheet("_example")["A1"] = "ข้อมูลตัวอย่าง"
    workbook.save(book)
    result = _km("check", "--data", str(book))
    assert result.returncode == 1
    assert f"{EXAMPLE_LINE} ({book} [_example])" in result.stdout
    as_csv = _km("check", "--format", "csv", "--data", str(book))
    assert as_csv.returncode == 1
    assert EXAMPLE_LINE in as_csv.stderr and EXAMPLE_LINE not in as_csv.stdout
    assert [p["column"] for p in _problems(as_csv)] == ["members"]


def test_tambons_says_the_demo_data_is_example_data(capsys):
    assert main(["tambons", "--data", str(DEMO_DATA)]) == 0
    assert EXAMPLE_LINE in capsys.readouterr().out


def test_template_from_the_demo_data_never_copies_the_example_marker(tmp_path):
    import openpyxl

    from km_analysis import load_records

    out = tmp_path / "entry.xlsx"
    assert main(["template", "--out", str(out), "--data", str(DEMO_DATA)]) == 0
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert not [s for s in sheets if "example" in s.lower()]
    assert load_records(out).example is False
