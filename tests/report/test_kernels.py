"""A render's kernel leaves no files behind: not when it ends, fails or is stopped, and what a
killed render left is removed by the next one (unless its process still runs). A kernel started
while the records load runs the notebook as a fresh kernel would."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from km_analysis import launch
from km_analysis.cli import main
from km_analysis.errors import ReportError
from km_analysis.report import kernels, render
from km_analysis.report.outputs import ReportPaths

from ..conftest import DEMO_DATA, ROOT


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def _kernel_files(name: str) -> list[str]:
    """Return the files one kernel named `name` (km-kernel-<pid>-<hex>) leaves when killed."""
    return [f"{name}-{port}" for port in range(1, 6)] + [f"{name}.json", f"{name}.log"]


def _touch(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).write_text("")


def _names(folder: Path) -> set[str]:
    """Return the names of the kernel files in `folder` (WeasyPrint keeps a folder there too)."""
    return {path.name for path in folder.glob("km-kernel-*")}


@pytest.fixture
def kernels_folder(tmp_path, monkeypatch) -> Path:
    """Return a private temporary folder the renders of this test start their kernels in."""
    # Short, as IPC socket paths are at most 107 bytes; made after tmp_path, which would
    # otherwise be made inside it.
    folder = Path(tempfile.mkdtemp(prefix="kmk", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def running_pid():
    """Return the id of a process that runs for the length of the test."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process.pid
    process.kill()
    process.wait()


def test_stale_files_of_a_dead_process_are_removed_and_a_running_ones_kept(
        kernels_folder, running_pid):
    dead = _kernel_files(f"km-kernel-{_dead_pid()}-0123456789ab")
    running = _kernel_files(f"km-kernel-{running_pid}-0123456789ab")
    own = _kernel_files(f"km-kernel-{os.getpid()}-ba9876543210")
    # Not a kernel's file of ours: another program's, or a name we never give.
    others = ["km-kernel-notes.txt", f"km-kernel-{_dead_pid()}-xyz.json", "km-kernel-1.json"]
    _touch(kernels_folder, dead + running + own + others)
    removed = kernels.remove_stale_kernel_files()
    assert sorted(path.name for path in removed) == sorted(dead)
    assert _names(kernels_folder) == set(running + own + others)


def test_a_kernel_is_named_for_the_rendering_process(kernels_folder):
    name = kernels.kernel_name()
    assert name.parent == kernels_folder
    assert name.name.startswith(f"km-kernel-{os.getpid()}-")
    assert all(kernels._KERNEL_FILE.fullmatch(file) for file in _kernel_files(name.name))


def test_ending_a_kernel_stops_its_process_and_removes_only_its_files(kernels_folder):
    name, other = kernels.kernel_name(), kernels.kernel_name()
    _touch(kernels_folder, _kernel_files(name.name) + _kernel_files(other.name))
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    kernels._launched[str(name)] = process  # as LocalKernelManager records the kernel it starts
    kernels.end_kernel(name)
    assert process.poll() is not None and str(name) not in kernels._launched
    assert _names(kernels_folder) == set(_kernel_files(other.name))


def test_ctrl_c_while_a_kernel_starts_comes_once_the_kernel_is_noted():
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    noted = False
    try:
        with pytest.raises(KeyboardInterrupt), kernels._signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler runs here, in the main thread
            noted = True
        assert noted
        assert signal.getsignal(signal.SIGTERM) is interrupt
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------------------------
# Real kernels


def _km_report(tmpdir: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "km_analysis.cli", "report", "tharai", "--data", str(DEMO_DATA),
         "--out", str(out)], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmpdir)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(folder: Path, pattern: str, process: subprocess.Popen) -> list[str]:
    deadline = time.monotonic() + 120
    while not list(folder.glob(pattern)):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no kernel started"
        time.sleep(0.02)
    return sorted(path.name for path in folder.glob(pattern))


