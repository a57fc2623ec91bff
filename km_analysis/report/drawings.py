"""Each drawing drawn once per data: its HTML kept in a cache keyed by what it draws and the code.

A report's drawings (the fish, the ปลาตะเพียน, the river) cost most of a notebook's time, and
the same records give the same drawing every month until a record or the code changes. So a
drawing's HTML is kept under the user's cache folder, named by the SHA-256 of the drawing
function, its arguments (frames as their values), `provenance.code_fingerprint()` (the
package, the notebooks and the pinned dependencies) and the installed libraries' versions: a
changed record, a new release of the code, of matplotlib or of Sarabun draws anew, and nothing
else can change what a cached drawing shows.

The folder is $KM_CACHE_DIR, else $XDG_CACHE_HOME/km-workbook, else ~/.cache/km-workbook; an
entry is written whole (a temporary file renamed) and one that cannot be read or written is
drawn instead: the cache can make a report faster, never different or failed. Past
`CACHE_BYTES`, the entries used longest ago go.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from ..locations import cache_folder
from ..provenance import code_fingerprint, software_versions

CACHE_BYTES = 256 * 2**20
_pruned: list[Path] = []  # the folder, once this process has pruned it


def drawing(draw: str, arguments: dict, css_class: str) -> str:
    """Return `charts.Drawing(function(**arguments), css_class).html`, drawn once per data.

    `draw` names the function as "module:function" ("km_analysis.charts:fish"): it, the charts
    and matplotlib are imported only to draw, so a report whose drawings are all kept never
    imports them (a third of a second of its kernel's start).
    """
    try:
        key = drawing_key(draw, arguments, css_class)
    except TypeError:  # an argument without a faithful key: drawn, not kept
        return _drawn(draw, arguments, css_class)
    path = cache_folder("drawings") / f"{key}.html"
    try:
        html = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    else:
        with contextlib.suppress(OSError):  # used now, so pruning keeps it (if it may write)
            os.utime(path)
        return html
    html = _drawn(draw, arguments, css_class)
    _keep(path, html)
    return html


def _drawn(draw: str, arguments: dict, css_class: str) -> str:
    from .. import charts

    module, name = draw.split(":")
    function = getattr(importlib.import_module(module), name)
    return charts.Drawing(function(**arguments), css_class).html


def drawing_key(draw: str, arguments: dict, css_class: str) -> str:
    """Return the hex SHA-256 naming a drawing: the function, its arguments and the code."""
    described = json.dumps([draw, css_class, arguments], sort_keys=True, ensure_ascii=False,
                           default=_value_of)
    return hashlib.sha256(f"{code_and_versions()}\n{described}".encode()).hexdigest()


@functools.cache
def code_and_versions() -> str:
    """Return what names the code of every drawing: the package's and the libraries' versions."""
    # The pins and the installed libraries both: a matplotlib or Sarabun installed over the
    # pins draws anew too.
    return code_fingerprint() + json.dumps(software_versions(), sort_keys=True)


def _value_of(value) -> object:
    """Return a JSON-able form of an argument that holds all of its value (never a summary)."""
    if isinstance(value, pd.DataFrame):
        return {"frame": value.to_json(orient="split", date_format="iso", date_unit="us",
                                       double_precision=15),
                "dtypes": [str(d) for d in value.dtypes]}
    if isinstance(value, pd.Series):
        return {"series": value.to_json(orient="split", date_format="iso", date_unit="us",
                                        double_precision=15),
                "dtype": str(value.dtype)}
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (pd.Timestamp, pd.Timedelta)):
        return value.isoformat()
    if value is pd.NA or value is None:
        return None
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    raise TypeError(f"a drawing's argument of type {type(value).__name__} has no cache key")


def _keep(path: Path, html: str) -> None:
    """Write an entry whole, then prune; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=".drawing-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.replace(staging, path)
        if not _pruned:  # once a process: a batch writes thousands of drawings
            _pruned.append(path.parent)
            _prune(path.parent)
    except OSError:
        pass


def _prune(folder: Path, limit: int = CACHE_BYTES) -> None:
    """Remove the entries used longest ago until the folder holds at most `limit` bytes."""
    entries = []
    for path in folder.glob("*.html"):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda entry: entry[0]):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
