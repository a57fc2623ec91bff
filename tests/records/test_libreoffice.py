"""The entry workbook through LibreOffice (issue #15): saved by LibreOffice Calc as .ods and as
.xlsx, a tambon's workbook loads to the same records. Needs `soffice` (Debian's
libreoffice-calc-nogui, which .ci/run installs); skipped without it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from km_analysis import load_records
from km_analysis.cli import main
from km_analysis.provenance import fingerprints

from ..conftest import DEMO_DATA

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                       "apt-get install libreoffice-calc-nogui"),
]


def save_as(book: Path, filter_name: str, out: Path, profile: Path) -> Path:
    """Return `book` opened and saved by LibreOffice Calc, headless, with `filter_name`."""
    subprocess.run([SOFFICE, "--headless", "--norestore",
                    f"-env:UserInstallation={profile.as_uri()}", "--convert-to", filter_name,
                    "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=180)
    [saved] = out.iterdir()
    return saved


def test_a_tambons_workbook_saved_by_libreoffice_loads_to_the_same_records(tmp_path):
    book = tmp_path / "km-entry-bangjak.xlsx"
    assert main(["template", "--tambon", "bangjak", "--data", str(DEMO_DATA),
                 "--out", str(book)]) == 0
    written = fingerprints(load_records(book))
    ods = save_as(book, "ods", tmp_path / "ods", tmp_path / "profile")
    xlsx = save_as(ods, 'xlsx:Calc MS Excel 2007 XML', tmp_path / "xlsx", tmp_path / "profile")
    assert fingerprints(load_records(ods)) == written
    assert fingerprints(load_records(xlsx)) == written
    # Sent back beside the coordinator's records, it changes nothing.
    folder = shutil.copytree(DEMO_DATA, tmp_path / "inbox")
    shutil.copy(ods, folder / ods.name)
    assert fingerprints(load_records(folder)) == fingerprints(load_records(DEMO_DATA))
