"""Kept so that analysts' `km_analysis.metrics` imports still work: the module is `measures`."""

from .measures import *  # noqa: F403
from .measures import __all__  # noqa: F401
