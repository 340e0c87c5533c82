"""A run over several files: twelve monthly exports, one sheet per sales rep, leads from three sources, cleaned into
one campaign list. The files stream through the same :class:`~csvprep.app.run.Run` as the parts of one big file
do (memory is bounded by the largest part, not the sum of the files), each read with its own detection and its own
row numbering, and the duplicates are found across all of them: the first valid row in the order given is kept,
and a later one says which file and row it repeats (``(same as contacts-b.csv row 12)``).

Merged (the default), the files become one set of outputs: cleaned.csv with the union of their columns (a column
the rules map is named as in the first file; a column one file lacks is empty for its rows), one rejected.csv and
one errors.txt naming each record's file, and one report with a section per file and the totals. Separate, each
file is cleaned into ``DIR/<stem>/``, duplicates still checked against the files before it.

A file that cannot be read is reported with its reason and skipped; the run fails only when none could be read
(or at the first such file with ``fail_fast``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import polars as pl

from ..app.result import CleanResult
from ..errors import ConfigError, InputError
from ..job.job import Job
from ..model.calling import CallingHours
from ..model.contacts import ColumnMap, ReadOptions
from ..model.e164 import PLUS_DECLINED
from ..model.providers import Provider
from ..model.rules import Rules
from ..model.summary import EXAMPLES_PER_KIND, FileSummary, Summary, by_count
from ..model.text import shown_name
from ..outputs.writer import OutputWriter, prepare_out_dir
from ..stages.calling_hours import calling_summary
from ..stages.duplicates import SeenPhones
from ..stages.suppression import load_previous
from .inputs import display_names, expand_inputs
from .progress import Progress
from .run import PartResult, Run, job_of

MERGED, SEPARATE = "merged", "separate"


class AcrossFiles:
    """The duplicate keys kept by the files run so far, each with the file it came from. The one place a run over
    several files touches the cross-part duplicate mechanism: a file's :class:`Run` starts from these keys
    (``earlier``) and adds its own to them, labelled with the file's name."""

    def __init__(self) -> None:
        self.seen = SeenPhones()
        self.names: list[str] = []  # the files run to their end, in order

    def start(self, job: Job, source: str | Path | bytes, name: str,
              on_progress: Callable[[Progress], None] | None = None) -> Run:
        self.seen.begin(name)
        return Run(job, source, name=name, earlier=self.seen, on_progress=on_progress)

    def done(self, the_run: Run, name: str) -> None:
        """``the_run`` (a file named ``name`` in messages) ran to its end: its kept keys are among the others."""
        self.names.append(name)

    def check(self, job: Job, source: str | Path | bytes, *, name: str | None = None,
              on_issues: Callable[[pl.DataFrame], None] | None = None, issues_stream=None) -> CleanResult:
        """Check one file (as :func:`csvprep.app.run.run` without outputs does) against the files checked before
        it: what ``csvprep check --across-files`` runs for each file."""
        from ..outputs.report import write_issue_objects

        started = time.perf_counter()
        if name is None:
            name = "<stdin>" if isinstance(source, bytes) else shown_name(Path(source).name)
        the_run = self.start(job, source, name)
        try:
            for part in the_run:
                if on_issues is not None:
                    on_issues(part.result.issues)
                if issues_stream is not None:
                    write_issue_objects(part.result.issues, issues_stream, first=part.first_issues)
                del part  # not held while the next part is cleaned
        except InputError:
            self.seen.forget_last()  # its contacts are in no result: a later file's are not their duplicates
            raise
        result = the_run.result(started)
        self.done(the_run, name)
        return replace(result, across_files=_policy("checked", self.names[:-1]))


