"""Every tambon at once: the batch, incremental rebuilds, the overview, provenance, verify."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from km_analysis import load_records, thai
from km_analysis.batch import plan_job, run_jobs
from km_analysis.cli import main
from km_analysis.provenance import read_pdf_metadata

from .conftest import DEMO_DATA, write_csv_folder

pytestmark = pytest.mark.slow  # renders reports end to end

AS_OF = "2006-10-30"
REPORTS = ("tharai", "mamuangsongton", "bangjak", "overview")


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _manifest(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / AS_OF / "manifest.json").read_text(encoding="utf-8"))
    return {r["report"]: r for r in manifest["reports"]}


def _edit_cell(folder: Path, table: str, row_id: str, column: str, value: str) -> None:
    """Change one cell of a CSV table, keyed by the row's first column."""
    path = folder / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        if row[next(iter(row))] == row_id:
            row[column] = value
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, Path]:
    """Copy the demo records and render every report once; return (records, out)."""
    root = tmp_path_factory.mktemp("batch")
    data = Path(shutil.copytree(DEMO_DATA, root / "data"))
    out = root / "reports"
    assert main(["report", "all", "--data", str(data), "--out", str(out), "--jobs", "2"]) == 0
    return data, out


def test_batch_writes_every_report_and_a_manifest(batch):
    _, out = batch
    manifest = _manifest(out)
    assert {name: r["status"] for name, r in manifest.items()} == dict.fromkeys(REPORTS, "ok")
    for name in REPORTS:
        assert Path(manifest[name]["pdf"]).exists()
    assert "| bangjak | ok |" in (out / AS_OF / "manifest.md").read_text(encoding="utf-8")


def test_rerun_skips_everything_then_an_edit_rebuilds_its_tambon_and_the_overview(batch):
    data, out = batch
    assert main(["report", "all", "--data", str(data), "--out", str(out)]) == 0
    assert {r["status"] for r in _manifest(out).values()} == {"skipped"}

    _edit_cell(data, "groups", "G14", "members", "999")  # a Bang Jak village fund
    assert main(["report", "all", "--data", str(data), "--out", str(out)]) == 0
    statuses = {name: r["status"] for name, r in _manifest(out).items()}
    assert statuses == {"tharai": "skipped", "mamuangsongton": "skipped", "bangjak": "ok",
                        "overview": "ok"}


def test_verify_says_same_for_a_fresh_pdf_and_names_the_changed_table(tmp_path):
    data = Path(shutil.copytree(DEMO_DATA, tmp_path / "data"))
    out = tmp_path / "out"
    assert main(["report", "tharai", "--data", str(data), "--out", str(out)]) == 0
    pdf = out / AS_OF / "tharai" / f"km-progress-tharai-{AS_OF}.pdf"
    same = subprocess.run([sys.executable, "-m", "km_analysis.cli", "verify", str(pdf),
                           "--data", str(data)], capture_output=True, text=True)
    assert same.returncode == 0 and same.stdout.startswith("same")

    _edit_cell(data, "visits", "V01", "agenda", "ทำหัวปลา")  # a Tha Rai visit
    changed = subprocess.run([sys.executable, "-m", "km_analysis.cli", "verify", str(pdf),
                              "--data", str(data)], capture_output=True, text=True)
    assert changed.returncode == 1 and "visits" in changed.stdout
    assert "groups" not in changed.stdout


