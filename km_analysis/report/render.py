"""Running and rendering reports: papermill executes, nbconvert exports HTML, WeasyPrint lays out.

All three run through their Python APIs in this one process. The HTML and PDF exporters are
registered as nbconvert exporters (`jupyter nbconvert --to km_pdf executed.ipynb`), so the CLI
and nbconvert give the same PDF from the same executed notebook.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

# JupyterLab's dependencies install rfc3987-syntax, which jsonschema imports as nbformat loads
# and which then builds a grammar for two seconds; nbformat never checks IRI formats.
sys.modules.setdefault("rfc3987_syntax", None)

from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbconvert.exporters import HTMLExporter  # noqa: E402
from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: E402
from traitlets import default  # noqa: E402
from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from .. import locations, thai  # noqa: E402
from ..locations import PACKAGE_DIR, TEMPLATES_DIR  # noqa: E402
from ..errors import KmError  # noqa: E402
from ..outputs import ReportPaths, Timings  # noqa: E402
from ..records.load import Records  # noqa: E402

CSS_FILE = TEMPLATES_DIR / "km_report" / "report.css"
KERNEL = "python3"
# Sections hand the exporter their title and PDF metadata as attributes of their HTML.
_DOCUMENT_TITLE = re.compile(r'data-document-title="([^"]*)"')
_PDF_META = re.compile(r'data-pdf-meta="([^"]*)"')


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


class ReportError(KmError):
    """A report could not be rendered; the message says which step and why."""


def notebook_path(name: str) -> Path:
    """Return the path of a report notebook: the project's notebooks/, or the installed copy."""
    path = locations.notebook_path(name)
    if path is not None:
        return path
    raise ReportError(f"the notebook {name} is missing from notebooks/ and from {sys.prefix}")


# ---------------------------------------------------------------------------------------------
# Page design and fetching


def report_css(numerals: str = "arabic") -> str:
    """Return the report's stylesheet: Sarabun faces from the font package, then the design."""
    faces = "".join(
        f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; font-style: normal; '
        f'src: url("{thai.sarabun_path(name).as_uri()}"); }}\n'
        for weight, name in ((400, "Regular"), (700, "Bold"))
    )
    css = faces + CSS_FILE.read_text(encoding="utf-8")
    if numerals == "thai":
        css += '\n@page { @top-center { content: "- " counter(page, thai) " -"; } }\n'
    return css


class FetchRefused(ValueError):
    """A resource the report may not fetch: only data: URIs and the package's own files."""


class ReportFetcher(URLFetcher):
    """Serves data: URIs and files of the package and the font package; refuses the rest.

    Record text is data: a title `<img src="http://…">` must never make the renderer fetch.
    """

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
        self.allowed_roots = (PACKAGE_DIR, thai.sarabun_dir().resolve())
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url.split("?")[0].removeprefix("file://")).resolve()
            if not any(path.is_relative_to(root) for root in self.allowed_roots):
                return self._refuse(url)
        elif not url.startswith("data:"):
            return self._refuse(url)
        return super().fetch(url, headers)

    def _refuse(self, url: str):
        self.refused.append(url)
        raise FetchRefused(f"the report does not fetch {url}")


# ---------------------------------------------------------------------------------------------
# nbconvert exporters


class KmHtmlExporter(HTMLExporter):
    """HTML of an executed report notebook: outputs and Markdown only, the report's CSS inline."""

    export_from_notebook = "KM report (HTML)"

    @default("template_name")
    def _template_name_default(self):
        return "km_report"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("anchor_link_text")
    def _anchor_link_text_default(self):
        return ""  # a printed report has no use for the ¶ anchors of headings

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Cells tagged report-hidden speak to the analyst in JupyterLab, not to the sponsors.
        self.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags={"report-hidden"}), enabled=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        parameters = nb.metadata.get("papermill", {}).get("parameters", {})
        numerals = parameters.get("numerals", "arabic")
        resources = resources or {}
        resources["km"] = {"css": report_css(numerals), "numerals": numerals,
                           "title": _output_attribute(nb, _DOCUMENT_TITLE) or "รายงานความก้าวหน้า",
                           "meta": _pdf_metadata(nb, parameters)}
        return super().from_notebook_node(nb, resources=resources, **kw)


class KmPdfExporter(KmHtmlExporter):
    """The Thai A4 PDF of an executed report notebook, laid out by WeasyPrint."""

    export_from_notebook = "KM report (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"  # the HTML template; WeasyPrint turns its output into the PDF

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        check_fonts_cover(html)
        return html_to_pdf(html), resources


