"""Thai text, Buddhist-Era dates, Thai numerals and the Sarabun fonts.

Pure functions used by the loaders (matching and date parsing) and by the
report writers (formatting and font checks). No pandas import: pandas
timestamps are handled through their ``year``/``month``/``day`` attributes.
"""

from __future__ import annotations

import datetime
import functools
import numbers
import pathlib
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "THAI_MONTHS_LONG",
    "THAI_MONTHS_SHORT",
    "DateError",
    "buddhist_year",
    "code_key",
    "fiscal_year_start",
    "font_coverage",
    "format_date",
    "format_number",
    "normalise",
    "parse_date",
    "sarabun_dir",
    "sarabun_path",
    "to_arabic_digits",
    "to_thai_digits",
    "uncovered_characters",
]

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

# --------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_NIKHAHIT_SARA_AA = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
# Above/below vowels, MAITAIKHU, tone marks, THANTHAKHAT, NIKHAHIT, YAMAKKAN.
_REPEATED_MARK = re.compile("([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1+")
# Anything normalise could change besides NFC: most record text has none of it, and checking
# is far cheaper than normalising (a national load holds millions of cells).
_NEEDS_WORK = re.compile(
    "[\u0e4d\u200b\u200c\u200d\u2060\ufeff]|[^\\S ]|  |^ | $|([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1"
)


def _normalise_once(text: str) -> str:
    # Zero-width characters go before NFC so that marks they separated get
    # canonically reordered together.
    text = unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))
    # Collapse first so that "ํ ้ ้ า" becomes a SARA AM candidate, and again
    # afterwards because moving the tone mark can put it next to its twin.
    text = _REPEATED_MARK.sub(r"\1", text)
    if "\u0e4d" in text:
        text = _NIKHAHIT_SARA_AA.sub("\\1\u0e33", text)
        text = _REPEATED_MARK.sub(r"\1", text)
    # str.split() without arguments splits on all Unicode whitespace (NBSP
    # included) and drops the ends, which is exactly strip + collapse.
    return " ".join(text.split())


_SEPARATORS_IN_CODES = re.compile(r"[\s_\-]+")


def code_key(text: str) -> str:
    """Return the form in which codes and labels are compared: any case, any spacing."""
    return _SEPARATORS_IN_CODES.sub("", normalise(text).casefold())


def normalise(text: str) -> str:
    """Return ``text`` normalised for matching and storage.

    NFC; zero-width characters removed; NIKHAHIT + SARA AA (with an optional
    tone mark before or between them) turned into SARA AM; a Thai combining
    mark repeated consecutively kept once; all whitespace runs (including
    tabs, NBSP and line breaks) collapsed to one space and the ends stripped.
    Idempotent.
    """
    if text.isascii():
        return " ".join(text.split())
    if unicodedata.is_normalized("NFC", text) and not _NEEDS_WORK.search(text):
        return text
    # Rare inputs (e.g. a non-Thai combining mark next to a moved tone mark)
    # need a second pass; iterating to a fixed point guarantees idempotence.
    result = _normalise_once(text)
    while True:
        again = _normalise_once(result)
        if again == result:
            return result
        result = again


# --------------------------------------------------------------------------
# Digits
# --------------------------------------------------------------------------

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)


def to_arabic_digits(text: str) -> str:
    """Return ``text`` with Thai digits (๐–๙) replaced by 0–9."""
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    """Return ``text`` with 0–9 replaced by Thai digits (๐–๙)."""
    return text.translate(_TO_THAI)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

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


def _is_missing(value) -> bool:
    # NaN and pandas.NaT are the only values not equal to themselves.
    return value is None or value != value


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
    _check_numerals(numerals)
    if _is_missing(d):
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


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------


def _check_numerals(numerals: str) -> None:
    if numerals not in ("arabic", "thai"):
        raise ValueError(f"numerals must be 'arabic' or 'thai', not {numerals!r}")


def format_number(n, numerals: str = "arabic", *, decimals: int = 0) -> str:
    """Return ``n`` with thousands separators, e.g. "1,234" or "1,234.57".

    Integers are shown whole (with ``decimals`` places if ``decimals`` > 0);
    other numbers are rounded half away from zero to ``decimals`` places,
    as written in their shortest repr (2.675 -> "2.68"). None/NaN/NaT give
    "". ``numerals="thai"`` uses Thai digits. Raises ValueError for an
    infinite value, a negative ``decimals`` or unknown numerals.
    """
    _check_numerals(numerals)
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, not {decimals}")
    if _is_missing(n):
        return ""
    if isinstance(n, numbers.Integral) and not decimals:
        text = f"{int(n):,}"
    else:
        value = Decimal(str(n)) if not isinstance(n, Decimal) else n
        if not value.is_finite():
            raise ValueError(f"cannot format {n!r} as a number")
        # The default 28-digit precision cannot quantize large floats.
        with localcontext() as ctx:
            ctx.prec = 400 + decimals
            rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        # "-0" after rounding a small negative reads as an error in a report.
        if rounded.is_zero():
            rounded = abs(rounded)
        text = f"{rounded:,.{decimals}f}"
    return to_thai_digits(text) if numerals == "thai" else text


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------


def sarabun_dir() -> pathlib.Path:
    """Return the folder holding the Sarabun TTF files of ``fontpkg_sarabun``."""
    import fontpkg_sarabun

    return pathlib.Path(fontpkg_sarabun.ROOT) / "files"


def sarabun_path(weight: str = "Regular") -> pathlib.Path:
    """Return the path of ``Sarabun-<weight>.ttf`` (e.g. "Regular", "Bold").

    Raises ValueError naming the available weights if there is no such file.
    """
    path = sarabun_dir() / f"Sarabun-{weight}.ttf"
    if not path.is_file():
        available = sorted(p.stem.removeprefix("Sarabun-") for p in sarabun_dir().glob("Sarabun-*.ttf"))
        raise ValueError(f"no Sarabun weight {weight!r}; available: {', '.join(available)}")
    return path


@functools.lru_cache(maxsize=1)
def font_coverage() -> frozenset[int]:
    """Return the codepoints drawable by Sarabun Regular or Bold (union of cmaps)."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for weight in ("Regular", "Bold"):
        with TTFont(sarabun_path(weight), lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def uncovered_characters(text: str) -> list[str]:
    """Return the distinct characters of ``text`` that Sarabun cannot draw.

    In order of first appearance; whitespace and control characters are
    ignored (zero-width characters are not: run ``normalise`` first).
    """
    covered = font_coverage()
    # set() of a long text runs in C; only the few characters not covered are looked at.
    missing = [
        char for char in set(text)
        if ord(char) not in covered and not char.isspace() and unicodedata.category(char) != "Cc"
    ]
    return sorted(missing, key=text.index)
