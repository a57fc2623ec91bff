"""Page 1 of a tambon's report: the forum it is for, what the sponsors are asked, what to push.

A mixin of `TambonReport` (it uses the report's records, period, tambon and formatting).
"""

from __future__ import annotations

import pandas as pd

from .. import measures
from ..records.schema import ACTION_STATUSES
from .base import shortened
from .tables import Html, bullet_list, escape, paragraph

PROPOSALS_ON_PAGE_ONE = 5
NAMES_LISTED = 6  # a list of groups names this many, then counts the rest


class MeetingSections:
    """The sections of page 1. The class using it provides records, period, tambon, number, date."""

    def occasion(self) -> str:
        """Return the line naming the forum the report is for (its number and date if known)."""
        forum = measures.next_sponsor_forum(self.records, self.tambon, self.period.as_of)
        if forum is None:
            return "เอกสารประกอบการประชุมเวทีคุณเอื้อ"
        venue = f" ณ {self.text(forum['venue'])}" if forum["venue"] else ""
        return (f"เอกสารประกอบการประชุมเวทีคุณเอื้อ ครั้งที่ {self.number(forum['number'])} "
                f"วันที่ {self.date(forum['date'], 'long')}{venue}")

    def decisions(self) -> Html:
        """Return "เรื่องเสนอเพื่อพิจารณา": each open request to the sponsors, due soonest first."""
        rows = measures.proposals(self.records, self.tambon, self.period.as_of)
        if rows.empty:
            return paragraph("รอบนี้ไม่มีเรื่องที่เสนอให้ที่ประชุมพิจารณา", "empty")
        shown = rows.head(PROPOSALS_ON_PAGE_ONE)
        lead = paragraph(f"ขอให้ที่ประชุมพิจารณา {self.number(len(rows))} เรื่อง ดังนี้", "lead")
        first_with = {}  # background -> the number of the first request that gave it
        items = []
        for number, row in enumerate(shown.itertuples(), start=1):
            items.append(self._proposal(row, number, first_with.get(row.background)))
            if pd.notna(row.background):
                first_with.setdefault(row.background, number)
        items = "".join(items)
        html = lead + Html(f'<ol class="proposals numbered">{items}</ol>')
        rest = len(rows) - len(shown)
        if rest:
            html += Html(
                f'<p class="small">และอีก {escape(self.number(rest))} เรื่อง '
                f'(ดูหน้า <span class="page-ref" data-target="#sponsor-actions"></span>)</p>')
        return html

    def _proposal(self, row, number: int, same_as: int | None) -> str:
        """Return one request: its title, background, proposed owner, due date and progress.

        A background already given for request N reads "เช่นเดียวกับเรื่องที่ N"; a long one is
        cut at a space (Thai parts phrases with spaces) so that page 1 keeps its five requests.
        """
        # The number is text, not a list marker: it follows --numerals and the text layer.
        parts = [f'<p class="request"><span class="number">{escape(self.number(number))}.</span>'
                 f'{escape(self.text(row.title))}</p>']
        if same_as is not None:
            parts.append('<p class="background">ความเป็นมา: เช่นเดียวกับเรื่องที่ '
                         f'{escape(self.number(same_as))}</p>')
        elif pd.notna(row.background) and str(row.background).strip():
            background = escape(self.text(shortened(str(row.background))))
            parts.append(f'<p class="background">ความเป็นมา: {background}</p>')
        facts = []
        if pd.notna(row.owner) and str(row.owner).strip():
            facts.append(f"ผู้รับผิดชอบที่เสนอ {self.text(row.owner)}")
        facts.append(self._due_status(row))
        facts.append(f"ความคืบหน้า: {ACTION_STATUSES.get(str(row.status), row.status)}")
        parts.append(f'<p class="facts">{escape("  ".join(facts))}</p>')
        return f"<li>{''.join(parts)}</li>"

    def _due_status(self, row) -> str:
        """Return the due date and where the action stands against it."""
        if pd.isna(row.due):
            return "ยังไม่กำหนดวันเสร็จ"
        days = (self.period.as_of - row.due).days
        due = f"กำหนดเสร็จ {self.date(row.due)}"
        if days > 0:
            return f"{due} (เลยกำหนดแล้ว {self.number(days)} วัน)"
        if days == 0:
            return f"{due} (ครบกำหนดวันนี้)"
        return f"{due} (อีก {self.number(-days)} วัน)"

    def urgent(self) -> Html:
        """Return "เรื่องที่ต้องเร่งรัด": overdue visits and actions, unvisited groups, no helpers."""
        as_of = self.period.as_of
        items = []
        visits = measures.visit_progress(self.records, self.tambon, as_of)
        late = visits[visits["state"] == "overdue"]
        if len(late):
            listed = [f"{self.text(r.group_name)} (กำหนด {self.date(r.due)})"
                      for r in late.itertuples()]
            items.append(f"แผนลงพื้นที่เลยกำหนด {self.number(len(late))} ครั้ง: "
                         + self._listing(listed, "ครั้ง"))
        actions = measures.open_actions(self.records, self.tambon, as_of)
        overdue = actions[actions["overdue"]]
        if len(overdue):
            listed = [f"{self.text(r.title)} (กำหนด {self.date(r.due)}, เลยกำหนด)"
                      for r in overdue.itertuples()]
            items.append(f"เรื่องที่เลยกำหนดแต่ยังไม่เสร็จ {self.number(len(overdue))} เรื่อง: "
                         + self._listing(listed, "เรื่อง"))
        left = measures.unvisited_groups(self.records, self.tambon, as_of)
        groups = len(self.records.groups)
        if len(left):
            listed = [self.text(name) for name in left["name"]]
            share = ("ทุกกลุ่ม" if len(left) == groups
                     else f"{self.number(len(left))} จาก {self.number(groups)} กลุ่ม")
            items.append(f"กลุ่มที่ยังไม่เคยได้ลงพื้นที่ {share}: " + self._listing(listed, "กลุ่ม"))
        if not measures.has_community_facilitator(self.records, self.tambon):
            items.append("ตำบลนี้ยังไม่มีคุณอำนวยชุมชนในบันทึก ควรสรรหาอย่างน้อยหนึ่งคน")
        if not items:
            return paragraph("ไม่มีเรื่องที่ต้องเร่งรัด: ไม่มีแผนลงพื้นที่หรือเรื่องใดเลยกำหนด "
                             "และได้ลงพื้นที่ครบทุกกลุ่มแล้ว", "empty")
        return bullet_list(items, "urgent")

    def _listing(self, names: list[str], unit: str) -> str:
        """Return names joined with "และ" before the last; beyond NAMES_LISTED, "และอีก N <unit>".

        Commas, not spaces, part the names: a group's name holds spaces of its own.
        """
        shown = names[:NAMES_LISTED]
        rest = len(names) - len(shown)
        if rest:
            return ", ".join(shown) + f" และอีก {self.number(rest)} {unit}"
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" และ{shown[-1]}"

