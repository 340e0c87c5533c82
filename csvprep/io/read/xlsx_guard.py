"""A workbook's zip archive inspected with the standard library before the workbook reader sees it: the reader
allocates a sheet's whole used range and every part it inflates at once, so a zip bomb, a shared-strings table that
declares billions of entries or one stray cell at XFD1048576 would abort the process. Each is refused with one
line naming the part or the cell (the limits: model/limits.py)."""

from __future__ import annotations

import io
import re
import zipfile

from ...errors import InputError
from ...model.limits import (
    MAX_PART_BYTES,
    MAX_PART_RATIO,
    MAX_SHEET_ROWS,
    MIN_SHARED_STRING_BYTES,
    RATIO_FLOOR_BYTES,
    SPARSE_FACTOR,
    SPARSE_FLOOR_CELLS,
)

_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_SHARED_STRINGS = "xl/sharedStrings.xml"
# a cell's reference: letters then digits (a row's r="5" has no letters); at most XFD and seven digits, so a
# reference past the grid reads as the grid's edge or is not a reference at all
_CELL = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+[0-9]+:)?([A-Z]{1,3})([0-9]{1,7})"')
_COUNT = re.compile(rb'\b(?:count|uniqueCount)="([0-9]+)"')
_CHUNK = 1 << 20
_ADVICE = ("delete the stray cells past the data (Ctrl+End in Excel shows where the range ends) or save the sheet "
           "as CSV")


def inspect_workbook(data: bytes, source: str) -> None:
    """Refuse a workbook whose parts are bombs or whose sheets' used ranges are far larger than their data."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(f"{source}: cannot read the workbook (it is not a valid zip archive)") from None
    with archive:
        for member in members:
            _check_size(member, source)
        for member in members:
            if _SHEET_PART.fullmatch(member.filename):
                _check_sheet(archive, member, source)
            elif member.filename == _SHARED_STRINGS:
                _check_shared_strings(archive, member, source)


def _check_size(member: zipfile.ZipInfo, source: str) -> None:
    size, packed = member.file_size, max(member.compress_size, 1)
    if size > MAX_PART_BYTES:
        raise InputError(f"{source}: the workbook's part {member.filename} inflates to {size:,} bytes, over the "
                         f"limit of {MAX_PART_BYTES:,}: refused as a zip bomb (save the sheet as CSV)")
    if size > RATIO_FLOOR_BYTES and size > MAX_PART_RATIO * packed:
        raise InputError(f"{source}: the workbook's part {member.filename} inflates {size // packed:,} times "
                         f"({packed:,} to {size:,} bytes), far past what a real workbook compresses: refused as a "
                         f"zip bomb")


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo, source: str):
    """The part's bytes in chunks, never more than it declares (a lying header inflates no further)."""
    read = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if read > member.file_size:
                    raise InputError(f"{source}: the workbook's part {member.filename} is larger than its zip "
                                     "entry declares: refused as a zip bomb")
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"{source}: cannot read the workbook (part {member.filename}: "
                         f"{' '.join(str(exc).split())[:120]})") from None


def _check_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, source: str) -> None:
    cells, far_row, far_column = 0, 0, 0
    declared: tuple[int, int] | None = None
    tail = b""
    for chunk in _chunks(archive, member, source):
        # a reference cut between chunks is read whole from the tail kept of the chunk before
        text = tail + chunk
        if declared is None and (found := _DIMENSION.search(text)):
            declared = (_column_number(found.group(1)), int(found.group(2)))
        keep = max(0, len(text) - 32)
        found = _CELL.findall(text, 0, keep)
        cells, far_column, far_row = cells + len(found), *_farthest(found, far_column, far_row)
        tail = text[keep:]
    found = _CELL.findall(tail)
    cells, far_column, far_row = cells + len(found), *_farthest(found, far_column, far_row)
    if declared is not None:  # the reader sizes its grid by the declared range too
        far_column, far_row = max(far_column, declared[0]), max(far_row, declared[1])
    reach = f"{_column_name(far_column)}{far_row}"
    if far_row > MAX_SHEET_ROWS or far_column > 16_384:
        raise InputError(f"{source}: sheet part {member.filename}: its used range reaches {reach}, past Excel's "
                         "grid: the workbook is damaged or forged")
    span = far_row * far_column
    if span > SPARSE_FLOOR_CELLS and span > SPARSE_FACTOR * max(cells, 1):
        raise InputError(f"{source}: sheet part {member.filename}: its used range reaches {reach} ({span:,} cells) "
                         f"but it holds {cells:,}: {_ADVICE}")


def _check_shared_strings(archive: zipfile.ZipFile, member: zipfile.ZipInfo, source: str) -> None:
    head = next(_chunks(archive, member, source), b"")[:4096]
    ceiling = max(1024, member.file_size // MIN_SHARED_STRING_BYTES)
    for match in _COUNT.finditer(head):
        digits = match.group(1)
        if len(digits) > 12 or int(digits) > ceiling:
            raise InputError(f"{source}: the workbook's {_SHARED_STRINGS} declares {int(digits[:40]):,}"
                             f"{'...' if len(digits) > 40 else ''} strings in {member.file_size:,} bytes: refused "
                             "as damaged or forged (save the sheet as CSV)")


def _farthest(found: list[tuple[bytes, bytes]], column: int, row: int) -> tuple[int, int]:
    """The farthest column and row among ``found`` references and those given; each distinct letters or digits
    converted once (a sheet of millions of cells has a few columns and rows in order)."""
    if found:
        column = max(column, max(map(_column_number, {letters for letters, _ in found})))
        row = max(row, max(map(int, {digits for _, digits in found})))
    return column, row


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name
