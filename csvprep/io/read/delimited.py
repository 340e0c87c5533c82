"""Reading a contact file as it really arrives: detect the encoding and the delimiter, split it into records with
their spreadsheet row and physical line numbers, and keep every record — a malformed one is set aside with the
reason, never padded, truncated or merged.

Polars' own CSV reader pads short rows and guesses types, so raw files go through Python's strict C tokenizer here
and only whole, well-formed records become a Polars frame (every column a string)."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from pathlib import Path

import polars as pl

from ...errors import InputError
from ...model.contacts import Contacts, ReadOptions
from .assemble import assemble, line_endings
from .careful import split_records
from .fast import read_well_formed
from .sniff import SNIFF_LINES, head_lines, sniff_delimiter

_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (if it is an Excel workbook, name it .xlsx), not CSV text"),
    (b"\x1f\x8b", "gzip-compressed, not CSV text: decompress it first"),
    (b"BZh", "bzip2-compressed, not CSV text: decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed, not CSV text: decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive, not CSV text"),
    (b"%PDF", "a PDF document, not CSV text"),
    (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls workbook: save it as CSV or .xlsx"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_contacts(path: str | Path, options: ReadOptions | None = None) -> Contacts:
    """Read a contact file from disk. Raises :class:`InputError` when it cannot be read as a contact list."""
    options = options or ReadOptions()
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a contact file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if data.startswith(b"PK\x03\x04") and path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(data, source=str(path), sheet=options.sheet)
    return read_bytes(data, source=str(path), options=options)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_workbook(data: bytes, source: str = "<input>", sheet: int | str | None = None) -> Contacts:
    """Read a worksheet of an .xlsx workbook, every cell as text, with Excel's row numbers.

    ``sheet``: its name or number (1 is the first; an int counts from 0). Without it, the first sheet with a
    phone column's header in its first rows (a workbook often opens on instructions or a cover sheet), else the
    first sheet with anything in it. Number cells come back as their digits where Excel kept them all (up to 15
    significant digits); the pipeline reports a longer run of digits in the phone column as lost to Excel's
    precision."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        import fastexcel
    except ImportError:  # pragma: no cover - fastexcel is a dependency
        raise InputError(f"{source}: reading .xlsx needs the fastexcel package") from None
    try:
        workbook = fastexcel.read_excel(data)
        names = list(workbook.sheet_names)
        name = _chosen_sheet(workbook, names, sheet, source)
        table = workbook.load_sheet(name, header_row=None, dtypes="string").to_polars()
    except InputError:
        raise
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        raise InputError(f"{source}: cannot read the workbook ({' '.join(str(exc).split())[:200]})") from None
    rows = table.rows()
    records = ((index + 1, index, index + 1, ["" if cell is None else cell for cell in cells], None)
               for index, cells in enumerate(rows))
    contacts = assemble(records, source, lines=None)
    contacts.sha256, contacts.encoding, contacts.delimiter, contacts.line_endings = digest, "xlsx", "n/a", "n/a"
    contacts.sheet, contacts.sheets = name, names
    return contacts


def _chosen_sheet(workbook, names: list[str], sheet: int | str | None, source: str) -> str:
    if isinstance(sheet, int):
        return names[sheet]
    if sheet is not None:
        wanted = sheet.strip()
        if wanted in names:
            return wanted
        folded = [name for name in names if name.strip().casefold() == wanted.casefold()]
        if folded:
            return folded[0]
        if wanted.isdigit() and 1 <= int(wanted) <= len(names):
            return names[int(wanted) - 1]
        raise InputError(f"{source}: no sheet '{sheet}'; the workbook's sheets: "
                         f"{', '.join(repr(name) for name in names)}")
    from ...model.headers import looks_like_phone_header

    filled = None
    for name in names:
        head = workbook.load_sheet(name, header_row=None, n_rows=10, dtypes="string").to_polars()
        cells = [cell for row in head.rows() for cell in row if cell is not None and cell.strip()]
        if any(looks_like_phone_header(cell) for cell in cells):
            return name
        if cells and filled is None:
            filled = name
    return filled or names[0]


