"""What belongs to a report: the one place that answers "which rows, which problems, which tambon".

A report is a tambon's (its own rows and the province-wide rows) or the province overview
(everything). A row's tambon is its own tambon column, else its group's, else (attendance)
its session's; a row with none of them is province-wide. The slice that fingerprints hash and
the snapshot's filter both come from `report_rows`, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import thai
from .errors import Problem, UsageError
from .frames import eq, lookup
from .records.schema import TABLES

OVERVIEW = "overview"
# People are looked up by id from any tambon (a neighbour may facilitate a group): every
# report holds all of them.
UNSCOPED_TABLES = ("people",)
NOTEBOOKS = {"tambon": "tambon_report.ipynb", OVERVIEW: "overview_report.ipynb"}


@dataclass(frozen=True)
class ReportScope:
    """One report: its name (a tambon's slug or "overview"), its tambon and its notebook."""

    name: str
    tambon: str | None  # None for the province overview

    @classmethod
    def of(cls, name: str) -> ReportScope:
        """Return the scope of the report called `name` (a resolved slug, or "overview")."""
        return cls(name, None if name == OVERVIEW else name)

    @property
    def is_overview(self) -> bool:
        """Return True for the province overview."""
        return self.tambon is None

    @property
    def notebook(self) -> str:
        """Return the file name of the notebook that makes this report."""
        return NOTEBOOKS[OVERVIEW if self.is_overview else "tambon"]


# ---------------------------------------------------------------------------------------------
# Rows


def row_tambons(frames: dict[str, pd.DataFrame], table: str) -> pd.Series:
    """Return the tambon slug each row of `table` belongs to (NA = province-wide).

    A row's own tambon column (the table's declared scope column) comes first; a row without
    one belongs to its group's tambon, and an attendance row to its session's.
    """
    frame = frames[table]
    declared = TABLES[table].scope_column
    tambons = (frame[declared] if declared
               else pd.Series(pd.NA, index=frame.index, dtype="string"))
    if "group_id" in frame.columns:
        tambons = tambons.fillna(
            frame["group_id"].map(lookup(frames["groups"], "group_id", "tambon"))
            .astype("string"))
    if table == "attendance":
        session_tambons = row_tambons(frames, "sessions")
        tambons = tambons.fillna(frame["session_id"].map(
            lookup(frames["sessions"], "session_id", None, session_tambons)).astype("string"))
    return tambons.astype("string")


def report_rows(table: str, scopes: pd.Series, tambon: str | None) -> np.ndarray:
    """Return, per row of `table` with tambons `scopes`, whether a report of `tambon` holds it.

    A tambon's report holds its own rows and the province-wide ones; the overview (None)
    holds every row, and every report holds every row of the unscoped tables.
    """
    if tambon is None or table in UNSCOPED_TABLES:
        return np.ones(len(scopes), dtype=bool)
    return (scopes.isna() | scopes.eq(tambon)).fillna(False).to_numpy(bool)


def own_and_province(frames: dict[str, pd.DataFrame], table: str,
                     tambon: str) -> tuple[np.ndarray, np.ndarray]:
    """Return, per row of `table`, (is tambon T's own, is province-wide)."""
    scopes = row_tambons(frames, table)
    return eq(scopes, tambon), scopes.isna().to_numpy(bool)


def every_row_tambon(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Return `row_tambons` of every table: worked out once, to slice the records many times."""
    return {name: row_tambons(frames, name) for name in frames}


def slice_of(records, tambon: str | None, scopes: dict[str, pd.Series] | None = None):
    """Return the records a report of `tambon` shows (None: the overview, all of them).

    This is the slice whose fingerprints a report carries, and the one that
    `snapshot.read_snapshot(folder, tambon)` reads back. `scopes`: `every_row_tambon` of the
    records, when the caller slices them for many reports.
    """
    if tambon is None:
        return records
    frames = records.frames()
    scopes = scopes if scopes is not None else every_row_tambon(frames)
    sliced = {name: frame[report_rows(name, scopes[name], tambon)]
              for name, frame in frames.items()}
    return dataclasses.replace(records, **sliced, problems=in_scope(records.problems, tambon))


# ---------------------------------------------------------------------------------------------
# Problems


def scope_problems(problems: Iterable[Problem], frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Return the problems, each scoped to every report it could change.

    A problem on a row belongs to the row's tambon. A tambon typed wrong belongs to the tambon
    it clearly means (`meant_tambon`), else to every report (scope None, province-wide): a
    typo must refuse the reports whose figures it would change, not scope itself away.
    """
    scopes = {}
    for table in TABLES:
        try:
            scopes[table] = row_tambons(frames, table)
        except KeyError:  # a table that could not be read has no columns to scope by
            scopes[table] = pd.Series(dtype="string")
    tambons = frames.get("tambons")
    known = set() if tambons is None else set(tambons["tambon"].dropna())
    meant: dict[str, str | None] = {}  # one typo repeated on many rows is matched once
    scoped = []
    for p in problems:
        scope = None
        if p.row is not None and p.table in scopes and p.row in scopes[p.table].index:
            value = scopes[p.table].at[p.row]
            if not pd.isna(value) and value in known:
                scope = value
            elif not pd.isna(value):
                if value not in meant:
                    meant[value] = meant_tambon(str(value), tambons)
                scope = meant[value]
        scoped.append(dataclasses.replace(p, scope=scope))
    return scoped


# A typed tambon "clearly means" a known one when it is this close to it, and no other comes
# within the margin: "bangjakk" means bangjak; a name equally close to two tambons means neither.
CLEAR_MATCH = 0.8
CLEAR_MARGIN = 0.05


def meant_tambon(typed: str, tambons: pd.DataFrame | None) -> str | None:
    """Return the slug of the one tambon `typed` clearly means (slug or Thai name), else None."""
    if tambons is None or tambons.empty:
        return None
    key = thai.normalise(typed).casefold()
    ratios = {}
    for slug, name in zip(tambons["tambon"], tambons["name_th"]):
        if pd.isna(slug):
            continue
        names = [str(slug)] + ([] if pd.isna(name) else [str(name), f"ตำบล{name}"])
        ratios[slug] = max(difflib.SequenceMatcher(None, key, thai.normalise(n).casefold())
                           .ratio() for n in names)
    ranked = sorted(ratios.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < CLEAR_MATCH:
        return None
    if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - CLEAR_MARGIN:
        return None
    return str(ranked[0][0])


def in_scope(problems: Iterable[Problem], tambon: str | None) -> list[Problem]:
    """Return the problems of `tambon` and the province-wide ones (None: province-wide only)."""
    return [p for p in problems if p.scope in (None, tambon)]


def refused_tambons(records) -> list[str]:
    """Return the tambons whose reports the records' errors refuse, in the records' order.

    The overview leaves them out and names them, whichever reports a command renders.
    """
    scoped = {p.scope for p in records.errors if p.scope is not None}
    return [slug for slug in records.tambons["tambon"] if slug in scoped]


def without_tambons(records, slugs):
    """Return the records without the rows of the tambons `slugs` (province-wide rows stay).

    The overview is drawn from these when some tambons' reports are refused: a refused
    tambon's figures are not shown at all, rather than shown short of its bad rows.
    """
    if not slugs:
        return records
    frames = records.frames()
    kept = {}
    for name, frame in frames.items():
        scopes = row_tambons(frames, name)
        keep = ~scopes.isin(list(slugs)).fillna(False).to_numpy(bool)
        kept[name] = frame if name in UNSCOPED_TABLES else frame[keep]
    return dataclasses.replace(records, **kept)


# ---------------------------------------------------------------------------------------------
# Naming a tambon


LISTED_TAMBONS = 12  # an unknown name lists the known tambons when there are no more than this


def resolve_tambon(tambons: pd.DataFrame, name, source: str = "the records") -> str:
    """Return the slug of the tambon named by its slug or Thai name (with or without ตำบล).

    Raises UsageError for a blank or unknown name, suggesting the closest tambon.
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        raise UsageError("a tambon is needed here (the province overview is not a tambon)")
    slugs, names = tambons["tambon"].astype("string"), tambons["name_th"].astype("string")
    by_name = {**{s: s for s in slugs.dropna()},
               **{n: s for n, s in zip(names, slugs) if not pd.isna(n)},
               **{f"ตำบล{n}": s for n, s in zip(names, slugs) if not pd.isna(n)}}
    wanted = thai.normalise(str(name))
    if wanted in by_name:
        return by_name[wanted]
    close = difflib.get_close_matches(wanted.lower(), list(by_name), n=1, cutoff=0.5)
    hint = f" Did you mean {by_name[close[0]]} ({close[0]})?" if close else ""
    if len(slugs) <= LISTED_TAMBONS:
        known = " Known tambons: " + ", ".join(f"{s} ({n})" for s, n in zip(slugs, names))
    else:
        known = " `km tambons` lists them."
    raise UsageError(f"unknown tambon {name!r} in {source}.{hint}{known}")
