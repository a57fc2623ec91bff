"""Thai text, Buddhist-Era dates, Thai numerals and the Sarabun fonts.

Pure functions used by the loaders (matching and date parsing) and by the
report writers (formatting and font checks). No pandas import: pandas
timestamps are handled through their ``year``/``month``/``day`` attributes.
One module per concept: `text`, `dates`, `numbers`, `fonts`, `words` (where
Thai text may break, and the Thai marks); the names below
are the package's interface.
"""

from __future__ import annotations

from .dates import (
                    THAI_MONTHS_LONG,
                    THAI_MONTHS_SHORT,
                    DateError,
                    buddhist_year,
                    fiscal_year_start,
                    format_date,
                    parse_date,
                    run_date,
)
from .fonts import font_coverage, sarabun_dir, sarabun_path, uncovered_characters
from .numbers import format_number
from .text import code_key, in_numerals, normalise, to_arabic_digits, to_thai_digits
from .words import THAI_MARKS, breaks, is_mark, words

__all__ = [
    "THAI_MARKS",
    "THAI_MONTHS_LONG",
    "THAI_MONTHS_SHORT",
    "DateError",
    "breaks",
    "buddhist_year",
    "code_key",
    "fiscal_year_start",
    "font_coverage",
    "format_date",
    "format_number",
    "in_numerals",
    "is_mark",
    "normalise",
    "parse_date",
    "run_date",
    "sarabun_dir",
    "sarabun_path",
    "to_arabic_digits",
    "to_thai_digits",
    "uncovered_characters",
    "words",
]
