"""From an executed report notebook to HTML and PDF: nbconvert exporters, WeasyPrint, preflight.

The HTML and PDF exporters are registered as nbconvert exporters (`jupyter nbconvert --to km_pdf
executed.ipynb`), so the CLI and nbconvert give the same PDF from the same executed notebook.
Sections hand the exporter the document's title and the PDF's metadata as Jupyter output
metadata (`output.metadata["km"]`); `ReportMetadataPreprocessor` gathers them for the template.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.metadata import get_metadata
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import default
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .. import thai
from ..errors import FetchRefused, ReportError
from ..locations import PACKAGE_DIR, TEMPLATES_DIR
from ..records.load import Records
from .linebreaks import lean_word_breaks
from .tables import OUTPUT_METADATA_KEY

CSS_FILE = TEMPLATES_DIR / "km_report" / "report.css"
DEFAULT_TITLE = "รายงานความก้าวหน้า"


# ---------------------------------------------------------------------------------------------
# Page design and fetching


# The Sarabun faces the report is set in (CSS weight, the font package's name).
FACES = ((400, "Regular"), (700, "Bold"))


def report_css(numerals: str = "arabic") -> str:
    """Return the report's stylesheet: Sarabun faces from the font package, then the design."""
    faces = "".join(
        f'@font-face {{ font-family: "Sarabun"; font-weight: {weight}; font-style: normal; '
        f'src: url("{thai.sarabun_path(name).as_uri()}"); }}\n'
        for weight, name in FACES
    )
    css = faces + CSS_FILE.read_text(encoding="utf-8")
    if numerals == "thai":
        css += ('\n@page { @top-center { content: "- " counter(page, thai) " -"; } }\n'
                "span.page-ref::after {"
                " content: target-counter(attr(data-target), page, thai); }\n")
    return css


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
        raise FetchRefused(url)


# ---------------------------------------------------------------------------------------------
# nbconvert: the report's metadata, and the exporters


class ReportMetadataPreprocessor(Preprocessor):
    """Gathers what sections tell the exporter into `resources["km"]`: title and PDF metadata.

    A section's output carries `metadata["km"]`, e.g. {"title": …} from the title block and
    {"pdf_meta": {…}} from the colophon (IPython keeps the metadata `_repr_mimebundle_` returns,
    papermill keeps it in the executed notebook). The first output to give a key wins. The PDF's
    dates are added here: SOURCE_DATE_EPOCH when set (reproducible builds), else the report's
    as-of date, so the same records and parameters give the same PDF metadata.
    """

    def preprocess(self, nb, resources):
        found: dict = {}
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                for key, value in (get_metadata(output, OUTPUT_METADATA_KEY) or {}).items():
                    found.setdefault(key, value)
        parameters = nb.metadata.get("papermill", {}).get("parameters", {})
        km = resources.setdefault("km", {})
        km["title"] = found.get("title") or DEFAULT_TITLE
        km["meta"] = {**found.get("pdf_meta", {}), **_pdf_dates(parameters.get("as_of", ""))}
        return nb, resources


def _pdf_dates(as_of: str) -> dict[str, str]:
    """Return the PDF's created and modified dates: SOURCE_DATE_EPOCH, else the as-of date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        date = dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        date = as_of
    return {"dcterms.created": date, "dcterms.modified": date} if date else {}


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

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self):
        return True  # a printed report has no use for the ¶ links of headings

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Cells tagged report-hidden speak to the analyst in JupyterLab, not to the sponsors.
        self.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags={"report-hidden"}), enabled=True)
        self.register_preprocessor(ReportMetadataPreprocessor(parent=self), enabled=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        parameters = nb.metadata.get("papermill", {}).get("parameters", {})
        numerals = parameters.get("numerals", "arabic")
        resources = self._init_resources(resources)
        resources["km"] = {"css": report_css(numerals), "numerals": numerals}
        # What HTMLExporter.from_notebook_node does, but its last step: a BeautifulSoup pass
        # over the whole page that adds alt text to images and tabindex to JupyterLab's cell
        # wrappers, and writes the page again. The template gives every image its alt and
        # writes no cell wrappers, and the pass was most of this step's time (0.25 s).
        language = nb.metadata.get("language_info", {})
        self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(
            pygments_lexer=language.get("pygments_lexer", language.get("name")), parent=self)))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources=resources, **kw)


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


# ---------------------------------------------------------------------------------------------
# WeasyPrint


def html_to_pdf(html: str, fetcher: ReportFetcher | None = None) -> bytes:
    """Return the PDF that WeasyPrint lays out from the report's HTML, its text layer exact."""
    from .textlayer import fix_text_layer

    # WeasyPrint's text layer reads กำร for การ; the page itself is right (textlayer.py).
    return fix_text_layer(layout_pdf(html, fetcher))


def layout_pdf(html: str, fetcher: ReportFetcher | None = None) -> bytes:
    """Return the PDF as WeasyPrint lays it out (its text layer not yet fixed)."""
    fetcher = fetcher or ReportFetcher()
    document = HTML(string=lean_word_breaks(html), base_url=str(TEMPLATES_DIR),
                    url_fetcher=fetcher)
    with _fixed_font_timestamps():
        return document.write_pdf(custom_metadata=True)


# fontTools stamps each font subset WeasyPrint embeds with the time it was saved, unless
# SOURCE_DATE_EPOCH is set: without a fixed stamp no two renders of one report are identical.
FONT_TIMESTAMP = "946684800"  # 2000-01-01; a subset's date means nothing to a reader


@contextmanager
def _fixed_font_timestamps():
    """Set SOURCE_DATE_EPOCH while fonts are subset, unless the caller already set it."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


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
