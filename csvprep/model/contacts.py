"""A contact file as data: what was read (the well-formed records, the broken ones, what was detected on the way),
the options that override detection, and which column holds the phone and each variable."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..errors import InputError
from .rules import VariableRule
from .text import printable

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class NoContactsError(InputError):
    """A header and nothing else but ``blank_rows`` blank rows (and perhaps a ``footer``)."""

    def __init__(self, message: str, blank_rows: int) -> None:
        super().__init__(message)
        self.blank_rows = blank_rows
        self.footer: list[str] = []


@dataclass(frozen=True)
class ReadOptions:
    """Overrides for what csvprep would otherwise detect."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None  # a workbook's sheet: its name or its number (1 is the first)
    # title rows typed above the header: how many (None: detected). A file read in parts is read with what its
    # first lines showed, as one pass over the whole file would read it
    titles: int | None = None


@dataclass
class Contacts:
    """A contact file split into records.

    ``frame`` holds the well-formed records, a string column per header plus ``_row`` (the spreadsheet row
    number: header = 1) and ``_line`` (the physical line where the record starts). ``broken`` holds the records
    that could not be split into the header's fields: ``_row``, ``_line``, ``_raw`` (the record's text), ``code``
    and ``message``."""

    frame: pl.DataFrame
    header: list[str]
    broken: pl.DataFrame
    blank_rows: int
    source: str
    sha256: str | None = None
    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    line_endings: str = "LF"
    header_row: int = 1
    titles: int = 0  # title rows skipped above the header
    dropped_columns: list[str] = field(default_factory=list)
    left_out_columns: list[str] = field(default_factory=list)  # an earlier rejected.csv's row, errors (and raw)
    left_out_index: bool = False  # an unnamed first column of whole numbers: a row index (pandas' to_csv)
    footer: list[str] = field(default_factory=list)  # lines below the table, after a blank line: a report's footer
    sheet: str | None = None  # the worksheet read, for an .xlsx workbook
    sheets: list[str] = field(default_factory=list)  # all the workbook's sheets, in order

    @property
    def records(self) -> int:
        """Contact records in the file: well-formed plus broken (blank rows are not contacts)."""
        return self.frame.height + self.broken.height

    def describe(self) -> dict[str, object]:
        """What was detected, for the report."""
        return {
            "encoding": self.encoding,
            "bom": self.bom,
            "delimiter": self.delimiter,
            "delimiter_name": DELIMITER_NAMES.get(self.delimiter, self.delimiter),
            "line_endings": self.line_endings,
            "header_row": self.header_row,
            "columns": self.header,
            "blank_rows": self.blank_rows,
            "dropped_empty_columns": len(self.dropped_columns),
            "left_out_columns": self.left_out_columns,
            "left_out_index": self.left_out_index,
            "footer_rows": len(self.footer),
            **({"sheet": self.sheet} if self.sheet is not None else {}),
        }

# Columns csvprep keeps beside the file's own while it works (row and line numbers, the E.164 number and its
# verdict, time zones, the reasons for rejecting): a file column of the same name would be overwritten or clash.
INTERNAL_COLUMNS = frozenset({"_row", "_line", "_raw", "_e164", "_phone_code", "_phone_detail", "_region",
                              "_line_type", "_zones", "_errors"})


def check_not_internal(header: list[str], where: str) -> None:
    """Refuse a header that names one of :data:`INTERNAL_COLUMNS`, or that Polars would take for a selection of
    columns rather than a name (``*``, or ``^…$``, a pattern): ``where`` is the file and line, for the message."""
    taken = [name for name in header if name in INTERNAL_COLUMNS]
    if taken:
        raise InputError(f"{where}: column '{taken[0]}' has a name csvprep uses for its own work; rename the column")
    patterns = [name for name in header if is_column_pattern(name)]
    if patterns:
        raise InputError(f"{where}: column {printable(repr(patterns[0]))} is named like a pattern of column names "
                         "('*' or '^...$'), which csvprep cannot tell from a name; rename the column")


def is_column_pattern(name: str) -> bool:
    """Whether Polars reads ``name`` in ``pl.col(name)`` as a selection of columns (every one, or a regex)."""
    return name == "*" or (len(name) > 1 and name.startswith("^") and name.endswith("$"))


@dataclass(frozen=True)
class ColumnMap:
    """The header that holds the phone, and for each variable the header that holds it (or its own name when the
    file has no such column and the default fills it)."""

    phone: str
    variables: tuple[tuple[VariableRule, str], ...]
    added: tuple[str, ...]  # variable columns that are not in the file: cleaned.csv gains them, filled by defaults
    country_code: str | None = None  # the column of each number's country code, when apart from the number

ADDABLE_COLUMNS = ("timezone", "country", "line_type", "source_file", "source_row")
