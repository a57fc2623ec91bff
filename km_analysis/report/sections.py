"""The sections of a tambon's progress report, in Thai, as HTML the notebook displays.

`TambonReport.open(...)` takes the notebook's parameters; each method returns one section's
body (the notebook's Markdown cells hold the headings). Every figure comes from `metrics`, every
table from `tables`, every chart from `charts`; nothing here reads files but `open`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from .. import __version__, charts, measures, provenance, thai
from ..errors import RecordsError
from ..locations import TEMPLATES_DIR
from ..measures import kmtools
from ..provenance import fingerprints as record_fingerprints
from ..records.load import Records, load_records
from ..records.schema import ACTION_STATUSES, FISH_PARTS, GROUP_TYPES, ROLES, SESSION_KINDS, TABLES
from ..scope import OVERVIEW, in_scope, refused_tambons, slice_of, without_tambons
from .tables import Column, Html, HtmlWithMetadata, escape, html_table, image, paragraph, percent

VISIT_STATES = {
    "done": "ลงพื้นที่แล้ว",
    "overdue": "เลยกำหนด",
    "planned": "ตามแผน",
    "postponed": "เลื่อน",
    "postponed_undated": "เลื่อน ยังไม่มีวันใหม่",
    "cancelled": "ยกเลิก",
    "no_plan": "ยังไม่มีแผน",
}
WARNING_KINDS = {
    "no_facilitator": "กลุ่มนี้ยังไม่มีคุณอำนวยผู้รับผิดชอบ",
    "roster_over_participants": "จำนวนผู้เข้าร่วมน้อยกว่าจำนวนผู้มาในทะเบียนรายชื่อ",
    "blank_rows": "มีแถวว่างคั่นระหว่างรายการ (ข้ามไปแล้ว)",
    "undrawable": "มีอักขระที่แบบอักษรของรายงานแสดงไม่ได้",
    "ignored_table": "ไฟล์หรือแผ่นงานนี้ไม่ใช่ตารางของบันทึก จึงไม่ได้อ่าน",
}
WHAT_LABELS = {"session": "กิจกรรม", "visit": "ลงพื้นที่"}


@cache
def _partials():
    """Return the Jinja environment of the fixed markup beside the report's template.

    It escapes every value (record text is data); tables.Html values pass as markup.
    """
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "km_report"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


def _render_partial(name: str, **values) -> str:
    return _partials().get_template(name).render(**values)


def _open_records(snapshot: str, data_dir: str, tambon: str | None) -> Records:
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
class _Report:
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
        html = _render_partial(
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
        html = _render_partial("colophon.html.j2", facts=facts,
                               tables=html_table(frame, columns, self.numerals))
        return HtmlWithMetadata(html, pdf_meta=meta)


@dataclass
class TambonReport(_Report):
    """One tambon's report: its records (the tambon's slice), the period and the numerals."""

    tambon: str = ""

    @property
    def report_name(self) -> str:
        """Return the report's name in paths and metadata: the tambon's slug."""
        return self.tambon

    @property
    def report_title(self) -> str:
        """Return the report's name in Thai: ตำบล and the tambon's name."""
        return self.tambon_name

    @classmethod
    def open(cls, tambon: str, as_of: str = "", since: str = "", snapshot: str = "",
             numerals: str = "arabic", data_dir: str = "../data",
             fingerprints: dict[str, str] | None = None) -> TambonReport:
        """Return the report of `tambon`: from the snapshot the CLI wrote, or from `data_dir`.

        With no snapshot (an analyst running the notebook by hand) the records are loaded and
        validated here, and refused as the CLI would refuse them. `fingerprints` are those of
        the tambon's slice as the CLI planned the report (None: the colophon computes them).
        """
        records = _open_records(snapshot, data_dir, tambon)
        period = measures.resolve_period(records, tambon, as_of or None, since or None)
        return cls(records, period, numerals, tambon, fingerprints=fingerprints)

    # -- helpers ---------------------------------------------------------------------------

    @property
    def info(self) -> pd.Series:
        """Return the tambon's row of the tambons table."""
        tambons = self.records.tambons
        return tambons[tambons["tambon"] == self.tambon].iloc[0]

    @property
    def tambon_name(self) -> str:
        """Return "ตำบล" and the tambon's Thai name."""
        return f"ตำบล{self.info['name_th']}"

    # -- sections --------------------------------------------------------------------------

    def title(self) -> Html:
        """Return the title block: report, tambon with district and province, date, period."""
        info = self.info
        place = [self.tambon_name]
        if pd.notna(info.get("amphoe_th")):
            place.append(f"อำเภอ{info['amphoe_th']}")
        if pd.notna(info.get("province_th")):
            place.append(f"จังหวัด{info['province_th']}")
        return self._title_block(f"รายงานความก้าวหน้า {self.tambon_name}",
                                 "รายงานความก้าวหน้าการจัดการความรู้กลุ่มการเงินชุมชน",
                                 [" ".join(place)])

    def notes(self) -> Html:
        """Return the coordinator's notes of the period, or one sentence when there are none."""
        return self._notes(self.tambon, "ไม่มีบันทึกของผู้ประสานงานในช่วงรายงานนี้")

    def summary(self) -> Html:
        """Return the measures: this period, since the fiscal year began, and in all."""
        as_of = self.period.as_of
        fiscal_start = pd.Timestamp(thai.fiscal_year_start(as_of.date()))
        before_fiscal = fiscal_start - pd.Timedelta(days=1)
        now = measures.tambon_progress(self.records, self.tambon, as_of, self.period.since)
        fiscal = measures.tambon_progress(self.records, self.tambon, as_of, before_fiscal)
        at_since = measures.tambon_progress(self.records, self.tambon, self.period.since,
                                           self.period.since - pd.Timedelta(days=1))
        at_fiscal = measures.tambon_progress(self.records, self.tambon, before_fiscal,
                                            before_fiscal - pd.Timedelta(days=1))
        n, s = self.number, self.share

        def grown(key):  # a running total's growth over the period and the fiscal year
            return n(now[key] - at_since[key]), n(now[key] - at_fiscal[key]), n(now[key])

        def flow(key):  # counted over a window only
            return n(now[key]), n(fiscal[key]), ""

        def stock(value):
            return "", "", value

        groups = now["groups"]

        def of_groups(share):  # how many groups a coverage share stands for
            return n(round(share * groups))

        def said(count, none: str, some: str) -> str:
            """Return `none` for a count of zero, else `some`: no sentence counts 0 things."""
            return none if not count else some

        covered = {key: round(now[key] * groups) for key in
                   ("visit_coverage", "head_coverage", "tail_coverage", "fish_coverage")}
        no_groups = "ยังไม่มีกลุ่มการเงินในบันทึกของตำบลนี้"
        rows = [
            ("กลุ่มการเงิน", stock(n(groups)),
             said(groups, no_groups, f"ตำบลนี้มีกลุ่มการเงินในบันทึก {n(groups)} กลุ่ม")),
            ("ลงพื้นที่แล้ว (ครั้ง)", grown("visits_done"),
             said(now["visits_planned"], "ยังไม่มีแผนลงพื้นที่",
                  said(now["visits_done"],
                       f"ยังไม่ได้ลงพื้นที่ จากแผน {n(now['visits_planned'])} ครั้ง",
                       f"ลงพื้นที่แล้ว {n(now['visits_done'])} ครั้ง จากแผน "
                       f"{n(now['visits_planned'])} ครั้ง (ไม่นับที่ยกเลิก)"))),
            ("กลุ่มที่ได้ลงพื้นที่แล้ว", stock(s(now["visit_coverage"])),
             said(groups, no_groups, said(
                 covered["visit_coverage"], f"ยังไม่ได้ลงพื้นที่กลุ่มใดเลย จาก {n(groups)} กลุ่ม",
                 f"ได้ลงพื้นที่แล้ว {of_groups(now['visit_coverage'])} จาก {n(groups)} กลุ่ม"))),
            ("แผนลงพื้นที่ที่เลยกำหนด", stock(n(now["visits_overdue"])),
             said(now["visits_overdue"], "ไม่มีแผนลงพื้นที่ที่เลยกำหนด",
                  f"แผนลงพื้นที่ {n(now['visits_overdue'])} ครั้งเลยกำหนดแล้วแต่ยังไม่ได้ไป "
                  "ควรนัดหมายใหม่")),
            ("กลุ่มที่มีหัวปลา (เป้าหมาย)", stock(s(now["head_coverage"])),
             said(covered["head_coverage"], "ยังไม่มีกลุ่มใดบันทึกเป้าหมายของกลุ่ม (หัวปลา)",
                  f"{of_groups(now['head_coverage'])} จาก {n(groups)} กลุ่ม"
                  "บันทึกเป้าหมายของกลุ่มแล้ว")),
            ("กลุ่มที่มีหางปลา (ความรู้เดิม)", stock(s(now["tail_coverage"])),
             said(covered["tail_coverage"], "ยังไม่มีกลุ่มใดบันทึกความรู้ที่มีอยู่ (หางปลา)",
                  f"{of_groups(now['tail_coverage'])} จาก {n(groups)} กลุ่ม"
                  "บันทึกความรู้ที่มีอยู่แล้ว")),
            ("กลุ่มที่มีครบทั้งหัวและหาง", stock(s(now["fish_coverage"])),
             said(covered["fish_coverage"], "ยังไม่มีกลุ่มที่บันทึกครบทั้งหัวปลาและหางปลา",
                  f"{of_groups(now['fish_coverage'])} กลุ่มพร้อมออกแบบการเรียนรู้"
                  "ให้ตรงเป้าหมาย")),
            ("รายการปลาทูที่บันทึก", grown("fish_items"),
             said(now["fish_items"], "ยังไม่มีการบันทึกหัวปลา ตัวปลา หรือหางปลา",
                  f"บันทึกหัวปลา ตัวปลา และหางปลาแล้ว {n(now['fish_items'])} รายการ "
                  "ทั้งของกลุ่มและของเครือข่ายตำบล")),
            ("กิจกรรมที่จัด", flow("sessions"),
             said(now["sessions"], "ไม่มีกิจกรรมในช่วงรายงาน",
                  f"จัดกิจกรรม {n(now['sessions'])} ครั้งในช่วงรายงาน "
                  "ทั้งของตำบลและระดับจังหวัด")),
            ("ผู้เข้าร่วม (คน-ครั้ง)", flow("participants"),
             said(now["participants"], "ไม่มีผู้เข้าร่วมกิจกรรมในช่วงรายงาน",
                  f"ผู้เข้าร่วมรวม {n(now['participants'])} คน-ครั้งในช่วงรายงาน "
                  "ไม่นับผู้สังเกตการณ์")),
            ("เรื่องที่ยังค้าง", stock(n(now["open_actions"])),
             said(now["open_actions"], "ไม่มีเรื่องค้าง",
                  f"ยังค้าง {n(now['open_actions'])} เรื่อง ทั้งของตำบลและระดับจังหวัด")),
            ("เรื่องที่รอคุณเอื้อ", stock(n(now["open_sponsor_actions"])),
             said(now["open_sponsor_actions"], "ไม่มีเรื่องที่รอคุณเอื้อ",
                  f"{n(now['open_sponsor_actions'])} เรื่องรอการตัดสินใจหรือการสนับสนุน"
                  "จากคุณเอื้อ")),
            ("เรื่องที่ปิดแล้ว", flow("closed_actions"),
             said(now["closed_actions"], "ยังไม่มีเรื่องที่ปิดในช่วงรายงาน",
                  f"ปิดแล้ว {n(now['closed_actions'])} เรื่องในช่วงรายงาน (เสร็จหรือยกเลิก)")),
        ]
        frame = pd.DataFrame(
            [(label, *figures, sentence) for label, figures, sentence in rows],
            columns=["label", "period", "fiscal", "total", "sentence"],
        )
        fiscal_year = thai.buddhist_year(fiscal_start.date()) + 1
        columns = [
            Column("label", "ตัวชี้วัด", width="24%"),
            Column("period", "ช่วงรายงาน", width="12%"),
            Column("fiscal", f"ปีงบประมาณ {self.number(fiscal_year).replace(',', '')}",
                   width="12%"),
            Column("total", f"ณ {self.date(as_of)}", width="12%"),
            Column("sentence", "สรุป", width="40%"),
        ]
        lead = paragraph(
            f"ช่วงรายงาน: {self.date(self.first_day)} ถึง {self.date(as_of)} · ปีงบประมาณเริ่ม "
            f"{self.date(fiscal_start)}", "lead")
        return lead + html_table(frame, columns, self.numerals, css_class="figures")

    def visits(self) -> Html:
        """Return the field-visit plan of every group, with its state as of the report date."""
        table = measures.visit_progress(self.records, self.tambon, self.period.as_of)
        if table.empty:
            return paragraph("ตำบลนี้ยังไม่มีกลุ่มการเงินในบันทึก", "empty")
        counts = table["state"].value_counts()
        # Every state the table shows, so that the parts add up to its rows; none of zero.
        parts = [("ลงพื้นที่แล้ว", counts.get("done", 0), "ครั้ง"),
                 ("เลยกำหนด", counts.get("overdue", 0), "ครั้ง"),
                 ("ตามแผน", counts.get("planned", 0), "ครั้ง"),
                 ("เลื่อน", counts.get("postponed", 0) + counts.get("postponed_undated", 0),
                  "ครั้ง"),
                 ("ยกเลิก", counts.get("cancelled", 0), "ครั้ง"),
                 ("ยังไม่มีแผน", counts.get("no_plan", 0), "กลุ่ม")]
        lead = paragraph(" · ".join(f"{label} {self.number(count)} {unit}"
                                    for label, count, unit in parts if count), "lead")
        columns = [
            Column("village_no", "หมู่", "number", width="6%"),
            Column("group_name", "กลุ่ม", width="23%"),
            Column("group_type", "ประเภท", "label", GROUP_TYPES, width="13%"),
            Column("facilitator_name", "คุณอำนวยผู้รับผิดชอบ", width="18%"),
            Column("due", "กำหนด", "date", width="13%"),
            Column("state", "สถานะ", "state", VISIT_STATES, width="14%"),
            Column("done_on", "ลงพื้นที่เมื่อ", "date", width="13%"),
        ]
        return lead + html_table(table, columns, self.numerals)

    def visits_chart(self):
        """Return the chart of visits planned vs done over time."""
        progress = measures.visits_over_time(self.records, self.tambon, self.period.as_of)
        return charts.Svg(charts.visits_over_time(progress, self.period.as_of, self.numerals))

    def fish_coverage(self) -> Html:
        """Return per group: head, body and tail items recorded, and whether the fish is whole."""
        table = measures.fish_coverage(self.records, self.tambon, self.period.as_of)
        if table.empty:
            return paragraph("ตำบลนี้ยังไม่มีกลุ่มการเงินในบันทึก", "empty")
        table = table.assign(whole=table["has_both"].map({True: "ครบ", False: "ยังไม่ครบ"}))
        columns = [
            Column("village_no", "หมู่", "number"),
            Column("group_name", "กลุ่ม"),
            Column("head", "หัวปลา", "number"),
            Column("body", "ตัวปลา", "number"),
            Column("tail", "หางปลา", "number"),
            Column("whole", "หัวและหาง"),
        ]
        progress = measures.tambon_progress(self.records, self.tambon, self.period.as_of,
                                           self.period.since)
        lead = paragraph(
            f"กลุ่มที่มีหัวปลา {self.share(progress['head_coverage'])} · มีหางปลา "
            f"{self.share(progress['tail_coverage'])} · ครบทั้งหัวและหาง "
            f"{self.share(progress['fish_coverage'])} ของกลุ่มทั้งหมด", "lead")
        return lead + html_table(table, columns, self.numerals)

    def fish_chart(self):
        """Return the coverage bars: visited, head, tail, both."""
        progress = measures.tambon_progress(self.records, self.tambon, self.period.as_of,
                                           self.period.since)
        shares = {
            "ลงพื้นที่แล้ว": progress["visit_coverage"],
            "มีหัวปลา": progress["head_coverage"],
            "มีหางปลา": progress["tail_coverage"],
            "ครบหัวและหาง": progress["fish_coverage"],
        }
        return charts.Svg(charts.coverage_bars(shares, self.numerals))

    def fish_items(self) -> Html:
        """Return the fish items, the tambon network's first, then each group's."""
        items = measures.fish_items(self.records, self.tambon, self.period.as_of)
        if items.empty:
            return paragraph("ยังไม่มีการบันทึกหัวปลา ตัวปลา หรือหางปลาในตำบลนี้", "empty")
        parts = []
        for owner, owned in items.groupby("owner", sort=False):
            heading = ("ปลาของเครือข่ายตำบล" if owner == "network"
                       else str(owned["group_name"].iloc[0]))
            parts.append(f"<h3>{escape(heading)}</h3>")
            parts.append(html_table(owned, [
                Column("part", "ส่วน", "label", FISH_PARTS),
                Column("item", "รายการ"),
                Column("recorded", "บันทึกเมื่อ", "date"),
            ], self.numerals))
        return Html("".join(parts))

    def group_fishes(self) -> Html:
        """Return the fish of every group that has items, two to an A4 page."""
        items = measures.fish_items(self.records, self.tambon, self.period.as_of)
        group_ids = [g for g in items["owner"].unique() if g != "network"]
        if not group_ids:
            return paragraph("ยังไม่มีกลุ่มใดบันทึกหัวปลา ตัวปลา หรือหางปลา", "empty")
        figures = [
            image(charts.Png(charts.fish(**kmtools.group_fish(
                self.records, group_id, self.period.as_of, self.numerals))).data, "image/png",
                  "fish")
            for group_id in group_ids
        ]
        return Html("".join(figures))

    def mobile(self):
        """Return the tambon's ปลาตะเพียน: the network's fish above, one small fish a group."""
        if self.records.groups.empty:
            return paragraph("ตำบลนี้ยังไม่มีกลุ่มการเงินในบันทึก", "empty")
        return charts.Png(charts.pla_taphian(**kmtools.tambon_mobile(
            self.records, self.tambon, self.period.as_of, self.numerals)))

    def river(self):
        """Return the river diagram of the tambon's latest self-assessments."""
        latest = kmtools.latest_assessments(self.records, self.tambon, self.period.as_of)
        if latest.empty:
            return paragraph("กลุ่มในตำบลนี้ยังไม่ได้ประเมินตนเอง", "empty")
        return charts.Svg(charts.river(latest, kmtools.competency_order(self.records),
                                       title=f"ธารปัญญา {self.tambon_name}",
                                       numerals=self.numerals))

    def stairs(self) -> Html:
        """Return one stair diagram for each competency the tambon's groups assessed."""
        latest = kmtools.latest_assessments(self.records, self.tambon, self.period.as_of)
        if latest.empty:
            return paragraph("ยังไม่มีผลการประเมินตนเองให้จัดบันไดการเรียนรู้", "empty")
        assessed = set(latest["competency"])
        figures = [
            image(charts.Png(charts.stair(
                kmtools.stair_steps(self.records, self.tambon, code, self.period.as_of),
                title=f"บันไดการเรียนรู้: {name}", numerals=self.numerals)).data, "image/png",
                  "stair")
            for code, name in kmtools.competency_order(self.records) if code in assessed
        ]
        return Html("".join(figures))

    def sessions(self) -> Html:
        """Return the sessions held in the period, with attendance and observers apart."""
        table = measures.sessions_in_period(self.records, self.tambon, self.period)
        if table.empty:
            return paragraph("ไม่มีกิจกรรมที่จัดในช่วงรายงานนี้", "empty")
        table = table.assign(where=table["scope"].map({"tambon": "ตำบล", "province": "จังหวัด"}))
        columns = [
            Column("date", "วันที่", "date", width="14%"),
            Column("kind", "ประเภท", "label", SESSION_KINDS, width="13%"),
            Column("title", "กิจกรรม", width="37%"),
            Column("where", "ระดับ", width="10%"),
            Column("participants", "ผู้เข้าร่วม", "number", width="13%"),
            Column("attendance_rate", "มาตามนัด", "percent", width="13%"),
        ]
        html = html_table(table, columns, self.numerals)
        observed = table[table["observers"].fillna("") != ""]
        for row in observed.itertuples():
            html += paragraph(f"ผู้สังเกตการณ์ใน “{row.title}” ({self.date(row.date)}): "
                              f"{row.observers}", "small")
        return html

    def network(self) -> Html:
        """Return the facilitator network: project, community facilitators and coordinators."""
        table = measures.facilitators(self.records, self.tambon)
        if table.empty:
            return paragraph("ยังไม่มีคุณอำนวยหรือผู้ประสานงานในบันทึก", "empty")
        columns = [
            Column("name", "ชื่อ", width="24%"),
            Column("role", "บทบาท", "label", ROLES, width="16%"),
            Column("organisation", "หน่วยงาน", width="30%"),
            Column("groups", "กลุ่มที่รับผิดชอบ", "number", width="15%"),
            Column("visits_done", "ลงพื้นที่แล้ว", "number", width="15%"),
        ]
        return html_table(table, columns, self.numerals)

    def sponsor_actions(self) -> Html:
        """Return the open actions for the sponsors, overdue ones first and marked."""
        table = measures.open_actions(self.records, self.tambon, self.period.as_of,
                                     for_sponsor=True)
        if table.empty:
            return paragraph("ไม่มีเรื่องที่ค้างรอคุณเอื้อ", "empty")
        table = table.assign(state=table["overdue"].map({True: "overdue", False: "planned"}))
        columns = [
            Column("title", "เรื่อง", width="30%"),
            Column("owner", "ผู้รับผิดชอบ", width="17%"),
            Column("raised", "เสนอเมื่อ", "date", width="13%"),
            Column("due", "กำหนดเสร็จ", "date", width="13%"),
            Column("status", "ความคืบหน้า", "label", ACTION_STATUSES, width="13%"),
            Column("state", "กำหนด", "state", {"overdue": "เลยกำหนด", "planned": "ยังไม่ถึง"},
                   width="14%"),
        ]
        return html_table(table, columns, self.numerals)

    def other_actions(self) -> Html:
        """Return the other open actions (not for the sponsors)."""
        table = measures.open_actions(self.records, self.tambon, self.period.as_of,
                                     for_sponsor=False)
        if table.empty:
            return paragraph("ไม่มีเรื่องอื่นที่ค้างอยู่", "empty")
        columns = [
            Column("title", "เรื่อง", width="45%"),
            Column("owner", "ผู้รับผิดชอบ", width="25%"),
            Column("due", "กำหนดเสร็จ", "date", width="14%"),
            Column("status", "ความคืบหน้า", "label", ACTION_STATUSES, width="16%"),
        ]
        return html_table(table, columns, self.numerals)

    def changes(self) -> Html:
        """Return what changed in the period: visits done, fish recorded, actions raised/closed."""
        changes = measures.changes_since(self.records, self.tambon, self.period)
        parts = []
        sections = [
            ("visits_done", "ลงพื้นที่แล้ว", [Column("done_on", "วันที่", "date", width="15%"),
                                             Column("group_name", "กลุ่ม", width="85%")]),
            ("fish_recorded", "บันทึกปลาทูเพิ่ม", [
                Column("recorded", "วันที่", "date", width="15%"),
                Column("group_name", "ของ", width="25%"),
                Column("part", "ส่วน", "label", FISH_PARTS, width="11%"),
                Column("item", "รายการ", width="49%")]),
            ("actions_raised", "เรื่องที่เสนอใหม่", [Column("raised", "วันที่", "date", width="15%"),
                                                   Column("title", "เรื่อง", width="85%")]),
            ("actions_closed", "เรื่องที่ปิดแล้ว", [
                Column("closed_on", "วันที่", "date", width="15%"),
                Column("title", "เรื่อง", width="72%"),
                Column("status", "ผล", "label", ACTION_STATUSES, width="13%")]),
        ]
        for key, heading, columns in sections:
            frame = changes[key]
            if "group_name" in frame.columns:  # a network's fish has no group
                frame = frame.assign(group_name=frame["group_name"].fillna("เครือข่ายตำบล")
                                     .replace("", "เครือข่ายตำบล"))
            parts.append(f"<h3>{escape(heading)} ({escape(self.number(len(frame)))})</h3>")
            present = [c for c in columns if c.name in frame.columns]
            parts.append(html_table(frame, present, self.numerals, empty="ไม่มี"))
        return Html("".join(parts))

    def coming(self) -> Html:
        """Return the planned sessions and visits of the coming six weeks."""
        table = measures.coming(self.records, self.tambon, self.period.as_of)
        if table.empty:
            return paragraph("ยังไม่มีกิจกรรมหรือการลงพื้นที่ที่กำหนดไว้ในหกสัปดาห์ข้างหน้า", "empty")
        columns = [
            Column("date", "วันที่", "date", width="15%"),
            Column("what", "ประเภท", "label", WHAT_LABELS, width="13%"),
            Column("title", "รายการ", width="72%"),
        ]
        return html_table(table, columns, self.numerals)

    def appendix(self) -> Html:
        """Return the warnings of the records in this tambon's scope (never blocking)."""
        warnings = in_scope(self.records.warnings, self.tambon)
        if not warnings:
            return paragraph("การตรวจข้อมูลไม่พบข้อสังเกต", "empty")
        frame = pd.DataFrame({
            "file": [Path(p.file).name if "[" not in p.file else p.file for p in warnings],
            "row": [p.row for p in warnings],
            "column": [p.column or "" for p in warnings],
            "value": [p.value for p in warnings],
            "note": [WARNING_KINDS.get(p.kind, p.expected) for p in warnings],
        })
        columns = [Column("file", "ไฟล์"), Column("row", "แถว", "number"),
                   Column("column", "คอลัมน์"), Column("value", "ค่าที่พิมพ์"),
                   Column("note", "ข้อสังเกต")]
        lead = paragraph(f"ข้อสังเกต {self.number(len(warnings))} รายการ ไม่กระทบตัวเลขในรายงาน "
                         "แต่ควรแก้ไขในบันทึก", "lead")
        return lead + html_table(frame, columns, self.numerals)


