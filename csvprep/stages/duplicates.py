"""Duplicates: rows with the same E.164 number (or the rules' duplicate key) as an earlier row. The first row
that passed every other check is kept; a row rejected for another reason is never the one a duplicate repeats."""

from __future__ import annotations

import polars as pl

from ..model.contacts import ColumnMap
from ..model.issues import empty_issues, issue_frame
from ..model.rules import DuplicateRule


def find_duplicates(frame: pl.DataFrame, rule: DuplicateRule, columns: ColumnMap,
                    earlier: pl.DataFrame | None = None, failed: pl.Series | None = None) -> pl.DataFrame:
    """Issues for every row of ``frame`` (in file order) that repeats an earlier one, in ``frame`` or in
    ``earlier`` (the :func:`kept_keys` of earlier parts of the same file). Rows in ``failed`` (rows with other
    errors) are left out: a rejected row is never the one a duplicate repeats."""
    if rule.policy == "keep" or frame.height == 0:
        return empty_issues()
    # only what the check reads is carried through the filter
    keyed = frame.select("_row", "_line", columns.phone, "_e164", *_keys(rule, columns))
    if failed is not None:
        keyed = keyed.filter(~pl.col("_row").is_in(failed.implode()))
    names = _key_names(rule)
    first = pl.col("_row").first().over(names)
    if earlier is not None and earlier.height:
        keyed = keyed.join(earlier.rename({"_row": "_earlier"}), on=names, how="left", nulls_equal=True,
                           maintain_order="left")
        first = pl.coalesce(pl.col("_earlier"), first)
    with_first = keyed.with_columns(first.alias("_first"))
    repeat = pl.col("_row") != pl.col("_first")
    where = pl.format("row {}", pl.col("_first"))
    if earlier is not None and earlier.height:
        # a row of an earlier file may have this row's number: a match there is a repeat whatever its number
        repeat = repeat | pl.col("_earlier").is_not_null()
        if "_from" in earlier.columns:  # keys of earlier files carry the file's name
            where = pl.when(pl.col("_from").is_not_null()).then(
                pl.format("{} row {}", pl.col("_from"), pl.col("_first"))).otherwise(where)
    repeats = with_first.filter(repeat)
    if repeats.height == 0:
        return empty_issues()
    severity = "warning" if rule.policy == "warn" else "error"
    if rule.key == ("phone",):
        message = pl.format("duplicate phone number '{}' (same as {})", pl.col("_e164"), where)
    else:
        message = pl.format(f"duplicate contact: same {', '.join(rule.key)} as {{}}", where)
    return issue_frame(repeats, column=columns.phone, code="duplicate", severity=severity,
                       value=pl.col(columns.phone), message=message)


def kept_keys(accepted: pl.DataFrame, rule: DuplicateRule, columns: ColumnMap, repeats: pl.Series) -> pl.DataFrame:
    """The duplicate key and row of each accepted contact that is the first with its key (``repeats``: the rows
    :func:`find_duplicates` found repeating one): what later parts of the same file are checked against. None of
    these keys was seen in earlier parts, so the parts' kept keys simply add up."""
    if rule.policy == "keep":
        return pl.DataFrame()
    return accepted.filter(~pl.col("_row").is_in(repeats.implode())).select(*_keys(rule, columns), "_row")


def _key_names(rule: DuplicateRule) -> list[str]:
    return [f"_key{i}" for i in range(len(rule.key))]


def _keys(rule: DuplicateRule, columns: ColumnMap) -> list[pl.Expr]:
    bound = {variable.name: column for variable, column in columns.variables}
    return [(pl.col("_e164") if part == "phone" else pl.col(bound[part]).str.to_lowercase()).alias(name)
            for part, name in zip(rule.key, _key_names(rule))]
