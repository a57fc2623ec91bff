"""The province overview the sponsors read first: `OverviewReport.open(...)`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import charts, measures
from ..records.schema import SESSION_KINDS
from ..scope import OVERVIEW, refused_tambons, without_tambons
from .base import WHAT_LABELS, Report, open_records
from .tables import Column, Html, escape, html_table, paragraph


@dataclass
class OverviewReport(Report):
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
        records = open_records(snapshot, data_dir, None)
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
