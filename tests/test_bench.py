"""bench/run.py: summaries, verdicts, the goals table, reading output, timing commands.

bench/ is not a package: the module is loaded from its path.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
Run = bench.Run


def ok(*seconds: float, **steps: float) -> list:
    return [Run(s, steps=dict(steps)) for s in seconds]


def test_summary_is_the_median_of_the_runs_and_of_each_step():
    summary = bench.summarise(ok(3.0, 9.0, 4.0, pdf=1.5))
    assert summary == {"seconds": [3.0, 9.0, 4.0], "median": 4.0, "error": None,
                       "timed_out": False, "steps": {"pdf": 1.5}}
    assert bench.summarise(ok(3.0, 4.0))["median"] == 3.5


def test_a_failed_run_fails_the_summary_and_says_why():
    summary = bench.summarise([*ok(3.0), Run(None, "km exit 1: records refused")])
    assert summary["median"] is None
    assert summary["error"] == "km exit 1: records refused"
    assert summary["seconds"] == [3.0]


@pytest.mark.parametrize(("value", "error", "timed_out", "expected"), [
    (4.5, None, False, "met"),
    (5.4, None, False, "missed by 20%"),
    (None, None, False, "not measured"),
    (None, "papermill exit 1: NoSuchKernel", False, "failed: papermill exit 1: NoSuchKernel"),
    (None, "km: more than 900 s (stopped)", True, "missed: km: more than 900 s (stopped)"),
])
def test_verdict(value, error, timed_out, expected):
    assert bench.verdict(value, 4.5, error, timed_out) == expected


def results(**parts) -> dict:
    return {"machine": {"cores": 2, "python": "3.11.7", "platform": "Linux", "commit": "abc123",
                        "versions": {"papermill": "2.7.0"}},
            "started": "2026-12-03 16:00 UTC", "arguments": "--scales demo", **parts}


def verdicts(results: dict) -> dict[str, tuple[str, str]]:
    return {name: (fig, verdict) for name, fig, _, verdict in bench.goal_rows(results)}


def test_goals_are_judged_from_the_medians():
    measured = results(
        side_by_side={"rounds": 2, "ours": bench.summarise(ok(4.0, 4.4)),
                      "stock": bench.summarise(ok(8.0, 8.4))},
        reports={"demo": {"tambon": "t1", **bench.summarise(ok(4.0))},
                 "national": {"tambon": "t1", **bench.summarise(ok(6.0))}},
        batch={"tambons": 20, **bench.summarise(ok(70.0))},
        overview={"national": bench.summarise(ok(50.0))},
        load={"national": {"rows": 10, "seconds": 12.0, "peak_gib": 1.2}},
    )
    assert verdicts(measured) == {
        "warm report, demo records (bangjak)": ("4.2 s", "met"),
        "ours ÷ stock pipeline": ("0.51", "met"),
        "one report, national ÷ demo scale": ("1.5", "missed by 20%"),
        "batch, seconds a report (wall ÷ tambons)": ("3.5 s", "missed by 17%"),
        "overview, national scale (wall incl. load)": ("50 s", "met"),
        "national load + validate": ("12 s", "met"),
        "national load peak memory": ("1.2 GiB", "met"),
    }


def test_goals_of_steps_not_run_are_not_measured_and_a_failure_carries_over():
    stock_failed = bench.summarise([Run(None, "weasyprint exit 1: no fonts")])
    measured = results(side_by_side={"rounds": 2, "ours": bench.summarise(ok(4.0)),
                                     "stock": stock_failed},
                       reports={"demo": {"tambon": "t1", **bench.summarise(ok(4.0))}})
    judged = verdicts(measured)
    assert judged["ours ÷ stock pipeline"] == ("—", "failed: weasyprint exit 1: no fonts")
    assert judged["one report, national ÷ demo scale"] == ("—", "not measured")
    assert judged["batch, seconds a report (wall ÷ tambons)"] == ("—", "not measured")
    assert "national load + validate" not in judged


def test_markdown_shows_goals_runs_and_failures():
    text = bench.markdown(results(
        side_by_side={"rounds": 2, "setup_error": None,
                      "ours": bench.summarise(ok(4.0, 5.0, pdf=1.0)),
                      "ours_empty": bench.summarise(ok(8.0, pdf=3.0)),
                      "stock": bench.summarise(ok(9.0, 9.0, papermill=6.0))},
        reports={"demo": {"tambon": "t00000", **bench.summarise(ok(5.0)),
                          "caches_empty": bench.summarise([Run(None, "km exit 1: refused")])}},
        overview={"province": bench.summarise(
            [Run(None, "km: more than 900 s (stopped)", timed_out=True)])},
    ))
    assert "| warm report, demo records (bangjak) | 4.5 s | ≤ 4.5 s | met |" in text
    assert "| ours ÷ stock pipeline | 0.5 | ≤ 0.55 | met |" in text
    assert "| 4.5 | 0.5 | 4, 5 | pdf 1 |" in text
    assert "| the same, km's caches empty | 8 | 0.89 | 8 | pdf 3 |" in text
    assert "| 9 | 1 | 9, 9 | papermill 6 |" in text
    assert "| demo | t00000 | 5 | 5 | — | failed: km exit 1: refused |" in text
    assert "| province | missed: km: more than 900 s (stopped) | — |" in text
    assert "## The batch" not in text  # not run, not shown


def test_last_line_of_output_skips_progress_bars_and_blanks():
    stderr = "Executing:  50%|#####\rExecuting: 100%|##########\nKeyError: 'x'\n\n"
    assert bench.last_line(stderr) == "KeyError: 'x'"
    assert bench.last_line("") == "no output"


def test_km_steps_are_read_from_what_km_report_prints():
    stderr = ("warning: something 2.5s late\n"
              "snapshot 0.31s  execution 6.17s  kernel 0.34s  pdf 13.51s\n")
    assert bench.km_steps(stderr) == {"snapshot": 0.31, "execution": 6.17, "kernel": 0.34,
                                      "pdf": 13.51}
    assert bench.km_steps("3 ok, 0 failed, 0 skipped (unchanged)\n") == {}


def test_rest_is_the_wall_time_km_steps_leave_out():
    assert bench.with_rest(10.0, {"execution": 6.0, "pdf": 2.5}) == {
        "execution": 6.0, "pdf": 2.5, "rest": 1.5}
    assert bench.with_rest(10.0, {}) == {}


def test_first_tambons_in_file_order(tmp_path):
    (tmp_path / "tambons.csv").write_text("tambon,name_th\nt9,เก้า\nt1,หนึ่ง\nt5,ห้า\n",
                                          encoding="utf-8")
    assert bench.first_tambons(tmp_path, 2) == ["t9", "t1"]
    assert bench.first_tambons(tmp_path, 20) == ["t9", "t1", "t5"]


def test_a_failing_command_is_reported_with_its_last_stderr_line():
    fails = [sys.executable, "-c", "import sys; print('step 1', file=sys.stderr); sys.exit('boom')"]
    run, _ = bench.run_commands([("first", [sys.executable, "-c", "pass"]), ("second", fails),
                                 ("third", [sys.executable, "-c", "pass"])], timeout=60)
    assert (run.seconds, run.error, run.timed_out) == (None, "second exit 1: boom", False)


def test_a_command_past_the_timeout_is_stopped_and_counted_as_missed():
    sleeps = [sys.executable, "-c", "import time; time.sleep(60)"]
    started = time.perf_counter()
    run, _ = bench.run_commands([("sleeper", sleeps)], timeout=0.5)
    assert time.perf_counter() - started < 30
    assert run.timed_out and run.error == "sleeper: more than 0.5 s (stopped)"
    assert bench.summarise([run])["timed_out"]


def test_commands_in_a_row_are_timed_each():
    run, _ = bench.run_commands([("a", [sys.executable, "-c", "pass"]),
                                 ("b", [sys.executable, "-c", "pass"])], timeout=60)
    assert run.error is None and set(run.steps) == {"a", "b"}
    assert run.seconds == pytest.approx(sum(run.steps.values()), abs=0.02)
