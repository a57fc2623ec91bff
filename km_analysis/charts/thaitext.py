"""Thai text in a given width, for drawings: Thai has no spaces between words, so lines break
by measured width between the words of `thai.words` (pythainlp's newmm dictionary), never
inside a word: a word wider than the line stands alone on it, and the layouts make room.
"""

from __future__ import annotations

import functools

from .. import thai
from .style import _register_sarabun

# Break qualities: where a line may end, best first.
_AT_SPACE, _AT_WORD, _NEVER = 3, 2, 0
_is_mark = thai.is_mark


def break_qualities(text: str) -> list[float]:
    """Return, for each position i of `text`, how good a line break before text[i] is.

    3 after a space; 2 between two words (`thai.words`: newmm's words, punctuation kept with
    its word, a place name with its prefix); 0 never (inside a word, before a space, at 0).
    """
    qualities = [_NEVER] * len(text)
    for i in thai.breaks(text):
        qualities[i] = _AT_SPACE if text[i - 1].isspace() else _AT_WORD
    return qualities


def _char_widths(text: str, fontsize: float, weight: str) -> list[float]:
    return [_char_width(char, fontsize, weight) for char in text]


def _char_width(char: str, fontsize: float, weight: str) -> float:
    """Return the advance of one character in points (combining marks: 0; text_width keeps
    the others)."""
    return 0.0 if _is_mark(char) else text_width(char, fontsize, weight)


@functools.lru_cache(maxsize=16384)
def text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Return the width of `text` in points, set in Sarabun at `fontsize` (kept: a fish's
    layout measures the same lines at each size and item count it tries)."""
    from matplotlib.font_manager import FontProperties

    _register_sarabun()
    width, _, _ = text_metrics(text, FontProperties(family="Sarabun", size=fontsize,
                                                    weight=weight))
    return width


def text_metrics(text: str, prop, ismath=False) -> tuple[float, float, float]:
    """Return the (width, height, descent) in points of `text` set in the font `prop`, as
    matplotlib's TextToPath measures it (what `text_width` and a drawing's lines use).

    Kept for the process (matplotlib keeps them only for one renderer, that is one drawing):
    a report's fish measure the same lines at each size their layout tries, then again when
    drawn, and shaping Thai text is most of what measuring costs.
    """
    return _metrics(text, prop.copy(), ismath)  # a copy: FontProperties can change later


@functools.lru_cache(maxsize=16384)
def _metrics(text: str, prop, ismath) -> tuple[float, float, float]:
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(text, prop, ismath=ismath)


def wrap_thai(
    text: str,
    width_cm: float,
    fontsize: float = 8.0,
    weight: str = "normal",
    max_lines: int | None = None,
) -> list[str]:
    """Return `text` broken into lines no wider than width_cm, set in Sarabun at fontsize.

    Lines break at a space when one falls past 40% of the line, else between words (newmm's,
    `thai.words`): never inside a word. A word wider than the whole line stands alone on its
    line, wider than asked (`text_width` tells). With max_lines, the last line kept ends in "…"
    after a whole word when text is cut.
    """
    width_pt = width_cm / 2.54 * 72
    return _wrap(text, lambda _: width_pt, fontsize, weight, max_lines)


def _wrap(text, width_of_line, fontsize, weight, max_lines=None) -> list[str]:
    """Return text's lines, line k no wider than width_of_line(k) points."""
    text, qualities, prefix = _measured(str(text), fontsize, weight)
    if not text:
        return []
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


@functools.lru_cache(maxsize=4096)
def _measured(text: str, fontsize: float, weight: str) -> tuple[str, tuple, tuple]:
    """Return text with its spaces collapsed, the quality of a break before each character and
    the width of each prefix, in points (kept: a layout wraps a text at several widths)."""
    text = " ".join(text.split())
    prefix = [0.0]
    for width in _char_widths(text, fontsize, weight):
        prefix.append(prefix[-1] + width)
    return text, tuple(break_qualities(text)), tuple(prefix)


def _balanced_break(text, first, second, width1, width2, qualities, prefix) -> int:
    """Return where the last line should start so that it is not a short orphan.

    The greedy break stays when the last line fills a third of its width or more; otherwise
    the break moves to the space or word break at which both lines fit and their widths are
    closest.
    """
    n = len(text)

    def used(a, b):
        while b > a and text[b - 1].isspace():
            b -= 1
        return prefix[b] - prefix[a]

    if used(second, n) >= width2 / 3:
        return second
    fitting = [i for i in range(first + 1, n) if qualities[i] > _NEVER
               and used(first, i) <= width1 + 1e-6 and used(i, n) <= width2 + 1e-6]
    if not fitting:
        return second
    good = fitting
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
        # Not even one word fits: the first word goes alone rather than being cut.
        i = start + 1
        while i < n and qualities[i] == _NEVER:
            i += 1
        return i

    def used(end):
        return prefix[end] - prefix[start]

    for quality, share in ((_AT_SPACE, 0.4), (_AT_WORD, 0.0)):
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


def _drawable(text: str, numerals: str = "arabic") -> str:
    """Return record text as a drawing writes it: its digits in the report's numerals ("หมู่ ๓"
    reads "หมู่ 3" in an Arabic-numeral report), the characters Sarabun cannot draw replaced by
    "?" (no tofu boxes)."""
    text = thai.in_numerals(str(text), numerals)
    missing = thai.uncovered_characters(text)
    for char in missing:
        text = text.replace(char, "?")
    return text
