"""`km collect INBOX --data CURRENT`: what returned tambon workbooks bring (issue #15, item 5).

The workbooks are the real ones: `km template --tambon` from the demo data, edited with
openpyxl as a facilitator would edit them in a spreadsheet.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest

from km_analysis.cli import main
from km_analysis.records import load_records
from km_analysis.records.collect import Place, collect, compare, read_workbook

from ..conftest import DEMO_DATA

TAMBONS = ("bangjak", "tharai", "mamuangsongton")


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """Each tambon's own workbook, as `km template --tambon` writes it from the demo data."""
    folder = tmp_path_factory.mktemp("templates")
    books = {}
    for slug in TAMBONS:
        books[slug] = folder / f"km-entry-{slug}.xlsx"
        assert main(["template", "--tambon", slug, "--data", str(DEMO_DATA),
                     "--out", str(books[slug])]) == 0
    return books


@pytest.fixture(scope="module")
def current():
    return load_records(DEMO_DATA)


@pytest.fixture
def inbox(tmp_path, templates):
    """Return a function putting a tambon's fresh workbook into an empty inbox folder."""
    folder = tmp_path / "inbox"
    folder.mkdir()

    def returned(slug: str) -> Path:
        return Path(shutil.copy(templates[slug], folder / templates[slug].name))

    returned.folder = folder
    return returned


def _rows(book: Path, sheet: str) -> dict[str, int]:
    """Return {first cell: spreadsheet row} of a sheet."""
    ws = openpyxl.load_workbook(book)[sheet]
    return {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}


