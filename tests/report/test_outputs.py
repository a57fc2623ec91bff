"""A report folder is published whole, and what a killed run left is repaired."""

from __future__ import annotations

import subprocess
import sys

from km_analysis.report.outputs import ReportPaths, publish, repair, staging_folder


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def _report(folder, text: str) -> None:
    folder.mkdir(parents=True)
    for name in ("a.pdf", "a.html", "a.ipynb", "provenance.json"):
        (folder / name).write_text(text)


def test_publish_replaces_every_file_at_once(tmp_path):
    paths = ReportPaths.for_report(tmp_path, "2006-10-30", "bangjak")
    _report(paths.folder, "old")
    staging = staging_folder(paths)
    for name in ("a.pdf", "a.html", "a.ipynb", "provenance.json"):
        (staging / name).write_text("new")
    publish(staging, paths)
    assert {p.read_text() for p in paths.folder.iterdir()} == {"new"}
    assert sorted(p.name for p in paths.folder.parent.iterdir()) == ["bangjak"]


def test_repair_restores_a_folder_a_killed_swap_left_aside(tmp_path):
    paths = ReportPaths.for_report(tmp_path, "2006-10-30", "bangjak")
    _report(paths.folder.parent / f".replaced-bangjak-{_dead_pid()}", "old")
    repair(paths)
    assert {p.read_text() for p in paths.folder.iterdir()} == {"old"}


def test_repair_deletes_a_dead_runs_staging_but_not_a_running_ones(tmp_path):
    paths = ReportPaths.for_report(tmp_path, "2006-10-30", "bangjak")
    dead = paths.folder.parent / f".rendering-bangjak-{_dead_pid()}-x1"
    _report(dead, "half")
    running = staging_folder(paths)
    repair(paths)
    assert not dead.exists() and running.exists()
