"""The careful record splitter: Python's strict C tokenizer, record by record, and the checks that set a record
aside with its reason (wrong field count, stray or unbalanced quotes, NUL bytes, a cell past a spreadsheet's
limit). The grammar of a well-formed field lives here too: the fast path checks records against the same one."""

from __future__ import annotations

import csv
import re
import sys

from ...model.text import CELL_LIMIT

csv.field_size_limit(sys.maxsize if sys.maxsize < 2**63 else 2**62)


def cell_pattern(delimiter: str) -> str:
    """A well-formed field: quoted (quotes inside doubled), free of quotes, delimiters and line breaks, or text
    wrapped for Excel and written bare."""
    d = re.escape(delimiter)
    # ="000123" unquoted, as many systems export text so that Excel keeps its zeros: Excel reads it (and so does
    # csvprep, quotes and all: the variables and the phone take the text inside); quotes, delimiters or line breaks
    # inside it would be the stray quotes they look like
    return f'(?:"(?:[^"]|"")*"|="[^"{d}\\r\\n]*"|[^"{d}\\r\\n]*)'


def split_records(lines: list[str], delimiter: str, line_offset: int = 0):
    """Yield ``(row, first_line_index, end_line_index, fields, error)`` for every record, blank ones included.

    A quote that is never closed would swallow the rest of the file: that record is set aside as its own line
    and reading goes on with the next line."""
    row = 0
    position = 0
    total = len(lines)
    while position < total:
        reader = csv.reader(_lines_from(lines, position), delimiter=delimiter, quotechar='"', strict=True,
                            doublequote=True, skipinitialspace=False)
        consumed = 0
        restart = None
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                start = position + consumed
                row += 1
                if "unexpected end of data" in str(exc):
                    yield row, start, start + 1, [], ("unterminated_quote",
                                                      "a quoted field is never closed")
                    restart = start + 1
                    break
                end = position + reader.line_num
                yield row, start, end, [], ("stray_quote", f"malformed quoting ({exc}){_span(start, end, line_offset)}")
                consumed = reader.line_num
                continue
            start = position + consumed
            consumed = reader.line_num
            row += 1
            yield row, start, position + consumed, fields, None
        if restart is None:
            break
        position = restart


def _lines_from(lines: list[str], start: int):
    for index in range(start, len(lines)):
        yield lines[index]


def structure_error(fields: list[str], width: int, lines: list[str] | None, start: int, end: int,
                     delimiter: str, has_nul: bool, line_offset: int = 0) -> tuple[str, str] | None:
    if lines is None:  # a workbook's cells: no quoting to get wrong, only Excel's own cell limit
        return _field_size_error(fields)
    if len(fields) != width:
        return "wrong_field_count", f"expected {width} fields, found {len(fields)}{_span(start, end, line_offset)}"
    raw_length = sum(len(lines[i]) for i in range(start, end))
    if has_nul and any("\x00" in lines[i] for i in range(start, end)):
        return "nul_byte", "the record contains a NUL byte"
    if raw_length > CELL_LIMIT and (error := _field_size_error(fields)):
        return error
    if any('"' in lines[i] for i in range(start, end)):
        raw = "".join(lines[start:end])
        if not _record_pattern(delimiter).match(raw):
            return "stray_quote", "a quote inside an unquoted field (quote the whole field and double the quote)"
    return None


def _span(start: int, end: int, line_offset: int) -> str:
    """For a record over several lines (most likely an unbalanced quote): which lines, to point at the quote."""
    if end - start <= 1:
        return ""
    return f" (the record runs over lines {start + 1 + line_offset}-{end + line_offset}: check for an unbalanced quote)"


def _field_size_error(fields: list[str]) -> tuple[str, str] | None:
    longest = max(fields, key=len, default="")
    if len(longest) <= CELL_LIMIT:
        return None
    return "field_too_large", (f"field {fields.index(longest) + 1} has {len(longest):,} characters; "
                               f"a spreadsheet cell holds at most {CELL_LIMIT:,}")


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _record_pattern(delimiter: str) -> re.Pattern[str]:
    if delimiter not in _PATTERNS:
        d = re.escape(delimiter)
        cell = cell_pattern(delimiter)
        _PATTERNS[delimiter] = re.compile(rf"{cell}(?:{d}{cell})*(?:\r\n|\r|\n)?\Z")
    return _PATTERNS[delimiter]
