"""Thai text in a given width, for drawings: Thai has no spaces between words, so lines break
by measured width at syllable-like boundaries, and never between a combining mark and its base.
"""

from __future__ import annotations

import unicodedata

from .. import thai
from .style import _register_sarabun

_THAI_MARKS = frozenset("\u0e31" + "".join(map(chr, range(0x0E34, 0x0E3B)))
                        + "".join(map(chr, range(0x0E47, 0x0E4F))))
_LEADING_VOWELS = frozenset("เแโใไ")
_FOLLOWING_VOWELS = frozenset("ะาำๅ")
_NO_BREAK_BEFORE = frozenset("ๆฯ)]}»”’,.:;!?%") | _FOLLOWING_VOWELS
_NO_BREAK_AFTER = frozenset("([{«“‘") | _LEADING_VOWELS
# กร, กล, กว, ปร, ตร ...: two consonants that begin one syllable.
_CLUSTER_FIRSTS = frozenset("กขคตปพผบดทจซศส")
_CLUSTER_SECONDS = frozenset("รลว")
_THANTHAKHAT = "\u0e4c"

# Break qualities: where a line may end, best first.
_AT_SPACE, _AT_SYLLABLE, _AT_CLUSTER, _LAST_RESORT, _NEVER = 3, 2, 1, 0.5, 0


def _is_mark(char: str) -> bool:
    return char in _THAI_MARKS or unicodedata.combining(char) != 0 or (
        unicodedata.category(char) in ("Mn", "Me", "Mc"))


def _is_thai_consonant(char: str) -> bool:
    return "\u0e01" <= char <= "\u0e2e"


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def break_qualities(text: str) -> list[float]:
    """Return, for each position i of `text`, how good a line break before text[i] is.

    3 after a space; 2 at a likely Thai syllable start (a leading vowel, a consonant carrying a
    vowel or tone mark, the first of two consonants that begin a syllable) or between Thai and
    other scripts; 1 at any other cluster boundary; 0.5 where only an overlong word may break
    (after a leading vowel, before a following vowel or closing punctuation, inside a Latin word
    or a number); 0 never (before a combining mark, at position 0, inside spaces).
    """
    n = len(text)
    qualities = [_NEVER] * n
    for i in range(1, n):
        char, before = text[i], text[i - 1]
        if char.isspace() or _is_mark(char):
            continue
        if before.isspace():
            qualities[i] = _AT_SPACE
        elif char in _NO_BREAK_BEFORE or before in _NO_BREAK_AFTER:
            qualities[i] = _LAST_RESORT
        elif _is_thai(char) and _is_thai(before):
            qualities[i] = _thai_break_quality(text, i)
        elif _is_thai(char) != _is_thai(before):
            qualities[i] = _AT_SYLLABLE
        elif char.isalnum() and before.isalnum():
            qualities[i] = _LAST_RESORT
        else:
            qualities[i] = _AT_CLUSTER
    return qualities


def _cluster_end(text: str, i: int) -> int:
    """Return the index after the cluster starting at i (the base and its marks)."""
    j = i + 1
    while j < len(text) and _is_mark(text[j]):
        j += 1
    return j


def _carries_vowel(text: str, i: int) -> bool:
    """Return whether the consonant at i has a vowel or tone mark (or a following vowel)."""
    end = _cluster_end(text, i)
    marks = set(text[i + 1:end]) - {_THANTHAKHAT}
    return bool(marks) or (end < len(text) and text[end] in _FOLLOWING_VOWELS)


def _thai_break_quality(text: str, i: int) -> float:
    char = text[i]
    if char in _LEADING_VOWELS:
        return _AT_SYLLABLE
    if not _is_thai_consonant(char):
        return _AT_CLUSTER
    end = _cluster_end(text, i)
    if _THANTHAKHAT in text[i:end]:
        return _LAST_RESORT  # a silenced consonant belongs to the syllable before it
    before = text[i - 1]
    if _carries_vowel(text, i):
        onset_before = before in _CLUSTER_FIRSTS and (
            i < 2 or not (_is_mark(text[i - 2]) or text[i - 2] in _FOLLOWING_VOWELS))
        if char in _CLUSTER_SECONDS and onset_before:
            return _AT_CLUSTER  # กล, กร, กว ... : the syllable began one consonant earlier
        return _AT_SYLLABLE
    # A bare consonant after a vowel or tone mark most likely closes that syllable.
    if _is_mark(before) or before in "าๅ":
        return _AT_CLUSTER
    end = _cluster_end(text, i)
    if (char in _CLUSTER_FIRSTS and end < len(text) and text[end] in _CLUSTER_SECONDS
            and _carries_vowel(text, end)):
        return _AT_SYLLABLE  # this consonant and the next begin a syllable together
    return _AT_CLUSTER  # e.g. ตำ|บล, ระ|บบ: a syllable break, but inside a word


def _char_widths(text: str, fontsize: float, weight: str) -> list[float]:
    return [_char_width(char, fontsize, weight) for char in text]


_WIDTHS: dict[tuple[str, float, str], float] = {}


def _char_width(char: str, fontsize: float, weight: str) -> float:
    """Return the advance of one character in points (combining marks: 0)."""
    key = (char, fontsize, weight)
    if key not in _WIDTHS:
        _WIDTHS[key] = text_width(char, fontsize, weight) if not _is_mark(char) else 0.0
    return _WIDTHS[key]


