"""The shape of delimited text checked before it is split into records: a line longer than any export writes, or a
header wider than Excel's grid, is refused with one line while the file is still bytes (split into fields, a
300 MB line or 200,000 columns would take gigabytes). The limits: model/limits.py."""

from __future__ import annotations

from ...errors import InputError
from ...model.limits import MAX_COLUMNS, MAX_LINE_BYTES
from .sniff import DELIMITERS

_HEAD_LINES = 16  # the header is among the first lines (a title or two may stand above it)


def check_shape(data: bytes | bytearray, source: str, delimiter: str | None = None) -> None:
    """Refuse ``data`` (a file's bytes, or its first block) if a line in it is over
    :data:`MAX_LINE_BYTES` or one of its first lines has more than :data:`MAX_COLUMNS` fields."""
    check_line_lengths(data, source)
    candidates = (delimiter,) if delimiter and len(delimiter) == 1 else DELIMITERS
    start = 0
    for number in range(1, _HEAD_LINES + 1):
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        for candidate in candidates:
            separators = _count(data, candidate, start, end)
            if separators >= MAX_COLUMNS:
                raise InputError(f"{source}: line {number} has more than {MAX_COLUMNS:,} fields "
                                 f"({separators + 1:,} by {candidate!r}), past Excel's column limit: not a contact "
                                 "list")
        if end >= len(data):
            return
        start = end + 1


def check_line_lengths(data: bytes | bytearray, source: str) -> None:
    """Refuse a line over :data:`MAX_LINE_BYTES`: every window of that many bytes must hold a line break, looked
    for with a few scans of the bytes, never a scan a line (a first block's last line may go on past it: it is
    refused only once it is already too long)."""
    start, size = 0, len(data)
    while size - start > MAX_LINE_BYTES:
        found = max(data.rfind(b"\n", start, start + MAX_LINE_BYTES + 1), data.rfind(b"\r", start,
                                                                                    start + MAX_LINE_BYTES + 1))
        if found == -1:
            line = data.count(b"\n", 0, start) + 1
            raise InputError(f"{source}: line {line} is over {MAX_LINE_BYTES // (1 << 20)} MiB with no line break, "
                             "longer than any record of a contact list: not a contact list (or not this file)")
        start = found + 1


def _count(data: bytes | bytearray, delimiter: str, start: int, end: int) -> int:
    return data.count(delimiter.encode("utf-8"), start, end)
