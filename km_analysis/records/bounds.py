"""The limits of what is read, and a workbook checked before python-calamine opens it.

calamine allocates rows × columns of the range a sheet uses: one cell at XFD1048576 in a 2 KB
file would abort the whole process, and a 6 MB workbook can unpack to gigabytes. So the zip,
each part's size and the cells each sheet uses are checked first with the standard library,
in constant memory (README, "Limits").
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from ..errors import SourceError
from .schema import table_key

# The limits of what is read (README, "Limits"). A national table is far inside them: 100,000
# sessions are an 8 MB CSV file, or a 59 MB sheet of 100,001 rows × 7 columns.
MB = 2**20
MAX_CSV_BYTES = 200 * MB  # one CSV file
MAX_PART_BYTES = 200 * MB  # one part of a workbook (a sheet, the shared strings), unpacked
MAX_WORKBOOK_BYTES = 500 * MB  # all parts of a workbook together, unpacked; and the file itself
MAX_DIRECTORY_BYTES = 4 * MB  # the workbook's zip directory: some 40,000 parts
MAX_ROWS = 200_000  # the farthest row a sheet to be read may use
MAX_COLUMNS = 200  # the farthest column (GR); the most cells a line of a CSV file may hold
MAX_CELLS = 5_000_000  # rows × columns from A1 to the farthest cell used
CHUNK = MB  # workbook parts are unpacked and scanned this much at a time


def size_text(n: int) -> str:
    """Return a size as a message shows it: "201 MB", or "1,000 bytes" below a megabyte."""
    # Rounded up: a file one byte over 200 MB must not read as "200 MB".
    return f"{-(-n // MB):,} MB" if n >= MB else f"{n:,} bytes"


class NotAFile(Exception):
    """A path that is a folder, a pipe, a device or a socket (args[0] says which)."""


def kind_of(mode: int) -> str:
    """Return what a non-regular file is, in words, from its stat mode."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Return `path` opened for reading and its size; NotAFile unless it is a regular file."""
    # O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer forever.
    # The type is checked on the opened file, so a path swapped after a check cannot slip by.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFile(kind_of(status.st_mode))
        return os.fdopen(fd, "rb"), status.st_size
    except BaseException:
        os.close(fd)
        raise


class Refused(Exception):
    """A workbook that is one, but beyond the limits or built to hurt; `sheet` if one sheet."""

    def __init__(self, expected: str, sheet: str | None = None):
        super().__init__(expected)
        self.expected, self.sheet = expected, sheet


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx saved with a password
_END_OF_DIRECTORY = b"PK\x05\x06"
_LOCAL_HEADER = b"PK\x03\x04"


@contextlib.contextmanager
def _workbook_file(path: Path, not_a_file: str, old_or_locked: str):
    """Yield (stream, size) of a workbook file of at most MAX_WORKBOOK_BYTES; SourceError if it
    is no regular file (`not_a_file` says what it is not), cannot be read, or is an OLE file
    (an old format, or a workbook saved with a password: `old_or_locked` says what to do)."""
    try:
        stream, size = open_regular(path)
    except NotAFile as exc:
        raise SourceError(str(path), f"{exc.args[0]}, {not_a_file}") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    with stream:
        if stream.read(len(_OLE)) == _OLE:
            raise SourceError(str(path), old_or_locked)
        if size > MAX_WORKBOOK_BYTES:
            raise Refused(f"a workbook file of at most {size_text(MAX_WORKBOOK_BYTES)}; "
                          f"this one is {size_text(size)}")
        yield stream, size


