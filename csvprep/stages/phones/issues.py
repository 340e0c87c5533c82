"""The phone column's verdicts turned into issues, with the hints that say what to fix: another phone column that
holds the number, a country column that would make it valid, a country code cell that names no country or
disagrees with the number; the region a list more likely comes from; the counts of accepted numbers by region
and line type."""

from __future__ import annotations

import dataclasses

import polars as pl
from phonenumbers import country_code_for_region

from ...model.contacts import ColumnMap
from ...model.e164 import UNKNOWN_REGION
from ...model.headers import COUNTRY_HEADERS, looks_like_phone_header
from ...model.issues import empty_issues, issue_frame, issues_from
from ...model.rules import Rules
from ...model.summary import by_count
from ...model.text import fold_name
from .check import check_phones
from .guess import guess_region
from .parse import reference_verdict
from .regions import code_regions

PHONE_MESSAGES = {
    "missing_phone": "missing phone number",
    "invalid_phone": "invalid phone number '{}'",
    "phone_digits_lost": "phone number '{}' lost its digits in a spreadsheet",
    "phone_extension": "phone number '{}' has an extension, which a campaign cannot dial",
    "phone_region_not_allowed": "phone number '{}' is outside the allowed regions",
    "phone_type_not_allowed": "phone number '{}' is not an allowed line type",
    "phone_missing_plus": "phone number '{}' read as {}, an international number without its '+'",
    "phone_premium_rate": "phone number '{}' read as {} is a premium-rate or shared-cost number, charged to the caller",
}


