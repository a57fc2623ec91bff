"""Buddhist-Era dates: reading every form people type, formatting as a Thai report does."""

from __future__ import annotations

import datetime
import re

from .numbers import check_numerals, is_missing
from .text import normalise, to_arabic_digits, to_thai_digits

BE_OFFSET = 543
MIN_CE_YEAR = 1950
MAX_CE_YEAR = 2100

THAI_MONTHS_SHORT: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
THAI_MONTHS_LONG: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)


EXPECTED_DATE = "a date such as 11/10/2549, 2549-10-11 or 11 ต.ค. 2549"
EXPECTED_FULL_DATE = "a full date, not a year alone"
EXPECTED_DAY = "a full date with a day, not a month and year alone"
EXPECTED_RANGE = (
    f"a date between {MIN_CE_YEAR} and {MAX_CE_YEAR} CE "
    f"({MIN_CE_YEAR + BE_OFFSET}–{MAX_CE_YEAR + BE_OFFSET} BE)"
)


class DateError(ValueError):
    """A text that cannot be read as a date; ``expected`` says what would do."""

    def __init__(self, text: str, expected: str = EXPECTED_DATE) -> None:
        self.text = text
        self.expected = expected
        super().__init__(f"Cannot read {text!r} as a date: expected {expected}.")

    def __reduce__(self):
        # The default reduce would call __init__ with the message as ``text``.
        return (type(self), (self.text, self.expected))


def _short_month_pattern(abbr: str) -> str:
    # "มี.ค." may be typed "มีค", "มี.ค", "มี. ค." ...
    parts = [re.escape(p) for p in abbr.split(".") if p]
    return r"\.?\s*".join(parts) + r"\.?"


_MONTH_BY_KEY: dict[str, int] = {}
for _number, (_short, _long) in enumerate(zip(THAI_MONTHS_SHORT, THAI_MONTHS_LONG), 1):
    _MONTH_BY_KEY[_short.replace(".", "")] = _number
    _MONTH_BY_KEY[_long] = _number
# A missing THANTHAKHAT is a common typo in กุมภาพันธ์.
_MONTH_BY_KEY["กุมภาพันธ"] = 2

_MONTH_PATTERN = "|".join(
    [re.escape(m) for m in sorted(_MONTH_BY_KEY, key=len, reverse=True)]
    + [_short_month_pattern(m) for m in THAI_MONTHS_SHORT]
)
_BE_PREFIX = r"(?:พ\.?\s*ศ\.?\s*)"

_ISO_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_SLASH_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_THAI_RE = re.compile(
    rf"(?:วันที่\s*)?(\d{{1,2}})\s*(?:เดือน\s*)?({_MONTH_PATTERN})\s*"
    rf"{_BE_PREFIX}?(\d{{4}}|\d{{2}})"
)
_YEAR_ALONE_RE = re.compile(rf"(?:ปี\s*)?{_BE_PREFIX}?\d{{4}}(?:\.0+)?")
_MONTH_YEAR_RE = re.compile(
    rf"(?:เดือน\s*)?(?:{_MONTH_PATTERN})\s*{_BE_PREFIX}?(?:\d{{4}}|\d{{2}})"
)
_DOTS_SPACES = re.compile(r"[.\s]")


def _ce_year(year_text: str) -> int:
    year = int(year_text)
    if len(year_text) == 2:
        return 2500 + year - BE_OFFSET
    return year - BE_OFFSET if year > 2400 else year


def _build_date(text: str, year_text: str, month: int, day: int) -> datetime.date:
    year = _ce_year(year_text)
    if not MIN_CE_YEAR <= year <= MAX_CE_YEAR:
        raise DateError(text, EXPECTED_RANGE)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateError(text, f"a date that exists ({text} does not)") from None


