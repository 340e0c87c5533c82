"""Delimited text (CSV) as it really arrives: refuse what is not a table, detect the encoding and the delimiter,
split it into records with their spreadsheet row and physical line numbers, and keep every record — a malformed one
is set aside with the reason, never padded, truncated or merged.

Polars' own CSV reader pads short rows and guesses types, so it is only ever given records already checked to be
well formed (fast.py); any other file goes through Python's strict C tokenizer (careful.py). Either way every
column is a string."""

from __future__ import annotations

import codecs
import hashlib
import io

import polars as pl

from ...errors import InputError
from ...model.contacts import Contacts, ReadOptions
from .assemble import assemble, line_endings
from .careful import split_records
from .encoding import decode, guess_utf16, has_content
from .fast import read_well_formed
from .refuse import BINARY_SIGNATURES, refuse_other_text_formats
from .shape import check_shape
from .sniff import SNIFF_LINES, head_lines, sniff_delimiter


def read_bytes(data: bytes, source: str = "<input>", options: ReadOptions | None = None, *, line_offset: int = 0,
               digest: bool = True, at_end: bool = True) -> Contacts:
    """Read a contact file's bytes (see :func:`read_contacts`). ``line_offset`` is added to every line number
    after the header's (the bytes are a part of a larger file, led by its header); ``digest``: whether to take
    the bytes' SHA-256 (a caller reading a file in parts hashes the whole file itself); ``at_end``: the bytes end
    the file (only there can a report's footer be)."""
    options = options or ReadOptions()
    refuse_other_text_formats(data, source)
    check_shape(data, source, options.delimiter)
    contacts = _read_utf8_directly(data, source, options, line_offset)
    if contacts is None:
        text, encoding, bom = decode(data, source, options.encoding, line_offset=line_offset)
        utf8 = None
        if encoding == "utf-8":
            utf8 = data[len(codecs.BOM_UTF8):] if bom else data
        contacts = read_text(text, source=source, delimiter=options.delimiter, utf8=utf8, line_offset=line_offset,
                             at_end=at_end, titles=options.titles)
        contacts.encoding, contacts.bom = encoding, bom
    contacts.sha256 = hashlib.sha256(data).hexdigest() if digest else None
    return contacts


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
    if (not has_content(body) or b"\x00" in body or body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            or any(body.startswith(signature) for signature, _ in BINARY_SIGNATURES) or guess_utf16(body)):
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
        contacts = read_well_formed(None, source, delimiter, body, line_offset, titles=options.titles)
    except pl.exceptions.ComputeError:  # not UTF-8 after all
        return None
    if contacts is None:
        return None
    contacts.delimiter = delimiter
    contacts.encoding, contacts.bom = "utf-8", bom
    return contacts


def read_text(text: str, source: str = "<input>", delimiter: str | None = None, utf8: bytes | None = None,
              line_offset: int = 0, at_end: bool = True, titles: int | None = None) -> Contacts:
    """Split decoded text into records (see :class:`Contacts`); ``utf8``: the same text as UTF-8 bytes, when the
    caller has them; ``titles``: the title rows above the header, when known (else detected)."""
    if text.count("\x00") > max(16, len(text) // 100):
        raise InputError(f"{source}: the file is binary data (it is full of NUL bytes), not CSV text")
    if delimiter is None:
        delimiter = sniff_delimiter(head_lines(text), source)
    elif len(delimiter) != 1 or delimiter in "\r\n\"":
        raise InputError(f"{source}: --delimiter must be one character other than a quote or newline")

    contacts = read_well_formed(text, source, delimiter, utf8, line_offset, titles=titles)
    if contacts is None:
        contacts = _read_carefully(text, source, delimiter, line_offset, at_end, titles)
        contacts.line_endings = line_endings(text)
    contacts.delimiter = delimiter
    return contacts


def _read_carefully(text: str, source: str, delimiter: str, line_offset: int = 0, at_end: bool = True,
                    titles: int | None = None) -> Contacts:
    """Any file, record by record with Python's strict tokenizer: broken records are set aside with the reason."""
    lines = io.StringIO(text, newline="").readlines()
    return assemble(split_records(lines, delimiter, line_offset), source, lines=lines, delimiter=delimiter,
                    has_nul="\x00" in text, line_offset=line_offset, at_end=at_end, titles=titles)
