"""The `km` command's entry point: `km report <one report>` starts its kernel first of all.

A report's kernel needs about two seconds of its own to be ready (Python, IPython, pandas,
matplotlib and the package). Started here, before this process imports pandas and loads the
records (cli.py), it gets ready meanwhile on the other core. Everything else is `cli.main`,
which `python -m km_analysis.cli` runs directly (its kernel then starts after the imports).
Once `main` has returned, `run` exits without tearing the interpreter down (see there).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn


def run() -> NoReturn:
    """The `km` command: `main`, then an exit that skips freeing every object one by one.

    Python's own exit took about 0.45 s after a report, freeing the objects of pandas,
    nbconvert and WeasyPrint, when nothing was left to do: `main` returns once every file is
    written and closed and the kernel stopped. What a normal exit still does is done here:
    the exit handlers run and the output is flushed.
    """
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe, as `km … | head`
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `km`; for one report, with its kernel started before anything heavy is imported."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # As cli.main does: a kill by SIGTERM unwinds like Ctrl-C, so the kernel is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    kernel = None
    try:
        if renders_one_report(argv):
            kernel = _started_kernel()
        from . import cli

        return cli.main(argv, kernel=kernel)
    except KeyboardInterrupt:  # before cli.main handles it
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if kernel is not None:
            kernel.close()


def _started_kernel():
    """Return a kernel started now, or None when it cannot start: then cli starts one and
    says, in one line, what stops it (a missing notebook, an unwritable temporary folder)."""
    from .report.kernels import StartedKernel

    try:
        return StartedKernel()
    except Exception:
        return None


def renders_one_report(argv: Sequence[str]) -> bool:
    """Return whether `argv` asks for one report (`report SLUG …`, not `all`, not --help).

    A guess from the words alone: when it is wrong, the kernel is unused and stopped, or cli
    starts one later, and nothing else changes.
    """
    return (len(argv) >= 2 and argv[0] == "report" and not argv[1].startswith("-")
            and argv[1] != "all" and not {"-h", "--help"} & set(argv))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
