"""Files that are not what they seem: each is refused with a problem naming it, never a traceback,
in bounded time and memory.

Every case runs `km check --data PATH` as a subprocess on a small data set built here, and
checks the exit code, the place named in the output and that no traceback is printed. The
workbooks that would once have exhausted memory or aborted the process (one cell at
XFD1048576; a sheet that unpacks to 2 GB) are also measured: their child process must stay
under 500 MB of memory and 5 s of CPU time.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from km_analysis.records import bounds
from km_analysis.records.schema import SLUG_MAX

from ..conftest import demo_with, minimal_tables, write_csv_folder, write_workbook

ROOT = Path(__file__).resolve().parents[1]
MAX_RSS_MB = 500
MAX_CPU_SECONDS = 5.0
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@dataclass
class Run:
    """A finished `km check`: its exit code, everything it printed, and what it cost."""

    code: int
    output: str
    cpu_seconds: float
    max_rss_mb: float
    wall_seconds: float


# The child is measured by a small launcher, not by pytest: a process's peak RSS counts the
# memory of the process it was forked from (Linux keeps the high-water mark across exec), and
# pytest grows large over a whole test session.
_LAUNCHER = """
import json, os, sys
out, err, result, *argv = sys.argv[1:]
pid = os.fork()
if pid == 0:
    os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
    os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(result, "w") as stream:
    json.dump({"code": os.waitstatus_to_exitcode(status), "maxrss_kb": usage.ru_maxrss,
               "cpu": usage.ru_utime + usage.ru_stime}, stream)
