"""A small table formatter: frames to escaped HTML tables in the report's Thai style.

Every value from the records is escaped here, once: record text is data, so a title such as
`<script>` appears in the PDF as those characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from .. import thai

# "as_typed": a value quoted as the user typed it (its digits are kept); "text" follows the
# report's numerals, as every other digit in it does.
Kind = Literal["text", "as_typed", "date", "number", "percent", "label", "state"]


# The key of a section's Jupyter output metadata that the exporter reads (report/exporters.py).
OUTPUT_METADATA_KEY = "km"


class Html(str):
    """HTML that notebooks display as HTML (and nbconvert exports as such).

    Jinja (and markupsafe) take it as markup, not as text to escape again.
    """

    def _repr_html_(self) -> str:
        return str(self)

    def __html__(self) -> str:
        return str(self)

    def __add__(self, other: str) -> Html:
        return Html(str(self) + str(other))


class HtmlWithMetadata(Html):
    """HTML that also hands the exporter facts about the document, as Jupyter output metadata.

    IPython keeps the metadata `_repr_mimebundle_` returns with the output, papermill keeps it
    in the executed notebook, and the exporter reads `output.metadata["km"]` (the document's
    title, the PDF's metadata): the facts never travel inside the HTML.
    """

    metadata: dict

    def __new__(cls, html: str, **metadata) -> HtmlWithMetadata:
        self = super().__new__(cls, html)
        self.metadata = metadata
        return self

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        return {"text/html": str(self)}, {OUTPUT_METADATA_KEY: self.metadata}


def escape(value) -> str:
    """Return a value as escaped text ('' for blanks)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def whole_words(text: str) -> str:
    """Return text escaped, each Thai word (`thai.words`) in a no-wrap span, so that a table
    cell's lines break only between words: never "ความคืบ|หน้า", "ต.ท่า|ไร่".

    Pango breaks Thai by its own dictionary, inside words that newmm keeps whole; a no-wrap
    span forbids that, and a <wbr> between two spans allows a break where newmm has one (two
    no-wrap spans side by side would never break). Text without Thai is only escaped.
    """
    text = str(text)
    if not _THAI.search(text):
        return html.escape(text)
    parts: list[str] = []
    after_word = False
    for unit in thai.words(text):
        if unit.isspace():
            parts.append(html.escape(unit))
            after_word = False
            continue
        if after_word:
            parts.append("<wbr>")
        escaped = html.escape(unit)
        parts.append(f'<span class="w">{escaped}</span>' if _THAI.search(unit) else escaped)
        after_word = True
    return "".join(parts)


_THAI = re.compile("[\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Column:
    """How one column of a frame is shown: its Thai header and how its cells are written."""

    name: str
    header: str
    kind: Kind = "text"
    labels: Mapping[str, str] | None = None  # code -> Thai label, for "label" and "state"
    width: str = ""  # a CSS width such as "12%": Thai words must not be squeezed mid-word


def cell(value, column: Column, numerals: str = "arabic") -> str:
    """Return the escaped HTML of one cell."""
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return ""
    if column.kind == "date":
        return escape(thai.format_date(value, numerals=numerals))
    if column.kind == "number":
        return escape(thai.format_number(value, numerals=numerals))
    if column.kind == "percent":
        return escape(percent(value, numerals))
    if column.kind in ("label", "state"):
        label = whole_words(thai.in_numerals(str((column.labels or {}).get(str(value), value)),
                                             numerals))
        if column.kind == "state":
            return f'<span class="state state-{escape(value)}">{label}</span>'
        return label
    if column.kind == "as_typed":
        return whole_words(value)
    return whole_words(thai.in_numerals(str(value), numerals))


def percent(value: float, numerals: str = "arabic") -> str:
    """Return a share (0.0-1.0) as a whole percentage, e.g. '67%'."""
    return thai.format_number(round(float(value) * 100), numerals=numerals) + "%"


def html_table(
    frame: pd.DataFrame,
    columns: list[Column],
    numerals: str = "arabic",
    empty: str = "ไม่มีรายการ",
    css_class: str = "",
) -> Html:
    """Return `frame` as an HTML table of `columns`, or the `empty` sentence when it has no rows."""
    if frame.empty:
        return paragraph(empty, "empty")
    numeric = ("number", "percent")
    head = "".join(
        f'<th class="{"num" if c.kind in numeric else ""}"{_width(c)}>{whole_words(c.header)}</th>'
        for c in columns
    )
    rows = []
    for record in frame[[c.name for c in columns]].itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{_cell_class(c)}">{cell(value, c, numerals)}</td>'
            for value, c in zip(record, columns)
        )
        rows.append(f"<tr>{cells}</tr>")
    class_attribute = f' class="{escape(css_class)}"' if css_class else ""
    return Html(f"<table{class_attribute}><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def _width(column: Column) -> str:
    return f' style="width: {escape(column.width)}"' if column.width else ""


def _cell_class(column: Column) -> str:
    return {"number": "num", "percent": "num", "date": "date"}.get(column.kind, "")


def paragraph(text: str, css_class: str = "") -> Html:
    """Return one escaped paragraph."""
    class_attribute = f' class="{escape(css_class)}"' if css_class else ""
    return Html(f"<p{class_attribute}>{escape(text)}</p>")


def bullet_list(items: list[str], css_class: str = "") -> Html:
    """Return escaped text items as a list whose bullets are text (what the PDF's text reads)."""
    classes = escape(f"bulleted {css_class}".strip())
    return Html(f'<ul class="{classes}">' + "".join(
        f'<li><span class="bullet">•</span>{escape(item)}</li>' for item in items) + "</ul>")
