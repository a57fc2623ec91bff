"""Planning and running reports: one, or every tambon and the overview in parallel.

A job is plain data (picklable), so any `concurrent.futures.Executor` can run it: a local
process pool, or a Dask cluster's executor for a national rollout. A job is skipped when
nothing it depends on changed since its last successful report for the same as-of: its slice
of the records (hashed as parsed frames), its parameters, and the code that shapes it.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import KmError
from .provenance import (OVERVIEW, code_fingerprint, combined_fingerprint, git_commit,
                         record_counts, slice_of)
from .records.load import Records
from .outputs import ReportPaths, software_versions
from .records.snapshot import fingerprints

NOTEBOOKS = {"tambon": "tambon_report.ipynb", OVERVIEW: "overview_report.ipynb"}


@dataclass(frozen=True)
class ReportJob:
    """Everything needed to render one report, in any process."""

    report: str  # a tambon's slug, or "overview"
    notebook: str
    parameters: dict
    paths: ReportPaths
    provenance: dict
    inputs_key: str  # changes whenever anything the report depends on changes


@dataclass
class JobResult:
    """How one report went: ok, failed (with the reason) or skipped (unchanged)."""

    report: str
    status: str
    pdf: str
    seconds: float = 0.0
    reason: str = ""
    timings: dict = field(default_factory=dict)


def plan_job(
    records: Records,
    report: str,
    as_of: str,
    since: str,
    snapshot: Path,
    out: Path,
    numerals: str = "arabic",
    data: str = "",
    extra_parameters: dict | None = None,
) -> ReportJob:
    """Return the job of one report: its parameters, output paths and provenance."""
    parameters = {
        "as_of": as_of,
        "since": since,
        "snapshot": str(Path(snapshot).resolve()),
        "numerals": numerals,
        "data_dir": str(Path(data).resolve()) if data else "",
        **({"tambon": report} if report != OVERVIEW else {}),
        **(extra_parameters or {}),
    }
    used = slice_of(records, None if report == OVERVIEW else report)
    table_fingerprints = fingerprints(used)
    # Paths differ between machines and runs; they do not change what the report says.
    shaping = {k: v for k, v in parameters.items() if k not in ("snapshot", "data_dir")}
    inputs = {"report": report, "parameters": shaping, "records": table_fingerprints,
              "code": code_fingerprint()}
    inputs_key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]
    provenance = {
        "report": report,
        "parameters": parameters,
        "records": {"source": records.source, "fingerprint": combined_fingerprint(
            table_fingerprints), "tables": table_fingerprints, "rows": record_counts(used)},
        "software": {**software_versions(), "git_commit": git_commit(),
                     "code_fingerprint": code_fingerprint()},
        "inputs_key": inputs_key,
    }
    notebook = NOTEBOOKS[OVERVIEW] if report == OVERVIEW else NOTEBOOKS["tambon"]
    return ReportJob(report, notebook, parameters,
                     ReportPaths.for_report(out, as_of, report), provenance, inputs_key)


def is_up_to_date(job: ReportJob) -> bool:
    """Return True when the job's PDF exists and was made from exactly the same inputs."""
    if not job.paths.pdf.exists() or not job.paths.provenance.exists():
        return False
    try:
        previous = json.loads(job.paths.provenance.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return previous.get("inputs_key") == job.inputs_key


def run_job(job: ReportJob) -> JobResult:
    """Render one job; never raises for a failed report (the batch goes on)."""
    from .report.render import render_report

    started = time.perf_counter()
    try:
        timings = render_report(job.notebook, job.parameters, job.paths, job.provenance)
    except KmError as exc:
        return JobResult(job.report, "failed", "", round(time.perf_counter() - started, 2),
                         str(exc).strip().splitlines()[0])
    except Exception as exc:  # a bug in one report must not stop the others
        return JobResult(job.report, "failed", "", round(time.perf_counter() - started, 2),
                         f"{type(exc).__name__}: {exc}".splitlines()[0])
    return JobResult(job.report, "ok", str(job.paths.pdf),
                     round(time.perf_counter() - started, 2), timings=timings.steps)


def run_jobs(
    jobs: Iterable[ReportJob],
    executor: concurrent.futures.Executor,
    on_result: Callable[[JobResult], None] = lambda result: None,
) -> list[JobResult]:
    """Run jobs on `executor`, calling `on_result` as each finishes; return results in order."""
    jobs = list(jobs)
    futures = {executor.submit(run_job, job): job for job in jobs}
    results: dict[str, JobResult] = {}
    try:
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results[result.report] = result
            on_result(result)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        raise
    return [results[job.report] for job in jobs]


def write_manifest(folder: Path, results: list[JobResult], summary: dict) -> Path:
    """Write manifest.json and manifest.md for a batch (atomically); return the JSON's path."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {**summary, "reports": [asdict(r) for r in results]}
    labels = {"ok": "ok", "failed": "FAILED", "skipped": "skipped (unchanged)"}
    lines = [
        f"# Reports as of {summary['as_of']}", "",
        f"{summary['ok']} ok, {summary['failed']} failed, {summary['skipped']} skipped "
        f"(unchanged) — {summary['seconds']} s with {summary['jobs']} job(s).", "",
        "| report | status | PDF | seconds | reason |", "|---|---|---|---|---|",
    ]
    for r in results:
        pdf = Path(r.pdf).name if r.pdf else ""
        reason = r.reason.replace("|", "\\|")
        lines.append(f"| {r.report} | {labels[r.status]} | {pdf} | {r.seconds} | {reason} |")
    _write_atomically(folder / "manifest.md", "\n".join(lines) + "\n")
    path = folder / "manifest.json"
    _write_atomically(path, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return path


def _write_atomically(path: Path, text: str) -> None:
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(staging, path)