"""


def km_check(data: Path, tmp_path: Path, timeout: float = 120) -> Run:
    """Return the run of `km check --data data` in a child process, measured by wait4."""
    out, err, result = (tmp_path / name for name in ("stdout.txt", "stderr.txt", "run.json"))
    started = time.monotonic()
    launcher = subprocess.Popen(  # -S: no site imports, so the launcher itself stays small
        [sys.executable, "-S", "-c", _LAUNCHER, str(out), str(err), str(result),
         sys.executable, "-m", "km_analysis.cli", "check", "--data", str(data)],
        cwd=ROOT, start_new_session=True)
    try:
        launcher.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait()
        pytest.fail(f"km check --data {data} ran longer than {timeout} s")
    measured = json.loads(result.read_text())
    output = out.read_text(errors="replace") + err.read_text(errors="replace")
    return Run(measured["code"], output, measured["cpu"], measured["maxrss_kb"] / 1024,
               time.monotonic() - started)


def assert_refused(run: Run, code: int, *named: str) -> None:
    assert "Traceback" not in run.output, run.output
    assert run.code == code, run.output
    # The table wraps long cells over lines: compare with each cell joined up, spaces left out.
    readable = "\n".join([" ".join(p.values()) for p in problems(run)]
                          + [line for line in run.output.splitlines()
                             if not line.startswith(("┃", "│"))])
    for text in named:
        assert squash(text) in squash(readable), f"{text!r} not in:\n{run.output}"


def problems(run: Run) -> list[dict[str, str]]:
    """Return the problems of the table `km check` prints, each cell's wrapped lines joined
    (without spaces: a word may be folded anywhere)."""
    lines = [line for line in run.output.splitlines() if line.startswith(("┃", "│"))]
    if not lines:
        return []
    header = [cell.strip() for cell in lines[0].strip("┃").split("┃")]
    found: list[dict[str, str]] = []
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if cells[0]:
            found.append(dict.fromkeys(header, ""))
        for name, cell in zip(header, cells):
            found[-1][name] += cell.replace(" ", "")
    return found


def squash(text: str) -> str:
    return text.replace(" ", "")


def assert_bounded(run: Run) -> None:
    assert run.max_rss_mb < MAX_RSS_MB, f"{run.max_rss_mb:.0f} MB"
    assert run.cpu_seconds < MAX_CPU_SECONDS, f"{run.cpu_seconds:.1f} s"


# ---------------------------------------------------------------------------------------------
# Workbooks written by hand, part by part


def _xml(body: bytes) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _index_parts(sheets: list[str], shared_strings: bool = False) -> dict[str, bytes]:
    """Return the parts every workbook has: content types, relationships, workbook.xml."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1))
    sheet_tags = "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
                         for n, name in enumerate(sheets, 1))
    sheet_rels = "".join(f'<Relationship Id="rId{n}" Type="{rel}/worksheet" '
                         f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
    if shared_strings:
        sheet_rels += (f'<Relationship Id="rIdS" Type="{rel}/sharedStrings" '
                       'Target="sharedStrings.xml"/>')
    return {
        "[Content_Types].xml": _xml(
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sheet.main+xml"/>' + overrides.encode() + b"</Types>"),
        "_rels/.rels": _xml(
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + rel.encode() + b'/officeDocument" '
            b'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": _xml(
            b"<workbook " + MAIN + b' xmlns:r="' + rel.encode() + b'"><sheets>'
            + sheet_tags.encode() + b"</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": _xml(
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + sheet_rels.encode() + b"</Relationships>"),
    }


def _sheet(rows: bytes) -> bytes:
    return _xml(b"<worksheet " + MAIN + b"><sheetData>" + rows + b"</sheetData></worksheet>")


def _text_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


HEADER_ROW = b'<row r="1">' + _text_cell("A1", "session_id") + b"</row>"


def book(path: Path, sheets: dict[str, bytes], shared_strings: bytes | None = None) -> Path:
    """Write a workbook whose sheets (name -> worksheet XML) are exactly as given."""
    parts = _index_parts(list(sheets), shared_strings is not None)
    parts.update({f"xl/worksheets/sheet{n}.xml": xml
                  for n, xml in enumerate(sheets.values(), 1)})
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@dataclass
class Deflated:
    """A part already deflated: what it unpacks to is declared here, not computed."""

    packed: bytes | list[bytes]
    size: int
    crc: int


def raw_zip(path: Path, parts: dict[str, bytes | Deflated]) -> Path:
    """Write a zip by hand, so that a part may be huge unpacked (and declare what it likes)."""
    directory, offset = [], 0
    with path.open("wb") as out:
        for name, part in parts.items():
            if not isinstance(part, Deflated):
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                part = Deflated(packer.compress(part) + packer.flush(), len(part), zlib.crc32(part))
            chunks = [part.packed] if isinstance(part.packed, bytes) else part.packed
            packed_size = sum(len(c) for c in chunks)
            encoded = name.encode()
            fields = (20, 0, 8, 0, 0, part.crc, packed_size, part.size, len(encoded), 0)
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + encoded)
            for chunk in chunks:
                out.write(chunk)
            directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields[:-2],
                                         len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
            offset = out.tell()
        start = out.tell()
        out.write(b"".join(directory))
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts),
                              out.tell() - start, start, 0))
    return path


def inflating_sheet(rows: int, block_rows: int = 300_000) -> Deflated:
    """Return a sheet of `rows` identical rows, deflated without ever holding it unpacked.

    A block of rows is deflated once, after a full flush (which resets the history), and its
    bytes repeated: a valid deflate stream of gigabytes in a few megabytes, written in a second.
    """
    row = b'<row r="2">' + _text_cell("A2", "x") + b"</row>"
    head, block, tail = _sheet(b"\0").split(b"\0")[0], row * block_rows, b"</sheetData></worksheet>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_head = packer.compress(head + HEADER_ROW) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_tail = packer.compress(tail) + packer.flush()
    copies = rows // block_rows
    crc = zlib.crc32(head + HEADER_ROW)
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(HEADER_ROW) + len(block) * copies + len(tail)
    return Deflated([packed_head, *[packed_block] * copies, packed_tail], size, crc)


# ---------------------------------------------------------------------------------------------
# Workbooks: bounded before calamine opens them


