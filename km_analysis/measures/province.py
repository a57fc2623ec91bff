"""The province overview: every tambon side by side, province-wide rows counted once."""

from __future__ import annotations

import pandas as pd

from ..frames import lookup
from .period import Period, as_of_or_default, checked_period, resolve_period
from .selectors import action_frame, open_at
from .tambon import coming, sessions_in_period, tambon_progress


def province_progress(records, as_of=None, since=None) -> pd.DataFrame:
    """Return one row per tambon: slug, name_th, amphoe_th and its `tambon_progress` measures.

    `own_sessions` and `own_participants` count the tambon's own sessions only, so that summing
    them and adding the province-wide sessions counts every session once.
    """
    tambons = records.tambons
    province = province_sessions(records, resolve_period(records, None, as_of, since))
    rows = []
    for slug in tambons["tambon"]:
        measures = tambon_progress(records, slug, as_of, since)
        measures["own_sessions"] = measures["sessions"] - len(province)
        measures["own_participants"] = (measures["participants"]
                                        - int(province["participants"].fillna(0).sum()))
        rows.append({"tambon": slug, **measures})
    frame = pd.DataFrame(rows)
    names = tambons.set_index("tambon")
    frame.insert(1, "name_th", frame["tambon"].map(names["name_th"]).astype("string"))
    frame.insert(2, "amphoe_th", frame["tambon"].map(names["amphoe_th"]).astype("string"))
    return frame


def province_sessions(records, period: Period) -> pd.DataFrame:
    """Return the province-wide sessions held in the period (as `sessions_in_period` shows)."""
    tambons = records.tambons["tambon"]
    if tambons.empty:
        return pd.DataFrame(columns=["session_id", "date", "kind", "title", "scope",
                                     "participants"])
    # Province-wide sessions are in every tambon's list; any tambon's list has them all.
    sessions = sessions_in_period(records, str(tambons.iloc[0]), checked_period(period))
    return sessions[sessions["scope"] == "province"].reset_index(drop=True)


def province_open_actions(records, as_of, for_sponsor: bool | None = None) -> pd.DataFrame:
    """Return every open action across tambons and province-wide, with the tambon's Thai name.

    Columns as `open_actions`, plus tambon and tambon_name (blank for province-wide).
    """
    as_of = as_of_or_default(records, as_of)
    actions = records.actions
    keep = open_at(actions, as_of)
    if for_sponsor is not None:
        keep &= actions["for_sponsor"].fillna(False).to_numpy(bool) == bool(for_sponsor)
    chosen = actions.loc[keep]
    rows = action_frame(records, chosen, chosen["tambon"].notna().to_numpy(bool))
    rows.insert(6, "overdue", (rows["due"] < as_of).to_numpy(bool))
    rows = rows.drop(columns="closed_on")
    rows.insert(0, "tambon", chosen["tambon"].astype("string").to_numpy())
    rows.insert(1, "tambon_name", rows["tambon"].map(
        lookup(records.tambons, "tambon", "name_th")).astype("string"))
    rows = rows.sort_values(["overdue", "due", "raised", "action_id"],
                            ascending=[False, True, True, True], kind="stable",
                            na_position="last")
    return rows.reset_index(drop=True)


def province_coming(records, as_of, days: int = 42) -> pd.DataFrame:
    """Return what is planned across the province in (as_of, as_of + days], each item once.

    Columns as `coming`, plus tambon_name (blank for province-wide sessions).
    """
    parts = []
    for slug, name in zip(records.tambons["tambon"], records.tambons["name_th"]):
        rows = coming(records, slug, as_of, days)
        rows.insert(0, "tambon_name", name)
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=["tambon_name", "date", "what", "kind", "title", "where"])
    rows = pd.concat(parts, ignore_index=True)
    # A province-wide session appears under every tambon: keep it once, without a tambon.
    sessions = records.sessions
    province_titles = set(sessions.loc[sessions["tambon"].isna() & sessions["group_id"].isna(),
                                       "title"].dropna())
    is_province = (rows["what"] == "session") & rows["title"].isin(province_titles)
    rows.loc[is_province, "tambon_name"] = pd.NA
    rows = rows.drop_duplicates(subset=["date", "what", "title", "tambon_name"])
    return rows.sort_values(["date", "tambon_name", "title"], kind="stable",
                            na_position="first").reset_index(drop=True)
