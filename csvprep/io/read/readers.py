"""The readers of contact files, chosen by content: a workbook, else delimited text (first match wins), and
reading whatever a caller hands over: a path, bytes or a Polars frame.

A new format is one module (a function that tells its files by their first bytes and path, one that reads them)
and one entry in :data:`READERS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ...errors import InputError
from ...model.contacts import Contacts, ReadOptions, check_not_internal
from ...model.text import shown_name
from ..files import refuse_device
from .delimited import read_bytes
from .xlsx import is_workbook, read_xlsx


@dataclass(frozen=True)
class Reader:
    """A file format: whether a file is in it (from its first bytes, and its path when it has one), how to read its
    bytes (with the name to report them by, and the options), and whether they may be cut at record boundaries and
    read in parts."""

    name: str
    matches: Callable[[bytes, Path | None], bool]
    read: Callable[[bytes, str, ReadOptions], Contacts]
    splittable: bool


def _any_file(head: bytes, path: Path | None) -> bool:
    return True


XLSX = Reader("xlsx", matches=is_workbook, read=read_xlsx, splittable=False)
# last: it takes every file, and refuses what is not a table with the reason (refuse.py)
CSV = Reader("csv", matches=_any_file, read=read_bytes, splittable=True)
READERS: tuple[Reader, ...] = (XLSX, CSV)


def reader_for(head: bytes, path: Path | None) -> Reader:
    """The first of :data:`READERS` that takes a file starting with ``head`` (its first bytes: all of them will do),
    found at ``path`` (None for bytes without a name, such as standard input)."""
    return next(reader for reader in READERS if reader.matches(head, path))


def read_contacts(path: str | Path, options: ReadOptions | None = None) -> Contacts:
    """Read a contact file from disk. Raises :class:`InputError` when it cannot be read as a contact list."""
    options = options or ReadOptions()
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a contact file")
    refuse_device(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return reader_for(data, path).read(data, shown_name(path), options)


def read_source(source: str | Path | bytes | pl.DataFrame, options: ReadOptions | None, name: str) -> Contacts:
    """Contacts from a file's path, its bytes (reported as ``name``) or a Polars frame (every column read as text,
    one contact a row)."""
    if isinstance(source, pl.DataFrame):
        return _contacts_from_frame(source)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        return reader_for(data, None).read(data, name, options or ReadOptions())
    return read_contacts(source, options)


def _contacts_from_frame(frame: pl.DataFrame) -> Contacts:
    header = [str(name).strip() for name in frame.columns]
    if len(set(header)) != len(header):
        raise InputError("<frame>: duplicate column names")
    check_not_internal(header, "<frame>")
    if frame.height == 0:
        raise InputError("<frame>: the frame has no contacts")
    text = frame.select(pl.all().cast(pl.String)).rename(dict(zip(frame.columns, header)))
    rows = pl.int_range(2, frame.height + 2, eager=True, dtype=pl.Int64)
    text = text.with_columns(rows.alias("_row"), rows.alias("_line"))
    broken = pl.DataFrame(schema={"_row": pl.Int64, "_line": pl.Int64, "_raw": pl.String, "code": pl.String,
                                  "message": pl.String})
    return Contacts(frame=text, header=header, broken=broken, blank_rows=0, source="<frame>", encoding="n/a",
                    delimiter="n/a", line_endings="n/a")
