"""Thai text: normalising what people type, keys for matching codes, Thai digits."""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_NIKHAHIT_SARA_AA = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
# Above/below vowels, MAITAIKHU, tone marks, THANTHAKHAT, NIKHAHIT, YAMAKKAN.
_REPEATED_MARK = re.compile("([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1+")
# Anything normalise could change besides NFC: most record text has none of it, and checking
# is far cheaper than normalising (a national load holds millions of cells).
_NEEDS_WORK = re.compile(
    "[\u0e4d\u200b\u200c\u200d\u2060\ufeff]|[^\\S ]|  |^ | $"
    "|([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1"
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


_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)


def to_arabic_digits(text: str) -> str:
    """Return ``text`` with Thai digits (๐–๙) replaced by 0–9."""
    return text.translate(_TO_ARABIC)


def to_thai_digits(text: str) -> str:
    """Return ``text`` with 0–9 replaced by Thai digits (๐–๙)."""
    return text.translate(_TO_THAI)


def in_numerals(text: str, numerals: str) -> str:
    """Return ``text`` with every digit written in ``numerals`` ("arabic" or "thai").

    A report writes all its digits one way, record text included ("หมู่ ๓" reads "หมู่ 3" in
    an Arabic-numeral report); only values quoted as typed and fingerprints keep theirs.
    """
    return to_thai_digits(text) if numerals == "thai" else to_arabic_digits(text)
