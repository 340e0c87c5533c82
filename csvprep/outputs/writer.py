"""The one writer of a run's outputs. Each output file is one entry of :data:`OUTPUTS`: it is given the run's parts
in order as they are cleaned (a list of ten rows is one part, a list of ten million many) and finishes once the
whole run's result is known. Files are written in a scratch directory inside the output directory and renamed into
place once complete, so a file read in parts and a file read whole take the same road to the same bytes."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl

from ..errors import OutputError
from ..io.csv_out import (
    atomic_write,
    copy_file,
    current_umask,
    neutralise_formulas,
    sync_files,
    write_aligned,
    write_csv,
    write_rejected_csv,
)
from ..model.providers import Provider
from ..model.result import ResultView
from .html import report_html
from .publish import (
    MANIFEST,
    SCRATCH_PREFIX,
    one_run,
    previous_files,
    scratch_prefix,
    signals_deferred,
    withdraw_manifest,
    write_manifest,
)
from .report import REPORT_TAIL, csvprep_version, report_head, write_error_lines, write_issue_objects
from .row_runs import RowRuns
from .upload import finish_upload, header_map, rejected_renames, shape


@dataclass(frozen=True)
class Part:
    """One part of a run as the outputs see it: its result (its frames and issues), shaped for the provider."""

    result: ResultView  # the part's own result
    cleaned: pl.DataFrame  # shaped for the provider
    rejected: pl.DataFrame  # formulas neutralised, the reason column named for the provider
    index: int
    first: bool  # no part before it: the CSV headers are written with it
    last: bool  # no part after it
    first_issues: bool  # no part before it had issues: its first issue opens report.json's array


class Output(Protocol):
    """One output file: ``start`` opens what it writes in the scratch directory, ``add`` takes each part in order
    (on a worker thread), ``finish`` completes it with the whole run's result and returns the scratch file."""

    name: str

    def start(self, scratch: Path) -> None: ...

    def add(self, part: Part) -> None: ...

    def finish(self, result: ResultView) -> Path: ...


class CleanedCsv:
    """The cleaned contacts, written as they come; when the parts are files of their own (a run over several),
    whose columns may differ, each waits in an Arrow file until the columns of all are known."""

    name = "cleaned.csv"
    aligned = False  # set by the writer for a run over several files
    trailing: set[str] = set()  # columns csvprep adds (--add-columns): last, after the columns of every file

    def start(self, scratch: Path) -> None:
        self.scratch, self.path = scratch, scratch / self.name
        self.stream = open(self.path, "wb")
        self.spills: list[Path] = []

    def add(self, part: Part) -> None:
        if not self.aligned:
            write_csv(part.cleaned, self.stream, include_header=part.first)
        elif part.first or part.cleaned.height:
            spill = self.scratch / f"cleaned-{part.index}.arrow"
            part.cleaned.write_ipc(spill)
            self.spills.append(spill)

    def finish(self, result: ResultView) -> Path:
        if self.spills:
            write_aligned([pl.scan_ipc(spill) for spill in self.spills], self.stream, write_csv, self.trailing)
        self.stream.close()
        return self.path


class RejectedCsv:
    """The rejected records, written as they come while each part has the columns of the first. A part with other
    columns (``raw`` appears only where a record could not be split into fields; a run over several files has each
    file's) sends the rest to Arrow files, and what was written is read back into one: at the end the file gets the
    columns of all, aligned. Spilling every part took three times as much CPU as writing it (10M rows: 7.7 s)."""

    name = "rejected.csv"
    trailing: set[str] = set()  # several files: the file, row and reasons columns, after every file's columns

    def start(self, scratch: Path) -> None:
        self.scratch, self.path = scratch, scratch / self.name
        self.stream = open(self.path, "wb")
        self.header: pl.DataFrame | None = None  # the first part's columns: those of every row written so far,
        # and the header when nothing is rejected
        self.written = False  # the header and rows are in the file
        self.spills: list[Path] = []

    def add(self, part: Part) -> None:
        rejected = part.rejected
        if part.first:
            self.header = rejected.clear()
        if rejected.height == 0:
            return
        if not self.spills and rejected.columns == self.header.columns:
            write_rejected_csv(rejected, self.stream, include_header=not self.written)
            self.written = True
            return
        spill = self.scratch / f"rejected-{part.index}.arrow"
        rejected.write_ipc(spill)
        self.spills.append(spill)

    def finish(self, result: ResultView) -> Path:
        if not self.spills:  # every part had the first one's columns: the file is complete
            if not self.written:
                write_rejected_csv(self.header, self.stream)
            self.stream.close()
            return self.path
        self.stream.close()
        frames = [pl.scan_ipc(spill) for spill in self.spills]
        if self.written:  # the rows written before the columns changed, read back (their cells as written)
            before = self.scratch / "rejected-written.arrow"
            pl.scan_csv(self.path, has_header=True, new_columns=self.header.columns, infer_schema=False,
                        encoding="utf8").sink_ipc(before)
            frames.insert(0, pl.scan_ipc(before))
        with open(self.path, "wb") as stream:
            write_aligned(frames, stream, write_rejected_csv, self.trailing)
        return self.path


