"""Kept so that analysts' `km_analysis.snapshot` imports still work.

The module is `records.snapshot`.
"""

from .records.snapshot import *  # noqa: F403
