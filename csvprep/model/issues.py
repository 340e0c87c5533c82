"""Issues: one row per problem found, in one Polars frame that every stage appends to and every renderer reads.

Every issue has a stable ``code``; the message follows the campaign API's wording (``invalid phone number
'+1234'``, ``missing required variable 'customer_name'``) and is printed as ``Row N: message``."""

from __future__ import annotations

import polars as pl

ISSUE_SCHEMA = {
    "row": pl.Int64,
    "line": pl.Int64,
    "column": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "value": pl.String,
    "message": pl.String,
    "detail": pl.String,
}

# code -> (severity, what it means). The README's table of codes is generated from this, and a test keeps them equal.
CODES: dict[str, tuple[str, str]] = {
    "missing_phone": ("error", "the phone cell is empty"),
    "invalid_phone": ("error", "not a valid phone number (the detail says why: too short, too long, not a number,"
                               " no country code, not valid in its region)"),
    "phone_digits_lost": ("error", "the number was turned into scientific notation by a spreadsheet"
                                   " (`4.15555E+09`): its digits are lost"),
    "phone_extension": ("error", "the number has an extension, which a campaign cannot dial"),
    "phone_region_not_allowed": ("error", "a valid number in a region outside `allowed_regions`"),
    "phone_type_not_allowed": ("error", "a valid number of a type outside `allowed_types` (e.g. a landline)"),
    "phone_missing_plus": ("warning", "invalid as written but valid with a leading `+`, and the digits cannot be a"
                                      " national number of the default region (written with `00`, or longer than its"
                                      " numbers): accepted as the international number"),
    "phone_premium_rate": ("warning", "a valid premium-rate or shared-cost number (`+1 900…`, `+44 9…`), dialled at"
                                      " the caller's expense and almost never a contact's own (an error when"
                                      " `allowed_types` leave the type out)"),
    "phone_country_mismatch": ("warning", "a valid number written with a country code other than the one its"
                                          " row's country code column gives: dialled as written"),
    "do_not_call": ("error", "the number is on a do-not-call list given with `--suppress` (the message names the"
                             " list)"),
    "already_uploaded": ("error", "the number is in the cleaned.csv of an earlier run given with `--previous`:"
                                  " uploaded already (the message names the file and its date)"),
    "outside_calling_hours": ("warning", "at the launch time the contact's local time is outside the calling"
                                         " window in one of its time zones (an error with `--strict`)"),
    "placeholder_value": ("warning", "a variable's cell holds what software writes for 'no value' (`nan`, `None`,"
                                     " `null`...): read as empty, so the default fills it, or a required one is"
                                     " missing"),
    "missing_variable": ("error", "a required variable's cell is empty and there is no default"),
    "invalid_value": ("error", "a variable's value does not fit its type or constraints"),
    "duplicate": ("error", "the same phone number (or duplicate key) as an earlier accepted row"
                           " (a warning with `policy = \"warn\"`)"),
    "header_repeated": ("error", "the row repeats the header (files or exports pasted together): not a contact;"
                                 " its cells are not checked further"),
    "wrong_field_count": ("error", "the record has more or fewer fields than the header"),
    "unterminated_quote": ("error", "a quoted field is never closed"),
    "stray_quote": ("error", "a quote inside an unquoted field, or text after a closing quote"),
    "nul_byte": ("error", "the record contains a NUL byte"),
    "field_too_large": ("error", "a field longer than 32,767 characters (Excel's cell limit)"),
    "formula_injection": ("warning", "a cell starts with `=`, `+`, `-`, `@`, tab or CR and would run as a formula"
                                     " in a spreadsheet (an error with `--strict`)"),
}


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def issue_frame(
    rows: pl.DataFrame,
    *,
    column: str | None,
    code: str | pl.Expr,
    value: pl.Expr,
    message: pl.Expr,
    detail: pl.Expr | None = None,
    severity: str | None = None,
) -> pl.DataFrame:
    """Issues for every row of ``rows`` (a frame with ``_row`` and ``_line``): one code, or an expression giving
    each row's (its severity then the code's), messages from expressions."""
    if rows.height == 0:
        return empty_issues()
    if isinstance(code, pl.Expr):
        severities = {name: kind for name, (kind, _) in CODES.items()}
        level = pl.lit(severity) if severity else code.replace_strict(severities, return_dtype=pl.String)
    else:
        code, level = pl.lit(code), pl.lit(severity or CODES[code][0])
    return rows.rechunk().select(
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.col("_line").cast(pl.Int64).alias("line"),
        pl.lit(column, dtype=pl.String).alias("column"),
        code.cast(pl.String).alias("code"),
        level.alias("severity"),
        value.cast(pl.String).alias("value"),
        message.cast(pl.String).alias("message"),
        (detail if detail is not None else pl.lit(None)).cast(pl.String).alias("detail"),
    )


def issues_from(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """One issue frame from many, in row order (stable: within a row, the order the stages found them)."""
    frames = [f for f in frames if f.height]
    if not frames:
        return empty_issues()
    return pl.concat(frames, how="vertical").sort("row", maintain_order=True)


# code -> a plain-language heading, for people (the coloured summary and report.html show it beside the code)
TITLES: dict[str, str] = {
    "missing_phone": "Rows without a phone number",
    "invalid_phone": "Phone numbers that are not valid",
    "phone_digits_lost": "Numbers a spreadsheet turned into 4.15555E+09",
    "phone_extension": "Numbers with an extension",
    "phone_region_not_allowed": "Numbers from a country the rules do not allow",
    "phone_type_not_allowed": "Numbers of a line type the rules do not allow",
    "phone_missing_plus": "Numbers missing their '+'",
    "phone_premium_rate": "Premium-rate or shared-cost numbers",
    "phone_country_mismatch": "Numbers whose country code differs from the row's country",
    "do_not_call": "Numbers on a do-not-call list",
    "already_uploaded": "Numbers uploaded already in an earlier run",  # the batch branch's --previous
    "outside_calling_hours": "Contacts outside the calling hours at launch",
    "placeholder_value": "Cells holding 'nan', 'None' or 'null'",
    "missing_variable": "Required values that are empty",
    "invalid_value": "Values that do not fit their type",
    "duplicate": "Repeated phone numbers",
    "header_repeated": "Rows that repeat the header",
    "wrong_field_count": "Rows with too many or too few fields",
    "unterminated_quote": "A quote that is never closed",
    "stray_quote": "A stray quote inside a field",
    "nul_byte": "Rows holding a NUL byte",
    "field_too_large": "Cells longer than Excel allows",
    "formula_injection": "Cells a spreadsheet would run as a formula",
}


def code_title(code: str) -> str:
    """The plain-language heading of ``code`` (a code with none yet: its words)."""
    return TITLES.get(code) or code.replace("_", " ").capitalize()
