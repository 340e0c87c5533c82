"""Large files in bounded memory: the file is cut into parts of about ``part_rows`` records at record boundaries,
each part goes through the same pipeline, and the outputs are written as the parts come. Row and line numbers,
duplicates across parts and every count are exactly what one pass over the whole file gives; the tests hold the two
to the same output files.

Only what must outlive a part is kept: the issues (for errors.txt and the reports), the kept contacts' duplicate
keys, and the rejected records (spilled to Arrow IPC files on disk, since their columns depend on the part)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import polars as pl

from ..app.pipeline import by_count, clean_contacts
from ..app.result import CleanResult
from ..errors import InputError, OutputError
from ..io.csv_out import (
    OUTPUT_FILES,
    atomic_write,
    copy_file,
    sync_files,
    current_umask,
    neutralise_formulas,
    prepare_out_dir,
    write_csv,
    write_rejected_csv,
)
from ..io.cut import Digest, can_split, parts
from ..io.read.delimited import read_bytes
from ..job.job import Job
from ..job.rules_file import load_rules
from ..model.contacts import NoContactsError, ReadOptions
from ..model.e164 import PLUS_DECLINED
from ..model.issues import issues_from
from ..model.providers import Provider, get_provider
from ..model.rules import Rules
from ..outputs.html import EXAMPLES_PER_KIND
from ..outputs.report import REPORT_TAIL, report_head, write_error_lines, write_issue_objects, write_report_json
from ..outputs.upload import finish_upload, header_map, rejected_renames, shape
from ..stages.variables.check import VariableStats

PART_ROWS = 1_000_000


def clean_file(
    path: str | Path | bytes,
    rules: Rules | str | Path,
    out_dir: str | Path,
    *,
    region: str | None = None,
    read_options: ReadOptions | None = None,
    strict: bool = False,
    html_path: str | Path | None = None,
    part_rows: int | None = None,
    progress: Callable[[str], None] | None = None,
    on_issues: Callable[[pl.DataFrame], None] | None = None,
    suppress: list | None = None,
    provider: Provider | str | None = None,
    calling=None,
    add_columns: tuple[str, ...] = (),
    name: str = "<stdin>",
) -> tuple[CleanResult, dict[str, Path]]:
    """Clean a contact file of any size into ``out_dir`` in bounded memory; returns the run's result (its
    ``cleaned`` and ``rejected`` frames are left empty: they are in the files) and the paths written. Parts are
    of ``part_rows`` records (default :data:`PART_ROWS`).

    A file that is not UTF-8 (or was given an encoding), a workbook, or one whose records cannot be cut apart
    (an unterminated quote) is read in one part, as :func:`csvprep.clean` reads it. ``on_issues`` is given each
    part's issues as they are found (the result keeps only the first few of each kind). ``path`` may be the
    file's bytes (standard input), named ``name`` in messages: then it is read at once."""
    from ..app.pipeline import clean

    if isinstance(provider, str):
        provider = get_provider(provider)
    started = time.perf_counter()
    rules = _loaded(rules, region)
    step = progress or (lambda stage: None)
    out = Path(out_dir)
    read_options = read_options or ReadOptions()
    if isinstance(path, bytes) or not can_split(Path(path), read_options):
        result = clean(path, rules, read_options=read_options, strict=strict, progress=progress, suppress=suppress,
                       calling=calling, add_columns=add_columns, name=name)
        if on_issues is not None:
            on_issues(result.issues)
        step("writing")
        return result, result.write(out, input_path=None if isinstance(path, bytes) else path,
                                    html_path=html_path, provider=provider)
    path = Path(path)

    paths = prepare_out_dir(out, path, html_path)
    run = _PartRun(path, rules, read_options, part_rows=part_rows or PART_ROWS, strict=strict, step=step,
                   suppress=suppress, calling=calling, add_columns=add_columns, started=started)
    with tempfile.TemporaryDirectory(prefix=".csvprep-", dir=out) as scratch_dir:
        scratch = Path(scratch_dir)
        with _PartWriter(scratch) as writer:
            for part in run:
                result = part.result
                if on_issues is not None:
                    on_issues(result.issues)
                header = list(result.cleaned.columns)
                reason_renames = rejected_renames(provider, list(result.rejected.columns), header)
                if result is run.first:  # the rejected file's header, should no part reject anything
                    rejected_empty = shape(result.rejected.clear(), reason_renames)
                writer.write(
                    result, part.index,
                    cleaned=shape(result.cleaned, header_map(provider, result.columns, header) if provider else {}),
                    rejected=shape(neutralise_formulas(result.rejected), reason_renames),
                    first_part=result is run.first, first_issues=part.first_issues,
                    # the only part (most lists): its rejected records and issues go straight to the final files
                    report=run.merged() if part.whole else None,
                )
        merged = run.merged()
        step("writing")
        _finish_outputs(merged, paths, scratch, writer, rejected_empty)
    if provider is not None:
        paths.update(finish_upload(provider, paths["cleaned.csv"], merged.columns, list(run.first.cleaned.columns)))
    return merged, paths


