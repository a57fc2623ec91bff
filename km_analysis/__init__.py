"""km_analysis: load, check, measure and report the records of a Thai KM programme."""

from .errors import KmError, Problem, RecordsError, SourceError, UsageError
from .records.load import Records, load_records

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
