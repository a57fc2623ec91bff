"""Small helpers over pandas frames that every room uses: equality, look-ups, dates.

They exist once so that "equal", "a date" and "missing" mean the same in the loader, the
measures and the KM tools.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import thai
from .errors import UsageError


def eq(series: pd.Series, value) -> np.ndarray:
    """Return series == value as a plain bool array (blank cells: False)."""
    return series.eq(value).fillna(False).to_numpy(bool)


def on_or_before(dates: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Return dates <= as_of as a plain bool array (blank dates: False)."""
    return (dates <= as_of).fillna(False).to_numpy(bool)


def lookup(frame: pd.DataFrame, key: str, column: str | None, values=None) -> pd.Series:
    """Return a mapping key -> column (or -> `values`) over the rows with a key.

    A repeated key maps to its first row (the loader reports the duplicate).
    """
    values = frame[column] if column is not None else values
    mapping = pd.Series(values.to_numpy(), index=frame[key].to_numpy())
    mapping = mapping[mapping.index.notna()]
    return mapping[~mapping.index.duplicated(keep="first")]


def missing(value) -> bool:
    """Return True for a blank cell: None, NA or NaN (text, even empty text, is not missing)."""
    return value is None or (not isinstance(value, str) and pd.isna(value))


def day(value, what: str = "date") -> pd.Timestamp:
    """Return value (a date, Timestamp or date text) as a time-zone-naive Timestamp at midnight.

    Raises UsageError naming `what` for text that is not a date and for a blank value.
    """
    if isinstance(value, str):
        try:
            return pd.Timestamp(thai.parse_date(value.strip()))
        except ValueError:
            raise UsageError(
                f"{what}: {value!r} is not a date (expected e.g. 2006-10-30 or 30/10/2549)"
            ) from None
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        raise UsageError(f"{what}: a date is needed")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what}: {value!r} is not a date") from None
    if stamp is pd.NaT:
        raise UsageError(f"{what}: a date is needed")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()
