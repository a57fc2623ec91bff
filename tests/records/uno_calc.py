"""LibreOffice Calc driven as a facilitator drives it, through Python-UNO.

Python-UNO lives in Debian's /usr/bin/python3, not in the project's environment, so the tests
run this file as a script: `/usr/bin/python3 uno_calc.py PIPE < steps.json`. It connects to a
running `soffice --accept=pipe,name=PIPE;urp;`, runs the steps (a JSON list) and prints one JSON
result per step. Standard library and UNO only: nothing of km_analysis is importable here.

Typing is emulated on the document, as Calc enters a confirmed entry: a text cell ("@") keeps
the text; any other cell takes what its number format's input parser reads (the document's
number formatter: the format's locale, its date order, its two-digit-year window), else the
text. In LibreOffice 7.4 this gives what the dispatched Enter key (`.uno:EnterString`) gives —
15/11/2549 under a Buddhist-year date format is 15 พ.ย. 3092, 15/11/50 is 1950 — while
`XCell.setFormula` reads like en-US and keeps both as text. The dispatcher and the view are
not used: in a headless 7.4 their scheduled tasks abort soffice ("Unspecified Application
Error") after a few commands. A row is inserted with `XTableRows.insertByIndex`, the insertion
of Sheet > Insert Rows: the new row takes the formats and validity of the row above it.

Steps, each a one-key object:
  {"open": path}                       open a workbook (hidden)
  {"type": [sheet, cell, text]}        type text into a cell and confirm it
  {"insert_row": [sheet, row]}         Sheet > Insert Rows > Rows Above at a row (1-based)
  {"show": [sheet, cell]}              what the cell shows, holds and is: {shown, value, kind}
  {"choices": [sheet, cell]}           the entries of the cell's dropdown, as Calc evaluates them
  {"invalid": null}                    the cells Tools > Detective > Mark Invalid Data circles:
                                       ["sheet!A1: value", …]
  {"save": [path, filter]}             store as (filter "Calc MS Excel 2007 XML" or "calc8")
  {"close": null}
"""

from __future__ import annotations

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

CONNECT_SECONDS = 60
SCRATCH_CELL = "AMJ1"  # Calc 7.4's last column
CLEAR_ALL = 1023  # com.sun.star.sheet.CellFlags: every kind of content
TEXT, FORMULA = "TEXT", "FORMULA"  # com.sun.star.table.CellContentType
TEXT_FORMAT = 256  # com.sun.star.util.NumberFormat.TEXT


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def connect(pipe: str):
    """Return the component context of the soffice listening on `pipe`, waiting for it to start."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    return context


class Calc:
    def __init__(self, context):
        self.desktop_context = context
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)
        self.doc = None

    def open(self, path):
        self.doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True),))
        return self.doc is not None

    def _cell(self, sheet, name):
        return self.doc.Sheets.getByName(sheet).getCellRangeByName(name)

    def type(self, sheet, name, text):
        """Enter text as Calc enters a typed entry: a formula; text in a text cell; else what
        the cell's number format reads it as (its locale's date order, its two-digit years:
        the number formatter's own input parser), or text when it reads no number."""
        cell = self._cell(sheet, name)
        key = cell.NumberFormat
        if text.startswith("="):
            cell.setFormula(text)
        elif self.doc.NumberFormats.getByKey(key).Type == TEXT_FORMAT:
            cell.setString(text)
        else:
            try:
                cell.setValue(self._formatter().convertStringToNumber(key, text))
            except Exception:  # IllegalArgumentException: not a number in this format
                cell.setString(text)
        return self.show(sheet, name)

    def _formatter(self):
        formatter = self.desktop_context.ServiceManager.createInstanceWithContext(
            "com.sun.star.util.NumberFormatter", self.desktop_context)
        formatter.attachNumberFormatsSupplier(self.doc)
        return formatter

    def insert_row(self, sheet, row):
        self.doc.Sheets.getByName(sheet).Rows.insertByIndex(row - 1, 1)
        return True

    def show(self, sheet, name):
        cell = self._cell(sheet, name)
        kind = cell.getType().value
        if kind == FORMULA:
            kind = "FORMULA:" + ("TEXT" if cell.getError() == 0 and cell.getString()
                                 and cell.FormulaResultType2.value == TEXT else "VALUE")
        return {"shown": cell.getString(), "value": cell.getValue(), "kind": kind}

    def choices(self, sheet, name):
        """Return the dropdown's entries as Calc evaluates its list formula: joined by line
        breaks in a scratch cell at the far end of row 1 of the cell's sheet, cleared again.
        (A scratch sheet would do, but inserting and removing sheets trips the headless
        abort described above.)"""
        formula = self._cell(sheet, name).Validation.getFormula1()
        scratch = self._cell(sheet, SCRATCH_CELL)
        scratch.setFormula(f"=TEXTJOIN(CHAR(10);0;{formula})")
        joined = scratch.getString()
        scratch.clearContents(CLEAR_ALL)
        return joined.split("\n")

    def invalid(self):
        """Return the cells whose value is not in their dropdown (sheet!cell: value): what
        Tools > Detective > Mark Invalid Data circles (that command itself needs the view)."""
        return [mark for sheet in self.doc.Sheets if not sheet.Name.startswith("_")
                for mark in self._not_in_list(sheet)]

    def _not_in_list(self, sheet):
        cursor = sheet.createCursor()
        cursor.gotoStartOfUsedArea(False)
        cursor.gotoEndOfUsedArea(True)
        data = cursor.getDataArray()  # the header row is row 1: the used area starts there
        lists, marked = {}, []
        for row, values in enumerate(data[1:], start=1):
            for column, value in enumerate(values):
                if value == "":
                    continue
                cell = sheet.getCellByPosition(column, row)
                validation = cell.Validation
                if validation.Type.value != "LIST":
                    continue
                name = cell.AbsoluteName.split(".")[-1].replace("$", "")
                formula = validation.getFormula1()
                if formula not in lists:
                    lists[formula] = set(self.choices(sheet.Name, name))
                if cell.getString() not in lists[formula]:
                    marked.append(f"{sheet.Name}!{name}: {cell.getString()}")
        return marked

    def save(self, path, filter_name):
        self.doc.storeToURL(uno.systemPathToFileUrl(path), (prop("FilterName", filter_name),))
        return path

    def close(self, _=None):
        self.doc.close(True)
        self.doc = None
        return True


def main(pipe: str) -> None:
    calc = Calc(connect(pipe))
    for step in json.load(sys.stdin):
        [(action, args)] = step.items()
        method = getattr(calc, action)
        if isinstance(args, list):
            result = method(*args)
        else:
            result = method(args) if args is not None else method()
        print(json.dumps({action: result}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