def read_bytes(data: bytes, source: str = "<input>", options: ReadOptions | None = None, *, line_offset: int = 0,
               digest: bool = True, at_end: bool = True) -> Contacts:
    """Read a contact file's bytes (see :func:`read_contacts`). ``line_offset`` is added to every line number
    after the header's (the bytes are a part of a larger file, led by its header); ``digest``: whether to take
    the bytes' SHA-256 (a caller reading a file in parts hashes the whole file itself); ``at_end``: the bytes end
    the file (only there can a report's footer be)."""
    options = options or ReadOptions()
    _refuse_other_text_formats(data, source)
    contacts = _read_utf8_directly(data, source, options, line_offset)
    if contacts is None:
        text, encoding, bom = decode(data, source, options.encoding, line_offset=line_offset)
        utf8 = None
        if encoding == "utf-8":
            utf8 = data[len(codecs.BOM_UTF8):] if bom else data
        contacts = read_text(text, source=source, delimiter=options.delimiter, utf8=utf8, line_offset=line_offset,
                             at_end=at_end)
        contacts.encoding, contacts.bom = encoding, bom
    contacts.sha256 = hashlib.sha256(data).hexdigest() if digest else None
    return contacts


def _refuse_other_text_formats(data: bytes, source: str) -> None:
    """Text that is not a table: read as CSV it would be one odd column or 'no contacts', which hides what
    went wrong (an export saved as JSON, a web page saved instead of the file, a word processor's document)."""
    head = data[:1024].removeprefix(codecs.BOM_UTF8).lstrip()
    start = head[:16].lower()
    what = None
    if start.startswith((b"<!doctype html", b"<html")):
        what = "an HTML page, not CSV text (a web page saved in place of the download?)"
    elif start.startswith(b"<?xml"):
        what = "XML, not CSV text"
        if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
            what = "an Excel 2003 XML spreadsheet, not CSV text: save it as CSV or .xlsx"
    elif start.startswith(b"{\\rtf"):
        what = "an RTF document (a word processor's file), not CSV text: save it as plain text"
    elif start.startswith((b"[", b"{")) and _is_json(data):
        what = "JSON, not CSV text"
    if what is not None:
        raise InputError(f"{source}: the file is {what}")


def _is_json(data: bytes) -> bool:
    import json

    # a header such as [Phone],[Name] is told apart from the head alone: the whole file is decoded only for JSON
    head = data[:1024].decode("utf-8-sig", errors="ignore").lstrip()
    if not re.match(r'[\[{]\s*(?:["{\[\]}\d-]|true|false|null|$)', head):
        return False
    try:
        text = data.decode("utf-8-sig")
        try:
            json.loads(text)
        except json.JSONDecodeError:  # JSON lines: an object a line
            first = text.lstrip().split("\n", 1)[0]
            return isinstance(json.loads(first), dict)
        return True
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False


