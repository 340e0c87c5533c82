"""The result of a run: data first (the cleaned frame, the rejected frame, the issues) and its :class:`Summary`;
the renderers and writers of :mod:`csvprep.outputs` sit on top of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..model.calling import CallingSummary
from ..model.contacts import ColumnMap, Contacts
from ..model.providers import Provider, get_provider
from ..model.rules import Rules
from ..model.summary import FileSummary, Summary, VariableStats
from ..outputs.report import report_data
from ..outputs.writer import write_outputs


@dataclass
class CleanResult:
    """``cleaned``: the upload-ready contacts; ``rejected``: every rejected record with its original values plus
    ``row`` and ``errors``; ``issues``: one row per problem (``row``, ``line``, ``column``, ``code``,
    ``severity``, ``value``, ``message``, ``detail``). ``summary`` holds the counts: those of this result's frames
    for one part, the sum of the parts' for a run in parts (whose frames are in the files, and whose ``issues``
    hold the first few of each kind)."""

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
    calling_hours: CallingSummary | None = None  # when a calling window was checked
    # when many numbers are invalid in the default region: (a region most of them are valid in, how many of those
    # tried are, how many were tried)
    region_hint: tuple[str, int, int] | None = None
    summary: Summary | None = None  # None: counted from this result's own frames
    # each cleaned row's row in the input (spreadsheet numbering, the header's row first), for the manifest
    cleaned_rows: pl.Series | None = None
    # a run over several files: each file's section, and how duplicates were checked across them
    files: list[FileSummary] = field(default_factory=list)
    across_files: dict[str, object] | None = None

    def __post_init__(self) -> None:
        if self.summary is None:
            self.summary = self._own_summary()

    def _own_summary(self) -> Summary:
        issues = self.issues
        kinds = issues.group_by("code", "severity", maintain_order=True).agg(pl.len().alias("count"))
        warnings = issues.filter(pl.col("severity") == "warning")
        zones = self.calling_hours.by_time_zone if self.calling_hours is not None else {}
        return Summary(
            rows_in=self.contacts.records,
            rows_clean=self.cleaned.height,
            rows_rejected=self.rejected.height,
            blank_rows=self.contacts.blank_rows,
            errors=issues.height - warnings.height,
            warnings=warnings.height,
            rows_with_warnings=warnings.get_column("row").n_unique(),
            kinds={(code, severity): int(count) for code, severity, count in kinds.iter_rows()},
            variables={stats.variable: stats for stats in self.variable_stats},
            regions=dict(self.phone_stats.get("by_region", {})),
            line_types=dict(self.phone_stats.get("by_line_type", {})),
            plus_declined=int(self.phone_stats.get("plus_declined", 0)),
            suppressed={name: stats["suppressed"] for name, stats in self.suppression.items()},
            zones={zone: (counts["contacts"], counts["callable_at_launch"]) for zone, counts in zones.items()},
            line_endings=frozenset({self.contacts.line_endings}),
            dropped_columns=tuple(self.contacts.dropped_columns),
            footer=tuple(self.contacts.footer),
            timings=dict(self.timings),
        )

    def counts(self) -> dict[str, object]:
        """``rows_in`` = ``rows_clean`` + ``rows_rejected``; blank rows are counted apart (they are not contacts)."""
        return self.summary.counts()

    def kinds(self) -> list[tuple[str, str, int]]:
        """``(code, severity, count)`` for each kind of problem, most frequent first."""
        return self.summary.kind_list()

    @property
    def errors(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == "warning")

    @property
    def exit_code(self) -> int:
        """0 when nothing was rejected, 1 when some rows were."""
        return self.summary.exit_code

    def check_accounting(self) -> None:
        """Every record is in exactly one of cleaned and rejected; a failure here is a bug in csvprep."""
        self.summary.check_accounting()

    def write(self, out_dir: str | Path, *, input_path: str | Path | None = None,
              html_path: str | Path | None = None, provider: Provider | str | None = None) -> dict[str, Path]:
        """Write cleaned.csv, rejected.csv, errors.txt, report.json and report.html into ``out_dir``, all through
        the writer a run in parts uses; ``html_path`` puts report.html elsewhere; ``provider`` (a name or a
        :class:`~csvprep.model.providers.Provider`) shapes them for that platform."""
        if isinstance(provider, str):
            provider = get_provider(provider)
        return write_outputs(self, Path(out_dir), input_path=input_path, html_path=html_path, provider=provider)

    def report(self) -> dict[str, object]:
        """The report as JSON-ready data (what report.json holds)."""
        return report_data(self)