def check_workbook(
    path: Path, names: list[str]
) -> tuple[list[str], dict[str, list[tuple[int, int, str]]]]:
    """Return the workbook's sheet names and, for each sheet that will be read, its formulas
    without a saved value (row, column, formula); Refused if the workbook is beyond the limits,
    SourceError if it is not a workbook.

    Every part is unpacked once, in chunks: the sheets to be read are scanned for the cells they
    use, every other part checked to unpack to the size it declares (the size the limits were
    checked against), and for a DTD."""
    with _workbook_file(path, "not an Excel workbook (.xlsx)",
                        "an Excel 97-2003 workbook (.xls) or one saved with a password, not an "
                        ".xlsx workbook: save it as Excel Workbook (.xlsx) without a password"
                        ) as (stream, size):
        parts = _zip_parts(stream, size, path)
        # The index is read first (each part of it bounded) so that a refusal names the sheet.
        book = _Book(stream, parts)
        for key, info in parts.items():
            if info.file_size > MAX_PART_BYTES:
                raise Refused(f"workbook parts of at most {size_text(MAX_PART_BYTES)} each, "
                               f"unpacked; {info.filename} unpacks to {size_text(info.file_size)}",
                               book.sheet_of.get(key))
        total = sum(info.file_size for info in parts.values())
        if total > MAX_WORKBOOK_BYTES:
            raise Refused(f"a workbook of at most {size_text(MAX_WORKBOOK_BYTES)}, unpacked; this "
                           f"one unpacks to {size_text(total)}")
        formulas: dict[str, list[tuple[int, int, str]]] = {}
        # The sheets sources.py will read: one name a table (two names are its error).
        named: dict[str, list[str]] = {}
        for name in book.names:
            if not name.startswith("_"):
                named.setdefault(table_key(name), []).append(name)
        chosen = {table: names[0] for table, names in named.items() if len(names) == 1}
        for table, sheet in chosen.items():
            key = book.sheet_parts.get(sheet)
            if table in names and key in parts:
                formulas[sheet] = _scan_sheet(stream, parts[key], sheet)
        scanned = {book.sheet_parts[sheet] for sheet in formulas} | book.parsed
        for key, info in parts.items():
            if key not in scanned:
                _check_part(stream, info, book.sheet_of.get(key))
    return book.names, formulas


def _zip_parts(stream: BinaryIO, size: int, path: Path) -> dict[str, zipfile.ZipInfo]:
    """Return the zip's parts by lower-case name; SourceError if the file is not a zip."""
    not_a_workbook = SourceError(str(path), "not an Excel workbook (.xlsx): it is not a zip "
                                 "file, as every .xlsx workbook is")
    stream.seek(max(0, size - 22 - 0xFFFF))
    tail = stream.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        raise not_a_workbook
    directory_size, = struct.unpack_from("<L", tail, at + 12)
    comment_size, = struct.unpack_from("<H", tail, at + 20)
    if at + 22 + comment_size != len(tail):
        # The directory record must end the file: where two readers would look for it in
        # different places, calamine could read other parts than the ones checked here.
        raise Refused("a workbook whose zip directory ends the file, as Excel writes it")
    if directory_size > MAX_DIRECTORY_BYTES:
        raise Refused("a workbook whose zip directory is at most "
                      f"{size_text(MAX_DIRECTORY_BYTES)}; this one is {size_text(directory_size)}")
    try:
        infos = zipfile.ZipFile(stream).infolist()
    except Exception:  # BadZipFile, and the struct and value errors of a mangled directory
        raise not_a_workbook from None
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        # calamine looks parts up by lower-case name, "\" read as "/": two names it cannot
        # tell apart would let it read the one not checked.
        key = _ascii_lower(info.filename.replace("\\", "/"))
        if key in parts:
            raise Refused(f"each part of the workbook once; {info.filename} is there twice")
        parts[key] = info
    return parts


def _ascii_lower(text: str) -> str:
    # Lower-cases A-Z only, as calamine (Rust's to_ascii_lowercase) does.
    return text.encode("utf-8", "surrogateescape").lower().decode("utf-8", "surrogateescape")


