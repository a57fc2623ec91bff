"""The entry workbook: an Excel file facilitators fill in, that `load_records` reads back.

One sheet per table of the schema, in schema order, with the English column names the loader
reads in row 1, each explained in Thai by a note on its header cell. Code columns drop down their
Thai labels; reference columns drop down "id – name" (the loader reads the id before the dash),
and pre-filled rows hold their references in that very form, so Calc's and Excel's own validity
checks pass them. The dropdowns' lists live on a hidden sheet "_lists", which the loader skips
like every sheet whose name starts with "_"; a reference's list picks its rows up by position
from the whole column of its sheet, so a row inserted anywhere reaches the dropdowns.

Date columns are text cells: what a facilitator types (15/11/2549, 15/11/49, 15 พ.ย. 2549) is
what the cell shows and what the loader parses. Tried in LibreOffice Calc 7.4: no date format
reads a typed พ.ศ. year as one (2549 is stored as ค.ศ. 2549, shown as 3092 under a Buddhist-year
format) and a two-digit year becomes 1950 (Excel, not tried here, reads 50 as 1950 too).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from .. import thai
from ..scope import row_tambons
from .schema import TABLES, YES_NO, Field, Table

LIST_SHEET = "_lists"
ROWS = 2000  # rows below the header that carry the dropdowns and formats
TEXT_FORMAT = "@"
INTEGER_FORMAT = "0"
DASH = " – "
FILLED_TABLES = ("tambons", "people", "groups", "competencies")
# A tambon's workbook holds every row of these, so that every reference resolves.
SHARED_TABLES = ("tambons", "people", "competencies")
# The column shown after the id in a reference's dropdown.
NAME_COLUMNS = {"tambons": "name_th", "people": "name", "groups": "name", "sessions": "title",
                "competencies": "name_th"}
HEADER_FILL = "DDDDDD"
AUTHOR = "km-workbook"


def write_template(path: str | Path, records=None, tambon: str | None = None) -> Path:
    """Write the entry workbook to `path` (.xlsx) and return the path.

    With `records`, the tambons, people, groups and competencies sheets are filled in from them
    (codes as Thai labels, references and competencies as their dropdowns offer them, dates as
    Thai text), so that facilitators pick tambons, people, groups and competencies
    from the dropdowns; the workbook then loads with `load_records` to the same frames. With
    `tambon` (a slug) too, every sheet holds that tambon's rows (`tambon_rows`) instead.
    """
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {name: workbook.create_sheet(name) for name in TABLES}
    lists = workbook.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    frames = records.frames() if records is not None else {}
    if tambon is not None:
        filled = tambon_rows(frames, tambon)
    else:
        filled = {name: frames[name] for name in FILLED_TABLES if name in frames}
    book_lists = _Lists(lists, filled)
    for name, table in TABLES.items():
        _write_sheet(sheets[name], table, filled.get(name), book_lists)
    workbook.calculation.fullCalcOnLoad = True  # the lists' formulas have no cached values
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def tambon_rows(frames: dict[str, pd.DataFrame], tambon: str) -> dict[str, pd.DataFrame]:
    """Return the rows a tambon's entry workbook holds: the shared tables whole, the tambon's
    own rows (scope.row_tambons), its people's attendance at province-wide sessions, and the
    province-wide sessions its rows refer to, so that `km check` passes on the workbook alone.
    Other province-wide rows (shared circles, province actions, the overview's notes) stay in
    the coordinator's records."""
    own = {name: frames[name][row_tambons(frames, name).eq(tambon).fillna(False).to_numpy(bool)]
           for name in frames if name not in SHARED_TABLES}
    people = frames["people"]
    home = people.loc[people["tambon"].eq(tambon).fillna(False).to_numpy(bool), "person_id"]
    attendance = frames["attendance"]
    wide = set(frames["sessions"]["session_id"][row_tambons(frames, "sessions").isna()
                                                .to_numpy(bool)])
    theirs = (attendance["person_id"].isin(set(home)) & attendance["session_id"].isin(wide))
    own["attendance"] = attendance[own_rows(attendance, own["attendance"]) | theirs.to_numpy()]
    referred = set()
    for name, frame in own.items():
        if name != "sessions" and "session_id" in frame.columns:
            referred |= set(frame["session_id"].dropna())
    sessions = frames["sessions"]
    own["sessions"] = sessions[own_rows(sessions, own["sessions"])
                               | sessions["session_id"].isin(referred & wide).to_numpy()]
    return {name: (frames[name] if name in SHARED_TABLES else own[name]) for name in TABLES}


def own_rows(frame: pd.DataFrame, chosen: pd.DataFrame):
    """Return, per row of `frame`, whether it is one of the rows `chosen` from it."""
    return frame.index.isin(chosen.index)


def dropdown_values(field: Field, frames: dict[str, pd.DataFrame] | None = None) -> list[str]:
    """Return the values a column's dropdown offers for the given (filled) tables' rows.

    Thai labels for a code column; "id – name" for a reference; the Thai names of the
    competencies for assessments.competency. [] for other columns.
    """
    if field.kind in ("code", "yesno"):
        return list((field.codes or {}).values())
    return list(choice_labels(field, frames or {}).values())


def choice_labels(field: Field, frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Return {id: what the dropdown offers for it} for a reference or competency column:
    "id – name", or the id alone when the row has no name; a competency's Thai name."""
    target = _list_target(field)
    if target is None or target[0] not in frames:
        return {}
    table, column = target
    frame = frames[table]
    names = frame.get(NAME_COLUMNS[table])
    labels = {}
    for row, key in frame[column].items():
        if pd.isna(key):
            continue
        name = None if names is None or pd.isna(names.get(row)) else str(names.get(row))
        if name is None:
            labels[str(key)] = str(key)
        else:
            labels[str(key)] = name if table == "competencies" else f"{key}{DASH}{name}"
    return labels


def _list_target(field: Field) -> tuple[str, str] | None:
    """Return the (table, column) a column's dropdown lists, or None."""
    if field.kind == "ref" and field.ref is not None:
        return field.ref
    if field.name == "competency" and field.kind == "text":
        return ("competencies", "competency")
    return None


class _Lists:
    """The hidden sheet of dropdown lists: one column per list, made once and shared."""

    def __init__(self, sheet, filled: dict[str, pd.DataFrame]):
        self.sheet = sheet
        self.filled = filled
        self.ranges: dict[tuple, str] = {}
        self.columns = 0

    def source(self, field: Field) -> str | None:
        """Return the data-validation source (formula1) of a field's dropdown, or None."""
        if field.kind in ("code", "yesno"):
            key = ("codes", tuple(field.codes or {}))
            if key not in self.ranges:
                self.ranges[key] = self._static(field, dropdown_values(field))
            return self.ranges[key]
        target = _list_target(field)
        if target is None:
            return None
        if target not in self.ranges:
            self.ranges[target] = self._growing(field, target)
        return self.ranges[target]

    def _new_column(self, heading: str) -> int:
        self.columns += 1
        self.sheet.cell(1, self.columns, heading)
        return self.columns

    def _static(self, field: Field, values: list[str]) -> str:
        from openpyxl.utils import get_column_letter

        column = self._new_column(field.name)
        for row, value in enumerate(values, start=2):
            put_value(self.sheet, row, column, value)
        letter = get_column_letter(column)
        return f"'{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    def _growing(self, field: Field, target: tuple[str, str]) -> str:
        """List the rows of the target sheet by position, whatever they hold now or later.

        Row r of the list reads row r of the whole columns ('groups'!$A:$A), which no inserted
        or deleted row moves; a reference to a cell would move down with the row it points
        at and leave an inserted row out. The dropdown's range stops at the last non-blank
        entry, so the blanks below the records do not show as choices.
        """
        from openpyxl.utils import get_column_letter

        table, column_name = target
        table_def = TABLES[table]
        column = self._new_column(f"{table}.{column_name}")
        name_column = NAME_COLUMNS[table]

        def whole(name: str) -> str:
            letter = get_column_letter(table_def.columns.index(name) + 1)
            return f"'{table}'!${letter}:${letter}"

        for source_row in range(2, ROWS + 2):
            key = f"INDEX({whole(column_name)},{source_row})"
            name = f"INDEX({whole(name_column)},{source_row})"
            if table == "competencies":
                formula = f'=IF({key}="","",IF({name}="",{key},{name}))'
            else:
                formula = f'=IF({key}="","",IF({name}="",{key},{key}&"{DASH}"&{name}))'
            self.sheet.cell(source_row, column, formula)
        letter = get_column_letter(column)
        entries = f"'{LIST_SHEET}'!${letter}$2:${letter}${ROWS + 1}"
        last = f"SUMPRODUCT(MAX(({entries}<>\"\")*ROW({entries})))-1"
        return f"OFFSET('{LIST_SHEET}'!${letter}$2,0,0,MAX(1,{last}),1)"


def _write_sheet(sheet, table: Table, frame: pd.DataFrame | None, lists: _Lists) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    extra = ([c for c in frame.columns if c not in table.columns and not c.startswith("_")]
             if frame is not None else [])
    headers = table.columns + extra
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for index, name in enumerate(headers, start=1):
        cell = sheet.cell(1, index, name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
        if name in table.columns:
            note = Comment(header_note(table, table.field(name)), AUTHOR)
            note.width, note.height = 340, 190
            cell.comment = note
    sheet.freeze_panes = "A2"
    if frame is not None:
        _write_rows(sheet, table, frame, headers, lists.filled)
    for index, name in enumerate(headers, start=1):
        letter = get_column_letter(index)
        field = table.field(name) if name in table.columns else None
        dimension = sheet.column_dimensions[letter]
        dimension.width = _column_width(name, field, frame, lists)
        if field is None:
            continue
        dimension.number_format = _number_format(field)
        source = lists.source(field)
        if source is None:
            continue
        strict = field.kind in ("code", "yesno")
        validation = DataValidation(
            type="list", formula1=source, allow_blank=True,
            showErrorMessage=True, errorStyle="stop" if strict else "warning",
            errorTitle=field.label_th,
            error=("เลือกจากรายการเท่านั้น" if strict else
                   "ไม่พบในรายการ: เลือกจากรายการ หรือพิมพ์รหัสที่มีอยู่แล้ว"),
        )
        validation.add(f"{letter}2:{letter}{ROWS + 1}")
        sheet.add_data_validation(validation)


def put_value(sheet, row: int, column: int, value):
    """Return the cell written with `value`; text is always a string cell, never a formula.

    openpyxl takes any text beginning with "=" for a formula: a name typed "=HYPERLINK(…)"
    would become a live formula in every facilitator's workbook.
    """
    cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _write_rows(sheet, table: Table, frame: pd.DataFrame, headers: list[str],
                filled: dict[str, pd.DataFrame]) -> None:
    fields = [table.field(name) if name in table.columns else None for name in headers]
    labels = [choice_labels(field, filled) if field is not None else {} for field in fields]
    for row_number, (_, row) in enumerate(frame.iterrows(), start=2):
        for index, (name, field) in enumerate(zip(headers, fields), start=1):
            value = _cell_value(field, row[name], labels[index - 1])
            if value is None:
                continue
            cell = put_value(sheet, row_number, index, value)
            if field is not None:
                cell.number_format = _number_format(field)


def _cell_value(field: Field | None, value, labels: dict[str, str]):
    """Return a parsed value as the cell a facilitator would have typed: codes in Thai, a
    reference as its dropdown offers it (`labels`), a date as Thai text (11 ต.ค. 2549)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if field is None:
        return str(value)
    if field.kind == "code":
        return (field.codes or {}).get(str(value), str(value))
    if field.kind == "yesno":
        return YES_NO["yes" if bool(value) else "no"]
    if field.kind == "date":
        return thai.format_date(pd.Timestamp(value))
    if field.kind in ("int", "count"):
        return int(value)
    return labels.get(str(value), str(value))


def _number_format(field: Field) -> str:
    if field.kind in ("int", "count"):
        return INTEGER_FORMAT
    return TEXT_FORMAT


_KIND_NOTES = {
    "id": "รหัสที่ไม่ซ้ำกับแถวอื่น",
    "slug": "ชื่อย่อภาษาอังกฤษ: ตัวพิมพ์เล็ก ตัวเลข หรือ - ขึ้นต้นด้วยตัวอักษร",
    "text": "ข้อความ",
    "date": ("วันที่ ปี พ.ศ. พิมพ์ เช่น 15/11/2549, 15/11/49 หรือ 15 พ.ย. 2549 "
             "(ช่องนี้เป็นข้อความ: แสดงและอ่านตามที่พิมพ์)"),
    "yesno": "เลือก ใช่ หรือ ไม่ใช่",
}


def header_note(table: Table, field: Field) -> str:
    """Return the Thai note on a column's header: what to type, and an example."""
    need = "ต้องกรอก" if field.required else "ไม่บังคับ"
    lines = [f"{field.label_th} ({need})"]
    if field.kind == "code":
        lines.append("เลือกจากรายการ: " + ", ".join((field.codes or {}).values()))
        if field.default:
            lines.append(f"เว้นว่าง = {(field.codes or {}).get(field.default, field.default)}")
    elif field.kind == "ref":
        target = TABLES[field.ref[0]]
        lines.append(f"เลือกจากรายการ{target.label_th} (รหัส – ชื่อ) หรือพิมพ์รหัส "
                     f"({field.ref[0]}.{field.ref[1]})")
    elif field.kind in ("int", "count"):
        low = 0 if field.low is None else field.low
        lines.append(f"จำนวนเต็ม {low}–{field.high}" if field.high is not None
                     else f"จำนวนเต็มตั้งแต่ {low} ขึ้นไป")
    elif field.name == "competency" and table.name == "assessments":
        lines.append("เลือกชื่อความสามารถจากรายการ หรือพิมพ์รหัสความสามารถ")
    else:
        lines.append(_KIND_NOTES.get(field.kind, "ข้อความ"))
    if field.example:
        lines.append(f"ตัวอย่าง: {field.example}")
    lines.append(f"({field.name}: {field.meaning})")
    return "\n".join(lines)


def _column_width(name: str, field: Field | None, frame, lists: _Lists) -> float:
    """Return a column width (in characters) that shows the header and typical values."""
    texts = [name]
    if field is not None:
        texts += [field.example, field.label_th]
        if field.kind in ("code", "yesno"):
            texts += list((field.codes or {}).values())
        if field.kind == "date":
            texts.append("11 ต.ค. 2549")
    if frame is not None and name in frame.columns:
        texts += [str(v) for v in frame[name].dropna().head(200)]
    if field is not None and _list_target(field) is not None:
        texts += dropdown_values(field, lists.filled)[:200]
    widest = max((_visible_length(t) for t in texts), default=8)
    return float(min(max(widest * 1.1 + 2, 10), 50))


def _visible_length(text: str) -> int:
    """Return how many characters of text take room (Thai marks sit on their base)."""
    return sum(1 for char in str(text) if not unicodedata.combining(char)
               and not (char == "\u0e31" or "\u0e34" <= char <= "\u0e3a"
                        or "\u0e47" <= char <= "\u0e4e"))
