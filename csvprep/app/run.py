"""The run: one job over one input, whatever its size. A large file is cut into parts at record boundaries, each
part goes through the same stages, and the outputs are written by the one writer as the parts come; a small file,
bytes or a frame is a run of one part on the same road. Row and line numbers, duplicates across parts and every
count are what one pass over the whole file gives, because the parts' summaries add up; the tests hold the two to
the same output files.

Only what must outlive a part is kept: the issues (for errors.txt and the reports), the kept contacts' duplicate
keys, and the rejected records (spilled to Arrow IPC files on disk by the writer)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import polars as pl

from ..app.result import CleanResult
from ..errors import InputError
from ..io.cut import Digest, can_split, can_split_head, is_stream, parts, stream_parts
from ..io.read.delimited import read_bytes
from ..io.read.readers import read_source
from ..io.read.sniff import SNIFF_LINES
from ..job.job import Job
from ..job.rules_file import load_rules
from ..model.calling import CallingHours
from ..model.contacts import Contacts, NoContactsError, ReadOptions
from ..model.e164 import PLUS_DECLINED
from ..model.issues import issues_from
from ..model.providers import Provider, get_provider
from ..model.rules import Rules
from ..model.summary import EXAMPLES_PER_KIND, Summary, by_count
from ..model.text import shown_name
from ..outputs.report import write_issue_objects
from ..outputs.writer import OutputWriter, prepare_out_dir
from ..stages.calling_hours import calling_summary
from ..stages.duplicates import SeenPhones
from ..stages.suppression import SuppressionList
from .pipeline import clean_contacts
from .progress import Progress, steps, tracker_for

PART_ROWS = 500_000  # records per part of a file cut in parts (tests set it low): read when a run starts


def part_rows(job: Job) -> int:
    """Records per part: the job's part size, else ``CSVPREP_PART_ROWS`` from the environment (a knob for tests
    and for machines with little memory), else :data:`PART_ROWS`. A file of up to a part and a quarter is read
    whole (:func:`csvprep.io.cut.parts`)."""
    if job.part_rows:
        return job.part_rows
    setting = os.environ.get("CSVPREP_PART_ROWS", "")
    return int(setting) if setting.isdigit() and int(setting) > 0 else PART_ROWS


@dataclass(frozen=True)
class PartResult:
    """One part of a run, cleaned: its result (its frames, its issues, its summary) and where it stands."""

    index: int
    result: CleanResult
    first: bool  # no part before it
    last: bool  # no part after it
    first_issues: bool  # no part before it had issues


class Run:
    """One job over one input, part by part. A text file on disk that can be cut at record boundaries is read a
    part of about ``job.part_rows`` records at a time (:mod:`csvprep.io.cut`); any other input (bytes, a frame,
    a workbook, an encoding that cannot be cut) is its own only part. Every part goes through
    :func:`~csvprep.app.pipeline.clean_contacts` with the duplicate keys the parts before it kept, and the run's
    :class:`~csvprep.model.summary.Summary` is the sum of the parts': one road and one accounting whatever the
    size. Iterate over it for the parts, then :meth:`result` gives the whole run's result."""

    def __init__(self, job: Job, source: str | Path | bytes | pl.DataFrame, *, name: str = "<input>",
                 step: Callable[[str], None] | None = None, split: bool = True,
                 earlier: SeenPhones | None = None, on_progress: Callable[[Progress], None] | None = None) -> None:
        self.job, self.source, self.name = job, source, name
        # the kept duplicate keys of files before this one in the same run (see csvprep.app.batch): checked
        # against from the first part on, and this file's own kept keys are remembered to the last part
        self.carry = earlier is not None
        self.stream = split and isinstance(source, (str, Path)) and is_stream(Path(source))
        self.split = split and isinstance(source, (str, Path)) and (self.stream or can_split(Path(source),
                                                                                               job.read_options))
        self.tracker = None if on_progress is None else tracker_for(on_progress, source, self.split, self.stream,
                                                                    part_rows(job))
        self.step = steps(step, self.tracker)
        self.summary = Summary()
        self.digest = Digest() if self.split else None
        self.encoding: str | None = None  # what the file was read as: the first part's, or the first past ASCII
        self.examples: list[pl.DataFrame] = []
        self.parts = 0
        # the kept contacts' duplicate keys, for the parts (and files) after theirs
        self._earlier = earlier if earlier is not None else SeenPhones()
        self._first: CleanResult | None = None  # the only part's result, or the first's frames cleared
        self._first_whole = False  # _first is the only part's result, frames and all

    def __iter__(self) -> Iterator[PartResult]:
        if not self.split:
            self._begin(len(self.source) if isinstance(self.source, bytes) else None, last=True)
            self.step("reading")
            mark = time.perf_counter()
            contacts = read_source(self.source, self.job.read_options, self.name)
            self._read(contacts.records + contacts.blank_rows)
            yield self._clean(contacts, index=0, last=True, read_seconds=time.perf_counter() - mark)
            return
        job, read_options = self.job, self.job.read_options
        if self.stream:
            yield from self._stream()
            return
        yield from self._parts(parts(Path(self.source), part_rows(job), self.digest,
                                     delimiter=read_options.delimiter))

    def _stream(self) -> Iterator[PartResult]:
        """A pipe, a FIFO or process substitution: read once, from its first bytes on (opening a FIFO waits for
        its writer, as cat does); cut into parts when its first bytes say it can be, else read whole."""
        try:
            stream = open(self.source, "rb")
        except OSError as exc:
            raise InputError(f"{self.source}: cannot read ({exc.strerror or exc})") from None
        with stream:
            head = stream.read(1 << 16)
            if can_split_head(head, Path(self.source), self.job.read_options):
                yield from self._parts(stream_parts(stream, head, part_rows(self.job), self.digest,
                                                    delimiter=self.job.read_options.delimiter, source=str(self.source)))
                return
            self._begin(None, last=True)
            self.step("reading")
            mark = time.perf_counter()
            data = head + stream.read()
        self.digest = None
        contacts = read_source(data, self.job.read_options, str(self.source))
        self._read(contacts.records + contacts.blank_rows)
        yield self._clean(contacts, index=0, last=True, read_seconds=time.perf_counter() - mark)

    def _parts(self, pieces: Iterator) -> Iterator[PartResult]:
        read_options = self.job.read_options
        options = read_options
        last_row, ascii_so_far = 1, True  # the header's row
        blank_only: NoContactsError | None = None
        for index, part in enumerate(pieces):
            self._begin(len(part.data), last=part.last)
            self.step("reading")
            mark = time.perf_counter()
            if index == 0 and not part.last and part.data.count(b"\n") < SNIFF_LINES and not self.stream:
                # a first part shorter than the lines the reader sniffs (a small part size): the delimiter and
                # the titles are decided from the file's first lines, as one pass decides them
                options = self._decided_by_the_head(options)
            try:
                contacts = read_bytes(part.data, source=shown_name(self.source), options=options,
                                      line_offset=part.first_line - part.header_lines - 1, digest=False,
                                      at_end=part.last)
            except NoContactsError as empty:  # a part of blank lines (and a footer): they still count as rows
                self.summary += Summary(blank_rows=empty.blank_rows, footer=tuple(empty.footer))
                self._read(empty.blank_rows)
                last_row += empty.blank_rows
                blank_only = empty
                continue
            if options is read_options or (ascii_so_far and read_options.encoding is None):
                # later parts are read as the first was: same delimiter, same encoding; but while every part
                # so far is plain ASCII (which reads the same in any encoding), the next one's is detected
                # afresh, as one pass over the whole file would detect it
                ascii_so_far = ascii_so_far and part.data.isascii()
                detected = read_options.encoding or (None if ascii_so_far else contacts.encoding)
                # the titles above the header too: a later part's first records must not make them look otherwise
                options = ReadOptions(encoding=detected, delimiter=contacts.delimiter, titles=contacts.titles)
                self.encoding = contacts.encoding
            self._read(contacts.records + contacts.blank_rows)
            _shift(contacts, last_row - 1)
            last_row += contacts.records + contacts.blank_rows
            yield self._clean(contacts, index=index, last=part.last, read_seconds=time.perf_counter() - mark)
            del contacts, part  # held until the next part is read, they would double the memory a part needs
        if self._first is None:
            raise blank_only

    def kept_keys(self) -> SeenPhones:
        """The duplicate keys kept so far, the earlier files' given to the run among them (after iterating)."""
        return self._earlier

    def _begin(self, nbytes: int | None, last: bool) -> None:
        if self.tracker is not None:
            self.tracker.begin_part(nbytes, last)

    def _read(self, rows: int) -> None:
        if self.tracker is not None:
            self.tracker.read(rows)

    def _decided_by_the_head(self, options: ReadOptions) -> ReadOptions:
        """``options`` with the delimiter and title rows the reader finds in the file's first lines."""
        with open(self.source, "rb") as stream:
            head = stream.read(1 << 20)
        end = 0
        for _ in range(4 * SNIFF_LINES):  # room for the records of the first lines to be whole
            found = head.find(b"\n", end)
            if found == -1:
                break
            end = found + 1
        try:
            probe = read_bytes(head[:end] or head, source=shown_name(self.source), options=options, digest=False,
                               at_end=False)
        except InputError:  # the first part says so itself
            return options
        return replace(options, delimiter=probe.delimiter, titles=probe.titles)

    def _clean(self, contacts: Contacts, *, index: int, last: bool, read_seconds: float) -> PartResult:
        job = self.job
        earlier = self._earlier if len(self._earlier) else None
        result = clean_contacts(contacts, job.rules, strict=job.strict, step=self.step, timings={"read": read_seconds},
                                earlier=earlier, remember_keys=not last or self.carry, suppress=list(job.suppress),
                                calling=job.calling, add_columns=job.add_columns)
        first_issues = self.summary.errors + self.summary.warnings == 0
        self.summary += result.summary
        if result.kept_keys is not None:
            self._earlier.add(result.kept_keys)  # new keys: a key seen before made its row a duplicate, never kept
        declined = pl.col("detail").str.ends_with(PLUS_DECLINED).fill_null(False)
        # the first few of each kind, and the first number a '+' would make another country's (the summary's
        # example of them)
        examples = result.issues.filter(
            (pl.int_range(pl.len()).over("code", "severity") < EXAMPLES_PER_KIND)
            | (declined & (declined.cum_sum() == 1)))
        # copied out: a filter's strings still point into the whole part's buffers, which they would keep alive
        self.examples.append(pl.DataFrame(examples.rows(), schema=examples.schema, orient="row"))
        if self._first is None:
            # more parts to come: the first's frames go to the files, only its settings are kept (its frames held
            # to the end would be a part's worth of memory on top of every later part's)
            self._first_whole = last
            self._first = result if last else replace(
                result, cleaned=result.cleaned.clear(), rejected=result.rejected.clear(), issues=result.issues.clear(),
                contacts=replace(contacts, frame=contacts.frame.clear(), broken=contacts.broken.clear()),
                kept_keys=None, cleaned_rows=None)
        self.parts += 1
        return PartResult(index, result, first=self.parts == 1, last=last, first_issues=first_issues)

    def result(self, started: float) -> CleanResult:
        """The whole run's result: the only part's frames and issues, or (in parts) no frames (they are in the
        files) and the first few issues of each kind of every part; the counts of all of them."""
        first, total = self._first, self.summary
        if first is None:  # pragma: no cover - an input without contacts is refused while reading
            raise InputError(f"{self.name}: the file has no contacts")
        total = replace(total, timings={**total.timings, "total": time.perf_counter() - started})
        total.check_accounting()
        contacts = replace(first.contacts, blank_rows=total.blank_rows, line_endings=total.line_ending,
                           dropped_columns=list(total.dropped_columns), footer=list(total.footer),
                           encoding=self.encoding or first.contacts.encoding,
                           sha256=self.digest.hexdigest() if self.digest else first.contacts.sha256)
        calling = None
        if first.calling_hours is not None and self.job.calling is not None:
            calling = calling_summary(self.job.calling, dict(total.zones))
        whole = self.parts == 1 and self._first_whole
        return replace(
            first,
            issues=first.issues if whole else issues_from(self.examples),
            contacts=contacts,
            variable_stats=list(total.variables.values()),
            phone_stats={"by_region": by_count(total.regions), "by_line_type": by_count(total.line_types),
                         "plus_declined": total.plus_declined},
            timings=dict(total.timings),
            suppression={name: {**stats, "suppressed": total.suppressed.get(name, 0)}
                         for name, stats in first.suppression.items()},
            calling_hours=calling,
            kept_keys=None,
            summary=total,
        )


