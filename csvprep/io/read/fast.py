"""The fast path for a well-formed file: records found and checked with Polars expressions, then split into
fields by Polars' own CSV reader. Any record it cannot vouch for sends the whole file to the careful path."""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl

from ...model.contacts import Contacts
from ...model.text import CELL_LIMIT, WHITESPACE
from .assemble import check_header, finish_contacts
from .careful import cell_pattern
from .sniff import SNIFF_LINES, clean_header, filled, title_lines, used_width


def read_well_formed(text: str | None, source: str, delimiter: str, utf8: bytes | None = None,
                     line_offset: int = 0, titles: int | None = None) -> Contacts | None:
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
    if b'"' not in data:
        # no quote anywhere (most exports): every line is a record of its own, nothing to count or join
        frame = lines.with_columns(
            pl.int_range(1, lines.height + 1, dtype=pl.Int64).alias("_line"),
            pl.lit(0, pl.UInt32).alias("_quotes"), pl.lit(False).alias("_open"),
            pl.int_range(0, lines.height, dtype=pl.Int64).alias("_record"), pl.lit(True).alias("_start"),
            pl.lit(False).alias("_spanning"))
    else:
        frame = lines.with_columns(
            pl.int_range(1, lines.height + 1, dtype=pl.Int64).alias("_line"),
            pl.col("_text").str.count_matches('"', literal=True).alias("_quotes"),
        ).with_columns((pl.col("_quotes").cum_sum() % 2 == 1).alias("_open"))
        if frame.item(-1, "_open"):
            return None  # a quote left open at the end of the file
        # a record starts on the line after one that leaves no quote open; the lines of a record that spans
        # several (a quoted cell holding a line break) are joined only for those few records, the others stay lines
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
    if titles:  # title rows known to stand above the header: the careful path looks past them
        return None
    if titles is None and ((len(header) > 1 and used_width(header) == 1) or 2 * filled(header) <= following) \
            and title_lines(data[:1 << 16], delimiter):
        return None  # a title above the table ('Contacts, March' or 'Contacts,,'): the careful path looks past it
    header = [clean_header(f) for f in header]
    check_header(header, source, 1)
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
    return finish_contacts(records, header, broken, blank_rows, source, header_row=1, header_line=0)


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
