"""A large input cut into parts at record boundaries, so that a file of any size is cleaned in bounded memory: each
part is the header's bytes followed by about a part's worth of records, and every byte passes a digest on the way."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..model.contacts import ReadOptions
from ..model.limits import MAX_LINE_BYTES
from ..model.text import shown_name
from .files import refuse_device
from .records import record_start
from .read.assemble import MAX_FOOTER_LINES
from .read.encoding import BOMS
from .read.readers import reader_for
from .read.shape import check_line_lengths, check_shape
from .read.sniff import SNIFF_LINES, sniff_delimiter, title_lines
from .read.xlsx import XLSX_MAGIC

_BLOCK = 1 << 24  # read 16 MiB at a time while looking for a part's end

_WHOLE_BYTES = 1 << 28  # a file this small is read at once, and is one part unless it has many more lines


@dataclass
class Part:
    data: bytes  # the header's bytes, then the part's records (the first part: the file's start)
    first_line: int  # the physical line (1-based) where the part's records start in the whole file
    header_lines: int  # physical lines the header takes
    last: bool = False  # no part follows: nothing to remember for later parts


def is_stream(path: Path) -> bool:
    """Whether ``path`` is read as a stream, once (a pipe, a FIFO, process substitution's /dev/fd/N), rather than
    a regular file that can be read again. A device (/dev/zero) is refused: it never ends."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the reader reports it
    refuse_device(path)
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def can_split(path: Path, options: ReadOptions) -> bool:
    """Whether newlines split the file's bytes into records: a file its reader may cut (a text table, not a
    workbook), in an 8-bit-clean encoding (no UTF-16 or UTF-32 mark, no NUL byte), whose first line is its header
    or a title above it."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(1 << 16)
    except OSError:
        return False  # clean() reports it
    return can_split_head(head, path, options)


def can_split_head(head: bytes, path: Path | None, options: ReadOptions) -> bool:
    """:func:`can_split` from a file's first bytes."""
    if options.encoding is not None and options.encoding.lower().replace("_", "-") not in ("utf-8", "utf8",
                                                                                              "cp1252"):
        return False
    wide = tuple(bom for bom, name in BOMS if not name.startswith("utf-8"))
    # a zip named .csv is no table to cut either: the reader refuses it whole
    if not reader_for(head, path).splittable or head.startswith((XLSX_MAGIC, *wide)) or b"\x00" in head:
        return False
    first_line = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0]
    return bool(first_line.strip(b" \t\r,;|"))


class Digest:
    """The input's SHA-256. A whole file read at once is hashed on another thread while it is cleaned (hashlib
    lets go of the GIL); the digest is read only after that."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._pending: list[threading.Thread] = []

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def update_meanwhile(self, data: bytes) -> None:
        thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True)
        thread.start()
        self._pending.append(thread)

    def hexdigest(self) -> str:
        for thread in self._pending:
            thread.join()
        self._pending.clear()
        return self._hash.hexdigest()


def parts(path: Path, part_rows: int, digest: Digest, delimiter: str | None = None) -> Iterator[Part]:
    """The file in parts: the header's bytes, then about ``part_rows`` lines of records, cut only where the reader
    would end a record; a short tail joins the part before it. ``digest`` sees every byte of the file;
    ``delimiter``: the file's (sniffed from its first lines as the reader sniffs them when not given)."""
    try:
        stream = open(path, "rb")
        size = os.fstat(stream.fileno()).st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with stream:
        head = stream.read(_BLOCK)
        check_shape(head, shown_name(path), delimiter)  # a line past the limit is refused before the rest is read
        yield from _parts(stream, size, head, part_rows, digest, delimiter)


def stream_parts(stream: BinaryIO, head: bytes, part_rows: int, digest: Digest, delimiter: str | None = None,
                 source: str = "<stream>") -> Iterator[Part]:
    """:func:`parts` of a stream that is read once and never again (a pipe, a FIFO, process substitution), whose
    first bytes ``head`` were read already. A line past the limit is refused as soon as it is, not once read."""
    check_shape(head, source, delimiter)
    yield from _parts(stream, None, head, part_rows, digest, delimiter, source)