def run(job: Job, source: str | Path | bytes | pl.DataFrame, *, out_dir: str | Path | None = None,
        html_path: str | Path | None = None, name: str = "<stdin>", progress: Callable[[str], None] | None = None,
        on_issues: Callable[[pl.DataFrame], None] | None = None, issues_stream: BinaryIO | None = None,
        split: bool = True, on_progress: Callable[[Progress], None] | None = None
        ) -> tuple[CleanResult, dict[str, Path]]:
    """Run ``job`` over ``source`` (a path, the file's bytes named ``name``, or a frame): with ``out_dir``, clean
    it and write the outputs there (what ``csvprep clean`` does); without, check it and write nothing (``csvprep
    check``). Returns the run's result and the paths written. ``on_issues`` gets each part's issues as they are
    found, ``issues_stream`` every issue as report.json's issue objects; ``split=False`` reads a file in one part
    whatever its size; ``on_progress`` gets a :class:`~csvprep.app.progress.Progress` at each step, over the whole
    input (the caller draws it)."""
    started = time.perf_counter()
    the_run = Run(job, source, name=name, step=progress, split=split, on_progress=on_progress)
    step = the_run.step

    def hand_over(part: PartResult) -> None:
        if on_issues is not None:
            on_issues(part.result.issues)
        if issues_stream is not None:
            write_issue_objects(part.result.issues, issues_stream, first=part.first_issues)

    if out_dir is None:
        for part in the_run:
            hand_over(part)
            del part  # not held while the next part is cleaned
        result = the_run.result(started)
        if the_run.tracker is not None:
            the_run.tracker.finish()
        return result, {}
    written_from = None if not isinstance(source, (str, Path)) else source
    paths = prepare_out_dir(Path(out_dir), written_from, html_path)
    with OutputWriter(paths, job.provider) as writer:
        for part in the_run:
            hand_over(part)
            writer.add(part.result, index=part.index, first=part.first, last=part.last,
                       first_issues=part.first_issues)
            del part  # not held while the next part is cleaned
        result = the_run.result(started)
        step("writing")
        paths = writer.finish(result)
    if the_run.tracker is not None:
        the_run.tracker.finish()
    return result, paths


