"""The reports' sections, as HTML the notebooks display: one class per kind of report.

`TambonReport` (report/tambon.py) and `OverviewReport` (report/overview.py) share `Report`
(report/base.py). Notebooks and analysts import them from here.
"""

from .base import WHAT_LABELS, Report
from .overview import OverviewReport
from .tambon import VISIT_STATES, WARNING_KINDS, TambonReport

__all__ = [
           "VISIT_STATES",
           "WARNING_KINDS",
           "WHAT_LABELS",
           "OverviewReport",
           "Report",
           "TambonReport",
]
