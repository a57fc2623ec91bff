"""Making a report PDF's text layer read as its pages show: Thai SARA AM, tone marks, alternates.

Thai offices copy text out of PDFs. HarfBuzz draws ำ (SARA AM, U+0E33) as two glyphs, NIKHAHIT
(ํ, U+0E4D, moved before any tone mark, with which Sarabun ligates it) and SARA AA (า), and
WeasyPrint's ToUnicode map gives each glyph the text it was first seen with: the glyph shared by
า and ำ reads "ำ" everywhere (กำร for การ) or "า" everywhere (คุณอานวย), and a glyph first seen
inside a cluster of several glyphs reads "" or the whole cluster, in the whole document.

`fix_text_layer` rewrites the finished PDF. It copies and patches nothing of WeasyPrint; it
checks the shape it relies on and raises `TextLayerError` when the PDF has another.

1. Fonts. A TrueType font from WeasyPrint is a Type0 font, encoding Identity-H (or, when a
   character is missing from the font, an embedded CMap sending its code to .notdef), whose
   CIDFontType2 descendant maps CIDs to glyph ids one to one and embeds (FontFile2) a subset of
   one Sarabun TTF of `thai.sarabun_dir()` that keeps the original glyph ids. The subset keeps
   its name table but loses GSUB, so the face is found by PostScript name and version, and every
   glyph the PDF uses must have the same outline and advance in the subset as in that face: a
   subset that renumbered glyphs, or a PDF made with another release of Sarabun, raises. Fonts
   whose program is not Sarabun are left alone, unless their text layer holds Thai, which this
   module cannot vouch for: that raises too.

2. Glyph text, read by pypdf and pdfminer (which ignore ActualText). Each glyph's text comes from
   the full face: its cmap, else the GSUB rules that make it: a single or alternate
   substitution gives the source glyph's text (`.narrow` and `.small` marks, ฐ ญ without
   descender), a ligature its components' texts (NIKHAHIT + tone). Where the cmap or GSUB allow
   several texts (the fi ligature is "fi" and U+FB01) WeasyPrint's own entry is kept if it is
   one of them. So ำ reads ํา (its compatibility decomposition), never กำร, never a lost vowel.

3. Cluster text, read by poppler (pdftotext) and PDFium, which honour ActualText. The source
   text is not in the PDF and WeasyPrint's clusters are known only to its internals, so the text
   of a cluster is rebuilt from its glyphs (option i of issue 7): a base glyph and the mark
   glyphs on it; if the marks hold one NIKHAHIT and a SARA AA glyph follows, the cluster draws
   SARA AM, takes the SARA AA in, and reads in canonical order: base, tone mark, ำ. (ํ typed
   before า looks the same and reads as ำ, which is how `thai.normalise` stores it anyway.)
   Such clusters are wrapped in `/Span <</ActualText …>> BDC … EMC`, and so is every cluster
   with a mark, which poppler would otherwise place by its position alone: stacked marks (ที่
   came out ท่ี, ผู้ป as ผูป + a stray ้ on the next line), a bold ี drawn low enough to be read
   on the next line (ยังไม่มีวันใหม่ as ยังไม่มว + ี ันใหม่), and a mark the font shifts left
   far enough that the pen then jumps right (ปั้น read ปั้ น); such a span extends over the
   next cluster so that it ends where the pen is. A span also takes in the spaces right after
   it, because PDFium drops a space drawn alone between two spans. Spans never cross BT/ET,
   marked content, q/Q or a font change; they may cross text-showing operators (a mark drawn
   with text rise has its own TJ), which are split where a span begins or ends. Text already
   inside an ActualText span is left as it is, so fixing twice changes nothing more.

4. Spaces that are not there. After a mark shifted left, WeasyPrint moves the pen back right
   with one TJ displacement, which pypdf takes for a word space (ปั้ น). That displacement is
   written as several smaller ones that add up to it. Splitting TJ and displacements changes no
   position: poppler renders the fixed PDF pixel for pixel as before (PDFium, which rounds each
   text object on its own, may move a glyph's anti-aliasing by a fraction of a pixel).

A PDF in which no font is Sarabun (no text, or not made by WeasyPrint from the report's CSS)
is returned unchanged, byte for byte.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pikepdf
from fontTools import agl
from fontTools.ttLib import TTFont, TTLibError

from .. import thai
from ..errors import TextLayerError

NIKHAHIT = "\u0e4d"
SARA_AA = "\u0e32"
SARA_AM = "\u0e33"
# A pen move to the right after a mark, in thousandths of an em, that readers take for a gap
# (poppler breaks words at 0.1 em, pypdf at about 0.11 em of Sarabun): half of it, to be safe.
SHIFTED_MARK = 50
_THAI = re.compile("[\u0e00-\u0e7f]")
# Instructions a span cannot cross: text objects, marked content, XObjects, graphics state, fonts.
_SPAN_BOUNDARIES = frozenset({"BT", "ET", "BDC", "BMC", "EMC", "MP", "DP", "Do", "Tf",
                              "BI", "q", "Q"})
_SHOW = frozenset({"Tj", "TJ", "'", '"'})
_WATCHED = _SHOW | _SPAN_BOUNDARIES


# ---------------------------------------------------------------------------------------------
# What each glyph of a Sarabun face draws


@dataclass
class Face:
    """One Sarabun TTF: the text each glyph draws, and every text it may stand for."""

    path: Path
    font: TTFont
    texts: dict[int, str]  # glyph id -> its text; glyphs without a derivable text are absent
    alternatives: dict[int, frozenset[str]]  # glyph id -> every text cmap and GSUB give it
    ambiguous: dict[int, tuple[str, ...]]  # glyph id -> different texts GSUB makes it from
    _outlines: dict[int, tuple] = field(default_factory=dict, repr=False)

    def glyph_name(self, gid: int) -> str:
        """Return the name of glyph `gid` in the font, or "glyph N" past the last one."""
        order = self.font.getGlyphOrder()
        return order[gid] if gid < len(order) else f"glyph {gid}"

    def outline(self, gid: int) -> tuple:
        """Return what a subset must keep of glyph `gid`: points, contours, on-curve, advance."""
        if gid not in self._outlines:
            self._outlines[gid] = _outline(self.font, self.font.getGlyphOrder()[gid])
        return self._outlines[gid]


def _outline(font: TTFont, name: str) -> tuple:
    glyf = font["glyf"]
    coordinates, ends, flags = glyf[name].getCoordinates(glyf)
    return (tuple(coordinates), tuple(ends), tuple(f & 1 for f in flags), font["hmtx"][name][0])


def installed_face(identity: tuple[str, str]) -> Path | None:
    """Return the Sarabun TTF of the font package with this (PostScript name, version)."""
    named = thai.sarabun_dir() / f"{identity[0]}.ttf"  # Sarabun-Bold.ttf is Sarabun-Bold
    if named.is_file() and _file_identity(named) == identity:
        return named
    return next((path for path in sorted(thai.sarabun_dir().glob("*.ttf"))
                 if _file_identity(path) == identity), None)


@functools.cache
def _file_identity(path: Path) -> tuple[str, str]:
    with TTFont(path, lazy=True) as font:
        return _identity(font)


def _identity(font: TTFont) -> tuple[str, str]:
    """Return a font's PostScript name and version string ("" for what it lacks)."""
    if "name" not in font:
        return ("", "")
    names = font["name"]
    return (names.getDebugName(6) or "", names.getDebugName(5) or "")