def text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Return the width of `text` in points, set in Sarabun at `fontsize`."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    _register_sarabun()
    properties = FontProperties(family="Sarabun", size=fontsize, weight=weight)
    width, _, _ = text_to_path.get_text_width_height_descent(text, properties, ismath=False)
    return width


def wrap_thai(
    text: str,
    width_cm: float,
    fontsize: float = 8.0,
    weight: str = "normal",
    max_lines: int | None = None,
) -> list[str]:
    """Return `text` broken into lines no wider than width_cm, set in Sarabun at fontsize.

    Lines break at a space when one falls past 40% of the line, else at a likely Thai
    syllable start past half the line, else at any cluster boundary: never between a combining mark
    (U+0E31, U+0E34-U+0E3A, U+0E47-U+0E4E) and its base. A word wider than the whole line
    breaks where it must. With max_lines, the last line kept ends in "…" when text is cut.
    """
    width_pt = width_cm / 2.54 * 72
    return _wrap(text, lambda _: width_pt, fontsize, weight, max_lines)


def _wrap(text, width_of_line, fontsize, weight, max_lines=None) -> list[str]:
    """Return text's lines, line k no wider than width_of_line(k) points."""
    text = " ".join(str(text).split())
    if not text:
        return []
    qualities = break_qualities(text)
    prefix = [0.0]
    for width in _char_widths(text, fontsize, weight):
        prefix.append(prefix[-1] + width)
    starts: list[int] = []
    start, n = 0, len(text)
    while start < n:
        starts.append(start)
        end = _line_end(text, start, width_of_line(len(starts) - 1), qualities, prefix)
        start = end
        while start < n and text[start].isspace():
            start += 1
        if max_lines is not None and len(starts) == max_lines and start < n:
            line = text[starts[-1]:end].rstrip()
            lines = [text[a:b].rstrip() for a, b in zip(starts, [*starts[1:], end], strict=True)]
            lines[-1] = _ellipsised(line, width_of_line(len(starts) - 1), fontsize, weight)
            return lines
    if len(starts) >= 2:
        starts[-1] = _balanced_break(text, starts[-2], starts[-1], width_of_line(len(starts) - 2),
                                     width_of_line(len(starts) - 1), qualities, prefix)
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], n], strict=True)]


def _balanced_break(text, first, second, width1, width2, qualities, prefix) -> int:
    """Return where the last line should start so that it is not a short orphan.

    The greedy break stays when the last line fills a third of its width or more; otherwise
    the break moves to the space or syllable break (else any break) at which both lines fit
    and their widths are closest.
    """
    n = len(text)

    def used(a, b):
        while b > a and text[b - 1].isspace():
            b -= 1
        return prefix[b] - prefix[a]

    if used(second, n) >= width2 / 3:
        return second
    fitting = [i for i in range(first + 1, n) if qualities[i] > _LAST_RESORT
               and used(first, i) <= width1 + 1e-6 and used(i, n) <= width2 + 1e-6]
    if not fitting:
        return second
    good = [i for i in fitting if qualities[i] >= _AT_SYLLABLE] or fitting
    # The most even pair of lines, a space counting as a quarter of a line evener.
    return min(good, key=lambda i: abs(used(first, i) - used(i, n))
               - (width2 / 4 if qualities[i] >= _AT_SPACE else 0))


def _line_end(text, start, width, qualities, prefix) -> int:
    """Return where the line starting at `start` ends (the index the next line starts at)."""
    n = len(text)

    def fits(end):
        stripped = end
        while stripped > start and text[stripped - 1].isspace():
            stripped -= 1
        return prefix[stripped] - prefix[start] <= width + 1e-6

    if fits(n):
        return n
    candidates = [i for i in range(start + 1, n) if qualities[i] > _NEVER and fits(i)]
    if not candidates:
        # Not even one cluster fits: the first cluster goes alone rather than being cut.
        i = start + 1
        while i < n and qualities[i] == _NEVER:
            i += 1
        return i

    def used(end):
        return prefix[end] - prefix[start]

    for quality, share in ((_AT_SPACE, 0.4), (_AT_SYLLABLE, 0.5), (_AT_CLUSTER, 0.0)):
        good = [i for i in candidates if qualities[i] >= quality and used(i) >= share * width]
        if good:
            return max(good)
    return max(candidates)


def _ellipsised(line: str, width: float, fontsize: float, weight: str) -> str:
    """Return line shortened at a break so that it ends in "…" within width."""
    ellipsis = _char_width("…", fontsize, weight)
    widths = _char_widths(line, fontsize, weight)
    if sum(widths) + ellipsis <= width:
        return line + "…"
    qualities = break_qualities(line)
    for end in range(len(line) - 1, 0, -1):
        if qualities[end] > _NEVER and sum(widths[:end]) + ellipsis <= width:
            return line[:end].rstrip() + "…"
    return line + "…"


def _drawable(text: str) -> str:
    """Return text with the characters Sarabun cannot draw replaced by "?" (no tofu boxes)."""
    text = str(text)
    missing = thai.uncovered_characters(text)
    for char in missing:
        text = text.replace(char, "?")
    return text
