"""Reading a contact file as it really arrives: detect the encoding and the delimiter, split it into records with
their spreadsheet row and physical line numbers, and keep every record — a malformed one is set aside with the
reason, never padded, truncated or merged.

Polars' own CSV reader pads short rows and guesses types, so raw files go through Python's strict C tokenizer here
and only whole, well-formed records become a Polars frame (every column a string)."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from ...errors import InputError
from ...model.contacts import Contacts, NoContactsError, ReadOptions, check_not_internal
from ...model.text import CELL_LIMIT, NEUTRALISED, WHITESPACE
from .careful import cell_pattern, split_records, structure_error
from .sniff import SNIFF_LINES, clean_header, filled, head_lines, sniff_delimiter, title_lines, title_rows, used_width

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
    contacts = _assemble(records, source, lines=None)
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
        contacts = _read_well_formed(None, source, delimiter, body, line_offset)
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

    contacts = _read_well_formed(text, source, delimiter, utf8, line_offset)
    if contacts is None:
        contacts = _read_carefully(text, source, delimiter, line_offset, at_end)
        contacts.line_endings = _line_endings(text)
    contacts.delimiter = delimiter
    return contacts


def _read_carefully(text: str, source: str, delimiter: str, line_offset: int = 0, at_end: bool = True) -> Contacts:
    """Any file, record by record with Python's strict tokenizer: broken records are set aside with the reason."""
    lines = io.StringIO(text, newline="").readlines()
    return _assemble(split_records(lines, delimiter, line_offset), source, lines=lines, delimiter=delimiter,
                     has_nul="\x00" in text, line_offset=line_offset, at_end=at_end)