def read_installed_faces(paths: Iterable[Path]) -> None:
    """Read the installed faces at `paths` and their glyphs' outlines, kept for the process.

    `fix_text_layer` compares the PDF's fonts with them; a render reads them while its
    notebook runs (report/render.py), when it would otherwise wait.
    """
    for path in paths:
        _file_identity(path)
        installed = face(path)
        for gid in range(len(installed.font.getGlyphOrder())):
            installed.outline(gid)


@functools.cache
def face(path: Path) -> Face:
    """Return the glyph texts of the TTF at `path`: its cmap, then what its GSUB derives."""
    font = TTFont(path, lazy=True)
    order = font.getGlyphOrder()
    cmap: dict[str, set[str]] = {}
    for code, name in font.getBestCmap().items():
        cmap.setdefault(name, set()).add(chr(code))
    known = {name: min(chars) for name, chars in cmap.items()}
    singles, ligatures = _gsub_rules(font)

    def derived() -> Iterator[tuple[str, str]]:
        for source, target in singles:
            if source in known:
                yield target, known[source]
        for components, target in ligatures:
            if all(c in known for c in components):
                yield target, "".join(known[c] for c in components)

    ambiguous: dict[str, tuple[str, ...]] = {}
    while True:
        candidates: dict[str, dict[str, None]] = {}
        for target, text in derived():
            if target not in known and target not in ambiguous:
                candidates.setdefault(target, {})[text] = None
        if not candidates:
            break
        for name, texts in candidates.items():
            text = _one_text(name, tuple(texts))
            if text is None:
                ambiguous[name] = tuple(texts)
            else:
                known[name] = text
    alternatives = {name: set(chars) for name, chars in cmap.items()}
    for target, text in derived():
        alternatives.setdefault(target, set()).add(text)
    gid = {name: i for i, name in enumerate(order)}
    return Face(
        path=path, font=font, texts={gid[name]: text for name, text in known.items()},
        alternatives={gid[name]: frozenset(texts) for name, texts in alternatives.items()},
        ambiguous={gid[name]: texts for name, texts in ambiguous.items()},
    )


