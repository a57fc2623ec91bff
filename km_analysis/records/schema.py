"""Schema v1 of the programme's records, declared once.

Each table is a list of fields; a field says how its cells are parsed (its kind), whether it is
required, and what the user is told about it (Thai label, meaning, example). The pandera schema
that validates the parsed, typed frame is derived from the same declarations, so the rules, the
docs (docs/records.md) and the entry workbook cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

SCHEMA_VERSION = 1

Kind = Literal["id", "slug", "text", "date", "count", "int", "code", "yesno", "ref"]

RESERVED_SLUGS = ("all", "overview")
# A slug names folders and files of reports (reports/<as-of>/<slug>/km-progress-<slug>-….pdf):
# kept short, so that a path stays within what file systems and Windows accept.
SLUG_MAX = 40
SLUG_PATTERN = rf"^[a-z][a-z0-9-]{{0,{SLUG_MAX - 1}}}$"
# The largest whole number a count or an integer cell may hold: far above any count of people,
# villages or members, and far below what a 64-bit column holds.
WHOLE_NUMBER_MAX = 999_999_999

# code -> Thai label, per enumeration (docs/records.md); the loader accepts either.
ROLES = {
    "project_facilitator": "คุณอำนวยโครงการ",
    "community_facilitator": "คุณอำนวยชุมชน",
    "coordinator": "ผู้ประสานงาน",
    "sponsor": "คุณเอื้อ",
    "practitioner": "คุณกิจ",
    "observer": "ผู้สังเกตการณ์",
}
GROUP_TYPES = {
    "savings_group": "กลุ่มออมทรัพย์",
    "village_fund": "กองทุนหมู่บ้าน",
    "welfare_fund": "กองทุนสวัสดิการชุมชน",
    "production_group": "กลุ่มอาชีพ",
    "other": "อื่น ๆ",
}
SESSION_KINDS = {
    "learning_circle": "วงเรียนรู้",
    "planning_forum": "เวทีทำแผน",
    "field_visit": "ลงพื้นที่",
    "knowledge_market": "ตลาดนัดความรู้",
    "sponsor_forum": "เวทีคุณเอื้อ",
    "training": "อบรม",
}
SESSION_STATUSES = {"held": "จัดแล้ว", "planned": "ตามกำหนดการ"}
ATTENDANCE_STATUSES = {"present": "มา", "absent": "ขาด", "observer": "สังเกตการณ์"}
VISIT_STATUSES = {
    "planned": "ตามแผน",
    "done": "เสร็จแล้ว",
    "postponed": "เลื่อน",
    "cancelled": "ยกเลิก",
}
FISH_PARTS = {"head": "หัวปลา", "body": "ตัวปลา", "tail": "หางปลา"}
ACTION_STATUSES = {
    "open": "ยังไม่เริ่ม",
    "in_progress": "กำลังดำเนินการ",
    "done": "เสร็จแล้ว",
    "dropped": "ยกเลิก",
}
YES_NO = {"yes": "ใช่", "no": "ไม่ใช่"}
# Other spellings people type for yes/no.
YES_NO_ALIASES = {"y": "yes", "true": "yes", "1": "yes", "n": "no", "false": "no", "0": "no"}


@dataclass(frozen=True)
class Field:
    """One column of a table: how it is parsed, checked and explained."""

    name: str
    kind: Kind
    label_th: str
    meaning: str
    example: str = ""
    required: bool = False
    codes: dict[str, str] | None = None  # for kind "code"
    ref: tuple[str, str] | None = None  # (table, column) a reference must resolve to
    low: int | None = None  # inclusive bounds for kinds "int" and "count"
    high: int | None = None
    default: str | None = None  # code used when the cell is blank

    @property
    def dtype(self):
        """Return the pandas dtype of the parsed column."""
        if self.kind in ("int", "count"):
            return pd.Int64Dtype()
        if self.kind == "date":
            return "datetime64[us]"
        if self.kind == "code":
            return pd.CategoricalDtype(list(self.codes or {}))
        if self.kind == "yesno":
            return pd.BooleanDtype()
        return pd.StringDtype()

    def expected(self) -> str:
        """Return what a valid cell of this field looks like, for messages."""
        if self.kind == "code":
            codes = self.codes or {}
            return "one of " + ", ".join(f"{code} ({label})" for code, label in codes.items())
        if self.kind == "yesno":
            return "yes or no (ใช่ / ไม่ใช่)"
        if self.kind == "date":
            return "a date such as 11/10/2549, 2549-10-11 or 11 ต.ค. 2549"
        if self.kind == "count":
            return "a whole number, 0 or more"
        if self.kind == "int":
            return f"a whole number from {self.low} to {self.high}"
        if self.kind == "slug":
            return ("a slug of lower-case letters, digits and '-', starting with a letter, "
                    f"at most {SLUG_MAX} characters")
        return "a value"


@dataclass(frozen=True)
class Table:
    """One table of the records: a CSV file `<name>.csv` or a sheet `<name>`."""

    name: str
    label_th: str
    meaning: str
    fields: tuple[Field, ...]
    optional: bool = False
    id_column: str | None = None  # unique per row
    key: tuple[str, ...] = ()  # a compound key unique per row
    scope_column: str | None = None  # the column naming the row's tambon (scope.row_tambons)
    extra_rules: tuple[str, ...] = field(default=())  # plain-English rules, for the docs

    @property
    def columns(self) -> list[str]:
        """Return the names of every column of the table, in schema order."""
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        """Return the names of the columns a file of this table must have."""
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        """Return the column called `name` (StopIteration if there is none)."""
        return next(f for f in self.fields if f.name == name)

    def empty_frame(self) -> pd.DataFrame:
        """Return a frame with this table's columns and dtypes and no rows."""
        frame = pd.DataFrame(
            {f.name: pd.Series([], dtype=f.dtype) for f in self.fields},
            index=pd.Index([], dtype="int64", name="row"),
        )
        return frame


