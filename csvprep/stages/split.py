"""Splitting a checked frame: the rejected records with their errors (and the raw text of records that could not
be split into fields), the columns ``--add-columns`` adds to the cleaned contacts, and names for csvprep's own
columns that do not clash with the file's."""

from __future__ import annotations

import polars as pl

from ..model.calling import CallingHours
from .calling_hours import utc_offsets


def added_columns(wanted: tuple[str, ...], taken: list[str], calling: CallingHours | None,
                  source: str | None = None) -> list[pl.Expr]:
    """The columns asked for with ``--add-columns``, named ``csvprep_<name>`` where the file has the name already;
    ``source``: the file's name, for ``source_file``."""
    names = _free_names(taken, tuple(wanted) + (("utc_offset",) if "timezone" in wanted else ()))
    added = []
    if "timezone" in wanted:
        added.append(pl.col("_zones").alias(names["timezone"]))
        moment = calling.launch if calling is not None else None
        # one lookup per distinct set of zones, not per row
        added.append(pl.col("_zones").map_batches(
            lambda zones: zones.replace_strict({z: utc_offsets(z, moment) for z in zones.drop_nulls().unique()},
                                               default=None, return_dtype=pl.String),
            return_dtype=pl.String).alias(names["utc_offset"]))
    if "country" in wanted:
        added.append(pl.col("_region").cast(pl.String).alias(names["country"]))
    if "line_type" in wanted:
        added.append(pl.col("_line_type").cast(pl.String).alias(names["line_type"]))
    if "source_file" in wanted:
        added.append(pl.lit(source, dtype=pl.String).alias(names["source_file"]))
    if "source_row" in wanted:
        added.append(pl.col("_row").cast(pl.Int64).alias(names["source_row"]))
    return added


def rejected_records(original: pl.DataFrame, broken: pl.DataFrame, rejected_rows: pl.Series, issues: pl.DataFrame,
              header: list[str]) -> pl.DataFrame:
    """Rejected records with their original values, ``row``, ``errors`` and, for records that could not be split
    into fields, ``raw`` (the record's text)."""
    text = pl.when(pl.col("detail").is_not_null()).then(pl.format("{} ({})", pl.col("message"), pl.col("detail"))) \
        .otherwise(pl.col("message"))
    errors = issues.filter(pl.col("severity") == "error").select("row", text.alias("_errors"))
    # issues come sorted by row: most rows have one error, and only rows with several need grouping
    row = pl.col("row")
    several = errors.select(((row == row.shift(1)) | (row == row.shift(-1))).fill_null(False)).to_series()
    reasons = errors
    if several.any():
        joined = errors.filter(several).group_by("row", maintain_order=True).agg(pl.col("_errors").str.join("; "))
        reasons = errors.filter(~several).merge_sorted(joined, key="row")  # both in row order: merged, not sorted
    rows = original.filter(pl.col("_row").is_in(rejected_rows.implode())).with_columns(
        pl.lit(None, dtype=pl.String).alias("_raw")
    )
    broken_rows = broken.select(
        *[pl.lit(None, dtype=pl.String).alias(name) for name in header], "_row", "_line", "_raw"
    )
    every = rows.select(header + ["_row", "_line", "_raw"])
    if broken.height:
        every = pl.concat([every, broken_rows], how="vertical").sort("_row")
    if every.get_column("_row").equals(reasons.get_column("row"), check_names=False):
        # a reason for each rejected row, both in row order (as every error rejects its row): side by side
        every = every.with_columns(reasons.get_column("_errors"))
    else:
        every = every.join(reasons, left_on="_row", right_on="row", how="left", maintain_order="left")
    names = _free_names(header, ("row", "errors", "raw"))
    columns = [*header, pl.col("_row").alias(names["row"]), pl.col("_errors").alias(names["errors"])]
    if broken.height:
        columns.append(pl.col("_raw").alias(names["raw"]))
    return every.select(columns)


def _free_names(header: list[str], wanted: tuple[str, ...]) -> dict[str, str]:
    """Our extra column names, prefixed where the file already uses them."""
    taken = set(header)
    names = {}
    for name in wanted:
        candidate = name
        while candidate in taken:
            candidate = f"csvprep_{candidate}"
        names[name] = candidate
    return names