def _parts(stream: BinaryIO, size: int | None, head: bytes, part_rows: int, digest: Digest,
           delimiter: str | None, source: str = "<stream>") -> Iterator[Part]:
    """``size``: the file's, None for a stream of unknown length (which is never read twice)."""
    limit = part_rows + part_rows // 4  # a short tail joins the part before it
    delimiter = delimiter or _sniffed(head)
    # most lists: one part, read at once, no cutting or copying (the first block tells whether it can be)
    if size is not None and size <= _WHOLE_BYTES and head.count(b"\n") * size <= limit * max(len(head), 1):
        if len(head) < size:  # one read of the whole file: joining the head to the rest would copy it all
            stream.seek(0)
            head = stream.read()
        data, head = head, b""
        if data.count(b"\n") <= limit:
            digest.update_meanwhile(data)
            end = _header_end(data)
            ends = end < len(data) or data.endswith(b"\n")
            header_lines = data.count(b"\n", 0, end)
            yield Part(data, first_line=1 + header_lines if ends else 1, header_lines=header_lines, last=True)
            return
        del data
    # a bytearray grows in place: adding blocks to bytes would copy everything read so far each time
    pending, eof, header, line = bytearray(), False, None, 1
    if size is None:  # a stream: what was read is kept, never read again
        digest.update(head)
        pending += head
        eof = not head
    else:
        stream.seek(0)
    del head
    lines = pending.count(b"\n")  # newlines in pending
    consumed = 0  # bytes of the file before pending
    while True:
        while (not eof and (header is None or lines <= part_rows)) or (header is None and pending and eof):
            block = b"" if eof else stream.read(_BLOCK)
            if block:
                digest.update(block)
                pending += block
                lines += block.count(b"\n")
                if size is None and len(pending) - pending.rfind(b"\n") > MAX_LINE_BYTES:
                    check_line_lengths(pending, source)  # a stream's endless line: refused before memory runs out
            else:
                eof = True
            if header is None and (b"\n" in pending or eof):
                end = _header_end(pending)
                if end < len(pending) or pending.endswith(b"\n"):
                    header = bytes(pending[:end])
                    del pending[:end]
                    consumed, line = end, 1 + header.count(b"\n")
                    lines = pending.count(b"\n")
            if eof:
                break
        if header is None:  # the header never ends: one part, as the careful reader would see it
            header, pending = bytes(pending), bytearray()
        if not pending and line > 1 + header.count(b"\n"):
            return
        if eof:  # the rest of the file is in pending: cut while more than a part is left
            cut = _cut(pending, part_rows, delimiter) if lines > limit else None
            if cut is None or len(pending) - cut < cut // 4 or _splits_footer(pending, cut):
                cut = len(pending)
        else:
            cut = _cut(pending, part_rows, delimiter)
            if cut is not None and size is None and len(pending) - cut < _FOOTER_BYTES:
                cut = None  # a stream of unknown length: read ahead, so as to know when the end is near
            elif cut is not None and size is not None and size - (consumed + cut) < cut // 4:
                cut = None  # what is left is a short tail: one part with this one
            elif cut is not None and size is not None and size - (consumed + cut) < _FOOTER_BYTES:
                # near the end: a report's footer must be read in one part with the blank line above it,
                # so the rest is read before cutting
                while block := stream.read(_BLOCK):
                    digest.update(block)
                    pending += block
                    lines += block.count(b"\n")
                eof = True
                continue
        if cut is None:  # a quoted field runs on past the part, or a short tail follows: read on
            block = stream.read(_BLOCK)
            if block:
                digest.update(block)
                pending += block
                lines += block.count(b"\n")
            else:
                eof = True
            continue
        with memoryview(pending) as view:
            data = b"".join((header, view[:cut]))
        piece_lines = pending.count(b"\n", 0, cut)
        ends_with_newline = cut > 0 and pending[cut - 1] == 0x0A
        del pending[:cut]
        consumed += cut
        lines -= piece_lines
        yield Part(data, first_line=line, header_lines=header.count(b"\n"), last=eof and not pending)
        line += piece_lines + (0 if ends_with_newline or not cut else 1)
        if not pending and eof:
            return

