"""Dates in variable columns: read with the rules' formats or the default ones (and the day-first or month-first
reading a date of three numbers allows only one of), normalised to ISO 8601; why a cell is no date (a spreadsheet's
date serial, an ambiguous day and month)."""

from __future__ import annotations

import datetime

import polars as pl

from ...model.rules import VariableRule

DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d %B %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d-%b-%Y",  # 31-Jan-2026, Excel's d-mmm-yy shown with its year in full
    "%d-%b-%y",  # 31-Jan-26
)


def _date_formats(variable: VariableRule) -> list[tuple[str, pl.DataType]]:
    formats = variable.formats or DEFAULT_DATE_FORMATS
    return [(fmt, pl.Date) for fmt in formats] + [(fmt, pl.Datetime) for fmt in formats if "%H" in fmt]


def parse_dates(values: pl.Series, variable: VariableRule) -> pl.Series:
    """The dates normalised to ISO 8601: for each cell the first format (in the rules' order) that reads it
    whole. Each format is tried only on the cells no earlier format read."""
    result = pl.Series(values.name, [None] * len(values), dtype=pl.Date)
    if not variable.formats:
        values = values.to_frame().select(_date_text(pl.first())).to_series()
    todo = values.is_not_null()
    for fmt, dtype in _date_formats(variable):
        if not todo.any():
            break
        positions = todo.arg_true()
        parsed = values.gather(positions).str.strptime(dtype, fmt, strict=False, exact=True).cast(pl.Date)
        if "%Y" in fmt:  # four digits, as Python reads %Y: Polars would read 1/2/26 as the year 1
            parsed = parsed.to_frame().select(pl.when(pl.first().dt.year() >= 1000).then(pl.first())).to_series()
        read = parsed.is_not_null()
        if read.any():
            result = result.scatter(positions.filter(read), parsed.filter(read))
            todo = todo.scatter(positions.filter(read), False)
    if not variable.formats and todo.any():
        # 12/21/2026 is a date only month first, 21/12/2026 only day first: a date only one order reads is
        # taken (05/05/2026 too); 03/04/2026 reads both ways and stays a problem
        positions = todo.arg_true()
        rest = pl.DataFrame({"value": values.gather(positions)})
        month_first, day_first = _day_month_readings(pl.col("value"))
        only = rest.select(
            pl.when(day_first.is_null() | (month_first == day_first)).then(month_first)
            .when(month_first.is_null()).then(day_first)
        ).to_series()
        read = only.is_not_null()
        if read.any():
            result = result.scatter(positions.filter(read), only.filter(read))
    return result.dt.strftime("%Y-%m-%d")


_DAY_MONTH = r"^\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{2}|\d{4})$"

# what exports put around a date that says nothing more about the day: an ISO date-time's fraction of a second and
# its zone (2026-01-31T10:30:00.000Z from a CRM: the date as written), the time of a spreadsheet's date-time cell
# (1/31/2026 0:00), an ordinal's suffix (January 31st, 2026)
_ISO_DATE_TIME = (r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,]\d{1,9})?"
                  r"[ ]?(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$")

_NUMBERS_AND_TIME = (r"^(\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{2}|\d{4}))[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
                     r"(?:[ ]?[AaPp]\.?[Mm]\.?)?$")


def _date_text(value: pl.Expr) -> pl.Expr:
    """The cell as the default date formats read it."""
    return value.str.replace(_ISO_DATE_TIME, "${1} ${2}").str.replace(_NUMBERS_AND_TIME, "${1}") \
        .str.replace(r"\b(\d{1,2})(?:st|nd|rd|th)\b", "${1}")


def _day_month_readings(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A date of three numbers (12/21/2026, 21.12.26) read month first and day first: null where that order
    makes no date."""
    numbers = pl.when(value.str.contains(_DAY_MONTH)).then(value.str.replace_all(r"[.\-]", "/"))
    long_year = numbers.str.contains(r"/\d{4}$")

    def read(order: str) -> pl.Expr:
        return pl.when(long_year).then(numbers.str.strptime(pl.Date, f"{order}/%Y", strict=False, exact=True)) \
            .otherwise(numbers.str.strptime(pl.Date, f"{order}/%y", strict=False, exact=True))

    return read("%m/%d"), read("%d/%m")


def date_problem(value: pl.Expr, variable: VariableRule) -> pl.Expr:
    formats = variable.formats or DEFAULT_DATE_FORMATS
    accepted = " or ".join(_format_example(fmt) for fmt in formats[:3])
    problem = pl.lit(f"expected a date such as {accepted}")
    # a date cell exported as a plain number shows Excel's serial: days since 1899-12-30 (46053 is 2026-01-31)
    serial = value.str.strip_chars().str.extract(r"^(\d{5})(?:\.0+)?$").cast(pl.Int64)
    serial_date = (pl.lit(datetime.date(1899, 12, 30)) + pl.duration(days=serial)).dt.strftime("%Y-%m-%d")
    problem = pl.when(serial.is_between(20_000, 80_000)).then(pl.format(
        "a spreadsheet's date serial number ({}?); format the column as dates in the spreadsheet and export it "
        "again", serial_date)).otherwise(problem)
    if not variable.formats:
        month_first, day_first = _day_month_readings(_date_text(value))
        ambiguous = month_first.is_not_null() & day_first.is_not_null()
        problem = (
            pl.when(ambiguous)
            .then(pl.lit("ambiguous date: day and month order unknown; set formats = [\"%d/%m/%Y\"] "
                         "(or \"%m/%d/%Y\") for this variable in the rules"))
            .otherwise(problem)
        )
    return problem


def _format_example(fmt: str) -> str:
    return datetime.datetime(2025, 1, 31, 14, 30).strftime(fmt)
