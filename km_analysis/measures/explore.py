"""For analysts: trends by month, a word in the records' text, group types side by side."""

from __future__ import annotations

import pandas as pd

from .. import thai
from ..errors import UsageError
from ..frames import eq
from ..records.schema import GROUP_TYPES
from ..scope import own_and_province, row_tambons
from .period import as_of_or_default
from .selectors import (
    fish_of,
    groups_of,
    is_held,
    participant_counts,
    roster_counts,
    tambon_slug,
    visits_of,
)

SEARCHED_TEXT = (("fish", "item"), ("sessions", "summary"))  # (table, column) search_text reads


def monthly_trends(records, tambon: str | None = None, as_of=None) -> pd.DataFrame:
    """Return per calendar month the sessions held, participants, visits done and fish items.

    Index "month" (a monthly `pandas.Period`): every month from the first to the last with
    something counted, months without anything included as zeros; no rows when nothing
    happened. Columns (int64): sessions (held sessions dated that month), participants (their
    `participants`, or where blank the roster's present count, as in `tambon_progress`),
    visits_done (visits whose done_on falls in that month), fish_items (fish items recorded
    that month). For tambon T: T's sessions and the province-wide ones, visits of T's groups,
    fish items of T's groups and of T's network; for None, everything in the records, each
    once. Only dates on or before as_of count (default: the latest event, as `default_as_of`).
    """
    as_of = as_of_or_default(records, as_of)
    sessions = records.sessions
    visits = records.visits
    fish = records.fish
    held = is_held(sessions)
    if tambon is None:
        fish = fish.loc[(fish["recorded"] <= as_of).to_numpy(bool)]
    else:
        tambon = tambon_slug(records, tambon)
        in_tambon, province = own_and_province(records.frames(), "sessions", tambon)
        held = held & (in_tambon | province)
        groups = groups_of(records, tambon)
        visits = visits_of(records, groups)
        fish = fish_of(records, tambon, groups, as_of)
    sessions = sessions.loc[held & (sessions["date"] <= as_of).to_numpy(bool)]
    done_on = visits["done_on"].loc[(visits["done_on"] <= as_of).to_numpy(bool)]
    participants = participant_counts(sessions, roster_counts(records, sessions["session_id"]))

    session_month = sessions["date"].dt.to_period("M")
    counted = {
        "sessions": session_month.value_counts(),
        "participants": participants.fillna(0).groupby(session_month).sum(),
        "visits_done": done_on.dt.to_period("M").value_counts(),
        "fish_items": fish["recorded"].dt.to_period("M").value_counts(),
    }
    months = [m for c in counted.values() for m in c.index]
    if months:
        index = pd.period_range(min(months), max(months), freq="M", name="month")
    else:
        index = pd.PeriodIndex([], freq="M", name="month")
    return pd.DataFrame({
        name: counts.reindex(index, fill_value=0).astype("int64")
        for name, counts in counted.items()
    }, index=index)


def search_text(records, word: str) -> pd.DataFrame:
    """Return the fish items and session summaries that contain `word`, one row per cell.

    Both the word and the text are compared after `thai.normalise` (so ํ + า typed apart finds
    ำ, zero-width characters and doubled marks do not hide a match) and casefolded. Columns:
    table, row (as the user sees it in the spreadsheet), column, tambon (the row's tambon,
    blank for province-wide), text (as stored). Sorted by table (fish, then sessions) and row.
    Raises UsageError for a word that is blank once normalised.
    """
    wanted = thai.normalise(str(word)).casefold()
    if not wanted:
        raise UsageError("search_text: a word to search for is needed")
    frames = records.frames()
    parts = []
    for table, column in SEARCHED_TEXT:
        texts = frames[table][column].dropna()
        found = texts.map(lambda text: wanted in thai.normalise(str(text)).casefold())
        texts = texts.loc[found.astype(bool).to_numpy(bool)]
        parts.append(pd.DataFrame({
            "table": table,
            "row": texts.index.to_numpy(),
            "column": column,
            "tambon": row_tambons(frames, table).loc[texts.index].to_numpy(),
            "text": texts.to_numpy(),
        }))
    rows = pd.concat(parts, ignore_index=True)
    return rows.astype({"table": "string", "row": "int64", "column": "string",
                        "tambon": "string", "text": "string"})


def group_types(records, as_of=None) -> pd.DataFrame:
    """Return one row per group type: how many groups, members, and how far their work went.

    Columns: type (the code), type_th (its Thai label), groups, members (the sum of the
    members given; blanks left out), visit_coverage (share of the groups with a visit done
    on or before as_of), head_coverage, tail_coverage, fish_coverage (share with a head item,
    a tail item, both, recorded on or before as_of). Shares are fractions 0-1, as in
    `tambon_progress`. One row per type that has groups, across every tambon, in the order
    of `schema.GROUP_TYPES`. as_of defaults as in `default_as_of`.
    """
    as_of = as_of_or_default(records, as_of)
    groups = records.groups
    visits = records.visits
    fish = records.fish
    visited = set(visits.loc[(visits["done_on"] <= as_of).to_numpy(bool), "group_id"])
    recorded = fish.loc[(fish["recorded"] <= as_of).to_numpy(bool)
                        & fish["group_id"].notna().to_numpy(bool)]
    with_part = {part: set(recorded.loc[eq(recorded["part"], part), "group_id"])
                 for part in ("head", "tail")}
    flags = pd.DataFrame({
        "type": groups["type"].astype("string"),
        "members": groups["members"].astype("Int64"),
        "visited": groups["group_id"].isin(visited).to_numpy(bool),
        "head": groups["group_id"].isin(with_part["head"]).to_numpy(bool),
        "tail": groups["group_id"].isin(with_part["tail"]).to_numpy(bool),
    })
    flags["both"] = flags["head"] & flags["tail"]
    by_type = flags.groupby("type", sort=False)
    rows = pd.DataFrame({
        "groups": by_type.size(),
        "members": by_type["members"].sum(),
        "visit_coverage": by_type["visited"].mean(),
        "head_coverage": by_type["head"].mean(),
        "tail_coverage": by_type["tail"].mean(),
        "fish_coverage": by_type["both"].mean(),
    })
    order = [code for code in GROUP_TYPES if code in rows.index]
    rows = rows.loc[order + sorted(set(rows.index) - set(order))]
    rows.insert(0, "type_th", rows.index.map(GROUP_TYPES).astype("string"))
    rows = rows.rename_axis("type").reset_index()
    return rows.astype({"type": "string", "groups": "int64", "members": "int64",
                        "visit_coverage": "float64", "head_coverage": "float64",
                        "tail_coverage": "float64", "fish_coverage": "float64"})