def _read_utf8_directly(data: bytes, source: str, options: ReadOptions, line_offset: int) -> Contacts | None:
    """The fast path without decoding the whole file in Python: a UTF-8 (or ASCII) file, well formed; Polars
    checks the UTF-8 as it reads. None when the file needs the usual way (another encoding, invalid UTF-8, NUL
    bytes, a record the fast path gives way on), which then reads it from the start."""
    if options.encoding is not None:
        try:
            if codecs.lookup(options.encoding).name != "utf-8":
                return None
        except LookupError:
            return None
    if options.delimiter is not None and (len(options.delimiter) != 1 or options.delimiter in "\r\n\""):
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    if (not _has_content(body) or b"\x00" in body or body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            or any(body.startswith(signature) for signature, _ in _BINARY_SIGNATURES) or _guess_utf16(body)):
        return None
    end = 0
    for _ in range(SNIFF_LINES):
        end = body.find(b"\n", end) + 1
        if end == 0:
            end = len(body)
            break
    try:
        head = body[:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    delimiter = options.delimiter or sniff_delimiter(io.StringIO(head, newline="").readlines(), source)
    try:
        contacts = read_well_formed(None, source, delimiter, body, line_offset)
    except pl.exceptions.ComputeError:  # not UTF-8 after all
        return None
    if contacts is None:
        return None
    contacts.delimiter = delimiter
    contacts.encoding, contacts.bom = "utf-8", bom
    return contacts


def decode(data: bytes, source: str, encoding: str | None = None, *, line_offset: int = 0
           ) -> tuple[str, str, bool]:
    """The file's text, the encoding it was read with and whether it had a byte-order mark. Never lossy."""
    if not _has_content(data) or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise InputError(f"{source}: the file is empty")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"{source}: unknown encoding '{encoding}'") from None
        if data.startswith(codecs.BOM_UTF8) and not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
            # a UTF-8 BOM before text in another encoding (Gmail's Outlook CSV: a BOM, then cp1252): never part of
            # the first header, whatever the encoding asked for
            return _decode_strict(data[len(codecs.BOM_UTF8):], encoding, source, line_offset), encoding, True
        text = _decode_strict(data, encoding, source, line_offset)
        return text.removeprefix("\ufeff"), encoding, text.startswith("\ufeff")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom):], name, source, line_offset), name, True
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise InputError(f"{source}: the file is {what}")
    guessed = _guess_utf16(data)
    if guessed:
        return _decode_strict(data, guessed, source, line_offset), guessed, False
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        if any(b >= 0x80 for b in data[: data.rfind(b"\n", 0, exc.start) + 1]):
            # valid UTF-8 with non-ASCII text on lines before the bad byte's: a mix of encodings, which no single
            # one reads (on its own line, cp1252 text may hold a pair of bytes that happens to be valid UTF-8)
            line = data.count(b"\n", 0, exc.start) + 1
            line += line_offset if line > 1 else 0
            raise InputError(
                f"{source}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8, "
                "but earlier lines are: the file mixes encodings (pass --encoding to choose one)"
            ) from None
    if _looks_binary(data):
        raise InputError(f"{source}: the file is binary data, not CSV text")
    if b"\r" in data and b"\n" not in data:
        # lines ended by CR alone, and not UTF-8: Excel for Mac's "CSV (Macintosh)", which writes Mac Roman (read
        # as cp1252, 'é' would become 'Ž' and 'ç' fail). Such a file has no LF to cut it at: always one part
        return data.decode("mac_roman"), "mac_roman", False
    return _decode_strict(data, "cp1252", source, line_offset), "cp1252", False


def _has_content(data: bytes) -> bool:
    return bool(data[:65536].strip(b" \t\r\n\x00")) or bool(data.strip(b" \t\r\n\x00"))


# the five bytes cp1252 leaves undefined; Mac Roman uses them for letters (0x8D: 'ç', 0x8F: 'è', 0x90: 'ê')
_UNDEFINED_IN_CP1252 = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))


def _decode_strict(data: bytes, encoding: str, source: str, line_offset: int = 0) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        line += line_offset if line > 1 else 0
        bad = data[exc.start: exc.end].hex(" ")
        hint = " (pass --encoding if the file uses another encoding)" if encoding != "utf-8" else ""
        if encoding == "cp1252" and data[exc.start] in _UNDEFINED_IN_CP1252:
            hint = " (pass --encoding if the file uses another: mac_roman for Excel for Mac's 'CSV (Macintosh)')"
        raise InputError(f"{source}: line {line}: bytes {bad} cannot be decoded as {encoding}{hint}") from None


def _guess_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8000]
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0D))
    return controls > len(sample) * 0.05


def read_text(text: str, source: str = "<input>", delimiter: str | None = None, utf8: bytes | None = None,
              line_offset: int = 0, at_end: bool = True) -> Contacts:
    """Split decoded text into records (see :class:`Contacts`); ``utf8``: the same text as UTF-8 bytes, when the
    caller has them."""
    if text.count("\x00") > max(16, len(text) // 100):
        raise InputError(f"{source}: the file is binary data (it is full of NUL bytes), not CSV text")
    if delimiter is None:
        delimiter = sniff_delimiter(head_lines(text), source)
    elif len(delimiter) != 1 or delimiter in "\r\n\"":
        raise InputError(f"{source}: --delimiter must be one character other than a quote or newline")

    contacts = read_well_formed(text, source, delimiter, utf8, line_offset)
    if contacts is None:
        contacts = _read_carefully(text, source, delimiter, line_offset, at_end)
        contacts.line_endings = line_endings(text)
    contacts.delimiter = delimiter
    return contacts


def _read_carefully(text: str, source: str, delimiter: str, line_offset: int = 0, at_end: bool = True) -> Contacts:
    """Any file, record by record with Python's strict tokenizer: broken records are set aside with the reason."""
    lines = io.StringIO(text, newline="").readlines()
    return assemble(split_records(lines, delimiter, line_offset), source, lines=lines, delimiter=delimiter,
                    has_nul="\x00" in text, line_offset=line_offset, at_end=at_end)
