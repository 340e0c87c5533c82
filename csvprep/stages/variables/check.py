"""The agent's dynamic variables: trim, type-check and normalise each variable column, fill empty cells from the
campaign's defaults (a CSV value always wins) and report what is missing or invalid.

Types are normalised and the per-agent constraints (lengths, patterns, ranges) checked with Polars expressions (no
Python per row); :mod:`csvprep.schema` states the same contract as a pandera schema for the cleaned frame."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import polars as pl

from ...model.issues import issue_frame, issues_from
from ...model.rules import VariableRule
from ...model.summary import VariableStats
from ...model.text import PLACEHOLDERS, SPREADSHEET_ERROR, SPREADSHEET_ERROR_REASON, WHITESPACE, excel_text_expr

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
# spacing, currency signs and codes around an amount; Rs. is how Indian lists write the rupee
_CURRENCY = (r"[\s$€£₹¥₨]|(?:US|AU|A|CA|C|S|NZ|HK)\$|\b[Rr]s\.?|\b(?:USD|EUR|GBP|INR|AUD|CAD|SGD|AED|CHF|NZD|JPY"
             r"|CNY|HKD|ZAR|SAR)\b")
_TRUE = ("true", "yes", "y", "t", "1")
_FALSE = ("false", "no", "n", "f", "0")
_EMAIL = r"^[^@\s<>:]+@[^@\s.<>]+(\.[^@\s.<>]+)+$"
# invisible characters that copying from a web page or a word processor leaves at a cell's ends: with them a
# blank cell would count as filled (the agent greeting 'Hi ,') and a value would carry them to the platform.
# Joiners (U+200C, U+200D) are left: inside Indic words they are spelling.
_AT_ENDS = WHITESPACE + "\u200b\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"
_NUMERIC_SUFFIX = "__csvprep_number"


def check_variables(
    frame: pl.DataFrame, bindings: list[tuple[VariableRule, str]], *, decimal_comma: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame, list[VariableStats]]:
    """Normalise the variable columns of ``frame`` (which has ``_row`` and ``_line``).

    ``bindings`` pairs each variable with the frame column that holds it (a column missing from the frame is
    created, full of the default). ``decimal_comma``: numbers whose reading depends on it (``1.234``) are read
    with a decimal comma, as a semicolon-separated file writes them, unless the variable's ``decimal_separator``
    says otherwise. Returns the frame with normalised, filled columns, the issues found and a
    :class:`VariableStats` per variable.
    """
    issues: list[pl.DataFrame] = []
    stats: list[VariableStats] = []
    updates: list[pl.Series] = []
    for variable, column in bindings:
        if column in frame.columns:
            raw = frame.get_column(column)
        else:
            raw = pl.Series(column, [None] * frame.height, dtype=pl.String)
        checked = _checked(raw, variable, decimal_comma)
        normalised, problem = checked.get_column("value"), checked.get_column("problem")
        present = checked.get_column("present")
        placeholder = checked.get_column("placeholder")
        if placeholder.any():
            # a required one without a default: the missing_variable error that follows says it
            then = (f"filled with the default '{variable.default}'" if variable.default is not None
                    else None if variable.required else "left empty")
            issues.append(issue_frame(
                frame.with_columns(raw.alias("_value")).filter(placeholder), column=column, code="placeholder_value",
                value=pl.col("_value"),
                message=pl.format("placeholder '{}' for '{}' read as an empty cell", pl.col("_value").str.strip_chars(),
                                  pl.lit(variable.name)),
                detail=pl.lit(then),
            ))
        invalid = problem.is_not_null()
        missing = ~present
        filled = normalised
        if variable.default is not None:
            filled = pl.select(
                pl.when(missing).then(pl.lit(variable.default)).otherwise(normalised).alias(column)
            ).to_series()
        elif variable.required:
            issues.append(
                issue_frame(
                    frame.filter(missing),
                    column=column,
                    code="missing_variable",
                    value=pl.lit(""),
                    message=pl.lit(f"missing required variable '{variable.name}'"),
                )
            )
        issues.append(
            issue_frame(
                frame.with_columns(raw.alias("_value"), problem.alias("_problem")).filter(invalid),
                column=column,
                code="invalid_value",
                value=pl.col("_value"),
                message=pl.format("invalid value '{}' for '{}': {}", pl.col("_value"), pl.lit(variable.name),
                                  pl.col("_problem")),
            )
        )
        updates.append(filled.alias(column))
        stats.append(
            VariableStats(
                variable=variable.name,
                column=column,
                from_file=int(present.sum()),
                defaulted=int(missing.sum()) if variable.default is not None else 0,
                missing=int(missing.sum()) if variable.default is None and variable.required else 0,
                invalid=int(invalid.sum()),
            )
        )
    if updates:
        frame = frame.with_columns(updates)
    return frame, issues_from(issues), stats


def check_value(text: str, variable: VariableRule) -> str | None:
    """Why ``text`` is not a valid value for ``variable``, or ``None`` when it is (used for defaults)."""
    raw = pl.Series("value", [text], dtype=pl.String)
    return _checked(raw, variable, False).get_column("problem")[0]


def normalise_value(text: str, variable: VariableRule) -> str | None:
    """The value as it is written to cleaned.csv, or ``None`` when it is empty or invalid."""
    raw = pl.Series("value", [text], dtype=pl.String)
    typed = _typed(raw, variable)
    return None if typed.get_column("problem")[0] is not None else typed.get_column("value")[0]


# a column is checked value by value when a sample of it holds at most this share of distinct values
_SAMPLE = 10_000
_DISTINCT_SHARE = 5


def _checked(raw: pl.Series, variable: VariableRule, decimal_comma: bool) -> pl.DataFrame:
    """:func:`_typed` with the variable's constraints applied to ``problem``.

    Columns such as dates, languages or yes/no flags repeat a few values over many rows: they are checked once
    per distinct value and the answers spread back (a due-date column of a million rows: 0.3 s -> 0.09 s). Every
    check is of one value alone, so the answers are the same either way."""
    if variable.type != "string" and len(raw) >= 4 * _SAMPLE \
            and raw.head(_SAMPLE).n_unique() * _DISTINCT_SHARE <= _SAMPLE:
        distinct = raw.drop_nulls().unique()
        if len(distinct) * _DISTINCT_SHARE <= len(raw):
            checked = _checked(distinct, variable, decimal_comma)
            position = raw.replace_strict(distinct, pl.int_range(len(distinct), eager=True, dtype=pl.UInt32),
                                          default=None, return_dtype=pl.UInt32)
            # an empty cell's position is null: its row comes back all null, where present is false
            return checked[position].with_columns(pl.col("present").fill_null(False),
                                                  pl.col("placeholder").fill_null(False))
    typed = _typed(raw, variable, decimal_comma)
    return typed.with_columns(_constraints(typed.get_column("value"), typed.get_column("problem"), variable))


def _typed(raw: pl.Series, variable: VariableRule, decimal_comma: bool = False) -> pl.DataFrame:
    """Columns ``value`` (normalised text, null when empty or invalid), ``problem`` (why it is invalid) and
    ``present`` (the cell holds something)."""
    # the trimmed cell, null when empty: every normalisation below starts from it
    frame = pl.DataFrame({"raw": raw}).select(pl.col("raw").str.strip_chars(_AT_ENDS).replace("", None)
                                              .alias("present"))
    placeholder = frame.select(pl.col("present").is_in(PLACEHOLDERS).fill_null(False)).to_series()
    if placeholder.any():
        frame = frame.select(pl.when(~placeholder).then(pl.col("present")).alias("present"),
                             placeholder.alias("placeholder"))
    else:
        frame = frame.with_columns(pl.lit(False).alias("placeholder"))
    if frame.get_column("present").str.starts_with('="').any():
        # ="000123": the text inside is the value (what the spreadsheet shows, and what the agent should say)
        frame = frame.with_columns(excel_text_expr(pl.col("present")).str.strip_chars().replace("", None)
                                   .alias("present"))
    # '#N/A' in a name column would be read out to the contact: a failed formula is no value of any type
    failed_formulas = None
    if frame.select(pl.col("present").str.starts_with("#") | pl.col("present").str.starts_with("Err:")).to_series() \
            .any():
        failed_formulas = frame.select(pl.col("present").str.contains(SPREADSHEET_ERROR).fill_null(False)).to_series()
    value = pl.col("present")
    kind = variable.type
    comma = kind in ("integer", "decimal") and (variable.decimal_separator or ("," if decimal_comma else ".")) == ","
    if kind == "string":
        normalised, problem = value, pl.lit(None, dtype=pl.String)
    elif kind in ("integer", "decimal"):
        normalised, problem = _read_number(value, kind, comma=comma, either=variable.decimal_separator is None)
    elif kind == "boolean":
        lowered = value.str.to_lowercase()
        normalised = (
            pl.when(lowered.is_in(_TRUE)).then(pl.lit("true"))
            .when(lowered.is_in(_FALSE)).then(pl.lit("false"))
        )
        problem = pl.lit("expected true/false (or yes/no, 1/0)")
    elif kind == "email":
        # mailto:ann@example.com, and Ann Lee <ann@example.com> as mail programs copy an address
        address = value.str.replace(r"^(?i:mailto:)", "").str.replace(r"^[^<>@]*<([^<>]+)>$", "${1}") \
            .str.strip_chars(_AT_ENDS)
        normalised = pl.when(address.str.contains(_EMAIL)).then(address)
        problem = pl.lit("expected an email address")
    elif kind == "enum":
        normalised, problem = _enum(value, variable)
    elif kind == "date":
        normalised, problem = None, _date_problem(value, variable)  # read by _parse_dates
    else:  # pragma: no cover - rules.py rejects unknown types
        raise AssertionError(kind)
    quick = None if comma else _quick(kind, variable)
    if quick is not None:
        # most cells are already in (or next to) canonical form: the full normalisation runs on the others only
        frame = frame.with_columns(quick(value).cast(pl.String).alias("value"))
        todo = frame.select(pl.col("value").is_null() & value.is_not_null()).to_series()
        if todo.any():
            rest = frame.filter(todo)
            fixed = rest.select(normalised.alias("value")).to_series() if kind != "date" else \
                _parse_dates(rest.get_column("present"), variable)
            frame = frame.with_columns(frame.get_column("value").scatter(todo.arg_true(), fixed))
    elif kind == "date":
        frame = frame.with_columns(_parse_dates(frame.get_column("present"), variable).alias("value"))
    else:
        frame = frame.with_columns(normalised.alias("value"))
    # why a value failed is worked out for the values that did (a date's reason runs a pattern of its own)
    failed = frame.select(value.is_not_null() & pl.col("value").is_null()).to_series()
    problems = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    if failed.any():
        problems = problems.scatter(failed.arg_true(), frame.filter(failed).select(problem.cast(pl.String)).to_series())
    if failed_formulas is not None and failed_formulas.any():
        positions = failed_formulas.arg_true()
        frame = frame.with_columns(frame.get_column("value").cast(pl.String).scatter(positions, None))
        problems = problems.scatter(positions, SPREADSHEET_ERROR_REASON)
    return frame.select(pl.col("value").cast(pl.String), problems.alias("problem"), value.is_not_null().alias("present"),
                        "placeholder")


def _quick(kind: str, variable: VariableRule) -> Callable[[pl.Expr], pl.Expr] | None:
    if kind == "date" and variable.formats:
        return None
    if kind == "enum" and not variable.case_sensitive:
        # a value written exactly as listed is its own canonical form
        return lambda value: pl.when(value.is_in(list(variable.values))).then(value)
    return _QUICK.get(kind)


_QUICK = {
    "email": lambda value: pl.when(value.str.contains(_EMAIL)).then(value),
    "integer": lambda value: pl.when(value.str.contains(r"^(?:0|-?[1-9][0-9]*)$")).then(value),
    # 1234.5 as it is, 12,345.67 without its thousands separators: nothing else to undo
    "decimal": lambda value: pl.when(value.str.contains(r"^-?(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)"
                                                        r"(?:\.[0-9]+)?$"))
    .then(value.str.replace_all(",", "", literal=True)),
    "date": lambda value: pl.when(value.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
                                  & value.str.strptime(pl.Date, "%Y-%m-%d", strict=False, exact=True).is_not_null())
    .then(value),
}


# thousands grouped by commas (1,234,567), as Indian lists group them (12,34,567), or by apostrophes as Swiss ones do
# (1'234'567): never a decimal separator in these shapes
_GROUPED = r"\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:['’]\d{3})+"


def _integer(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    compact = value.str.replace_all(_CURRENCY, "").str.replace_all("_", "")
    plain = compact.str.contains(r"^[+-]?\d+$")
    grouped = compact.str.contains(rf"^[+-]?(?:{_GROUPED})$")
    # a spreadsheet number cell: 42 stored as 42.0, or shown as 1,500.00
    excel_float = compact.str.contains(rf"^[+-]?(?:\d+|{_GROUPED})\.0+$")
    digits = compact.str.replace_all(r"[,'’]", "").str.replace(r"\.0+$", "").str.replace(r"^\+", "")
    canonical = digits.str.replace(r"^(-?)0+(\d)", "${1}${2}").str.replace(r"^-0$", "0")
    return pl.when(plain | grouped | excel_float).then(canonical), pl.lit("expected a whole number")


def _decimal(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    compact = value.str.replace_all(_CURRENCY, "")
    plain = compact.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    grouped = compact.str.contains(rf"^[+-]?(?:{_GROUPED})(\.\d+)?$")
    text = compact.str.replace_all(r"[,'’]", "").str.replace(r"^\+", "")
    text = text.str.replace(r"^(-?)\.", "${1}0.").str.replace(r"\.$", "")
    text = text.str.replace(r"^(-?)0+(\d)", "${1}${2}")
    return pl.when(plain | grouped).then(text), pl.lit("expected a decimal number such as 1234.50")


def _read_number(value: pl.Expr, kind: str, *, comma: bool, either: bool) -> tuple[pl.Expr, pl.Expr]:
    """An integer or decimal read with a decimal ``comma`` (1.234,56 read as :func:`_decimal` reads 1,234.56) or
    point. ``either``: a number that reads only the other way (12.5 with a comma, 1.234,56 with a point) is taken
    that way too, so only a number that reads both ways (1.234) follows the separator."""
    normalise = _integer if kind == "integer" else _decimal
    primary, other = (_swap_separators(value), value) if comma else (value, _swap_separators(value))
    normalised, problem = normalise(primary)
    if comma:
        example = "1234" if kind == "integer" else "1234,50"
        problem = pl.lit(f"expected a {'whole' if kind == 'integer' else 'decimal'} number such as {example} "
                         "(decimal comma)")
    if either:
        normalised = pl.coalesce(normalised, normalise(other)[0])
    return normalised, problem


def _swap_separators(value: pl.Expr) -> pl.Expr:
    """1.234,56 as 1,234.56: a number written with a decimal comma, in the form the normalisers read."""
    return value.str.replace_many([".", ","], [",", "."])


def _enum(value: pl.Expr, variable: VariableRule) -> tuple[pl.Expr, pl.Expr]:
    allowed = ", ".join(variable.values)
    if variable.case_sensitive:
        return pl.when(value.is_in(variable.values)).then(value), pl.lit(f"expected one of {allowed}")
    mapping = {v.casefold(): v for v in variable.values}
    normalised = value.str.to_lowercase().replace_strict(
        list(mapping), list(mapping.values()), default=None, return_dtype=pl.String
    )
    return normalised, pl.lit(f"expected one of {allowed}")


def _date_formats(variable: VariableRule) -> list[tuple[str, pl.DataType]]:
    formats = variable.formats or DEFAULT_DATE_FORMATS
    return [(fmt, pl.Date) for fmt in formats] + [(fmt, pl.Datetime) for fmt in formats if "%H" in fmt]


def _parse_dates(values: pl.Series, variable: VariableRule) -> pl.Series:
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


def _date_problem(value: pl.Expr, variable: VariableRule) -> pl.Expr:
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


def _constraints(normalised: pl.Series, problem: pl.Series, variable: VariableRule) -> pl.Series:
    """Check the variable's lengths, pattern and range; add the first failure to ``problem``.

    Plain Polars expressions: importing pandera costs about 0.4 s, more than a pre-commit hook's whole check of
    a thousand contacts may take. :func:`csvprep.schema.cleaned_schema` states the same constraints as a pandera
    schema for cleaned.csv."""
    failures = constraint_failures(pl.col("value"), variable)
    if not failures:
        return problem
    chain = None
    for failed, detail in failures:
        chain = (pl.when(failed) if chain is None else chain.when(failed)).then(pl.lit(detail))
    found = pl.DataFrame({"value": normalised}).select(
        pl.when(pl.col("value").is_not_null()).then(chain).alias("detail")
    ).to_series()
    return pl.select(pl.coalesce(pl.lit(problem), pl.lit(found))).to_series().alias("problem")


def constraint_failures(value: pl.Expr, variable: VariableRule) -> list[tuple[pl.Expr, str]]:
    """``(expression true when the value breaks the constraint, message detail)`` for each of the variable's
    constraints, in the order they are reported."""
    found = []
    if variable.min_length is not None:
        found.append((value.str.len_chars() < variable.min_length,
                      f"shorter than {variable.min_length} characters"))
    if variable.max_length is not None:
        found.append((value.str.len_chars() > variable.max_length, f"longer than {variable.max_length} characters"))
    if variable.pattern is not None:
        found.append((~value.str.contains(f"^(?:{variable.pattern})$"),
                      f"does not match the pattern {variable.pattern}"))
    number = value.cast(pl.Float64, strict=False)
    if variable.min is not None:
        found.append((number < variable.min, f"less than {_number(variable.min)}"))
    if variable.max is not None:
        found.append((number > variable.max, f"greater than {_number(variable.max)}"))
    return found


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