def test_verify_refuses_a_file_that_is_not_a_report(tmp_path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"not a pdf")
    result = subprocess.run([sys.executable, "-m", "km_analysis.cli", "verify", str(other)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_pdf_metadata_colophon_and_provenance_carry_the_same_fingerprints(batch):
    _, out = batch
    folder = out / AS_OF / "bangjak"
    metadata = read_pdf_metadata(folder / f"km-progress-bangjak-{AS_OF}.pdf")
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    tables = provenance["records"]["tables"]
    assert {k.removeprefix("kmfp"): v for k, v in metadata.items()
            if k.startswith("kmfp")} == tables
    assert metadata["kmrecords"] == provenance["records"]["fingerprint"]
    text = _pdf_text(folder / f"km-progress-bangjak-{AS_OF}.pdf")
    # The colophon prints a short fingerprint only; the full ones are in the metadata.
    assert provenance["records"]["fingerprint"][:12] in text
    assert tables["sessions"] not in text


def test_provenance_keeps_the_render_time_out_of_the_pdf(batch):
    _, out = batch
    provenance = json.loads((out / AS_OF / "tharai" / "provenance.json").read_text())
    assert provenance["timings"]["pdf"] > 0
    assert str(provenance["timings"]["pdf"]) not in _pdf_text(
        out / AS_OF / "tharai" / f"km-progress-tharai-{AS_OF}.pdf")


def test_two_renders_of_the_same_records_give_the_same_text(tmp_path):
    for name in ("first", "second"):
        assert main(["report", "overview", "--out", str(tmp_path / name)]) == 0
    first, second = (tmp_path / name / AS_OF / "overview" / f"km-progress-overview-{AS_OF}.pdf"
                     for name in ("first", "second"))
    assert _pdf_text(first) == _pdf_text(second)
    assert PdfReader(first).metadata["/CreationDate"] == "D:20061030"


def test_source_date_epoch_sets_the_pdf_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1162166400")  # 2006-10-30 00:00 UTC
    assert main(["report", "mamuangsongton", "--out", str(tmp_path)]) == 0
    pdf = tmp_path / AS_OF / "mamuangsongton" / f"km-progress-mamuangsongton-{AS_OF}.pdf"
    assert PdfReader(pdf).metadata["/CreationDate"].startswith("D:20061030000000")


def test_overview_lists_the_tambon_reports_by_thai_title_without_links(batch):
    _, out = batch
    pdf = out / AS_OF / "overview" / f"km-progress-overview-{AS_OF}.pdf"
    text = thai.normalise(_pdf_text(pdf))  # pdftotext writes ำ as ํ + า
    for name in ("ท่าไร่", "มะม่วงสองต้น", "บางจาก"):
        assert f"รายงานความก้าวหน้า ตำบล{name}" in text
    assert ".pdf" not in text
    for report in ("overview", "bangjak"):  # nor does a tambon's page 1 link to its page
        path = out / AS_OF / report / f"km-progress-{report}-{AS_OF}.pdf"
        assert not any("/Annots" in page for page in PdfReader(path).pages)


def test_a_tambon_with_record_errors_fails_and_the_others_go_on(tmp_path, tables):
    tables["groups"][0]["members"] = "-5"  # a Tha Rai group
    data = write_csv_folder(tmp_path / "records", tables)
    out = tmp_path / "out"
    assert main(["report", "all", "--data", str(data), "--out", str(out)]) == 1
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text(encoding="utf-8"))
    statuses = {r["report"]: (r["status"], r["reason"]) for r in manifest["reports"]}
    assert statuses["tharai"][0] == "failed" and "members" in statuses["tharai"][1]
    assert statuses["bangjak"][0] == "ok" and statuses["overview"][0] == "ok"


@pytest.mark.parametrize("args", [["tharai", "--jobs", "2"], ["bangjak", "--force"],
                                  ["all", "--jobs", "0"], ["all", "--amphoe", "ไม่มี"]])
def test_bad_batch_options_exit_2(tmp_path, args):
    assert main(["report", *args, "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_tambons_option_renders_only_those_and_the_overview(tmp_path):
    assert main(["report", "all", "--tambons", "บางจาก", "--out", str(tmp_path)]) == 0
    assert set(_manifest(tmp_path)) == {"bangjak", "overview"}


def test_batch_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the optional dask extra")
    records = load_records(DEMO_DATA)
    from km_analysis.snapshot import write_snapshot_once

    snapshot = write_snapshot_once(records, tmp_path / ".snapshots")
    jobs = [plan_job(records, "mamuangsongton", AS_OF, "2006-09-05", snapshot, tmp_path)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        [result] = run_jobs(jobs, client.get_executor())
    assert result.status == "ok", result.reason
    assert Path(result.pdf).exists()


def test_a_kept_kernel_goes_to_one_report_at_a_time_and_one_is_kept(monkeypatch):
    """A Dask worker runs reports in threads of one process: never one kernel for two."""
    from km_analysis import batch
    from km_analysis.report import kernels

    class FakeKernel:
        def __init__(self, cwd=None, draws=False):
            self.closed, self.restored = False, 0

        def restore(self):
            self.restored += 1

        def close(self):
            self.closed = True

    monkeypatch.setattr(kernels, "StartedKernel", FakeKernel)
    monkeypatch.setattr(batch, "_kept_kernel", None)
    first, reused = batch._kernel_for("tambon_report.ipynb")
    assert not reused
    batch._keep_kernel("tambon_report.ipynb", first)
    taken, started = (batch._kernel_for("tambon_report.ipynb") for _ in range(2))
    assert taken == (first, True) and first.restored == 1
    assert started[1] is False and started[0] is not first
    batch._keep_kernel("tambon_report.ipynb", first)
    batch._keep_kernel("tambon_report.ipynb", started[0])
    assert first.closed and not started[0].closed  # one kept; the other stopped
    overview, reused = batch._kernel_for("overview_report.ipynb")
    assert started[0].closed and not reused  # another notebook: a kernel of its own
    assert overview not in (first, started[0]) and batch._kept_kernel is None
