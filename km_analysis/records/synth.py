"""Synthetic records at scale: the schema of the real records, with plausible distributions.

Scales: `demo` (3 tambons), `province` (165 tambons, ~1,450 villages), `national` (7,255
tambons, ~75,000 villages, ~150,000 groups, ~1,000,000 rows across sessions, attendance and
fish items). Generated for benchmarks, never committed:

    python -m km_analysis.synth national bench/data/national
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import ACTION_STATUSES, FISH_PARTS, GROUP_TYPES, SESSION_KINDS

SCALES = {"demo": 3, "province": 165, "national": 7255}
VILLAGES_PER_TAMBON = 10.3  # about 75,000 villages in 7,255 tambons
START = np.datetime64("2006-01-01")
DAYS = 365
AS_OF = np.datetime64("2006-12-31")
COMPETENCIES = ("bookkeeping", "saving", "lending", "welfare", "governance")


def generate(tambons: int, seed: int = 2549) -> dict[str, pd.DataFrame]:
    """Return the tables (text cells, as a spreadsheet holds them) for `tambons` tambons."""
    rng = np.random.default_rng(seed)
    tambon_ids = np.array([f"t{i:05d}" for i in range(tambons)])
    villages = np.clip(rng.poisson(VILLAGES_PER_TAMBON, tambons), 3, 30)
    amphoe = np.arange(tambons) // 9  # about nine tambons an amphoe
    tables: dict[str, pd.DataFrame] = {}
    tables["tambons"] = pd.DataFrame({
        "tambon": tambon_ids,
        "name_th": [f"ตำบลที่ {i + 1}" for i in range(tambons)],
        "name_en": [f"Tambon {i + 1}" for i in range(tambons)],
        "villages": villages,
        "amphoe_th": [f"อำเภอที่ {a + 1}" for a in amphoe],
        "province_th": [f"จังหวัดที่ {a // 18 + 1}" for a in amphoe],
    })

    # Villages, then one to three groups each (about two a village).
    village_tambon = np.repeat(np.arange(tambons), villages)
    village_no = np.concatenate([np.arange(1, v + 1) for v in villages])
    per_village = 1 + rng.poisson(1.0, len(village_tambon)).clip(0, 2)
    group_tambon = np.repeat(village_tambon, per_village)
    group_village = np.repeat(village_no, per_village)
    n_groups = len(group_tambon)
    group_ids = np.char.add("G", np.arange(n_groups).astype(str))

    # People: three project facilitators a tambon, a community facilitator a village.
    project = np.repeat(np.arange(tambons), 3)
    community = village_tambon
    person_tambon = np.concatenate([project, community])
    n_people = len(person_tambon)
    person_ids = np.char.add("P", np.arange(n_people).astype(str))
    roles = np.where(np.arange(n_people) < len(project), "project_facilitator",
                     "community_facilitator")
    tables["people"] = pd.DataFrame({
        "person_id": person_ids,
        "name": np.char.add("คุณอำนวย ", np.arange(n_people).astype(str)),
        "role": roles,
        "tambon": tambon_ids[person_tambon],
    })
    first_person = np.searchsorted(person_tambon[len(project):], np.arange(tambons)) + len(
        project)
    facilitator = person_ids[np.minimum(first_person[group_tambon]
                                        + rng.integers(0, 3, n_groups), n_people - 1)]
    types = np.array(list(GROUP_TYPES.values()))
    tables["groups"] = pd.DataFrame({
        "group_id": group_ids,
        "tambon": tambon_ids[group_tambon],
        "village_no": group_village,
        "name": np.char.add("กองทุนหมู่บ้าน หมู่ ", group_village.astype(str)),
        "type": types[rng.integers(0, len(types), n_groups)],
        "members": rng.integers(15, 400, n_groups),
        "facilitator": facilitator,
    })

    # Sessions: about two a group.
    n_sessions = int(n_groups * 2.0)
    session_group = rng.integers(0, n_groups, n_sessions)
    session_days = START + rng.integers(0, DAYS, n_sessions).astype("timedelta64[D]")
    kinds = np.array(list(SESSION_KINDS))
    session_ids = np.char.add("S", np.arange(n_sessions).astype(str))
    tables["sessions"] = pd.DataFrame({
        "session_id": session_ids,
        "date": _typed_dates(session_days, rng),
        "kind": kinds[rng.integers(0, len(kinds), n_sessions)],
        "title": np.char.add("กิจกรรมครั้งที่ ", np.arange(n_sessions).astype(str)),
        "group_id": group_ids[session_group],
        "status": np.where(session_days > AS_OF - 30, "planned", "held"),
        "participants": rng.integers(5, 60, n_sessions),
        "lead": facilitator[session_group],
    })

    # Attendance rosters for an eighth of the sessions, about ten people each.
    rostered = np.flatnonzero(rng.random(n_sessions) < 0.12)
    roster_size = rng.integers(6, 14, len(rostered))
    roster_session = np.repeat(rostered, roster_size)
    offsets = np.concatenate([np.arange(k) for k in roster_size])
    roster_person = np.minimum(first_person[group_tambon[session_group[roster_session]]]
                               + offsets, n_people - 1)
    attendance = pd.DataFrame({
        "session_id": session_ids[roster_session],
        "person_id": person_ids[roster_person],
        "status": np.where(rng.random(len(roster_session)) < 0.85, "present", "absent"),
    }).drop_duplicates(["session_id", "person_id"])
    tables["attendance"] = attendance

    # Visits: one planned a group, in every state.
    planned = START + rng.integers(0, DAYS, n_groups).astype("timedelta64[D]")
    done = (planned <= AS_OF) & (rng.random(n_groups) < 0.6)
    postponed = ~done & (rng.random(n_groups) < 0.1)
    cancelled = ~done & ~postponed & (rng.random(n_groups) < 0.05)
    status = np.select([done, postponed, cancelled], ["done", "postponed", "cancelled"],
                       "planned")
    tables["visits"] = pd.DataFrame({
        "visit_id": np.char.add("V", np.arange(n_groups).astype(str)),
        "group_id": group_ids,
        "planned": _typed_dates(planned, rng),
        "status": status,
        "facilitator": facilitator,
        "rescheduled": np.where(postponed, _typed_dates(planned + 14, rng), ""),
        "done_on": np.where(done, _typed_dates(planned, rng), ""),
    })

    # Fish items: about two and a half a group.
    n_fish = int(n_groups * 2.5)
    fish_group = rng.integers(0, n_groups, n_fish)
    parts = np.array(list(FISH_PARTS.values()))
    tables["fish"] = pd.DataFrame({
        "part": parts[rng.choice(3, n_fish, p=[0.5, 0.15, 0.35])],
        "item": np.char.add("เป้าหมายข้อที่ ", np.arange(n_fish).astype(str)),
        "recorded": _typed_dates(START + rng.integers(0, DAYS, n_fish).astype(
            "timedelta64[D]"), rng),
        "group_id": group_ids[fish_group],
    })

    tables["competencies"] = pd.DataFrame({
        "competency": list(COMPETENCIES),
        "name_th": ["การจัดทำบัญชี", "การระดมเงินออม", "การบริหารเงินกู้", "สวัสดิการสมาชิก",
                    "ธรรมาภิบาล"],
    })
    assessed = np.flatnonzero(rng.random(n_groups) < 0.1)
    levels = rng.integers(1, 5, (len(assessed), len(COMPETENCIES)))
    tables["assessments"] = pd.DataFrame({
        "group_id": np.repeat(group_ids[assessed], len(COMPETENCIES)),
        "date": "2006-11-15",
        "competency": np.tile(COMPETENCIES, len(assessed)),
        "level": levels.ravel(),
        "target": np.minimum(levels.ravel() + 1, 5),
    })

    n_actions = tambons * 3
    raised = START + rng.integers(0, DAYS - 60, n_actions).astype("timedelta64[D]")
    closed = rng.random(n_actions) < 0.4
    action_status = np.where(closed, "done", np.array(list(ACTION_STATUSES))[
        rng.integers(0, 2, n_actions)])
    tables["actions"] = pd.DataFrame({
        "action_id": np.char.add("A", np.arange(n_actions).astype(str)),
        "raised": _typed_dates(raised, rng),
        "title": np.char.add("เรื่องที่ ", np.arange(n_actions).astype(str)),
        "status": action_status,
        "tambon": tambon_ids[np.arange(n_actions) // 3],
        "for_sponsor": np.where(rng.random(n_actions) < 0.3, "ใช่", "ไม่ใช่"),
        "closed_on": np.where(closed, _typed_dates(raised + 30, rng), ""),
    })
    tables["notes"] = pd.DataFrame({
        "date": "2006-12-20",
        "title": "บันทึกผู้ประสานงาน",
        "text": "ความก้าวหน้าเป็นไปตามแผน",
        "tambon": tambon_ids,
    })
    return tables


def _typed_dates(days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return dates as people type them: ISO, d/m/yyyy in พ.ศ., or Thai month names."""
    stamps = pd.DatetimeIndex(days)
    iso = stamps.strftime("%Y-%m-%d").to_numpy()
    buddhist = (stamps.year + 543).astype(str).to_numpy()
    slashes = np.char.add(np.char.add(stamps.day.astype(str).to_numpy(), "/"),
                          np.char.add(np.char.add(stamps.month.astype(str).to_numpy(), "/"),
                                      buddhist))
    months = np.array(["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.",
                       "ต.ค.", "พ.ย.", "ธ.ค."])
    thai = np.char.add(np.char.add(stamps.day.astype(str).to_numpy(), " "),
                       np.char.add(np.char.add(months[stamps.month.to_numpy() - 1], " "),
                                   buddhist))
    form = rng.integers(0, 3, len(days))
    return np.select([form == 0, form == 1], [iso, slashes], thai)


def write(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Write the tables as UTF-8 CSV files in `folder`; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def main(argv: list[str] | None = None) -> None:
    """Write synthetic records at a scale as CSV files: `python -m km_analysis.synth SCALE DIR`."""
    parser = argparse.ArgumentParser(description="Write synthetic KM records at a scale.")
    parser.add_argument("scale", choices=list(SCALES), help="demo, province or national")
    parser.add_argument("folder", type=Path, help="where the CSV files go")
    args = parser.parse_args(argv)
    tables = generate(SCALES[args.scale])
    write(tables, args.folder)
    rows = sum(len(frame) for frame in tables.values())
    print(f"{args.scale}: {rows:,} rows in {len(tables)} tables -> {args.folder}")


if __name__ == "__main__":
    main()