def job_of(rules: Rules | str | Path, *, region: str | None = None, strict: bool = False,
           read_options: ReadOptions | None = None, suppress=None, calling: CallingHours | None = None,
           add_columns: tuple[str, ...] = (), provider: Provider | str | None = None,
           part_rows: int | None = None) -> Job:
    """A :class:`Job` from pieces already resolved (the library's keyword arguments)."""
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    if region is not None:
        rules = rules.with_region(region)
    return Job(rules=rules, strict=strict, read_options=read_options or ReadOptions(), suppress=tuple(suppress or ()),
               calling=calling, add_columns=tuple(add_columns), part_rows=part_rows,
               provider=get_provider(provider) if isinstance(provider, str) else provider)


def clean(source: str | Path | bytes | pl.DataFrame, rules: Rules | str | Path, *, region: str | None = None,
          read_options: ReadOptions | None = None, strict: bool = False,
          progress: Callable[[str], None] | None = None, suppress: list[SuppressionList] | None = None,
          calling: CallingHours | None = None, add_columns: tuple[str, ...] = (), name: str = "<input>"
          ) -> CleanResult:
    """Clean a contact list in one part, keeping every frame: a file path, the file's bytes, or a Polars frame
    (every column read as text).

    ``rules`` is a :class:`Rules` or the path of a rules file; ``region`` overrides its default region;
    ``strict`` makes warnings about formula-like cells errors; ``progress`` is called with the name of each
    stage as it starts (reading, phones and variables, duplicates, splitting); ``suppress``: do-not-call lists
    (:func:`csvprep.load_suppression`) whose numbers are rejected; ``calling``: a calling window and launch time
    to check each contact's local time against; ``add_columns``: any of timezone, country, line_type, added to
    the cleaned contacts; ``name``: what messages call bytes given as ``source``. Raises
    :class:`~csvprep.errors.CsvprepError` subclasses when the job cannot run; row problems are in the result."""
    job = job_of(rules, region=region, strict=strict, read_options=read_options, suppress=suppress, calling=calling,
                 add_columns=add_columns)
    return run(job, source, name=name, progress=progress, split=False)[0]


