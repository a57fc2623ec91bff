"""The entry workbook in LibreOffice Calc (issue #15), driven headless through Python-UNO as a
facilitator would use it: dates typed in พ.ศ., values chosen from the dropdowns, a row inserted in
the middle of a sheet; saved as .ods and .xlsx, the workbook loads to the records typed.

Needs `soffice` and Debian's python3-uno (libreoffice-calc-nogui, which .ci/run installs);
skipped without them. One soffice serves the module: tests/records/uno_calc.py, run by
/usr/bin/python3, connects to it for each list of steps.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import pandas as pd
import pytest

from km_analysis import load_records
from km_analysis.cli import main
from km_analysis.provenance import fingerprints

from ..conftest import DEMO_DATA

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
UNO_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("uno_calc.py")
STEPS_SECONDS = 180
XLSX, ODS = "Calc MS Excel 2007 XML", "calc8"


def _uno_available() -> bool:
    if SOFFICE is None or not Path(UNO_PYTHON).exists():
        return False
    return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True,
                          timeout=60).returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _uno_available(), reason="LibreOffice with Python-UNO is not "
                       "installed: apt-get install libreoffice-calc-nogui python3-uno"),
]


class Calc:
    """A headless soffice of the module's own, and the steps of uno_calc.py run against it."""

    def __init__(self, profile: Path):
        self.pipe = f"km-test-{uuid.uuid4().hex}"
        self.process = subprocess.Popen(
            [SOFFICE, "--headless", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={self.pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def run(self, *steps: dict) -> list:
        """Return each step's result; a failed step fails the test with uno_calc's message."""
        result = subprocess.run([UNO_PYTHON, str(UNO_SCRIPT), self.pipe], input=json.dumps(steps),
                                capture_output=True, text=True, timeout=STEPS_SECONDS)
        assert result.returncode == 0, result.stderr
        return [next(iter(json.loads(line).values())) for line in result.stdout.splitlines()]

    def stop(self) -> None:
        """End soffice and everything it started (its own process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def calc(tmp_path_factory):
    office = Calc(tmp_path_factory.mktemp("soffice-profile"))
    try:
        yield office
    finally:
        office.stop()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    book = tmp_path_factory.mktemp("template") / "km-entry-bangjak.xlsx"
    assert main(["template", "--tambon", "bangjak", "--data", str(DEMO_DATA),
                 "--out", str(book)]) == 0
    return book


@pytest.fixture
def template(written, tmp_path) -> Path:
    """Return a copy of bangjak's workbook as `km template --tambon bangjak` writes it."""
    return Path(shutil.copy(written, tmp_path / written.name))


def saved(calc: Calc, book: Path, *steps: dict) -> tuple[Path, Path, list]:
    """Return `book` after the steps, saved by Calc as .xlsx and as .ods, and the steps' results."""
    xlsx, ods = book.with_name(f"{book.stem}-calc.xlsx"), book.with_name(f"{book.stem}-calc.ods")
    results = calc.run({"open": str(book)}, *steps, {"save": [str(xlsx), XLSX]},
                       {"save": [str(ods), ODS]}, {"close": None})
    return xlsx, ods, results[1:-3]


def test_a_tambons_workbook_saved_by_libreoffice_loads_to_the_same_records(calc, template,
                                                                          tmp_path):
    written = fingerprints(load_records(template))
    xlsx, ods, _ = saved(calc, template)
    assert fingerprints(load_records(ods)) == written
    assert fingerprints(load_records(xlsx)) == written
    # Sent back beside the coordinator's records, it changes nothing.
    folder = shutil.copytree(DEMO_DATA, tmp_path / "inbox")
    shutil.copy(ods, folder / ods.name)
    assert fingerprints(load_records(folder)) == fingerprints(load_records(DEMO_DATA))


def test_the_pre_filled_rows_pass_the_workbooks_own_validation(calc, template):
    [invalid] = calc.run({"open": str(template)}, {"invalid": None}, {"close": None})[1:2]
    assert invalid == []


def test_a_row_inserted_in_the_middle_reaches_the_dropdowns(calc, template):
    _, _, [before, _, _, _, after, invalid] = saved(
        calc, template,
        {"choices": ["visits", "B2"]},
        {"insert_row": ["groups", 5]},
        {"type": ["groups", "A5", "G99"]},
        {"type": ["groups", "D5", "กลุ่มออมทรัพย์บ้านใหม่"]},
        {"choices": ["visits", "B2"]},
        {"invalid": None},
    )
    assert "G99 – กลุ่มออมทรัพย์บ้านใหม่" not in before
    # In the list where the row was inserted: after the group above it, before the one below.
    assert after == [*before[:3], "G99 – กลุ่มออมทรัพย์บ้านใหม่", *before[3:]]
    assert invalid == []


def pick(options: list[str], starting: str) -> str:
    return next(option for option in options if option.startswith(starting))


def test_filled_in_as_a_facilitator_would_it_loads_as_typed(calc, template, tmp_path):
    original = load_records(template)
    # The dropdowns as Calc shows them, then a group and a visit added in the middle.
    tambons, types, people = calc.run(
        {"open": str(template)}, {"choices": ["groups", "B2"]}, {"choices": ["groups", "E2"]},
        {"choices": ["groups", "H2"]}, {"close": None})[1:4]
    group = pick(tambons, "bangjak"), pick(types, "กลุ่มออม"), pick(people, "P08 ")
    xlsx, ods, results = saved(
        calc, template,
        {"insert_row": ["groups", 5]},
        *({"type": ["groups", f"{column}5", value]} for column, value in zip(
            "ABCDEFGH", ("G99", group[0], "4", "กลุ่มออมทรัพย์บ้านใหม่", group[1], "บ้านใหม่",
                         "35", group[2]))),
        {"choices": ["visits", "B2"]},
        {"choices": ["visits", "D2"]},
    )
    groups_list, statuses = results[-2:]
    visit = {"A": "V99", "B": pick(groups_list, "G99 "), "C": "15/11/2549",
             "D": pick(statuses, "เลื่อน"), "E": pick(people, "P08 "), "G": "15/10/50"}
    xlsx, ods, shown = saved(
        calc, xlsx,
        {"insert_row": ["visits", 4]},
        *({"type": ["visits", f"{column}4", value]} for column, value in visit.items()),
        {"invalid": None},
    )
    # What is typed is what the cell shows, as text.
    assert shown[3] == {"shown": "15/11/2549", "value": 0.0, "kind": "TEXT"}
    assert shown[-2] == {"shown": "15/10/50", "value": 0.0, "kind": "TEXT"}
    assert shown[-1] == []  # every value typed is one its dropdown offers

    for book in (xlsx, ods):
        assert main(["check", "--data", str(book)]) == 0
        got = load_records(book)
        [new_visit] = got.visits.index[got.visits["visit_id"].eq("V99").fillna(False)]
        row = got.visits.loc[new_visit]
        assert (row["group_id"], row["status"], row["facilitator"]) == ("G99", "postponed", "P08")
        assert row["planned"] == pd.Timestamp("2006-11-15")
        assert row["rescheduled"] == pd.Timestamp("2007-10-15")
        [new_group] = got.groups.index[got.groups["group_id"].eq("G99").fillna(False)]
        assert got.groups.loc[new_group, ["tambon", "type", "facilitator", "members"]].tolist() \
            == ["bangjak", "savings_group", "P08", 35]
        # Every other record is as it was.
        for table, frame in got.frames().items():
            kept = frame.drop(index=new_visit if table == "visits" else
                              new_group if table == "groups" else [])
            pd.testing.assert_frame_equal(kept.reset_index(drop=True),
                                          original.frames()[table].reset_index(drop=True))