@pytest.mark.slow
def test_a_killed_runs_files_go_at_the_next_render_and_a_running_ones_stay(
        kernels_folder, running_pid, tmp_path, monkeypatch):
    killed = _km_report(kernels_folder, tmp_path / "out")
    _wait_for(kernels_folder, "km-kernel-*-1", killed)  # the kernel has bound its sockets
    killed.kill()
    killed.communicate()
    left = _names(kernels_folder)
    assert any(name.startswith(f"km-kernel-{killed.pid}-") for name in left)
    running = _kernel_files(f"km-kernel-{running_pid}-0123456789ab")
    _touch(kernels_folder, running)

    seen: list[str] = []  # this render's own kernel files, while its kernel runs
    launch = kernels.LocalKernelManager._async_launch_kernel

    async def launch_and_look(self, kernel_cmd, **kw):
        await launch(self, kernel_cmd, **kw)
        seen.extend(path.name for path in kernels_folder.glob(f"km-kernel-{os.getpid()}-*"))

    monkeypatch.setattr(kernels.LocalKernelManager, "_async_launch_kernel", launch_and_look)
    assert main(["report", "tharai", "--data", str(DEMO_DATA), "--out",
                 str(tmp_path / "out")]) == 0
    assert {Path(name).suffix for name in seen} >= {".json", ".log"}
    assert _names(kernels_folder) == set(running)
    folder = tmp_path / "out" / "2006-10-30"
    assert sorted(path.name for path in folder.iterdir()) == ["tharai"]


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["starting", "running"])
def test_sigterm_leaves_no_kernel_files_and_says_one_line(tmp_path, kernels_folder, moment):
    km = _km_report(kernels_folder, tmp_path / "out")
    # The connection file is written before the kernel starts, the sockets once it runs.
    _wait_for(kernels_folder, "km-kernel-*.json" if moment == "starting" else "km-kernel-*-1",
              km)
    if moment == "running":
        time.sleep(2)  # inside a cell
    km.send_signal(signal.SIGTERM)
    _, stderr = km.communicate(timeout=120)
    assert km.returncode == 130
    assert stderr.strip() == "interrupted"
    time.sleep(1)  # a kernel left running would still be writing its files
    assert _names(kernels_folder) == set()
    assert not list((tmp_path / "out").rglob(".rendering-*"))


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.mark.slow
def test_a_failed_notebook_leaves_no_kernel_files(tmp_path, kernels_folder, monkeypatch):
    notebook = _notebook(tmp_path / "fails.ipynb", "raise ValueError('no such tambon')")
    monkeypatch.setattr(render, "notebook_path", lambda name: notebook)
    paths = ReportPaths.for_report(tmp_path / "out", "2006-10-30", "tharai")
    with pytest.raises(ReportError, match="ValueError: no such tambon"):
        render.render_report("fails.ipynb", {}, paths, {})
    assert _names(kernels_folder) == set()
    assert paths.failed_notebook.exists() and not paths.folder.exists()
    # Written once, at the end, yet with the failing cell's traceback in it.
    assert "no such tambon" in paths.failed_notebook.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_kernel_that_dies_is_one_line_and_leaves_no_files(tmp_path, kernels_folder,
                                                             monkeypatch):
    notebook = _notebook(tmp_path / "dies.ipynb",
                         "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    monkeypatch.setattr(render, "notebook_path", lambda name: notebook)
    paths = ReportPaths.for_report(tmp_path / "out", "2006-10-30", "tharai")
    with pytest.raises(ReportError, match="the notebook could not run: Kernel died"):
        render.render_report("dies.ipynb", {}, paths, {})
    assert _names(kernels_folder) == set()
    assert not paths.folder.exists() and not list(paths.folder.parent.glob(".rendering-*"))


@pytest.mark.slow
def test_a_refused_report_stops_the_kernel_started_while_the_records_loaded(
        tmp_path, kernels_folder):
    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA, data)
    groups = (data / "groups.csv").read_text(encoding="utf-8").splitlines()
    groups[1] = groups[1].replace("tharai", "tharia", 1)  # a tambon no one knows
    (data / "groups.csv").write_text("\n".join(groups) + "\n", encoding="utf-8")
    assert main(["report", "tharai", "--data", str(data), "--out", str(tmp_path / "out")]) == 1
    time.sleep(1)  # a kernel left running would still be writing its files
    assert _names(kernels_folder) == set()
    assert not (tmp_path / "out" / "2006-10-30").exists()