class ErrorsTxt:
    name = "errors.txt"

    def start(self, scratch: Path) -> None:
        self.path = scratch / self.name
        self.stream = open(self.path, "wb")

    def add(self, part: Part) -> None:
        write_error_lines(part.result, self.stream)

    def finish(self, result: ResultView) -> Path:
        self.stream.close()
        return self.path


class ReportJson:
    """report.json: the whole run's summary, then every issue. The issues of all parts but the last go to a spool
    as they are found (a big list's issues outweigh everything else kept); the summary is known only at the end."""

    name = "report.json"

    def start(self, scratch: Path) -> None:
        self.path, self.spool_path = scratch / self.name, scratch / "issues"
        self.spool = open(self.spool_path, "w+b")
        self.last: Part | None = None

    def add(self, part: Part) -> None:
        if part.last:
            self.last = part  # written straight after the head: most lists have one part
        else:
            write_issue_objects(part.result.issues, self.spool, first=part.first_issues)

    def finish(self, result: ResultView) -> Path:
        with open(self.path, "wb") as stream:
            stream.write(report_head(result))
            self.spool.flush()
            if self.spool.tell():
                stream.flush()
                copy_file(self.spool, stream)
            if self.last is not None:
                write_issue_objects(self.last.result.issues, stream, first=self.last.first_issues)
            stream.write(REPORT_TAIL)
        self.spool.close()
        self.spool_path.unlink()
        return self.path


class ReportHtml:
    name = "report.html"

    def start(self, scratch: Path) -> None:
        self.path = scratch / self.name

    def add(self, part: Part) -> None:
        pass

    paths: dict[str, Path] | None = None  # where the outputs go, and the provider: the page names them
    provider: Provider | None = None

    def finish(self, result: ResultView) -> Path:
        self.path.write_bytes(report_html(result, self.paths, self.provider).encode("utf-8"))
        return self.path


def outputs() -> tuple[Output, ...]:
    """A fresh set of the output files, in the order they are listed to people (an output is one entry here)."""
    return (CleanedCsv(), RejectedCsv(), ErrorsTxt(), ReportJson(), ReportHtml())


OUTPUT_FILES = tuple(output.name for output in outputs())


