"""Benchmark: load + validate a large sessions table (with matching groups) as CSV and as xlsx.

Writes bench/results-load.json and bench/results-load.md. Run with `make bench`.
Generated records go to bench/data/ (git-ignored) and are made anew each run.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import shutil
import time
import tracemalloc
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import openpyxl

from km_analysis import load_records
from km_analysis.schema import GROUP_TYPES, SESSION_KINDS

HERE = Path(__file__).resolve().parent
TAMBONS = 100
VILLAGES = 10


def generate(rows: int, seed: int = 2549) -> dict[str, list[list[str]]]:
    """Return tables (header + rows) with `rows` sessions spread over groups of 100 tambons."""
    rng = random.Random(seed)
    tambons = [["tambon", "name_th", "name_en", "villages"]]
    tambons += [[f"t{i:04d}", f"ตำบลที่ {i}", f"Tambon {i}", str(VILLAGES)] for i in range(TAMBONS)]
    people = [["person_id", "name", "role", "tambon"]]
    people += [[f"P{i:05d}", f"คุณอำนวย {i}", "project_facilitator", ""] for i in range(50)]
    groups = [["group_id", "tambon", "village_no", "name", "type", "members", "facilitator"]]
    group_ids = []
    for t in range(TAMBONS):
        for v in range(1, VILLAGES + 1):
            group_id = f"G{t:04d}{v:02d}"
            group_ids.append(group_id)
            groups.append([group_id, f"t{t:04d}", str(v), f"กองทุนหมู่บ้าน หมู่ {v}",
                           rng.choice(list(GROUP_TYPES.values())), str(rng.randint(20, 300)),
                           f"P{rng.randrange(50):05d}"])
    kinds = list(SESSION_KINDS.values())
    start = date(2006, 1, 1)
    sessions = [["session_id", "date", "kind", "title", "group_id", "participants", "lead"]]
    for i in range(rows):
        day = start + timedelta(days=rng.randrange(730))
        # Mixed date forms, as typed: BE d/m/yyyy, Thai short month with 2-digit BE, ISO.
        form = i % 3
        if form == 0:
            text = f"{day.day}/{day.month}/{day.year + 543}"
        elif form == 1:
            months = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                      "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
            text = f"{day.day} {months[day.month - 1]} {(day.year + 543) % 100}"
        else:
            text = day.isoformat()
        sessions.append([f"S{i:07d}", text, rng.choice(kinds), f"ลงพื้นที่ครั้งที่ {i}",
                         rng.choice(group_ids), str(rng.randint(5, 40)),
                         f"P{rng.randrange(50):05d}"])
    empty = {
        "visits": [["visit_id", "group_id", "planned", "status"]],
        "fish": [["part", "item", "recorded", "group_id"]],
        "actions": [["action_id", "raised", "title", "status"]],
    }
    return {"tambons": tambons, "people": people, "groups": groups, "sessions": sessions, **empty}


def write_csv(tables: dict, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, rows in tables.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as stream:
            csv.writer(stream).writerows(rows)
    return folder


def write_xlsx(tables: dict, path: Path) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    for name, rows in tables.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def measure(path: Path, repeats: int) -> dict:
    """Return the best wall time of load_records(path) over `repeats`, and its peak memory."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        records = load_records(path)
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    load_records(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": round(min(seconds), 3), "peak_python_mib": round(peak / 2**20, 1),
            "sessions": len(records.sessions), "groups": len(records.groups)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="sessions (default 100000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tables = generate(args.rows)
    data = HERE / "data"
    results = {
        "what": f"load_records: {args.rows:,} sessions + {TAMBONS * VILLAGES:,} groups",
        "target_seconds": 5.0,
        "csv": measure(write_csv(tables, data / "load-csv"), args.repeats),
        "xlsx": measure(write_xlsx(tables, data / "load.xlsx"), args.repeats),
        "machine": {"python": platform.python_version(), "cpu": platform.machine(),
                    "pandas": version("pandas"), "pandera": version("pandera"),
                    "python-calamine": version("python-calamine")},
    }
    (HERE / "results-load.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        "# Load + validate benchmark", "",
        f"{results['what']} (best of {args.repeats}; peak = Python allocations, tracemalloc).",
        "",
        "| source | seconds | target | peak MiB |", "|---|---|---|---|",
        *(f"| {kind} | {results[kind]['seconds']} | ≤ {results['target_seconds']} | "
          f"{results[kind]['peak_python_mib']} |" for kind in ("csv", "xlsx")),
        "", f"Machine: Python {results['machine']['python']} on {results['machine']['cpu']}, "
        f"pandas {results['machine']['pandas']}, pandera {results['machine']['pandera']}.",
    ]
    (HERE / "results-load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