@pytest.mark.slow
def test_a_kernel_started_ahead_runs_the_notebook_as_a_fresh_kernel(tmp_path, kernels_folder):
    """Its warm-up import is silent and out of history: counts start at 1, no output added."""
    assert main(["report", "tharai", "--data", str(DEMO_DATA), "--out", str(tmp_path)]) == 0
    [executed] = tmp_path.glob("*/tharai/*.ipynb")
    cells = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    assert not any(o.get("name") == "stderr" for c in cells for o in c.outputs)
    assert _names(kernels_folder) == set()


# What a report could leave in its kernel, and a probe that shows all of it.
_POLLUTE = """
import os, sys, warnings
import matplotlib
left_behind = 42
matplotlib.rcParams["font.size"] = 31
warnings.simplefilter("error", UserWarning)
os.environ["KM_LEFT_BEHIND"] = "1"
sys.path.append("/left/behind")
os.chdir("/")
"""
_PROBE = """
import os, sys, warnings
import matplotlib
warnings.warn("shown in every report", UserWarning)
print(sorted(k for k in globals() if not k.startswith("_") and k not in ("In", "Out", "exit",
      "quit", "get_ipython", "os", "sys", "warnings", "matplotlib")))
print(matplotlib.rcParams["font.size"], os.getcwd(), os.environ.get("KM_LEFT_BEHIND"),
      "/left/behind" in sys.path, len(In), len(Out))
"""


def _outputs(nb) -> list:
    """Return each cell's count and outputs; a kernel's pid, in the file names ipykernel gives
    cells (a warning's), differs in every kernel, fresh or not."""
    return [(c.execution_count, [re.sub(r"ipykernel_\d+", "ipykernel_N", json.dumps(
        {k: v for k, v in o.items() if k != "metadata"}, sort_keys=True)) for o in c.outputs])
        for c in nb.cells if c.cell_type == "code"]


@pytest.mark.slow
def test_a_restored_kernel_keeps_nothing_of_the_last_report(tmp_path, kernels_folder):
    """Names, execution counts, rcParams, warnings shown and filtered, the
    working folder, environment and sys.path: a probe sees the same on a reused kernel as on
    a fresh one."""
    import papermill

    polluting = _notebook(tmp_path / "pollute.ipynb", _POLLUTE)
    probe = _notebook(tmp_path / "probe.ipynb", _PROBE)

    def run(path, kernel):
        out = tmp_path / f"out-{path.name}"
        papermill.execute_notebook(str(path), str(out), km=kernel.manager, progress_bar=False,
                                   kernel_name="python3")
        return nbformat.read(str(out), as_version=4)

    with kernels.StartedKernel(tmp_path, draws=True) as fresh:
        expected = _outputs(run(probe, fresh))
    with kernels.StartedKernel(tmp_path, draws=True) as reused:
        run(probe, reused)  # the warning is shown once per registry: shown here already
        reused.restore()
        run(polluting, reused)
        reused.restore()
        assert _outputs(run(probe, reused)) == expected
    assert "shown in every report" in str(expected)
    assert "None False" in str(expected)
    assert _names(kernels_folder) == set()


@pytest.mark.slow
def test_a_kernel_is_not_reused_after_an_import_and_a_changed_setting(tmp_path,
                                                                    kernels_folder):
    """The import might have changed the setting, which a fresh kernel would see changed
    again: the kernel is refused for the next report (the batch starts one). An import that
    left the settings alone does not stop the kernel's reuse."""
    import papermill

    def run(kernel, source):
        notebook = _notebook(tmp_path / "cell.ipynb", source)
        papermill.execute_notebook(str(notebook), str(tmp_path / "out.ipynb"),
                                   km=kernel.manager, progress_bar=False, kernel_name="python3")

    with kernels.StartedKernel(tmp_path) as kernel:
        run(kernel, "import tabnanny")
        kernel.restore()
        run(kernel, "import wave, warnings\nwarnings.simplefilter('error')")
        with pytest.raises(ReportError, match=r"warnings filters changed, and imported since "
                                              r"the warm-up: .*\bwave\b"):
            kernel.restore()
    assert _names(kernels_folder) == set()


def _executed(folder: Path) -> dict[str, list]:
    return {path.parent.name: _outputs(nbformat.read(path, as_version=4))
            for path in folder.glob("*/*/*.ipynb")}