def _part_chunks(stream: BinaryIO, info: zipfile.ZipInfo, sheet: str | None) -> Iterator[bytes]:
    """Yield a part's bytes as they unpack, CHUNK at most at a time; Refused as soon as it
    unpacks to more than it declares, or if it is damaged."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Refused(f"workbook parts deflated without a password, as Excel writes them; "
                       f"{info.filename} is encrypted or uses method {info.compress_type}", sheet)
    damaged = Refused(f"a workbook that is not damaged: {info.filename} does not unpack whole "
                       "(save the workbook again)", sheet)
    stream.seek(info.header_offset)
    header = stream.read(30)
    if len(header) != 30 or header[:4] != _LOCAL_HEADER:
        raise damaged
    name_size, extra_size = struct.unpack_from("<HH", header, 26)
    stream.seek(info.header_offset + 30 + name_size + extra_size)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, unpacked, crc = info.compress_size, 0, 0
    while left > 0:
        packed = stream.read(min(CHUNK, left))
        if not packed:
            raise damaged
        left -= len(packed)
        for data in (packed,) if inflater is None else _inflate(inflater, packed):
            unpacked += len(data)
            if unpacked > info.file_size:
                raise Refused(f"workbook parts that unpack to the size they declare; "
                               f"{info.filename} unpacks to more than its "
                               f"{info.file_size:,} bytes", sheet)
            crc = zlib.crc32(data, crc)
            yield data
    # An empty part may be written with no deflate stream at all.
    unfinished = inflater is not None and info.compress_size > 0 and not inflater.eof
    if unfinished or unpacked != info.file_size or crc != info.CRC:
        raise damaged


def _inflate(inflater, packed: bytes) -> Iterator[bytes]:
    """Yield what `packed` unpacks to, CHUNK at most at a time."""
    while True:
        # max_length bounds each output: a megabyte packed can unpack to a gigabyte.
        data = inflater.decompress(packed, CHUNK)
        packed = inflater.unconsumed_tail
        if data:
            yield data
        # A full chunk may leave output pending inside zlib: ask again, even with no input.
        if len(data) < CHUNK and (not packed or not data):
            return


def _check_part(stream: BinaryIO, info: zipfile.ZipInfo, sheet: str | None) -> None:
    """Return once a part not read here has unpacked to the size it declares, without a DTD if
    it is XML; Refused if not (calamine may read it: styles, shared strings, pictures)."""
    xml = info.filename.lower().endswith((".xml", ".rels"))
    tail = b""
    for number, chunk in enumerate(_part_chunks(stream, info, sheet)):
        if not xml:
            continue
        if number == 0:
            _check_utf8(chunk, info, sheet)
        # The last bytes of the chunk before: a declaration split between two chunks.
        if _DECLARATION.search(tail + chunk):
            raise Refused(_DTD.format(info.filename), sheet)
        tail = chunk[-8:]


_DECLARATION = re.compile(rb"<![A-Za-z]")  # <!DOCTYPE, <!ENTITY…; comments and CDATA pass
_DTD = ("XML without a <!DOCTYPE> or <!ENTITY> declaration, as Excel writes it (an entity can "
        "expand to gigabytes); {} declares one")


def _check_utf8(head: bytes, info: zipfile.ZipInfo, sheet: str | None) -> None:
    # The scans below read bytes: XML in UTF-16 or UTF-32 would hide its tags from them.
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise Refused(f"XML saved as UTF-8, as Excel saves it; {info.filename} is not", sheet)


# ---------------------------------------------------------------------------------------------
# The workbook's index: where calamine (0.37) finds the sheets, read as it reads it

MAX_INDEX_BYTES = 16 * MB  # workbook.xml and the relationships, read whole
# A namespace prefix as quick_xml splits it off: anything before the first ":", even nothing.
_PREFIX = rb"(?:[^\s<>/:!?][^\s<>/:]*)?:"
_INDEX_TAGS = {local: re.compile(rb"<(?:" + _PREFIX + rb")?" + local
                                 + rb"""(?=[\s/>])((?:"[^"]*"|'[^']*'|[^"'<>])*)>""")
               for local in (b"Relationship", b"sheet")}
