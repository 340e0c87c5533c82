"""What the outputs and the contract read of a run's result, as a structural type: the renderers and writers sit
below the run that makes the result (:class:`csvprep.app.result.CleanResult` is the one implementation), so they
name what they read here instead of importing it."""

from __future__ import annotations

from typing import Protocol

import polars as pl

from .calling import CallingSummary
from .contacts import ColumnMap, Contacts
from .rules import Rules
from .summary import FileSummary, Summary, VariableStats


class ResultView(Protocol):
    """A run's result as the outputs see it."""

    cleaned: pl.DataFrame
    rejected: pl.DataFrame
    issues: pl.DataFrame
    rules: Rules
    contacts: Contacts
    columns: ColumnMap
    variable_stats: list[VariableStats]
    phone_stats: dict[str, dict[str, int] | int]
    timings: dict[str, float]
    strict: bool
    suppression: dict[str, dict[str, int]]
    calling_hours: CallingSummary | None
    region_hint: tuple[str, int, int] | None
    summary: Summary | None
    cleaned_rows: pl.Series | None  # each cleaned row's row in the input
    files: list[FileSummary]
    across_files: dict[str, object] | None

    def counts(self) -> dict[str, object]: ...

    def kinds(self) -> list[tuple[str, str, int]]: ...

    @property
    def errors(self) -> pl.DataFrame: ...

    @property
    def warnings(self) -> pl.DataFrame: ...
