"""Where the package finds files that are not Python: its templates, the notebooks, the project.

In a checkout (editable install) the notebooks are the project's `notebooks/`; a plain
`pip install .` ships them to `<prefix>/share/km-workbook` instead (pyproject.toml).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"
# The checkout holding the package; in an installed copy this is site-packages, which holds
# no notebooks/ and no .git, and the functions below fall back accordingly.
PROJECT_DIR = PACKAGE_DIR.parent
INSTALLED_NOTEBOOKS_DIR = Path(sys.prefix) / "share" / "km-workbook"


def notebook_path(name: str) -> Path | None:
    """Return the path of a report notebook (the checkout's, else the installed copy), or None."""
    for folder in (PROJECT_DIR / "notebooks", INSTALLED_NOTEBOOKS_DIR):
        if (folder / name).exists():
            return folder / name
    return None


def requirements_lock() -> Path | None:
    """Return the dependency pins the report was made with (checkout, else installed copy)."""
    for folder in (PROJECT_DIR, INSTALLED_NOTEBOOKS_DIR):
        if (folder / "requirements.lock").is_file():
            return folder / "requirements.lock"
    return None


def cache_folder(kind: str) -> Path:
    """Return where km keeps `kind` ("records", "drawings") between runs: $KM_CACHE_DIR/kind,
    else $XDG_CACHE_HOME/km-workbook/kind, else ~/.cache/km-workbook/kind."""
    if os.environ.get("KM_CACHE_DIR"):
        return Path(os.environ["KM_CACHE_DIR"]) / kind
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "km-workbook" / kind
