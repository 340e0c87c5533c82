"""Duplicates: rows with the same E.164 number (or the rules' duplicate key) as an earlier row. The first row
that passed every other check is kept; a row rejected for another reason is never the one a duplicate repeats."""

from __future__ import annotations

import polars as pl

from .columns import ColumnMap
from .issues import empty_issues, issue_frame
from .rules import DuplicateRule


def find_duplicates(frame: pl.DataFrame, rule: DuplicateRule, columns: ColumnMap) -> pl.DataFrame:
    """Issues for every row of ``frame`` (rows without errors, in file order) that repeats an earlier one."""
    if rule.policy == "keep" or frame.height == 0:
        return empty_issues()
    bound = {variable.name: column for variable, column in columns.variables}
    key = [pl.col("_e164") if part == "phone" else pl.col(bound[part]).str.to_lowercase() for part in rule.key]
    with_first = frame.with_columns(pl.col("_row").first().over(key).alias("_first"))
    repeats = with_first.filter(pl.col("_row") != pl.col("_first"))
    if repeats.height == 0:
        return empty_issues()
    severity = "warning" if rule.policy == "warn" else "error"
    if rule.key == ("phone",):
        message = pl.format("duplicate phone number '{}' (same as row {})", pl.col("_e164"), pl.col("_first"))
    else:
        message = pl.format(f"duplicate contact: same {', '.join(rule.key)} as row {{}}", pl.col("_first"))
    return issue_frame(repeats, column=columns.phone, code="duplicate", severity=severity,
                       value=pl.col(columns.phone), message=message)
