"""Reading a rendered report back as its reader would: the PDF's text, page by page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

# The marks of a test module that renders reports end to end and reads them with pdftotext.
RENDERS = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None,
                       reason="pdftotext (Debian poppler-utils) is not installed"),
]


def squeeze(text: str) -> str:
    """Return text without whitespace: Thai has no spaces inside words, tables wrap lines."""
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path, *options: str) -> str:
    """Return the PDF's text as poppler reads it (options such as "-layout")."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def page_texts(path: Path) -> list[str]:
    """Return the text of each page, in layout order (a table row stays on one line)."""
    return pdf_text(path, "-layout").split("\f")[:-1]