def test_one_cell_at_xfd1048576_is_refused_in_bounded_memory(tmp_path):
    # calamine would allocate 16,384 × 1,048,576 cells for this 10 KB file and abort.
    path = write_workbook(tmp_path / "records.xlsx", minimal_tables())
    workbook = openpyxl.load_workbook(path)
    workbook["sessions"]["XFD1048576"] = "x"
    workbook.save(path)
    assert path.stat().st_size < 20_000
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "A1:XFD1048576", "A1:GR200000")
    assert "1 error(s)" in run.output
    assert_bounded(run)


def test_sheet_unpacking_to_2_gb_is_refused_from_its_declared_size(tmp_path):
    sheet = inflating_sheet(rows=36_000_000)
    assert sheet.size > 2 * 2**30
    path = raw_zip(tmp_path / "records.xlsx", {
        **_index_parts(["sessions"]), "xl/worksheets/sheet1.xml": sheet})
    assert path.stat().st_size < 16 * 2**20
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "xl/worksheets/sheet1.xml unpacks to 2,",
                   "at most 200 MB each")
    assert "1 error(s)" in run.output
    assert_bounded(run)


@pytest.mark.slow
def test_sheet_of_2_gb_written_by_zipfile_is_refused(tmp_path):
    # The same inflation, written by the standard library's own zip writer rather than by hand.
    path = tmp_path / "records.xlsx"
    row = b'<row r="2">' + _text_cell("A2", "x") + b"</row>"
    block = row * 300_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _index_parts(["sessions"]).items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_sheet(b"\0").split(b"\0")[0] + HEADER_ROW)
            for _ in range(2 * 2**30 // len(block) + 1):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "unpacks to 2,", "at most 200 MB each")
    assert_bounded(run)


def test_workbook_unpacking_beyond_500_mb_in_all_is_refused(tmp_path):
    sheet = inflating_sheet(rows=3_000_000)  # 190 MB: each sheet is within the part limit
    assert sheet.size < bounds.MAX_PART_BYTES
    names = ["sessions", "visits", "fish"]
    path = raw_zip(tmp_path / "records.xlsx", {
        **_index_parts(names), **{f"xl/worksheets/sheet{n}.xml": sheet for n in (1, 2, 3)}})
    run = km_check(path, tmp_path)
    assert_refused(run, 1, str(path), "a workbook of at most 500 MB, unpacked", "unpacks to 5")
    assert_bounded(run)


def test_part_unpacking_beyond_its_declared_size_is_refused(tmp_path):
    # The directory says 1,000 bytes, with the CRC of those: zipfile stops there, content. The
    # stream goes on for 60 MB, and is refused as soon as it unpacks past what it declared.
    sheet = inflating_sheet(rows=1_000_000)
    unpacked = zlib.decompressobj(-15).decompress(b"".join(sheet.packed), 1000)
    lying = Deflated(sheet.packed, 1000, zlib.crc32(unpacked))
    path = raw_zip(tmp_path / "records.xlsx", {
        **_index_parts(["sessions"]), "xl/worksheets/sheet1.xml": lying})
    assert zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml") == unpacked
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "unpacks to more than its 1,000 bytes")
    assert_bounded(run)


def test_sheet_beyond_200000_rows_is_refused(tmp_path):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n)
                    for n in range(2, bounds.MAX_ROWS + 2))
    path = book(tmp_path / "records.xlsx", {"sessions": _sheet(HEADER_ROW + rows)})
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "this one spans A1:A200001")


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path):
    # No r attributes: the 201st cell of the row is in column GS, one past the limit.
    row = b'<row r="1">' + b"<c><v>1</v></c>" * (bounds.MAX_COLUMNS + 1) + b"</row>"
    path = book(tmp_path / "records.xlsx", {"sessions": _sheet(row)})
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "this one spans A1:GS1")