def _person(name: str, label_th: str, meaning: str) -> Field:
    return Field(name, "ref", label_th, meaning, "P01", ref=("people", "person_id"))


def _tambon(required: bool, meaning: str) -> Field:
    return Field(
        "tambon", "ref", "ตำบล", meaning, "bangjak", required=required, ref=("tambons", "tambon")
    )


def _group(required: bool, meaning: str = "the group (groups.group_id)") -> Field:
    return Field(
        "group_id", "ref", "รหัสกลุ่ม", meaning, "G01", required=required, ref=("groups", "group_id")
    )


def _session(meaning: str, required: bool = False) -> Field:
    return Field(
        "session_id", "ref", "รหัสกิจกรรม", meaning, "S05", required=required,
        ref=("sessions", "session_id"),
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "tambons", "ตำบล", "the tambons (sub-districts) of the programme",
            (
                Field("tambon", "slug", "รหัสตำบล (ภาษาอังกฤษ)", "short name used in commands",
                      "bangjak", required=True),
                Field("name_th", "text", "ชื่อตำบล", "Thai name", "บางจาก", required=True),
                Field("name_en", "text", "ชื่อภาษาอังกฤษ", "English name", "Bang Jak",
                      required=True),
                Field("code", "text", "รหัสตำบล (DOPA)", "geocode", "800119"),
                Field("villages", "count", "จำนวนหมู่บ้าน", "number of villages (หมู่)", "11",
                      low=1, high=99),
                Field("amphoe_th", "text", "อำเภอ", "district, in Thai", "เมืองนครศรีธรรมราช"),
                Field("province_th", "text", "จังหวัด", "province, in Thai", "นครศรีธรรมราช"),
            ),
            id_column="tambon", scope_column="tambon",
            extra_rules=("`tambon` is not `all` or `overview` (they name batch reports)",),
        ),
        Table(
            "people", "บุคคล", "facilitators, coordinators, sponsors, practitioners, observers",
            (
                Field("person_id", "id", "รหัสบุคคล", "unique id", "P01", required=True),
                Field("name", "text", "ชื่อ", "name or role title", "อ.จำนง", required=True),
                Field("role", "code", "บทบาท", "role in the programme", "คุณอำนวยโครงการ",
                      required=True, codes=ROLES),
                _tambon(False, "home tambon; blank = province-wide"),
                Field("organisation", "text", "หน่วยงาน", "organisation", "อบต.บางจาก"),
            ),
            id_column="person_id", scope_column="tambon",
        ),
        Table(
            "groups", "กลุ่มการเงิน", "the community financial groups",
            (
                Field("group_id", "id", "รหัสกลุ่ม", "unique id", "G01", required=True),
                _tambon(True, "the group's tambon"),
                Field("village_no", "int", "หมู่ที่", "village number (หมู่)", "3",
                      required=True, low=1, high=99),
                Field("name", "text", "ชื่อกลุ่ม", "name of the group",
                      "กองทุนหมู่บ้านบ้านบางจาก", required=True),
                Field("type", "code", "ประเภทกลุ่ม", "kind of group", "กองทุนหมู่บ้าน",
                      required=True, codes=GROUP_TYPES),
                Field("village_name", "text", "ชื่อหมู่บ้าน", "village name", "บ้านบางจาก"),
                Field("members", "count", "จำนวนสมาชิก", "number of members", "120", low=0),
                _person("facilitator", "คุณอำนวยผู้รับผิดชอบ", "responsible facilitator"),
            ),
            id_column="group_id", scope_column="tambon",
            extra_rules=("village_no is at most the tambon's villages, when that is given",
                         "a group without a facilitator is a warning"),
        ),
        Table(
            "sessions", "กิจกรรม", "learning sessions, forums, visits and trainings",
            (
                Field("session_id", "id", "รหัสกิจกรรม", "unique id", "S05", required=True),
                Field("date", "date", "วันที่", "date held or planned", "11 ต.ค. 2549",
                      required=True),
                Field("kind", "code", "ประเภทกิจกรรม", "kind of session", "วงเรียนรู้",
                      required=True, codes=SESSION_KINDS),
                Field("title", "text", "ชื่อกิจกรรม", "title", "วงเรียนรู้คุณอำนวย 3 ตำบล",
                      required=True),
                _tambon(False, "the session's tambon; blank = its group's, else province-wide"),
                _group(False, "the group, for a session held with one group"),
                Field("status", "code", "สถานะ", "held or planned; blank = held", "จัดแล้ว",
                      codes=SESSION_STATUSES, default="held"),
                Field("venue", "text", "สถานที่", "venue", "ศาลาประดู่หก"),
                _person("lead", "ผู้นำกระบวนการ", "who led it"),
                Field("participants", "count", "จำนวนผู้เข้าร่วม", "number who took part", "14",
                      low=0),
                Field("summary", "text", "สรุป", "what happened", "ทบทวนการบ้าน…"),
            ),
            id_column="session_id", scope_column="tambon",
            extra_rules=("when both tambon and group_id are given they must agree",),
        ),
        Table(
            "attendance", "การเข้าร่วม", "who came to a session (optional roster)",
            (
                _session("the session", required=True),
                Field("person_id", "ref", "รหัสบุคคล", "the person", "P01", required=True,
                      ref=("people", "person_id")),
                Field("status", "code", "สถานะ", "present, absent or observer", "มา",
                      required=True, codes=ATTENDANCE_STATUSES),
            ),
            optional=True, key=("session_id", "person_id"),
            extra_rules=("more present than the session's participants is a warning",),
        ),
        Table(
            "visits", "แผนลงพื้นที่", "field-visit plans, one row per planned visit to a group",
            (
                Field("visit_id", "id", "รหัสการลงพื้นที่", "unique id", "V01", required=True),
                _group(True),
                Field("planned", "date", "วันที่ตามแผน", "planned date", "1 พ.ย. 2549",
                      required=True),
                Field("status", "code", "สถานะ", "state of the visit", "ตามแผน", required=True,
                      codes=VISIT_STATUSES),
                _person("facilitator", "คุณอำนวยผู้รับผิดชอบ", "responsible facilitator"),
                Field("agenda", "text", "กำหนดการ", "agenda", "ทำหัวปลาและหางปลา"),
                Field("rescheduled", "date", "วันที่เลื่อนไป", "new date of a postponed visit",
                      "15 พ.ย. 2549"),
                Field("done_on", "date", "วันที่ลงพื้นที่จริง", "date actually visited",
                      "2 พ.ย. 2549"),
                _session("the field_visit session, when recorded"),
            ),
            id_column="visit_id",
            extra_rules=("status done if and only if done_on is given",
                         "rescheduled only on a postponed visit"),
        ),
        Table(
            "fish", "โมเดลปลาทู", "fish-model items: goals (head), sharing (body), assets (tail)",
            (
                Field("part", "code", "ส่วนของปลา", "head, body or tail", "หัวปลา",
                      required=True, codes=FISH_PARTS),
                Field("item", "text", "รายการ", "the goal, activity or knowledge",
                      "สมาชิกออมเพิ่มขึ้นร้อยละ 20", required=True),
                Field("recorded", "date", "วันที่บันทึก", "date recorded", "2 พ.ย. 2549",
                      required=True),
                _group(False, "the group whose fish this is"),
                _tambon(False, "for the tambon network's own fish (no group)"),
                _session("the session it was recorded at"),
            ),
            scope_column="tambon",
            extra_rules=("exactly one of group_id or tambon",),
        ),
        Table(
            "assessments", "การประเมินตนเอง", "self-assessments (ตารางแห่งอิสรภาพ), optional",
            (
                _group(True),
                Field("date", "date", "วันที่ประเมิน", "date of the assessment", "2 พ.ย. 2549",
                      required=True),
                Field("competency", "text", "ความสามารถหลัก", "the competency (code or Thai name)",
                      "bookkeeping", required=True),
                Field("level", "int", "ระดับปัจจุบัน", "level now, 1-5", "2", required=True,
                      low=1, high=5),
                Field("target", "int", "ระดับเป้าหมาย", "level aimed at, 1-5", "4",
                      required=True, low=1, high=5),
            ),
            optional=True, key=("group_id", "date", "competency"),
            extra_rules=("when competencies is given, competency must be one of them",),
        ),
        Table(
            "competencies", "ความสามารถหลัก", "core competencies and their levels, optional",
            (
                Field("competency", "id", "รหัสความสามารถ", "unique code", "bookkeeping",
                      required=True),
                Field("name_th", "text", "ชื่อความสามารถ", "Thai name", "การจัดทำบัญชี",
                      required=True),
                *(
                    Field(f"level_{n}", "text", f"ระดับ {n}", f"what level {n} looks like",
                          "มีบัญชีรับจ่ายครบถ้วน")
                    for n in range(1, 6)
                ),
            ),
            optional=True, id_column="competency",
        ),
        Table(
            "actions", "ข้อเสนอและงานที่ต้องทำ", "actions raised and followed up",
            (
                Field("action_id", "id", "รหัสงาน", "unique id", "A01", required=True),
                Field("raised", "date", "วันที่เสนอ", "date raised", "11 ต.ค. 2549",
                      required=True),
                Field("title", "text", "เรื่อง", "what is to be done",
                      "จัดทำแบบทะเบียนบัญชีของจังหวัด", required=True),
                Field("status", "code", "สถานะ", "state of the action", "ยังไม่เริ่ม",
                      required=True, codes=ACTION_STATUSES),
                _tambon(False, "blank = province-wide"),
                Field("owner", "text", "ผู้รับผิดชอบ", "an agency, or a person_id", "พช."),
                Field("for_sponsor", "yesno", "เสนอคุณเอื้อ", "to be raised with the sponsors",
                      "ใช่", codes=YES_NO),
                Field("due", "date", "กำหนดเสร็จ", "due date", "30 พ.ย. 2549"),
                Field("closed_on", "date", "วันที่ปิด", "date done or dropped", ""),
                _session("the session where it was raised"),
            ),
            id_column="action_id", scope_column="tambon",
            extra_rules=("done or dropped if and only if closed_on is given",),
        ),
        Table(
            "notes", "บันทึกผู้ประสานงาน", "the coordinator's words for a report, optional",
            (
                Field("date", "date", "วันที่", "date of the note", "25 ต.ค. 2549",
                      required=True),
                Field("title", "text", "หัวข้อ", "heading", "เวทีตำบลบางจาก", required=True),
                Field("text", "text", "ข้อความ", "the note", "…", required=True),
                _tambon(False, "blank = the province overview"),
            ),
            optional=True, scope_column="tambon",
        ),
    )
}


