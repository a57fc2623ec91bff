"""Where a report's files go, and the seconds each step of a render took.

Kept free of heavy imports: the batch plans every report (and skips unchanged ones) without
loading the renderer.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ReportPaths:
    """Where one report's files go: <out>/<as-of>/<slug>/km-progress-<slug>-<as-of>.*"""

    folder: Path
    stem: str

    @classmethod
    def for_report(cls, out: Path, as_of: str, slug: str) -> ReportPaths:
        """Return the paths of report `slug` (or "overview") for as_of under `out`."""
        return cls(Path(out) / as_of / slug, f"km-progress-{slug}-{as_of}")

    @property
    def pdf(self) -> Path:
        """Return the path of the PDF."""
        return self.folder / f"{self.stem}.pdf"

    @property
    def html(self) -> Path:
        """Return the path of the HTML the PDF is laid out from."""
        return self.folder / f"{self.stem}.html"

    @property
    def notebook(self) -> Path:
        """Return the path of the executed notebook (the audit trail)."""
        return self.folder / f"{self.stem}.ipynb"

    @property
    def provenance(self) -> Path:
        """Return the path of provenance.json."""
        return self.folder / "provenance.json"

    @property
    def failed_notebook(self) -> Path:
        """Return where a failed run's executed notebook is kept: beside the report's folder."""
        return self.folder.parent / f"{self.stem}.failed.ipynb"


@dataclass
class Timings:
    """Seconds spent in each step of a render."""

    steps: dict[str, float] = field(default_factory=dict)

    def measure(self, step: str, work: Callable):
        """Return work()'s result, adding the seconds it took to `step`."""
        start = time.perf_counter()
        try:
            return work()
        finally:
            self.steps[step] = round(time.perf_counter() - start, 3)


# A report folder is published by swapping whole folders, because a folder cannot be renamed
# onto a non-empty one: the finished files wait in a staging folder beside it; the published
# folder is moved aside, the staging folder moved in, the old one deleted. A reader sees the
# old report or the new one, never a mix. A run killed between the two moves leaves the old
# folder aside and none in place; `repair` (run before every render) moves it back.
STAGING_PREFIX = ".rendering-"
ASIDE_PREFIX = ".replaced-"


def staging_folder(paths: ReportPaths) -> Path:
    """Return a new, empty staging folder beside the report's folder, named for this process."""
    import tempfile

    paths.folder.parent.mkdir(parents=True, exist_ok=True)
    prefix = f"{STAGING_PREFIX}{paths.folder.name}-{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=paths.folder.parent))


def publish(staging: Path, paths: ReportPaths) -> None:
    """Replace the report's folder by `staging` (all its files at once)."""
    aside = None
    if paths.folder.exists():
        aside = paths.folder.with_name(f"{ASIDE_PREFIX}{paths.folder.name}-{os.getpid()}")
        os.replace(paths.folder, aside)
    os.replace(staging, paths.folder)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def repair(paths: ReportPaths) -> None:
    """Finish what killed runs left for this report: restore its folder, drop stale staging.

    A folder moved aside with none published in its place goes back; staging folders of
    processes that no longer run are deleted (a running render keeps its own).
    """
    parent = paths.folder.parent
    if not parent.is_dir():
        return
    asides = sorted(parent.glob(f"{ASIDE_PREFIX}{paths.folder.name}-*"))
    for aside in asides:
        if not paths.folder.exists() and _owner_gone(aside):
            os.replace(aside, paths.folder)
        elif _owner_gone(aside):
            shutil.rmtree(aside, ignore_errors=True)
    for staging in parent.glob(f"{STAGING_PREFIX}{paths.folder.name}-*"):
        if _owner_gone(staging):
            shutil.rmtree(staging, ignore_errors=True)


def _owner_gone(folder: Path) -> bool:
    """Return True when the process whose id the folder's name carries has ended."""
    try:
        pid = int(folder.name.rsplit("-", 2)[-2] if folder.name.startswith(STAGING_PREFIX)
                  else folder.name.rsplit("-", 1)[-1])
    except (ValueError, IndexError):
        return True
    return process_gone(pid)


def process_gone(pid: int) -> bool:
    """Return True when no process `pid` runs (this process, or another user's, runs)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # a process of another user: it runs
    return False