def _gsub_rules(font: TTFont) -> tuple[list[tuple[str, str]], list[tuple[tuple[str, ...], str]]]:
    """Return the single and alternate substitutions and the ligatures of the font's GSUB."""
    singles: list[tuple[str, str]] = []
    ligatures: list[tuple[tuple[str, ...], str]] = []
    if "GSUB" not in font or font["GSUB"].table.LookupList is None:
        return singles, ligatures
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for subtable in lookup.SubTable:
            kind = lookup.LookupType
            if kind == 7:  # an extension holds the real subtable
                subtable, kind = subtable.ExtSubTable, subtable.ExtensionLookupType
            if kind == 1:
                singles += subtable.mapping.items()
            elif kind == 3:
                singles += [(s, t) for s, alts in subtable.alternates.items() for t in alts]
            elif kind == 4:
                ligatures += [((first, *lig.Component), lig.LigGlyph)
                              for first, ligs in subtable.ligatures.items() for lig in ligs]
            # A multiple substitution (ำ -> ํ า) makes glyphs that have their own cmap entries;
            # contextual lookups only apply the lookups above.
    return singles, ligatures


def _one_text(name: str, texts: tuple[str, ...]) -> str | None:
    """Return the text of a glyph GSUB makes in several ways; None if they differ in letters."""
    if len(texts) == 1:
        return texts[0]
    if len({"".join(sorted(t)) for t in texts}) > 1:
        return None
    # The same letters in another order (ํ่ and ่ํ): the glyph's name says which.
    by_name = agl.toUnicode(name.split(".")[0])
    return by_name if by_name in texts else texts[0]


# ---------------------------------------------------------------------------------------------
# Fonts of the PDF


