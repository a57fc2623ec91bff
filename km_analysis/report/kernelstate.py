"""Runs inside a report's kernel: the warm-up, and what a kernel reused for the next report
resets, so that each report runs as it would in a fresh kernel.

`warm_up` imports what the notebooks import and remembers the state after it, and so does
`prepare_drawings` for a kernel that will draw; `restore` puts that state back before a
reused kernel's next report:

- the user's namespace, IPython's caches of inputs and outputs (In, Out, _, _i1, …) and
  its execution count, so that the next cell is [1] again: `%reset -f` in a new session;
- matplotlib's settings (rcParams), once it is imported;
- the warnings filters, and the registries of warnings already shown, so that a warning shown
  in one report is shown again in the next;
- the working folder, the environment variables and `sys.path`.

A report that imported a module the warm-up did not and left a setting of this list changed
is not followed on its kernel (`restore` refuses): the import may have changed the setting,
which restoring would undo for good (the module is not imported again).

Not reset, and why that is safe: the modules imported (by the warm-up, as in a fresh kernel, or
by a report: then they left the settings above as they were), and the package's caches of
pure functions (text metrics, a fish's free bands, Thai words, fonts, templates, the code's
name), which give the same answer to the same question; and that the drawing cache was
pruned (once a process: once a kept kernel). tests/report/test_kernels.py renders reports on
a reused kernel and on fresh ones: the executed notebooks are the same.

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
# What a drawing not yet kept in the drawing cache imports (report/drawings.py).
DRAWING_IMPORTS = "km_analysis.charts"

# The kernel's own machinery, which loads its parts as cells first need them: not a report's
# doing, and nothing a report computes depends on it.
KERNEL_MACHINERY = ("IPython.", "ipykernel.", "jupyter_client.", "zmq.", "tornado.", "comm.")

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
    _remember()


def prepare_drawings() -> None:
    """Import what drawing needs (the charts, matplotlib), then remember the state again.

    Only a kernel that will draw asks for it, while the records still load: a batch's, or a
    report's whose records changed. A report whose drawings are all kept never imports them.
    """
    importlib.import_module(DRAWING_IMPORTS)
    _remember()


def _remember() -> None:
    _remembered.update(rc=_matplotlib_settings(), filters=list(warnings.filters),
                       cwd=os.getcwd(), environ=dict(os.environ), path=list(sys.path),
                       modules=set(sys.modules))


def _matplotlib_settings() -> dict | None:
    """Return matplotlib's settings but the backend (as rc_context: never switch backends),
    or None before matplotlib is imported."""
    if "matplotlib" not in sys.modules:
        return None
    import matplotlib

    return {key: value for key, value in matplotlib.rcParams.items() if key != "backend"}


def restore() -> None:
    """Put back the state `warm_up` remembered (see the module's list).

    Refused (RuntimeError) when the last report imported a module the warm-up did not and a
    setting restored here is changed: the import may have changed it, and a fresh kernel
    would see it changed, where restoring would undo it for good.
    """
    imported = sorted(name for name in set(sys.modules) - _remembered["modules"]
                      if not name.startswith(KERNEL_MACHINERY))
    changed = _changed_settings()
    if imported and changed:
        raise RuntimeError(f"{', '.join(changed)} changed, and imported since the warm-up: "
                           + ", ".join(imported[:5]))
    from IPython import get_ipython

    # As `%reset -f`, and a new history session: In and the execution count start again.
    get_ipython().reset(new_session=True)
    if _remembered["rc"] is not None:
        import matplotlib

        matplotlib.rcParams.update(_remembered["rc"])
    # resetwarnings marks the filters changed, which empties every registry of warnings shown.
    warnings.resetwarnings()
    warnings.filters[:] = _remembered["filters"]
    warnings.onceregistry.clear()
    os.chdir(_remembered["cwd"])
    os.environ.clear()
    os.environ.update(_remembered["environ"])
    sys.path[:] = _remembered["path"]
    gc.collect()


def _changed_settings() -> list[str]:
    """Return the settings `restore` puts back that differ now from the warm-up's."""
    now = {"rcParams": _matplotlib_settings(), "warnings filters": list(warnings.filters),
           "working folder": os.getcwd(), "environment": dict(os.environ),
           "sys.path": list(sys.path)}
    then = {"rcParams": _remembered["rc"], "warnings filters": _remembered["filters"],
            "working folder": _remembered["cwd"], "environment": _remembered["environ"],
            "sys.path": _remembered["path"]}
    return [name for name in now if now[name] != then[name]]
