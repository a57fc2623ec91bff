"""The report's HTML as WeasyPrint lays it out: a word kept whole only where Pango would cut it.

`tables.whole_words` puts each Thai word of a table cell in a no-wrap span and a <wbr> between
two words, so that a line breaks only where pythainlp's newmm ends a word. That is a thousand
inline boxes a report, most of them around words that Pango (which WeasyPrint breaks Thai
with) would not cut anyway, and a fifth of WeasyPrint's layout time. `lean_word_breaks` gives
the same break opportunities with fewer boxes: for each run of a cell's text, Pango's breaks
are computed once; a word's span stays only where Pango has a break inside the word, and each
<wbr> becomes the zero-width space that WeasyPrint draws for it anyway (`wbr::before`).

The HTML published beside the PDF keeps every span: it is the one a browser shows.
"""

from __future__ import annotations

import html
import re

from weasyprint.text.line_break import get_log_attrs

WORD_SPAN = re.compile(r'<span class="w">([^<]*)</span>')
# A run of a cell's text: after a tag, text, word spans and <wbr>s, up to any other tag.
_RUN = re.compile(r'(?<=>)(?:<span class="w">[^<]*</span>|<wbr\s*/?>|[^<]+)+')
_PIECE = re.compile(r'<span class="w">(?P<word>[^<]*)</span>|(?P<wbr><wbr\s*/?>)|(?P<text>[^<]+)')
ZERO_WIDTH_SPACE = "\u200b"


def lean_word_breaks(document: str, lang: str = "th") -> str:
    """Return `document` with the word spans Pango does not need unwrapped (see above)."""
    return _RUN.sub(lambda run: _lean_run(run.group(0), lang), document)


def _lean_run(run: str, lang: str) -> str:
    if '<span class="w">' not in run and "<wbr" not in run:
        return run
    pieces = []  # (markup, text as laid out, is a word)
    for piece in _PIECE.finditer(run):
        if piece["word"] is not None:
            pieces.append((piece["word"], html.unescape(piece["word"]), True))
        elif piece["wbr"] is not None:
            pieces.append((ZERO_WIDTH_SPACE, ZERO_WIDTH_SPACE, False))
        else:
            pieces.append((piece["text"], html.unescape(piece["text"]), False))
    text = "".join(laid_out for _, laid_out, _ in pieces)
    attrs = get_log_attrs(text, lang)
    lean, at = [], 0
    for markup, laid_out, is_word in pieces:
        end = at + len(laid_out)
        if is_word and any(attrs[i].is_line_break for i in range(at + 1, end)):
            markup = f'<span class="w">{markup}</span>'
        lean.append(markup)
        at = end
    return "".join(lean)
