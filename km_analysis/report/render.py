"""Rendering one report: papermill executes the notebook, then exporters.py makes HTML and PDF.

All of it runs through the Python APIs in this one process, and every file of a report is
written whole or not at all. A process that renders reports calls
`startup.skip_iri_grammar()` first, before this module is imported (it imports nbconvert).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from .. import locations
from ..errors import ReportError
from . import exporters
from .outputs import ReportPaths, Timings, publish, repair, staging_folder

KERNEL = "python3"


class LocalKernelManager(AsyncKernelManager):
    """A kernel on IPC sockets: nothing listens on a TCP port while a report runs.

    Each kernel gets socket paths of its own: parallel reports start kernels in the same
    folder, and jupyter_client's default IPC names would collide between processes.
    """

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @default("ip")
    def _ip_default(self):
        return str(Path(tempfile.gettempdir()) / f"km-kernel-{uuid.uuid4().hex[:12]}")


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
    is kept beside the report's folder (`paths.failed_notebook`) for the user to open.
    """
    import papermill

    from .textlayer import fix_text_layer

    timings = Timings()
    repair(paths)
    staging = staging_folder(paths)
    try:
        staged_notebook = staging / paths.notebook.name
        progress("running the notebook")
        try:
            timings.measure("notebook", lambda: papermill.execute_notebook(
                str(notebook_path(notebook)), str(staged_notebook),
                # A notebook may write attachments (the overview's spreadsheet) beside the PDF.
                parameters={**parameters, "attachments_dir": str(staging)},
                kernel_name=KERNEL, cwd=str(notebook_path(notebook).parent),
                progress_bar=False, log_output=False, kernel_manager_class=LocalKernelManager,
            ))
        except papermill.PapermillExecutionError as exc:
            # Keep the executed copy where the user can open it; it is no report, so no PDF.
            failed = paths.failed_notebook
            shutil.copyfile(staged_notebook, failed)
            raise ReportError(
                f"the notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
                f" (the executed notebook, with the traceback, is {failed})"
            ) from None
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
        (staging / paths.html.name).write_text(html, encoding="utf-8")
        (staging / paths.pdf.name).write_bytes(pdf)
        provenance = {**provenance, "timings": timings.steps,
                      "refused_fetches": fetcher.refused}
        (staging / paths.provenance.name).write_text(
            json.dumps(provenance, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        publish(staging, paths)
        paths.failed_notebook.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return timings


def _read_notebook(path: Path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _kernel_and_execution(nb, total: float) -> dict[str, float]:
    """Split papermill's wall time into kernel start-up and cell execution."""
    cells = sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)
    return {"execution": round(cells, 3), "kernel": round(max(total - cells, 0.0), 3)}
