"""Runs inside a report's kernel: the warm-up, and what a kernel reused for the next report
resets, so that each report runs as it would in a fresh kernel.

`warm_up` imports what the notebooks import and remembers the state after it; `restore` puts
that state back before a reused kernel's next report:

- the user's namespace, IPython's caches of inputs and outputs (In, Out, _, _i1, …) and
  its execution count, so that the next cell is [1] again: `%reset -f` in a new session;
- matplotlib's settings (rcParams) and any figure left open in pyplot;
- the warnings filters, and the registries of warnings already shown, so that a warning shown
  in one report is shown again in the next;
- the working folder, the environment variables and `sys.path`.

Not reset, and why that is safe: the modules imported (the warm-up imported every module the
notebooks import, as a fresh kernel's warm-up does), and the package's caches of pure functions
(text metrics, a fish's free bands, Thai words, fonts, templates, the code's name), which give
the same answer to the same question. tests/report/test_kernels.py renders reports on a reused
kernel and on fresh ones: the executed notebooks are the same.

Called by expressions that bind no name (`__import__(...).warm_up()`), so that nothing of the
call is left in the user's namespace.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings

# What every report notebook's first cell imports, and what the package then imports on first
# use (the records' snapshot in Parquet).
NOTEBOOK_IMPORTS = ("km_analysis.sections", "km_analysis.records.snapshot")

_remembered: dict = {}


def warm_up() -> None:
    """Import what the notebooks import and prepare the answers every report asks for first,
    then remember the state a report starts from.

    The answers are pure (the same for every report): the templates of the fixed markup,
    newmm's dictionary, the name of the code and libraries that keys the drawings. Prepared
    here, they are ready while the records still load, not in the report's first cells.
    """
    for module in NOTEBOOK_IMPORTS:
        importlib.import_module(module)
    from .. import thai
    from . import base, drawings

    base.partials()
    thai.words("ตำบล")
    drawings.code_and_versions()
    import matplotlib

    settings = dict(matplotlib.rcParams.copy())
    settings.pop("backend", None)  # as matplotlib's rc_context: never switch backends
    _remembered.update(rc=settings, filters=list(warnings.filters), cwd=os.getcwd(),
                       environ=dict(os.environ), path=list(sys.path))


def restore() -> None:
    """Put back the state `warm_up` remembered (see the module's list)."""
    from IPython import get_ipython

    # As `%reset -f`, and a new history session: In and the execution count start again.
    get_ipython().reset(new_session=True)
    import matplotlib

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    matplotlib.rcParams.update(_remembered["rc"])
    # resetwarnings marks the filters changed, which empties every registry of warnings shown.
    warnings.resetwarnings()
    warnings.filters[:] = _remembered["filters"]
    os.chdir(_remembered["cwd"])
    os.environ.clear()
    os.environ.update(_remembered["environ"])
    sys.path[:] = _remembered["path"]
    gc.collect()