@dataclass
class PdfFont:
    """A font of the PDF and, if it is a Sarabun subset, its face (None: left as it is)."""

    obj: pikepdf.Dictionary
    label: str
    program: str = "no embedded TrueType program"  # what its FontFile2 says it is
    face: Face | None = None
    embedded: TTFont | None = None
    # Character code -> glyph id when the encoding is an embedded CMap (None: Identity-H).
    cids: dict[int, int] | None = None
    used: set[int] = field(default_factory=set)  # character codes shown
    _texts: dict[int, str] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def written(self) -> dict[int, str]:
        """Return the ToUnicode entries the PDF came with."""
        stream = self.obj.get("/ToUnicode")
        return read_to_unicode(stream.read_bytes()) if isinstance(stream, pikepdf.Stream) else {}

    def gid(self, code: int) -> int:
        """Return the glyph id a character code shows (CID = glyph id: identity CIDToGIDMap)."""
        return code if self.cids is None else self.cids.get(code, 0)

    def text(self, code: int) -> str:
        """Return what the glyph of `code` draws; TextLayerError if the face does not tell."""
        if code in self._texts:
            return self._texts[code]
        gid = self.gid(code)
        written = self.written.get(code)
        if gid == 0:  # .notdef stands for a character Sarabun lacks: only WeasyPrint knows it
            text = written or ""
        elif written is not None and written in self.face.alternatives.get(gid, ()):
            text = written
        elif gid in self.face.texts:
            text = self.face.texts[gid]
        else:
            reason = ("GSUB makes it from " + " and ".join(map(repr, self.face.ambiguous[gid]))
                      if gid in self.face.ambiguous
                      else "no text in the face's cmap or GSUB")
            raise TextLayerError(
                f"font {self.label}, glyph {gid} ({self.face.glyph_name(gid)})", reason,
                f"a glyph of {self.face.path.name} that draws one known text")
        self._texts[code] = text
        return text


def _read_font(obj: pikepdf.Object) -> PdfFont:
    label = str(obj.get("/BaseFont", "(unnamed)"))
    where = f"font {label}"
    program = _font_program(obj)
    if program is None:
        if "Sarabun" in label:
            raise TextLayerError(where, "no embedded TrueType program",
                                 "a Type0 font embedding a FontFile2 subset of Sarabun")
        return PdfFont(obj, label)
    try:
        embedded = TTFont(io.BytesIO(program.read_bytes()), lazy=True)
        identity = _identity(embedded)
    except (TTLibError, KeyError, ValueError, AssertionError, pikepdf.PdfError) as exc:
        raise TextLayerError(where, f"an unreadable font program ({exc})",
                             "a TrueType subset of Sarabun") from None
    if not identity[0].startswith("Sarabun"):
        return PdfFont(obj, label, f"font program {identity[0] or '(unnamed)'}")
    path = installed_face(identity)
    if path is None:
        raise TextLayerError(where, f"{identity[0]} {identity[1]!r}",
                             f"one of the faces in {thai.sarabun_dir()}")
    descendant = obj.DescendantFonts[0]
    encoding = obj.get("/Encoding")
    for ok, expected in (
        (encoding == "/Identity-H" or isinstance(encoding, pikepdf.Stream),
         "encoding Identity-H or an embedded CMap"),
        (descendant.get("/Subtype") == "/CIDFontType2", "a CIDFontType2 descendant"),
        (descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) == "/Identity",
         "the identity CIDToGIDMap"),
    ):
        if not ok:
            raise TextLayerError(where, "another font structure", expected)
    # WeasyPrint embeds a CMap, mostly the identity, when a character is missing from the font:
    # its code then shows CID 0, .notdef.
    cids = None if encoding == "/Identity-H" else read_cid_cmap(encoding.read_bytes(), where)
    return PdfFont(obj, label, identity[0], face(path), embedded, cids)


def _font_program(obj: pikepdf.Object) -> pikepdf.Stream | None:
    if obj.get("/Subtype") != "/Type0":
        return None
    descendants = obj.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        return None
    descriptor = descendants[0].get("/FontDescriptor")
    program = descriptor.get("/FontFile2") if descriptor is not None else None
    return program if isinstance(program, pikepdf.Stream) else None


def _verify_subset(font: PdfFont) -> None:
    """Raise unless every glyph used has the same outline and advance as in the face."""
    order = font.embedded.getGlyphOrder()
    for gid in sorted({font.gid(code) for code in font.used} - {0}):
        if gid >= len(order) or _outline(font.embedded, order[gid]) != font.face.outline(gid):
            raise TextLayerError(
                f"font {font.label}, glyph {gid}",
                f"a glyph unlike {font.face.glyph_name(gid)} of {font.face.path.name}",
                "a subset that keeps the face's glyph ids")


