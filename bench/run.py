"""Benchmarks of what users wait for (issue #16), each against its goal.

    python bench/run.py [--scales demo,province,national] [--rounds 5] [--repeats 3]
                        [--batch 20] [--steps side-by-side,reports,batch,overview,load]
                        [--timeout 900] [--results DIR]

1. Side by side with the stock pipeline: `km report bangjak --data data` against papermill +
   `jupyter nbconvert --to html --no-input` + `weasyprint` on the same notebook and records,
   the stock tools in an environment of their own (bench/.stock-env, made on first use).
   Interleaved, each run a new process writing to a new folder; one warm-up round, then
   `--rounds` counted. Goals: the demo report ≤ 4.5 s, ours ÷ stock ≤ 0.55. Also shown: ours
   with km's caches empty.
2. One report at each scale (`km report <first tambon>` on bench/data/<scale>), a warm-up and
   `--repeats` runs, then as many with km's caches empty. Goal: national ÷ demo ≤ 1.25 (warm).
3. The batch, at province scale: `km report all --tambons <the first --batch> --jobs 2 --force`.
   Goal: wall ÷ tambons ≤ 3 s a report.
4. The overview at province and national scale, wall including load (km's caches empty).
   Goal: national ≤ 60 s.
5. Load + validate at each scale in a fresh process: seconds and peak memory. Goals: national
   ≤ 15 s and ≤ 4 GiB.

Warm runs keep what km keeps between runs (checked records, drawings) in the bench's own
KM_CACHE_DIR, emptied when the bench starts; "caches empty" runs get an empty one each.
Synthetic records come from `python -m km_analysis.synth SCALE DIR`, written into
bench/data/<scale> when missing (git-ignored). A failed or timed-out run is reported with its
command's last stderr line and the bench goes on. Writes results.json (every run's seconds)
and results.md (goals and verdicts).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RUNS = DATA / "runs"
# km keeps checked records and drawings between runs ($KM_CACHE_DIR): the bench keeps its own,
# emptied when it starts, so that the warm-ups fill it and nothing of the user's counts.
KEPT_CACHE = DATA / "km-cache"
STOCK_ENV = HERE / ".stock-env"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
DEMO_DATA = ROOT / "data"
DEMO_TAMBON = "bangjak"
BATCH_JOBS = 2
STEPS = ("side-by-side", "reports", "batch", "overview", "load")
GOALS = {
    "demo_report_seconds": 4.5,
    "ours_vs_stock": 0.55,
    "report_national_vs_demo": 1.25,
    "batch_seconds_per_report": 3.0,
    "national_overview_seconds": 60.0,
    "national_load_seconds": 15.0,
    "national_load_peak_gib": 4.0,
}
# The commands as results.md shows them; NEW is a new folder for each run.
COMMANDS = {
    "ours": f"km report {DEMO_TAMBON} --data data --out NEW",
    "stock": [f"papermill tambon_report.ipynb NEW/OUT.ipynb -p tambon {DEMO_TAMBON} "
              "-p data_dir DATA  (run from notebooks/)",
              "jupyter nbconvert --to html --no-input NEW/OUT.ipynb",
              "weasyprint NEW/OUT.html NEW/OUT.pdf"],
    "report": "km report <first tambon> --data bench/data/<scale> --out NEW",
    "batch": f"km report all --tambons <first N> --jobs {BATCH_JOBS} --force "
             "--data bench/data/province --out NEW",
    "overview": "km report overview --data bench/data/<scale> --out NEW",
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
# km report's last stderr line before the PDF's path: "snapshot 0.31s  execution 6.17s  …".
KM_STEPS = re.compile(r"^(?:\w+ \d+(?:\.\d+)?s\s*)+$")


@dataclass
class Run:
    """One timed run of one or more commands (in a row)."""

    seconds: float | None
    error: str | None = None
    timed_out: bool = False
    steps: dict[str, float] = field(default_factory=dict)


# ---- pure parts: summaries, verdicts, the Markdown ----


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def summarise(runs: list[Run]) -> dict:
    """Return the runs' seconds, their median, and the first failure (which fails them all)."""
    failed = next((r for r in runs if r.error), None)
    seconds = [r.seconds for r in runs if not r.error]
    step_names = dict.fromkeys(name for r in runs if not r.error for name in r.steps)
    steps = {name: median([r.steps[name] for r in runs if not r.error and name in r.steps])
             for name in step_names}
    return {"seconds": seconds, "median": None if failed else median(seconds),
            "error": failed.error if failed else None,
            "timed_out": bool(failed and failed.timed_out), "steps": steps}


