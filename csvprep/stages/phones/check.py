"""A phone column checked: a verdict per cell, from the vectorised path (:mod:`csvprep.stages.phones.bulk`) for
what it can decide in a large column and from the per-value reference path (:mod:`csvprep.stages.phones.parse`)
for the rest; each cell read in its row's region when a country code column gives one. :func:`normalise_phones`
is the library's E.164 conversion of a Series or an expression."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from ...model.e164 import UNKNOWN_REGION, VERDICT_SCHEMA
from ...model.rules import PhoneRule
from ...model.text import excel_text_expr
from . import bulk
from .parse import BETWEEN_NUMBERS, reference_verdict, several_numbers

# Below this many cells the per-value path is quicker than compiling the bulk path's expressions (about 0.2 s);
# both give the same verdicts (tests/test_phones_bulk.py).
BULK_FROM = 5_000


def check_phones(values: pl.Series, rule: PhoneRule, *, from_workbook: bool = False,
                 regions: pl.Series | None = None) -> pl.DataFrame:
    """A verdict per cell of ``values`` (columns of :data:`VERDICT_SCHEMA`, in the same order).

    ``regions``: a region per cell (from :func:`code_regions`) that a number written without its country code
    is read in, in place of the rule's default region; null: the default region, :data:`UNKNOWN_REGION`: none.
    For :data:`BULK_FROM` cells or more, the vectorised path of :mod:`csvprep.stages.phones.bulk` decides what it can;
    the rest goes through :func:`parse_phone`, each distinct value once."""
    values = values.cast(pl.String)
    if values.str.contains('="', literal=True).any():
        values = pl.select(excel_text_expr(pl.lit(values))).to_series().alias(values.name)
    if regions is not None:
        return _check_by_region(values, rule, regions, from_workbook)
    if len(values) >= BULK_FROM:
        decided = bulk.decide(values, rule, from_workbook=from_workbook)
    else:
        decided = pl.DataFrame(schema={"_i": pl.Int64, **VERDICT_SCHEMA})
    if decided.height < len(values):
        rest = pl.DataFrame({"_i": pl.int_range(0, len(values), eager=True, dtype=pl.Int64), "_raw": values})
        rest = rest.filter(~pl.col("_i").is_in(decided.get_column("_i").implode()))
        distinct = rest.get_column("_raw").unique(maintain_order=True)
        verdicts = [reference_verdict(value, rule, from_workbook=from_workbook) for value in distinct.to_list()]
        lookup = pl.DataFrame(
            {
                "_raw": distinct,
                "e164": [v.e164 for v in verdicts],
                "code": [v.code for v in verdicts],
                "detail": [v.detail for v in verdicts],
                "region": [v.region for v in verdicts],
                "line_type": [v.line_type for v in verdicts],
            },
            schema={"_raw": pl.String, **VERDICT_SCHEMA},
        )
        rest = rest.join(lookup, on="_raw", how="left", nulls_equal=True)
        decided = pl.concat([decided, rest.select(decided.columns)], how="vertical")
    if decided.height != len(values):  # pragma: no cover - a bug in the bulk path, never a user's data
        raise AssertionError(f"phone verdicts for {decided.height} of {len(values)} cells")
    decided = decided.sort("_i")
    invalid = decided.select(pl.col("code") == "invalid_phone").to_series().arg_true()
    several = values.gather(invalid).str.contains(BETWEEN_NUMBERS)
    if several.any():
        positions = invalid.filter(several)
        cells = values.gather(positions)
        details = {value: several_numbers(value, rule, from_workbook) for value in cells.unique().to_list()}
        found = cells.replace_strict(details, return_dtype=pl.String)
        decided = decided.with_columns(decided.get_column("detail").scatter(
            positions, pl.select(pl.coalesce(found, decided.get_column("detail").gather(positions))).to_series()))
    return decided.select(list(VERDICT_SCHEMA))


def _check_by_region(values: pl.Series, rule: PhoneRule, regions: pl.Series, from_workbook: bool) -> pl.DataFrame:
    """:func:`check_phones` on each region's cells with that region as the default (a list holds few countries)."""
    regions = regions.cast(pl.String)
    if rule.default_region is not None:  # rows of the default region go with the rows that have none
        regions = regions.replace(rule.default_region, None)
    positions = pl.DataFrame({"_i": pl.int_range(0, len(values), eager=True, dtype=pl.Int64), "_region": regions})
    pieces = [pl.DataFrame(schema={**VERDICT_SCHEMA, "_i": pl.Int64})]  # no cells at all: no verdicts
    for (region,), part in positions.partition_by("_region", as_dict=True).items():
        if region is None:
            group_rule = rule
        else:
            group_rule = replace(rule, default_region=None if region == UNKNOWN_REGION else region)
        index = part.get_column("_i")
        verdicts = check_phones(values.gather(index), group_rule, from_workbook=from_workbook)
        pieces.append(verdicts.with_columns(index))
    return pl.concat(pieces).sort("_i").select(list(VERDICT_SCHEMA))


def normalise_phones(
    values: pl.Series | pl.Expr, default_region: str | None = None, **rule: object
) -> pl.Series | pl.Expr:
    """E.164 form of each phone number in a Series or expression; null where it is not a dialable number.

    ``rule`` takes the other :class:`PhoneRule` fields (``allowed_regions``, ``allowed_types``, ``fix_missing_plus``).
    """
    phone_rule = PhoneRule(default_region=default_region, **rule)  # type: ignore[arg-type]

    def convert(series: pl.Series) -> pl.Series:
        return check_phones(series.cast(pl.String), phone_rule).get_column("e164").alias(series.name)

    if isinstance(values, pl.Expr):
        return values.map_batches(convert, return_dtype=pl.String)
    return convert(values)