def _output_attribute(nb, pattern: re.Pattern) -> str:
    """Return the first value of an HTML attribute `pattern` finds in the notebook's outputs."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            match = pattern.search(output.get("data", {}).get("text/html", ""))
            if match:
                return html_lib.unescape(match.group(1))
    return ""


def _pdf_metadata(nb, parameters: dict) -> dict[str, str]:
    """Return the PDF's metadata: the colophon's provenance, and dates that do not drift.

    The dates are SOURCE_DATE_EPOCH when set (reproducible builds), else the report's as-of
    date: the same records and parameters give the same PDF metadata.
    """
    meta = json.loads(_output_attribute(nb, _PDF_META) or "{}")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        date = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        date = parameters.get("as_of", "")
    if date:
        meta.update({"dcterms.created": date, "dcterms.modified": date})
    return meta


def html_to_pdf(html: str, fetcher: ReportFetcher | None = None) -> bytes:
    """Return the PDF that WeasyPrint lays out from the report's HTML, its text layer exact."""
    from .textlayer import fix_text_layer

    # WeasyPrint's text layer reads กำร for การ; the page itself is right (textlayer.py).
    return fix_text_layer(layout_pdf(html, fetcher))


def layout_pdf(html: str, fetcher: ReportFetcher | None = None) -> bytes:
    """Return the PDF as WeasyPrint lays it out (its text layer not yet fixed)."""
    fetcher = fetcher or ReportFetcher()
    document = HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=fetcher)
    return document.write_pdf(custom_metadata=True)


# ---------------------------------------------------------------------------------------------
# Preflight: every character must be drawable by the embedded fonts


class _TextOf(HTMLParser):
    """Collects the text a reader sees: element text, not styles, scripts or attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the text of an HTML document as a reader sees it (no CSS, no scripts)."""
    parser = _TextOf()
    parser.feed(html)
    return "".join(parser.parts)


def check_fonts_cover(html: str, snapshot: str | None = None, tambon: str | None = None) -> None:
    """Raise ReportError naming every character of the report that would print as a box."""
    missing = thai.uncovered_characters(visible_text(html))
    if not missing:
        return
    lines = ["the report holds characters that Sarabun cannot draw (they would print as boxes):"]
    records = None
    if snapshot:
        from ..records.snapshot import read_snapshot

        records = read_snapshot(snapshot, tambon)
    for char in missing:
        places = locate_character(records, char) if records is not None else []
        where = "; ".join(places[:5]) or "the report's own text (notebook or package)"
        lines.append(f"  {char!r} U+{ord(char):04X}: {where}")
    raise ReportError("\n".join(lines))


def locate_character(records: Records, char: str) -> list[str]:
    """Return 'file, row N, column C' for each record cell that holds `char`."""
    places = []
    for name, frame in records.frames().items():
        for column in frame.columns:
            if str(frame[column].dtype) not in ("string", "str", "object"):
                continue
            hits = frame.index[frame[column].astype("string").str.contains(char, regex=False)
                               .fillna(False).astype(bool)]
            label = records.files.get(name, name)
            places += [f"{label}, row {row}, column {column}" for row in hits]
    return places


# ---------------------------------------------------------------------------------------------
# One report, written atomically


def render_report(
    notebook: str,
    parameters: dict,
    paths: ReportPaths,
    provenance: dict,
    progress: Callable[[str], None] = lambda message: None,
) -> Timings:
    """Execute `notebook` with `parameters` and write its PDF, HTML, notebook and provenance.

    Every file is written beside its final path and renamed into place only when all of them
    are ready, the PDF last: an error or an interrupt leaves no PDF at the final path.
    """
    import papermill

    from .textlayer import fix_text_layer

    timings = Timings()
    paths.folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".rendering-", dir=paths.folder))
    try:
        staged_notebook = staging / paths.notebook.name
        progress("running the notebook")
        try:
            timings.measure("notebook", lambda: papermill.execute_notebook(
                str(notebook_path(notebook)), str(staged_notebook), parameters=parameters,
                kernel_name=KERNEL, cwd=str(notebook_path(notebook).parent),
                progress_bar=False, log_output=False, kernel_manager_class=LocalKernelManager,
            ))
        except papermill.PapermillExecutionError as exc:
            # Keep the executed copy where the user can open it; it is no report, so no PDF.
            failed = paths.folder / f"{paths.stem}.failed.ipynb"
            shutil.copyfile(staged_notebook, failed)
            raise ReportError(
                f"the notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
                f" (the executed notebook, with the traceback, is {failed})"
            ) from None
        executed = _read_notebook(staged_notebook)
        timings.steps.update(_kernel_and_execution(executed, timings.steps["notebook"]))
        progress("exporting HTML")
        html, _ = timings.measure("html", lambda: KmHtmlExporter().from_notebook_node(executed))
        tambon = parameters.get("tambon")
        check_fonts_cover(html, parameters.get("snapshot"), None if tambon == "overview" else tambon)
        progress("laying out the PDF")
        fetcher = ReportFetcher()
        laid_out = timings.measure("pdf", lambda: layout_pdf(html, fetcher))
        pdf = timings.measure("textlayer", lambda: fix_text_layer(laid_out))
        (staging / paths.html.name).write_text(html, encoding="utf-8")
        (staging / paths.pdf.name).write_bytes(pdf)
        provenance = {**provenance, "timings": timings.steps,
                      "refused_fetches": fetcher.refused}
        (staging / paths.provenance.name).write_text(
            json.dumps(provenance, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        for path in (paths.notebook, paths.html, paths.provenance, paths.pdf):
            os.replace(staging / path.name, path)
        paths.folder.joinpath(f"{paths.stem}.failed.ipynb").unlink(missing_ok=True)
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