# An attribute as calamine's RawAttrIter reads it: the key is whatever comes before "=".
_ATTRIBUTE = rb"""[ \t\n\r\f]*([^=]*?)[ \t\n\r\f]*=[ \t\n\r\f]*(?:"([^"]*)"|'([^']*)')"""
_ATTRIBUTES = (re.compile(_ATTRIBUTE), re.compile(rb"(?:" + _ATTRIBUTE + rb")*[ \t\n\r\f]*"))


class _Book:
    """The workbook's sheets and the parts they are read from, as calamine finds them."""

    def __init__(self, stream: BinaryIO, parts: dict[str, zipfile.ZipInfo]):
        self.stream, self.parts = stream, parts
        self.parsed: set[str] = set()  # the index parts, unpacked here
        self.sheet_parts: dict[str, str] = {}  # sheet name -> part key
        self.sheet_of: dict[str, str] = {}  # part key -> the first sheet read from it
        xl = "xl/"
        for tag in self._tags("_rels/.rels", b"Relationship"):
            if tag.get("Type", "").endswith("/relationships/officeDocument") and "Target" in tag:
                xl = tag["Target"][: tag["Target"].rfind("/") + 1].removeprefix("/")
        targets = {tag.get("Id"): tag.get("Target", "")
                   for tag in self._tags(f"{xl}_rels/workbook.xml.rels", b"Relationship")}
        self.names: list[str] = []
        for tag in self._tags(f"{xl}workbook.xml", b"sheet"):
            name = html.unescape(tag.get("name", ""))  # of the index, calamine unescapes names
            self.names.append(name)
            ids = [value for key, value in tag.items() if key == "id" or key.endswith(":id")]
            target = targets.get(ids[-1]) if ids else None
            if target is not None and name not in self.sheet_parts:
                key = _ascii_lower(target[1:] if target.startswith("/") else xl + target)
                self.sheet_parts[name] = key
                self.sheet_of.setdefault(key, name)

    def _tags(self, name: str, local: bytes) -> list[dict[str, str]]:
        """Return the raw attributes of the elements `local` in the index part `name`."""
        info = self.parts.get(_ascii_lower(name))
        if info is None:
            return []  # calamine says the part is missing when it opens the workbook
        if info.file_size > MAX_INDEX_BYTES:
            raise Refused(f"a workbook index part of at most {size_text(MAX_INDEX_BYTES)}; "
                           f"{info.filename} unpacks to {size_text(info.file_size)}")
        data = b"".join(_part_chunks(self.stream, info, None))
        self.parsed.add(_ascii_lower(name))
        _check_utf8(data, info, None)
        irregular = Refused(f"a workbook index as Excel writes it; {info.filename} is not")
        # A comment hides a tag from calamine, not from this reading; calamine reads ids and
        # targets raw, so a reference (&#49;) or a tab in one sends it to another part.
        if b"<!" in data:
            raise irregular
        tags = []
        for match in _INDEX_TAGS[local].finditer(data):
            raw = match.group(1).rstrip(b"/")
            if not _ATTRIBUTES[1].fullmatch(raw):
                raise irregular
            try:
                tag = {key.decode(): (double or single).decode()
                       for key, double, single in _ATTRIBUTES[0].findall(raw)}
            except UnicodeDecodeError:
                raise irregular from None
            if len(tag) < len(_ATTRIBUTES[0].findall(raw)) or any(
                    "&" in value or any(c in value for c in " \t\n\r\f")
                    for key, value in tag.items() if key not in ("name", "Type")):
                raise irregular
            tags.append(tag)
        return tags


# ---------------------------------------------------------------------------------------------
# The range of cells a sheet uses, streamed: what calamine will allocate

