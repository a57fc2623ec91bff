"""Rendering one report: papermill executes the notebook, then exporters.py makes HTML and PDF.

All of it runs through the Python APIs in this one process, and every file of a report is
written whole or not at all. A process that renders reports calls
`startup.skip_iri_grammar()` first, before papermill and nbconvert are imported.
"""

from __future__ import annotations

import concurrent.futures
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from .. import thai
from ..errors import ReportError
from .kernels import StartedKernel, last_line, notebook_path, remove_stale_kernel_files
from .outputs import ReportPaths, Timings, publish, repair, staging_folder

# ---------------------------------------------------------------------------------------------
# One report, written atomically


def render_report(
    notebook: str,
    parameters: dict,
    paths: ReportPaths,
    provenance: dict,
    progress: Callable[[str], None] = lambda message: None,
    kernel: StartedKernel | None = None,
    keep_kernel: bool = False,
) -> Timings:
    """Execute `notebook` with `parameters` and publish its PDF, HTML, notebook and provenance.

    The four files are written into a staging folder and published together (outputs.publish):
    an error, Ctrl-C or a kill leaves the previous report whole, or none. A failed notebook
    is kept beside the report's folder (`paths.failed_notebook`) for the user to open. The
    kernel's files go when it is stopped, however the render ends (a kept kernel's when its
    keeper stops it); a killed render's go at the next.
    The notebook runs on `kernel` when given (started while the records loaded), else on a
    kernel started here; either is stopped once the notebook has run, unless `keep_kernel`
    and it ran without error (a batch's worker then reuses `kernel`).
    """
    import papermill

    keep_kernel = keep_kernel and kernel is not None  # one started here is stopped here
    later = _prepare_in_background()
    timings = Timings()
    repair(paths)
    remove_stale_kernel_files()
    staging = staging_folder(paths)
    try:
        staged_notebook = staging / paths.notebook.name
        progress("running the notebook")

        def run_notebook():
            nonlocal kernel
            kernel = kernel or StartedKernel(notebook_path(notebook).parent)
            papermill.execute_notebook(
                str(notebook_path(notebook)), str(staged_notebook),
                # A notebook may write attachments (the overview's spreadsheet) beside the PDF.
                parameters={**parameters, "attachments_dir": str(staging)},
                km=kernel.manager, progress_bar=False, log_output=False,
                # Written once, at the end (with the traceback, if a cell fails): saving the
                # notebook with its images before and after each cell cost seconds a report.
                request_save_on_cell_execute=False)

        ran = False
        try:
            timings.measure("notebook", run_notebook)
            ran = True
        except papermill.PapermillExecutionError as exc:
            # Keep the executed copy where the user can open it; it is no report, so no PDF.
            failed = paths.failed_notebook
            shutil.copyfile(staged_notebook, failed)
            raise ReportError(
                f"the notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
                f" (the executed notebook, with the traceback, is {failed})"
            ) from None
        except RuntimeError as exc:  # nbclient: the kernel died, or never answered
            said = last_line(kernel.log) if kernel is not None else ""
            raise ReportError(f"the notebook could not run: {exc}"
                              + (f" (the kernel said: {said})" if said else "")) from None
        finally:
            if kernel is not None and not (keep_kernel and ran):
                kernel.close()
        exporters, textlayer = later()
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
        pdf = timings.measure("textlayer", lambda: textlayer.fix_text_layer(laid_out))
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


def _prepare_in_background() -> Callable[[], tuple]:
    """Start preparing the HTML and PDF steps in a thread; return a function that gives their
    modules (exporters, textlayer).

    While the notebook runs, this process only waits for its kernel: meanwhile it imports
    nbconvert, WeasyPrint and pikepdf (about a second) and reads the Sarabun faces the text
    layer compares the PDF's fonts with (a fifth of a second). Should the thread fail, the
    modules are imported again where they are needed, so that a real error shows.
    """
    def prepare() -> tuple:
        from . import exporters, textlayer

        textlayer.read_installed_faces(thai.sarabun_path(name) for _, name in exporters.FACES)
        return exporters, textlayer

    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="km-prepare")
    preparing = pool.submit(prepare)
    pool.shutdown(wait=False)

    def modules() -> tuple:
        try:
            return preparing.result()
        except Exception:
            from . import exporters, textlayer

            return exporters, textlayer

    return modules


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