def _read_well_formed(text: str | None, source: str, delimiter: str, utf8: bytes | None = None,
                      line_offset: int = 0) -> Contacts | None:
    """The fast path for a well-formed file: records found and checked with Polars expressions, then split into
    fields by Polars' own CSV reader, which is only ever given records already known to be well formed.

    ``utf8`` is ``text`` as UTF-8 bytes when the caller has them. Returns None when any record needs the careful
    path (a broken record, CR or mixed line endings, NUL bytes, a cell past Excel's limit, a header that is not on
    the first line): that path then reads the whole file, so both always give the same answer."""
    data = utf8 if utf8 is not None else text.encode("utf-8")
    cr = data.count(b"\r")
    crlf = data.count(b"\r\n") if cr else 0
    if b"\x00" in data or cr != crlf or (crlf and crlf != data.count(b"\n")):
        return None
    newline = "\r\n" if crlf else "\n"
    line_endings = "CRLF" if crlf else "LF" if b"\n" in data else "none"
    line_separator = next((c for c in "\x1f\x1e\x1d\x1c\x01" if c.encode() not in data), None)
    if line_separator is None:
        return None
    # Polars' reader with no quoting and a separator the text lacks gives the physical lines, empty ones kept
    lines = pl.read_csv(data, has_header=False, separator=line_separator, quote_char=None, infer_schema=False,
                        empty_string_is_null=False, new_columns=["_text"], raise_if_empty=False)
    if lines.height == 0 or lines.width != 1:
        return None
    frame = lines.with_columns(
        pl.int_range(1, lines.height + 1, dtype=pl.Int64).alias("_line"),
        pl.col("_text").str.count_matches('"', literal=True).alias("_quotes"),
    ).with_columns((pl.col("_quotes").cum_sum() % 2 == 1).alias("_open"))
    if frame.item(-1, "_open"):
        return None  # a quote left open at the end of the file
    # a record starts on the line after one that leaves no quote open; the lines of a record that spans several
    # (a quoted cell holding a line break) are joined only for those few records, the others stay lines
    starts = pl.col("_open").shift(1, fill_value=False).not_()
    frame = frame.with_columns(
        (starts.cum_sum().cast(pl.Int64) - 1).alias("_record"),
        starts.alias("_start"),
        (pl.col("_open") | ~starts).alias("_spanning"),
    )
    opens = frame.get_column("_open").head(SNIFF_LINES).to_list()
    if all(opens):
        return None  # a header that runs on past the lines looked at: the careful path reads it
    header_lines = opens.index(False) + 1
    first = newline.join(frame.get_column("_text").head(header_lines).to_list())
    d, cell = re.escape(delimiter), cell_pattern(delimiter)
    try:
        header = next(csv.reader(io.StringIO(first, newline=""), delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        return None
    if not re.fullmatch(f"{cell}(?:{d}{cell})*", first) or not any(f.strip() for f in header):
        return None
    # a first line with a cell or two over a wider one may be a title
    following = frame.item(header_lines, "_text").count(delimiter) + 1 if frame.height > header_lines else 0
    if ((len(header) > 1 and used_width(header) == 1) or 2 * filled(header) <= following) \
            and title_lines(data[:1 << 16], delimiter):
        return None  # a title above the table ('Contacts, March' or 'Contacts,,'): the careful path looks past it
    header = [clean_header(f) for f in header]
    _check_header(header, source, 1)
    with ThreadPoolExecutor(max_workers=1) as worker:
        # Polars splits the file into fields while the checks run; used only if they pass and no line is blank
        whole = worker.submit(pl.read_csv, data, has_header=False, skip_lines=header_lines, separator=delimiter,
                              quote_char='"', schema=_field_schema(len(header)), empty_string_is_null=False,
                              raise_if_empty=False)
        contacts = _checked_records(frame.slice(header_lines), header, whole, delimiter, newline, source,
                                    line_offset)
    if contacts is not None:
        contacts.line_endings = line_endings
    return contacts


def _field_schema(width: int) -> dict[str, pl.DataType]:
    return {f"_{i}": pl.String for i in range(width)}


def _checked_records(lines: pl.DataFrame, header: list[str], whole: Future, delimiter: str, newline: str,
                     source: str, line_offset: int) -> Contacts | None:
    """The records of ``lines`` (the physical lines past the header: ``_text``, ``_line``, ``_quotes``, ``_record``,
    ``_start`` for a record's first line and ``_spanning`` for the lines of a record that spans several) when
    every one is well formed, else None. ``whole``: Polars' reading of the file's records, right when no line is
    blank."""
    text_col = pl.col("_text")
    d, cell = re.escape(delimiter), cell_pattern(delimiter)
    width = len(header)
    schema = _field_schema(width)
    positional = list(schema)
    single = ~pl.col("_spanning")
    lines = lines.with_columns(
        (single & text_col.str.contains(f"^[{re.escape(WHITESPACE)}{d}]*$")).alias("_blank"),
    )
    has_blank = lines.get_column("_blank").any()
    # a record without quotes is always well formed: only its field count and length need checking. Lengths in
    # bytes, read rather than counted: a line of more bytes than a cell may hold characters goes to the careful
    # path, which counts each cell's characters (so the check here need only be conservative)
    plain = lines.filter(single & (pl.col("_quotes") == 0) & ~pl.col("_blank")).select(
        (text_col.str.count_matches(delimiter, literal=True) + 1 != width) | (text_col.str.len_bytes() > CELL_LIMIT)
    ).to_series()
    if plain.any():
        return None
    # quoted records: each one line, and those spanning several lines joined (few)
    quoted = lines.filter(single & (pl.col("_quotes") > 0)).select("_record", "_text")
    has_spanning = lines.get_column("_spanning").any()
    if has_spanning:
        # gathered as lists, then joined: three times as quick as str.join in the aggregation
        spanning = lines.filter(pl.col("_spanning")).group_by("_record", maintain_order=True).agg(text_col) \
            .with_columns(text_col.list.join(newline))
        quoted = pl.concat([quoted, spanning])
    if width <= 500:  # the field count in the pattern itself: twice as quick as counting delimiters outside quotes
        misshapen = ~text_col.str.contains(f"^{cell}(?:{d}{cell}){{{width - 1}}}$")
    else:  # a pattern repeated that often outgrows the regex engine's size limit
        misshapen = ~text_col.str.contains(f"^{cell}(?:{d}{cell})*$") | (
            text_col.str.replace_all('"(?:[^"]|"")*"', "").str.count_matches(delimiter, literal=True) + 1 != width)
    # quoted empty cells ("","") make a blank record too; only quotes, blanks and delimiters can, so only a quoted
    # record may be one
    quoted = quoted.select(
        (misshapen | (text_col.str.len_bytes() > CELL_LIMIT)).alias("_misshapen"),
        text_col.str.contains(f'^[{re.escape(WHITESPACE)}{d}"]*$').alias("_maybe_blank"),
        (pl.col("_record") + 1).alias("_row"),
    )
    if quoted.get_column("_misshapen").any():
        return None
    # a record's row and line: those of its first line
    firsts = lines.select("_record", "_line", (pl.col("_start") & ~pl.col("_blank")).alias("_first"))
    firsts = firsts.filter(pl.col("_first")) if has_blank or has_spanning else firsts
    if not has_blank:  # what Polars read from the file itself, past the header
        fields = whole.result()
    else:
        kept = lines.filter(~pl.col("_blank")).get_column("_text")
        joined = newline.join(kept.to_list()) + newline if kept.len() else ""
        fields = pl.read_csv(joined.encode("utf-8"), has_header=False, separator=delimiter, quote_char='"',
                             schema=schema, empty_string_is_null=False, raise_if_empty=False)
    if fields.height != firsts.height:  # pragma: no cover - Polars disagreeing with the checks above
        return None
    numbers = _chunked_like(fields, firsts.select((pl.col("_record") + 1).alias("_row"),
                                                  (pl.col("_line") + line_offset).alias("_line")))
    records = pl.concat([fields, numbers], how="horizontal")
    blank_rows = int(lines.get_column("_blank").sum())
    maybe_blank = quoted.filter(pl.col("_maybe_blank")).get_column("_row")
    if maybe_blank.len():
        empty = pl.all_horizontal([pl.col(name).str.strip_chars(WHITESPACE) == "" for name in positional])
        empty_rows = records.filter(pl.col("_row").is_in(maybe_blank.implode())).filter(empty).get_column("_row")
        blank_rows += empty_rows.len()
        records = records.filter(~pl.col("_row").is_in(empty_rows.implode()))
    broken = pl.DataFrame(schema={"_row": pl.Int64, "_line": pl.Int64, "_raw": pl.String, "code": pl.String,
                                  "message": pl.String})
    return _finish(records, header, broken, blank_rows, source, header_row=1, header_line=0)


def _chunked_like(fields: pl.DataFrame, numbers: pl.DataFrame) -> pl.DataFrame:
    """``numbers`` cut (without copying) into the chunks Polars' reader gave ``fields``: side by side with chunks
    of other lengths, every column of the frame would be copied into one chunk."""
    if not fields.width or fields.get_column(fields.columns[0]).n_chunks() == 1:
        return numbers
    pieces, offset = [], 0
    for chunk in fields.get_column(fields.columns[0]).get_chunks():
        pieces.append(numbers.slice(offset, len(chunk)))
        offset += len(chunk)
    return pl.concat(pieces, how="vertical", rechunk=False)


def _assemble(records, source: str, *, lines: list[str] | None, delimiter: str = ",",
              has_nul: bool = False, line_offset: int = 0, at_end: bool = False) -> Contacts:
    """Contacts from ``(row, first_line_index, end_line_index, fields, error)`` records, header first.

    ``lines`` (the physical lines) let text files be checked for quoting problems; a workbook has none."""
    records = iter(records)
    head = list(itertools.islice(records, SNIFF_LINES))
    titles = title_rows([fields for _, _, _, fields, error in head
                          if error is None and any(f.strip() for f in fields)])
    records = itertools.chain(head, records)
    header_row, header = 0, None
    for row, start, end, fields, error in records:
        if error is None and any(f.strip() for f in fields):
            if titles:  # a title above the table: not a contact, not the header
                titles -= 1
                continue
            header_row, header = row, [clean_header(f) for f in fields]
            header_line = start
            break
        if error is not None:
            raise InputError(f"{source}: line {start + 1}: the header row is malformed ({error[1]})")
    if header is None:
        raise InputError(f"{source}: the file has no header row (it is blank)")
    _check_header(header, source, header_line + 1)

    width = len(header)
    good: list[list[str]] = []
    good_rows: list[int] = []
    good_lines: list[int] = []
    broken: list[tuple[int, int, str, str, str]] = []
    blank_rows = 0
    trailing = 0  # the most empty fields past the header's last column that a record had
    since_good: list[tuple[int, list[str]] | None] = []  # records after the last good one: broken, or None (blank)
    for row, start, end, fields, error in records:
        if error is None and not any(f.strip() for f in fields):
            blank_rows += 1
            since_good.append(None)
            continue
        if error is None and len(fields) > width and not any(f.strip() for f in fields[width:]):
            # a delimiter at the end of the line (a,b,c,): empty cells in an unnamed column, as a spreadsheet
            # shows them; dropped like Excel's empty trailing columns
            trailing = max(trailing, len(fields) - width)
            fields = fields[:width]
        if error is None:
            error = structure_error(fields, width, lines, start, end, delimiter, has_nul, line_offset)
        if error is None:
            good.append(fields)
            good_rows.append(row)
            good_lines.append(start + 1 + line_offset)
            since_good = []
            continue
        raw_text = "".join(lines[start:end]).rstrip("\r\n") if lines is not None else delimiter.join(fields)
        broken.append((row, start + 1 + line_offset, raw_text, error[0], error[1]))
        since_good.append((len(broken) - 1, fields if end - start == 1 else []))
    footer = _footer(since_good, len(header)) if at_end and lines is not None else []
    if footer:
        broken = broken[:footer[0]]

    columns = list(zip(*good)) if good else [()] * len(header)
    frame = pl.DataFrame(
        [pl.Series(f"_{i}", list(values), dtype=pl.String) for i, values in enumerate(columns)]
        + [pl.Series("_row", good_rows, dtype=pl.Int64), pl.Series("_line", good_lines, dtype=pl.Int64)],
    )
    broken_frame = pl.DataFrame(
        broken,
        schema={"_row": pl.Int64, "_line": pl.Int64, "_raw": pl.String, "code": pl.String, "message": pl.String},
        orient="row",
    )
    try:
        contacts = _finish(frame, header, broken_frame, blank_rows, source, header_row, header_line, trailing)
    except NoContactsError as empty:
        empty.footer = footer[1:]
        raise
    contacts.footer = footer[1:]
    return contacts


MAX_FOOTER_LINES = 10


def _footer(since_good: list[tuple[int, list[str]] | None], width: int) -> list:
    """A report's footer below the table (Salesforce: a blank line, then 'Copyright (c) 2000-2026 salesforce.com,
    inc.', 'Confidential Information - Do Not Distribute', 'Generated By: ...'): the lines that end the file after
    a blank one, each a single field of words where the header has several (a number there is a contact short of
    fields). Returns [the index of its first record among the broken ones, then its lines], or [] when the file
    ends otherwise. ``since_good``: the records after the last good one, broken (their fields; none for a record
    over several lines) or None (blank)."""
    while since_good and since_good[-1] is None:  # blank lines at the very end
        since_good = since_good[:-1]
    if width < 2 or None not in since_good:
        return []
    after = since_good[len(since_good) - since_good[::-1].index(None):]
    if not after or len(after) > MAX_FOOTER_LINES or any(
            len(fields) != 1 or not _WORDS.search(fields[0]) or _DIGIT_RUN.search(fields[0]) for _, fields in after):
        return []
    return [after[0][0], *(fields[0].strip() for _, fields in after)]


_WORDS = re.compile(r"[^\W\d_]{2}")
_DIGIT_RUN = re.compile(r"\d{7}")


def _finish(frame: pl.DataFrame, header: list[str], broken: pl.DataFrame, blank_rows: int, source: str,
            header_row: int, header_line: int, trailing: int = 0) -> Contacts:
    """Contacts from a frame of positional columns ``_0``, ``_1``... (one per header field) plus ``_row`` and
    ``_line``: Excel's empty unnamed trailing columns dropped, the others named from the header. ``trailing``:
    empty fields past the header that records had, already dropped: counted with the dropped columns."""
    positional = [f"_{i}" for i in range(len(header))]
    unnamed = [i for i, name in enumerate(header) if not name]
    empty = set()
    if unnamed:
        filled = frame.select(
            [(pl.col(positional[i]).str.strip_chars(WHITESPACE) != "").any().alias(str(i)) for i in unnamed]
        ).row(0) if frame.height else [False] * len(unnamed)
        empty = {i for i, has_data in zip(unnamed, filled) if not has_data}
    dropped = [header[i] for i in sorted(empty)] + [""] * trailing
    # pandas' to_csv writes the frame's index first, unnamed: row numbers, no contact data (and with no name it
    # could be no campaign variable)
    index = 0 in unnamed and 0 not in empty and frame.select(
        pl.col(positional[0]).str.contains(r"^[ \t]*\d+[ \t]*$").all()).item()
    for i, name in enumerate(header):
        if not name and i not in empty and not (index and i == 0):
            raise InputError(
                f"{source}: line {header_line + 1}: column {i + 1} has no header name but holds data; name it"
            )
    keep = [i for i in range(len(header)) if i not in empty and not (index and i == 0)]
    earlier = _earlier_reject_columns([header[i] for i in keep])
    if earlier:
        keep = keep[:-len(earlier)]
    frame = frame.select([pl.col(positional[i]).alias(header[i]) for i in keep] + ["_row", "_line"])
    if earlier:  # the ' that rejected.csv put before cells a spreadsheet would run as formulas comes off again
        frame = frame.with_columns(pl.col(header[i]).str.replace(NEUTRALISED, "$1") for i in keep)
    if frame.height + broken.height == 0:
        raise NoContactsError(f"{source}: the file has a header row but no contacts", blank_rows)
    return Contacts(
        frame=frame,
        header=[header[i] for i in keep],
        broken=broken,
        blank_rows=blank_rows,
        source=source,
        header_row=header_row,
        dropped_columns=dropped,
        left_out_columns=earlier,
        left_out_index=bool(index),
    )


# the columns csvprep adds to rejected.csv, last in it (a name the file had already is prefixed 'csvprep_'; Sarvam
# calls the reasons 'rejected_reason')
_REJECT_TAILS = (("row", "errors", "raw"), ("row", "errors"), ("row", "rejected_reason", "raw"),
                 ("row", "rejected_reason"))


def _earlier_reject_columns(header: list[str]) -> list[str]:
    """The columns of an earlier run's rejected.csv that end ``header`` (a list fixed and run again), if any: the
    old row numbers and reasons are no contact data, and would reach the campaign as variables."""
    bare = tuple(re.sub(r"^(?:csvprep_)+", "", name) for name in header)
    for tail in _REJECT_TAILS:
        if len(header) > len(tail) and bare[-len(tail):] == tail:
            return header[-len(tail):]
    return []


def _check_header(header: list[str], source: str, line: int) -> None:
    seen: dict[str, int] = {}
    for name in header:
        if name:
            seen[name] = seen.get(name, 0) + 1
    duplicates = [name for name, count in seen.items() if count > 1]
    if duplicates:
        names = ", ".join(repr(n) for n in duplicates)
        raise InputError(f"{source}: line {line}: duplicate column names in the header: {names}")
    check_not_internal(header, f"{source}: line {line}")


def _line_endings(text: str | bytes) -> str:
    cr_, lf_ = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    crlf = text.count(cr_ + lf_)
    cr = text.count(cr_) - crlf
    lf = text.count(lf_) - crlf
    kinds = [name for name, count in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if count]
    return kinds[0] if len(kinds) == 1 else ("mixed" if kinds else "none")