# ---------------------------------------------------------------------------------------------
# ToUnicode maps

_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def read_to_unicode(data: bytes) -> dict[int, str]:
    """Return the glyph code -> text entries (bfchar and bfrange) of a ToUnicode CMap."""
    entries: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        codes = [_hex(h) for h in _HEX.findall(block)]
        for code, text in zip(codes[::2], codes[1::2]):
            entries[int.from_bytes(code, "big")] = _utf16(text)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(
                rb"<([^>]*)>\s*<([^>]*)>\s*(\[[^\]]*\]|<[^>]*>)", block):
            start, end = int.from_bytes(_hex(low), "big"), int.from_bytes(_hex(high), "big")
            if target.startswith(b"["):
                for offset, text in enumerate(_HEX.findall(target)):
                    entries[start + offset] = _utf16(_hex(text))
            else:
                first = _hex(target[1:-1])
                for offset in range(end - start + 1):
                    last = int.from_bytes(first[-2:], "big") + offset
                    entries[start + offset] = _utf16(first[:-2] + last.to_bytes(2, "big"))
    return entries


def read_cid_cmap(data: bytes, where: str) -> dict[int, int]:
    """Return the code -> CID entries (cidchar and cidrange) of a two-byte encoding CMap."""
    if not re.search(rb"begincodespacerange\s*<0000>\s*<ffff>\s*endcodespacerange", data, re.I):
        raise TextLayerError(where, "an encoding CMap with another code space",
                             "two-byte codes <0000> to <FFFF>")
    entries: dict[int, int] = {}
    for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
        for code, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*(\d+)", block):
            entries[int(code, 16)] = int(cid)
    for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
        for low, high, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)",
                                         block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                entries[int(low, 16) + offset] = int(cid) + offset
    return entries


