"""How far a run is, as events for whoever shows it (the command's progress bar): one measure over the whole
input, also when it is read in parts, that never goes back. The library only counts; drawing is the caller's.

A file on disk has its lines counted first (a pass over bytes, a fraction of the run's time), so the rows to come
are known from the start; a stream's are not, and its progress is in bytes read. Within a part, each stage moves
the measure by its share of the part's rows, so that the measure grows smoothly and only forwards."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# how much of a part's work is done when each stage starts (the rest: writing the part)
_STAGE_SHARE = {"reading": 0.0, "phones and variables": 0.15, "duplicates": 0.7, "splitting": 0.8}
_BLOCK = 1 << 24


@dataclass(frozen=True)
class Progress:
    """One moment of a run. ``done`` of ``total`` is the measure to draw (rows, or bytes when ``unit`` is
    ``"bytes"``; ``total`` None while unknown); ``rows`` counts the rows read so far (records and blank rows),
    ``part`` is 1-based, ``parts`` the parts expected (None: unknown, a stream)."""

    stage: str
    part: int
    parts: int | None
    rows: int
    rows_total: int | None
    bytes: int
    bytes_total: int | None
    done: float
    total: float | None
    unit: str
    elapsed: float

    @property
    def remaining(self) -> float | None:
        """Seconds left, from the pace so far (None until there is a pace to go by)."""
        if not self.total or self.done <= 0 or self.elapsed <= 0:
            return None
        return max(0.0, self.elapsed * (self.total - self.done) / self.done)


def count_rows(path: Path) -> int | None:
    """The rows a text file holds below its header line, from its line breaks (a quoted field's line break counts
    too: the total is then a little high, and the measure catches up at the end); None when it cannot be read."""
    feeds = returns = 0
    last = b"\n"
    try:
        with open(path, "rb") as stream:
            while block := stream.read(_BLOCK):
                feeds += block.count(b"\n")
                returns += block.count(b"\r")
                last = block[-1:]
    except OSError:
        return None
    # LF and CRLF files: one line feed a line; a file of CR line endings (old Mac exports) has none
    return max(0, max(feeds, returns) - 1 + (last not in (b"\n", b"\r")))


class Tracker:
    """Turns the run's steps (a part begins, it was read, a stage starts, the run ends) into :class:`Progress`
    events for ``report``. ``path``: the file to count rows in (None for a stream or an input read whole);
    ``size``: its bytes (None when unknown); ``part_rows``: records per part, for the parts to expect."""

    def __init__(self, report: Callable[[Progress], None], *, path: Path | None, size: int | None,
                 part_rows: int) -> None:
        self.report, self.size, self.part_rows = report, size, part_rows
        self.started = time.perf_counter()
        self.rows_total = count_rows(path) if path is not None else None
        self.unit = "rows" if self.rows_total is not None else ("bytes" if size else "rows")
        self.part, self.last = 0, False
        self.rows_before = self.rows = 0  # rows of the parts before this one; rows read, this part's included
        self.bytes_before = self.bytes = 0
        self.part_rows_read: int | None = None
        self.part_bytes = 0
        self.done = 0.0
        self.stage_name = "starting"

    def expected_parts(self) -> int | None:
        if self.last:
            return self.part
        if self.rows_total is None:
            return None
        limit = self.part_rows + self.part_rows // 4  # a short tail joins the part before it (csvprep.io.cut)
        if self.rows_total <= limit:
            expected = 1
        else:
            expected = math.ceil(self.rows_total / self.part_rows)
            if self.rows_total - (expected - 1) * self.part_rows < self.part_rows // 4:
                expected -= 1
        return max(expected, self.part + (not self.last))

    def begin_part(self, nbytes: int | None, last: bool) -> None:
        """A part is about to be read: ``nbytes`` of the input (None when unknown)."""
        if self.part:  # the one before is done: all of its rows and bytes
            self.rows_before, self.bytes_before = self.rows, self.bytes
        self.part += 1
        self.last = last
        self.part_rows_read, self.part_bytes = None, nbytes or 0
        self.bytes = self.bytes_before + self.part_bytes
        if self.size is not None:
            self.bytes = min(self.bytes, self.size)

    def read(self, rows: int) -> None:
        """The part was read: ``rows`` records and blank rows."""
        self.part_rows_read = rows
        self.rows = self.rows_before + rows
        if self.rows_total is not None and self.last:
            self.rows_total = max(self.rows, 0)
        elif self.rows_total is not None:
            self.rows_total = max(self.rows_total, self.rows)
        self.stage(self.stage_name)

    def stage(self, name: str) -> None:
        """A stage starts (of the part being cleaned, or ``writing`` at the end)."""
        self.stage_name = name
        share = 0.95 if name == "writing" else _STAGE_SHARE.get(name, 0.0)
        if self.unit == "bytes":
            done = self.bytes_before + self.part_bytes * share
        else:
            done = self.rows_before + (self.part_rows_read or 0) * share
        self.done = max(self.done, done)
        self._emit()

    def finish(self) -> None:
        """The run is over: all of it done."""
        self.rows_total = self.rows if self.unit == "rows" else self.rows_total
        self.last = True
        self.done = max(self.done, float(self._total() or self.done))
        self.stage_name = "done"
        self._emit()

    def _total(self) -> float | None:
        if self.unit == "bytes":
            return float(self.size) if self.size else None
        if self.rows_total is not None:
            return float(self.rows_total)
        return float(self.rows) if self.part_rows_read is not None and self.last else None

    def _emit(self) -> None:
        total = self._total()
        self.report(Progress(
            stage=self.stage_name, part=max(self.part, 1), parts=self.expected_parts(), rows=self.rows,
            rows_total=self.rows_total, bytes=self.bytes, bytes_total=self.size,
            done=min(self.done, total) if total is not None else self.done, total=total, unit=self.unit,
            elapsed=time.perf_counter() - self.started))


def tracker_for(report: Callable[[Progress], None], source, split: bool, stream: bool, rows: int) -> Tracker:
    """The run's progress: a file on disk read in parts has its rows counted first; a stream goes by bytes."""
    path = Path(source) if split and not stream else None
    size = None
    if path is not None:
        try:
            size = path.stat().st_size
        except OSError:  # the reader says why
            path = None
    elif isinstance(source, bytes):
        size = len(source)
    return Tracker(report, path=path, size=size, part_rows=rows)


def steps(step: Callable[[str], None] | None, tracker: Tracker | None) -> Callable[[str], None]:
    """The stage callback: the caller's, and the tracker's."""
    if tracker is None:
        return step or (lambda stage: None)

    def both(stage: str) -> None:
        if step is not None:
            step(stage)
        tracker.stage(stage)

    return both