def check_file(
    path: str | Path | bytes,
    rules: Rules | str | Path,
    *,
    region: str | None = None,
    read_options: ReadOptions | None = None,
    strict: bool = False,
    part_rows: int | None = None,
    on_issues: Callable[[pl.DataFrame], None] | None = None,
    issues_stream: BinaryIO | None = None,
    suppress: list | None = None,
    calling=None,
    add_columns: tuple[str, ...] = (),
    name: str = "<stdin>",
) -> CleanResult:
    """Check a contact file of any size in bounded memory, writing no outputs: what ``csvprep check`` runs.

    Returns the run's result; for a file cleaned in parts its ``cleaned`` and ``rejected`` frames are empty and
    its ``issues`` hold the first few of each kind. ``on_issues`` is given the issues as they are found (a part's
    at a time, in row order); ``issues_stream`` receives every issue as report.json's issue objects
    (:func:`csvprep.report.write_issue_objects`), for a caller that writes the report itself. ``path`` may be
    the file's bytes, as for :func:`clean_file`."""
    from ..app.pipeline import clean

    started = time.perf_counter()
    rules = _loaded(rules, region)
    read_options = read_options or ReadOptions()

    def hand_over(issues: pl.DataFrame, first: bool) -> None:
        if on_issues is not None:
            on_issues(issues)
        if issues_stream is not None:
            write_issue_objects(issues, issues_stream, first=first)

    if isinstance(path, bytes) or not can_split(Path(path), read_options):
        result = clean(path, rules, read_options=read_options, strict=strict, suppress=suppress, calling=calling,
                       add_columns=add_columns, name=name)
        hand_over(result.issues, first=True)
        return result
    path = Path(path)
    run = _PartRun(path, rules, read_options, part_rows=part_rows or PART_ROWS, strict=strict, suppress=suppress,
                   calling=calling, add_columns=add_columns, started=started)
    for part in run:
        hand_over(part.result.issues, first=part.first_issues)
    return run.merged()


def _loaded(rules: Rules | str | Path, region: str | None) -> Rules:
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    return rules.with_region(region) if region is not None else rules


@dataclass
class _CleanedPart:
    index: int
    result: CleanResult
    whole: bool  # the file's only part
    first_issues: bool  # no part before it had issues