def _hex(text: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", text).decode())


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", errors="replace")


def write_to_unicode(entries: dict[int, str]) -> bytes:
    """Return a ToUnicode CMap mapping each two-byte character code to its text."""
    lines = [
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
        b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange",
    ]
    items = sorted(entries.items())
    for start in range(0, len(items), 100):  # a CMap block holds at most 100 entries
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>".encode()
                  for gid, text in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"


def _fix_font(font: PdfFont) -> None:
    font.used |= set(font.written)
    _verify_subset(font)
    data = write_to_unicode({code: font.text(code) for code in font.used
                             if font.gid(code) != 0 or code in font.written})
    stream = font.obj.get("/ToUnicode")
    if isinstance(stream, pikepdf.Stream):
        stream.write(data)
    else:
        font.obj.ToUnicode = pikepdf.Stream(font.obj.get_owner(), data)


def _check_foreign_font(font: PdfFont) -> None:
    if any(_THAI.search(text) for text in font.written.values()):
        raise TextLayerError(f"font {font.label} ({font.program})",
                             "Thai text in a font that is not one of the Sarabun faces",
                             "Thai drawn only with the Sarabun faces of the font package")


# ---------------------------------------------------------------------------------------------
# Glyphs, clusters and spans


class Glyph(NamedTuple):
    """One glyph a content stream shows: where it is, what it reads, how the pen moved to it."""

    op: int  # index of the text-showing instruction
    item: int  # index of the string among its operands (the TJ array, or 0)
    offset: int  # byte offset in that string
    text: str
    shift: float = 0.0  # TJ displacement just before it, thousandths of an em (> 0: left)


class Span(NamedTuple):
    """Glyphs first..last (inclusive, in drawing order) whose real text is `text`."""

    first: Glyph
    last: Glyph
    text: str


@functools.lru_cache(maxsize=4096)
def _is_mark(text: str) -> bool:
    return bool(text) and all(map(thai.is_mark, text))


class Cluster(NamedTuple):
    """Glyphs start..end-1 of a run: a base glyph, its marks, and what they read as."""

    start: int
    end: int  # one past the last glyph
    text: str
    marks: int
    sara_am: bool


def clusters(glyphs: list[Glyph]) -> Iterator[Cluster]:
    """Yield the clusters of a glyph run: a base glyph and its marks (SARA AA if SARA AM).

    A cluster whose marks hold one NIKHAHIT, followed by the SARA AA glyph, draws SARA AM; it
    reads in canonical order: base, its other marks (the tone mark), ำ.
    """
    start, count = 0, len(glyphs)
    while start < count:
        base = not _is_mark(glyphs[start].text)
        end = start + base
        while end < count and _is_mark(glyphs[end].text):
            end += 1
        marks = end - start - base
        text = "".join(g.text for g in glyphs[start:end]) if end - start > 1 else (
            glyphs[start].text)
        sara_am = (marks > 0 and text.count(NIKHAHIT) == 1 and end < count
                   and glyphs[end].text == SARA_AA)
        if sara_am:
            text = text.replace(NIKHAHIT, "") + SARA_AM
            end += 1
        yield Cluster(start, end, text, marks, sara_am)
        start = end


def spans(glyphs: list[Glyph]) -> list[Span]:
    """Return the spans of a glyph run that need ActualText (see the module's docstring)."""
    found: list[Span] = []
    pending: Cluster | None = None  # a span still growing
    for cluster in clusters(glyphs):
        if pending is not None:
            # A span extends over the cluster the pen jumps to, and over spaces after it.
            if _shifted(glyphs, pending) or cluster.text.isspace():
                pending = Cluster(pending.start, cluster.end, pending.text + cluster.text,
                                   pending.marks, pending.sara_am)
                continue
            found.append(Span(glyphs[pending.start], glyphs[pending.end - 1], pending.text))
            pending = None
        if cluster.sara_am or cluster.marks >= 1 or _shifted(glyphs, cluster):
            pending = cluster
    if pending is not None:
        found.append(Span(glyphs[pending.start], glyphs[pending.end - 1], pending.text))
    return found


def _shifted(glyphs: list[Glyph], cluster: Cluster) -> bool:
    """Tell whether the cluster ends with a mark after which the pen jumps right."""
    return (cluster.end < len(glyphs) and _is_mark(glyphs[cluster.end - 1].text)
            and glyphs[cluster.end].shift <= -SHIFTED_MARK)


# ---------------------------------------------------------------------------------------------
# Content streams


class _Fonts:
    """The PDF's fonts by object, each read once."""

    def __init__(self):
        self.by_object: dict[tuple, PdfFont] = {}

    def get(self, obj: pikepdf.Object) -> PdfFont:
        # A direct font dictionary (WeasyPrint writes none) is known by its content.
        key = obj.objgen if obj.is_indirect else ("direct", bytes(obj.unparse()))
        if key not in self.by_object:
            self.by_object[key] = _read_font(obj)
        return self.by_object[key]


def _strings(operands) -> list:
    """Return what a text-showing instruction shows: its strings and TJ displacements."""
    shown = operands[-1]
    return list(shown) if isinstance(shown, pikepdf.Array) else [shown]


@dataclass
class _Scan:
    """Walks content streams; records the glyphs each Sarabun font uses and the spans."""

    fonts: _Fonts
    seen_forms: set = field(default_factory=set)
    # (instruction, TJ item) of each displacement that returns the pen after a shifted mark
    returns: set[tuple[int, int]] = field(default_factory=set)

    def stream(self, instructions, resources, font: PdfFont | None = None) -> list[Span]:
        """Return the spans of one content stream (its Form XObjects are fixed in place)."""
        font_resources = resources.get("/Font", {}) if resources is not None else {}
        stack: list[PdfFont | None] = []
        marked: list[bool] = []  # open marked content: does it carry ActualText?
        found: list[Span] = []
        run: list[Glyph] = []
        shift = 0.0
        for index, instruction in enumerate(instructions):
            # Read by attribute, and the operands only where used: they are copied at each
            # read, which cost a quarter of a second a province report.
            op = str(instruction.operator)
            if op not in _WATCHED:  # most instructions draw the drawings' shapes
                continue
            if op in _SHOW:
                if font is not None and font.face is not None:
                    # Text that already has its ActualText (a PDF fixed before) keeps it.
                    shift = self._glyphs(font, index, instruction.operands,
                                         None if any(marked) else run, shift)
                continue
            if op in _SPAN_BOUNDARIES:
                if run:
                    found += spans(run)
                run, shift = [], 0.0
            if op == "Tf":
                operands = instruction.operands
                obj = font_resources.get(str(operands[0]))
                if obj is None:
                    raise TextLayerError(f"font resource {operands[0]}", "no such font",
                                         "a font named in the resources")
                font = self.fonts.get(obj)
            elif op == "q":
                stack.append(font)
            elif op == "Q" and stack:
                font = stack.pop()
            elif op == "Do":
                self.form(resources, instruction.operands[0], font)
            elif op in ("BDC", "BMC"):
                properties = instruction.operands[1] if op == "BDC" else None
                if isinstance(properties, pikepdf.Name):  # named in the Properties resource
                    properties = resources.get("/Properties", {}).get(str(properties))
                marked.append(isinstance(properties, pikepdf.Dictionary)
                              and "/ActualText" in properties)
            elif op == "EMC" and marked:
                marked.pop()
        return found + spans(run)

    def _glyphs(self, font: PdfFont, index: int, operands, run: list[Glyph] | None,
                shift: float) -> float:
        """Add the glyphs of a text-showing instruction to the run (None: just note them)."""
        for item, value in enumerate(_strings(operands)):
            if not isinstance(value, pikepdf.String):
                number = float(value)
                shift += number
                if number <= -SHIFTED_MARK and run and _is_mark(run[-1].text):
                    self.returns.add((index, item))
                continue
            data = bytes(value)
            if len(data) % 2:
                raise TextLayerError(f"font {font.label}", "a string of odd length",
                                     "two-byte character codes")
            for offset in range(0, len(data), 2):
                code = int.from_bytes(data[offset:offset + 2], "big")
                font.used.add(code)
                if run is not None:
                    run.append(Glyph(index, item, offset, font.text(code), shift))
                shift = 0.0
        return shift

    def form(self, resources, name, font: PdfFont | None) -> None:
        xobjects = resources.get("/XObject", {}) if resources is not None else {}
        xobject = xobjects.get(str(name))
        if (not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != "/Form"
                or xobject.objgen in self.seen_forms):
            return
        self.seen_forms.add(xobject.objgen)
        instructions = pikepdf.parse_content_stream(xobject)
        outer, self.returns = self.returns, set()
        found = self.stream(instructions, xobject.get("/Resources", resources), font)
        if found or self.returns:
            xobject.write(pikepdf.unparse_content_stream(
                rewrite(instructions, found, self.returns)))
        self.returns = outer


def _actual_text(text: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(ActualText=pikepdf.String(b"\xfe\xff" + text.encode("utf-16-be")))


def rewrite(instructions, found: list[Span], returns: set[tuple[int, int]]) -> list:
    """Return the instructions with each span inside `/Span <</ActualText …>> BDC … EMC`.

    Each displacement in `returns` (the pen going back right after a mark the font shifted
    left) is split into steps too small to pass for a word space: pypdf puts a space for one
    large TJ displacement. The page draws exactly as before.
    """
    cuts: dict[int, list[tuple[int, int, int, pikepdf.ContentStreamInstruction]]] = {}
    for span in found:
        begin = pikepdf.ContentStreamInstruction(
            [pikepdf.Name.Span, _actual_text(span.text)], pikepdf.Operator("BDC"))
        end = pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))
        # At one place an EMC (0) goes before a BDC (1).
        cuts.setdefault(span.first.op, []).append((span.first.item, span.first.offset, 1, begin))
        cuts.setdefault(span.last.op, []).append((span.last.item, span.last.offset + 2, 0, end))
    steps: dict[int, set[int]] = {}
    for index, item in returns:
        steps.setdefault(index, set()).add(item)
    result = []
    for index, instruction in enumerate(instructions):
        if index in cuts or index in steps:
            result += _split(instruction, sorted(cuts.get(index, ()), key=lambda cut: cut[:3]),
                             steps.get(index, set()))
        else:
            result.append(instruction)
    return result


