"""What a report was made from: the slice of records it used, the parameters, the software.

The same fingerprints go into the report's colophon, the PDF's metadata and provenance.json,
so `km verify` can tell from an emailed PDF alone whether the records have changed since.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import __version__, locations
from .locations import PACKAGE_DIR, PROJECT_DIR
from .scope import ReportScope, slice_of

if TYPE_CHECKING:
    from .records import Records

# PDF metadata keys: kmreport, kmasof, kmrecords, kmfp<table>, … (WeasyPrint keeps only
# letters and digits of a custom key).
META_PREFIX = "km"
FINGERPRINT_PREFIX = "kmfp"


def fingerprint(frame: pd.DataFrame) -> str:
    """Return a hash of a parsed frame: its columns, dtypes and the values of its rows.

    It is computed on the typed frame, not on the file's bytes, so re-saving a cp874 CSV as
    UTF-8 or as a workbook leaves it unchanged; and on the rows' hashes in sorted order, not on
    where the rows stood (index or position), so the same records give the same fingerprint
    from one workbook or from one workbook per tambon.
    """
    frame = frame[sorted(frame.columns)]
    digest = hashlib.sha256()
    digest.update(json.dumps([[c, str(t)] for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        hashes = np.sort(pd.util.hash_pandas_object(frame, index=False).to_numpy())
        digest.update(hashes.tobytes())
    return digest.hexdigest()[:16]


def fingerprints(records: Records) -> dict[str, str]:
    """Return the fingerprint of every table of `records`."""
    return {name: fingerprint(frame) for name, frame in records.frames().items()}


def combined_fingerprint(table_fingerprints: dict[str, str]) -> str:
    """Return one fingerprint for a set of per-table fingerprints."""
    text = json.dumps(table_fingerprints, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record_counts(records: Records) -> dict[str, int]:
    """Return the number of rows per table."""
    return {name: len(frame) for name, frame in records.frames().items()}


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """Return the commit of the project's git checkout (with '+changes' if dirty), or None.

    An installed copy (site-packages) is no checkout, even when its venv lies inside one.
    """
    if not (PROJECT_DIR / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=PROJECT_DIR,
                                capture_output=True, text=True, check=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=PROJECT_DIR,
                               capture_output=True, text=True, check=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return commit.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


_SHAPING_SUFFIXES = (".py", ".j2", ".css", ".json", ".ipynb")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Return a hash of what shapes a report besides its records: package, notebooks, lock.

    Files are named relative to their root, so a checkout and an installed copy of the same
    code give the same fingerprint.
    """
    digest = hashlib.sha256()
    notebooks = locations.notebook_path("tambon_report.ipynb")
    roots = {"km_analysis": PACKAGE_DIR, "notebooks": notebooks.parent if notebooks else None}
    named = []
    for label, root in roots.items():
        if root is not None:
            named += [(f"{label}/{p.relative_to(root).as_posix()}", p) for p in root.rglob("*")
                      if p.is_file() and p.suffix in _SHAPING_SUFFIXES
                      and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    lock = locations.requirements_lock()
    if lock is not None:
        named.append(("requirements.lock", lock))
    for name, path in sorted(named):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def software_versions() -> dict[str, str]:
    """Return the versions of the package and the libraries a report's look depends on."""
    from importlib.metadata import version

    names = ("pandas", "matplotlib", "papermill", "nbconvert", "weasyprint", "fontpkg-sarabun",
             "fonttools", "pythainlp")
    return {"km-analysis": __version__, **{name: version(name) for name in names}}


def pdf_metadata(report: str, parameters: dict, table_fingerprints: dict[str, str]) -> dict:
    """Return the custom metadata a report's PDF carries (names without the leading slash)."""
    meta = {
        f"{META_PREFIX}report": report,
        f"{META_PREFIX}asof": parameters.get("as_of", ""),
        f"{META_PREFIX}since": parameters.get("since", ""),
        f"{META_PREFIX}numerals": parameters.get("numerals", ""),
        f"{META_PREFIX}records": combined_fingerprint(table_fingerprints),
        f"{META_PREFIX}version": __version__,
    }
    meta.update({f"{FINGERPRINT_PREFIX}{t}": fp for t, fp in table_fingerprints.items()})
    return meta


def read_pdf_metadata(path: Path) -> dict[str, str]:
    """Return the km- metadata of a report's PDF (empty when it carries none)."""
    import logging

    from pypdf import PdfReader

    # pypdf logs its repairs of odd files; the caller reports what matters once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    info = PdfReader(path).metadata or {}
    return {str(k).lstrip("/"): str(v) for k, v in info.items()
            if str(k).lstrip("/").startswith(META_PREFIX)}


def changed_tables(metadata: dict[str, str], records: Records) -> dict[str, tuple[str, str]]:
    """Return {table: (in the PDF, now)} for each table whose fingerprint differs."""
    scope = ReportScope.of(metadata.get(f"{META_PREFIX}report", ""))
    now = fingerprints(slice_of(records, scope.tambon))
    then = {k.removeprefix(FINGERPRINT_PREFIX): v for k, v in metadata.items()
            if k.startswith(FINGERPRINT_PREFIX)}
    return {t: (then.get(t, ""), now.get(t, "")) for t in sorted(set(then) | set(now))
            if then.get(t) != now.get(t)}