class _PartRun:
    """Cleans a file part by part (iterate over it), keeping what the parts after each one need: the kept
    duplicate keys, row and line numbers, the encoding and delimiter read; then :meth:`merged` gives the whole
    run's result."""

    def __init__(self, path: Path, rules: Rules, read_options: ReadOptions, *, part_rows: int, strict: bool,
                 suppress, calling, add_columns: tuple[str, ...], started: float,
                 step: Callable[[str], None] = lambda stage: None) -> None:
        self.path, self.rules, self.read_options, self.part_rows = path, rules, read_options, part_rows
        self.strict, self.suppress, self.calling, self.add_columns = strict, suppress, calling, add_columns
        self.started, self.step = started, step
        self.digest = Digest()
        self.first: CleanResult | None = None
        self.examples: list[pl.DataFrame] = []
        self.totals = _Totals()
        self.totals.hours = calling
        self._merged: _MergedResult | None = None

    def __iter__(self) -> Iterator[_CleanedPart]:
        options = read_options = self.read_options
        totals = self.totals
        earlier = pl.DataFrame()
        last_row = 1  # the header's
        blank_only: NoContactsError | None = None
        ascii_so_far = True
        for index, part in enumerate(parts(self.path, self.part_rows, self.digest)):
            self.step("reading")
            mark = time.perf_counter()
            try:
                contacts = read_bytes(part.data, source=str(self.path), options=options,
                                      line_offset=part.first_line - part.header_lines - 1, digest=False,
                                      at_end=part.last)
            except NoContactsError as empty:  # a part of blank lines (and a footer): they still count as rows
                totals.blank += empty.blank_rows
                totals.footer += empty.footer
                last_row += empty.blank_rows
                blank_only = empty
                continue
            if options is read_options or (ascii_so_far and read_options.encoding is None):
                # later parts are read as the first was: same delimiter, same encoding; but while every part
                # so far is plain ASCII (which reads the same in any encoding), the next one's is detected
                # afresh, as one pass over the whole file would detect it
                ascii_so_far = ascii_so_far and part.data.isascii()
                detected = read_options.encoding or (None if ascii_so_far else contacts.encoding)
                options = ReadOptions(encoding=detected, delimiter=contacts.delimiter)
                totals.encoding = contacts.encoding
            _shift(contacts, last_row - 1)
            totals.timings["read"] = totals.timings.get("read", 0.0) + time.perf_counter() - mark
            result = clean_contacts(contacts, self.rules, strict=self.strict, step=self.step, timings={},
                                    earlier=earlier if earlier.height else None, remember_keys=not part.last,
                                    suppress=self.suppress, calling=self.calling, add_columns=self.add_columns)
            self.first = self.first or result
            if result.kept_keys is not None and result.kept_keys.width:
                # a part's kept keys are new: a key seen before made its row a duplicate, never kept
                earlier = result.kept_keys if earlier.width == 0 else pl.concat([earlier, result.kept_keys])
            first_issues = totals.issues == 0
            declined = pl.col("detail").str.ends_with(PLUS_DECLINED).fill_null(False)
            # the first few of each kind, and the first number a '+' would make another country's (the summary's
            # example of them)
            self.examples.append(result.issues.filter(
                (pl.int_range(pl.len()).over("code", "severity") < EXAMPLES_PER_KIND)
                | (declined & (declined.cum_sum() == 1))))
            totals.add(result)
            totals.footer += contacts.footer
            last_row += contacts.records + contacts.blank_rows
            yield _CleanedPart(index, result, whole=index == 0 and part.last, first_issues=first_issues)
        if self.first is None:
            raise blank_only

    def merged(self) -> _MergedResult:
        """The whole run's result (once the parts are cleaned, or when the only part is)."""
        if self._merged is None:
            self._merged = _merged(self.first, self.examples, self.totals, self.digest.hexdigest(), self.started)
        return self._merged


def _shift(contacts, row_offset: int) -> None:
    """Part-local row numbers to the whole file's (line numbers were read with the part's offset)."""
    if row_offset == 0:  # the first part
        return
    shift = [(pl.col("_row") + row_offset).alias("_row")]
    contacts.frame = contacts.frame.with_columns(shift)
    contacts.broken = contacts.broken.with_columns(shift)


