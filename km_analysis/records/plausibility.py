"""Dates that cannot be true: after the day of the run, or far outside the records' own span.

A date typed 2049 for 2549, or 30/10/06 read as พ.ศ. 2506, parses; it would still move a
report's as-of or empty a fiscal year without a word. These functions say which dates are out
of reach and what was probably meant; `rules.check_dates` turns them into problems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .. import thai

# (table, column) of the records of something that happened. A session happened when it has
# participants or someone present on its roster (rules.check_dates decides per row).
HAPPENED = (("sessions", "date"), ("visits", "done_on"), ("fish", "recorded"),
            ("assessments", "date"), ("actions", "raised"), ("actions", "closed_on"))
LOW_QUANTILE, HIGH_QUANTILE = 0.05, 0.95
MARGIN = pd.DateOffset(years=1)  # the span is widened by this on each side
MIN_SPAN = pd.DateOffset(years=2)


@dataclass(frozen=True)
class Span:
    """The dates the records can plausibly hold: low <= date <= high; median for suggestions."""

    low: pd.Timestamp
    high: pd.Timestamp
    median: pd.Timestamp

    def holds(self, date: pd.Timestamp) -> bool:
        """Return True when `date` lies inside the span."""
        return self.low <= date <= self.high

    def describe(self) -> str:
        """Return the span as text for a message: 'from 2005-09-05 to 2007-11-20'."""
        return f"from {self.low.date().isoformat()} to {self.high.date().isoformat()}"


def event_span(events: pd.Series) -> Span | None:
    """Return the span of the event dates (5th–95th percentile, a year wider each side).

    At least two years wide; None when there are no event dates to judge by.
    """
    events = pd.to_datetime(events.dropna())
    if events.empty:
        return None
    low = events.quantile(LOW_QUANTILE).normalize() - MARGIN
    high = events.quantile(HIGH_QUANTILE).normalize() + MARGIN
    median = events.quantile(0.5).normalize()
    if high < low + MIN_SPAN:
        centre = low + (high - low) / 2
        low = (centre - pd.DateOffset(years=1)).normalize()
        high = (centre + pd.DateOffset(years=1)).normalize()
    return Span(low, high, median)


def probable_date(date: pd.Timestamp, span: Span) -> pd.Timestamp | None:
    """Return the date probably meant: the candidate inside the span nearest its median.

    Candidates keep the day and month and change the year: a two-digit year read as พ.ศ.
    25yy or as ค.ศ. 20yy (a date cell's 1950 from "15/11/50"), the year ± 543, and any
    one-digit change of the year as typed in ค.ศ. or พ.ศ. (2049 → 2549).
    """
    candidates = {date.year + thai.dates.BE_OFFSET, date.year - thai.dates.BE_OFFSET}
    two_digits = date.year % 100
    candidates |= {2500 + two_digits - thai.dates.BE_OFFSET, 2000 + two_digits}
    for typed in (date.year, date.year + thai.dates.BE_OFFSET):
        text = f"{typed:04d}"
        for position in range(len(text)):
            for digit in "0123456789":
                changed = int(text[:position] + digit + text[position + 1:])
                # As the loader reads a typed year: past 2400 it is พ.ศ.
                candidates.add(changed - thai.dates.BE_OFFSET if changed > 2400 else changed)
    inside = []
    for year in candidates - {date.year}:
        try:
            candidate = pd.Timestamp(dt.date(year, date.month, date.day))
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            continue  # 29 February of a common year, or a year out of range
        if span.holds(candidate):
            inside.append(candidate)
    if not inside:
        return None
    return min(inside, key=lambda c: (abs(c - span.median), c))


def as_typed_in_thai(date: pd.Timestamp) -> str:
    """Return a date as a message shows it: ISO, then as a Thai reader writes it."""
    return f"{date.date().isoformat()} ({thai.format_date(date)})"
