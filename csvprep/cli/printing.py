"""What the commands print: issues as they come (text, GitHub annotations or CSV, up to --max-errors), the summary
table, the progress bar, report.json on stdout, a provider's notes on the files written, and the job's notes and
campaign problems. Whatever the data puts in a line (cells, names, file names) is printed through :func:`say`, which
shows control characters as escapes (:func:`csvprep.model.text.printable`); the rich table takes data only as
``Text``, never as markup.

The outputs layer and rich are imported inside the functions that use them: ``csvprep --help`` and ``--version``
need neither, and rich is only for a person at a terminal (``csvprep check`` in a pre-commit hook never loads it;
tests/test_cli.py holds it so)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import typer

from ..job.campaign_body import CampaignProblem
from ..model.providers import Provider
from ..model.text import printable
from .options import Format

if TYPE_CHECKING:
    import polars as pl

    from ..app.result import CleanResult


def say(message: object, err: bool = False) -> None:
    """One line for a person or a log, every control character in it escaped: a file name or a cell holding ESC or
    a line break can neither drive the terminal nor forge a line of its own."""
    typer.echo(printable(str(message)), err=err)


def warn(message: str) -> None:
    """A warning on stderr: ``csvprep: warning: ...`` (a prompt's note, say)."""
    say(f"csvprep: warning: {message}", err=True)


def campaign_printer(source: Path | str, quiet: bool) -> Callable[[CampaignProblem], None]:
    """Prints a campaign body's problems on stderr as ``FILE: field: message``; only its errors when ``quiet``."""

    def show(problem: CampaignProblem) -> None:
        if problem.severity == "error" or not quiet:
            say(f"{source}: {problem}", err=True)

    return show


def print_reports(reports: list[tuple[bytes, BinaryIO]]) -> None:
    """report.json for each checked file (its head, then its spooled issues) on stdout: the one report alone,
    several as ``{"files": [...]}``."""
    from ..outputs.report import REPORT_TAIL

    several = len(reports) > 1
    sys.stdout.flush()
    sys.stdout.buffer.write(b'{"files": [' if several else b"")
    for index, (head, spool) in enumerate(reports):
        with spool:
            sys.stdout.buffer.write((b"," if index else b"") + head)
            spool.seek(0)
            to_stdout(spool)
            sys.stdout.buffer.write(REPORT_TAIL)
    sys.stdout.buffer.write(b"]}\n" if several else b"")
    sys.stdout.buffer.flush()


def to_stdout(stream: BinaryIO) -> None:
    """Copy ``stream`` to stdout as bytes, in 1 MiB blocks (a report of a big list does not fit in memory)."""
    import shutil

    sys.stdout.flush()
    shutil.copyfileobj(stream, sys.stdout.buffer, 1 << 20)
    sys.stdout.buffer.flush()


def provider_notes(provider: Provider, result: CleanResult, paths: dict[str, Path]) -> None:
    """What the upload to ``provider`` needs to know of the files written: parts over its limits, reserved column
    names, its own limits per cell or column, and its note."""
    from ..outputs.upload import reserved_clashes, upload_problems

    parts = [name for name in paths if name.startswith("cleaned-")]
    if parts:
        limits = " / ".join(x for x in (f"{provider.max_rows:,} rows" if provider.max_rows else "",
                                        f"{provider.max_bytes / 1e6:g} MB" if provider.max_bytes else "") if x)
        say(f"csvprep: cleaned.csv is over {provider.name}'s limit per file ({limits}): upload the "
                   f"{len(parts)} parts {parts[0]} … {parts[-1]}", err=True)
    for name in reserved_clashes(provider, result.columns, list(result.cleaned.columns)):
        say(f"csvprep: warning: column '{name}' has a name {provider.name} reserves for itself: it will be "
                   "read as that setting, not as a variable", err=True)
    for problem in upload_problems(provider, paths["cleaned.csv"]):
        say(f"csvprep: warning: {paths['cleaned.csv']}: {problem}", err=True)
    if provider.note:
        say(f"csvprep: {provider.name}: {provider.note}", err=True)


class IssuePrinter:
    """Prints issues as they come, in ``fmt``, at most ``limit`` in all (across files and parts)."""

    def __init__(self, fmt: Format, limit: int | None, errors_only: bool = False) -> None:
        self.fmt, self.limit, self.errors_only = fmt, limit, errors_only
        self.printed = 0
        self.header_done = False
        self.per_file: dict[str, list[int]] = {}  # path -> [printed, found], over the file's parts

    def __call__(self, issues: pl.DataFrame, path: str) -> None:
        """Print what room is left of ``issues`` (some, or all, of the file ``path``'s)."""
        from ..outputs.report import check_lines, github_lines, issues_csv

        if self.errors_only:
            issues = issues.filter(issues["severity"] == "error")
        room = None if self.limit is None else max(0, self.limit - self.printed)
        if self.fmt is Format.csv:
            shown = issues if room is None else issues.head(room)
            if shown.height or not self.header_done:
                typer.echo(issues_csv(shown, path, header=not self.header_done), nl=False)
                self.header_done = True
            count = shown.height
        else:
            lines = github_lines(issues, path) if self.fmt is Format.github else check_lines(issues, path)
            shown = lines if room is None else lines[:room]
            if shown:
                typer.echo("\n".join(shown))  # one write: a big list has millions of lines
            count = len(lines) if room is None else min(room, len(lines))
        self.printed += count
        tally = self.per_file.setdefault(path, [0, 0])
        tally[0] += count
        tally[1] += issues.height

    def left_out(self, path: str) -> None:
        """Say so when some of ``path``'s issues were not printed; its count starts again (a path may come twice)."""
        printed, total = self.per_file.pop(path, (0, 0))
        if printed < total:
            say(f"csvprep: {path}: printed {printed} of {total} problems (--max-errors {self.limit}); "
                       "all of them are in the report", err=True)


def print_summary(result: CleanResult) -> None:
    """The summary: a coloured table at a colour terminal, plain text else (a pipe, a log, ``NO_COLOR``). Both
    are drawn from the same pieces (:mod:`csvprep.outputs.report`), so the coloured one says all the plain one does:
    every note, every kind of problem (all of them, not only the first few), with thousands separators."""
    from ..outputs.report import summary_text

    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        typer.echo(summary_text(result))  # printable, line by line
        return
    from rich.console import Console

    console = Console(highlight=False)
    for shown in summary_renderables(result, console.width):
        console.print(shown)


def summary_renderables(result: CleanResult, width: int = 120) -> list:
    """What the coloured summary prints, in order: the counts, the notes, a legend and the kinds of problem; an
    example longer than the terminal's ``width`` leaves room for is cut, with an ellipsis."""
    from rich.table import Table
    from rich.text import Text

    from ..model.issues import code_title
    from ..outputs.report import shorten, summary_kinds, summary_notes

    def data(text: str, style: str = "") -> Text:  # a file name or a message: escapes shown, never read as markup
        return Text(printable(text), style=style)

    counts = result.counts()
    # the file's name on a line of its own: as a table's title it would be wrapped to the table's width
    table = Table(show_edge=False, pad_edge=False)
    columns = [("rows in", "bold", counts["rows_in"]), ("clean", "bold green", counts["rows_clean"]),
               ("rejected", "bold red", counts["rows_rejected"]), ("warnings", "bold yellow", counts["warnings"])]
    if counts["blank_rows"]:
        columns.append(("blank rows skipped", "", counts["blank_rows"]))
    for name, style, _ in columns:
        table.add_column(name, justify="right", style=style)
    table.add_row(*(f"{value:,}" for _, _, value in columns))
    shown: list = [data(result.contacts.source, "bold"), table]
    shown += [data(note) for note in summary_notes(result, number=lambda n: f"{n:,}")]
    kinds = summary_kinds(result)
    if not kinds:
        return shown
    shown.append(Text.assemble(("error", "bold red"), ": the row is rejected (in rejected.csv and errors.txt)  ·  ",
                               ("warning", "bold yellow"), ": the row is kept, have a look"))
    table = Table(show_edge=False, pad_edge=False, box=None)
    widest = max(len(code) for _, _, rows in kinds for code, _, _ in rows)
    titles = max(len(code_title(code)) for _, _, rows in kinds for code, _, _ in rows)
    room = max(24, width - titles - widest - 6 - 2 * 3)  # the columns before it, and their padding
    table.add_column("problem", no_wrap=True, overflow="ellipsis")
    table.add_column("code", style="dim", no_wrap=True, min_width=widest)
    table.add_column("issues", justify="right", no_wrap=True, min_width=6)
    table.add_column("first of them", overflow="ellipsis", no_wrap=True)
    for severity, _, rows in kinds:
        style = "red" if severity == "error" else "yellow"
        for index, (code, count, example) in enumerate(rows):
            table.add_row(data(code_title(code), style), data(code), f"{count:,}", data(shorten(example, min(room, 90))),
                          end_section=index == len(rows) - 1)
    shown.append(table)
    return shown


class progress:
    """A progress bar on stderr over the whole run, for a person at a terminal; a no-op otherwise. Entered, it
    gives the callback for the run's :class:`~csvprep.app.progress.Progress` events: the bar shows the stage, the
    part ``k/n``, the rows done of the total (or the bytes read when the total is unknown), the time elapsed and
    the time left; it never moves back, and it is gone when the run ends."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.shown = 0.0  # the fraction drawn so far: the bar never goes back

    def __enter__(self) -> Callable[[object], None]:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description:<20}"), BarColumn(), TextColumn("{task.fields[what]}"),
                                TimeElapsedColumn(), TextColumn("{task.fields[left]}"),
                                transient=True, console=Console(stderr=True), redirect_stdout=False,
                                redirect_stderr=False)
            self.bar.start()
            self.task = self.bar.add_task("starting", total=None, what="", left="")
        return self.step

    def step(self, event) -> None:
        """Draw one :class:`~csvprep.app.progress.Progress`."""
        if self.bar is None:
            return
        fraction = None if not event.total else min(1.0, event.done / event.total)
        if fraction is not None:
            self.shown = max(self.shown, fraction)
        self.bar.update(self.task, description=event.stage, total=1000 if fraction is not None else None,
                        completed=round(self.shown * 1000), what=progress_text(event),
                        left=_left(event.remaining))

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def progress_text(event) -> str:
    """``1,200 of 4,000 rows · part 2/4``; the bytes read, in MB, when the rows to come are not known."""
    if event.unit == "bytes":
        done = f"{event.bytes / 1e6:,.1f} MB" + (f" of {event.bytes_total / 1e6:,.1f} MB" if event.bytes_total else "")
    elif event.rows_total is not None:
        done = f"{event.rows:,} of {event.rows_total:,} rows"
    else:  # a stream: neither its rows nor its bytes are known ahead
        done = f"{event.rows:,} rows" + (f" · {event.bytes / 1e6:,.1f} MB read" if event.bytes else "")
    return done + f" · part {event.part}" + (f"/{event.parts}" if event.parts else "")


def _left(seconds: float | None) -> str:
    if seconds is None:
        return "left -:--:--"
    whole = int(seconds + 0.5)
    return f"left {whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
