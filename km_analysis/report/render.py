"""Rendering one report: papermill executes the notebook, then exporters.py makes HTML and PDF.

All of it runs through the Python APIs in this one process, and every file of a report is
written whole or not at all. A process that renders reports calls
`startup.skip_iri_grammar()` first, before this module is imported (it imports nbconvert).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default
from traitlets.config import Config

from .. import locations
from ..errors import ReportError
from . import exporters
from .outputs import ReportPaths, Timings, process_gone, publish, repair, staging_folder

KERNEL = "python3"

# A kernel's files, in the temporary folder: its IPC sockets <name>-1 … <name>-5, its
# connection file <name>.json and its own messages <name>.log, where <name> is
# km-kernel-<pid>-<hex>, the pid being the rendering process's. A render removes its kernel's
# files however it ends; the files of a killed render are removed by the next render, once no
# process of that pid runs.
KERNEL_PREFIX = "km-kernel-"
_KERNEL_FILE = re.compile(rf"{KERNEL_PREFIX}(\d+)-[0-9a-f]{{12}}(?:-\d+|\.json|\.log)")
_launched: dict[str, subprocess.Popen] = {}  # kernel name → its process, until the render ends


def kernel_name() -> Path:
    """Return a new name for a kernel's files (see KERNEL_PREFIX), owned by this process."""
    return Path(tempfile.gettempdir()) / f"{KERNEL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"


class LocalKernelManager(AsyncKernelManager):
    """A kernel on IPC sockets: nothing listens on a TCP port while a report runs.

    Each kernel gets file names of its own (`kernel_name`): parallel reports start kernels in
    the same folder, and jupyter_client's default IPC names would collide between processes.
    The kernel's own output (its log, its warnings when stopped) goes to <name>.log, not to
    the terminal: a report's errors are one line.
    """

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @default("ip")
    def _ip_default(self):
        return str(kernel_name())

    @default("connection_file")
    def _connection_file_default(self):
        return f"{self.ip}.json"

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        # Ctrl-C between starting the kernel and noting its process would leave a kernel
        # that end_kernel cannot stop, writing its files after they were removed.
        with _signals_held(), open(f"{self.ip}.log", "ab") as log:  # the kernel has a copy
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            process = getattr(self.provisioner, "process", None)
            if process is not None:
                _launched[self.ip] = process


@contextlib.contextmanager
def _signals_held():
    """Hold Ctrl-C and SIGTERM until the block ends, then deliver them (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are handled in the main thread only
        return
    held: list[int] = []
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    previous = {number: handler for number, handler in previous.items() if handler is not None}
    for number in previous:
        signal.signal(number, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(held):
            signal.raise_signal(number)


def end_kernel(name: Path) -> None:
    """Stop the kernel of `name` if it still runs, and remove its files.

    nbclient shuts a kernel down and removes its sockets and connection file when the notebook
    ends, fails or is interrupted while running, but not when interrupted while the kernel
    starts; this is the rest, whatever happened.
    """
    process = _launched.pop(str(name), None)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    for path in name.parent.glob(f"{name.name}*"):
        path.unlink(missing_ok=True)


def remove_stale_kernel_files(folder: Path | None = None) -> list[Path]:
    """Remove the kernel files of renders whose process no longer runs; return them."""
    folder = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    removed = []
    for path in folder.glob(f"{KERNEL_PREFIX}*"):
        match = _KERNEL_FILE.fullmatch(path.name)
        if match and process_gone(int(match[1])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _last_line(path: Path) -> str:
    """Return the last line of a kernel's log, or "" when it said nothing."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


def notebook_path(name: str) -> Path:
    """Return the path of a report notebook: the project's notebooks/, or the installed copy."""
    path = locations.notebook_path(name)
    if path is not None:
        return path
    raise ReportError(f"the notebook {name} is missing from notebooks/ and from {sys.prefix}")


# ---------------------------------------------------------------------------------------------
# One report, written atomically