def _steps(value) -> list:
    """Return a TJ displacement as equal steps of less than SHIFTED_MARK each."""
    count = int(abs(float(value)) // SHIFTED_MARK) + 1
    return [round(float(value) / count, 4)] * (count - 1) + [
        round(float(value) - round(float(value) / count, 4) * (count - 1), 4)]


def _split(instruction, cuts, steps: set[int]) -> list:
    """Return a text-showing instruction cut in pieces, with the given instructions between."""
    operands, operator = list(instruction.operands), str(instruction.operator)
    result = []
    if operator == "'":  # ' is T* then Tj; " sets word and character spacing first
        result.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("T*")))
    elif operator == '"':
        result += [pikepdf.ContentStreamInstruction([operands[0]], pikepdf.Operator("Tw")),
                   pikepdf.ContentStreamInstruction([operands[1]], pikepdf.Operator("Tc")),
                   pikepdf.ContentStreamInstruction([], pikepdf.Operator("T*"))]
    by_item: dict[int, list] = {}
    for item, offset, _, insert in cuts:
        by_item.setdefault(item, []).append((offset, insert))
    piece: list = []
    for item, value in enumerate(_strings(operands)):
        if item in steps:
            piece += _steps(value)
            continue
        if item not in by_item:
            piece.append(value)
            continue
        data, done = bytes(value), 0
        for offset, insert in by_item[item]:
            if offset > done:
                piece.append(pikepdf.String(data[done:offset]))
                done = offset
            if piece:
                result.append(_show(piece))
            result.append(insert)
            piece = []
        if done < len(data):
            piece.append(pikepdf.String(data[done:]))
    if piece:
        result.append(_show(piece))
    return result


