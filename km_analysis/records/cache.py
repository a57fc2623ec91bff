"""Checked records kept between commands: the same files, code and day give the same records.

Reading and checking a country's records takes most of a report's time at that scale (twelve
seconds for 1.4 million rows), and a coordinator makes one report after another from records
that did not change. So the checked records of a source are kept as a snapshot
(`records/snapshot.py`) under the user's cache folder, named by the SHA-256 of:

- every file of the source: for a folder, each entry directly in it, a file by its name and
  bytes, anything else by its name and kind (a changed, added or removed file is another
  source); for a workbook, its bytes (a file saved while the records were read is not kept);
- where the source is (the records name their files in every problem and in the report);
- the code (`provenance.code_fingerprint`), the installed versions of the libraries that read
  the files (`READERS`), and the day of the run (the rules compare dates with it:
  `thai.run_date`).

Anything else loads and checks the files again, so a figure can never come from records that
are not the files' own. A cache that cannot be read or written is passed by, and a source of
more than `LARGEST_SOURCE` bytes is not kept. The folder is $KM_CACHE_DIR/records, else
$XDG_CACHE_HOME/km-workbook/records, else ~/.cache/km-workbook/records; the
`KEPT` sets used last stay.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from .. import thai
from ..locations import cache_folder
from ..provenance import code_fingerprint
from .load import Records, load_records
from .snapshot import MANIFEST, read_snapshot, write_snapshot

LARGEST_SOURCE = 2 * 2**30
# Besides the pins in the code fingerprint, the versions installed: a library installed over
# the pins checks the files again.
READERS = ("pandas", "pandera", "pyarrow", "python-calamine", "openpyxl")
KEPT = 8
_CHUNK = 2**20


def checked_records(path: str | Path, checking: Callable[[], None] = lambda: None,
                    ) -> tuple[Records, Path | None]:
    """Return `load_records(path, errors="collect")`, and the snapshot it is kept as (None
    when it is not kept): read from the cache when the same files were checked before.

    `checking` is called first when the files are read and checked anew.
    """
    key = source_key(path)
    if key is None:
        checking()
        return load_records(path, errors="collect"), None
    folder = cache_folder("records") / key
    if (folder / MANIFEST).is_file():
        with contextlib.suppress(Exception):  # unreadable or half-removed: check the files
            records = read_snapshot(folder)
            with contextlib.suppress(OSError):  # used now, so pruning keeps it
                os.utime(folder)
            return records, folder
    checking()
    records = load_records(path, errors="collect")
    if source_key(path) != key:  # a file saved while it was read: keep nothing
        return records, None
    return records, _keep(records, folder)


def source_key(path: str | Path) -> str | None:
    """Return the hex SHA-256 naming the records at `path` (see the module's notes), or None
    for a source too large to keep or that cannot be read whole."""
    given, path = str(path), Path(path).resolve()
    try:
        entries = sorted(path.iterdir()) if path.is_dir() else [path]
        files = [p for p in entries if p.is_file()]
        if sum(p.stat().st_size for p in files) > LARGEST_SOURCE:
            return None
        digest = hashlib.sha256()
        for part in ("km-records-v1", given, str(path), code_fingerprint(), _libraries(),
                     thai.run_date().isoformat()):
            digest.update(part.encode() + b"\0")
        for entry in entries:  # a folder or a pipe named sessions.csv is a problem too
            digest.update(entry.name.encode() + b"\0")
            if entry not in files:
                digest.update(f"not a file: {entry.lstat().st_mode:o}".encode() + b"\0")
                continue
            with entry.open("rb") as stream:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
            digest.update(b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _libraries() -> str:
    """Return the installed versions of the libraries that read and check the records."""
    return " ".join(f"{name}={version(name)}" for name in READERS)


def _keep(records: Records, folder: Path) -> Path | None:
    """Write the records' snapshot as `folder` (whole or not at all); prune; return it."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=folder.parent))
        try:
            write_snapshot(records, staging)
            with contextlib.suppress(OSError):  # another command kept the same records
                staging.rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _prune(folder.parent)
    except OSError:
        return None
    return folder if (folder / MANIFEST).is_file() else None


def _prune(parent: Path, kept: int = KEPT) -> None:
    """Remove all but the `kept` snapshots used last."""
    snapshots = [p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
    snapshots.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in snapshots[kept:]:
        shutil.rmtree(old, ignore_errors=True)
