"""The counts of a run, as data that adds up: a file read in parts is the sum of its parts' summaries, so one pass
and parts give the same counts by construction, and there is one accounting for both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

# how many issues of each kind a result keeps for people to see (the reports' examples) when a large file's
# issues go to disk as they are found
EXAMPLES_PER_KIND = 5


@dataclass(frozen=True)
class VariableStats:
    """How one variable column fared: cells from the file, cells filled from the default, missing and invalid."""

    variable: str
    column: str
    from_file: int
    defaulted: int
    missing: int
    invalid: int

    def __add__(self, other: VariableStats) -> VariableStats:
        return replace(self, from_file=self.from_file + other.from_file, defaulted=self.defaulted + other.defaulted,
                       missing=self.missing + other.missing, invalid=self.invalid + other.invalid)


@dataclass(frozen=True)
class Summary:
    """The counts of a run or of one part of it. ``rows_in`` counts records (well-formed or broken); blank rows
    are not contacts and are counted apart. ``kinds`` maps (code, severity) to issues; ``variables``, ``regions``,
    ``line_types``, ``suppressed`` (contacts each do-not-call list stopped) and ``zones`` (per time zone:
    contacts, and how many can be called at launch) add key by key; ``line_endings`` is the set seen;
    ``dropped_columns`` the most empty trailing columns a part dropped; ``footer`` the lines below the table
    (only a file's last part has them)."""

    rows_in: int = 0
    rows_clean: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0
    errors: int = 0
    warnings: int = 0
    rows_with_warnings: int = 0
    kinds: Mapping[tuple[str, str], int] = field(default_factory=dict)
    variables: Mapping[str, VariableStats] = field(default_factory=dict)
    regions: Mapping[str, int] = field(default_factory=dict)
    line_types: Mapping[str, int] = field(default_factory=dict)
    plus_declined: int = 0
    suppressed: Mapping[str, int] = field(default_factory=dict)
    zones: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    line_endings: frozenset[str] = frozenset()
    dropped_columns: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)

    def __add__(self, other: Summary) -> Summary:
        if not isinstance(other, Summary):
            return NotImplemented
        added = {}
        for spec in fields(self):
            mine, theirs = getattr(self, spec.name), getattr(other, spec.name)
            if spec.name == "dropped_columns":
                added[spec.name] = theirs if len(theirs) > len(mine) else mine
            elif spec.name == "line_endings":
                added[spec.name] = mine | theirs
            elif isinstance(mine, Mapping):
                added[spec.name] = _add_by_key(mine, theirs)
            else:
                added[spec.name] = mine + theirs
        return Summary(**added)

    @property
    def by_code(self) -> dict[str, int]:
        """Issues per code, most first (ties by code)."""
        codes: dict[str, int] = {}
        for (code, _), count in self.kinds.items():
            codes[code] = codes.get(code, 0) + count
        return by_count(codes)

    def kind_list(self) -> list[tuple[str, str, int]]:
        """``(code, severity, count)`` for each kind of problem, most frequent first (ties by code)."""
        ordered = sorted(self.kinds.items(), key=lambda item: (-item[1], item[0][0]))
        return [(code, severity, count) for (code, severity), count in ordered]

    def counts(self) -> dict[str, object]:
        """What report.json's ``summary`` holds: ``rows_in`` = ``rows_clean`` + ``rows_rejected``."""
        return {
            "rows_in": self.rows_in,
            "rows_clean": self.rows_clean,
            "rows_rejected": self.rows_rejected,
            "rows_with_warnings": self.rows_with_warnings,
            "blank_rows": self.blank_rows,
            "errors": self.errors,
            "warnings": self.warnings,
            "by_code": self.by_code,
        }

    @property
    def line_ending(self) -> str:
        """The file's line endings: the one kind its parts had, ``mixed``, or ``none``."""
        kinds = self.line_endings - {"none"}
        return next(iter(kinds)) if len(kinds) == 1 else ("mixed" if kinds else "none")

    @property
    def exit_code(self) -> int:
        """0 when nothing was rejected, 1 when some rows were."""
        return 1 if self.rows_rejected else 0

    def check_accounting(self) -> None:
        """Every record is in exactly one of cleaned and rejected; a failure here is a bug in csvprep."""
        if self.rows_in != self.rows_clean + self.rows_rejected:
            raise AssertionError(f"row accounting failed: {self.rows_in} records in, {self.rows_clean} cleaned, "
                                 f"{self.rows_rejected} rejected")


@dataclass(frozen=True)
class FileSummary:
    """One file of a run over several: its name in messages, what was detected in it and its counts, or why it
    was skipped (``summary`` None), and where its outputs went when each file is cleaned apart."""

    name: str
    path: str
    summary: Summary | None = None
    detected: dict[str, object] = field(default_factory=dict)  # Contacts.describe() of the file
    skipped: str | None = None
    out_dir: str | None = None

    def describe(self) -> dict[str, object]:
        """The file's section of report.json."""
        if self.summary is None:
            return {"file": self.name, "path": self.path, "skipped": self.skipped}
        return {"file": self.name, "path": self.path, "skipped": None, **self.detected,
                "summary": self.summary.counts(), **({"out_dir": self.out_dir} if self.out_dir else {})}


def _add_by_key(mine: Mapping, theirs: Mapping) -> dict:
    added = dict(mine)
    for key, value in theirs.items():
        if key not in added:
            added[key] = value
        elif isinstance(value, tuple):
            added[key] = tuple(a + b for a, b in zip(added[key], value))
        else:
            added[key] = added[key] + value
    return added


def by_count(counts: Mapping[str, int]) -> dict[str, int]:
    """Most first; ties by name, so that one pass and a run in parts list them alike."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
