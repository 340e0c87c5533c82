"""Large files in bounded memory: the file is cut into parts of about ``part_rows`` records at record boundaries,
each part goes through the same pipeline, and the outputs are written as the parts come. Row and line numbers,
duplicates across parts and every count are exactly what one pass over the whole file gives; the tests hold the two
to the same output files.

Only what must outlive a part is kept: the issues (for errors.txt and the reports), the kept contacts' duplicate
keys, and the rejected records (spilled to Arrow IPC files on disk, since their columns depend on the part)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from .errors import InputError, OutputError
from .issues import issues_from
from .pipeline import clean_contacts
from .reading import NoContactsError, ReadOptions, read_bytes
from .result import CleanResult
from .rules import Rules, load_rules
from .variables import VariableStats
from .writing import OUTPUT_FILES, atomic_write, neutralise_formulas, prepare_out_dir, write_csv

PART_ROWS = 1_000_000
_BLOCK = 1 << 24  # read 16 MiB at a time while looking for a part's end


@dataclass
class _Part:
    data: bytes  # the header's bytes, then the part's records (the first part: the file's start)
    first_line: int  # the physical line (1-based) where the part's records start in the whole file
    header_lines: int  # physical lines the header takes


def clean_file(
    path: str | Path,
    rules: Rules | str | Path,
    out_dir: str | Path,
    *,
    region: str | None = None,
    read_options: ReadOptions | None = None,
    strict: bool = False,
    html_path: str | Path | None = None,
    part_rows: int = PART_ROWS,
    progress: Callable[[str], None] | None = None,
) -> tuple[CleanResult, dict[str, Path]]:
    """Clean a contact file of any size into ``out_dir`` in bounded memory; returns the run's result (its
    ``cleaned`` and ``rejected`` frames are left empty: they are in the files) and the paths written.

    A file that is not UTF-8 (or was given an encoding), a workbook, or one whose records cannot be cut apart
    (an unterminated quote) is read in one part, as :func:`csvprep.clean` reads it."""
    from .pipeline import clean

    started = time.perf_counter()
    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    if region is not None:
        rules = rules.with_region(region)
    step = progress or (lambda stage: None)
    path = Path(path)
    out = Path(out_dir)
    read_options = read_options or ReadOptions()
    if not _can_split(path, read_options):
        result = clean(path, rules, read_options=read_options, strict=strict, progress=progress)
        step("writing")
        return result, result.write(out, input_path=path, html_path=html_path)

    paths = prepare_out_dir(out, path, html_path)
    digest = hashlib.sha256()
    options = read_options
    first: CleanResult | None = None
    issues: list[pl.DataFrame] = []
    earlier = pl.DataFrame()
    last_row = 1  # the header's
    blank_only: NoContactsError | None = None
    totals = _Totals()
    with tempfile.TemporaryDirectory(prefix=".csvprep-", dir=out) as scratch:
        cleaned_part = Path(scratch) / "cleaned.csv"
        rejected_parts: list[Path] = []
        with open(cleaned_part, "wb") as cleaned_stream:
            for index, part in enumerate(_parts(path, part_rows, digest)):
                step("reading")
                mark = time.perf_counter()
                try:
                    contacts = read_bytes(part.data, source=str(path), options=options,
                                          line_offset=part.first_line - part.header_lines - 1)
                except NoContactsError as empty:  # a part of blank lines: they still count as rows
                    totals.blank += empty.blank_rows
                    last_row += empty.blank_rows
                    blank_only = empty
                    continue
                if options is read_options:
                    # later parts are read as the first was: same delimiter, same encoding
                    options = ReadOptions(encoding=read_options.encoding or contacts.encoding,
                                          delimiter=contacts.delimiter)
                _shift(contacts, last_row - 1)
                totals.timings["read"] = totals.timings.get("read", 0.0) + time.perf_counter() - mark
                result = clean_contacts(contacts, rules, strict=strict, step=step, timings={}, earlier=earlier)
                first = first or result
                if result.kept_keys is not None and result.kept_keys.width:
                    keys = [name for name in result.kept_keys.columns if name != "_row"]
                    earlier = result.kept_keys if earlier.width == 0 else pl.concat(
                        [earlier, result.kept_keys]).unique(subset=keys, keep="first", maintain_order=True)
                write_csv(result.cleaned, cleaned_stream, include_header=result is first)
                if result.rejected.height:
                    spill = Path(scratch) / f"rejected-{index}.arrow"
                    neutralise_formulas(result.rejected).write_ipc(spill)
                    rejected_parts.append(spill)
                issues.append(result.issues)
                totals.add(result)
                last_row += contacts.records + contacts.blank_rows
            cleaned_stream.flush()
            os.fsync(cleaned_stream.fileno())
        if first is None:
            raise blank_only
        merged = _merged(first, issues, totals, digest.hexdigest(), started)
        step("writing")
        _finish_outputs(merged, paths, cleaned_part, rejected_parts)
    return merged, paths


def _can_split(path: Path, options: ReadOptions) -> bool:
    """Whether newlines split the file's bytes into records: a text file in an 8-bit-clean encoding whose first
    line is its header."""
    if options.encoding is not None and options.encoding.lower().replace("_", "-") not in ("utf-8", "utf8",
                                                                                              "cp1252"):
        return False
    try:
        with open(path, "rb") as stream:
            head = stream.read(1 << 16)
    except OSError:
        return False  # clean() reports it
    if head.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or b"\x00" in head:
        return False
    first_line = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return bool(first_line.strip(b" \t\r,;|"))


def _parts(path: Path, part_rows: int, digest) -> Iterator[_Part]:
    """The file in parts: the header's bytes, then about ``part_rows`` lines of records, cut after a newline
    outside any quoted field. ``digest`` sees every byte of the file."""
    try:
        stream = open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with stream:
        pending, eof, header, line = b"", False, None, 1
        while True:
            while not eof and (header is None or pending.count(b"\n") <= part_rows):
                block = stream.read(_BLOCK)
                if not block:
                    eof = True
                    break
                digest.update(block)
                pending += block
                if header is None and (b"\n" in pending or eof):
                    end = _header_end(pending)
                    if end < len(pending) or pending.endswith(b"\n"):
                        header, pending = pending[:end], pending[end:]
                        line = 1 + header.count(b"\n")
            if header is None:  # the header never ends: one part, as the careful reader would see it
                header, pending = pending, b""
            if not pending and line > 1 + header.count(b"\n"):
                return
            cut = len(pending) if eof else _cut(pending, part_rows)
            if cut is None:  # a quoted field runs on past the part: read on before cutting
                block = stream.read(_BLOCK)
                if block:
                    digest.update(block)
                    pending += block
                else:
                    eof = True
                continue
            piece, pending = pending[:cut], pending[cut:]
            yield _Part(header + piece, first_line=line, header_lines=header.count(b"\n"))
            line += piece.count(b"\n") + (0 if piece.endswith(b"\n") or not piece else 1)
            if not pending and eof:
                return


def _cut(data: bytes, lines: int) -> int | None:
    """The end of a line near the ``lines``-th after which no quote is open; None when there is none near."""
    end = -1
    for _ in range(lines):
        end = data.find(b"\n", end + 1)
        if end == -1:
            return None
    position = end + 1
    quotes = data.count(b'"', 0, position)
    for _ in range(10_000):
        if quotes % 2 == 0:
            return position
        previous = data.rfind(b"\n", 0, position - 1) + 1
        if previous <= 0:
            return None
        quotes -= data.count(b'"', previous, position)
        position = previous
    return None


def _header_end(data: bytes) -> int:
    """Where the header record ends (after its newline), quotes respected."""
    position = 0
    quotes = 0
    while True:
        end = data.find(b"\n", position)
        if end == -1:
            return len(data)
        quotes += data.count(b'"', position, end + 1)
        if quotes % 2 == 0:
            return end + 1
        position = end + 1


def _shift(contacts, row_offset: int) -> None:
    """Part-local row numbers to the whole file's (line numbers were read with the part's offset)."""
    shift = [(pl.col("_row") + row_offset).alias("_row")]
    contacts.frame = contacts.frame.with_columns(shift)
    contacts.broken = contacts.broken.with_columns(shift)


@dataclass
class _Totals:
    rows_in: int = 0
    clean: int = 0
    rejected: int = 0
    blank: int = 0
    timings: dict[str, float] = None  # type: ignore[assignment]
    variables: dict[str, VariableStats] = None  # type: ignore[assignment]
    regions: dict[str, int] = None  # type: ignore[assignment]
    line_types: dict[str, int] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.timings, self.variables, self.regions, self.line_types = {}, {}, {}, {}
        self.line_endings: set[str] = set()

    def line_ending(self) -> str:
        kinds = self.line_endings - {"none"}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "none")

    def add(self, result: CleanResult) -> None:
        self.line_endings.add(result.contacts.line_endings)
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
        for name, target in (("by_region", self.regions), ("by_line_type", self.line_types)):
            for key, count in result.phone_stats.get(name, {}).items():
                target[key] = target.get(key, 0) + count


class _MergedResult(CleanResult):
    """The whole run's result: counts from the parts, every issue, no cleaned or rejected frames."""

    totals: _Totals

    def counts(self) -> dict[str, object]:
        counts = super().counts()
        counts.update(rows_in=self.totals.rows_in, rows_clean=self.totals.clean,
                      rows_rejected=self.totals.rejected, blank_rows=self.totals.blank)
        return counts

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
    contacts = replace(first.contacts, sha256=sha256, blank_rows=totals.blank, line_endings=totals.line_ending())
    totals.timings["total"] = time.perf_counter() - started
    merged = _MergedResult(
        cleaned=first.cleaned.clear(),
        rejected=first.rejected.clear(),
        issues=issues_from(issues).sort("row", maintain_order=True),
        rules=first.rules,
        contacts=contacts,
        columns=first.columns,
        variable_stats=list(totals.variables.values()),
        phone_stats={
            "by_region": dict(sorted(totals.regions.items(), key=lambda kv: -kv[1])),
            "by_line_type": dict(sorted(totals.line_types.items(), key=lambda kv: -kv[1])),
        },
        timings=totals.timings,
        strict=first.strict,
    )
    merged.totals = totals
    merged.check_accounting()
    return merged


def _finish_outputs(result: _MergedResult, paths: dict[str, Path], cleaned_part: Path,
                    rejected_parts: list[Path]) -> None:
    from .html_report import report_html
    from .report import write_error_lines, write_report_json

    try:
        cleaned_part.replace(paths["cleaned.csv"])
    except OSError as exc:
        raise OutputError(f"{paths['cleaned.csv']}: cannot write ({exc.strerror or exc})") from None

    def rejected(stream) -> None:
        if rejected_parts:
            # parts differ in columns only by 'raw' (records that could not be split): align them
            frames = [pl.scan_ipc(part) for part in rejected_parts]
            write_csv(pl.concat(frames, how="diagonal_relaxed").collect(engine="streaming"), stream)
        else:
            write_csv(result.rejected, stream)

    atomic_write(paths["rejected.csv"], rejected)
    atomic_write(paths["errors.txt"], lambda stream: write_error_lines(result, stream))
    atomic_write(paths["report.json"], lambda stream: write_report_json(result, stream))
    atomic_write(paths["report.html"], lambda stream: stream.write(report_html(result).encode("utf-8")))
    assert set(paths) == set(OUTPUT_FILES)