@dataclass
class OverviewReport(_Report):
    """The province overview the sponsors read first: every tambon side by side."""

    excluded: tuple[str, ...] = ()  # tambons whose own reports were refused (records errors)
    all_tambons: pd.DataFrame | None = None  # every tambon, the refused ones included
    report_name = OVERVIEW
    report_title = "ภาพรวมจังหวัด"
    most_rows = 25  # long lists show the top entries and count the rest

    @classmethod
    def open(cls, as_of: str = "", since: str = "", snapshot: str = "",
             numerals: str = "arabic", data_dir: str = "../data",
             excluded: str = "", fingerprints: dict[str, str] | None = None) -> OverviewReport:
        """Return the overview: from the snapshot the CLI wrote, or from `data_dir`.

        `fingerprints` are those of the records as the CLI planned the report (None: the
        colophon computes them).
        """
        records = _open_records(snapshot, data_dir, None)
        period = measures.resolve_period(records, None, as_of or None, since or None)
        # The CLI names the refused tambons; run by hand, the records' own errors name them.
        refused = tuple(dict.fromkeys(
            [*(slug for slug in excluded.split(",") if slug), *refused_tambons(records)]))
        return cls(without_tambons(records, refused), period, numerals, refused,
                   records.tambons, fingerprints=fingerprints)

    def __post_init__(self):
        if self.all_tambons is None:
            self.all_tambons = self.records.tambons

    def _tambon_names(self, slugs) -> str:
        """Return "ตำบลก", "ตำบลก และตำบลข" or "ตำบลก, ตำบลข และตำบลค" for `slugs`."""
        names = self.all_tambons.set_index("tambon")["name_th"]
        listed = [f"ตำบล{names.get(slug, slug)}" for slug in slugs]
        return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} และ{listed[-1]}"

    @property
    def province(self) -> str:
        """Return "จังหวัด" and the province's name, or a phrase for several provinces."""
        provinces = self.records.tambons["province_th"].dropna().unique()
        return f"จังหวัด{provinces[0]}" if len(provinces) == 1 else "ทุกจังหวัดในโครงการ"

    def title(self) -> Html:
        """Return the title block of the overview."""
        block = self._title_block(
            f"รายงานภาพรวมความก้าวหน้า {self.province}", "รายงานภาพรวมความก้าวหน้า",
            ["การจัดการความรู้กลุ่มการเงินชุมชน",
             f"{self.province} · {self.number(len(self.all_tambons))} ตำบล"])
        if not self.excluded:
            return block
        # On page 1: the sponsors must know the figures leave these tambons out.
        return Html(block + paragraph(
            f"ภาพรวมนี้ยังไม่รวม{self._tambon_names(self.excluded)} เพราะบันทึกของตำบลยังมี"
            "ข้อผิดพลาดที่ต้องแก้ไขก่อน ตัวเลขทุกตัวในรายงานนี้จึงไม่นับตำบลดังกล่าว", "lead"))

    def notes(self) -> Html:
        """Return the coordinator's province-wide notes of the period."""
        return self._notes(None, "ไม่มีบันทึกของผู้ประสานงานระดับจังหวัดในช่วงรายงานนี้")

    def _progress(self) -> pd.DataFrame:
        return measures.province_progress(self.records, self.period.as_of, self.period.since)

    def measures(self) -> Html:
        """Return the measures of every tambon side by side, one table per amphoe."""
        progress = self._progress()
        if progress.empty:
            return paragraph("ยังไม่มีตำบลในบันทึก", "empty")
        sessions = measures.province_sessions(self.records, self.period)
        totals = paragraph(
            f"รวม {self.number(len(progress))} ตำบล กลุ่มการเงิน "
            f"{self.number(progress['groups'].sum())} กลุ่ม ลงพื้นที่แล้ว "
            f"{self.number(progress['visits_done'].sum())} ครั้ง จากแผน "
            f"{self.number(progress['visits_planned'].sum())} ครั้ง · กิจกรรมในช่วงรายงาน "
            f"{self.number(progress['own_sessions'].sum() + len(sessions))} ครั้ง "
            f"(ระดับจังหวัด {self.number(len(sessions))} ครั้ง นับครั้งเดียว)", "lead")
        columns = [
            Column("name_th", "ตำบล", width="19%"),
            Column("groups", "กลุ่ม", "number", width="8%"),
            Column("visits", "ลงพื้นที่ แล้ว/แผน", width="12%"),
            Column("visit_coverage", "กลุ่มที่ลงพื้นที่", "percent", width="12%"),
            Column("visits_overdue", "เลยกำหนด", "number", width="10%"),
            Column("head_coverage", "หัวปลา", "percent", width="9%"),
            Column("tail_coverage", "หางปลา", "percent", width="9%"),
            Column("own_sessions", "กิจกรรม", "number", width="10%"),
            Column("open_actions", "เรื่องค้าง", "number", width="11%"),
        ]
        progress = progress.assign(visits=[
            f"{self.number(d)}/{self.number(p)}"
            for d, p in zip(progress["visits_done"], progress["visits_planned"])])
        parts = [totals]
        for amphoe, tambons in progress.groupby(progress["amphoe_th"].fillna(""), sort=True):
            parts.append(f"<h3>{escape(f'อำเภอ{amphoe}' if amphoe else 'ไม่ระบุอำเภอ')}</h3>")
            ranked = tambons.sort_values(["visit_coverage", "name_th"], ascending=[False, True])
            parts.append(html_table(ranked.head(self.most_rows), columns, self.numerals))
            if len(ranked) > self.most_rows:
                parts.append(paragraph(
                    f"และอีก {self.number(len(ranked) - self.most_rows)} ตำบล "
                    "(ดูรายละเอียดในรายงานของแต่ละตำบล)", "small"))
        if self.excluded:
            parts.append(paragraph(f"ยังไม่รวม{self._tambon_names(self.excluded)} "
                                   "(บันทึกยังมีข้อผิดพลาด)", "small"))
        return Html("".join(parts))

    def coverage_chart(self):
        """Return bars of visit and fish coverage per tambon (the top entries)."""
        progress = self._progress().sort_values("visit_coverage", ascending=False)
        return charts.Svg(charts.coverage_by_tambon(progress.head(self.most_rows),
                                                    self.numerals))

    def sponsor_actions(self) -> Html:
        """Return every open action for the sponsors across tambons, overdue ones first."""
        table = measures.province_open_actions(self.records, self.period.as_of, for_sponsor=True)
        if table.empty:
            return paragraph("ไม่มีเรื่องที่ค้างรอคุณเอื้อ", "empty")
        table = table.assign(
            where=table["tambon_name"].fillna("ระดับจังหวัด"),
            state=table["overdue"].map({True: "overdue", False: "planned"}))
        columns = [
            Column("where", "ตำบล", width="14%"),
            Column("title", "เรื่อง", width="34%"),
            Column("owner", "ผู้รับผิดชอบ", width="18%"),
            Column("due", "กำหนดเสร็จ", "date", width="14%"),
            Column("state", "กำหนด", "state", {"overdue": "เลยกำหนด", "planned": "ยังไม่ถึง"},
                   width="13%"),
        ]
        return html_table(table, columns, self.numerals)

    def sessions(self) -> Html:
        """Return the province-wide sessions of the period, each counted once."""
        table = measures.province_sessions(self.records, self.period)
        if table.empty:
            return paragraph("ไม่มีกิจกรรมระดับจังหวัดในช่วงรายงานนี้", "empty")
        columns = [
            Column("date", "วันที่", "date", width="15%"),
            Column("kind", "ประเภท", "label", SESSION_KINDS, width="15%"),
            Column("title", "กิจกรรม", width="44%"),
            Column("participants", "ผู้เข้าร่วม", "number", width="13%"),
            Column("attendance_rate", "มาตามนัด", "percent", width="13%"),
        ]
        return html_table(table, columns, self.numerals)

    def coming(self) -> Html:
        """Return what is planned across the province in the coming six weeks."""
        table = measures.province_coming(self.records, self.period.as_of)
        if table.empty:
            return paragraph("ยังไม่มีกิจกรรมหรือการลงพื้นที่ที่กำหนดไว้ในหกสัปดาห์ข้างหน้า", "empty")
        table = table.assign(where=table["tambon_name"].fillna("ระดับจังหวัด"))
        columns = [
            Column("date", "วันที่", "date", width="15%"),
            Column("where", "ตำบล", width="15%"),
            Column("what", "ประเภท", "label", WHAT_LABELS, width="12%"),
            Column("title", "รายการ", width="58%"),
        ]
        html = html_table(table.head(self.most_rows * 2), columns, self.numerals)
        if len(table) > self.most_rows * 2:
            html += paragraph(f"และอีก {self.number(len(table) - self.most_rows * 2)} รายการ",
                              "small")
        return html

    def tambon_reports(self) -> Html:
        """Return the file name of each tambon's report, as text (a PDF never links locally)."""
        as_of = self.period.as_of.date().isoformat()
        tambons = self.all_tambons
        frame = pd.DataFrame({
            "name_th": tambons["name_th"],
            "file": [("ยังไม่ได้จัดทำ: บันทึกมีข้อผิดพลาด" if slug in self.excluded
                      else f"km-progress-{slug}-{as_of}.pdf") for slug in tambons["tambon"]],
        })
        return html_table(frame, [Column("name_th", "ตำบล", width="30%"),
                                  Column("file", "ไฟล์รายงาน", width="70%")], self.numerals)
