"""Files read whole, read only when they are regular files and only up to a size: a rules file, a prompt, a
campaign body or a do-not-call list named as /dev/zero or /dev/urandom would otherwise be read until memory runs
out. The contact file itself has no size cap (it is read in parts), but a character device is refused too."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import CsvprepError, InputError


def read_capped(path: Path, limit: int, what: str, error: type[CsvprepError] = InputError) -> bytes:
    """The bytes of the regular file at ``path`` (a ``what``: 'rules file', 'prompt'...), at most ``limit`` of
    them. Raises ``error`` for anything else that exists, OSError (IsADirectoryError for a directory) as opening
    the file would."""
    mode = os.stat(path).st_mode  # before opening: opening a FIFO would wait for a writer
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise error(f"{path}: is not a regular file ({_kind(mode)}); the {what} must be a file")
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise error(f"{path}: the {what} is over {_size(limit)}, more than any {what} needs")
    return data


def refuse_device(path: Path, what: str = "contact file") -> None:
    """Refuse a character or block device (/dev/zero, /dev/urandom: endless bytes) where a file is read; FIFOs
    and sockets are left to the caller, which may read a pipe."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # the read that follows reports it
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(f"{path}: is not a regular file ({_kind(mode)}); the {what} must be a file or -")


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit:,} bytes"