def clean_file(path: str | Path | bytes, rules: Rules | str | Path, out_dir: str | Path, *, region: str | None = None,
               read_options: ReadOptions | None = None, strict: bool = False, html_path: str | Path | None = None,
               part_rows: int | None = None, progress: Callable[[str], None] | None = None,
               on_issues: Callable[[pl.DataFrame], None] | None = None, suppress: list | None = None,
               provider: Provider | str | None = None, calling: CallingHours | None = None,
               add_columns: tuple[str, ...] = (), name: str = "<stdin>",
               on_progress: Callable[[Progress], None] | None = None) -> tuple[CleanResult, dict[str, Path]]:
    """Clean a contact file of any size into ``out_dir`` in bounded memory; returns the run's result and the paths
    written. A file cut into parts (of ``part_rows`` records, default :data:`PART_ROWS`) leaves the result's
    ``cleaned`` and ``rejected`` frames empty: they are in the files. ``on_issues`` is given each part's issues as
    they are found, ``on_progress`` a :class:`~csvprep.app.progress.Progress` at each step (rows done of the whole
    file's, the part, the stage, the time left). ``path`` may be the file's bytes (standard input), named ``name``
    in messages."""
    job = job_of(rules, region=region, strict=strict, read_options=read_options, suppress=suppress, calling=calling,
                 add_columns=add_columns, provider=provider, part_rows=part_rows)
    return run(job, path, out_dir=out_dir, html_path=html_path, name=name, progress=progress, on_issues=on_issues,
               on_progress=on_progress)