def verdict(value: float | None, goal: float, error: str | None = None,
            timed_out: bool = False) -> str:
    """Return met, missed by N %, failed (with why) or not measured."""
    if timed_out:
        return f"missed: {error}"
    if error:
        return f"failed: {error}"
    if value is None:
        return "not measured"
    return "met" if value <= goal else f"missed by {value / goal - 1:.0%}"


def ratio(numerator: dict | None, denominator: dict | None) -> dict:
    """Return the ratio of two summaries' medians, failing when either failed."""
    parts = [s for s in (numerator, denominator) if s is not None]
    failed = next((s for s in parts if s["error"]), None)
    if failed:
        return {"value": None, "error": failed["error"], "timed_out": failed["timed_out"]}
    if len(parts) < 2:
        return {"value": None, "error": None, "timed_out": False}
    return {"value": round(numerator["median"] / denominator["median"], 2), "error": None,
            "timed_out": False}


def per_report(batch: dict | None) -> dict:
    """Return the batch's amortised seconds a report (wall ÷ tambons)."""
    if batch is None:
        return {"value": None, "error": None, "timed_out": False}
    failed_or_empty = batch["error"] or batch["median"] is None
    value = None if failed_or_empty else round(batch["median"] / batch["tambons"], 2)
    return {"value": value, "error": batch["error"], "timed_out": batch["timed_out"]}


def figure(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def goal_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """Return (target, figure, goal, verdict) for every goal, measured or not."""
    side = results.get("side_by_side") or {}
    reports = results.get("reports", {})
    overview = results.get("overview", {})
    national_load = results.get("load", {}).get("national")
    rows = []

    def row(name, goal_key, value, unit="", error=None, timed_out=False):
        goal = GOALS[goal_key]
        rows.append((name, figure(value, unit), f"≤ {goal:g}{unit}",
                     verdict(value, goal, error, timed_out)))

    def summary_row(name, goal_key, summary, unit=" s"):
        summary = summary or {"median": None, "error": None, "timed_out": False}
        row(name, goal_key, summary["median"], unit, summary["error"], summary["timed_out"])

    def measured_row(name, goal_key, measured, unit=""):
        row(name, goal_key, measured["value"], unit, measured["error"], measured["timed_out"])

    summary_row(f"warm report, demo records ({DEMO_TAMBON})", "demo_report_seconds",
                side.get("ours"))
    measured_row("ours ÷ stock pipeline", "ours_vs_stock",
                 ratio(side.get("ours"), side.get("stock")))
    measured_row("one report, national ÷ demo scale", "report_national_vs_demo",
                 ratio(reports.get("national"), reports.get("demo")))
    measured_row("batch, seconds a report (wall ÷ tambons)", "batch_seconds_per_report",
                 per_report(results.get("batch")), " s")
    summary_row("overview, national scale (wall incl. load)", "national_overview_seconds",
                overview.get("national"))
    if national_load:
        row("national load + validate", "national_load_seconds", national_load.get("seconds"),
            " s", national_load.get("error"))
        row("national load peak memory", "national_load_peak_gib",
            national_load.get("peak_gib"), " GiB", national_load.get("error"))
    return rows


def seconds_cell(summary: dict) -> str:
    """The median, or why there is none."""
    if summary["error"]:
        return ("missed: " if summary["timed_out"] else "failed: ") + summary["error"]
    return figure(summary["median"])


def runs_cell(summary: dict) -> str:
    return ", ".join(f"{s:g}" for s in summary["seconds"]) or "—"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]