def pandera_schema(table: Table):
    """Return the pandera schema (DataFrameSchema) a parsed frame of `table` must satisfy."""
    # Imported here: reading a snapshot (every report) needs the declarations, not pandera.
    import pandera.pandas as pa

    columns = {}
    for f in table.fields:
        checks = []
        if f.kind in ("int", "count"):
            low = 0 if f.low is None else f.low
            if f.high is None:
                checks.append(pa.Check.ge(low, error=f"a whole number, {low} or more"))
            else:
                checks.append(pa.Check.in_range(
                    low, f.high, error=f"a whole number from {low} to {f.high}"))
        if f.kind == "slug":
            # One pattern for the letters and the length: one problem for a cell that fails both.
            checks.append(pa.Check.str_matches(SLUG_PATTERN, error=f.expected()))
            checks.append(pa.Check.notin(
                list(RESERVED_SLUGS),
                error="a slug other than 'all' or 'overview' (they name batch reports)"))
        columns[f.name] = pa.Column(
            f.dtype,
            checks=checks,
            nullable=not f.required,
            unique=f.name == table.id_column,
            coerce=False,
        )
    return pa.DataFrameSchema(columns, strict=False, name=table.name)


def reference_markdown() -> str:
    """Return the per-table reference of docs/records.md, generated from these declarations."""
    lines = []
    for table in TABLES.values():
        optional = " (optional table)" if table.optional else ""
        lines += [f"### `{table.name}` — {table.label_th}{optional}", "", f"{table.meaning}.", ""]
        lines += ["| column | ไทย | required | meaning | values | example |",
                  "|---|---|---|---|---|---|"]
        for f in table.fields:
            values = _values_text(f)
            required = "**yes**" if f.required else ""
            lines.append(f"| `{f.name}` | {f.label_th} | {required} | {f.meaning} | {values} | "
                         f"{f.example} |")
        rules = list(table.extra_rules)
        if table.id_column:
            rules.insert(0, f"`{table.id_column}` is unique")
        if table.key:
            rules.insert(0, f"({', '.join(table.key)}) is unique")
        if rules:
            lines += ["", "Rules: " + "; ".join(rules) + "."]
        lines.append("")
    return "\n".join(lines)


def _values_text(f: Field) -> str:
    if f.kind in ("code", "yesno"):
        return " · ".join(f"`{code}` {label}" for code, label in (f.codes or {}).items())
    if f.kind == "ref":
        return f"→ `{f.ref[0]}.{f.ref[1]}`"
    if f.kind in ("int", "count"):
        low = 0 if f.low is None else f.low
        return f"whole number {low}–{f.high}" if f.high else f"whole number ≥ {low}"
    slug = f"`[a-z][a-z0-9-]*`, at most {SLUG_MAX} characters"
    return {"date": "a date", "slug": slug, "id": "text, unique"}.get(f.kind, "text")


def table_key(name: str) -> str:
    """Return the table a file stem or sheet name stands for: any case, any spaces."""
    return "".join(name.split()).lower()
