"""The province overview the sponsors read first: `OverviewReport.open(...)`.

It stays a paper of a few pages whatever the number of tambons: one row per tambon while they
fit on about two pages (`TAMBON_ROWS`), else one row per amphoe (or per province), with the
full per-tambon table written beside the PDF as a spreadsheet that the PDF lists among its
attachments. Its totals count each item once: the tambons' own parts plus the province-wide
part (`measures.province_totals`).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from .. import measures, thai
from ..measures.province import next_sponsor_forum, progress_by, province_totals
from ..records.schema import SESSION_KINDS
from ..scope import OVERVIEW, refused_tambons, without_tambons
from .base import COMING_DAYS, DUE_STATES, Report, open_records, shortened
from .drawings import drawing
from .tables import Column, Html, bullet_list, cell, escape, html_table, paragraph

TAMBON_ROWS = 40  # one row per tambon up to this many (about two pages), else per amphoe
FIRST_REQUESTS = 5  # page 1 words this many sponsor requests; the rest are counted
SPREADSHEET = "km-overview-tambons-{as_of}.xlsx"
SPREADSHEET_TITLE = "ตารางความก้าวหน้ารายตำบลและเรื่องค้าง"
CHART_ROWS = 12  # the coverage chart shows the top rows that fit half a page

# The per-tambon spreadsheet: province_progress's columns under Thai headers.
SHEET_COLUMNS = (
    ("province_th", "จังหวัด", "text"), ("amphoe_th", "อำเภอ", "text"),
    ("name_th", "ตำบล", "text"), ("tambon", "รหัสตำบล", "text"),
    ("groups", "กลุ่มการเงิน (กลุ่ม)", "int"),
    ("visits_planned", "แผนลงพื้นที่ (ครั้ง)", "int"),
    ("visits_done", "ลงพื้นที่แล้ว (ครั้ง)", "int"),
    ("visits_overdue", "ลงพื้นที่เลยกำหนด (ครั้ง)", "int"),
    ("groups_visited", "กลุ่มที่ลงพื้นที่แล้ว (กลุ่ม)", "int"),
    ("visit_coverage", "สัดส่วนกลุ่มที่ลงพื้นที่แล้ว", "percent"),
    ("groups_with_head", "กลุ่มที่มีหัวปลา (กลุ่ม)", "int"),
    ("groups_with_tail", "กลุ่มที่มีหางปลา (กลุ่ม)", "int"),
    ("own_sessions", "กิจกรรมของตำบลในช่วงรายงาน (ครั้ง)", "int"),
    ("own_participants", "ผู้เข้าร่วมกิจกรรมของตำบล (คน-ครั้ง)", "int"),
    ("own_open_actions", "เรื่องค้างของตำบล (เรื่อง)", "int"),
    ("own_overdue_actions", "เรื่องค้างของตำบลที่เลยกำหนด (เรื่อง)", "int"),
    ("community_facilitators", "คุณอำนวยชุมชน (คน)", "int"),
)


@dataclass
class OverviewReport(Report):
    """The province overview the sponsors read first: every tambon side by side."""

    excluded: tuple[str, ...] = ()  # tambons whose own reports were refused (records errors)
    all_tambons: pd.DataFrame | None = None  # every tambon, the refused ones included
    attachments_dir: str = ""  # the folder published with the PDF; "": write no attachment
    report_name = OVERVIEW
    report_title = "ภาพรวมจังหวัด"
    most_rows = 25  # long lists show the top entries and count the rest

    @classmethod
    def open(cls, as_of: str = "", since: str = "", snapshot: str = "",
             numerals: str = "arabic", data_dir: str = "../data",
             excluded: str = "", fingerprints: dict[str, str] | None = None,
             attachments_dir: str = "") -> OverviewReport:
        """Return the overview: from the snapshot the CLI wrote, or from `data_dir`.

        `fingerprints` are those of the records as the CLI planned the report (None: the
        colophon computes them); `attachments_dir` is where the per-tambon spreadsheet goes.
        """
        records = open_records(snapshot, data_dir, None)
        period = measures.resolve_period(records, None, as_of or None, since or None)
        # The CLI names the refused tambons; run by hand, the records' own errors name them.
        refused = tuple(dict.fromkeys(
            [*(slug for slug in excluded.split(",") if slug), *refused_tambons(records)]))
        return cls(without_tambons(records, refused), period, numerals, refused,
                   records.tambons, attachments_dir, fingerprints=fingerprints)

    def __post_init__(self):
        if self.all_tambons is None:
            self.all_tambons = self.records.tambons

    # -----------------------------------------------------------------------------------------
    # Shared wording

    def text(self, value) -> str:
        """Return record text with its digits as the report's numerals ("หมู่ ๓" → "หมู่ 3")."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        value = str(value)
        return (thai.text.to_thai_digits(value) if self.numerals == "thai"
                else thai.text.to_arabic_digits(value))

    def _count(self, n: int, unit: str) -> str:
        return f"{self.number(n)} {unit}"

    def _names(self, slugs, prefix: str = "ตำบล") -> str:
        """Return "ตำบลก", "ตำบลก และตำบลข" or "ตำบลก ตำบลข และตำบลค" for `slugs`."""
        names = self.all_tambons.set_index("tambon")["name_th"]
        listed = [self._place(prefix, self.text(names.get(slug, slug))) for slug in slugs]
        return listed[0] if len(listed) == 1 else f"{' '.join(listed[:-1])} และ{listed[-1]}"

    @staticmethod
    def _place(prefix: str, name) -> str:
        """Return "อำเภอX" for X (or X when it already starts with the prefix)."""
        name = "" if name is None or pd.isna(name) else str(name)
        if not name:
            return f"ไม่ระบุ{prefix}"
        return name if name.startswith(prefix) else f"{prefix}{name}"

    @property
    def province(self) -> str:
        """Return "จังหวัด" and the province's name, or a phrase for several provinces."""
        provinces = self.records.tambons["province_th"].dropna().unique()
        return (self._place("จังหวัด", self.text(provinces[0])) if len(provinces) == 1
                else "ทุกจังหวัดในโครงการ")

    def _due_state(self, due) -> str:
        if due is None or pd.isna(due):
            return "undated"
        return "overdue" if due < self.period.as_of else "planned"

    def _where(self, tambon_name) -> str:
        return ("ระดับจังหวัด" if tambon_name is None or pd.isna(tambon_name)
                else self._place("ตำบล", self.text(tambon_name)))

    # -----------------------------------------------------------------------------------------
    # The figures, computed once

    @cached_property
    def progress(self) -> pd.DataFrame:
        """Return `province_progress` with one period for every tambon (the overview's)."""
        progress = measures.province_progress(self.records, self.period.as_of,
                                              self.period.since)
        provinces = self.records.tambons.set_index("tambon")["province_th"]
        return progress.assign(province_th=progress["tambon"].map(provinces).astype("string"))

    def _progress(self) -> pd.DataFrame:
        return self.progress

    @cached_property
    def totals(self) -> dict:
        """Return `province_totals`: the figures of the total row, each item once."""
        return province_totals(self.records, self.period.as_of, self.period.since,
                                        self.progress)

    @cached_property
    def open_actions(self) -> pd.DataFrame:
        """Return every open action at as-of, with its tambon and whether it is overdue."""
        return measures.province_open_actions(self.records, self.period.as_of)

    @property
    def by_tambon(self) -> bool:
        """Whether the tables show one row per tambon (else per amphoe or per province)."""
        return len(self.progress) <= TAMBON_ROWS

    @cached_property
    def areas(self) -> pd.DataFrame:
        """Return the rows the overview's table shows: tambons, amphoes or provinces.

        Each row has `label` (its Thai name) and the progress columns it sums.
        """
        progress = self.progress
        several = progress["province_th"].nunique() > 1
        if self.by_tambon:
            return progress.assign(label=[self.text(n) for n in progress["name_th"]])
        amphoes = progress_by(progress, ["province_th", "amphoe_th"])
        if len(amphoes) <= TAMBON_ROWS:
            return amphoes.assign(label=[
                self._place("อำเภอ", self.text(a))
                + (f" {self._place('จังหวัด', self.text(p))}" if several else "")
                for p, a in zip(amphoes["province_th"], amphoes["amphoe_th"])])
        provinces = progress_by(progress, ["province_th"])
        return provinces.assign(label=[self._place("จังหวัด", self.text(p))
                                       for p in provinces["province_th"]])

    @property
    def area_word(self) -> str:
        """Return what one row of the table is: "ตำบล", "อำเภอ" or "จังหวัด"."""
        if self.by_tambon:
            return "ตำบล"
        return "อำเภอ" if "amphoe_th" in self.areas.columns else "จังหวัด"

    # -----------------------------------------------------------------------------------------
    # Page 1: the title, the requests to the meeting, what needs pushing, the key figures

    def title(self) -> Html:
        """Return the title block of the overview, naming the forum it is written for."""
        places = ["การจัดการความรู้กลุ่มการเงินชุมชน",
                  f"{self.province} จำนวน {self._count(len(self.all_tambons), 'ตำบล')}"]
        forum = next_sponsor_forum(self.records, self.period.as_of)
        occasion = "เอกสารประกอบการประชุมเวทีคุณเอื้อ"
        if forum is not None:
            occasion += (f" ครั้งที่ {self.number(forum['number'])} "
                         f"วันที่ {self.date(forum['date'], 'long')}")
        block = self._title_block(
            f"รายงานภาพรวมความก้าวหน้า {self.province}", "รายงานภาพรวมความก้าวหน้า", places,
            occasion)
        if not self.excluded:
            return block
        # On page 1: the sponsors must know the figures leave these tambons out.
        return Html(block + paragraph(
            f"ภาพรวมนี้ยังไม่รวม{self._names(self.excluded)} เพราะบันทึกของตำบลยังมี"
            "ข้อผิดพลาดที่ต้องแก้ไขก่อน ตัวเลขทุกตัวในรายงานนี้จึงไม่นับตำบลดังกล่าว", "lead"))

    def sponsor_actions(self) -> Html:
        """Return the open actions for the sponsors, each worded as a request to the meeting.

        Each names where it comes from, its background (the summary of the session that raised
        it), the proposed owner, the due date and its state; the first `FIRST_REQUESTS` due
        soonest, and the count of the rest (all of them are in the spreadsheet).
        """
        table = self.open_actions[self.open_actions["for_sponsor"]]
        if table.empty:
            return paragraph("ไม่มีเรื่องที่ค้างรอคุณเอื้อพิจารณา", "empty")
        table = table.sort_values(["due", "raised", "action_id"], kind="stable",
                                  na_position="last")
        shown = table.head(FIRST_REQUESTS) if self.spreadsheet else table
        items, seen = [], {}
        for number, row in enumerate(shown.itertuples(), start=1):
            background = shortened(self.text(row.background))
            if background and background in seen:
                background = f"ดังความเป็นมาของเรื่องที่ {self.number(seen[background])}"
            elif background:
                seen[background] = number
            state = self._due_state(row.due)
            due = ("ยังไม่ได้กำหนดวันเสร็จ" if state == "undated"
                   else f"กำหนดเสร็จ {self.date(row.due)} "
                        f'<span class="state state-{state}">{DUE_STATES[state]}</span>')
            items.append(
                f'<li><p><span class="number">{escape(self.number(number))}.</span>'
                f"ขอให้ที่ประชุมพิจารณา: {escape(self.text(row.title))} "
                f"({escape(self._where(row.tambon_name))})</p>"
                + (f'<p class="small">ความเป็นมา: {escape(background)}</p>' if background
                   else "")
                + f'<p class="small">ผู้รับผิดชอบที่เสนอ: '
                  f"{escape(self.text(row.owner) or 'ยังไม่ได้กำหนด')} {due}</p></li>")
        html = Html(f'<ol class="requests numbered">{"".join(items)}</ol>')
        if len(table) > len(shown):
            html += paragraph(
                f"และอีก {self._count(len(table) - len(shown), 'เรื่อง')} "
                f"(ทุกเรื่องอยู่ใน{SPREADSHEET_TITLE}ที่ส่งมาด้วย)", "small")
        return html

    def urgent(self) -> Html:
        """Return what needs pushing: overdue visits and actions, groups never visited, and
        the tambons without a community facilitator."""
        totals, progress = self.totals, self.progress
        lines = []
        late = progress[progress["visits_overdue"] > 0]
        if len(late):
            lines.append(
                f"การลงพื้นที่ที่เลยกำหนดแล้วแต่ยังไม่ได้ไป "
                f"{self._count(totals['visits_overdue'], 'ครั้ง')} "
                + (f"ใน{self._names(late['tambon'])}" if len(late) <= self.most_rows
                   else f"ใน {self._count(len(late), 'ตำบล')}") + " ควรนัดหมายใหม่")
        if totals["groups_never_visited"]:
            lines.append(f"กลุ่มที่ยังไม่เคยได้ลงพื้นที่ "
                         f"{self._count(totals['groups_never_visited'], 'กลุ่ม')} จาก "
                         f"{self._count(totals['groups'], 'กลุ่ม')}")
        alone = progress[progress["community_facilitators"] == 0]
        if len(alone):
            lines.append(
                "ตำบลที่ยังไม่มีคุณอำนวยชุมชน: "
                + (self._names(alone["tambon"]) if len(alone) <= self.most_rows
                   else f"{self._count(len(alone), 'ตำบล')} (รายชื่ออยู่ใน"
                        f"{SPREADSHEET_TITLE}ที่ส่งมาด้วย)"))
        overdue = self.open_actions[self.open_actions["overdue"]]
        if len(overdue):
            lines.append(f"เรื่องค้างที่เลยกำหนด {self._count(len(overdue), 'เรื่อง')} "
                         "ตามตารางข้างล่าง")
        if not lines:
            return paragraph("ไม่มีเรื่องที่ต้องเร่งรัด การลงพื้นที่และเรื่องค้างยังไม่เลยกำหนด"
                             " และได้ลงพื้นที่ครบทุกกลุ่มแล้ว", "empty")
        html = bullet_list(lines)
        if len(overdue):
            html += self._actions_table(overdue)
        return html

    def _actions_table(self, table: pd.DataFrame) -> Html:
        """Return open actions as a table whose state column says "เลยกำหนด" where overdue."""
        shown = table.head(self.most_rows)
        shown = shown.assign(
            where=[self._where(n) for n in shown["tambon_name"]],
            title=[self.text(t) for t in shown["title"]],
            owner=[self.text(o) for o in shown["owner"]],
            state=[self._due_state(d) for d in shown["due"]])
        columns = [
            Column("where", "พื้นที่", width="18%"),
            Column("title", "เรื่อง", width="38%"),
            Column("owner", "ผู้รับผิดชอบ", width="16%"),
            Column("due", "กำหนดเสร็จ", "date", width="14%"),
            Column("state", "สถานะ", "state", DUE_STATES, width="14%"),
        ]
        html = html_table(shown, columns, self.numerals)
        if len(table) > len(shown):
            html += paragraph(f"และอีก {self._count(len(table) - len(shown), 'เรื่อง')}"
                              + (f" (ทุกเรื่องอยู่ใน{SPREADSHEET_TITLE}ที่ส่งมาด้วย)"
                                 if self.spreadsheet else ""), "small")
        return html

    def key_figures(self) -> Html:
        """Return the key figures, each item counted once across the tambons."""
        t = self.totals
        lines = [f"ตำบลในรายงาน {self._count(t['tambons'], 'ตำบล')} "
                 f"กลุ่มการเงิน {self._count(t['groups'], 'กลุ่ม')}"]
        if not t["visits_planned"]:
            lines.append("ยังไม่มีแผนลงพื้นที่")
        elif not t["visits_done"]:
            lines.append(f"ยังไม่ได้ลงพื้นที่ จากแผน {self._count(t['visits_planned'], 'ครั้ง')}")
        else:
            lines.append(
                f"ลงพื้นที่แล้ว {self._count(t['visits_done'], 'ครั้ง')} จากแผน "
                f"{self._count(t['visits_planned'], 'ครั้ง')} ได้ลงพื้นที่ "
                f"{self._count(t['groups_visited'], 'กลุ่ม')} จาก "
                f"{self._count(t['groups'], 'กลุ่ม')} ({self.share(t['visit_coverage'])})")
        lines.append(f"การลงพื้นที่ที่เลยกำหนด {self._count(t['visits_overdue'], 'ครั้ง')}"
                     if t["visits_overdue"] else "ไม่มีการลงพื้นที่ที่เลยกำหนด")
        if t["groups_with_head"] or t["groups_with_tail"]:
            lines.append(f"กลุ่มที่มีหัวปลาแล้ว {self._count(t['groups_with_head'], 'กลุ่ม')} "
                         f"มีหางปลาแล้ว {self._count(t['groups_with_tail'], 'กลุ่ม')}")
        else:
            lines.append("ยังไม่มีกลุ่มที่บันทึกหัวปลาหรือหางปลา")
        if t["sessions"]:
            line = (f"กิจกรรมในช่วงรายงาน {self._count(t['sessions'], 'ครั้ง')} "
                    f"(ของตำบล {self.number(t['own_sessions'])} ระดับจังหวัด "
                    f"{self.number(t['province_sessions'])}) ผู้เข้าร่วมรวม "
                    f"{self._count(t['participants'], 'คน-ครั้ง')}")
            if t["roster_sessions"]:
                line += (f" โดย {self._count(t['roster_sessions'], 'กิจกรรม')}ไม่ได้บันทึกจำนวน"
                         "ผู้เข้าร่วม จึงนับผู้มาร่วมจากรายชื่อ")
            lines.append(line)
        else:
            lines.append("ไม่มีกิจกรรมในช่วงรายงาน")
        if t["open_actions"]:
            lines.append(f"เรื่องค้าง {self._count(t['open_actions'], 'เรื่อง')} "
                         f"(ของตำบล {self.number(t['own_open_actions'])} ระดับจังหวัด "
                         f"{self.number(t['province_open_actions'])}) เสนอคุณเอื้อ "
                         f"{self._count(t['open_sponsor_actions'], 'เรื่อง')}")
            lines.append(f"เรื่องค้างที่เลยกำหนด {self._count(t['overdue_actions'], 'เรื่อง')}"
                         if t["overdue_actions"] else "ไม่มีเรื่องค้างที่เลยกำหนด")
        else:
            lines.append("ไม่มีเรื่องค้าง")
        return bullet_list(lines, "lead")

    def notes(self) -> Html:
        """Return the coordinator's province-wide notes of the period."""
        return self._notes(None, "บันทึกของผู้ประสานงานระดับจังหวัด")

    # -----------------------------------------------------------------------------------------
    # The table of tambons (or amphoes), its total, and what each figure counts

    def measures(self) -> Html:
        """Return one row per tambon (or amphoe, or province), the province-wide row and the
        total, which counts each item once."""
        areas = self.areas
        if areas.empty:
            return paragraph("ยังไม่มีตำบลในบันทึก", "empty")
        t = self.totals
        areas = areas.sort_values(["visit_coverage", "label"], ascending=[False, True],
                                  kind="stable")
        columns = [Column("label", self.area_word, width="23%" if self.by_tambon else "16%")]
        if not self.by_tambon:
            columns.append(Column("tambons", "ตำบล", "number", width="7%"))
        columns += [
            Column("groups", "กลุ่ม", "number", width="7%"),
            Column("visits", "ลงพื้นที่ แล้ว/แผน", width="10%"),
            Column("visit_coverage", "กลุ่มที่ ลงพื้นที่", "percent", width="10%"),
            Column("visits_overdue", "ลงพื้นที่ เลยกำหนด", "number", width="11%"),
            Column("fish_coverage", "มีหัวและ หางปลา", "percent", width="10%"),
            Column("own_sessions", "กิจกรรม", "number", width="9%"),
            Column("own_open_actions", "เรื่องค้าง", "number", width="9%"),
            Column("own_overdue_actions", "เรื่อง เลยกำหนด", "number", width="11%"),
        ]
        province_row = {"label": "ระดับจังหวัด",
                        "own_sessions": t["province_sessions"],
                        "own_open_actions": t["province_open_actions"],
                        "own_overdue_actions": t["province_overdue_actions"]}
        total_row = {**{c.name: t.get(c.name) for c in columns}, "label": "รวม",
                     "visits_done": t["visits_done"], "visits_planned": t["visits_planned"],
                     "tambons": t["tambons"], "own_sessions": t["sessions"],
                     "own_open_actions": t["open_actions"],
                     "own_overdue_actions": t["overdue_actions"]}
        shown = areas.head(TAMBON_ROWS)
        rows = pd.concat([shown, pd.DataFrame([province_row, total_row])], ignore_index=True)
        rows["visits"] = [
            "" if pd.isna(p) else f"{self.number(d)}/{self.number(p)}"
            for d, p in zip(rows["visits_done"], rows["visits_planned"])]
        html = self._table_with_last_rows(rows, columns, 2)
        intro = (f"{self.area_word}ละหนึ่งแถว เรียงตามสัดส่วนกลุ่มที่ได้ลงพื้นที่แล้ว"
                 + ("" if self.by_tambon else
                    f" ตารางรายตำบลครบทั้ง {self._count(t['tambons'], 'ตำบล')} อยู่ใน"
                    f"{SPREADSHEET_TITLE}ที่ส่งมาด้วย"))
        parts = [paragraph(intro), html]
        if self.excluded:
            parts.append(paragraph(f"ยังไม่รวม{self._names(self.excluded)} "
                                   "(บันทึกยังมีข้อผิดพลาด)", "small"))
        return Html("".join(parts))

    def _table_with_last_rows(self, rows: pd.DataFrame, columns: list[Column],
                              last: int) -> Html:
        """Return `rows` as a table whose `last` rows (the province-wide row and the total)
        are set apart: bold, with a rule above."""
        # Number headers may wrap between words here: ten columns share the page's width.
        body = html_table(rows.iloc[:-last], columns, self.numerals, css_class="wide")
        extra = "".join(
            '<tr class="total">'
            + "".join(f'<td class="{"num" if c.kind in ("number", "percent") else ""}">'
                      f"{cell(value, c, self.numerals)}</td>"
                      for value, c in zip(record, columns)) + "</tr>"
            for record in rows.iloc[-last:][[c.name for c in columns]]
            .itertuples(index=False, name=None))
        return Html(body.replace("</tbody></table>", f"{extra}</tbody></table>"))

    def explanations(self) -> Html:
        """Return what each figure of the table counts ("คำอธิบายตัวเลข")."""
        t = self.totals
        lines = [
            "ลงพื้นที่ แล้ว/แผน: ครั้งที่ไปแล้วถึงวันที่ข้อมูล และครั้งในแผนที่ไม่ได้ยกเลิก"
            " ลงพื้นที่เลยกำหนด: ครั้งที่ยังไม่ได้ไปทั้งที่วันนัดผ่านมาแล้ว",
            "กลุ่มที่ลงพื้นที่ และมีหัวและหางปลา: ร้อยละของกลุ่มทั้งหมด"
            " แถวรวมคิดจากกลุ่มของทุกตำบลรวมกัน",
            f"กิจกรรม: กิจกรรมที่จัดแล้วในช่วงรายงานของ{self.area_word}เอง"
            " เรื่องค้าง: ข้อเสนอและงานที่ยังไม่เสร็จ ณ วันที่ข้อมูล ของ"
            f"{self.area_word}เอง เรื่องเลยกำหนด: เรื่องค้างที่เลยวันกำหนดเสร็จแล้ว",
            "กิจกรรมและเรื่องค้างระดับจังหวัดนับครั้งเดียวในแถวระดับจังหวัด แถวรวมจึงนับแต่ละ"
            "รายการครั้งเดียว (รายงานของแต่ละตำบลนับรายการระดับจังหวัดรวมไว้ในตำบลด้วย)",
        ]
        if t["roster_sessions"]:
            lines.append(
                f"ผู้เข้าร่วม (ในตัวเลขสำคัญ): จำนวนที่บันทึกไว้ของแต่ละกิจกรรม ส่วน"
                f"{self._count(t['roster_sessions'], 'กิจกรรม')}ที่ไม่ได้บันทึกจำนวน"
                "นับผู้มาร่วมจากรายชื่อ ผู้สังเกตการณ์ไม่นับ")
        return bullet_list(lines, "small")

    def coverage_chart(self):
        """Return bars of visit and fish coverage per row of the table (the top entries);
        nothing when no tambon has a group."""
        areas = self.areas
        if areas.empty or not int(areas["groups"].sum()):
            return Html("")
        shown = areas.sort_values(["visit_coverage", "label"], ascending=[False, True],
                                  kind="stable").head(CHART_ROWS)
        if self.by_tambon:
            shown = shown.assign(label=[self._place("ตำบล", label) for label in shown["label"]])
        note = (f"{self.number(len(shown))} {self.area_word}ที่ลงพื้นที่ได้มากที่สุด จาก "
                f"{self._count(len(areas), self.area_word)}" if len(areas) > len(shown) else "")
        return Html(drawing("km_analysis.charts:coverage_by_tambon",
                            {"progress": shown, "numerals": self.numerals, "note": note},
                            "chart"))

    # -----------------------------------------------------------------------------------------
    # Sessions, what is coming, the attachments

    def sessions(self) -> Html:
        """Return the province-wide sessions of the period, each counted once."""
        table = measures.province_sessions(self.records, self.period)
        if table.empty:
            return paragraph("ไม่มีกิจกรรมระดับจังหวัดในช่วงรายงานนี้", "empty")
        table = table.assign(title=[self.text(t) for t in table["title"]])
        columns = [
            Column("date", "วันที่", "date", width="15%"),
            Column("kind", "ประเภท", "label", SESSION_KINDS, width="15%"),
            Column("title", "กิจกรรม", width="44%"),
            Column("participants", "ผู้เข้าร่วม", "number", width="13%"),
            Column("attendance_rate", "มาตามนัด", "percent", width="13%"),
        ]
        return html_table(table, columns, self.numerals)

    def coming(self) -> Html:
        """Return what is planned across the province between the day after as-of and six
        weeks on, with the dates; visits by tambon while the tambons fit, else counted."""
        first = self.period.as_of + pd.Timedelta(days=1)
        last = self.period.as_of + pd.Timedelta(days=COMING_DAYS)
        start = (self.date(first).rsplit(" ", 1)[0] if first.year == last.year
                 else self.date(first))
        intro = paragraph(f"กำหนดการระหว่าง {start} ถึง {self.date(last)}")
        table = measures.province_coming(self.records, self.period.as_of, COMING_DAYS)
        if table.empty:
            return intro + paragraph("ไม่มีกิจกรรมหรือการลงพื้นที่ที่กำหนดไว้ในช่วงนี้", "empty")
        visits = table[table["what"] == "visit"]
        counted = ""
        if not self.by_tambon and len(visits):
            counted = (f"ลงพื้นที่ตามแผน {self._count(len(visits), 'ครั้ง')} ใน "
                       f"{self._count(visits['tambon_name'].nunique(), 'ตำบล')} "
                       "ดูรายการในรายงานของแต่ละตำบล")
            table = table[table["what"] != "visit"]
        table = table.assign(
            where=[self._where(n) for n in table["tambon_name"]],
            title=[self.text(w) if what == "visit" else self.text(t)
                   for what, t, w in zip(table["what"], table["title"], table["where"])])
        kinds = {**SESSION_KINDS, "field_visit": "ลงพื้นที่"}
        columns = [
            Column("date", "วันที่", "date", width="15%"),
            Column("where", "พื้นที่", width="18%"),
            Column("kind", "ประเภท", "label", kinds, width="15%"),
            Column("title", "รายการ", width="52%"),
        ]
        limit = self.most_rows * 2
        html = intro + html_table(table.head(limit), columns, self.numerals) if len(table) \
            else intro
        if len(table) > limit:
            html += paragraph(f"และอีก {self._count(len(table) - limit, 'รายการ')}", "small")
        if counted:
            html += paragraph(counted)
        return html

    def attachments(self) -> Html:
        """Return what is sent with this paper, by Thai title ("สิ่งที่ส่งมาด้วย")."""
        items = []
        if self.spreadsheet:
            items.append(f"{SPREADSHEET_TITLE} ครบทั้ง {self._count(len(self.progress), 'ตำบล')}"
                         f" ข้อมูล ณ วันที่ {self.date(self.period.as_of)} (แฟ้ม Excel)")
        made = [slug for slug in self.all_tambons["tambon"] if slug not in self.excluded]
        if len(made) <= TAMBON_ROWS:
            items += [f"รายงานความก้าวหน้า {self._names([slug])}" for slug in made]
        elif made:
            items.append(f"รายงานความก้าวหน้ารายตำบล {self._count(len(made), 'ฉบับ')} "
                         "ตำบลละหนึ่งฉบับ")
        html = Html('<ol class="numbered">' + "".join(
            f'<li><span class="number">{escape(self.number(n))}.</span>{escape(item)}</li>'
            for n, item in enumerate(items, start=1)) + "</ol>" if items else "")
        if self.excluded:
            html += paragraph(f"{self._names(self.excluded)} ยังไม่ได้จัดทำรายงาน "
                              "เพราะบันทึกยังมีข้อผิดพลาด", "small")
        return html or paragraph("ไม่มีเอกสารที่ส่งมาด้วย", "empty")

    @cached_property
    def spreadsheet(self) -> Path | None:
        """Write the per-tambon table and the open actions beside the PDF; return its path.

        None when there is no attachments folder (the notebook run by hand) or no tambon.
        """
        if not self.attachments_dir or self.progress.empty:
            return None
        path = Path(self.attachments_dir) / SPREADSHEET.format(
            as_of=self.period.as_of.date().isoformat())
        write_spreadsheet(path, self.progress, self.open_actions, self.period.as_of, self.text)
        return path


