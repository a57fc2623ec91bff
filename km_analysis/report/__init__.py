"""The report: sections as HTML, nbconvert exporters, rendering to PDF, the PDF's text layer.

`render_report` and the exporters are imported on first use: a notebook's kernel imports
`report.sections` and must not pay for WeasyPrint and jupyter_client.
"""

from importlib import import_module

_LAZY = {"render_report": "render", "KmHtmlExporter": "exporters", "KmPdfExporter": "exporters",
         "ReportMetadataPreprocessor": "exporters"}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
