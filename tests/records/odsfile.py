"""Writing a small OpenDocument spreadsheet (.ods) by hand, as LibreOffice lays one out."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def cell(value) -> str:
    """Return a cell: blank, a date cell for a date, else a text cell."""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" '
                f'office:date-value="{value.isoformat()}"><text:p>{value}</text:p>'
                "</table:table-cell>")
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")


def write_ods(path: Path, tables: dict[str, list[dict]], tail: str = "") -> Path:
    """Write each table as a sheet of an .ods workbook; `tail` is raw XML ending each sheet."""
    body = []
    for name, rows in tables.items():
        header: list[str] = []
        for row in rows:
            header += [k for k in row if k not in header]
        lines = [header] + [[row.get(column, "") for column in header] for row in rows]
        body.append(f"<table:table table:name={quoteattr(name)}>")
        body += ["<table:table-row>" + "".join(map(cell, line)) + "</table:table-row>"
                 for line in lines]
        body.append(tail + "</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES} '
               'office:version="1.2"><office:body><office:spreadsheet>' + "".join(body)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE)  # stored, first, as ODF asks
        book.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        book.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path