@dataclass
class _Totals:
    rows_in: int = 0
    clean: int = 0
    rejected: int = 0
    blank: int = 0
    issues: int = 0
    errors: int = 0
    warnings: int = 0
    rows_with_warnings: int = 0
    encoding: str | None = None  # what the file was read as: the first part's, or the first part past plain ASCII
    timings: dict[str, float] = field(default_factory=dict)
    variables: dict[str, VariableStats] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)
    line_types: dict[str, int] = field(default_factory=dict)
    kinds: dict[tuple[str, str], int] = field(default_factory=dict)
    suppression: dict[str, dict[str, int]] = field(default_factory=dict)
    calling: dict[str, dict[str, int]] = field(default_factory=dict)
    calling_template: object = None  # the first part's calling-hours summary
    hours: object = None  # the run's CallingHours
    line_endings: set[str] = field(default_factory=set)
    dropped_columns: list[str] = field(default_factory=list)  # the most any part dropped (empty trailing fields)
    footer: list[str] = field(default_factory=list)  # the last part's
    plus_declined: int = 0

    def line_ending(self) -> str:
        kinds = self.line_endings - {"none"}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "none")

    def add(self, result: CleanResult) -> None:
        counts = result.counts()
        self.issues += result.issues.height
        self.errors += counts["errors"]
        self.warnings += counts["warnings"]
        self.rows_with_warnings += counts["rows_with_warnings"]
        for code, severity, count in result.kinds():
            self.kinds[(code, severity)] = self.kinds.get((code, severity), 0) + count
        self.line_endings.add(result.contacts.line_endings)
        if len(result.contacts.dropped_columns) > len(self.dropped_columns):
            self.dropped_columns = list(result.contacts.dropped_columns)
        self.rows_in += result.contacts.records
        self.clean += result.cleaned.height
        self.rejected += result.rejected.height
        self.blank += result.contacts.blank_rows
        for stage, seconds in result.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        for stats in result.variable_stats:
            known = self.variables.get(stats.variable)
            self.variables[stats.variable] = stats if known is None else replace(
                known, from_file=known.from_file + stats.from_file, defaulted=known.defaulted + stats.defaulted,
                missing=known.missing + stats.missing, invalid=known.invalid + stats.invalid)
        if result.calling_hours is not None:
            for zone, stats in result.calling_hours.by_time_zone.items():
                known = self.calling.setdefault(zone, {"contacts": 0, "callable_at_launch": 0})
                known["contacts"] += stats["contacts"]
                known["callable_at_launch"] += stats["callable_at_launch"]
            self.calling_template = result.calling_hours
        for name, stats in result.suppression.items():
            known = self.suppression.setdefault(name, dict(stats, suppressed=0))
            known["suppressed"] += stats["suppressed"]
        self.plus_declined += result.phone_stats.get("plus_declined", 0)
        for name, target in (("by_region", self.regions), ("by_line_type", self.line_types)):
            for key, count in result.phone_stats.get(name, {}).items():
                target[key] = target.get(key, 0) + count


class _MergedResult(CleanResult):
    """The whole run's result: counts from the parts; ``issues`` holds only the first few of each kind (the
    others went to disk); no cleaned or rejected frames (they are in the files)."""

    totals: _Totals

    def counts(self) -> dict[str, object]:
        by_code: dict[str, int] = {}
        for (code, _), count in self.totals.kinds.items():
            by_code[code] = by_code.get(code, 0) + count
        return {
            "rows_in": self.totals.rows_in,
            "rows_clean": self.totals.clean,
            "rows_rejected": self.totals.rejected,
            "rows_with_warnings": self.totals.rows_with_warnings,
            "blank_rows": self.totals.blank,
            "errors": self.totals.errors,
            "warnings": self.totals.warnings,
            "by_code": dict(sorted(by_code.items(), key=lambda item: -item[1])),
        }

    def kinds(self) -> list[tuple[str, str, int]]:
        ordered = sorted(self.totals.kinds.items(), key=lambda item: (-item[1], item[0][0]))
        return [(code, severity, count) for (code, severity), count in ordered]

    @property
    def exit_code(self) -> int:
        return 1 if self.totals.rejected else 0

    def check_accounting(self) -> None:
        if self.totals.rows_in != self.totals.clean + self.totals.rejected:
            raise AssertionError(f"row accounting failed: {self.totals.rows_in} records in, {self.totals.clean} "
                                 f"cleaned, {self.totals.rejected} rejected")


