"""Measures: the period of a report, each tambon's progress, the province, the KM tools' data.

Functions here take `Records` and plain values and return numbers or frames; they never read
files or draw. `period` resolves as-of and since; `selectors` holds the shared vocabulary
(a tambon's rows, a visit's state, participants); `tambon`, `province`, `kmtools` and
`explore` build on them. The public functions are importable from here.
"""

from .explore import SEARCHED_TEXT, group_types, monthly_trends, search_text
from .meeting import has_community_facilitator, next_sponsor_forum, proposals, unvisited_groups
from .period import DEFAULT_SINCE_DAYS, Period, default_as_of, default_since, resolve_period
from .province import province_coming, province_open_actions, province_progress, province_sessions
from .selectors import FISH_PARTS, NETWORK, VISIT_STATES
from .tambon import (
                       FACILITATOR_ROLES,
                       changes_since,
                       coming,
                       facilitators,
                       fish_coverage,
                       fish_items,
                       notes_for,
                       open_actions,
                       sessions_in_period,
                       tambon_progress,
                       visit_progress,
                       visits_over_time,
)

__all__ = [
                       "DEFAULT_SINCE_DAYS",
                       "FACILITATOR_ROLES",
                       "FISH_PARTS",
                       "NETWORK",
                       "SEARCHED_TEXT",
                       "VISIT_STATES",
                       "Period",
                       "changes_since",
                       "coming",
                       "default_as_of",
                       "default_since",
                       "facilitators",
                       "fish_coverage",
                       "fish_items",
                       "group_types",
                       "has_community_facilitator",
                       "monthly_trends",
                       "next_sponsor_forum",
                       "notes_for",
                       "open_actions",
                       "proposals",
                       "province_coming",
                       "province_open_actions",
                       "province_progress",
                       "province_sessions",
                       "resolve_period",
                       "search_text",
                       "sessions_in_period",
                       "tambon_progress",
                       "unvisited_groups",
                       "visit_progress",
                       "visits_over_time",
]
