"""The period of a report: as-of and since, defaulted from the records.

The period is `since < date <= as_of`; every status is judged as of `as_of` (a visit is done if
done_on <= as_of; an action is open if raised <= as_of and not closed_on <= as_of).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .. import thai
from ..errors import UsageError
from ..frames import day
from ..scope import row_tambons
from .selectors import is_held, tambon_slug

DEFAULT_SINCE_DAYS = 30


@dataclass(frozen=True)
class Period:
    """The period of a report: the dates d with since < d <= as_of."""

    as_of: pd.Timestamp  # inclusive end
    since: pd.Timestamp  # exclusive start


def default_as_of(records, today: dt.date | None = None) -> pd.Timestamp:
    """Return the latest date on which something happened, capped at today.

    Something happened = a held session, a visit done, a fish item recorded, an action raised
    or closed. Without any such date, today (default: the day of the run in Thailand,
    `thai.run_date`).
    """
    today = day(thai.run_date() if today is None else today, "today")
    sessions = records.sessions
    dates = [
        sessions.loc[is_held(sessions), "date"],
        records.visits["done_on"],
        records.fish["recorded"],
        records.actions["raised"],
        records.actions["closed_on"],
    ]
    latest = max((d.max() for d in dates if d.notna().any()), default=None)
    if latest is None:
        return today
    return min(pd.Timestamp(latest).normalize(), today)


def default_since(records, tambon: str | None, as_of) -> pd.Timestamp:
    """Return the date of the last held sponsor forum before as_of, else as_of - 30 days.

    The forum counts when it is the tambon's own or province-wide; for tambon None (the
    province overview) any sponsor forum counts. "Before" is strict: a forum on as_of itself
    opens the next period, not this one.
    """
    as_of = day(as_of, "as_of")
    if tambon is not None:
        return pd.Timestamp(default_sinces(records, pd.Index([tambon]), as_of).iloc[0])
    sessions = records.sessions
    forums = is_held(sessions) & sessions["kind"].eq("sponsor_forum").to_numpy(bool)
    dates = sessions.loc[forums & (sessions["date"] < as_of).to_numpy(bool), "date"]
    if dates.empty:
        return as_of - pd.Timedelta(days=DEFAULT_SINCE_DAYS)
    return pd.Timestamp(dates.max()).normalize()


def default_sinces(records, slugs: pd.Index, as_of: pd.Timestamp) -> pd.Series:
    """Return `default_since` of each tambon in `slugs`, in one pass over the sessions."""
    sessions = records.sessions
    forums = (is_held(sessions) & sessions["kind"].eq("sponsor_forum").to_numpy(bool)
              & (sessions["date"] < as_of).to_numpy(bool))
    scopes = row_tambons(records.frames(), "sessions")[forums]
    dates = sessions["date"][forums]
    province_last = dates[scopes.isna().to_numpy(bool)].max()
    own_last = dates[scopes.notna().to_numpy(bool)].groupby(
        scopes[scopes.notna()].to_numpy()).max()
    last = own_last.reindex(slugs)
    if not pd.isna(province_last):
        last = last.where(last >= province_last, province_last).fillna(province_last)
    fallback = as_of - pd.Timedelta(days=DEFAULT_SINCE_DAYS)
    return last.fillna(fallback).astype("datetime64[us]").dt.normalize()


def resolve_period(records, tambon: str | None, as_of=None, since=None, today=None) -> Period:
    """Return the report's period, with as_of and since defaulted as docs/architecture.md says.

    Raises UsageError for a date that cannot be read, an unknown tambon, or since >= as_of.
    """
    if tambon is not None:
        tambon = tambon_slug(records, tambon)
    as_of = default_as_of(records, today) if as_of is None else day(as_of, "as_of")
    since = default_since(records, tambon, as_of) if since is None else day(since, "since")
    if since >= as_of:
        raise UsageError(
            f"since ({since.date().isoformat()}) must be before as-of "
            f"({as_of.date().isoformat()}): a report covers since < date <= as-of"
        )
    return Period(as_of=as_of, since=since)


def as_of_or_default(records, as_of) -> pd.Timestamp:
    """Return as_of as a date, or the records' default as-of when None."""
    return default_as_of(records) if as_of is None else day(as_of, "as_of")


def checked_period(period) -> Period:
    """Return `period` with its dates as Timestamps; TypeError for anything else."""
    if not isinstance(period, Period):
        raise TypeError(f"expected a Period (see resolve_period), not {type(period).__name__}")
    # A Period built by hand may hold dates or text; comparisons need Timestamps.
    return Period(as_of=day(period.as_of, "as_of"), since=day(period.since, "since"))
