"""Kept so that analysts' `km_analysis.schema` imports still work.

The module is `records.schema`.
"""

from .records.schema import *  # noqa: F403