@pytest.mark.parametrize("cell", [b"x:c", b":c"])
def test_cell_with_a_namespace_prefix_counts(tmp_path, cell):
    # calamine takes the name after the first ":" as the local name, even after an empty prefix.
    sheet = _xml(b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                 b'main"><x:sheetData><x:row r="1"><%s r="XFD9"><x:v>1</x:v></%s></x:row>'
                 b"</x:sheetData></x:worksheet>" % (cell, cell))
    path = book(tmp_path / "records.xlsx", {"sessions": sheet})
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "this one spans A1:XFD9")


LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;")
                                                  * 10) for n in range(1, 10))
          + b"]>")


def test_entity_declarations_in_a_sheet_are_refused(tmp_path):
    sheet = _xml(LAUGHS + b"<worksheet " + MAIN + b'><sheetData><row r="1">'
                 + _text_cell("A1", "&lol9;") + b"</row></sheetData></worksheet>")
    path = book(tmp_path / "records.xlsx", {"sessions": sheet})
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "<!DOCTYPE>")
    assert_bounded(run)


def test_entity_declarations_in_the_shared_strings_are_refused(tmp_path):
    strings = _xml(LAUGHS + b"<sst " + MAIN + b' count="1" uniqueCount="1"><si><t>&lol9;</t>'
                   b"</si></sst>")
    sheet = _sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    path = book(tmp_path / "records.xlsx", {"sessions": sheet}, shared_strings=strings)
    run = km_check(path, tmp_path)
    assert_refused(run, 1, str(path), "xl/sharedStrings.xml declares one")
    assert_bounded(run)


def test_formula_without_a_saved_value_names_its_cell(tmp_path):
    # openpyxl writes formulas without their values, as a script generating a workbook would.
    path = write_workbook(tmp_path / "records.xlsx", minimal_tables())
    workbook = openpyxl.load_workbook(path)
    sessions = workbook["sessions"]
    column = next(c.column_letter for c in sessions[1] if c.value == "participants")
    sessions[f"{column}3"] = "=10+4"
    workbook.save(path)
    run = km_check(path, tmp_path)
    assert_refused(run, 1, "=10+4")
    [problem] = [p for p in problems(run) if p["value"] == "=10+4"]
    assert (problem["file"], problem["row"], problem["column"]) == (
        squash(f"{path} [sessions]"), "3", "participants")
    assert squash("a formula without a saved value: open and save the workbook in Excel or "
                  "LibreOffice") in problem["expected"]


def test_control_character_in_a_workbook_cell_is_named(tmp_path):
    # Excel writes a control character as _x001B_; calamine reads it back as ESC.
    path = write_workbook(tmp_path / "records.xlsx", minimal_tables())
    workbook = openpyxl.load_workbook(path)
    workbook["sessions"]["D2"] = "วงเรียนรู้_x001B_[2J"
    workbook.save(path)
    run = km_check(path, tmp_path)
    assert_refused(run, 1, f"{path} [sessions]", "U+001B")
    assert "\x1b" not in run.output
    [problem] = [p for p in problems(run) if "U+001B" in p["expected"]]
    assert (problem["row"], problem["column"], problem["value"]) == (
        "2", "title", squash("วงเรียนรู้\\x1b[2J"))


def test_file_that_is_no_zip_is_a_usage_error(tmp_path):
    path = tmp_path / "records.xlsx"
    path.write_bytes(b"session_id,date\nS1,2549-10-11\n")
    run = km_check(path, tmp_path)
    assert_refused(run, 2, str(path), "not an Excel workbook (.xlsx)")


def test_old_xls_saved_as_xlsx_is_a_usage_error(tmp_path):
    path = tmp_path / "records.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    run = km_check(path, tmp_path)
    assert_refused(run, 2, str(path), "Excel 97-2003 workbook (.xls)")


# ---------------------------------------------------------------------------------------------
# CSV files: read within bounds, or named


def test_csv_linked_to_dev_zero_is_named_not_read(tmp_path):
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    (folder / "notes.csv").symlink_to("/dev/zero")
    run = km_check(folder, tmp_path, timeout=60)
    assert_refused(run, 1, str(folder / "notes.csv"), "a CSV file; this is a device")
    assert_bounded(run)


