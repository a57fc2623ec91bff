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
import multiprocessing.util
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KmError, Problem
from .provenance import (
    code_fingerprint,
    combined_fingerprint,
    fingerprints,
    git_commit,
    record_counts,
    software_versions,
)
from .records.load import Records
from .report.outputs import ReportPaths
from .scope import ReportScope, every_row_tambon, in_scope, refused_tambons, slice_of

if TYPE_CHECKING:
    from .report.kernels import StartedKernel


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
    kernel: str = ""  # "new", or "reused" from the worker's previous report (see run_job)


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
    scopes: dict | None = None,
) -> ReportJob:
    """Return the job of one report: its parameters, output paths and provenance.

    `scopes`: `scope.every_row_tambon` of the records, when planning many reports.
    """
    scope = ReportScope.of(report)
    used = slice_of(records, scope.tambon, scopes)
    table_fingerprints = fingerprints(used)
    parameters = {
        "as_of": as_of,
        "since": since,
        "snapshot": str(Path(snapshot).resolve()),
        "numerals": numerals,
        "data_dir": str(Path(data).resolve()) if data else "",
        **({} if scope.is_overview else {"tambon": report}),
        "fingerprints": table_fingerprints,  # the colophon's, computed once here
        **(extra_parameters or {}),
    }
    # Paths differ between machines and runs; they do not change what the report says.
    shaping = {k: v for k, v in parameters.items() if k not in ("snapshot", "data_dir")}
    inputs = {"report": report, "parameters": shaping, "records": table_fingerprints,
              "example": records.example, "code": code_fingerprint()}
    inputs_key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]
    provenance = {
        "report": report,
        "parameters": parameters,
        "records": {"source": records.source, "fingerprint": combined_fingerprint(
            table_fingerprints), "tables": table_fingerprints, "rows": record_counts(used),
            "example": records.example},
        "software": {**software_versions(), "git_commit": git_commit(),
                     "code_fingerprint": code_fingerprint()},
        "inputs_key": inputs_key,
    }
    return ReportJob(report, scope.notebook, parameters,
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


@dataclass
class ReportPlan:
    """What a batch will do: the reports to render, and those decided without rendering."""

    as_of: str  # ISO date, one for every report of the batch
    order: list[str]  # every report asked for, in the manifest's order
    jobs: list[ReportJob]  # to render
    decided: dict[str, JobResult]  # refused (status "failed") or unchanged ("skipped")
    refusals: dict[str, list[Problem]] = field(default_factory=dict)  # the errors that refused

    def results(self, rendered: Iterable[JobResult]) -> list[JobResult]:
        """Return every report's result in order: the decided ones and the rendered ones."""
        by_report = {**self.decided, **{r.report: r for r in rendered}}
        return [by_report[name] for name in self.order]


def plan_reports(
    records: Records,
    reports: Sequence[str],
    *,
    snapshot: Path,
    out: Path,
    as_of=None,
    since=None,
    numerals: str = "arabic",
    data: str = "",
    force: bool = False,
) -> ReportPlan:
    """Return the plan for `reports` (resolved slugs and "overview", the overview last).

    A report is refused while an error in the records is in its scope (the overview then
    names the tambons refused before it); it is skipped when it is up to date, unless
    `force`; otherwise it is a job to render. One as-of holds for every report; since is
    resolved per report (each tambon's last sponsor forum).
    """
    from .measures import resolve_period

    as_of = resolve_period(records, None, as_of, since).as_of
    plan = ReportPlan(as_of.date().isoformat(), list(reports), [], {})
    # Each row's tambon, worked out once for every tambon's slice (the overview needs none).
    tambons = [ReportScope.of(name).tambon for name in reports]
    scopes = every_row_tambon(records.frames()) if any(tambons) else None
    for name in reports:
        scope = ReportScope.of(name)
        blocking = in_scope(records.errors, scope.tambon)
        if blocking:
            plan.refusals[name] = blocking
            plan.decided[name] = JobResult(name, "failed", "", reason=(
                f"{len(blocking)} record error(s) in its scope, first: {blocking[0]}"))
            continue
        period = resolve_period(records, scope.tambon, as_of, since)
        extra = {"excluded": ",".join(refused_tambons(records))} if scope.is_overview else None
        job = plan_job(records, name, plan.as_of, period.since.date().isoformat(), snapshot,
                       out, numerals, data, extra, scopes)
        if not force and is_up_to_date(job):
            plan.decided[name] = JobResult(name, "skipped", str(job.paths.pdf))
        else:
            plan.jobs.append(job)
    return plan


def run_job(job: ReportJob) -> JobResult:
    """Render one job; never raises for a failed report (the batch goes on).

    The process keeps the report's kernel for its next report of the same notebook, reset as
    report/kernelstate.py lists: starting Python, IPython, pandas and matplotlib anew cost
    about 2 s of a core a report. A kernel that failed a report is not kept.
    """
    from .report.startup import skip_iri_grammar

    skip_iri_grammar()  # a worker process is an entry point too (see report.startup)
    from .report.render import render_report

    started = time.perf_counter()
    kernel, kind = None, ""
    try:
        kernel, reused = _kernel_for(job.notebook)
        kind = "reused" if reused else "new"
        timings = render_report(job.notebook, job.parameters, job.paths, job.provenance,
                                kernel=kernel, keep_kernel=True)
        _keep_kernel(job.notebook, kernel)
        kernel = None
    except KmError as exc:
        return JobResult(job.report, "failed", "", round(time.perf_counter() - started, 2),
                         str(exc).strip().splitlines()[0], kernel=kind)
    except Exception as exc:  # a bug in one report must not stop the others
        return JobResult(job.report, "failed", "", round(time.perf_counter() - started, 2),
                         f"{type(exc).__name__}: {exc}".splitlines()[0], kernel=kind)
    finally:
        if kernel is not None:  # not kept: the report failed
            kernel.close()
    return JobResult(job.report, "ok", str(job.paths.pdf),
                     round(time.perf_counter() - started, 2), timings=timings.steps,
                     kernel=kind)


_kept_kernel: tuple[str, StartedKernel] | None = None  # (notebook, its kernel), for the next
_stop_at_exit_registered = False  # whether this process stops its kept kernel when it ends
# A Dask worker runs jobs in several threads of one process: each takes the kept kernel alone.
_kept_lock = threading.Lock()


def _kernel_for(notebook: str) -> tuple[StartedKernel, bool]:
    """Return this process's kept kernel for `notebook`, reset, and True; else a kernel
    started now, and False."""
    from .report.kernels import StartedKernel, notebook_path

    global _kept_kernel
    with _kept_lock:
        kept, _kept_kernel = _kept_kernel, None
    if kept is not None:
        kept_for, kernel = kept
        if kept_for == notebook:
            try:
                kernel.restore()
                return kernel, True
            except KmError:
                pass  # started anew below
            except BaseException:
                kernel.close()
                raise
        kernel.close()
    return StartedKernel(notebook_path(notebook).parent, draws=True), False


def _keep_kernel(notebook: str, kernel: StartedKernel) -> None:
    """Keep `kernel` for this process's next report (one kernel: another kept is stopped)."""
    global _kept_kernel, _stop_at_exit_registered
    with _kept_lock:
        if not _stop_at_exit_registered:
            # A pool's worker runs multiprocessing's finalizers when it ends, not atexit; a
            # main process runs both.
            multiprocessing.util.Finalize(None, _close_kept_kernel, exitpriority=10)
            _stop_at_exit_registered = True
        replaced, _kept_kernel = _kept_kernel, (notebook, kernel)
    if replaced is not None:
        replaced[1].close()


def _close_kept_kernel() -> None:
    global _kept_kernel
    with _kept_lock:
        kept, _kept_kernel = _kept_kernel, None
    if kept is not None:
        kept[1].close()


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


def write_manifest(out: Path, plan: ReportPlan, results: list[JobResult], *, source: str,
                   jobs: int, seconds: float) -> Path:
    """Write manifest.json and manifest.md under <out>/<as-of> atomically; return the JSON's.

    The counts and the summary come from the plan and the results.
    """
    folder = Path(out) / plan.as_of
    folder.mkdir(parents=True, exist_ok=True)
    counts = {status: sum(r.status == status for r in results)
              for status in ("ok", "failed", "skipped")}
    summary = {"as_of": plan.as_of, "records": source, "jobs": jobs, "seconds": seconds,
               **counts}
    manifest = {**summary, "reports": [asdict(r) for r in results]}
    labels = {"ok": "ok", "failed": "FAILED", "skipped": "skipped (unchanged)"}
    lines = [
        f"# Reports as of {plan.as_of}", "",
        f"{counts['ok']} ok, {counts['failed']} failed, {counts['skipped']} skipped "
        f"(unchanged) — {seconds} s with {jobs} job(s).", "",
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
