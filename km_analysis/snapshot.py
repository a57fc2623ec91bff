"""Kept so that analysts' `km_analysis.snapshot` imports still work: the module is `records.snapshot`."""

from .records.snapshot import *  # noqa: F403