def _show(items: list) -> pikepdf.ContentStreamInstruction:
    return pikepdf.ContentStreamInstruction([pikepdf.Array(items)], pikepdf.Operator("TJ"))


# ---------------------------------------------------------------------------------------------
# The whole document


def fix_text_layer(pdf: bytes) -> bytes:
    """Return the PDF with a text layer that reads as its pages show, ำ and tone marks included.

    Returns `pdf` itself if no font of it is Sarabun; raises TextLayerError if the PDF cannot
    be read or a Sarabun font is not shaped as WeasyPrint writes it.
    """
    try:
        document = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as exc:
        raise TextLayerError("the input", f"no readable PDF ({exc})",
                             "a PDF written by WeasyPrint") from None
    with document:
        fonts = _Fonts()
        for page in document.pages:
            for obj in _page_fonts(page.obj):
                fonts.get(obj)
        scan = _Scan(fonts)
        for page in document.pages:
            instructions = pikepdf.parse_content_stream(page)
            scan.returns = set()
            found = scan.stream(instructions, _resources(page.obj))
            if found or scan.returns:
                page.obj.Contents = document.make_stream(
                    pikepdf.unparse_content_stream(rewrite(instructions, found, scan.returns)))
        for font in fonts.by_object.values():
            if font.face is None:
                _check_foreign_font(font)
        if not any(font.face for font in fonts.by_object.values()):
            return pdf  # nothing drawn with Sarabun, so nothing was changed
        for font in fonts.by_object.values():
            if font.face is not None:
                _fix_font(font)
        out = io.BytesIO()
        # deterministic_id: the same content gets the same /ID, so a report is reproducible.
        document.save(out, compress_streams=True, deterministic_id=True,
                      object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def _resources(page: pikepdf.Dictionary):
    """Return the page's resources, inherited from the page tree if need be."""
    node = page
    while node is not None:
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return None


def _page_fonts(page: pikepdf.Dictionary):
    resources = _resources(page)
    fonts = resources.get("/Font") if resources is not None else None
    return fonts.values() if isinstance(fonts, pikepdf.Dictionary) else ()