def run_files(job: Job, sources: Sequence[str | Path], *, out_dir: str | Path | None = None, separate: bool = False,
              fail_fast: bool = False, html_path: str | Path | None = None,
              on_progress: Callable[[Progress], None] | None = None,
              on_issues: Callable[[pl.DataFrame, str], None] | None = None) -> tuple[CleanResult, dict[str, Path]]:
    """Run ``job`` over several files (already expanded: :func:`expand_inputs`): with ``out_dir``, clean them
    into one set of outputs there, or with ``separate`` each into ``out_dir/<stem>/``; without, check them.
    Returns the whole run's result (the totals, ``files`` a section per file) and the paths written.
    ``on_issues`` gets each part's issues and its file's name; ``on_progress`` the run's
    :class:`~csvprep.app.progress.Progress` over all the files. Raises :class:`InputError` when no file could be
    read, or at the first that cannot be with ``fail_fast``."""
    started = time.perf_counter()
    files = [Path(source) for source in sources]
    if not files:
        raise ConfigError("no input files")
    if separate and html_path is not None:
        raise ConfigError("--html cannot be used with --separate: each file's report.html is in its directory")
    names = display_names(files)
    progress = _over_files(on_progress, len(files), started)
    if out_dir is not None and not separate:
        paths = prepare_out_dir(Path(out_dir), None, html_path)
        for file in files:
            prepare_out_dir(Path(out_dir), file, html_path)  # refuses an output over any of the inputs
        with OutputWriter(paths, job.provider, several=True) as writer:
            merged = _Merged(job, writer, progress, on_issues)
            results, sections = _each(files, names, merged, fail_fast)
            total = _total(job, results, sections, started, _policy(MERGED, names))
            return total, writer.finish(total)
    runner = _Separate(job, Path(out_dir), progress, on_issues, files) if out_dir is not None else \
        _Separate(job, None, progress, on_issues, files)
    results, sections = _each(files, names, runner, fail_fast)
    policy = _policy(SEPARATE if out_dir is not None else "checked", names)
    return _total(job, results, sections, started, policy), runner.paths


def _over_files(on_progress: Callable[[Progress], None] | None, files: int, started: float):
    """For the ``k``-th of ``files``, the callback its :class:`Run` reports to: one measure over all the files
    (file ``k`` done to its fraction counts as ``k - 1`` files and that fraction), the time since the first began,
    and the file in the stage; the drawing side keeps the measure from going back."""
    if on_progress is None:
        return lambda k: None

    def of(k: int) -> Callable[[Progress], None]:
        def report(event: Progress) -> None:
            fraction = min(1.0, event.done / event.total) if event.total else 0.0
            on_progress(replace(event, stage=f"file {k}/{files}: {event.stage}", done=k - 1 + fraction,
                                total=float(files), elapsed=time.perf_counter() - started))
        return report

    return of


def _policy(policy: str, names: Sequence[str]) -> dict[str, object]:
    said = {MERGED: "one upload list; duplicates found across all files, the first valid row in the order given kept",
            SEPARATE: "each file cleaned apart into its own directory; duplicates still found across files, a "
                      "contact kept in an earlier file rejected in a later one",
            "checked": "duplicates found against the files before this one, in the order given"}
    return {"policy": policy, "duplicates": said[policy], "files": list(names)}


def _each(files: list[Path], names: list[str], runner, fail_fast: bool
          ) -> tuple[list[CleanResult], list[FileSummary]]:
    results, sections = [], []
    for file, name in zip(files, names):
        try:
            result, out = runner.one(file, name)
        except InputError as exc:
            if fail_fast or runner.committed:
                raise
            runner.across.seen.forget_last()  # the parts it read before the error are in no output
            sections.append(FileSummary(name=name, path=shown_name(file), skipped=str(exc)))
            continue
        result = _slim(result)
        results.append(result)
        sections.append(FileSummary(name=name, path=shown_name(file), summary=result.summary,
                                    detected=result.contacts.describe(), out_dir=out))
    if not results:
        reasons = "; ".join(section.skipped or "" for section in sections)
        raise InputError(f"none of the {len(files)} files could be read: {reasons}")
    return results, sections


def _slim(result: CleanResult) -> CleanResult:
    """A file's result as the run keeps it until the end: its counts and the first few issues of each kind, not
    its frames (they are in the outputs), so that memory is bounded by the largest part, not the sum of the
    files."""
    contacts = replace(result.contacts, frame=result.contacts.frame.clear(), broken=result.contacts.broken.clear())
    return replace(result, cleaned=result.cleaned.clear(), rejected=result.rejected.clear(),
                   issues=_examples(result.issues), contacts=contacts)


def _examples(issues: pl.DataFrame) -> pl.DataFrame:
    """The first few issues of each kind, and the first number a '+' would make another country's (the
    summary's example of them), as a run in parts keeps them."""
    declined = pl.col("detail").str.ends_with(PLUS_DECLINED).fill_null(False)
    return issues.filter((pl.int_range(pl.len()).over("code", "severity") < EXAMPLES_PER_KIND)
                         | (declined & (declined.cum_sum() == 1)))


