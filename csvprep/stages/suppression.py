"""Do-not-call lists: numbers that must never be dialled, read in any format (a CSV with a phone column, a Sarvam
stop file, or a plain list of numbers, one per line) and normalised with the same phone pipeline and default region
as the contacts, so that ``(415) 555-0100`` on the list stops ``+14155550100`` in the file. Matching is a hash
lookup on E.164 numbers: a list of millions costs about a join."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.files import read_capped
from ..io.read.readers import reader_for
from ..model.contacts import ReadOptions
from ..model.headers import looks_like_phone_header
from ..model.issues import empty_issues, issue_frame, issues_from
from ..model.limits import MAX_SUPPRESS_FILE_BYTES
from ..model.rules import PhoneRule
from .phones.check import check_phones

_NUMBER_LINE = re.compile(r"^\s*[+(]?[0-9０-９][0-9０-９ ().\-/]*\s*$")


@dataclass(frozen=True)
class SuppressionList:
    """One do-not-call list: its ``name`` (the file), the distinct E.164 ``numbers`` it holds, how many entries it
    had and how many of them were not phone numbers."""

    name: str
    numbers: pl.Series
    entries: int
    unreadable: int
    # a list of contacts already uploaded (--previous): what it is called in messages, e.g. "cleaned.csv of
    # 2026-11-24"; None for a do-not-call list
    uploaded: str | None = None


def load_suppression(path: str | Path, rule: PhoneRule) -> SuppressionList:
    """Read a do-not-call list. Raises :class:`InputError` when the file cannot be read or has no phone column."""
    path = Path(path)
    try:
        data = read_capped(path, MAX_SUPPRESS_FILE_BYTES, "do-not-call list")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the do-not-call list ({exc.strerror or exc})") from None
    head = data[:4096]
    first = next((line for line in head.decode("utf-8", "replace").lstrip("\ufeff").splitlines() if line.strip()),
                 "")
    if _NUMBER_LINE.match(first):
        entries = _plain_list(data)
    else:
        contacts = reader_for(data, path).read(data, str(path), ReadOptions())  # a workbook too, by its name
        column = next((name for name in contacts.header if looks_like_phone_header(name)), None)
        if column is None and len(contacts.header) == 1:
            column = contacts.header[0]
        if column is None:
            raise InputError(f"{path}: no phone column in the do-not-call list (columns: "
                             f"{', '.join(contacts.header)})")
        entries = contacts.frame.get_column(column)
    entries = entries.filter(entries.is_not_null() & (entries.str.strip_chars() != ""))
    verdicts = check_phones(entries, rule)
    numbers = verdicts.get_column("e164")
    return SuppressionList(name=str(path), numbers=numbers.drop_nulls().unique(), entries=len(entries),
                           unreadable=int(numbers.null_count()))


def load_previous(path: str | Path, rule: PhoneRule) -> SuppressionList:
    """Read the cleaned.csv of an earlier run (``--previous``): its numbers were uploaded already, and a contact
    with one of them is rejected as ``already_uploaded``. Raises :class:`InputError` as :func:`load_suppression`."""
    path = Path(path)
    loaded = load_suppression(path, rule)
    try:
        day = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).date().isoformat()
    except OSError:  # pragma: no cover - it was just read
        day = "an earlier run"
    return replace(loaded, uploaded=f"{path.name} of {day}")


def _plain_list(data: bytes) -> pl.Series:
    """One number per line; no header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return pl.Series("phone", text.splitlines(), dtype=pl.String)


def suppression_issues(frame: pl.DataFrame, phone_column: str, lists: list[SuppressionList]
                       ) -> tuple[pl.DataFrame, dict[str, int]]:
    """A ``do_not_call`` error for every contact (a frame with ``_e164``) whose number is on a list, and how many
    contacts each list stopped."""
    found, counts = [], {}
    for suppression in lists:
        rows = frame.filter(pl.col("_e164").is_in(suppression.numbers.implode()))
        counts[suppression.name] = rows.height
        if rows.height and suppression.uploaded is not None:
            found.append(issue_frame(
                rows, column=phone_column, code="already_uploaded", value=pl.col(phone_column),
                message=pl.format("phone number '{}' was already uploaded (in {})",
                                  pl.col(phone_column).fill_null(""), pl.lit(suppression.uploaded)),
            ))
        elif rows.height:
            found.append(issue_frame(
                rows, column=phone_column, code="do_not_call", value=pl.col(phone_column),
                message=pl.format("phone number '{}' is on the do-not-call list {}", pl.col(phone_column).fill_null(""),
                                  pl.lit(suppression.name)),
            ))
    return (issues_from(found) if found else empty_issues()), counts