class OutputWriter:
    """Writes a run's outputs as its parts come (:meth:`add`), then puts them in place (:meth:`finish`)."""

    def __init__(self, paths: dict[str, Path], provider: Provider | None = None, *, several: bool = False) -> None:
        self.paths, self.provider = paths, provider
        self.outputs = outputs()
        self.cleaned_output = next(output for output in self.outputs if isinstance(output, CleanedCsv))
        self.rejected_output = next(output for output in self.outputs if isinstance(output, RejectedCsv))
        self.cleaned_output.aligned = several  # a run over several files: parts whose columns may differ
        self.cleaned_output.trailing, self.rejected_output.trailing = set(), set()
        self.header: list[str] | None = None
        self.row_runs = RowRuns()  # which input row each cleaned row came from

    def __enter__(self) -> OutputWriter:
        self.directory = self.paths["cleaned.csv"].parent
        self._held = self._scratch = self._pool = None
        try:
            with signals_deferred():  # an interrupt meanwhile would leave a scratch directory no __exit__ removes
                self._held = one_run(self.directory)
                self._held.__enter__()
                try:
                    self._scratch = tempfile.TemporaryDirectory(prefix=scratch_prefix(), dir=self.directory)
                except OSError as exc:
                    raise OutputError(f"cannot write to {self.directory}: {_reason(exc)}") from None
                self.scratch = Path(self._scratch.name)
                for output in self.outputs:
                    with _writing(output.name, self._scratch):
                        output.start(self.scratch)
                with _writing(MANIFEST, self._scratch):
                    self.row_runs = RowRuns(open(self.scratch / "row-runs", "w+b"))
                # a part's outputs are independent, and writing them is as much waiting on the disk as work
                self._pool = ThreadPoolExecutor(max_workers=4)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        for output in [*self.outputs, self.row_runs]:
            stream = getattr(output, "stream", None) or getattr(output, "spool", None)
            if stream is not None:
                stream.close()
        if self._scratch is not None:
            self._scratch.cleanup()
        if self._held is not None:
            self._held.__exit__(*exc_info)

    def add(self, result: ResultView, *, index: int, first: bool, last: bool, first_issues: bool,
            file: str | None = None) -> None:
        """One part of the run, in order (``file``: the input it came from, in a run over several files)."""
        header = list(result.cleaned.columns)
        if first:
            self.header = header
        renames = rejected_renames(self.provider, list(result.rejected.columns), header)
        part = Part(result, index=index, first=first, last=last, first_issues=first_issues,
                    cleaned=shape(result.cleaned, header_map(self.provider, result.columns, header)
                                  if self.provider else {}),
                    rejected=shape(neutralise_formulas(result.rejected), renames))
        self.row_runs.add(getattr(result, "cleaned_rows", None), file)
        for output, done in [(output, self._pool.submit(output.add, part)) for output in self.outputs]:
            with _writing(output.name, self._scratch):
                done.result()

    def finish(self, result: ResultView) -> dict[str, Path]:
        """Complete every output with the whole run's ``result`` and put it in place; with a provider, its extra
        files follow."""
        html = next(output for output in self.outputs if output.name == "report.html")
        html.paths, html.provider = self.paths, self.provider
        files = [output for output in self.outputs if output is not html]
        written = {}
        for output in files:
            with _writing(output.name, self._scratch):
                written[output.name] = output.finish(result)
        with ThreadPoolExecutor(max_workers=1) as worker:
            # the files reach the disk while the HTML report is rendered
            synced = worker.submit(sync_files, list(written.values()))
            with _writing(html.name, self._scratch):
                page = html.finish(result).read_bytes()
            with _writing("the outputs", self._scratch):
                synced.result()
        with signals_deferred():  # the files go in place together, an interrupt waits for it
            previous = previous_files(self.directory)
            withdraw_manifest(self.directory)
            for name, part in written.items():
                try:
                    os.chmod(part, 0o666 & ~current_umask())
                    part.replace(self.paths[name])
                except OSError as exc:
                    raise OutputError(f"{self.paths[name]}: cannot write ({exc.strerror or exc})") from None
            with _writing("report.html", None):
                atomic_write(self.paths["report.html"], page)  # --html may put it in another directory
            paths = dict(self.paths)
            if self.provider is not None:
                paths.update(finish_upload(self.provider, paths["cleaned.csv"], result.columns, self.header or []))
            for name in previous - {path.name for path in paths.values() if path.parent == self.directory}:
                (self.directory / name).unlink(missing_ok=True)  # an earlier run's, not this one's (its parts)
            with _writing(MANIFEST, None):
                write_manifest(self.directory, paths, source=result.contacts.source, sha256=result.contacts.sha256,
                               version=csvprep_version(), cleaned_rows=self.row_runs)
        return paths  # the outputs; the manifest beside them names them


@contextmanager
def _writing(name: str, scratch: tempfile.TemporaryDirectory | None) -> Iterator[None]:
    """An OSError while an output is written, as one line naming it: a full disk or a quota is the user's to fix,
    and the outputs of the previous run are still in place (the new ones are in the scratch directory, which the
    writer removes on its way out)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            kept = ": outputs of the previous run kept" if scratch is not None else ""
            raise OutputError(f"disk full while writing {name}{kept}") from None
        raise OutputError(f"cannot write {name}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def write_outputs(result: ResultView, out_dir: Path, *, input_path: str | Path | None = None,
                  html_path: str | Path | None = None, provider: Provider | None = None) -> dict[str, Path]:
    """Write a result's outputs into ``out_dir`` (created if missing): the one writer, with the result as the
    run's only part. ``html_path`` puts the HTML report elsewhere; ``provider`` shapes the files for that
    platform."""
    source = input_path
    if source is None and result.contacts.source not in ("<input>", "<frame>"):
        source = result.contacts.source
    paths = prepare_out_dir(out_dir, source, html_path)
    with OutputWriter(paths, provider) as writer:
        writer.add(result, index=0, first=True, last=True, first_issues=True)
        return writer.finish(result)


def prepare_out_dir(out_dir: Path, input_path: str | Path | None, html_path: str | Path | None = None
                    ) -> dict[str, Path]:
    """The output paths, their directories created; refuses to write over the input."""
    paths = {name: out_dir / name for name in OUTPUT_FILES}
    if html_path is not None:
        paths["report.html"] = Path(html_path)
        others = {path.resolve(): name for name, path in paths.items() if name != "report.html"}
        others[(out_dir / MANIFEST).resolve()] = MANIFEST
        taken = others.get(paths["report.html"].resolve())
        if taken is not None or paths["report.html"].name.startswith(SCRATCH_PREFIX):
            raise OutputError(f"{html_path}: refusing to write the HTML report over {taken or 'csvprep work files'}"
                              " (choose another --html)")
    source = Path(input_path) if input_path is not None else None
    if source is not None and source.exists():
        for path in paths.values():
            if path.resolve() == source.resolve():
                raise OutputError(f"{path}: refusing to write over the input file")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a directory")
    for directory in {out_dir, paths["report.html"].parent}:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{directory}: cannot create the output directory ({exc.strerror or exc})") from None
    return paths

