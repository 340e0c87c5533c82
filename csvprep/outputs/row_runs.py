"""Which input row each row of cleaned.csv came from, as the manifest records it (what campaign reconcile maps the
platform's refusals through): runs of consecutive rows, spooled as their JSON text part by part, so that a list of a
hundred million rows with tens of millions of runs holds one run in memory, not all of them."""

from __future__ import annotations

import io
import json
from typing import BinaryIO

import polars as pl

from ..io.csv_out import copy_file

ITEM_SEPARATOR = ",\n      "  # one run a line, indented as the manifest's other lists


class RowRuns:
    """The runs ``[first, count]`` (``[first, count, file]`` in a run over several files, whose rows are numbered
    per file) of a run's cleaned rows, in cleaned.csv's order: a list of millions whose rejects are few is a few
    runs. Each part's runs go to ``spool`` (a file in the run's scratch directory; in memory when not given) as
    JSON text; only the last run waits, since the next part may go on with it."""

    def __init__(self, spool: BinaryIO | None = None) -> None:
        self.spool = spool if spool is not None else io.BytesIO()
        self._pending: list | None = None  # [first, count, file] of the last run
        self._spooled = 0

    def add(self, rows: pl.Series | None, file: str | None = None) -> None:
        """``rows``: the ascending input rows of a part's cleaned rows, in cleaned.csv's order."""
        if rows is None or rows.len() == 0:
            return
        runs = _runs_of(rows.cast(pl.Int64).to_frame("first"))
        first, count = runs.row(0)
        pending = self._pending
        if pending is not None and pending[2] == file and pending[0] + pending[1] == first:
            pending[1] += count
            runs = runs.slice(1)
        if runs.height == 0:
            return
        self._spool_pending()
        self._spool_runs(runs.slice(0, runs.height - 1), file)
        first, count = runs.row(runs.height - 1)
        self._pending = [first, count, file]

    def write_items(self, stream: BinaryIO) -> None:
        """Every run as a JSON array item, ``[2, 5]`` or ``[2, 5, "a.csv"]``, one a line, to ``stream``."""
        self._spool_pending()
        if isinstance(self.spool, io.BytesIO):
            stream.write(self.spool.getvalue())
            return
        self.spool.flush()
        stream.flush()
        copy_file(self.spool, stream)

    def __len__(self) -> int:
        return self._spooled + (self._pending is not None)

    def _spool_pending(self) -> None:
        if self._pending is not None:
            first, count, file = self._pending
            self._pending = None
            self._spool_runs(pl.DataFrame({"first": [first], "count": [count]}, schema=_SCHEMA), file)

    def _spool_runs(self, runs: pl.DataFrame, file: str | None) -> None:
        if runs.height == 0:
            return
        fields = [pl.col("first").cast(pl.String), pl.col("count").cast(pl.String)]
        if file is not None:
            fields.append(pl.lit(json.dumps(file, ensure_ascii=False)))
        item = pl.concat_str(pl.lit("["), pl.concat_str(fields, separator=", "), pl.lit("]"))
        text = runs.select(item.str.join(ITEM_SEPARATOR)).item()
        self.spool.write(((ITEM_SEPARATOR if self._spooled else "") + text).encode("utf-8"))
        self._spooled += runs.height


_SCHEMA = {"first": pl.Int64, "count": pl.Int64}


def _runs_of(rows: pl.DataFrame) -> pl.DataFrame:
    """The runs of consecutive rows in ``rows`` (column ``first``, ascending): ``first`` and ``count``."""
    starts = rows.with_row_index("at").filter(pl.col("first").diff().fill_null(0) != 1)
    return starts.select(
        "first",
        count=(pl.col("at").shift(-1).fill_null(rows.height) - pl.col("at")).cast(pl.Int64),
    )
