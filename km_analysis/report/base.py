"""What every report shares: opening its records, the title block, the notes, the colophon.

A report is a dataclass whose methods each return one section's body as HTML (the notebook's
Markdown cells hold the headings). Every figure comes from `measures`, every table from
`tables`, every chart from `charts`; nothing here reads files but `open_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from .. import __version__, measures, provenance, thai
from ..errors import RecordsError
from ..locations import TEMPLATES_DIR
from ..provenance import fingerprints as record_fingerprints
from ..records.load import Records, load_records
from ..scope import in_scope, slice_of
from .tables import Html, HtmlWithMetadata, escape, percent

WHAT_LABELS = {"session": "กิจกรรม", "visit": "ลงพื้นที่"}
SHORT_FINGERPRINT = 12  # characters of the records' fingerprint the colophon prints
COMING_DAYS = 42  # the "coming" sections' window: what to prepare before the next forum
# An action's state against its due date, as every report words it.
DUE_STATES = {"overdue": "เลยกำหนด", "planned": "ยังไม่ถึงกำหนด", "closed": "ปิดแล้ว",
              "undated": "ไม่ได้กำหนดวัน"}
BACKGROUND_CHARACTERS = 170  # a request's background on page 1: about two lines


def shortened(text: str, most: int = BACKGROUND_CHARACTERS) -> str:
    """Return `text` cut at a space before `most` characters, with "…" when cut.

    Thai parts phrases with spaces, so the cut falls between words.
    """
    if len(text) <= most:
        return text
    cut = text.rfind(" ", 0, most)
    return text[:cut if cut > most // 2 else most].rstrip() + "…"


@cache
def partials():
    """Return the Jinja environment of the fixed markup beside the report's template.

    It escapes every value (record text is data); tables.Html values pass as markup.
    """
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "km_report"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


def render_partial(name: str, **values) -> str:
    """Return the partial template `name` rendered with `values` (escaped)."""
    return partials().get_template(name).render(**values)


def section(heading: str, body: Html, level: int = 2) -> Html:
    """Return a heading and its body, for a section that is left out when it has nothing.

    Sections always present take their heading from the notebook's Markdown cell.
    """
    return Html(f"<h{level}>{escape(heading)}</h{level}>") + body


def open_records(snapshot: str, data_dir: str, tambon: str | None) -> Records:
    """Return the slice of records a report shows: from the CLI's snapshot, or from data_dir.

    With no snapshot (an analyst running a notebook by hand) the records are loaded and
    validated here, and refused as the CLI would refuse them.
    """
    if snapshot:
        from ..records.snapshot import read_snapshot

        return read_snapshot(snapshot, tambon)
    records = load_records(Path(data_dir), errors="collect")
    blocking = in_scope(records.errors, tambon)
    if blocking:
        raise RecordsError(blocking)
    return slice_of(records, tambon)


@dataclass
class Report:
    """What every report shares: its records, period and numerals, and the colophon."""

    records: Records
    period: measures.Period
    numerals: str
    # The fingerprints of the records' tables, as the CLI computed them when it planned the
    # report; None (an analyst running the notebook by hand): the colophon computes them.
    fingerprints: dict[str, str] | None = field(default=None, kw_only=True)

    report_name = ""  # the report's name in paths and PDF metadata
    report_title = ""  # the same, in Thai

    def date(self, value, style: str = "short") -> str:
        """Return a date in Thai, พ.ศ., in the report's numerals."""
        return thai.format_date(value, style=style, numerals=self.numerals)

    def number(self, value) -> str:
        """Return a number in the report's numerals."""
        return thai.format_number(value, numerals=self.numerals)

    def share(self, value) -> str:
        """Return a share (0-1) as a whole percentage in the report's numerals."""
        return percent(value, self.numerals)

    def text(self, value) -> str:
        """Return record text with its digits in the report's numerals ("หมู่ ๓" → "หมู่ 3")."""
        return thai.in_numerals(str(value), self.numerals)

    @property
    def first_day(self) -> pd.Timestamp:
        """Return the first day of the period (the day after `since`)."""
        return self.period.since + pd.Timedelta(days=1)

    def _title_block(self, document_title: str, heading: str, places: list[str],
                     occasion: str = "เอกสารประกอบการประชุมเวทีคุณเอื้อ") -> HtmlWithMetadata:
        """Return the title block: heading, place lines, the as-of date, the period, the forum.

        The document's title goes to the exporter as output metadata (the HTML's <title>).
        Records marked as example data get a notice here that the page style repeats on
        every page.
        """
        html = render_partial(
            "title_block.html.j2", document_title=document_title, heading=heading,
            places=places, as_of_long=self.date(self.period.as_of, "long"),
            first_day=self.date(self.first_day), as_of=self.date(self.period.as_of),
            occasion=occasion, example=bool(getattr(self.records, "example", False)))
        return HtmlWithMetadata(html, title=document_title)

    def _notes(self, tambon: str | None, heading: str) -> Html:
        """Return the coordinator's notes of the period for `tambon` (None: province-wide).

        Under their own heading; nothing at all when there are none (no section opens with
        "there is nothing here").
        """
        notes = measures.notes_for(self.records, tambon, self.period)
        if notes.empty:
            return Html("")
        return section(heading, Html("".join(
            f'<div class="note"><h3>{escape(self.text(row.title))}</h3>'
            f'<p class="small">{escape(self.date(row.date))}</p>'
            f'<p>{escape(self.text(row.text))}</p></div>'
            for row in notes.itertuples())))

    def colophon(self) -> HtmlWithMetadata:
        """Return the colophon: one Thai paragraph at the end of the last page.

        It gives the as-of date, the period, how many rows the report was made from and a short
        fingerprint of them; the full fingerprints go into the PDF's metadata (`km verify`
        reads them there) and provenance.json. Nothing here depends on the day of rendering,
        so the same records give the same PDF.
        """
        table_fingerprints = self.fingerprints
        if table_fingerprints is None:
            table_fingerprints = record_fingerprints(self.records)
        parameters = {"as_of": self.period.as_of.date().isoformat(),
                      "since": self.period.since.date().isoformat(), "numerals": self.numerals}
        meta = provenance.pdf_metadata(self.report_name, parameters, table_fingerprints)
        rows = sum(provenance.record_counts(self.records).values())
        html = render_partial(
            "colophon.html.j2", as_of=self.date(self.period.as_of, "long"),
            first_day=self.date(self.first_day), last_day=self.date(self.period.as_of),
            rows=self.number(rows),
            fingerprint=meta[f"{provenance.META_PREFIX}records"][:SHORT_FINGERPRINT],
            version=self.text(__version__))
        return HtmlWithMetadata(html, pdf_meta=meta)