def write_spreadsheet(path: Path, progress: pd.DataFrame, actions: pd.DataFrame,
                      as_of: pd.Timestamp, text=str) -> Path:
    """Write the overview's spreadsheet: one row per tambon (`SHEET_COLUMNS`), then the open
    actions; text cells are strings, never formulas; the same figures give the same bytes.

    Written row by row (openpyxl's write-only mode): a country's 7,255 tambons in seconds.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    ordered = progress.sort_values(["province_th", "amphoe_th", "name_th"], kind="stable")
    kinds = [kind for _, _, kind in SHEET_COLUMNS]
    _write_sheet(workbook, "รายตำบล", [header for _, header, _ in SHEET_COLUMNS], (
        [_sheet_value(value, kind, text) for value, kind in zip(values, kinds)]
        for values in zip(*(ordered[name] for name, _, _ in SHEET_COLUMNS))), kinds)
    state = [DUE_STATES["overdue" if over else "planned" if pd.notna(due) else "undated"]
             for over, due in zip(actions["overdue"], actions["due"])]
    _write_sheet(workbook, "เรื่องค้าง",
                 ["พื้นที่", "เรื่อง", "ผู้รับผิดชอบ", "เสนอคุณเอื้อ", "กำหนดเสร็จ", "สถานะ"],
                 ([text(name) if pd.notna(name) else "ระดับจังหวัด", text(title), text(owner),
                   "ใช่" if sponsor else "ไม่ใช่", None if pd.isna(due) else due.to_pydatetime(),
                   s]
                  for name, title, owner, sponsor, due, s in zip(
                      actions["tambon_name"], actions["title"], actions["owner"],
                      actions["for_sponsor"], actions["due"], state)),
                 ["text", "text", "text", "text", "date", "text"])
    stamp = as_of.to_pydatetime()
    workbook.properties.created = workbook.properties.modified = stamp
    workbook.properties.creator = "km-analysis"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip_times(buffer.getvalue(), stamp.timetuple()[:6]))
    return path


def _sheet_value(value, kind: str, text):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "text":
        return text(value)
    return float(value) if kind == "percent" else int(value)


# Dates in the Buddhist era as Excel and LibreOffice show them ("30 ต.ค. 2549").
SHEET_DATE_FORMAT = "[$-107041E]d mmm yyyy;@"


def _write_sheet(workbook, title: str, headers: list[str], rows, kinds: list[str]) -> None:
    """Append a sheet of `rows` under bold `headers`, frozen below them."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(10, len(header) * 0.9)
    sheet.freeze_panes = "A2"

    def cell(value, number_format=None, font=None):
        written = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            written.data_type = "s"  # openpyxl takes text beginning with "=" for a formula
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        return written

    bold = Font(bold=True)
    sheet.append([cell(header, font=bold) for header in headers])
    formats = {"percent": "0%", "date": SHEET_DATE_FORMAT}
    for row in rows:
        sheet.append([
            cell(value, formats[kind]) if kind in formats and value is not None
            else cell(value) if isinstance(value, str) and value.startswith("=")
            else value
            for value, kind in zip(row, kinds)])


def _fixed_zip_times(data: bytes, when: tuple) -> bytes:
    """Return the xlsx (a zip) with every member, and its modified time, dated `when`: the
    same records give the same bytes."""
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*when)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=max(when, (1980, 1, 1, 0, 0, 0)))
            member.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*",
                              lambda m: m.group(1) + stamp.encode(), data)
            target.writestr(member, data)
    return out.getvalue()