def phone_column_issues(frame: pl.DataFrame, verdicts: pl.DataFrame, regions: pl.Series | None, header: list[str],
                        columns: ColumnMap, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``frame`` with the phone column's verdicts as ``_e164``, ``_phone_code``, ``_phone_detail``, ``_region``
    and ``_line_type`` (the details with their hints), and the phone issues. ``verdicts``: :func:`check_phones`
    of the phone column; ``regions``: each row's region from the country code column (:func:`code_regions`),
    None without one."""
    if regions is not None:
        verdicts = _blame_unknown_codes(verdicts, regions, frame.get_column(columns.country_code))
    frame = frame.with_columns(
        verdicts.select(
            pl.col("e164").alias("_e164"), pl.col("code").alias("_phone_code"), pl.col("detail").alias("_phone_detail"),
            pl.col("region").alias("_region"), pl.col("line_type").alias("_line_type"),
        )
    )
    variable_columns = {column for _, column in columns.variables}
    other_phones = [name for name in header
                    if name != columns.phone and name not in variable_columns and looks_like_phone_header(name)]
    if columns.country_code is None:
        frame = _country_column_hint(frame, columns.phone, header, rules)
    issues = _phone_issues(frame, columns.phone, other_phones)
    if regions is not None:
        issues = issues_from([issues, _other_country(frame, regions, columns)])
    return frame, issues


# where contact lists come from most, tried when many numbers are invalid in the default region
_LIKELY_REGIONS = ("IN", "GB", "AU", "CA", "DE", "FR", "BR", "MX", "ES", "IT", "NL", "AE", "SG", "ZA", "NG", "PH",
                   "ID", "PK", "US")

_HINT_SAMPLE = 200


def region_hint(frame: pl.DataFrame, columns, rules: Rules) -> tuple[str, int, int] | None:
    """When at least a fifth of the numbers are invalid in the default region (or any are, without one): a region
    in which most of those written without a country code would be valid (a list from India checked as US), as
    (region, valid, tried)."""
    invalid = frame.filter(pl.col("_phone_code") == "invalid_phone")
    if rules.phone.default_region is None:
        if invalid.height == 0:
            return None
        # the whole column: its numbers written with a country code name the regions to prefer among those the
        # national ones fit alike (without a region, every national number is invalid)
        guess = guess_region(frame.get_column(columns.phone), sample=_HINT_SAMPLE)
        found = guess.region is not None and guess.tried >= 3 and 2 * guess.fits >= guess.tried
        return (guess.region, guess.fits, guess.tried) if found else None
    if invalid.height < 3 or 5 * invalid.height < frame.height:
        return None
    national = invalid.get_column(columns.phone).str.strip_chars()
    sample = national.filter(~national.str.starts_with("+")).unique(maintain_order=True).head(_HINT_SAMPLE).to_list()
    if len(sample) < 3:
        return None
    seen = frame.get_column("_region").drop_nulls().cast(pl.String).value_counts(sort=True).get_column("_region")
    candidates = [r for r in dict.fromkeys([*seen.head(3).to_list(), *_LIKELY_REGIONS])
                  if r != rules.phone.default_region]
    best = None
    for region in candidates:
        rule = dataclasses.replace(rules.phone, default_region=region, fix_missing_plus=False)
        valid = sum(1 for value in sample if reference_verdict(value, rule).e164 is not None)
        if best is None or valid > best[1]:
            best = (region, valid, len(sample))
        if 10 * valid >= 9 * len(sample):
            break
    return best if best is not None and 10 * best[1] >= 6 * best[2] else None


def _other_country(frame: pl.DataFrame, regions: pl.Series, columns) -> pl.DataFrame:
    """A warning for each valid number written with a country code other than its row's country code column
    gives (+1 415... beside 91): the number's own code is dialled, but one of the two cells is likely wrong."""
    named = regions.drop_nulls().unique().to_list()
    codes = {region: country_code_for_region(region) for region in named if region != UNKNOWN_REGION}
    number_code = pl.col("_e164").str.slice(1, 3)
    column_code = regions.replace_strict(codes, default=None, return_dtype=pl.Int64)
    rows = frame.with_columns(column_code.alias("_column_code")).filter(
        pl.col("_e164").is_not_null() & pl.col("_column_code").is_not_null()
        & ~number_code.str.starts_with(pl.col("_column_code").cast(pl.String)))
    if rows.height == 0:
        return empty_issues()
    phone, country = pl.col(columns.phone), pl.col(columns.country_code)
    return issue_frame(rows, column=columns.phone, code="phone_country_mismatch", value=phone,
                       message=pl.format("phone number '{}' is a {} number, but column '{}' says '{}'", phone,
                                         pl.col("_region").cast(pl.String), pl.lit(columns.country_code),
                                         country.str.strip_chars()),
                       detail=pl.format("dialled as {}", pl.col("_e164")))


def _blame_unknown_codes(verdicts: pl.DataFrame, regions: pl.Series, codes: pl.Series) -> pl.DataFrame:
    """An invalid number whose country code cell names no country says so: that cell is what to fix."""
    blamed = (regions == UNKNOWN_REGION).fill_null(False) & verdicts.get_column("e164").is_null() \
        & (verdicts.get_column("code") == "invalid_phone").fill_null(False)
    if not blamed.any():
        return verdicts
    detail = pl.select(pl.format("its country code '{}' in column '{}' is neither a calling code nor a country",
                                 codes.cast(pl.String).str.strip_chars(), pl.lit(codes.name))).to_series()
    return verdicts.with_columns(pl.when(blamed).then(detail).otherwise(pl.col("detail")).alias("detail"))


def _phone_issues(frame: pl.DataFrame, column: str, other_phones: list[str]) -> pl.DataFrame:
    rows = frame.filter(pl.col("_phone_code").is_not_null())
    if rows.height == 0:
        return empty_issues()
    if other_phones:
        rows = rows.with_columns(_other_phone_hint(other_phones))
    code, value = pl.col("_phone_code"), pl.col(column).fill_null("")
    # each code's template cut at its placeholders: the message is one concatenation for every row, where a
    # when/then per code would format every template for every row
    pieces = {name: (template.split("{}") + ["", ""])[:3] for name, template in PHONE_MESSAGES.items()}
    placeholders = {name: template.count("{}") for name, template in PHONE_MESSAGES.items()}
    piece = [code.replace_strict({name: parts[k] for name, parts in pieces.items()}, default=None,
                                 return_dtype=pl.String) for k in range(3)]
    used = code.replace_strict(placeholders, default=0, return_dtype=pl.Int8)
    message = pl.concat_str(
        piece[0], pl.when(used >= 1).then(value).otherwise(pl.lit("")),
        piece[1], pl.when(used >= 2).then(pl.col("_e164").fill_null("")).otherwise(pl.lit("")),
        piece[2],
    )
    return issue_frame(rows, column=column, code=code, value=value, message=message, detail=pl.col("_phone_detail"))


def _other_phone_hint(others: list[str]) -> pl.Expr:
    """A row without a number in the phone column says which other phone column has one (HubSpot's 'Phone
    Number' empty, its 'Mobile Phone Number' filled): csvprep calls one column, the rules say which."""
    held = [pl.when(pl.col(name).str.strip_chars() != "").then(pl.format("'{}' holds '{}'", pl.lit(name),
                                                                          pl.col(name).str.strip_chars()))
            for name in others]
    return pl.when(pl.col("_phone_code") == "missing_phone").then(pl.coalesce(*held, pl.col("_phone_detail"))) \
        .otherwise(pl.col("_phone_detail")).alias("_phone_detail")


def _country_column_hint(frame: pl.DataFrame, phone: str, header: list[str], rules: Rules) -> pl.DataFrame:
    """An invalid number that is valid in the country an address column of its row names says so, and how to
    read the numbers that way: that column is not taken for the phone's country unasked."""
    countries = [name for name in header if fold_name(name) in COUNTRY_HEADERS]
    if not countries:
        return frame
    invalid = frame.filter(pl.col("_phone_code") == "invalid_phone")
    if invalid.height == 0:
        return frame
    hints = []
    for column in countries:
        regions = code_regions(invalid.get_column(column))
        named = (regions != UNKNOWN_REGION) & (regions != (rules.phone.default_region or ""))
        if not named.any():
            continue
        rows = invalid.filter(named)
        verdicts = check_phones(rows.get_column(phone), rules.phone, regions=regions.filter(named))
        hint = pl.format("{}; {} read in {}, the country in column '{}': to read each number in its row's "
                         "country, set [phone] country_code_column = \"{}\"", pl.col("_phone_detail"),
                         pl.col("_e164_there"), pl.col("_there"), pl.lit(column), pl.lit(column))
        hints.append(rows.select("_row", pl.Series("_e164_there", verdicts.get_column("e164")),
                                 pl.Series("_there", regions.filter(named)), "_phone_detail")
                     .filter(pl.col("_e164_there").is_not_null()).select("_row", hint.alias("_hint")))
    if not any(h.height for h in hints):
        return frame
    found = pl.concat(hints).unique("_row", keep="first", maintain_order=True)
    return frame.join(found, on="_row", how="left", maintain_order="left").with_columns(
        pl.coalesce("_hint", "_phone_detail").alias("_phone_detail")).drop("_hint")


def phone_stats(accepted: pl.DataFrame) -> dict[str, dict[str, int]]:
    def counts(column: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for key, count in accepted.get_column(column).value_counts().iter_rows():
            label = "unknown" if key is None else str(key)
            found[label] = found.get(label, 0) + int(count)
        return by_count(found)

    return {"by_region": counts("_region"), "by_line_type": counts("_line_type")}
