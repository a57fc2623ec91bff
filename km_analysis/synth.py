"""Kept so that analysts' `km_analysis.synth` imports still work: the module is `records.synth`."""

from .records.synth import *  # noqa: F403