def _merged(first: CleanResult | None, issues: list[pl.DataFrame], totals: _Totals, sha256: str,
            started: float) -> _MergedResult:
    if first is None:  # pragma: no cover - an empty file is refused while reading
        raise InputError("the file has no contacts")
    contacts = replace(first.contacts, sha256=sha256, blank_rows=totals.blank, line_endings=totals.line_ending(),
                       encoding=totals.encoding or first.contacts.encoding, dropped_columns=totals.dropped_columns,
                       footer=totals.footer)
    totals.timings["total"] = time.perf_counter() - started
    merged = _MergedResult(
        cleaned=first.cleaned.clear(),
        rejected=first.rejected.clear(),
        issues=issues_from(issues).sort("row", maintain_order=True),  # the first few of each kind
        rules=first.rules,
        contacts=contacts,
        columns=first.columns,
        variable_stats=list(totals.variables.values()),
        phone_stats={
            "by_region": by_count(totals.regions),
            "by_line_type": by_count(totals.line_types),
            "plus_declined": totals.plus_declined,
        },
        timings=totals.timings,
        strict=first.strict,
        suppression=totals.suppression,
        calling_hours=_merged_calling(totals),
        region_hint=first.region_hint,
    )
    merged.totals = totals
    merged.check_accounting()
    return merged


def _merged_calling(totals: _Totals):
    if totals.calling_template is None:
        return None
    from ..stages.calling_hours import earliest_launch

    by_zone = dict(sorted(totals.calling.items(), key=lambda item: (-item[1]["contacts"], item[0])))
    earliest, note = earliest_launch(list(by_zone), totals.hours)
    return replace(totals.calling_template, by_time_zone=by_zone, earliest_launch_all_inside=earliest, note=note)


