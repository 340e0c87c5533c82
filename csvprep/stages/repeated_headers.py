"""Rows that are the header row again, as exports pasted one after the other leave between them."""

from __future__ import annotations

import polars as pl


def repeated_headers(frame: pl.DataFrame, header: list[str], phone: str, phone_issues: pl.DataFrame) -> pl.DataFrame:
    """The rows (``_row``, ``_line``, ``_value``: the phone cell) whose filled cells are the header's names again;
    the phone cell must be one of them. Exports pasted one after the other leave such a row between them."""
    def names_itself(column: str, cells: pl.Expr | None = None) -> pl.Expr:
        cells = pl.col(column) if cells is None else cells
        return cells.str.strip_chars().str.to_lowercase() == column.strip().lower()

    # such a phone cell is never a plain valid number: only the rows with a phone issue are looked at
    suspects = phone_issues.filter(names_itself(phone, pl.col("value")))
    candidates = frame.filter(pl.col("_row").is_in(suspects.get_column("row").implode())) if suspects.height \
        else frame.clear()
    blank = {column: pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "") for column in header}
    return candidates.filter(pl.all_horizontal(blank[column] | names_itself(column) for column in header)).select(
        "_row", "_line", pl.col(phone).alias("_value"))