class _Merged:
    """Each file's parts into the one writer, renamed to the first file's columns and naming their file."""

    def __init__(self, job: Job, writer: OutputWriter, progress, on_issues) -> None:
        self.job, self.writer, self.progress, self.on_issues = job, writer, progress, on_issues
        self.across = AcrossFiles()
        self.index = 0
        self.first_issues = True
        self.columns: ColumnMap | None = None  # the first file's: cleaned.csv's names for the mapped columns
        self.committed = False  # a part of the file being run is in the outputs: it cannot be skipped any more

    def one(self, file: Path, name: str) -> tuple[CleanResult, None]:
        started = time.perf_counter()
        the_run = self.across.start(self.job, file, name, self.progress(len(self.across.seen.names) + 1))
        for part in the_run:
            view = self._view(part, name)
            if self.on_issues is not None:
                self.on_issues(view.issues, name)
            self.writer.add(view, index=self.index, first=self.index == 0, last=False,
                            first_issues=self.first_issues, file=name)
            self.first_issues = self.first_issues and view.issues.height == 0
            self.index += 1
            self.committed = True
            del part, view  # not held while the next part is cleaned
        self.committed = False
        result = the_run.result(started)
        self.across.done(the_run, name)
        return result, None

    def _view(self, part: PartResult, name: str) -> CleanResult:
        result = part.result
        if self.columns is None:
            self.columns = result.columns
        renames = _renames(result.columns, self.columns)
        cleaned = _renamed(result.cleaned, renames, name)
        own = set(result.contacts.header) | set(result.columns.added)
        self.writer.cleaned_output.trailing |= {column for column in result.cleaned.columns if column not in own}
        rejected = _renamed(result.rejected, renames, name)
        # the file beside the row and the reasons, last: a fixed rejected.csv run again leaves them out, and the
        # columns of later files come before them
        header = rejected.columns[:len(result.contacts.header)]
        label = next(f"{'csvprep_' * n}file" for n in range(len(header) + 1) if f"{'csvprep_' * n}file" not in header)
        tail = [label, *rejected.columns[len(header):]]
        rejected = rejected.select(*header, pl.lit(name, dtype=pl.String).alias(label), *tail[1:])
        self.writer.rejected_output.trailing |= set(tail)
        issues = result.issues.select(pl.lit(name, dtype=pl.String).alias("file"), pl.all())
        return replace(result, cleaned=cleaned, rejected=rejected, issues=issues, columns=self.columns)


class _Separate:
    """Each file through its own writer into ``out_dir/<stem>/`` (or, without ``out_dir``, checked)."""

    committed = False  # a file's outputs go in place only when it is whole: any file can be skipped

    def __init__(self, job: Job, out_dir: Path | None, progress, on_issues, files: list[Path]) -> None:
        self.job, self.out_dir, self.progress, self.on_issues = job, out_dir, progress, on_issues
        self.across = AcrossFiles()
        self.paths: dict[str, Path] = {}
        self.dirs = dict(zip(files, _stems(files)))

    def one(self, file: Path, name: str) -> tuple[CleanResult, str | None]:
        if self.out_dir is None:
            on_issues = (lambda issues: self.on_issues(issues, name)) if self.on_issues else None
            return self.across.check(self.job, file, name=name, on_issues=on_issues), None
        started = time.perf_counter()
        directory = self.out_dir / self.dirs[file]
        paths = prepare_out_dir(directory, file)
        before = list(self.across.names)
        the_run = self.across.start(self.job, file, name, self.progress(len(self.across.seen.names) + 1))
        with OutputWriter(paths, self.job.provider) as writer:
            for part in the_run:
                if self.on_issues is not None:
                    self.on_issues(part.result.issues, name)
                writer.add(part.result, index=part.index, first=part.first, last=part.last,
                           first_issues=part.first_issues)
                del part  # not held while the next part is cleaned
            result = replace(the_run.result(started), across_files={**_policy(SEPARATE, before + [name]),
                                                                    "checked_against": before})
            written = writer.finish(result)
        self.across.done(the_run, name)
        self.paths.update({f"{self.dirs[file]}/{key}": path for key, path in written.items()})
        return result, str(directory)


def _stems(files: list[Path]) -> list[str]:
    """A directory name for each file: its stem, numbered where two files share one."""
    taken: dict[str, int] = {}
    stems = []
    for file in files:
        stem = file.stem or "input"
        taken[stem] = taken.get(stem, 0) + 1
        stems.append(stem if taken[stem] == 1 else f"{stem}-{taken[stem]}")
    return stems


def _renames(mine: ColumnMap, first: ColumnMap) -> dict[str, str]:
    """This file's mapped columns to the first file's names for them."""
    renames = {mine.phone: first.phone}
    theirs = {variable.name: column for variable, column in first.variables}
    for variable, column in mine.variables:
        if variable.name in theirs:
            renames[column] = theirs[variable.name]
    return {old: new for old, new in renames.items() if old != new}