def test_csv_that_is_a_folder_is_named(tmp_path):
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    (folder / "sessions.csv").unlink()
    (folder / "sessions.csv").mkdir()
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "sessions.csv"), "this is a folder")


def test_csv_that_is_a_named_pipe_is_named_without_waiting(tmp_path):
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    (folder / "sessions.csv").unlink()
    os.mkfifo(folder / "sessions.csv")
    run = km_check(folder, tmp_path, timeout=60)
    assert_refused(run, 1, str(folder / "sessions.csv"), "this is a named pipe (FIFO)")


def test_records_path_that_is_a_named_pipe_is_a_usage_error(tmp_path):
    path = tmp_path / "records.xlsx"
    os.mkfifo(path)
    run = km_check(path, tmp_path, timeout=60)
    assert_refused(run, 2, str(path), "a named pipe (FIFO), not records")


def test_empty_csv_is_named(tmp_path):
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    (folder / "sessions.csv").write_bytes(b"")
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "sessions.csv"), "a header row", "the file is empty")


def test_csv_beyond_200_mb_is_refused_unread(tmp_path):
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    with (folder / "sessions.csv").open("r+b") as stream:
        stream.truncate(bounds.MAX_CSV_BYTES + 1)  # sparse: no disk used, nothing to read
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "sessions.csv"), "a CSV file of at most 200 MB")
    assert_bounded(run)


def test_csv_line_of_two_million_cells_is_refused(tmp_path):
    # 2 MB of commas: pandas would make two million columns of it, and need gigabytes.
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    (folder / "notes.csv").write_bytes(b"date,title,text" + b"," * 2_000_000 + b"\n")
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "notes.csv"),
                   "lines of at most 200 cells; one has 2,000,003")
    assert_bounded(run)


def test_nul_in_a_csv_cell_is_named(tmp_path):
    folder = demo_with(tmp_path, "sessions", 3, "venue", "ศาลา\x00ประดู่หก")
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "sessions.csv"), "U+0000")
    [problem] = [p for p in problems(run) if "U+0000" in p["expected"]]
    assert (problem["row"], problem["column"], problem["value"]) == (
        "3", "venue", "ศาลา\\x00ประดู่หก")


def test_count_beyond_range_is_named(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "members", "99999999999999999999")
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "groups.csv"))
    [problem] = [p for p in problems(run) if p["level"] == "error"]
    assert (problem["row"], problem["column"], problem["value"], problem["expected"]) == (
        "2", "members", "99999999999999999999", squash("a whole number up to 999,999,999"))


def test_village_number_beyond_range_is_named(tmp_path):
    folder = demo_with(tmp_path, "groups", 2, "village_no", "-99999999999999999999")
    run = km_check(folder, tmp_path)
    assert_refused(run, 1, str(folder / "groups.csv"))
    [problem] = [p for p in problems(run) if p["column"] == "village_no"]
    assert (problem["row"], problem["expected"]) == ("2", squash("a whole number from 1 to 99"))


@pytest.mark.parametrize("length, code", [(SLUG_MAX, 0), (SLUG_MAX + 1, 1)])
def test_tambon_slug_is_at_most_40_characters(tmp_path, length, code):
    slug = "t" + "-" * (length - 2) + "x"
    folder = write_csv_folder(tmp_path / "records", minimal_tables())
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as stream:
            rows = [[slug if cell == "tharai" else cell for cell in row]
                    for row in csv.reader(stream)]
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream).writerows(rows)
    run = km_check(folder, tmp_path)
    assert_refused(run, code, str(folder))
    if code:
        [problem] = [p for p in problems(run) if p["column"] == "tambon"
                     and p["file"].endswith("tambons.csv")]
        assert problem["row"] == "2"
        assert squash("at most 40 characters") in problem["expected"]