def check_file(path: str | Path | bytes, rules: Rules | str | Path, *, region: str | None = None,
               read_options: ReadOptions | None = None, strict: bool = False, part_rows: int | None = None,
               on_issues: Callable[[pl.DataFrame], None] | None = None, issues_stream: BinaryIO | None = None,
               suppress: list | None = None, calling: CallingHours | None = None, add_columns: tuple[str, ...] = (),
               name: str = "<stdin>", on_progress: Callable[[Progress], None] | None = None) -> CleanResult:
    """Check a contact file of any size in bounded memory, writing no outputs: what ``csvprep check`` runs.
    ``on_issues`` is given the issues as they are found (a part's at a time, in row order); ``issues_stream``
    receives every issue as report.json's issue objects (:func:`csvprep.outputs.report.write_issue_objects`), for
    a caller that writes the report itself. ``path`` may be the file's bytes, as for :func:`clean_file`."""
    job = job_of(rules, region=region, strict=strict, read_options=read_options, suppress=suppress, calling=calling,
                 add_columns=add_columns, part_rows=part_rows)
    return run(job, path, on_issues=on_issues, issues_stream=issues_stream, name=name, on_progress=on_progress)[0]


def _shift(contacts: Contacts, row_offset: int) -> None:
    """Part-local row numbers to the whole file's (line numbers were read with the part's offset)."""
    if row_offset == 0:  # the first part
        return
    shift = [(pl.col("_row") + row_offset).alias("_row")]
    contacts.frame = contacts.frame.with_columns(shift)
    contacts.broken = contacts.broken.with_columns(shift)
