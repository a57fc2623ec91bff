"""The Sarabun fonts from PyPI (fontpkg-sarabun) and which characters they can draw."""

from __future__ import annotations

import functools
import pathlib
import unicodedata


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
        available = sorted(p.stem.removeprefix("Sarabun-")
                           for p in sarabun_dir().glob("Sarabun-*.ttf"))
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