def markdown(results: dict) -> str:
    """Return bench/results.md: the goals and their verdicts, then each step's figures."""
    info = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    lines = ["# Benchmarks", "",
             f"Run {results['started']} on commit {info['commit']}: {info['cores']} cores, "
             f"Python {info['python']}, {info['platform']}; {versions}. "
             f"`python bench/run.py {results['arguments']}`; seconds are wall time of new "
             "processes, each writing to a new folder.", "",
             "## Goals (issue #16)", ""]
    lines += table(["target", "figure", "goal", "verdict"], [list(r) for r in goal_rows(results)])
    side = results.get("side_by_side")
    if side:
        lines += ["", f"## Side by side with the stock pipeline (warm: a warm-up, then "
                  f"{side['rounds']} interleaved round(s))", ""]
        pipelines = {"ours": f"`{COMMANDS['ours']}`",
                     "ours_empty": "the same, km's caches empty",
                     "stock": "stock: " + " + ".join(f"`{c}`" for c in COMMANDS["stock"])}
        lines += table(["pipeline", "median s", "÷ stock", "runs (s)", "median steps (s)"], [
            [label, seconds_cell(side[key]), ratio_cell(ratio(side[key], side["stock"])),
             runs_cell(side[key]), steps_cell(side[key])]
            for key, label in pipelines.items() if key in side])
        lines += ["", "The stock tools run in bench/.stock-env (`pip install -c "
                  "requirements.lock papermill nbconvert weasyprint ipykernel -e .`), on the "
                  "project's notebook and the demo records (data/). Ours' steps are the ones "
                  "`km report` prints; rest is the wall time they leave out (process start, "
                  "imports, loading and checking the records). Warm runs keep what km keeps "
                  "between runs (checked records, drawings; the stock notebook's drawings "
                  "too), filled by the warm-up; with km's caches empty, each run starts with "
                  "an empty KM_CACHE_DIR, as after the records changed."]
    reports = results.get("reports")
    if reports:
        lines += ["", f"## One report at each scale (`{COMMANDS['report']}`; warm: a "
                  "warm-up, then the runs below)", ""]
        lines += table(["scale", "tambon", "median s", "runs (s)", "median steps (s)",
                        "median s, km's caches empty"],
                       [[scale, r["tambon"], seconds_cell(r), runs_cell(r), steps_cell(r),
                         seconds_cell(r["caches_empty"]) if "caches_empty" in r else "—"]
                        for scale, r in reports.items()])
    batch = results.get("batch")
    if batch:
        amortised = per_report(batch)["value"]
        lines += ["", f"## The batch (`{COMMANDS['batch']}`)", ""]
        lines += table(["tambons", "jobs", "wall s", "s a report"],
                       [[batch["tambons"], BATCH_JOBS, seconds_cell(batch), figure(amortised)]])
        lines += ["", "`km report all` also writes the province overview: its time is in the "
                  "wall, and so in the seconds a report."]
    overview = results.get("overview")
    if overview:
        lines += ["", f"## The overview (`{COMMANDS['overview']}`, wall including load: "
                  "km's caches empty)", ""]
        lines += table(["scale", "median s", "runs (s)"],
                       [[scale, seconds_cell(o), runs_cell(o)] for scale, o in overview.items()])
    load = results.get("load")
    if load:
        lines += ["", "## Load + validate (a fresh process)", ""]
        lines += table(["scale", "rows", "seconds", "peak GiB"],
                       [[scale, f"{r['rows']:,}", r["seconds"], r["peak_gib"]]
                        if not r.get("error") else [scale, "—", f"failed: {r['error']}", "—"]
                        for scale, r in load.items()])
    return "\n".join(lines) + "\n"


def ratio_cell(measured: dict) -> str:
    if measured["error"]:
        return "—"
    return figure(measured["value"])


def steps_cell(summary: dict) -> str:
    return ", ".join(f"{name} {s:g}" for name, s in summary["steps"].items()) or "—"


def last_line(text: str) -> str:
    """Return the last non-blank line of a command's output (progress bars end with \\r)."""
    lines = [line.strip() for line in re.split(r"[\r\n]", text) if line.strip()]
    return lines[-1][:200] if lines else "no output"


def km_steps(stderr: str) -> dict[str, float]:
    """Return the step timings `km report` prints, {} when it printed none."""
    for line in reversed(stderr.splitlines()):
        if KM_STEPS.match(line.strip()):
            return {name: float(s) for name, s in re.findall(r"(\w+) (\d+(?:\.\d+)?)s", line)}
    return {}


def first_tambons(folder: Path, count: int) -> list[str]:
    """Return the slugs of the first `count` tambons of a folder's tambons.csv, in file order."""
    with (folder / "tambons.csv").open(encoding="utf-8-sig", newline="") as file:
        return [row["tambon"] for _, row in zip(range(count), csv.DictReader(file))]


# ---- running things ----


