"""Kept so that `python -m km_analysis.synth SCALE DIR` and old imports still work.

The module is `records.synth`.
"""

from .records.synth import *  # noqa: F403
from .records.synth import main

if __name__ == "__main__":
    main()
