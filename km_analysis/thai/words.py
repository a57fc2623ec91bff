"""Thai words: where Thai text may break, from a dictionary (pythainlp's newmm), and the marks.

Thai writes no spaces between words, so a line may only break where a word ends. `words` splits
text into the units a line may break between: newmm's words, with what must not be separated
from its neighbour glued to it (closing punctuation to the word before, opening punctuation to
the word after, a place name to its prefix: "ต.ท่าไร่"). Every drawing (charts/thaitext.py)
and every table cell (report/tables.py) breaks Thai through `words`, so a line never breaks
where newmm would not.

`THAI_MARKS` is the one definition of the Thai combining marks (vowels above and below, tone
marks and the other signs drawn on a base character); the drawings and the PDF's text layer
import it from here.
"""

from __future__ import annotations

import functools
import unicodedata

# MAI HAN-AKAT; SARA I to PHINTHU (U+0E34-U+0E3A); MAITAIKHU to YAMAKKAN (U+0E47-U+0E4E).
THAI_MARKS = frozenset("\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B)))
                       + "".join(map(chr, range(0x0E47, 0x0E4F))))

_OPENING = frozenset("([{«“‘\"'")
_CLOSING = frozenset(")]}»”’\"',.:;!?%…ๆฯ")
# A place name written after these abbreviations stays whole with them: "ต.ท่าไร่", "อ.เมือง".
_PLACE_PREFIXES = ("ต.", "อ.", "จ.", "ตำบล", "อำเภอ", "จังหวัด")
_LONGEST_PLACE = 8  # characters of a name kept whole after its prefix (at most two words)


def is_mark(char: str) -> bool:
    """Tell whether `char` is a combining mark (Thai or any other script's)."""
    return char in THAI_MARKS or unicodedata.combining(char) != 0 or (
        unicodedata.category(char) in ("Mn", "Me", "Mc"))


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def words(text: str) -> tuple[str, ...]:
    """Return `text` as the units a line may break between; joined, they give `text` back.

    A run of spaces is a unit of its own. Thai text is split into newmm's words; non-Thai
    text only at spaces (and where it meets Thai). Closing punctuation (")", ",", "…", "ๆ")
    stays with the unit before it, opening punctuation with the unit after it, a hyphen with
    both ("คน-ครั้ง": a break there reads as a word cut in two), and a place
    name of at most two words and 8 characters with its prefix (ต. อ. จ. ตำบล อำเภอ จังหวัด:
    "ต.ท่าไร่", "ตำบลท่าไร่").
    """
    return _words(str(text))


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    units: list[str] = []
    for run in _runs(text):
        if run.isspace() or not any(_is_thai(char) for char in run):
            units.append(run)
        else:
            units.extend(_segment(run))
    return tuple(_glued(units))


def _runs(text: str) -> list[str]:
    """Split text into runs of spaces and runs of anything else."""
    runs: list[str] = []
    for char in text:
        if runs and runs[-1][-1].isspace() == char.isspace():
            runs[-1] += char
        else:
            runs.append(char)
    return runs


def _segment(run: str) -> list[str]:
    """Return newmm's words of a run without spaces (a dictionary, longest matching)."""
    from pythainlp.tokenize.newmm import segment

    return [word for word in segment(run, custom_dict=_dictionary()) if word]


class WordSet:
    """pythainlp's word dictionary as newmm reads it (`prefixes`), held in a set.

    pythainlp's own Trie builds a node per character of its 62,000 words in Python: about a
    second in every kernel that draws Thai. A set is built in a hundredth of that, and listing
    the words that start at a position by slicing gives the same words in the same order.
    """

    def __init__(self, words):
        self._words = frozenset(word.strip() for word in words) - {""}
        self._longest: dict[str, int] = {}
        for word in self._words:
            self._longest[word[0]] = max(self._longest.get(word[0], 0), len(word))

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """Return the words of the dictionary that `text` has at `start`, shortest first."""
        if start >= len(text):
            return []
        end = min(len(text), start + self._longest.get(text[start], 0))
        return [text[start:stop] for stop in range(start + 1, end + 1)
                if text[start:stop] in self._words]


@functools.cache
def _dictionary() -> WordSet:
    from pythainlp.corpus import thai_words

    return WordSet(thai_words())


_HYPHEN = "-"


def _glued(units: list[str]) -> list[str]:
    glued: list[str] = []
    for unit in units:
        if glued and not unit.isspace() and not glued[-1].isspace() and (
                is_mark(unit[0]) or unit[0] in _CLOSING or glued[-1][-1] in _OPENING
                or _HYPHEN in (unit[0], glued[-1][-1]) or _continues_place(glued[-1], unit)):
            glued[-1] += unit
        else:
            glued.append(unit)
    return glued


def _continues_place(before: str, unit: str) -> bool:
    """Tell whether `unit` is part of a place name that `before` began with its prefix."""
    if not all(_is_thai(char) for char in unit):
        return False
    prefix = next((p for p in _PLACE_PREFIXES if before.startswith(p)
                   and not any(c.isspace() for c in before)), None)
    if prefix is None or len(before) - len(prefix) + len(unit) > _LONGEST_PLACE:
        return False
    return before == prefix or len(_segment(before[len(prefix):])) < 2


def breaks(text: str) -> set[int]:
    """Return the positions of `text` where a line may break: the starts of its units but the
    first (a line never starts with a space: the spaces' unit ends one line; nor with a mark
    that lost its base)."""
    positions, at = set(), 0
    for unit in words(text):
        if at and not unit.isspace() and not is_mark(unit[0]):
            positions.add(at)
        at += len(unit)
    return positions