def say(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", flush=True)


def run_commands(commands: list[tuple[str, list[str]]], *, timeout: float,
                 cwd: Path = ROOT, env: dict | None = None) -> tuple[Run, str]:
    """Run commands one after another, timed; stop at the first failure.

    Returns the run (each command's seconds as its steps) and the last command's stderr.
    """
    steps, stderr = {}, ""
    for name, argv in commands:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(process)
            return Run(None, f"{name}: more than {timeout:g} s (stopped)", timed_out=True), ""
        except BaseException:
            stop(process)
            raise
        steps[name] = round(time.perf_counter() - started, 2)
        if process.returncode != 0:
            return Run(None, f"{name} exit {process.returncode}: {last_line(stderr)}"), stderr
    return Run(round(sum(steps.values()), 2), steps=steps), stderr


def stop(process: subprocess.Popen) -> None:
    """Stop a command this bench started, with the processes it started (its session)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def new_folder(label: str) -> Path:
    """Return a new, empty folder for one run's output (so no cache under it counts)."""
    RUNS.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        folder = RUNS / f"{label}-{n}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"no free folder for {label} under {RUNS}")


def km_run(label: str, args: list[str], timeout: float, kept_cache: bool = True) -> Run:
    """Run `km ARGS --out NEW` in a new process; its steps are the ones km prints.

    With the kept cache, records and drawings km kept from earlier runs count (warm); without,
    the run has an empty cache of its own (what a changed set of records costs).
    """
    out = new_folder(label)
    cache = KEPT_CACHE if kept_cache else new_folder(f"{label}-cache")
    try:
        run, stderr = run_commands([("km", [str(VENV_BIN / "km"), *args, "--out", str(out)])],
                                   timeout=timeout, env=with_cache(os.environ, cache))
    finally:
        shutil.rmtree(out, ignore_errors=True)
        if not kept_cache:
            shutil.rmtree(cache, ignore_errors=True)
    if not run.error:
        run.steps = with_rest(run.seconds, km_steps(stderr))
    return run


def with_cache(env, cache: Path) -> dict:
    return {**env, "KM_CACHE_DIR": str(cache)}


def with_rest(seconds: float, steps: dict[str, float]) -> dict[str, float]:
    """Add "rest": the wall time km's own steps leave out (process start, imports, load)."""
    return {**steps, "rest": round(seconds - sum(steps.values()), 2)} if steps else {}


def stock_run(env: dict, timeout: float) -> Run:
    """Run the stock pipeline on the project's notebook and the demo records."""
    out = new_folder("stock")
    bin_dir = STOCK_ENV / "bin"
    notebook, html, pdf = out / "OUT.ipynb", out / "OUT.html", out / "OUT.pdf"
    commands = [
        ("papermill", [str(bin_dir / "papermill"), "tambon_report.ipynb", str(notebook),
                       "-p", "tambon", DEMO_TAMBON, "-p", "data_dir", str(DEMO_DATA)]),
        ("nbconvert", [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                       str(notebook)]),
        ("weasyprint", [str(bin_dir / "weasyprint"), str(html), str(pdf)]),
    ]
    try:
        # The notebook's km_analysis keeps drawings as ours does: the same kept cache.
        run, _ = run_commands(commands, timeout=timeout, cwd=ROOT / "notebooks",
                              env=with_cache(env, KEPT_CACHE))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return run


def timed_runs(label: str, count: int, measure, warm_up: bool = True) -> list[Run]:
    """Return `count` runs of `measure()` after an optional warm-up; stop at a failure."""
    runs = []
    for n in range(0 if warm_up else 1, count + 1):
        run = measure()
        say(f"  {label} {'warm-up' if n == 0 else f'{n}/{count}'}: {describe(run)}")
        if run.error:
            return [run]
        if n:
            runs.append(run)
    return runs


def describe(run: Run) -> str:
    return run.error if run.error else f"{run.seconds:g} s"


def stock_environment(timeout: float) -> dict:
    """Make bench/.stock-env (once, again when the lock changes); return the runs' environment.

    The stock tools are pinned by requirements.lock like the project's, and the project is
    installed editable (the notebook imports km_analysis), so both run the same code.
    """
    stamp = STOCK_ENV / ".installed"
    inputs = [ROOT / "requirements.lock", ROOT / "pyproject.toml"]
    if not stamp.exists() or any(p.stat().st_mtime > stamp.stat().st_mtime for p in inputs):
        python = STOCK_ENV / "bin" / "python"
        doing = "updating" if python.exists() else "creating"
        say(f"  {doing} the stock pipeline's environment in {STOCK_ENV.relative_to(ROOT)} "
            "(first time: a few minutes) …")
        commands = [] if python.exists() else [("venv", [sys.executable, "-m", "venv",
                                                         str(STOCK_ENV)])]
        commands.append(("pip install", [str(python), "-m", "pip", "install", "--quiet",
                                         "-c", "requirements.lock", "papermill", "nbconvert",
                                         "weasyprint", "ipykernel", "-e", "."]))
        run, _ = run_commands(commands, timeout=timeout)
        if run.error:
            raise RuntimeError(run.error)
        stamp.touch()
    env = {**os.environ, "VIRTUAL_ENV": str(STOCK_ENV),
           "PATH": f"{STOCK_ENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    check_stock_kernel(env)
    return env


def check_stock_kernel(env: dict) -> None:
    """Refuse to compare if papermill's python3 kernel would not run in the stock environment."""
    probe = ("from jupyter_client.kernelspec import KernelSpecManager as M; "
             "print(M().get_kernel_spec('python3').argv[0])")
    found = subprocess.run([str(STOCK_ENV / "bin" / "python"), "-c", probe], env=env,
                           capture_output=True, text=True, check=False)
    executable = found.stdout.strip()
    # jupyter_client runs a kernel whose argv starts with plain "python" on its own python.
    if found.returncode or not (executable.startswith("python")
                                or executable.startswith(str(STOCK_ENV))):
        raise RuntimeError("the python3 kernel papermill would use is not the stock "
                           f"environment's: {executable or last_line(found.stderr)}")


def side_by_side(rounds: int, timeout: float) -> dict:
    """Ours and the stock pipeline, interleaved: a warm-up round, then `rounds` counted."""
    runs = {"ours": [], "ours_empty": [], "stock": []}
    setup_error, env = None, None
    try:
        env = stock_environment(timeout)
    except (RuntimeError, OSError) as error:
        say(f"  the stock environment failed: {error}")
        setup_error = str(error)
        runs["stock"].append(Run(None, f"stock environment: {error}"))
    ours = ["report", DEMO_TAMBON, "--data", str(DEMO_DATA)]
    measures = {"ours": lambda: km_run("ours", ours, timeout),
                "ours_empty": lambda: km_run("ours", ours, timeout, kept_cache=False),
                "stock": lambda: stock_run(env, timeout)}
    for n in range(rounds + 1):
        said = []
        for name, measure in measures.items():
            if any(r.error for r in runs[name]):
                continue  # failed once: reported, not run again
            run = measure()
            said.append(f"{name} {describe(run)}")
            if n or run.error:
                runs[name].append(run)
        say(f"  {'warm-up' if n == 0 else f'round {n}/{rounds}'}: " + ", ".join(said))
    return {"rounds": rounds, "setup_error": setup_error,
            **{name: summarise(done) for name, done in runs.items()}}


def records_for(scale: str, timeout: float) -> Path:
    """Return bench/data/<scale>, writing the synthetic records there when missing."""
    folder = DATA / scale
    if not folder.exists():
        say(f"  writing the {scale} synthetic records into {folder.relative_to(ROOT)} …")
        # Written aside, then renamed: an interrupted run leaves no half-written records.
        partial = DATA / f".{scale}-partial"
        shutil.rmtree(partial, ignore_errors=True)
        run, _ = run_commands([("synth", [str(PYTHON), "-m", "km_analysis.synth", scale,
                                          str(partial)])], timeout=timeout)
        if run.error:
            raise RuntimeError(run.error)
        partial.rename(folder)
    return folder


def scale_report(scale: str, repeats: int, timeout: float) -> dict:
    folder = records_for(scale, timeout)
    [tambon] = first_tambons(folder, 1)
    args = ["report", tambon, "--data", str(folder)]
    kept = timed_runs(f"{scale} {tambon}", repeats,
                      lambda: km_run(f"report-{scale}", args, timeout))
    empty = timed_runs(f"{scale} {tambon}, caches empty", repeats,
                       lambda: km_run(f"report-{scale}", args, timeout, kept_cache=False),
                       warm_up=False)
    return {"tambon": tambon, **summarise(kept), "caches_empty": summarise(empty)}


def batch(count: int, timeout: float) -> dict:
    folder = records_for("province", timeout)
    tambons = first_tambons(folder, count)
    args = ["report", "all", "--tambons", ",".join(tambons), "--jobs", str(BATCH_JOBS),
            "--force", "--data", str(folder)]
    runs = timed_runs(f"{len(tambons)} tambons on {BATCH_JOBS} jobs", 1,
                      lambda: km_run("batch", args, timeout), warm_up=False)
    return {"tambons": len(tambons), **summarise(runs)}


def overview(scale: str, repeats: int, timeout: float) -> dict:
    folder = records_for(scale, timeout)
    # Caches empty: the goal is the wall time including loading and checking the records.
    runs = timed_runs(f"{scale} overview", repeats, lambda: km_run(
        f"overview-{scale}", ["report", "overview", "--data", str(folder)], timeout,
        kept_cache=False), warm_up=False)
    return summarise(runs)


def measure_load(scale: str, timeout: float) -> dict:
    """Return load + validate seconds and peak memory, measured in a fresh process."""
    folder = records_for(scale, timeout)
    probe = subprocess.run([str(PYTHON), "-c", LOAD_PROBE, str(folder)],
                           capture_output=True, text=True, timeout=timeout, check=False)
    if probe.returncode:
        return {"error": last_line(probe.stderr)}
    return json.loads(probe.stdout)


def guarded(step: str, measure, failed) -> dict:
    """Return `measure()`, or `failed(reason)` when the step itself breaks: the bench goes on."""
    try:
        return measure()
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as error:
        say(f"  {step} failed: {error}")
        return failed(str(error))


def failed_summary(reason: str) -> dict:
    return summarise([Run(None, reason)])


def machine() -> dict:
    names = ("pandas", "pyarrow", "matplotlib", "papermill", "nbconvert", "ipykernel",
             "weasyprint", "pikepdf")
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit or "unknown",
            "versions": {n: version(n) for n in names}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="demo,province,national",
                        help="synthetic scales for steps 2-5 (default: all three)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="counted rounds of the side by side, after a warm-up (default 5)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each scale's report and overview (default 3)")
    parser.add_argument("--batch", type=int, default=20,
                        help="tambons in the batch at province scale (default 20)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds after which a command is stopped and counted as missed")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"which steps to run (default: all, {','.join(STEPS)})")
    parser.add_argument("--results", type=Path, default=HERE,
                        help="where results.md and results.json go (default bench/)")
    args = parser.parse_args()
    if min(args.rounds, args.repeats, args.batch) < 1:
        parser.error("--rounds, --repeats and --batch take 1 or more")
    scales = [s for s in (args.scales or "demo,province,national").split(",") if s]
    steps = [s for s in args.steps.split(",") if s]
    unknown = (set(scales) - {"demo", "province", "national"}) | (set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown scale(s) or step(s): {', '.join(sorted(unknown))}")
    arguments = " ".join(sys.argv[1:])
    results = {"started": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "arguments": arguments,
               "goals": GOALS, "commands": COMMANDS, "machine": machine()}
    started = time.perf_counter()
    timeout = args.timeout
    shutil.rmtree(KEPT_CACHE, ignore_errors=True)

    if "side-by-side" in steps:
        say(f"1. side by side with the stock pipeline: a warm-up and {args.rounds} rounds")
        results["side_by_side"] = side_by_side(args.rounds, timeout)
    if "reports" in steps:
        say(f"2. one report at {', '.join(scales)} scale")
        results["reports"] = {scale: guarded(scale, lambda s=scale: scale_report(
            s, args.repeats, timeout), lambda why: {"tambon": "—", **failed_summary(why)})
            for scale in scales}
    if "batch" in steps and "province" in scales:
        say(f"3. the batch: {args.batch} province tambons on {BATCH_JOBS} jobs")
        results["batch"] = guarded("batch", lambda: batch(args.batch, timeout),
                                   lambda why: {"tambons": args.batch, **failed_summary(why)})
    overview_scales = [s for s in scales if s != "demo"]
    if "overview" in steps and overview_scales:
        say(f"4. the overview at {', '.join(overview_scales)} scale")
        results["overview"] = {scale: guarded(scale, lambda s=scale: overview(
            s, args.repeats, timeout), failed_summary) for scale in overview_scales}
    if "load" in steps:
        say(f"5. load + validate at {', '.join(scales)} scale")
        results["load"] = {scale: guarded(scale, lambda s=scale: measure_load(s, timeout),
                                          lambda why: {"error": why}) for scale in scales}
        for scale, load in results["load"].items():
            say(f"  {scale}: "
                + (load.get("error") or f"{load['seconds']} s, {load['peak_gib']} GiB"))
    results["seconds"] = round(time.perf_counter() - started)

    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "results.json").write_text(json.dumps(results, indent=1,
                                                          ensure_ascii=False) + "\n")
    text = markdown(results)
    (args.results / "results.md").write_text(text)
    print(text)
    say(f"done in {results['seconds'] // 60} min {results['seconds'] % 60} s; "
        f"written {args.results / 'results.md'}")


if __name__ == "__main__":
    main()
