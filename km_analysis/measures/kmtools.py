"""The KM tools' data: a group's fish, the tambon's mobile, the river and the stair.

Pure functions over the records' frames (as `load_records` returns them) and plain values: they
return dicts of Thai text and fresh frames that `charts.fish`, `charts.pla_taphian`,
`charts.river` and `charts.stair` draw. Nothing is read, written or changed. Every function
filters by the tambon (or the group) first, so a national load of records stays cheap.

Dates may be a `pandas.Timestamp`, a `datetime.date` or a string any form `thai.parse_date`
reads ("2006-10-30", "30/10/2549", "30 ต.ค. 2549"); status is judged as of that date (fish items
recorded on or before it, sessions held on or before it, visits done on or before it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import thai
from ..errors import UsageError
from ..frames import day, eq, missing, on_or_before
from ..scope import own_and_province
from .selectors import groups_of, tambon_slug
from .tambon import fish_coverage

PARTS = ("head", "body", "tail")
LEVELS = (1, 2, 3, 4, 5)
FIELD_VISIT = "field_visit"  # a session of this kind is a visit: counted with the visits
ACTIVITY_DATES = 6  # dates listed after a count; more are summarised as "…"


def group_label(village_no, name) -> str:
    """Return how a group is named in the charts: "หมู่ 3 กองทุนหมู่บ้าน…"."""
    name = "" if missing(name) else str(name)
    if missing(village_no):
        return name
    return f"หมู่ {int(village_no)} {name}".strip()


# ---------------------------------------------------------------------------------------------
# The fish (โมเดลปลาทู)


def group_fish(records, group_id: str, as_of, numerals: str = "arabic") -> dict:
    """Return one group's fish as the keyword arguments of `charts.fish`.

    Keys: title (the group as "หมู่ N name"), head, body, tail (the items recorded on or before
    as_of, oldest first, as typed), activity (a line each for what happened on or before as_of:
    the count and dates in พ.ศ. of the held sessions with this group_id other than field
    visits, and of the group's visits done — a field-visit session is its visit, counted once;
    one line saying neither has happened yet).
    Raises UsageError for an unknown group.
    """
    return group_fishes(records, [group_id], as_of, numerals)[group_id]


def group_fishes(records, group_ids: list[str], as_of, numerals: str = "arabic",
                 ) -> dict[str, dict]:
    """Return `group_fish` of each group of `group_ids`, by group_id, in one pass: each frame
    is cut to these groups' rows once and split by group, not scanned whole for each group.

    Raises UsageError for an unknown group.
    """
    as_of = day(as_of)

    def by_group(frame: pd.DataFrame, keep: np.ndarray | bool = True) -> dict:
        rows = frame.loc[frame["group_id"].isin(group_ids).to_numpy(bool) & keep]
        return dict(tuple(rows.groupby("group_id", sort=False)))

    groups = by_group(records.groups)
    fish, sessions, visits = records.fish, records.sessions, records.visits
    items = by_group(fish, on_or_before(fish["recorded"], as_of))
    held = by_group(sessions, eq(sessions["status"], "held")
                    & ~eq(sessions["kind"], FIELD_VISIT) & on_or_before(sessions["date"], as_of))
    done = by_group(visits, on_or_before(visits["done_on"], as_of))
    fishes = {}
    for group_id in group_ids:
        if group_id not in groups:
            raise UsageError(f"unknown group {group_id!r}")
        group = groups[group_id].iloc[0]
        lines = [_count_with_dates(what, dates, numerals) for what, dates in
                 (("จัดกิจกรรมกับกลุ่มแล้ว", held.get(group_id, sessions.iloc[:0])["date"]),
                  ("ลงพื้นที่เยี่ยมกลุ่มแล้ว", done.get(group_id, visits.iloc[:0])["done_on"]))
                 if dates.notna().any()]
        fishes[group_id] = {
            "title": group_label(group["village_no"], group["name"]),
            **_items_by_part(items.get(group_id, fish.iloc[:0])),
            "activity": "\n".join(lines) or "ยังไม่ได้ลงพื้นที่หรือจัดกิจกรรมกับกลุ่ม",
        }
    return fishes


def network_fish(records, tambon: str, as_of, numerals: str = "arabic") -> dict:
    """Return the tambon network's own fish (rows with this tambon and no group_id).

    Keys: title ("เครือข่ายตำบล<name>"), head, body, tail (items recorded on or before as_of,
    oldest first), activity (the tambon's held sessions other than field visits and its groups'
    done visits, counted; a part with none left out),
    and the coverage figures of its groups: groups, with_head, with_tail, with_both.
    """
    as_of = day(as_of)
    tambon = tambon_slug(records, tambon)
    name_th = records.tambons.loc[eq(records.tambons["tambon"], tambon), "name_th"].iloc[0]
    fish = records.fish
    own = fish.loc[eq(fish["tambon"], tambon) & fish["group_id"].isna().to_numpy(bool)
                   & on_or_before(fish["recorded"], as_of)]
    coverage = fish_coverage(records, tambon, as_of)
    group_ids = coverage["group_id"]
    sessions = records.sessions
    in_tambon, _ = own_and_province(records.frames(), "sessions", tambon)
    held = (in_tambon & eq(sessions["status"], "held") & ~eq(sessions["kind"], FIELD_VISIT)
            & on_or_before(sessions["date"], as_of))
    visits = records.visits
    done = visits["group_id"].isin(group_ids).to_numpy(bool) & on_or_before(
        visits["done_on"], as_of)
    number = lambda n: thai.format_number(int(n), numerals=numerals)  # noqa: E731
    parts = [f"{what} {number(count)} ครั้ง" for what, count in
             (("จัดกิจกรรมในตำบลแล้ว", held.sum()), ("ลงพื้นที่เยี่ยมกลุ่มแล้ว", done.sum()))
             if count]
    activity = " และ".join(parts) or "ยังไม่มีกิจกรรมหรือการลงพื้นที่ในตำบล"
    return {
        "title": f"เครือข่ายตำบล{name_th}",
        **_items_by_part(own),
        "activity": activity,
        "groups": len(coverage),
        "with_head": int(coverage["has_head"].sum()),
        "with_tail": int(coverage["has_tail"].sum()),
        "with_both": int(coverage["has_both"].sum()),
    }


def mobile_groups(records, tambon: str, as_of) -> pd.DataFrame:
    """Return one row per group of the tambon: how complete its fish is as of as_of.

    Columns: group_id, village_no, group_name, label ("หมู่ N name"), head, body, tail (item
    counts), completeness ("both", "head", "tail" or "none": which of head and tail it has).
    Sorted by village_no, group name.
    """
    coverage = fish_coverage(records, tambon, day(as_of))
    completeness = np.select(
        [coverage["has_both"].to_numpy(bool), coverage["has_head"].to_numpy(bool),
         coverage["has_tail"].to_numpy(bool)],
        ["both", "head", "tail"], default="none")
    rows = coverage[["group_id", "village_no", "group_name", "head", "body", "tail"]].copy()
    rows.insert(3, "label", [group_label(v, n) for v, n in
                             zip(rows["village_no"], rows["group_name"])])
    rows["label"] = rows["label"].astype("string")
    rows["completeness"] = pd.Series(completeness, index=rows.index, dtype="string")
    return rows.reset_index(drop=True)


def tambon_mobile(records, tambon: str, as_of, numerals: str = "arabic") -> dict:
    """Return the keyword arguments of `charts.pla_taphian`: network (dict) and groups (frame)."""
    return {
        "network": network_fish(records, tambon, as_of, numerals),
        "groups": mobile_groups(records, tambon, as_of),
    }


# ---------------------------------------------------------------------------------------------
# Self-assessments: the river (ธารปัญญา) and the stair (บันไดแห่งการเรียนรู้)


def competency_order(records) -> list[tuple[str, str]]:
    """Return the competencies as (code, Thai name), in the order the charts show them.

    The competencies table's rows in order when it has any; otherwise the distinct competency
    texts of the assessments (texts that differ only in case or spacing are one), in order of
    first appearance, each as (text, text).
    """
    competencies = records.competencies
    if not competencies.empty:
        codes = competencies["competency"]
        names = competencies["name_th"].fillna(codes)
        return [(str(c), str(n)) for c, n in zip(codes, names) if not missing(c)]
    # Distinct texts first: a national table repeats a handful of texts millions of times.
    first: dict[str, str] = {}
    for text in pd.unique(records.assessments["competency"].dropna().to_numpy()):
        first.setdefault(thai.code_key(str(text)), str(text))
    return [(text, text) for text in first.values()]


def latest_assessments(records, tambon: str, as_of, group_id: str | None = None) -> pd.DataFrame:
    """Return each group's latest self-assessment per competency, dated on or before as_of.

    For the tambon's groups (or only `group_id`, which must be one of them). Columns: group_id,
    village_no, group_name, label ("หมู่ N name"), competency (the code, or the first-seen text
    when there is no competencies table), name_th, date, level, target. Sorted by competency
    (in `competency_order`), village_no, group name.
    """
    as_of = day(as_of)
    groups = groups_of(records, tambon_slug(records, tambon))
    if group_id is not None:
        groups = groups.loc[eq(groups["group_id"], group_id)]
        if groups.empty:
            raise UsageError(f"group {group_id!r} is not a group of tambon {tambon!r}")
    assessments = records.assessments
    mine = assessments.loc[assessments["group_id"].isin(groups["group_id"]).to_numpy(bool)
                           & on_or_before(assessments["date"], as_of)]
    order = competency_order(records)
    code_of = {thai.code_key(code): code for code, _ in order}
    name_of = dict(order)
    competency = mine["competency"].map(lambda text: code_of.get(thai.code_key(text), text))
    rows = pd.DataFrame({
        "group_id": mine["group_id"],
        "competency": competency.astype("string"),
        "date": mine["date"],
        "level": mine["level"].astype("Int64"),
        "target": mine["target"].astype("Int64"),
    })
    rows = (rows.sort_values(["group_id", "competency", "date"], kind="stable")
            .drop_duplicates(["group_id", "competency"], keep="last"))
    by_group = groups.drop_duplicates("group_id").set_index("group_id")
    rows.insert(1, "village_no", rows["group_id"].map(by_group["village_no"]).astype("Int64"))
    rows.insert(2, "group_name", rows["group_id"].map(by_group["name"]).astype("string"))
    rows.insert(3, "label", pd.Series(
        [group_label(v, n) for v, n in zip(rows["village_no"], rows["group_name"])],
        index=rows.index, dtype="string"))
    rows.insert(5, "name_th", rows["competency"].map(name_of).fillna(rows["competency"])
                .astype("string"))
    rank = {code: i for i, (code, _) in enumerate(order)}
    rows["_rank"] = rows["competency"].map(rank).fillna(len(rank))
    rows = rows.sort_values(["_rank", "village_no", "group_name", "group_id"], kind="stable")
    return rows.drop(columns="_rank").reset_index(drop=True)


def level_descriptions(records, competency: str) -> dict[int, str]:
    """Return what each level 1-5 of a competency looks like (blank levels left out).

    `competency` is a code or a Thai name of the competencies table; {} without one.
    """
    competencies = records.competencies
    key = thai.code_key(competency)
    match = competencies.loc[(competencies["competency"].map(thai.code_key) == key).to_numpy(bool)
                             | (competencies["name_th"].map(
                                 lambda n: thai.code_key(n) if not missing(n) else "") == key)
                             .to_numpy(bool)]
    if match.empty:
        return {}
    row = match.iloc[0]
    return {level: str(row[f"level_{level}"]) for level in LEVELS
            if not missing(row.get(f"level_{level}"))}


def stair_steps(records, tambon: str, competency: str, as_of,
                latest: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the stair of one competency: per level 1-5, the groups now at that level.

    Index: level (1-5, every level, even without groups). Columns: groups (a tuple of labels
    "หมู่ N name", sorted by village), description (the competencies table's text for that
    level, "" without one). From each group's latest assessment on or before as_of:
    `latest_assessments(records, tambon, as_of)`, given as `latest` when already at hand.
    """
    if latest is None:
        latest = latest_assessments(records, tambon, as_of)
    key = thai.code_key(competency)
    chosen = latest.loc[(latest["competency"].map(thai.code_key) == key).to_numpy(bool)
                        | (latest["name_th"].map(thai.code_key) == key).to_numpy(bool)]
    labels = chosen.groupby("level", sort=True)["label"].agg(tuple)
    descriptions = level_descriptions(records, competency)
    steps = pd.DataFrame(
        {
            "groups": [tuple(labels.get(level, ())) for level in LEVELS],
            "description": [descriptions.get(level, "") for level in LEVELS],
        },
        index=pd.Index(LEVELS, name="level"),
    )
    return steps


def competency_name(records, competency: str) -> str:
    """Return the Thai name of a competency (code or name), else the text as given."""
    key = thai.code_key(competency)
    for code, name in competency_order(records):
        if thai.code_key(code) == key or thai.code_key(name) == key:
            return name
    return competency


# ---------------------------------------------------------------------------------------------
# Helpers


def _items_by_part(fish: pd.DataFrame) -> dict[str, list[str]]:
    ordered = fish.assign(_entered=np.arange(len(fish))).sort_values(
        ["recorded", "_entered"], kind="stable")
    return {
        part: [str(item) for item in
               ordered.loc[eq(ordered["part"], part), "item"].dropna()]
        for part in PARTS
    }


def _count_with_dates(done: str, dates: pd.Series, numerals: str) -> str:
    """Return "<done> N ครั้ง (dates)" for dates that are there (at least one)."""
    dates = dates.dropna().sort_values()
    shown = [thai.format_date(d, numerals=numerals) for d in dates.iloc[:ACTIVITY_DATES]]
    more = ", …" if len(dates) > ACTIVITY_DATES else ""
    count = thai.format_number(len(dates), numerals=numerals)
    return f"{done} {count} ครั้ง ({', '.join(shown)}{more})"
