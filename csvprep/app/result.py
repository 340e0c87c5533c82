"""The result of a run: data first (the cleaned frame, the rejected frame, the issues), with counts; the renderers
in :mod:`csvprep.report` and the writers in :mod:`csvprep.writing` sit on top of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..model.contacts import ColumnMap, Contacts
from ..model.rules import Rules
from ..stages.variables.check import VariableStats


@dataclass
class CleanResult:
    """``cleaned``: the upload-ready contacts; ``rejected``: every rejected record with its original values plus
    ``row`` and ``errors``; ``issues``: one row per problem (``row``, ``line``, ``column``, ``code``,
    ``severity``, ``value``, ``message``, ``detail``)."""

    cleaned: pl.DataFrame
    rejected: pl.DataFrame
    issues: pl.DataFrame
    rules: Rules
    contacts: Contacts
    columns: ColumnMap
    variable_stats: list[VariableStats] = field(default_factory=list)
    # clean rows by_region and by_line_type; plus_declined: rejected numbers that a '+' would make another
    # country's (never assumed)
    phone_stats: dict[str, dict[str, int] | int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    strict: bool = False
    kept_keys: pl.DataFrame | None = None  # when cleaned in parts: the duplicate keys later parts check against
    # per do-not-call list: entries, distinct numbers, unreadable entries, contacts it stopped
    suppression: dict[str, dict[str, int]] = field(default_factory=dict)
    calling_hours: object = None  # a csvprep.calling_hours.CallingSummary when a calling window was checked
    # when many numbers are invalid in the default region: (a region most of them are valid in, how many of those
    # tried are, how many were tried)
    region_hint: tuple[str, int, int] | None = None

    def counts(self) -> dict[str, object]:
        """``rows_in`` = ``rows_clean`` + ``rows_rejected``; blank rows are counted apart (they are not contacts)."""
        by_code = self.issues.get_column("code").value_counts(sort=True)
        warnings = self.issues.filter(pl.col("severity") == "warning")
        return {
            "rows_in": self.contacts.records,
            "rows_clean": self.cleaned.height,
            "rows_rejected": self.rejected.height,
            "rows_with_warnings": warnings.get_column("row").n_unique(),
            "blank_rows": self.contacts.blank_rows,
            "errors": self.issues.height - warnings.height,
            "warnings": warnings.height,
            "by_code": {str(code): int(count) for code, count in by_code.iter_rows()},
        }

    def kinds(self) -> list[tuple[str, str, int]]:
        """``(code, severity, count)`` for each kind of problem, most frequent first."""
        table = self.issues.group_by("code", "severity").agg(pl.len().alias("count")).sort(
            ["count", "code"], descending=[True, False])
        return [(code, severity, int(count)) for code, severity, count in table.iter_rows()]

    @property
    def errors(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == "warning")

    @property
    def exit_code(self) -> int:
        """0 when nothing was rejected, 1 when some rows were."""
        return 1 if self.rejected.height else 0

    def check_accounting(self) -> None:
        """Every record is in exactly one of cleaned and rejected; a failure here is a bug in csvprep."""
        if self.contacts.records != self.cleaned.height + self.rejected.height:
            raise AssertionError(
                f"row accounting failed: {self.contacts.records} records in, {self.cleaned.height} cleaned, "
                f"{self.rejected.height} rejected"
            )

    def write(self, out_dir: str | Path, *, input_path: str | Path | None = None,
              html_path: str | Path | None = None, provider=None) -> dict[str, Path]:
        """Write cleaned.csv, rejected.csv, errors.txt, report.json and report.html into ``out_dir``, each
        atomically; ``html_path`` puts report.html elsewhere; ``provider`` (a name or a
        :class:`~csvprep.providers.Provider`) shapes them for that platform."""
        from ..io.csv_out import write_outputs
        from ..model.providers import get_provider

        if isinstance(provider, str):
            provider = get_provider(provider)
        return write_outputs(self, Path(out_dir), input_path=input_path, html_path=html_path, provider=provider)

    def report(self) -> dict[str, object]:
        """The report as JSON-ready data (what report.json holds)."""
        from ..outputs.report import report_data

        return report_data(self)