@pytest.mark.slow
def test_a_batch_on_one_reused_kernel_writes_the_notebooks_of_fresh_kernels(tmp_path,
                                                                           monkeypatch):
    """One worker renders the demo's three tambons on one kernel, reset between reports:
    each executed notebook is the one a report of its own, on a fresh kernel, writes. The
    worker stops its kept kernel when the batch ends: no kernel file is left. Each side
    draws its own drawings (a cache of its own)."""
    batch_out, single_out = tmp_path / "batch", tmp_path / "single"
    monkeypatch.setenv("KM_CACHE_DIR", str(tmp_path / "batch-cache"))
    # A process of its own, so that its workers start their kernels in a folder of this test.
    kernels_tmp = Path(tempfile.mkdtemp(prefix="kmb", dir="/tmp"))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "km_analysis.cli", "report", "all", "--jobs", "1",
             "--data", str(DEMO_DATA), "--out", str(batch_out)], cwd=ROOT,
            env={**os.environ, "TMPDIR": str(kernels_tmp)}, capture_output=True, text=True,
            timeout=600)
        assert done.returncode == 0, done.stderr
        assert _names(kernels_tmp) == set()
    finally:
        shutil.rmtree(kernels_tmp)
    [manifest] = batch_out.glob("*/manifest.json")
    kernel_of = {r["report"]: r["kernel"] for r in json.loads(manifest.read_text())["reports"]}
    # In the plan's order; the overview's notebook is another, so its kernel is new.
    assert kernel_of == {"tharai": "new", "mamuangsongton": "reused", "bangjak": "reused",
                         "overview": "new"}
    tambons = ("tharai", "mamuangsongton", "bangjak")
    monkeypatch.setenv("KM_CACHE_DIR", str(tmp_path / "single-cache"))
    for tambon in tambons:
        assert main(["report", tambon, "--data", str(DEMO_DATA), "--out", str(single_out)]) == 0
    batch, single = _executed(batch_out), _executed(single_out)
    assert set(single) == set(tambons) and set(batch) == {*tambons, "overview"}
    for tambon in tambons:
        assert batch[tambon] == single[tambon], tambon


_SPY_ON_THE_LAUNCHER = """
import sys
from km_analysis.report import kernels
pandas_loaded_at_start = []
started = kernels.StartedKernel.__init__
def spy(self, *args, **kwargs):
    pandas_loaded_at_start.append("pandas" in sys.modules)
    started(self, *args, **kwargs)
kernels.StartedKernel.__init__ = spy
from km_analysis import launch
code = launch.main(["report", "tharai", "--data", sys.argv[1], "--out", sys.argv[2]])
print(code, pandas_loaded_at_start)
"""


@pytest.mark.slow
def test_the_km_command_starts_one_report_s_kernel_before_importing_pandas(tmp_path):
    done = subprocess.run([sys.executable, "-c", _SPY_ON_THE_LAUNCHER, str(DEMO_DATA),
                           str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.stdout.splitlines()[-1] == "0 [False]", done.stderr
    assert list((tmp_path / "out").glob("*/tharai/*.pdf"))


@pytest.mark.parametrize(("argv", "one"), [
    (["report", "tharai"], True),
    (["report", "overview", "--data", "x"], True),
    (["report", "all", "--jobs", "2"], False),
    (["report", "--data", "x", "tharai"], False),  # a guess only: cli starts the kernel then
    (["report", "tharai", "--help"], False),
    (["check"], False),
    (["report"], False),
])
def test_the_launcher_starts_a_kernel_early_only_for_one_report(argv, one):
    assert launch.renders_one_report(argv) is one


_KM_COMMAND = """
import atexit, sys
from km_analysis import launch
atexit.register(lambda: print("exit handlers ran", flush=True))
sys.argv = ["km", "report", "nosuch", "--data", sys.argv[1], "--out", sys.argv[2]]
launch.run()
"""


def test_the_km_command_exits_with_main_s_code_its_output_and_exit_handlers_done(tmp_path):
    done = subprocess.run([sys.executable, "-c", _KM_COMMAND, str(DEMO_DATA),
                           str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "unknown tambon 'nosuch'" in done.stderr
    assert done.stdout.splitlines() == ["exit handlers ran"]
