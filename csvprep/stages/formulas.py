"""Cells that would run as a formula when the cleaned file is opened in a spreadsheet (formula injection): a
warning, or an error under ``strict``."""

from __future__ import annotations

import polars as pl

from ..model.issues import issue_frame, issues_from
from ..model.text import FORMULA_START

# a signed number (-5), a phone number written with its + (a second phone column: +1 650-555-0100) or a text
# wrapped so that Excel keeps it (="000123") starts like a formula but is arithmetic or text at worst: no function,
# no reference to another cell, nothing to run
_HARMLESS = r'^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)|\+[\d ().\-/]*\d[\d ().\-/]*|="[^"]*")$'


def formula_issues(frame: pl.DataFrame, columns: list[str], strict: bool) -> pl.DataFrame:
    severity = "error" if strict else "warning"
    found = []
    # which columns have a cell starting like a formula at all: all checked in one step, side by side
    starts = frame.select(pl.col(column).str.contains(FORMULA_START).any().alias(column) for column in columns)
    for column in (name for name, hit in zip(columns, starts.row(0) if columns else ()) if hit):
        cell = pl.col(column)
        # the number check runs only on the few cells that start like a formula
        rows = frame.filter(cell.str.contains(FORMULA_START)).filter(
            ~cell.str.strip_chars().str.contains(_HARMLESS))
        if rows.height:
            found.append(issue_frame(
                rows, column=column, code="formula_injection", severity=severity, value=cell,
                message=pl.format("cell '{}' in column '{}' would run as a formula in a spreadsheet",
                                  cell.str.slice(0, 60), pl.lit(column)),
            ))
    return issues_from(found)
