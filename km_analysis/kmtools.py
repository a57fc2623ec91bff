"""Kept so that analysts' `km_analysis.kmtools` imports still work.

The module is `measures.kmtools`.
"""

from .measures.kmtools import *  # noqa: F403
