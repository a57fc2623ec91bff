"""Kept so that analysts' `km_analysis.sections` imports still work.

The module is `report.sections`.
"""

from .report.sections import *  # noqa: F403
