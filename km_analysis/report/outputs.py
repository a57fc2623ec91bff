"""Where a report's files go, and the seconds each step of a render took.

Kept free of heavy imports: the batch plans every report (and skips unchanged ones) without
loading the renderer.
"""

from __future__ import annotations

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
