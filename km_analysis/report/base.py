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
from ..records.schema import TABLES
from ..scope import in_scope, slice_of
from .tables import Column, Html, HtmlWithMetadata, escape, html_table, paragraph, percent

WHAT_LABELS = {"session": "กิจกรรม", "visit": "ลงพื้นที่"}


@cache
def partials():
    """Return the Jinja environment of the fixed markup beside the report's template.

    It escapes every value (record text is data); tables.Html values pass as markup.
    """
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "km_report"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


def render_partial(name: str, **values) -> str:
    return partials().get_template(name).render(**values)


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
        return thai.format_date(value, style=style, numerals=self.numerals)

    def number(self, value) -> str:
        return thai.format_number(value, numerals=self.numerals)

    def share(self, value) -> str:
        return percent(value, self.numerals)

    @property
    def first_day(self) -> pd.Timestamp:
        return self.period.since + pd.Timedelta(days=1)

    def _title_block(self, document_title: str, heading: str,
                     places: list[str]) -> HtmlWithMetadata:
        """Return the title block: heading, place lines, the as-of date and the period.

        The document's title goes to the exporter as output metadata (the HTML's <title>).
        """
        html = render_partial(
            "title_block.html.j2", document_title=document_title, heading=heading,
            places=places, as_of_long=self.date(self.period.as_of, "long"),
            first_day=self.date(self.first_day), as_of=self.date(self.period.as_of))
        return HtmlWithMetadata(html, title=document_title)

    def _notes(self, tambon: str | None, empty: str) -> Html:
        """Return the coordinator's notes of the period for `tambon` (None: province-wide)."""
        notes = measures.notes_for(self.records, tambon, self.period)
        if notes.empty:
            return paragraph(empty, "empty")
        return Html("".join(
            f'<div class="note"><h3>{escape(row.title)}</h3>'
            f'<p class="small">{escape(self.date(row.date))}</p><p>{escape(row.text)}</p></div>'
            for row in notes.itertuples()))

    def colophon(self) -> HtmlWithMetadata:
        """Return the colophon: parameters, the records' fingerprints and counts, the software.

        The same fingerprints go into the PDF's metadata (`km verify` reads them there), which
        goes to the exporter as output metadata. Nothing here depends on the clock, so the
        same records give the same PDF.
        """
        table_fingerprints = self.fingerprints
        if table_fingerprints is None:
            table_fingerprints = record_fingerprints(self.records)
        parameters = {"as_of": self.period.as_of.date().isoformat(),
                      "since": self.period.since.date().isoformat(), "numerals": self.numerals}
        meta = provenance.pdf_metadata(self.report_name, parameters, table_fingerprints)
        counts = provenance.record_counts(self.records)
        frame = pd.DataFrame({
            "table": [f"{name} ({TABLES[name].label_th})" for name in counts],
            "rows": list(counts.values()),
            "fingerprint": [table_fingerprints[name] for name in counts],
        })
        commit = provenance.git_commit()
        facts = [
            ("รายงาน", f"{self.report_title} ({self.report_name})"),
            ("ข้อมูล ณ วันที่", f"{self.date(self.period.as_of)} ({parameters['as_of']})"),
            ("ช่วงรายงาน", f"หลัง {self.date(self.period.since)} ({parameters['since']}) "
                           f"ถึง {self.date(self.period.as_of)}"),
            ("ตัวเลข", "เลขไทย" if self.numerals == "thai" else "เลขอารบิก"),
            ("แหล่งข้อมูล", self.records.source),
            ("ลายนิ้วมือของข้อมูลที่ใช้", meta[f"{provenance.META_PREFIX}records"]),
            ("โปรแกรม", f"km-analysis {__version__}"
                        + (f" (git {commit})" if commit else "")),
        ]
        columns = [Column("table", "ตาราง", width="45%"), Column("rows", "จำนวนแถว", "number",
                                                                  width="20%"),
                   Column("fingerprint", "ลายนิ้วมือ", width="35%")]
        html = render_partial("colophon.html.j2", facts=facts,
                               tables=html_table(frame, columns, self.numerals))
        return HtmlWithMetadata(html, pdf_meta=meta)


