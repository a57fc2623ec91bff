"""Numbers as a Thai report prints them: grouped digits, Arabic or Thai numerals."""

from __future__ import annotations

import numbers
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .text import to_thai_digits


def is_missing(value) -> bool:
    """Return True for None, NaN and pandas.NaT (the only values not equal to themselves)."""
    return value is None or value != value


def check_numerals(numerals: str) -> None:
    """Raise ValueError unless `numerals` is "arabic" or "thai"."""
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
    check_numerals(numerals)
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, not {decimals}")
    if is_missing(n):
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
