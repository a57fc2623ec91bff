"""A tambon's progress report, in Thai: `TambonReport.open(...)` takes the notebook's parameters."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import measures, thai
from ..measures import kmtools
from ..records.schema import (
    ACTION_STATUSES,
    FISH_PARTS,
    ROLES,
    SESSION_KINDS,
    TABLES,
)
from ..scope import in_scope
from .base import COMING_DAYS, DUE_STATES, Report, open_records, section
from .drawings import drawing
from .meeting import MeetingSections
from .tables import Column, Html, escape, html_table, paragraph

VISIT_STATES = {
    "done": "ลงพื้นที่แล้ว",
    "overdue": "เลยกำหนด",
    "planned": "ตามแผน",
    "postponed": "เลื่อน",
    "postponed_undated": "เลื่อน ยังไม่มีวันใหม่",
    "cancelled": "ยกเลิก",
    "no_plan": "ยังไม่มีแผน",
}
WARNING_FIXES = {
    "no_facilitator": "ใส่รหัสคุณอำนวยผู้รับผิดชอบของกลุ่ม",
    "roster_over_participants": "แก้จำนวนผู้เข้าร่วม หรือสถานะในทะเบียนรายชื่อ ให้ตรงกัน",
    "blank_rows": "ลบแถวว่างออก",
    "undrawable": "พิมพ์อักขระนั้นใหม่ด้วยแป้นพิมพ์ภาษาไทย",
    "ignored_table": "ตั้งชื่อให้ตรงกับตารางของบันทึก หรือขึ้นต้นชื่อด้วยขีดล่าง ถ้าไม่ใช่ตาราง",
}
DEFINITIONS = [
    ("กลุ่มการเงิน", "กลุ่มการเงินของตำบลในบันทึก"),
    ("ลงพื้นที่แล้ว", "ครั้งที่ลงพื้นที่ไปแล้วถึงวันที่รายงาน จากแผนลงพื้นที่ทั้งหมดที่ไม่ได้ยกเลิก"),
    ("กลุ่มที่ได้ลงพื้นที่แล้ว", "สัดส่วนของกลุ่มที่ได้ลงพื้นที่แล้วอย่างน้อยหนึ่งครั้ง"),
    ("เลยกำหนด (ลงพื้นที่)", "แผนลงพื้นที่ที่ถึงกำหนด (หรือวันนัดใหม่ถ้าเลื่อน) ก่อนวันที่รายงานแต่ยังไม่ได้ไป"),
    ("หัวปลา หางปลา", "สัดส่วนของกลุ่มที่บันทึกเป้าหมาย (หัวปลา) หรือความรู้ที่มีอยู่ (หางปลา) แล้ว"),
    ("กิจกรรม", "กิจกรรมที่จัดแล้วในช่วงรายงาน ทั้งของตำบลและระดับจังหวัดที่ทุกตำบลร่วมกัน "
                "กิจกรรมระดับจังหวัดจึงนับในรายงานของทุกตำบล แต่นับครั้งเดียวในภาพรวมจังหวัด"),
    ("ผู้เข้าร่วม (คน-ครั้ง)", "รวมจำนวนผู้เข้าร่วมของทุกกิจกรรมในช่วงรายงาน คนเดียวมาสองครั้งนับสอง "
                              "ไม่นับผู้สังเกตการณ์ กิจกรรมที่ไม่ได้กรอกจำนวนนับจากรายชื่อผู้มาในทะเบียน"),
    ("เรื่องค้าง", "เรื่องที่เสนอแล้วแต่ยังไม่เสร็จหรือยกเลิก ณ วันที่รายงาน ทั้งของตำบลและระดับจังหวัด"),
    ("เรื่องที่เลยกำหนด", "เรื่องค้างที่กำหนดเสร็จก่อนวันที่รายงาน"),
    ("คุณอำนวยผู้รับผิดชอบ", "คุณอำนวยที่บันทึกไว้กับกลุ่ม ผู้ลงพื้นที่อาจเป็นคนอื่นได้ "
                             "ตารางลงพื้นที่จึงระบุผู้ลงพื้นที่แยกไว้เมื่อไม่ใช่คนเดียวกัน"),
]
WARNING_KINDS = {
    "no_facilitator": "กลุ่มนี้ยังไม่มีคุณอำนวยผู้รับผิดชอบ",
    "roster_over_participants": "จำนวนผู้เข้าร่วมน้อยกว่าจำนวนผู้มาในทะเบียนรายชื่อ",
    "blank_rows": "มีแถวว่างคั่นระหว่างรายการ (ข้ามไปแล้ว)",
    "undrawable": "มีอักขระที่แบบอักษรของรายงานแสดงไม่ได้",
    "ignored_table": "ไฟล์หรือแผ่นงานนี้ไม่ใช่ตารางของบันทึก จึงไม่ได้อ่าน",
}


@dataclass
class TambonReport(MeetingSections, Report):
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
        records = open_records(snapshot, data_dir, tambon)
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
                                 [" ".join(place)], self.occasion())

    def notes(self) -> Html:
        """Return the coordinator's notes of the period under a heading; none: nothing."""
        return self._notes(self.tambon, "บันทึกของผู้ประสานงาน")

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
                  f"บันทึกหัวปลา ตัวปลา และหางปลาแล้ว {n(now['fish_items'])} รายการ"
                  + self._fish_owners())),
            ("กิจกรรมที่จัด", flow("sessions"),
             said(now["sessions"], "ไม่มีกิจกรรมในช่วงรายงาน",
                  f"จัดกิจกรรม {n(now['sessions'])} ครั้งในช่วงรายงาน"
                  + self._split(now, "sessions", "ครั้ง"))),
            ("ผู้เข้าร่วม (คน-ครั้ง)", flow("participants"),
             said(now["participants"], "ไม่มีผู้เข้าร่วมกิจกรรมในช่วงรายงาน",
                  f"ผู้เข้าร่วมรวม {n(now['participants'])} คน-ครั้งในช่วงรายงาน"
                  + self._split(now, "participants", "คน-ครั้ง")
                  + " ไม่นับผู้สังเกตการณ์" + self._roster_note(now))),
            ("เรื่องที่ยังค้าง", stock(n(now["open_actions"])),
             said(now["open_actions"], "ไม่มีเรื่องค้าง",
                  f"ยังค้าง {n(now['open_actions'])} เรื่อง"
                  + self._split(now, "open_actions", "เรื่อง"))),
            ("เรื่องที่เลยกำหนด", stock(n(now["overdue_actions"])),
             said(now["overdue_actions"], "ไม่มีเรื่องใดเลยกำหนด",
                  f"{n(now['overdue_actions'])} เรื่องเลยกำหนดแล้วแต่ยังไม่เสร็จ ควรเร่งรัด")),
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
            f"ช่วงรายงาน {self.date(self.first_day)} ถึง {self.date(as_of)} ปีงบประมาณเริ่ม "
            f"{self.date(fiscal_start)} ความหมายของตัวเลขแต่ละตัวอยู่ในหัวข้อคำอธิบายตัวเลข", "lead")
        return lead + html_table(frame, columns, self.numerals, css_class="figures")

    def _split(self, progress: dict, key: str, unit: str) -> str:
        """Return " (ของตำบล a <unit> ระดับจังหวัด b <unit>)", naming only the parts there are."""
        own, province = progress[f"own_{key}"], progress[f"province_{key}"]
        # Participants belong to sessions: "ในกิจกรรมของตำบล", not "ของตำบล".
        where = "ในกิจกรรม" if key == "participants" else ""
        if not own and not province:
            return ""
        if not province:
            return f" ทั้งหมด{where or 'เป็น'}ของตำบล"
        if not own:
            return f" ทั้งหมด{where or 'เป็น'}ระดับจังหวัด"
        return (f" ({where}ของตำบล {self.number(own)} {unit} "
                f"{where}ระดับจังหวัด {self.number(province)} {unit})")

    def _roster_note(self, progress: dict) -> str:
        sessions = progress["roster_sessions"]
        if not sessions:
            return ""
        return (f" โดย {self.number(sessions)} กิจกรรมที่ไม่ได้กรอกจำนวนผู้เข้าร่วม"
                "นับจากรายชื่อผู้มาในทะเบียน")

    def _fish_owners(self) -> str:
        """Return whose fish items were recorded: the groups', the network's or both."""
        items = measures.fish_items(self.records, self.tambon, self.period.as_of)
        network = items["owner"].eq(measures.NETWORK).to_numpy(bool)
        if network.all():
            return " ทั้งหมดเป็นของเครือข่ายตำบล"
        if not network.any():
            return " ทั้งหมดเป็นของกลุ่ม"
        return " ทั้งของกลุ่มและของเครือข่ายตำบล"

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
        lead = paragraph(" ".join(f"{label} {self.number(count)} {unit}"
                                  for label, count, unit in parts if count), "lead")
        # The group's facilitator answers for it; who went is named only where it is someone else.
        visitors = table["visitor_name"].notna().any()

        def width(without: str, with_visitors: str) -> str:
            return with_visitors if visitors else without

        columns = [
            Column("village_no", "หมู่", "number", width="6%"),
            Column("group_name", "กลุ่ม", width=width("30%", "26%")),
            Column("facilitator_name", "คุณอำนวยผู้รับผิดชอบ", width=width("24%", "18%")),
            *([Column("visitor_name", "ผู้ลงพื้นที่", width="14%")] if visitors else []),
            Column("due", "กำหนด", "date", width=width("14%", "12%")),
            Column("state", "สถานะ", "state", VISIT_STATES, width=width("12%", "12%")),
            Column("done_on", "ลงพื้นที่เมื่อ", "date", width=width("14%", "12%")),
        ]
        return lead + html_table(table, columns, self.numerals)

    def visits_chart(self):
        """Return the chart of visits planned vs done over time."""
        progress = measures.visits_over_time(self.records, self.tambon, self.period.as_of)
        if progress.empty or not progress["done_cumulative"].any():
            return Html("")  # no visit done yet: the lead above already says so
        return Html(drawing("km_analysis.charts:visits_over_time", {
            "progress": progress, "as_of": self.period.as_of, "numerals": self.numerals},
            "chart"))

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
            f"กลุ่มที่มีหัวปลา {self.share(progress['head_coverage'])} มีหางปลา "
            f"{self.share(progress['tail_coverage'])} ครบทั้งหัวและหาง "
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
        return Html(drawing("km_analysis.charts:coverage_bars",
                            {"coverage": shares, "numerals": self.numerals}, "chart"))

    def fish_items(self) -> Html:
        """Return the fish items, the tambon network's first, then each group's."""
        items = measures.fish_items(self.records, self.tambon, self.period.as_of)
        if items.empty:
            return paragraph("ยังไม่มีการบันทึกหัวปลา ตัวปลา หรือหางปลาในตำบลนี้", "empty")
        parts = []
        for owner, owned in items.groupby("owner", sort=False):
            heading = ("ปลาของเครือข่ายตำบล" if owner == "network"
                       else self.text(owned["group_name"].iloc[0]))
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
        groups = self.records.groups
        without = groups.loc[~groups["group_id"].isin(group_ids).to_numpy(bool), "name"]
        note = (paragraph("กลุ่มที่ยังไม่มีบันทึกหัวปลา ตัวปลา หรือหางปลา จึงยังไม่มีภาพปลาทู: "
                          + self._listing([self.text(name) for name in without], "กลุ่ม"),
                          "small") if len(without) else Html(""))
        fishes = kmtools.group_fishes(self.records, group_ids, self.period.as_of, self.numerals)
        figures = [drawing("km_analysis.charts:fish",
                           {**fishes[group_id], "numerals": self.numerals}, "fish")
                   for group_id in group_ids]
        return Html("".join(figures)) + note

    def mobile(self):
        """Return the tambon's ปลาตะเพียน: the network's fish above, one small fish a group."""
        if self.records.groups.empty:
            return paragraph("ตำบลนี้ยังไม่มีกลุ่มการเงินในบันทึก", "empty")
        return Html(drawing("km_analysis.charts:pla_taphian", {**kmtools.tambon_mobile(
            self.records, self.tambon, self.period.as_of, self.numerals),
            "numerals": self.numerals}, "mobile"))

    def river_caption(self) -> Html:
        """Return how to read the river diagram actually drawn: one group's, or several's."""
        latest = kmtools.latest_assessments(self.records, self.tambon, self.period.as_of)
        groups = latest["group_id"].nunique()
        if groups == 0:
            return Html("")
        if groups == 1:
            return paragraph("มีกลุ่มเดียวที่ประเมินตนเองแล้ว เส้นทึบคือระดับความสามารถของกลุ่มในแต่ละเรื่อง "
                             "เส้นประคือเป้าหมายของกลุ่ม ช่องว่างระหว่างสองเส้นคือสิ่งที่ต้องเรียนรู้เพิ่ม",
                             "lead")
        return paragraph(f"แต่ละเส้นคือระดับความสามารถของกลุ่มหนึ่ง ({self.number(groups)} กลุ่ม) "
                         "แถบสีเทาคือช่วงระหว่างกลุ่มที่สูงที่สุดกับต่ำที่สุด ตรงที่แถบกว้างคือเรื่องที่"
                         "กลุ่มมีความรู้ต่างกันมากและควรแลกเปลี่ยนกัน", "lead")

    def river(self):
        """Return the river diagram of the tambon's latest self-assessments."""
        latest = kmtools.latest_assessments(self.records, self.tambon, self.period.as_of)
        if latest.empty:
            return paragraph("กลุ่มในตำบลนี้ยังไม่ได้ประเมินตนเอง จึงยังไม่มีธารปัญญาและบันไดการเรียนรู้",
                             "empty")
        return Html(drawing("km_analysis.charts:river", {
            "assessments": latest, "competencies": kmtools.competency_order(self.records),
            "title": f"ธารปัญญา {self.tambon_name}", "numerals": self.numerals}, "river"))

    def stairs(self) -> Html:
        """Return the learning stairs of every assessed competency in one table (or nothing).

        A row a competency, a column a level (1-5): each cell names the groups now on that
        step, so a group higher up can be seen as a mentor for those below.
        """
        latest = kmtools.latest_assessments(self.records, self.tambon, self.period.as_of)
        if latest.empty:
            return Html("")  # the river's section already says no group has assessed itself
        assessed = set(latest["competency"])
        rows = []
        for code, name in kmtools.competency_order(self.records):
            if code not in assessed:
                continue
            steps = kmtools.stair_steps(self.records, self.tambon, code, self.period.as_of,
                                        latest)
            rows.append({"competency": name, **{
                f"level_{level}": ", ".join(steps.at[level, "groups"]) for level in steps.index}})
        columns = [Column("competency", "เรื่อง", width="20%"),
                   *(Column(f"level_{level}", f"ขั้นที่ {self.number(level)}", width="16%")
                     for level in kmtools.LEVELS)]
        caption = paragraph("แต่ละแถวคือเรื่องหนึ่ง กลุ่มบนขั้นที่สูงกว่าเป็นพี่เลี้ยงให้กลุ่มบนขั้นที่ต่ำกว่า"
                            "ได้ในเรื่องนั้น", "lead")
        return section("บันไดการเรียนรู้", caption + html_table(
            pd.DataFrame(rows), columns, self.numerals, css_class="stairs"), level=3)

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
        progress = measures.tambon_progress(self.records, self.tambon, self.period.as_of,
                                           self.period.since)
        lead = paragraph(f"จัดกิจกรรม {self.number(progress['sessions'])} ครั้ง"
                         + self._split(progress, "sessions", "ครั้ง")
                         + f" ผู้เข้าร่วมรวม {self.number(progress['participants'])} คน-ครั้ง"
                         + self._roster_note(progress), "lead")
        html = lead + html_table(table, columns, self.numerals)
        observed = table[table["observers"].fillna("") != ""]
        for row in observed.itertuples():
            html += paragraph(f"ผู้สังเกตการณ์ใน “{self.text(row.title)}” ({self.date(row.date)}): "
                              f"{self.text(row.observers)}", "small")
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
            Column("state", "กำหนด", "state", DUE_STATES, width="14%"),
        ]
        # Page 1 refers to this table by its page number.
        return Html(f'<div id="sponsor-actions">{html_table(table, columns, self.numerals)}</div>')

    def other_actions(self) -> Html:
        """Return the other open actions (not for the sponsors), under a heading; none: nothing."""
        table = measures.open_actions(self.records, self.tambon, self.period.as_of,
                                     for_sponsor=False)
        if table.empty:
            return Html("")
        table = table.assign(state=table["overdue"].map({True: "overdue", False: "planned"}))
        columns = [
            Column("title", "เรื่อง", width="38%"),
            Column("owner", "ผู้รับผิดชอบ", width="20%"),
            Column("due", "กำหนดเสร็จ", "date", width="14%"),
            Column("status", "ความคืบหน้า", "label", ACTION_STATUSES, width="14%"),
            Column("state", "กำหนด", "state", DUE_STATES, width="14%"),
        ]
        return section("เรื่องอื่นที่ยังค้าง", html_table(table, columns, self.numerals), level=3)

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
            ("actions_raised", "เรื่องที่เสนอใหม่", [
                Column("raised", "วันที่", "date", width="15%"),
                Column("title", "เรื่อง", width="71%"),
                Column("state", "กำหนด", "state", DUE_STATES, width="14%")]),
            ("actions_closed", "เรื่องที่ปิดแล้ว", [
                Column("closed_on", "วันที่", "date", width="15%"),
                Column("title", "เรื่อง", width="72%"),
                Column("status", "ผล", "label", ACTION_STATUSES, width="13%")]),
        ]
        units = {"visits_done": "ครั้ง", "fish_recorded": "รายการ", "actions_raised": "เรื่อง",
                 "actions_closed": "เรื่อง"}
        for key, heading, columns in sections:
            frame = changes[key]
            if frame.empty:
                continue  # a part with nothing in it is left out, never shown as zero
            if "group_name" in frame.columns:  # a network's fish has no group
                frame = frame.assign(group_name=frame["group_name"].fillna("เครือข่ายตำบล")
                                     .replace("", "เครือข่ายตำบล"))
            if key == "actions_raised":
                frame = frame.assign(state=self._due_states(frame))
            parts.append(f"<h3>{escape(heading)} {escape(self.number(len(frame)))} "
                         f"{units[key]}</h3>")
            parts.append(html_table(frame, columns, self.numerals))
        if not parts:
            return Html("")  # nothing changed: the section is left out
        return section("ความเปลี่ยนแปลงในช่วงรายงาน", Html("".join(parts)))

    def _due_states(self, actions: pd.DataFrame) -> pd.Series:
        """Return each action's state against its due date at as-of (DUE_STATES' codes)."""
        as_of = self.period.as_of
        closed = (actions["closed_on"] <= as_of).fillna(False)
        overdue = ~closed & (actions["due"] < as_of).fillna(False)
        undated = ~closed & actions["due"].isna()
        states = pd.Series("planned", index=actions.index)
        return states.mask(closed, "closed").mask(overdue, "overdue").mask(undated, "undated")

    def coming(self) -> Html:
        """Return the sessions and visits planned from the day after as-of, for COMING_DAYS."""
        as_of = self.period.as_of
        table = measures.coming(self.records, self.tambon, as_of, days=COMING_DAYS)
        window = (f"ระหว่างวันที่ {self.date(as_of + pd.Timedelta(days=1))} ถึง "
                  f"{self.date(as_of + pd.Timedelta(days=COMING_DAYS))}")
        if table.empty:
            return paragraph(f"ยังไม่มีกิจกรรมหรือการลงพื้นที่ที่กำหนดไว้{window}", "empty")
        columns = [
            Column("date", "วันที่", "date", width="15%"),
            Column("kind", "ประเภท", "label", SESSION_KINDS, width="15%"),
            Column("title", "รายการ", width="70%"),
        ]
        return paragraph(f"กำหนดการ{window}", "lead") + html_table(table, columns, self.numerals)

    def definitions(self) -> Html:
        """Return "คำอธิบายตัวเลข": what each figure of the report counts, stated once."""
        return html_table(pd.DataFrame(DEFINITIONS, columns=["figure", "meaning"]),
                          [Column("figure", "ตัวเลข", width="26%"),
                           Column("meaning", "นับอย่างไร", width="74%")],
                          self.numerals, css_class="definitions")

    def appendix(self) -> Html:
        """Return the warnings in this tambon's scope: what, where and how to fix, in Thai."""
        warnings = in_scope(self.records.warnings, self.tambon)
        if not warnings:
            return Html("")  # nothing to fix: no appendix
        frame = pd.DataFrame({
            "what": [self._record_label(p) for p in warnings],
            "where": [self._place(p) for p in warnings],
            "value": [p.value for p in warnings],
            "note": [WARNING_KINDS.get(p.kind, p.expected) for p in warnings],
            "fix": [WARNING_FIXES.get(p.kind, "") for p in warnings],
        })
        typed = frame["value"].fillna("").astype(str).str.strip().ne("").any()
        columns = [Column("what", "รายการ", width="24%"), Column("where", "อยู่ที่", width="20%"),
                   *([Column("value", "ค่าที่พิมพ์", "as_typed", width="12%")] if typed else []),
                   Column("note", "ข้อสังเกต", width="22%" if typed else "28%"),
                   Column("fix", "ควรแก้ไข", width="22%" if typed else "28%")]
        lead = paragraph(f"ข้อสังเกต {self.number(len(warnings))} รายการ ไม่กระทบตัวเลขในรายงาน "
                         "แต่ควรแก้ไขในบันทึก", "lead")
        return section("ภาคผนวก: ข้อสังเกตจากการตรวจบันทึก",
                       lead + html_table(frame, columns, self.numerals))

    def _record_label(self, problem) -> str:
        """Return the group, person or session a problem's row is about, by its Thai name."""
        frame = self.records.frames().get(problem.table)
        index = self.records.locate(problem)  # its row, also when tables were combined
        if frame is None or index is None:
            return TABLES[problem.table].label_th if problem.table in TABLES else ""
        row = frame.loc[index]
        groups = self.records.groups.set_index("group_id")["name"]
        sessions = self.records.sessions.set_index("session_id")["title"]
        if problem.table in ("visits", "assessments") and row.get("group_id") in groups.index:
            return self.text(groups[row["group_id"]])
        if problem.table == "attendance" and row.get("session_id") in sessions.index:
            return self.text(sessions[row["session_id"]])
        for column in ("name", "title", "name_th", "item"):
            if column in row.index and pd.notna(row[column]):
                return self.text(row[column])
        return TABLES[problem.table].label_th

    def _place(self, problem) -> str:
        """Return where to find it as the facilitator does: the table's Thai name, row, column."""
        table = TABLES.get(problem.table)
        if table is None:
            return ""
        place = table.label_th
        if problem.row is not None:
            place += f" แถวที่ {self.number(problem.row)}"
        labels = {f.name: f.label_th for f in table.fields}
        if problem.column in labels:
            place += f" ช่อง{labels[problem.column]}"
        return place
