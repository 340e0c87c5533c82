"""Bytes out: CSV as the outputs write it (the upload file; the rejected records and the issues table for a
spreadsheet, every cell and header a spreadsheet could run as a formula prefixed and quoted), atomic replacement of a file, and copying and syncing the files a run writes."""

from __future__ import annotations

import codecs
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import polars as pl

from ..errors import OutputError
from ..model.text import GUARDED_CELL, formula_guarded, formula_guarded_expr


def csv_text(frame: pl.DataFrame) -> str:
    """RFC 4180 CSV: comma-separated, header row, quotes only where needed, LF line endings, no BOM."""
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    return buffer.getvalue().decode("utf-8")


def write_csv(frame: pl.DataFrame, stream: BinaryIO, include_header: bool = True) -> None:
    """Write ``frame`` as :func:`csv_text` does, straight into a binary stream."""
    # An empty cell and a missing one are the same thing in CSV: write both as nothing, not as ""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    frame = frame.with_columns(pl.col(text_columns).replace("", None))
    frame.write_csv(stream, quote_style="necessary", include_header=include_header)


def write_rejected_csv(frame: pl.DataFrame, stream: BinaryIO, include_header: bool = True) -> None:
    """rejected.csv is for people to open in a spreadsheet and fix, so it starts with a UTF-8 byte-order mark: Excel
    reads a CSV without one in the machine's code page, garbles every accented or non-Latin name, and saves the
    garbling back when the fixed file is saved. (cleaned.csv, for the platforms, has none.) Its cells come
    neutralised (:func:`neutralise_formulas`); see :func:`write_spreadsheet_csv` for the rest."""
    if include_header:
        stream.write(codecs.BOM_UTF8)
    write_spreadsheet_csv(frame, stream, include_header=include_header)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells that a spreadsheet would run as formulas, or split into one at a ``;`` or ``,``, prefixed with ``'``
    (OWASP's advice for CSV injection; :data:`csvprep.model.text.FORMULA_CELL`)."""
    return frame.with_columns(formula_guarded_expr(pl.col(name)).alias(name)
                              for name, dtype in frame.schema.items() if dtype == pl.String)


# what makes a CSV field need quotes (as Polars' quote_style="necessary" quotes them)
_NEEDS_QUOTES = r'[,"\r\n]'


def write_spreadsheet_csv(frame: pl.DataFrame, stream: BinaryIO, include_header: bool = True) -> None:
    """Write ``frame``, whose cells are neutralised already, as :func:`write_csv` does, for a spreadsheet: the
    header's names neutralised too, and every neutralised cell quoted, whether or not it holds a comma (OWASP:
    prefix and quote), so that a spreadsheet splitting on ``;`` keeps ``'x;=cmd…`` one cell of text."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if include_header:
        stream.write((",".join(_quoted(formula_guarded(name)) for name in frame.columns) + "\n").encode("utf-8"))
    if frame.height == 0:
        return
    frame = frame.with_columns(
        pl.when(pl.col(name).str.contains(_NEEDS_QUOTES) | pl.col(name).str.contains(GUARDED_CELL))
        .then(pl.concat_str(pl.lit('"'), pl.col(name).str.replace_all('"', '""', literal=True), pl.lit('"')))
        .otherwise(pl.col(name).replace("", None))  # an empty cell and a missing one: both written as nothing
        .alias(name)
        for name in text_columns)
    frame.write_csv(stream, quote_style="never", include_header=False)


def _quoted(field: str) -> str:
    if re.search(_NEEDS_QUOTES, field) or re.search(GUARDED_CELL, field):
        return '"' + field.replace('"', '""') + '"'
    return field


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Replace ``path`` with ``data`` (bytes, or a function that writes them to a stream) all at once: temp file
    beside it, fsync, rename."""
    directory = path.parent
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        os.chmod(temp_name, 0o666 & ~current_umask())  # mkstemp's 0600 would hide the outputs from the team
        with os.fdopen(handle, "wb") as stream:
            if callable(data):
                data(stream)
            else:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        _remove_quietly(temp_name)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        _remove_quietly(temp_name)
        raise
    try:
        directory_handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory_handle)
    except OSError:
        pass
    finally:
        os.close(directory_handle)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def copy_file(source: BinaryIO, target: BinaryIO) -> None:
    """All of ``source`` appended to ``target`` (flushed first), copied by the kernel where it can."""
    start = target.seek(0, os.SEEK_END)
    size = os.fstat(source.fileno()).st_size
    try:
        sent = 0
        while sent < size:
            done = os.sendfile(target.fileno(), source.fileno(), sent, size - sent)
            if done == 0:
                raise OSError("sendfile stopped early")
            sent += done
        target.seek(0, os.SEEK_END)
        return
    except (AttributeError, OSError):  # no sendfile to a file here (macOS): copy through Python
        target.truncate(start)
        target.seek(start)
    source.seek(0)
    shutil.copyfileobj(source, target, 1 << 20)



def sync_files(paths: list[Path]) -> None:
    for path in paths:
        try:
            with open(path, "rb+") as stream:
                os.fsync(stream.fileno())
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def write_aligned(frames: list[pl.LazyFrame], stream: BinaryIO, write, trailing: set[str] = frozenset()) -> None:
    """Parts whose columns may differ, written as one CSV with the columns of all (in the order first seen), a
    part's missing columns empty, the ``trailing`` ones last; aligned :data:`ALIGNED_ROWS` rows at a time, so that a
    big list's rows stay on disk. ``write(frame, stream, include_header=...)`` writes each piece."""
    columns = pl.concat(frames, how="diagonal_relaxed").collect_schema()
    columns = {**{n: t for n, t in columns.items() if n not in trailing},
               **{n: t for n, t in columns.items() if n in trailing}}
    header = True
    for frame in frames:
        height = frame.select(pl.len()).collect().item()
        for start in range(0, max(height, 1), ALIGNED_ROWS):
            piece = frame.slice(start, ALIGNED_ROWS).collect()
            piece = piece.select(pl.col(name) if name in piece.columns else pl.lit(None, dtype).alias(name)
                                 for name, dtype in columns.items())
            write(piece, stream, include_header=header)
            header = False


ALIGNED_ROWS = 500_000