_FOOTER_BYTES = 1 << 16

_QUOTED = re.compile(rb'"[^"]*"')


def _splits_footer(data: bytearray, cut: int) -> bool:
    """Whether cutting ``data`` (the rest of the file) at ``cut`` would part what may be a report's footer from
    the blank line above it (see :func:`csvprep.reading.read_bytes`): the last lines, each a single field (no
    delimiter outside quotes), after a blank one. Only the file's last lines are looked at."""
    lines = _lines_backwards(data)

    def blank(line: bytes) -> bool:
        return not line.strip(b" \t\r,;|\"")

    start, line = next(lines, (0, b""))
    while blank(line) and start > 0:  # blank lines at the very end
        start, line = next(lines)
    single = 0
    while not blank(line) and single < MAX_FOOTER_LINES:
        if any(d in _QUOTED.sub(b"", line) for d in (b",", b";", b"\t", b"|")):
            return False
        single += 1
        if start == 0:
            return False
        start, line = next(lines)
    return single > 0 and blank(line) and cut > start


def _lines_backwards(data: bytearray) -> Iterator[tuple[int, bytes]]:
    """``data``'s lines, last first, each with its start."""
    end = len(data)
    while True:
        start = data.rfind(b"\n", 0, end) + 1
        yield start, bytes(data[start:end])
        if start == 0:
            return
        end = start - 1


def _cut(data: bytes | bytearray, lines: int, delimiter: str | None) -> int | None:
    """Where to end a part of ``data`` (which starts at a record's start) near its ``lines``-th line: that line's
    end when a record ends there, else the start of the record it falls in; None when there is none (the record
    started at the top, or the delimiter is not known)."""
    end = _nth_newline(data, lines)
    if end == -1 or delimiter is None:
        return None
    start = record_start(data, end + 1, delimiter)
    return start or None


def _sniffed(head: bytes) -> str | None:
    """The delimiter the reader sniffs from the file's first lines; None when it finds none (then the reader
    refuses the file, and it is not cut)."""
    body, end = head.removeprefix(b"\xef\xbb\xbf"), 0
    for _ in range(SNIFF_LINES):  # the lines the reader sniffs
        end = body.find(b"\n", end) + 1
        if end == 0:
            end = len(body)
            break
    lines = io.StringIO(body[:end].decode("latin-1"), newline="").readlines()
    try:
        return sniff_delimiter(lines)
    except InputError:
        return None


def _nth_newline(data: bytes, count: int) -> int:
    """The index of the ``count``-th newline of ``data`` (-1 if it has fewer), counted a megabyte at a time."""
    position, remaining = 0, count
    while position < len(data):
        end = min(len(data), position + (1 << 20))
        found = data.count(b"\n", position, end)
        if found >= remaining:
            index = position - 1
            for _ in range(remaining):
                index = data.find(b"\n", index + 1)
            return index
        remaining -= found
        position = end
    return -1


def _header_end(data: bytes) -> int:
    """Where the header record ends (after its newline), quotes respected; a title above the table comes with it,
    so that every part is read with the header found past it."""
    position = 0
    for _ in range(title_lines(bytes(data[:1 << 16]))):
        position = data.find(b"\n", position) + 1
    quotes = 0
    while True:
        end = data.find(b"\n", position)
        if end == -1:
            return len(data)
        quotes += data.count(b'"', position, end + 1)
        if quotes % 2 == 0:
            return end + 1
        position = end + 1
