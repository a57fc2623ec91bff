"""Kept so that analysts' `km_analysis.metrics` imports still work: the module is `measures.metrics`."""

from .measures.metrics import *  # noqa: F403