class _PartWriter:
    """Each part's outputs, written into the scratch directory as the part is cleaned: cleaned.csv and errors.txt
    grow part by part, the issues gather as JSON objects for report.json, rejected records wait in an Arrow file
    per part (only at the end is it known whether the file needs the 'raw' column). The only part of a file writes
    rejected.csv and report.json directly."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.cleaned, self.errors, self.issues = scratch / "cleaned.csv", scratch / "errors.txt", scratch / "issues"
        self.rejected_parts: list[Path] = []
        self.rejected_written = self.report_written = False

    def __enter__(self) -> _PartWriter:
        self._streams = [open(path, "wb") for path in (self.cleaned, self.errors, self.issues)]
        # a part's outputs are independent, and writing them is as much waiting on the disk as work: all at once
        self._pool = ThreadPoolExecutor(max_workers=4)
        return self

    def __exit__(self, *exc_info) -> None:
        self._pool.shutdown()
        for stream in self._streams:
            stream.close()

    def write(self, result: CleanResult, index: int, *, cleaned: pl.DataFrame, rejected: pl.DataFrame,
              first_part: bool, first_issues: bool, report: _MergedResult | None) -> None:
        cleaned_stream, errors_stream, issues_stream = self._streams
        writes = [
            self._pool.submit(write_csv, cleaned, cleaned_stream, include_header=first_part),
            # issues go to disk as they come: a big list's issues outweigh everything else kept
            self._pool.submit(write_error_lines, result, errors_stream),
        ]
        if report is not None:
            writes.append(self._pool.submit(_write_report, self.scratch / "report.json", report, result.issues))
            self.report_written = True
        else:
            writes.append(self._pool.submit(write_issue_objects, result.issues, issues_stream, first=first_issues))
        if rejected.height and report is not None:
            writes.append(self._pool.submit(_write_rejected, self.scratch / "rejected.csv", rejected))
            self.rejected_written = True
        elif rejected.height:
            spill = self.scratch / f"rejected-{index}.arrow"
            writes.append(self._pool.submit(rejected.write_ipc, spill))
            self.rejected_parts.append(spill)
        for write in writes:
            write.result()


def _write_rejected(path: Path, frame: pl.DataFrame) -> None:
    with open(path, "wb") as stream:
        write_rejected_csv(frame, stream)


def _write_report(path: Path, result: _MergedResult, issues: pl.DataFrame) -> None:
    with open(path, "wb") as stream:
        write_report_json(result, stream, issues)


def _finish_outputs(result: _MergedResult, paths: dict[str, Path], scratch: Path, writer: _PartWriter,
                    rejected_empty: pl.DataFrame) -> None:
    from ..outputs.html import report_html

    rejected_part = scratch / "rejected.csv"
    if writer.rejected_written:
        pass  # written as the only part was cleaned
    elif writer.rejected_parts:
        # parts differ in columns only by 'raw' (records that could not be split): aligned one part at a time
        columns = pl.concat([pl.scan_ipc(part) for part in writer.rejected_parts],
                            how="diagonal_relaxed").collect_schema()
        with open(rejected_part, "wb") as stream:
            for index, part in enumerate(writer.rejected_parts):
                frame = pl.read_ipc(part)
                frame = frame.select(pl.col(name) if name in frame.columns else pl.lit(None, dtype).alias(name)
                                     for name, dtype in columns.items())
                write_rejected_csv(frame, stream, include_header=index == 0)
    else:  # nothing rejected: the header alone, as one pass writes it
        with open(rejected_part, "wb") as stream:
            write_rejected_csv(rejected_empty, stream)

    report_part = scratch / "report.json"
    if not writer.report_written:  # the parts' issues follow the summary of them all
        with open(report_part, "wb") as stream:
            stream.write(report_head(result))
            stream.flush()
            with open(writer.issues, "rb") as issues:
                copy_file(issues, stream)
            stream.write(REPORT_TAIL)
    moves = {"cleaned.csv": writer.cleaned, "rejected.csv": rejected_part, "errors.txt": writer.errors,
             "report.json": report_part}
    with ThreadPoolExecutor(max_workers=1) as worker:
        # the files reach the disk while the HTML report is rendered
        synced = worker.submit(sync_files, list(moves.values()))
        html = report_html(result).encode("utf-8")
        synced.result()
    for name, part in moves.items():
        try:
            os.chmod(part, 0o666 & ~current_umask())
            part.replace(paths[name])
        except OSError as exc:
            raise OutputError(f"{paths[name]}: cannot write ({exc.strerror or exc})") from None
    atomic_write(paths["report.html"], html)
    assert set(paths) == set(OUTPUT_FILES)


def run(job: Job, source: str | Path | bytes, *, out_dir: str | Path | None = None,
        html_path: str | Path | None = None, name: str = "<stdin>", progress: Callable[[str], None] | None = None,
        on_issues: Callable[[pl.DataFrame], None] | None = None, issues_stream: BinaryIO | None = None
        ) -> tuple[CleanResult, dict[str, Path]]:
    """Run ``job`` over ``source`` (a path, or the file's bytes named ``name``): with ``out_dir``, clean it and write
    the outputs there (what ``csvprep clean`` does); without, check it and write nothing (``csvprep check``).
    Returns the run's result and the paths written. ``on_issues`` gets each part's issues as they are found,
    ``issues_stream`` every issue as report.json's issue objects."""
    options = dict(read_options=job.read_options, strict=job.strict, part_rows=job.part_rows,
                   on_issues=on_issues, suppress=list(job.suppress), calling=job.calling,
                   add_columns=job.add_columns, name=name)
    if out_dir is None:
        return check_file(source, job.rules, issues_stream=issues_stream, **options), {}
    return clean_file(source, job.rules, out_dir, html_path=html_path, progress=progress, provider=job.provider,
                      **options)
