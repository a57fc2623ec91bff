"""Small record sets written by the tests themselves, as CSV files or an xlsx workbook."""

from __future__ import annotations

import atexit
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = ROOT / "data"

# The suite's drawings are cached apart from the user's (report/drawings.py), starting empty;
# kernels started by the tests inherit the setting.
os.environ["KM_CACHE_DIR"] = tempfile.mkdtemp(prefix="km-test-cache-")
atexit.register(shutil.rmtree, os.environ["KM_CACHE_DIR"], True)

Tables = dict[str, list[dict[str, object]]]


def minimal_tables() -> Tables:
    """Return a small, valid set of records: two tambons, a few groups, sessions, visits."""
    return {
        "tambons": [
            {"tambon": "tharai", "name_th": "ท่าไร่", "name_en": "Tha Rai", "villages": "6"},
            {"tambon": "bangjak", "name_th": "บางจาก", "name_en": "Bang Jak", "villages": "11"},
        ],
        "people": [
            {"person_id": "P1", "name": "อ.จำนง", "role": "project_facilitator", "tambon": ""},
            {"person_id": "P2", "name": "ผู้นำเครือข่าย", "role": "คุณอำนวยชุมชน",
             "tambon": "tharai"},
        ],
        "groups": [
            {"group_id": "G1", "tambon": "tharai", "village_no": "1",
             "name": "กลุ่มออมทรัพย์บ้านท่าไร่", "type": "savings_group", "members": "80",
             "facilitator": "P2"},
            {"group_id": "G2", "tambon": "bangjak", "village_no": "3",
             "name": "กองทุนหมู่บ้านหมู่ 3", "type": "กองทุนหมู่บ้าน", "members": "120",
             "facilitator": "P1"},
        ],
        "sessions": [
            {"session_id": "S1", "date": "11 ต.ค. 2549", "kind": "learning_circle",
             "title": "วงเรียนรู้คุณอำนวย", "tambon": "", "group_id": "", "status": "",
             "participants": "14"},
            {"session_id": "S2", "date": "2006-10-15", "kind": "เวทีทำแผน",
             "title": "เวทีทำแผนท่าไร่", "tambon": "tharai", "group_id": "", "status": "held",
             "participants": ""},
        ],
        "visits": [
            {"visit_id": "V1", "group_id": "G1", "planned": "20/10/2549", "status": "done",
             "done_on": "21/10/49", "rescheduled": ""},
            {"visit_id": "V2", "group_id": "G2", "planned": "1 พ.ย. 2549", "status": "postponed",
             "done_on": "", "rescheduled": "15 พ.ย. 2549"},
        ],
        "fish": [
            {"part": "head", "item": "สมาชิกออมเพิ่มขึ้น", "recorded": "21/10/2549",
             "group_id": "G1", "tambon": ""},
            {"part": "หางปลา", "item": "ระบบบัญชีที่ตรวจสอบได้", "recorded": "21/10/2549",
             "group_id": "", "tambon": "tharai"},
        ],
        "actions": [
            {"action_id": "A1", "raised": "11/10/2549", "title": "แบบทะเบียนบัญชีของจังหวัด",
             "status": "open", "tambon": "", "for_sponsor": "ใช่", "closed_on": ""},
            {"action_id": "A2", "raised": "11/10/2549", "title": "หาผู้ช่วยคุณอำนวย",
             "status": "done", "tambon": "bangjak", "for_sponsor": "no",
             "closed_on": "25/10/2549"},
        ],
    }


def csv_text(rows: list[dict[str, object]], separator: str = ",") -> str:
    """Return rows as CSV text, the header being the union of the rows' keys."""
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def write_csv_folder(
    folder: Path, tables: Tables, encoding: str = "utf-8", separator: str = ","
) -> Path:
    """Write each table as `<name>.csv` in `folder`; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_bytes(csv_text(rows, separator).encode(encoding))
    return folder


def write_workbook(path: Path, tables: Tables) -> Path:
    """Write each table as a sheet of one xlsx workbook, every cell as typed text."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables.items():
        sheet = workbook.create_sheet(name)
        header: list[str] = []
        for row in rows:
            header += [k for k in row if k not in header]
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(column, "") or None for column in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


@pytest.fixture
def tables() -> Tables:
    return minimal_tables()


@pytest.fixture
def write(tmp_path) -> Callable[..., Path]:
    """Write tables to a fresh CSV folder (keyword arguments pass to write_csv_folder)."""
    def _write(tables: Tables, **options) -> Path:
        return write_csv_folder(tmp_path / "records", tables, **options)
    return _write


def demo_with(tmp_path: Path, table: str, row: int, column: str, value: str) -> Path:
    """Return a copy of the demo data with one cell (spreadsheet row, header = 1) replaced."""
    folder = tmp_path / "data"
    if not folder.exists():
        shutil.copytree(DEMO_DATA, folder)
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return folder
