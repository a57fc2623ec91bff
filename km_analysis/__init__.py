"""km_analysis: load, check, measure and report the records of a Thai KM programme."""

from importlib import import_module

from .errors import KmError, Problem, RecordsError, SourceError, UsageError

# Loaded on first use: `km report` starts its kernel before pandas is imported (launch.py).
_LAZY = {"Records": "records.load", "load_records": "records.load"}

__version__ = "0.1.0"

__all__ = [
    "KmError",
    "Problem",
    "Records",
    "RecordsError",
    "SourceError",
    "UsageError",
    "__version__",
    "load_records",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