def _renamed(frame: pl.DataFrame, renames: dict[str, str], name: str) -> pl.DataFrame:
    renames = {old: new for old, new in renames.items() if old in frame.columns}
    if not renames:
        return frame
    # an unmapped column of the file that has a mapped column's name keeps it apart, under the file's name
    targets = set(renames.values()) - set(renames)
    clashes = {column: f"{column} ({name})" for column in frame.columns if column in targets}
    return frame.rename({**clashes, **renames})


def _total(job: Job, results: list[CleanResult], sections: list[FileSummary], started: float,
           policy: dict[str, object]) -> CleanResult:
    """The whole run's result: the sum of the files' counts, the first few issues of each kind (each naming its
    file), and a section per file (the skipped ones with their reason)."""
    total = sum((result.summary for result in results), Summary())
    total = replace(total, timings={**total.timings, "total": time.perf_counter() - started})
    total.check_accounting()
    named = [result.issues.select(pl.lit(section.name, dtype=pl.String).alias("file"),
                                  pl.all().exclude("file"))
             for result, section in zip(results, [s for s in sections if s.summary is not None])]
    issues = _examples(pl.concat(named, how="diagonal_relaxed"))
    first = results[0]
    read = [section.name for section in sections if section.summary is not None]
    contacts = replace(first.contacts, source=", ".join(read), sha256=None, blank_rows=total.blank_rows,
                       line_endings=total.line_ending, dropped_columns=list(total.dropped_columns),
                       footer=list(total.footer))
    calling = None
    if first.calling_hours is not None and job.calling is not None:
        calling = calling_summary(job.calling, dict(total.zones))
    suppression: dict[str, dict[str, int]] = {}
    for result in results:
        for list_name, stats in result.suppression.items():
            suppression[list_name] = {**stats, "suppressed": total.suppressed.get(list_name, 0)}
    return replace(
        first,
        cleaned=first.cleaned.clear(), rejected=first.rejected.clear(), issues=issues, contacts=contacts,
        variable_stats=list(total.variables.values()),
        phone_stats={"by_region": by_count(total.regions), "by_line_type": by_count(total.line_types),
                     "plus_declined": total.plus_declined},
        timings=dict(total.timings), suppression=suppression, calling_hours=calling, kept_keys=None,
        region_hint=next((result.region_hint for result in results if result.region_hint), None),
        summary=total, files=sections, across_files=policy,
    )


def with_previous(job: Job, previous: Sequence[str | Path]) -> Job:
    """``job`` with the cleaned.csv files of earlier runs (``--previous``): a contact whose number is in one is
    rejected as ``already_uploaded``."""
    if not previous:
        return job
    lists = tuple(load_previous(path, job.rules.phone) for path in previous)
    return replace(job, suppress=tuple(job.suppress) + lists)


def clean_files(paths: Sequence[str | Path], rules: Rules | str | Path, out_dir: str | Path | None = None, *,
                separate: bool = False, recursive: bool = False, fail_fast: bool = False,
                previous: Sequence[str | Path] = (), region: str | None = None,
                read_options: ReadOptions | None = None, strict: bool = False, html_path: str | Path | None = None,
                part_rows: int | None = None, on_progress: Callable[[Progress], None] | None = None,
                on_issues: Callable[[pl.DataFrame, str], None] | None = None, suppress: list | None = None,
                provider: Provider | str | None = None, calling: CallingHours | None = None,
                add_columns: tuple[str, ...] = ()) -> tuple[CleanResult, dict[str, Path]]:
    """Clean several contact files (paths, or directories of .csv, .tsv, .txt and .xlsx files, sorted; their
    subdirectories too with ``recursive``) as one campaign list into ``out_dir``: one merged set of outputs, or
    with ``separate`` each file into ``out_dir/<stem>/``; without ``out_dir``, check them. Duplicates are found
    across all the files; ``previous``: cleaned.csv files of earlier runs, whose numbers are rejected as
    ``already_uploaded``. Returns the run's result, whose ``files`` hold each file's section
    (:class:`~csvprep.model.summary.FileSummary`: its detection and counts, or why it was skipped) and whose
    summary is their sum, and the paths written. Other keywords as for :func:`csvprep.clean_file`."""
    job = job_of(rules, region=region, strict=strict, read_options=read_options, suppress=suppress, calling=calling,
                 add_columns=add_columns, provider=provider, part_rows=part_rows)
    files = expand_inputs(paths, recursive=recursive, exclude=out_dir)
    return run_files(with_previous(job, previous), files, out_dir=out_dir, separate=separate, fail_fast=fail_fast,
                     html_path=html_path, on_progress=on_progress, on_issues=on_issues)