def parse_date(text: str) -> datetime.date:
    """Return the date written in ``text`` (CE or Buddhist Era, see below).

    Accepted, after ``normalise`` and Thai-to-Arabic digit conversion:
    ``2006-10-11`` / ``2549-10-11`` (an ignored time may follow),
    ``11/10/2549`` / ``11/10/49`` (always day first), and Thai month names,
    short or long, with an optional ``วันที่``, ``เดือน`` or ``พ.ศ.``
    (``11 ต.ค. 2549``, ``11ต.ค.49``, ``วันที่ 11 ตุลาคม พ.ศ. 2549``).
    A four-digit year above 2400 is BE, otherwise CE; a two-digit year is
    BE 25yy. Raises ``DateError`` (a ``ValueError``) for anything else, for a
    year alone, a non-existent date or a CE year outside 1950–2100.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_date expects str, not {type(text).__name__}")
    clean = to_arabic_digits(normalise(text))

    match = _ISO_RE.fullmatch(clean)
    if match:
        year, month, day = match.groups()
        return _build_date(clean, year, int(month), int(day))

    match = _SLASH_RE.fullmatch(clean)
    if match:
        day, month, year = match.groups()
        return _build_date(clean, year, int(month), int(day))

    match = _THAI_RE.fullmatch(clean)
    if match:
        day, month_text, year = match.groups()
        month = _MONTH_BY_KEY[_DOTS_SPACES.sub("", month_text)]
        return _build_date(clean, year, month, int(day))

    if _YEAR_ALONE_RE.fullmatch(clean):
        raise DateError(clean, EXPECTED_FULL_DATE)
    if _MONTH_YEAR_RE.fullmatch(clean):
        raise DateError(clean, EXPECTED_DAY)
    raise DateError(clean)


def format_date(d, style: str = "short", numerals: str = "arabic") -> str:
    """Return ``d`` as a Thai date, "11 ต.ค. 2549" or "11 ตุลาคม 2549".

    ``d`` is a ``datetime.date``/``datetime``/``pandas.Timestamp``; None,
    NaN and NaT give "". ``style`` is "short" or "long" (neither adds
    "พ.ศ."); ``numerals`` is "arabic" or "thai". Raises ValueError for an
    unknown style or numerals, even when ``d`` is missing.
    """
    if style == "short":
        months = THAI_MONTHS_SHORT
    elif style == "long":
        months = THAI_MONTHS_LONG
    else:
        raise ValueError(f"style must be 'short' or 'long', not {style!r}")
    check_numerals(numerals)
    if is_missing(d):
        return ""
    text = f"{d.day} {months[d.month - 1]} {d.year + BE_OFFSET}"
    return to_thai_digits(text) if numerals == "thai" else text


def buddhist_year(d) -> int:
    """Return the Buddhist-Era year of ``d`` (CE year + 543)."""
    return d.year + BE_OFFSET


def fiscal_year_start(d: datetime.date) -> datetime.date:
    """Return 1 October of the Thai fiscal year that contains ``d``."""
    year = d.year if d.month >= 10 else d.year - 1
    return datetime.date(year, 10, 1)


# Thailand keeps one offset all year (no daylight saving): no time-zone database needed.
_BANGKOK = datetime.timezone(datetime.timedelta(hours=7), "Asia/Bangkok")
RUN_DATE_VARIABLE = "KM_TODAY"


def run_date() -> datetime.date:
    """Return the day of this run in Thailand (Asia/Bangkok), or ``$KM_TODAY`` when set.

    ``KM_TODAY`` (an ISO date such as 2006-11-01) lets tests and re-runs fix "today": a
    record dated after it cannot have happened yet.
    """
    import os

    fixed = os.environ.get(RUN_DATE_VARIABLE, "").strip()
    if fixed:
        try:
            return datetime.date.fromisoformat(fixed)
        except ValueError:
            raise DateError(fixed, f"{RUN_DATE_VARIABLE} as an ISO date such as 2006-11-01"
                            ) from None
    return datetime.datetime.now(_BANGKOK).date()