def render_report(
    notebook: str,
    parameters: dict,
    paths: ReportPaths,
    provenance: dict,
    progress: Callable[[str], None] = lambda message: None,
) -> Timings:
    """Execute `notebook` with `parameters` and publish its PDF, HTML, notebook and provenance.

    The four files are written into a staging folder and published together (outputs.publish):
    an error, Ctrl-C or a kill leaves the previous report whole, or none. A failed notebook
    is kept beside the report's folder (`paths.failed_notebook`) for the user to open. The
    kernel's files go when the render ends, however it ends; a killed render's go at the next.
    """
    import papermill

    from .textlayer import fix_text_layer

    timings = Timings()
    repair(paths)
    remove_stale_kernel_files()
    staging = staging_folder(paths)
    try:
        staged_notebook = staging / paths.notebook.name
        progress("running the notebook")
        kernel = kernel_name()
        try:
            timings.measure("notebook", lambda: papermill.execute_notebook(
                str(notebook_path(notebook)), str(staged_notebook),
                # A notebook may write attachments (the overview's spreadsheet) beside the PDF.
                parameters={**parameters, "attachments_dir": str(staging)},
                kernel_name=KERNEL, cwd=str(notebook_path(notebook).parent),
                progress_bar=False, log_output=False, kernel_manager_class=LocalKernelManager,
                # Written once, at the end (with the traceback, if a cell fails): saving the
                # notebook with its images before and after each cell cost seconds a report.
                request_save_on_cell_execute=False,
                config=Config({"LocalKernelManager": {"ip": str(kernel)}}),
            ))
        except papermill.PapermillExecutionError as exc:
            # Keep the executed copy where the user can open it; it is no report, so no PDF.
            failed = paths.failed_notebook
            shutil.copyfile(staged_notebook, failed)
            raise ReportError(
                f"the notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
                f" (the executed notebook, with the traceback, is {failed})"
            ) from None
        except RuntimeError as exc:  # nbclient: the kernel died, or never answered
            said = _last_line(kernel.with_name(f"{kernel.name}.log"))
            raise ReportError(f"the notebook could not run: {exc}"
                              + (f" (the kernel said: {said})" if said else "")) from None
        finally:
            end_kernel(kernel)
        executed = _read_notebook(staged_notebook)
        timings.steps.update(_kernel_and_execution(executed, timings.steps["notebook"]))
        progress("exporting HTML")
        html, _ = timings.measure(
            "html", lambda: exporters.KmHtmlExporter().from_notebook_node(executed))
        tambon = parameters.get("tambon")
        exporters.check_fonts_cover(html, parameters.get("snapshot"),
                                    None if tambon == "overview" else tambon)
        progress("laying out the PDF")
        fetcher = exporters.ReportFetcher()
        laid_out = timings.measure("pdf", lambda: exporters.layout_pdf(html, fetcher))
        pdf = timings.measure("textlayer", lambda: fix_text_layer(laid_out))
        _stage(staging, paths.html, html.encode("utf-8"))
        _stage(staging, paths.pdf, pdf)
        provenance = {**provenance, "timings": timings.steps,
                      "refused_fetches": fetcher.refused}
        _stage(staging, paths.provenance, json.dumps(
            provenance, ensure_ascii=False, indent=1, default=str).encode("utf-8"))
        publish(staging, paths)
        paths.failed_notebook.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return timings


def _stage(staging: Path, published: Path, data: bytes) -> None:
    """Write a report's file into the staging folder; an error names the file it was to be.

    A full disk fails the write itself, with no file name: the one line the user reads
    (cli.os_error_text) says which file could not be written, and the staging folder goes.
    """
    try:
        (staging / published.name).write_bytes(data)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(published)) from None


def _read_notebook(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _kernel_and_execution(nb, total: float) -> dict[str, float]:
    """Split papermill's wall time into kernel start-up and cell execution."""
    cells = sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)
    return {"execution": round(cells, 3), "kernel": round(max(total - cells, 0.0), 3)}