# A cell as Excel, LibreOffice and openpyxl write it: its reference first, then only these
# attributes, simple values. Self-closing cells (<c r="B2" s="1"/>) hold nothing; calamine
# leaves them out of the range, and so does this pattern.
_CELL_ATTRIBUTES = rb'(?: (?:s|t|cm|vm|ph)="[\w.-]*")*'
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,8})"' + _CELL_ATTRIBUTES + rb">")
# Anything else that could be or hold a cell is followed exactly, by _ExactScan.
_IRREGULAR = re.compile(
    rb"<(?:!"  # a comment, CDATA or a DTD
    rb"|" + _PREFIX + rb"[cf][\s/>]"  # a cell or a formula with a namespace prefix
    rb"|f[\s/>]"  # a formula: was its value saved?
    rb'|c(?! r="[A-Z]{1,3}[1-9][0-9]{0,8}"' + _CELL_ATTRIBUTES + rb"/?>)[\s/>])"  # other cells
)


def _scan_sheet(
    stream: BinaryIO, info: zipfile.ZipInfo, sheet: str
) -> list[tuple[int, int, str]]:
    """Return a sheet's formulas without a saved value (row, column, formula); Refused if the
    cells it uses reach beyond the limits, or its XML declares a DTD. A sheet as Excel writes it
    is scanned by regular expressions (~20 ms a MB); anything irregular is followed by expat."""
    rows = columns = 0
    carry = b""
    for number, chunk in enumerate(_part_chunks(stream, info, sheet)):
        if number == 0:
            _check_utf8(chunk, info, sheet)
        buffer = carry + chunk
        # Cut after the last complete tag: no tag is split between two pieces.
        cut = buffer.rfind(b"<")
        if cut < 0 or buffer.find(b">", cut) >= 0:
            cut = len(buffer)
        piece, carry = buffer[:cut], buffer[cut:]
        if len(carry) > CHUNK:  # a tag cut by a chunk's end is carried over; none is this long
            raise Refused(f"a sheet as Excel writes it; {info.filename} has a tag longer than "
                           f"{size_text(CHUNK)}", sheet)
        refs = _CELL.findall(piece)
        if not _plain(piece, len(refs)) and _IRREGULAR.search(piece):
            return _ExactScan(sheet, info).scan(stream)
        if refs:
            rows = max(rows, max(map(int, map(itemgetter(1), refs))))
            widest = max(set(map(itemgetter(0), refs)), key=lambda letters: (len(letters), letters))
            columns = max(columns, _column_number(widest.decode()))
            _check_extent(rows, columns, sheet)
    if carry:
        return _ExactScan(sheet, info).scan(stream)  # the sheet ends inside a tag
    return []


def _plain(piece: bytes, cells: int) -> bool:
    """Return whether every tag of `piece` starting "<c" is one of its `cells` found by _CELL
    (no <cols>, <c/>, <c  r=…>), and nothing could be a formula, a prefixed cell or a DTD: then
    _IRREGULAR, several times slower, need not look. One-byte tests are memchr-fast."""
    return (piece.count(b"<c") == cells and b"<f" not in piece
            and (b"!" not in piece or b"<!" not in piece)
            and (b":" not in piece or (b":c" not in piece and b":f" not in piece)))


def _column_number(letters: str) -> int:
    return sum(26**i * (ord(c) - 64) for i, c in enumerate(reversed(letters.upper())))