def _edit(book: Path, sheet: str, edits: dict[tuple[int, str], object] = (),
          append: list | None = None, delete: int | None = None) -> None:
    """Set cells {(row, column name): value}, append a row, delete a row; save."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for (row, column), value in dict(edits).items():
        ws.cell(row, header.index(column) + 1).value = value
    if append:
        ws.append(append)
    if delete:
        ws.delete_rows(delete)
    wb.save(book)


def _counts(brought, table: str) -> tuple[int, int, int, int, int]:
    [c] = [c for c in brought.counts if c.table == table]
    return c.rows, c.new, c.changed, c.unchanged, c.removed


def test_workbooks_returned_unchanged_bring_nothing(inbox, current, capsys):
    books = [read_workbook(inbox(slug)) for slug in ("bangjak", "tharai")]
    comparison = compare(current, books)
    assert not comparison.conflicts and not comparison.refused
    for brought in comparison.workbooks:
        assert not (brought.new or brought.changed or brought.removed), brought.workbook
        assert all(c.unchanged == c.rows for c in brought.counts)
    # A tambon's workbook holds neither the other tambons' rows nor every province-wide
    # session: none of them counts as removed.
    assert list(comparison.workbooks[0].tambons) == ["bangjak"]
    assert main(["collect", str(inbox.folder), "--data", str(DEMO_DATA)]) == 0
    out = capsys.readouterr().out
    assert out.count("no change: every row is already in the records") == 2
    assert "2 workbook(s) compared with data" in out.replace(str(DEMO_DATA), "data")


def test_a_changed_value_a_new_row_and_removed_fish_are_named(inbox, current):
    book = inbox("bangjak")
    sessions = _rows(book, "sessions")
    venue = current.sessions.set_index("session_id").at["S05", "venue"]
    # Typed differently but the same once parsed: a Thai date as text, the tambon's Thai name.
    _edit(book, "sessions", {(sessions["S05"], "venue"): "วัดบางจาก",
                             (sessions["S05"], "date"): "27/09/2549",
                             (sessions["S05"], "tambon"): "บางจาก"},
          append=["S30", "15/11/2549", "วงเรียนรู้", "วงเรียนรู้กองทุนหมู่บ้าน ครั้งที่ ๓",
                  "bangjak", None, "ตามกำหนดการ"])
    fish = openpyxl.load_workbook(book)["fish"]
    first, second = [r for r in range(2, fish.max_row + 1) if fish.cell(r, 2).value][:2]
    edited, dropped = fish.cell(first, 2).value, fish.cell(second, 2).value
    _edit(book, "fish", {(first, "item"): f"{edited} ภายในปี 2550"}, delete=second)

    [brought] = compare(current, [read_workbook(book)]).workbooks

    assert _counts(brought, "sessions") == (6, 1, 1, 4, 0)
    [change] = brought.changed
    assert (change.table, change.key, change.columns) == (
        "sessions", "S05", (("venue", venue, "วัดบางจาก"),))
    assert change.place == Place(str(book), "sessions", sessions["S05"])
    assert change.was == Place(str(DEMO_DATA / "sessions.csv"), "",
                               int(current.sessions.index[current.sessions.session_id == "S05"][0]))
    [new_session, new_fish] = brought.new
    assert (new_session.key, new_session.place.row) == ("S30", max(sessions.values()) + 1)
    # Fish have no id: the edited item is one removed and one new row, beside the deleted one.
    assert _counts(brought, "fish") == (6, 1, 0, 5, 2)
    assert new_fish.key.endswith(f"{edited} ภายในปี 2550")
    assert sorted(r.key.split(" · ")[-1] for r in brought.removed) == sorted([edited, dropped])
    assert all(r.was.source == str(DEMO_DATA / "fish.csv") for r in brought.removed)


@pytest.mark.parametrize("typed", ["cell", "Thai text"])
def test_a_date_cell_and_the_same_date_typed_in_thai_are_the_same(inbox, current, typed):
    book = inbox("tharai")
    [(action, row)] = _rows(book, "actions").items()
    raised = current.actions.set_index("action_id").at[action, "raised"]
    value = (raised.to_pydatetime() if typed == "cell"
             else f"{raised.day}/{raised.month}/{raised.year + 543}")
    _edit(book, "actions", {(row, "raised"): value})
    [brought] = compare(current, [read_workbook(book)]).workbooks
    assert _counts(brought, "actions") == (1, 0, 0, 1, 0)


def test_two_workbooks_bringing_one_id_differently_is_a_conflict_naming_both(inbox, current,
                                                                             capsys):
    bangjak, tharai = inbox("bangjak"), inbox("tharai")
    # S06 is a province-wide circle both tambons' rows refer to.
    _edit(bangjak, "sessions", {(_rows(bangjak, "sessions")["S06"], "participants"): 16})
    _edit(tharai, "sessions", {(_rows(tharai, "sessions")["S06"], "participants"): 15})
    # A person's tambon by its Thai name in one workbook and by its slug in the other is one
    # value once loaded: no conflict, and no change.
    _edit(tharai, "people", {(_rows(tharai, "people")["P08"], "tambon"): "บางจาก"})

    comparison = compare(current, [read_workbook(bangjak), read_workbook(tharai)])

    [conflict] = comparison.conflicts
    assert (conflict.table, conflict.key, conflict.columns) == (
        "sessions", "S06", (("participants", 16, 15),))
    assert [(p.source, p.sheet, p.row) for p in conflict.places] == [
        (str(bangjak), "sessions", _rows(bangjak, "sessions")["S06"]),
        (str(tharai), "sessions", _rows(tharai, "sessions")["S06"])]
    # Each workbook alone changes S06 against the current records, and only S06.
    assert [[c.key for c in b.changed] for b in comparison.workbooks] == [["S06"], ["S06"]]

    assert main(["collect", str(inbox.folder), "--data", str(DEMO_DATA)]) == 1
    out = capsys.readouterr().out
    rows = _rows(bangjak, "sessions")["S06"], _rows(tharai, "sessions")["S06"]
    assert (f"conflict: sessions S06, participants: '16' in {bangjak} [sessions] row {rows[0]}; "
            f"'15' in {tharai} [sessions] row {rows[1]}") in out.splitlines()
    assert "1 conflict(s) between workbooks" in out


def test_a_refused_workbook_shows_every_problem_and_the_others_are_still_compared(
        inbox, capsys):
    good, bad = inbox("bangjak"), inbox("mamuangsongton")
    first, second = list(_rows(bad, "visits").values())[:2]
    _edit(bad, "visits", {(first, "planned"): "31/02/2549", (second, "status"): "ไปแล้ว"})
    sessions = _rows(good, "sessions")
    _edit(good, "sessions", {(sessions["S05"], "venue"): "วัดบางจาก"})

    comparison = collect(inbox.folder, DEMO_DATA)

    [ok, refused] = comparison.workbooks
    assert refused.refused and not ok.refused
    assert [(p.file, p.row, p.column, p.value) for p in refused.problems if p.level == "error"
            ] == [(f"{bad} [visits]", first, "planned", "31/02/2549"),
                  (f"{bad} [visits]", second, "status", "ไปแล้ว")]
    assert [c.key for c in ok.changed] == ["S05"]

    assert main(["collect", str(inbox.folder), "--data", str(DEMO_DATA)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: refused, 2 error(s)" in out
    assert "31/02/2549" in out and "ไปแล้ว" in out and "วัดบางจาก" in out
    assert "1 workbook(s) compared" in out and "1 refused" in out


def test_rows_the_current_records_refuse_are_left_out_and_said_so(inbox, tmp_path, capsys):
    data = shutil.copytree(DEMO_DATA, tmp_path / "data")
    with open(data / "sessions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    next(r for r in rows if r["session_id"] == "S05")["date"] = "31/02/2549"
    with open(data / "sessions.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    inbox("bangjak")
    assert main(["collect", str(inbox.folder), "--data", str(data)]) == 0
    captured = capsys.readouterr()
    assert f"1 record error(s) in {data}: the rows that hold them are left out" in captured.err
    [line] = [line for line in captured.out.splitlines() if " S05 " in line]
    assert [cell.strip() for cell in line.split("│")[1:4]] == ["new", "sessions", "S05"]


def test_a_file_that_is_no_workbook_is_refused_beside_the_others(inbox):
    inbox("tharai")
    broken = inbox.folder / "scan.xlsx"
    broken.write_bytes(b"not a zip")
    comparison = collect(inbox.folder, DEMO_DATA)
    [refused] = comparison.refused
    assert refused.workbook == str(broken) and refused.problems[0].file == str(broken)
    assert len(comparison.workbooks) == 2


@pytest.mark.parametrize("case", ["missing", "file", "empty", "bad data"])
def test_usage_errors_exit_2(tmp_path, case, capsys):
    inbox = tmp_path / "inbox"
    data = str(DEMO_DATA)
    if case == "file":
        inbox.write_text("x")
    elif case in ("empty", "bad data"):
        inbox.mkdir()
        (inbox / "sessions.csv").write_text("session_id\n")  # CSV files are not collected
    if case == "bad data":
        shutil.copy(DEMO_DATA / "tambons.csv", inbox / "book.xlsx")
        data = str(tmp_path / "nowhere")
    assert main(["collect", str(inbox), "--data", data]) == 2
    err = capsys.readouterr().err
    assert (data if case == "bad data" else str(inbox)) in err and "Traceback" not in err


def test_help_gives_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["collect", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "0 no conflicts" in out and "1 conflicts or refused workbooks" in out
    assert "2 usage" in out and "Nothing is written" in out


def test_nothing_is_written(inbox, tmp_path):
    inbox("bangjak")

    def files():
        return {p: p.stat().st_mtime_ns for folder in (tmp_path, DEMO_DATA)
                for p in folder.rglob("*")}

    before = files()
    assert main(["collect", str(inbox.folder), "--data", str(DEMO_DATA)]) == 0
    assert files() == before
