"""The validated records as a snapshot: one Parquet file per table, with fingerprints.

The CLI loads and validates the spreadsheets once per command and writes a snapshot; report
notebooks read it, filtered to their tambon, and never re-read or re-validate the spreadsheets.
Each row carries `_tambon` (its scope: the tambon it belongs to, or null for province-wide) so
that a reader can take one tambon's slice without loading the whole country.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import Problem
from ..provenance import fingerprints
from ..scope import in_scope, report_rows, row_tambons
from .load import Records
from .schema import SCHEMA_VERSION, TABLES

MANIFEST = "snapshot.json"
SCOPE_COLUMN = "_tambon"


def write_snapshot(records: Records, folder: Path) -> Path:
    """Write `records` as a snapshot in `folder` (created); return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = records.frames()
    for name, frame in frames.items():
        scoped = frame.assign(**{SCOPE_COLUMN: row_tambons(frames, name)})
        scoped.to_parquet(folder / f"{name}.parquet", engine="pyarrow", index=True)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "source": records.source,
        "files": records.files,
        "example": records.example,
        "places": records.places,
        "fingerprints": fingerprints(records),
        "problems": [dataclasses.asdict(p) for p in records.problems],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return folder


def snapshot_path(records: Records, parent: Path, kept: Path | None = None) -> Path:
    """Return the folder under `parent` that the snapshot of `records` has (or will have).

    `kept` is a snapshot of the same records (records/cache.py): its fingerprints are read,
    not computed again.
    """
    table_fingerprints = None
    if kept is not None:
        with contextlib.suppress(OSError, ValueError, KeyError):  # pruned by another command
            manifest = json.loads((kept / MANIFEST).read_text(encoding="utf-8"))
            table_fingerprints = manifest["fingerprints"]
    if table_fingerprints is None:
        table_fingerprints = fingerprints(records)
    identity = {"fingerprints": table_fingerprints, "source": records.source,
                "example": records.example, "places": records.places,
                "problems": [dataclasses.asdict(p) for p in records.problems]}
    key = hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode())
    return parent / key.hexdigest()[:16]


def write_snapshot_once(records: Records, parent: Path, kept: Path | None = None) -> Path:
    """Return the snapshot of `records` under `parent`, writing it unless it is already there.

    The folder is named after the records' fingerprints and filled aside, then renamed into
    place, so concurrent commands never read a half-written snapshot. With `kept` (a snapshot
    of the same records, records/cache.py) its files are copied rather than written anew.
    """
    folder = snapshot_path(records, parent, kept)
    if (folder / MANIFEST).exists():
        return folder
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=parent))
    try:
        try:
            if kept is None:
                raise FileNotFoundError
            for file in kept.iterdir():
                shutil.copyfile(file, staging / file.name)
        except OSError:  # none kept, or pruned meanwhile by another command: write it
            write_snapshot(records, staging)
        with contextlib.suppress(OSError):  # another command wrote the same snapshot meanwhile
            staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def read_snapshot(folder: str | Path, tambon: str | None = None) -> Records:
    """Return the records of a snapshot; with `tambon`, only its rows and province-wide rows."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    frames = {}
    for name in TABLES:
        table = pq.read_table(folder / f"{name}.parquet")
        if tambon is not None:
            # Only the scope column becomes pandas here; the rows are chosen in Arrow.
            scopes = table.column(SCOPE_COLUMN).to_pandas().astype("string")
            table = table.filter(pa.array(report_rows(name, scopes, tambon)))
        frames[name] = table.to_pandas().drop(columns=SCOPE_COLUMN)
    problems = [Problem(**p) for p in manifest["problems"]]
    if tambon is not None:
        problems = in_scope(problems, tambon)
    return Records(**frames, problems=problems, source=manifest["source"],
                   files=manifest["files"], example=manifest.get("example", False),
                   places=manifest.get("places", {}))
