"""Benchmarks at scale: load + validate, one tambon's report, and batch throughput.

    python bench/run.py [--scales demo,province,national] [--tambons 20]

For each scale (synthetic records from km_analysis.synth, generated into bench/data/, never
committed): load + validate seconds and peak memory (a fresh process, so the peak is the
load's own); one tambon's report from a snapshot, split into kernel start, execution, HTML
export, PDF layout and text layer; and, at the province scale, the throughput of a batch of
`--tambons` reports with 1 and with 2 jobs. Writes bench/results.json and bench/results.md
with the targets beside the figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TARGETS = {
    "national_load_seconds": 15.0,
    "national_load_peak_gib": 4.0,
    "report_national_vs_demo": 1.25,
    "parallel_efficiency": 0.80,
}
LOAD_PROBE = """
import json, resource, sys, time
from km_analysis import load_records
started = time.perf_counter()
records = load_records(sys.argv[1], errors="collect")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": round(seconds, 2),
                  "peak_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
                  "rows": sum(len(f) for f in records.frames().values()),
                  "errors": len(records.errors)}))
"""


def records_for(scale: str) -> Path:
    """Return the folder of the scale's synthetic records, generating them when missing."""
    from km_analysis import synth

    folder = DATA / scale
    if not (folder / "sessions.csv").exists():
        synth.write(synth.generate(synth.SCALES[scale]), folder)
    return folder


def measure_load(folder: Path) -> dict:
    """Return load + validate seconds and peak memory, measured in a fresh process."""
    probe = subprocess.run([sys.executable, "-c", LOAD_PROBE, str(folder)], check=True,
                           capture_output=True, text=True)
    return json.loads(probe.stdout)


def plan(records, slugs: list[str], snapshot: Path, out: Path) -> list:
    from km_analysis.batch import plan_reports

    return plan_reports(records, slugs, snapshot=snapshot, out=out, force=True).jobs


def measure_report(job) -> dict:
    """Return the steps of one render (after a warm-up render of the same job)."""
    from km_analysis.report import render_report

    render_report(job.notebook, job.parameters, job.paths, job.provenance)
    started = time.perf_counter()
    timings = render_report(job.notebook, job.parameters, job.paths, job.provenance)
    steps = {k: v for k, v in timings.steps.items() if k != "notebook"}
    return {"seconds": round(time.perf_counter() - started, 2), **steps}


def measure_batch(jobs: list, workers: int) -> dict:
    """Return the wall time and throughput of rendering `jobs` with `workers` processes."""
    from km_analysis.batch import run_jobs

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["km_analysis.batch"])
    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as executor:
        results = run_jobs(jobs, executor)
    seconds = time.perf_counter() - started
    failed = [r.report for r in results if r.status != "ok"]
    return {"jobs": workers, "reports": len(jobs), "seconds": round(seconds, 1),
            "reports_per_minute": round(len(jobs) * 60 / seconds, 1), "failed": failed}


def run_scale(scale: str, tambons: int) -> dict:
    from km_analysis import load_records
    from km_analysis.records.snapshot import write_snapshot_once

    folder = records_for(scale)
    print(f"{scale}: load + validate …", flush=True)
    result = {"scale": scale, "load": measure_load(folder)}
    records = load_records(folder, errors="collect")
    out = DATA / f"reports-{scale}"
    snapshot = write_snapshot_once(records, out / ".snapshots")
    slugs = list(records.tambons["tambon"])
    print(f"{scale}: one report …", flush=True)
    result["report"] = measure_report(plan(records, slugs[:1], snapshot, out)[0])
    if scale == "province":
        jobs = plan(records, slugs[:tambons], snapshot, out)
        for workers in (1, 2):
            print(f"{scale}: {len(jobs)} reports with {workers} job(s) …", flush=True)
            result[f"batch_{workers}"] = measure_batch(jobs, workers)
        one, two = result["batch_1"]["seconds"], result["batch_2"]["seconds"]
        result["parallel_efficiency"] = round(one / two / 2, 2)
    return result


def verdicts(results: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """Return (target, figure, goal, verdict) rows for the targets the results can judge."""
    rows = []

    def judge(name, value, goal, lower_is_better=True, unit=""):
        ok = value <= goal if lower_is_better else value >= goal
        miss = (value / goal - 1) if lower_is_better else (1 - value / goal)
        verdict = "met" if ok else f"missed by {miss:.0%}"
        sign = "≤" if lower_is_better else "≥"
        rows.append((name, f"{value}{unit}", f"{sign} {goal}{unit}", verdict))

    if "national" in results:
        load = results["national"]["load"]
        judge("national load + validate", load["seconds"], TARGETS["national_load_seconds"],
              unit=" s")
        judge("national load peak memory", load["peak_gib"], TARGETS["national_load_peak_gib"],
              unit=" GiB")
    if "national" in results and "demo" in results:
        ratio = round(results["national"]["report"]["seconds"]
                      / results["demo"]["report"]["seconds"], 2)
        judge("one report, national ÷ demo", ratio, TARGETS["report_national_vs_demo"])
    if "province" in results and "parallel_efficiency" in results["province"]:
        judge("parallel efficiency, 2 jobs", results["province"]["parallel_efficiency"],
              TARGETS["parallel_efficiency"], lower_is_better=False)
    return rows


def machine() -> dict:
    names = ("pandas", "pandera", "pyarrow", "matplotlib", "papermill", "nbconvert",
             "weasyprint", "pikepdf")
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), **{n: version(n) for n in names}}


def markdown(results: dict[str, dict], info: dict) -> str:
    lines = ["# Benchmarks", "", f"Machine: {info['cores']} cores, Python {info['python']}, "
             f"{info['platform']}; " + ", ".join(f"{k} {v}" for k, v in info.items()
                                                  if k not in ("cores", "python", "platform")),
             "", "## Targets", "", "| target | figure | goal | verdict |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(results)]
    lines += ["", "## Load + validate (a fresh process)", "",
              "| scale | rows | seconds | peak GiB |", "|---|---|---|---|"]
    for scale, r in results.items():
        lines.append(f"| {scale} | {r['load']['rows']:,} | {r['load']['seconds']} | "
                     f"{r['load']['peak_gib']} |")
    steps = ("kernel", "execution", "html", "pdf", "textlayer")
    lines += ["", "## One tambon's report (from a snapshot; seconds)", "",
              "| scale | total | " + " | ".join(steps) + " |",
              "|---|---|" + "---|" * len(steps)]
    for scale, r in results.items():
        lines.append(f"| {scale} | {r['report']['seconds']} | "
                     + " | ".join(str(r["report"].get(s, "")) for s in steps) + " |")
    batches = [(scale, r[f"batch_{j}"]) for scale, r in results.items()
               for j in (1, 2) if f"batch_{j}" in r]
    if batches:
        lines += ["", "## Batch throughput", "",
                  "| scale | jobs | reports | seconds | reports / minute |",
                  "|---|---|---|---|---|"]
        lines += [f"| {scale} | {b['jobs']} | {b['reports']} | {b['seconds']} | "
                  f"{b['reports_per_minute']} |" for scale, b in batches]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="demo,province,national")
    parser.add_argument("--tambons", type=int, default=20,
                        help="reports in the throughput batch (province scale)")
    args = parser.parse_args()
    results = {scale: run_scale(scale, args.tambons) for scale in args.scales.split(",")}
    info = machine()
    (HERE / "results.json").write_text(json.dumps({"machine": info, "targets": TARGETS,
                                                   "results": results}, indent=1) + "\n")
    text = markdown(results, info)
    (HERE / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
