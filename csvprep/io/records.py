"""Where a record ends in CSV bytes, exactly as the careful reader splits records (Python's csv module, strict, one
record at a time), found without reading every record: what :mod:`csvprep.io.cut` cuts a file at."""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterator

import polars as pl


def record_start(data: bytes | bytearray, end: int, delimiter: str, *, in_bulk: bool = True) -> int:
    """The start of the record that the line ending at ``end`` belongs to (``end`` itself when a record ends
    there), records split from the start of ``data`` exactly as the careful reader splits them (Python's csv
    module, strict, one record at a time): a quote opens a quoted field only at a field's start, so a stray quote
    in an unquoted field ('Jo "JJ Smith') is text and ends nothing. Lines that are whole well-formed records are
    told apart in bulk, and so are the usual multi-line cells (:func:`_paired`); only what is left is read record
    by record (all of it with ``in_bulk=False``: the reference the bulk path is tested against)."""
    if data.find(b'"', 0, end) == -1:  # no quote: every line is a record
        return end
    region = bytes(data[:end])
    lines = _line_table(region)
    d = re.escape(delimiter)
    cell = f'(?:"(?:[^"]|"")*"|="[^"{d}\r\n]*"|[^"{d}\r\n]*)'
    whole = f"^{cell}(?:{d}{cell})*\r?$"
    # the lines with a quote that are not whole records, each with its place among the lines with a quote
    quoted = lines.with_row_index("_i").filter(pl.col("_text").str.contains('"', literal=True)).with_row_index("_q")
    suspects = quoted.filter(~pl.col("_text").str.contains(whole))
    if in_bulk:
        unfinished = _paired(suspects, quoted.height, cell, d)
        if unfinished is not None:
            return end if unfinished < 0 else lines.item(unfinished, "_offset")
    suspect = suspects.get_column("_i")
    offsets = lines.get_column("_offset").to_list()  # Python ints: one lookup per suspect line, not a Polars call
    next_record = 0  # the line where the next record starts
    for line in suspect.to_list():
        if line < next_record:
            continue  # inside a record read already
        record_end = _careful_record_end(region, offsets[line], delimiter)
        # a record may end at a lone CR inside a line: the rest of that line starts the next one
        while record_end is not None and record_end < end and region[record_end - 1] == 0x0D \
                and region[record_end] != 0x0A:
            record_end = _careful_record_end(region, record_end, delimiter)
        if record_end is None:  # a quoted field runs on past the end: the record starts on this line
            return offsets[line]
        next_record = bisect.bisect_left(offsets, record_end)
    return end


_OPENS, _CLOSES = 1, 2


def _paired(suspects: pl.DataFrame, quoted: int, cell: str, delimiter: str) -> int | None:
    """Where records end when each line with a quote that is not a whole record is one of a pair: a line that
    opens a quoted field at a field's start and ends inside it, then the next line with a quote, which closes it
    and ends the record (the lines between, inside the field, have none): a notes cell over several lines, the
    usual multi-line record. ``suspects``: those lines, ``_i`` (the line), ``_q`` (its place among the ``quoted``
    lines with a quote) and ``_text``. Returns the line of a record still open at the end, -1 when every record ends by
    then, None when the lines are not all of that shape (the caller reads them record by record)."""
    if suspects.height == 0:
        return -1
    text = pl.col("_text")
    opens = text.str.contains(f'^(?:{cell}{delimiter})*"(?:[^"]|"")*$')
    closes = text.str.contains(f'^(?:[^"]|"")*"(?:{delimiter}{cell})*\\r?$')
    kinds = suspects.select(
        "_i", "_q",
        pl.when(text.str.contains(r"\r.")).then(None)  # a lone CR can end a record inside a line
        .when(opens & ~closes).then(_OPENS).when(closes & ~opens).then(_CLOSES).alias("_kind"))
    kind, place = pl.col("_kind"), pl.col("_q")
    paired = kinds.select(
        # opening and closing lines take turns, from an opening one
        kind.eq_missing(pl.int_range(pl.len()).mod(2).add(_OPENS)).all()
        # and a closing line is the next line with a quote after its opening one
        & ((kind != _CLOSES) | (place == place.shift(1) + 1)).fill_null(False).all()).item()
    if not paired:
        return None
    if kinds.height % 2 == 0:
        return -1
    # a cell left open: every line after it is inside it, but a line with a quote there may close it
    return kinds.item(-1, "_i") if kinds.item(-1, "_q") == quoted - 1 else None


def _line_table(region: bytes) -> pl.DataFrame:
    """``_text`` and ``_offset`` (where it starts in ``region``) of each line of ``region``."""
    separator = next((c for c in "\x1f\x1e\x1d\x1c\x01" if c.encode() not in region), None)
    lines = None
    if separator is not None and region.endswith(b"\n"):
        try:
            # Polars' reader, with no quoting and a separator the text lacks, gives the lines, a CR LF's CR dropped
            lines = pl.read_csv(region, has_header=False, separator=separator, quote_char=None, infer_schema=False,
                                empty_string_is_null=False, new_columns=["_text"], raise_if_empty=False)
        except pl.exceptions.PolarsError:
            pass  # not UTF-8 (cp1252)
    if lines is not None:
        # the lengths must add up to the region's, with the CR of every line dropped or of none (mixed line
        # endings, which this cannot tell apart, are read as below): counting both endings is a slower check
        dropped = len(region) - lines.height - (lines.select(pl.col("_text").str.len_bytes().sum()).item() or 0)
        if dropped in (0, lines.height):
            length = pl.col("_text").str.len_bytes() + (1 if dropped else 0)
            return lines.with_columns((length + 1).cum_sum().shift(1, fill_value=0).cast(pl.Int64).alias("_offset"))
    # one character a byte, so lengths are the bytes'
    texts = region.decode("latin-1").split("\n")
    lines = pl.DataFrame({"_text": texts[:-1] if texts and texts[-1] == "" else texts}, schema={"_text": pl.String})
    length = pl.col("_text").str.len_chars()
    return lines.with_columns((length + 1).cum_sum().shift(1, fill_value=0).cast(pl.Int64).alias("_offset"))


_PHYSICAL_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _careful_record_end(region: bytes, start: int, delimiter: str) -> int | None:
    """Where the record starting at ``start`` ends, as the careful reader reads it (csv.reader over the lines of
    ``io.StringIO(text, newline='')``, a malformed record ending on the line where it fails); None when a quoted
    field is still open at the end of ``region``."""
    consumed = [start]

    def lines() -> Iterator[str]:
        for found in _PHYSICAL_LINE.finditer(region, start):
            consumed.append(found.end())
            yield found.group().decode("latin-1")  # quotes, delimiters and line breaks are ASCII in any encoding

    reader = csv.reader(lines(), delimiter=delimiter, quotechar='"', strict=True, doublequote=True)
    try:
        next(reader)
    except StopIteration:
        return len(region)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return None
    return consumed[-1]