def _column_letters(number: int) -> str:
    return _column_letters((number - 1) // 26) + chr(65 + (number - 1) % 26) if number else ""


def _check_extent(rows: int, columns: int, sheet: str) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise Refused(
            f"a sheet within A1:{_column_letters(MAX_COLUMNS)}{MAX_ROWS} and at most "
            f"{MAX_CELLS:,} cells from A1; this one spans A1:{_column_letters(columns)}{rows} "
            f"({rows * columns:,} cells)", sheet)


class _ExactScan:
    """A sheet followed tag by tag as calamine reads it, for sheets not as Excel writes them:
    a cell without a reference goes after the one before, a row without one after the row
    before; a formula whose value was never saved is noted."""

    def __init__(self, sheet: str, info: zipfile.ZipInfo):
        self.sheet, self.info = sheet, info
        self.rows = self.columns = 0  # the farthest cell holding something
        self.row, self.column = 1, 1  # where a cell without a reference goes
        self.cell: dict | None = None  # the open cell: where, its type, what it holds
        self.formulas: list[tuple[int, int, str]] = []
        self.parser = expat.ParserCreate()

    def scan(self, stream: BinaryIO) -> list[tuple[int, int, str]]:
        """Return the formulas without a saved value; Refused as soon as a limit is passed."""
        parser = self.parser
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self._declaration
        parser.StartElementHandler, parser.EndElementHandler = self._start, self._end
        parser.buffer_text = True
        try:
            for number, chunk in enumerate(_part_chunks(stream, self.info, self.sheet)):
                if number == 0:
                    _check_utf8(chunk, self.info, self.sheet)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise Refused(f"a sheet whose XML reads; {self.info.filename}: "
                           f"{expat.ErrorString(exc.code)} at line {exc.lineno}",
                           self.sheet) from None
        return self.formulas

    def _declaration(self, *_) -> None:
        raise Refused(_DTD.format(self.info.filename), self.sheet)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.partition(":")[2] or name  # quick_xml's local name: after the first ":"
        cell = self.cell
        if cell is not None:
            cell["holds"] = True
            if local in ("f", "v"):
                cell[local] = []
                self.parser.CharacterDataHandler = cell[local].append
            cell["inline"] = cell["inline"] or local == "is"
        elif local == "row" and "r" in attributes:
            self.row = self._position(attributes["r"], column=False)[0]
        elif local == "c":
            row, column = (self._position(attributes["r"], column=True) if "r" in attributes
                           else (self.row, self.column))
            self.cell = {"row": row, "column": column, "type": attributes.get("t", ""),
                         "holds": False, "inline": False, "f": None, "v": None}

    def _end(self, name: str) -> None:
        local = name.partition(":")[2] or name
        self.parser.CharacterDataHandler = None
        cell = self.cell
        if cell is None and local == "row":
            self.row, self.column = self.row + 1, 1
        if cell is None or local != "c":
            return
        row, column = cell["row"], cell["column"]
        self.cell, self.column = None, column + 1
        if cell["holds"]:
            self.rows, self.columns = max(self.rows, row), max(self.columns, column)
            _check_extent(self.rows, self.columns, self.sheet)
        # An empty <v/> is a saved value only for a formula giving text (t="str").
        value = cell["v"]
        saved = cell["inline"] or (value is not None and (any(value) or cell["type"] == "str"))
        if cell["f"] is not None and not saved:
            text = "".join(cell["f"])
            self.formulas.append((row, column, f"={text[:200]}" if text else ""))

    def _position(self, reference: str, column: bool) -> tuple[int, int]:
        """Return (row, column) of a reference such as B7, as calamine reads it."""
        match = re.fullmatch(r"([A-Za-z]*)([0-9]+)", reference)
        if not match or (column and not match[1]) or not match[2].strip("0"):
            raise Refused(f"cell references such as B7; this sheet has {reference[:20]!r}",
                           self.sheet)
        letters, digits = match.groups()
        # Past nine digits or three letters a reference is beyond every limit (and calamine's
        # 32-bit arithmetic would wrap it round).
        return (int(digits) if len(digits) <= 9 else 10**9,
                _column_number(letters) if len(letters) <= 3 else 10**5)


# ---------------------------------------------------------------------------------------------
# An OpenDocument spreadsheet (.ods): every sheet is in content.xml, which calamine reads whole
# when it opens the file, so every sheet's cells are counted here first.

_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def check_ods(path: Path) -> list[str]:
    """Return the sheet names of an .ods workbook; Refused if it is beyond the limits (part
    sizes, the cells each sheet uses, counting repeated rows and cells, a DTD), SourceError if
    it is not a workbook."""
    with _workbook_file(path, "not a workbook (.ods)",
                        "a workbook saved with a password or in an old format, not an .ods "
                        "workbook: save it as ODF Spreadsheet without a password"
                        ) as (stream, size):
        try:
            parts = _zip_parts(stream, size, path)
        except SourceError:
            raise SourceError(str(path), "not an OpenDocument spreadsheet (.ods): it is not a "
                              "zip file, as every .ods workbook is") from None
        for info in parts.values():
            if info.file_size > MAX_PART_BYTES:
                raise Refused(f"workbook parts of at most {size_text(MAX_PART_BYTES)} each, "
                              f"unpacked; {info.filename} unpacks to {size_text(info.file_size)}")
        total = sum(info.file_size for info in parts.values())
        if total > MAX_WORKBOOK_BYTES:
            raise Refused(f"a workbook of at most {size_text(MAX_WORKBOOK_BYTES)}, unpacked; this "
                          f"one unpacks to {size_text(total)}")
        content = parts.get("content.xml")
        if content is None:
            raise SourceError(str(path), "not an OpenDocument spreadsheet (.ods): it holds no "
                              "content.xml")
        names = _OdsScan(content).scan(stream)
        for key, info in parts.items():
            if key != "content.xml":
                _check_part(stream, info, None)
    return names


class _OdsScan:
    """content.xml followed tag by tag: each sheet's name, and the farthest cell holding
    something, repeated rows and cells counted as calamine expands them."""

    def __init__(self, info: zipfile.ZipInfo):
        self.info = info
        self.names: list[str] = []
        self.sheet: str | None = None
        self.row = 0  # rows of the sheet before the current one
        self.rows_repeated = 1
        self.column = 0  # cells of the row before the current one
        self.cell: dict | None = None
        self.depth = 0  # elements open inside the current cell
        self.extent = (0, 0)

    def scan(self, stream: BinaryIO) -> list[str]:
        """Return the sheet names; Refused as soon as a limit is passed."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self._declaration
        parser.StartElementHandler, parser.EndElementHandler = self._start, self._end
        try:
            for number, chunk in enumerate(_part_chunks(stream, self.info, None)):
                if number == 0:
                    _check_utf8(chunk, self.info, None)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise Refused(f"a workbook whose XML reads; {self.info.filename}: "
                          f"{expat.ErrorString(exc.code)} at line {exc.lineno}") from None
        return self.names

    def _declaration(self, *_) -> None:
        raise Refused(_DTD.format(self.info.filename), self.sheet)

    def _repeat(self, attributes: dict[str, str], name: str) -> int:
        text = attributes.get(f"{_ODS_TABLE} {name}", "1")
        if not text.isdigit() or len(text) > 9:
            raise Refused(f"repeat counts of at most 9 digits; this sheet has {text[:20]!r}",
                          self.sheet)
        return max(int(text), 1)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.cell is not None:
            self.depth += 1
            self.cell["holds"] = True
            return
        if name == f"{_ODS_TABLE} table":
            self.sheet = attributes.get(f"{_ODS_TABLE} name", "")
            self.names.append(self.sheet)
            self.row, self.extent = 0, (0, 0)
        elif name == f"{_ODS_TABLE} table-row":
            self.rows_repeated = self._repeat(attributes, "number-rows-repeated")
            self.column = 0
        elif name in (f"{_ODS_TABLE} table-cell", f"{_ODS_TABLE} covered-table-cell"):
            self.cell = {"repeat": self._repeat(attributes, "number-columns-repeated"),
                         "holds": f"{_ODS_OFFICE} value-type" in attributes}

    def _end(self, name: str) -> None:
        cell = self.cell
        if cell is not None and self.depth:
            self.depth -= 1
            return
        if cell is not None:
            self.cell = None
            self.column += cell["repeat"]
            if cell["holds"]:
                rows = self.row + self.rows_repeated
                self.extent = (max(self.extent[0], rows), max(self.extent[1], self.column))
                _check_extent(*self.extent, self.sheet or "")
        elif name == f"{_ODS_TABLE} table-row":
            self.row += self.rows_repeated
