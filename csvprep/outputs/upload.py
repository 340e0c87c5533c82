"""Shaping the cleaned list the way a platform wants it (column names, limits, extras such as Sarvam's cohort
transformation file), from the provider table in :mod:`csvprep.model.providers`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import polars as pl

from ..errors import OutputError
from ..model.contacts import ColumnMap
from ..model.providers import SARVAM_OVERRIDES, Provider


def header_map(provider: Provider, columns: ColumnMap, header: list[str]) -> dict[str, str]:
    """Old column name -> the name the platform wants. Raises :class:`OutputError` when two columns would end
    up with one name."""
    renames: dict[str, str] = {}
    if provider.phone_header is not None:
        renames[columns.phone] = provider.phone_header
    if provider.variable_headers:
        for variable, column in columns.variables:
            renames[column] = variable.name
    final = [renames.get(name, name) for name in header]
    clashes = sorted({name for name in final if final.count(name) > 1})
    if clashes:
        raise OutputError(f"for {provider.name}, the file would have two columns named {', '.join(clashes)}: rename "
                          "the file's own column first")
    return {old: new for old, new in renames.items() if old != new and old in header}


def reserved_clashes(provider: Provider, columns: ColumnMap, header: list[str]) -> list[str]:
    """Plain columns (neither the phone nor a variable) whose name the platform reserves for itself."""
    used = {columns.phone} | {column for _, column in columns.variables}
    reserved = {name.casefold() for name in provider.reserved}
    return [name for name in header if name not in used and name.strip().casefold() in reserved]


def shape(frame: pl.DataFrame, renames: dict[str, str]) -> pl.DataFrame:
    return frame.rename(renames) if renames else frame


def upload_problems(provider: Provider, cleaned: Path) -> list[str]:
    """What the platform would refuse in cleaned.csv that csvprep cannot fix without losing data: too many
    columns, cells that must hold JSON and do not, cells past its length limit (never truncated here)."""
    problems = []
    frame = pl.scan_csv(cleaned, infer_schema=False)
    names = frame.collect_schema().names()
    if provider.max_columns is not None and len(names) > provider.max_columns:
        problems.append(f"{len(names)} columns; {provider.name} takes at most {provider.max_columns}")
    json_columns = {name.casefold(): prefix for name, prefix in provider.json_columns}
    for name in (name for name in names if name.strip().casefold() in json_columns):
        values = frame.select(pl.col(name)).drop_nulls().unique(maintain_order=True).collect().to_series()
        prefix = json_columns[name.strip().casefold()]
        bad = [value for value in values.to_list() if value.strip() and not _json_object(value, prefix)]
        if bad:
            cells = frame.select(pl.col(name).is_in(bad).sum()).collect(engine="streaming").item()
            wanted = "a JSON object" + (f" whose keys start with '{prefix}'" if prefix else "")
            problems.append(f"column '{name}': {cells:,} cell{'s' if cells != 1 else ''} not {wanted} (e.g. "
                            f"'{bad[0][:60]}'); {provider.name} would refuse {'them' if cells != 1 else 'it'}")
    if provider.max_cell is not None and names:
        lengths = frame.select(pl.all().str.len_chars().max()).collect(engine="streaming").row(0, named=True)
        for name, length in lengths.items():
            if length is not None and length > provider.max_cell:
                problems.append(f"column '{name}' has a cell of {length:,} characters; {provider.name} takes at most "
                                f"{provider.max_cell:,} (shorten it: csvprep never truncates)")
    return problems


def _json_object(text: str, key_prefix: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and all(key.startswith(key_prefix) for key in value)


def split_for_upload(cleaned: Path, provider: Provider) -> list[Path]:
    """When cleaned.csv exceeds the platform's rows or bytes per file, numbered parts beside it that each fit
    (``cleaned-1-of-3.csv``...), records never cut; the whole file stays too. Returns the parts (none when it fits).

    cleaned.csv is read in batches of Polars' streaming reader, so a list of any size splits in bounded memory;
    each part is written whole (temporary file, fsync, rename) once the number of parts is known."""
    if provider.max_rows is None and provider.max_bytes is None:
        return []
    size = cleaned.stat().st_size
    scan = pl.scan_csv(cleaned, infer_schema=False)
    rows = scan.select(pl.len()).collect(engine="streaming").item()
    rows_limit = provider.max_rows or rows or 1
    if rows <= rows_limit and (provider.max_bytes is None or size <= provider.max_bytes):
        return []
    # a part's rows at the file's average row size: the first size tried for a part, and a batch holds a few parts
    per_part = rows_limit if provider.max_bytes is None else \
        max(1, min(rows_limit, 2 * provider.max_bytes * max(rows, 1) // max(size, 1)))
    with tempfile.TemporaryDirectory(prefix=".csvprep-parts-", dir=cleaned.parent) as scratch:
        written: list[Path] = []

        def keep(text: bytes) -> None:
            path = Path(scratch) / f"{len(written)}.csv"
            with open(path, "wb") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            written.append(path)

        pending: pl.DataFrame | None = None
        for batch in scan.collect_batches(chunk_size=max(4 * per_part, 50_000)):
            pending = batch if pending is None else pl.concat([pending, batch])
            pieces = _pieces(pending, per_part, provider.max_bytes)
            if not pieces:
                continue
            for text, _ in pieces[:-1]:
                keep(text)
            pending = pending.tail(pieces[-1][1])  # the last part may take rows of the next batch
        for text, _ in _pieces(pending, per_part, provider.max_bytes) if pending is not None else []:
            keep(text)
        parts = []
        for index, path in enumerate(written, 1):
            part = cleaned.with_name(f"{cleaned.stem}-{index}-of-{len(written)}{cleaned.suffix}")
            try:
                os.replace(path, part)
            except OSError as exc:
                raise OutputError(f"{part}: cannot write ({exc.strerror or exc})") from None
            parts.append(part)
    return parts


def _pieces(frame: pl.DataFrame, rows: int, max_bytes: int | None) -> list[tuple[bytes, int]]:
    """CSV texts (each with the header) of consecutive slices of ``frame`` that fit both limits, with the number of
    records in each."""
    pieces: list[tuple[bytes, int]] = []
    start = 0
    while start < frame.height:
        count = min(rows, frame.height - start)
        while True:
            text = frame.slice(start, count).write_csv(quote_style="necessary").encode("utf-8")
            if max_bytes is None or len(text) <= max_bytes or count == 1:
                break
            count = max(1, count * max_bytes // len(text) - 1)
        if max_bytes is not None and len(text) > max_bytes:
            raise OutputError(f"one contact alone is larger than the {max_bytes:,}-byte file limit")
        pieces.append((text, count))
        start += count
    return pieces


def rejected_renames(provider: Provider | None, rejected_columns: list[str], header: list[str]) -> dict[str, str]:
    """The rejected file's reason column under the platform's own name (Sarvam: ``rejected_reason``)."""
    if provider is None or provider.rejected_reason is None or provider.rejected_reason in header:
        return {}
    return {"errors": provider.rejected_reason} if "errors" in rejected_columns else {}


def finish_upload(provider: Provider, cleaned: Path, columns: ColumnMap, header: list[str]) -> dict[str, Path]:
    """What the platform needs beside cleaned.csv: Sarvam's transformation file, parts that fit the limits."""
    from ..io.csv_out import atomic_write

    extra: dict[str, Path] = {}
    if provider.transformation_file:
        path = cleaned.with_name("cohort_transformation.json")
        text = transformation_file(columns, header, header_map(provider, columns, header))
        atomic_write(path, text.encode("utf-8"))
        extra[path.name] = path
    for part in split_for_upload(cleaned, provider):
        extra[part.name] = part
    from .payloads import payload_files  # the API-first platforms' JSON

    for path in payload_files(provider.name, cleaned, columns, header_map(provider, columns, header)):
        extra[path.name] = path
    return extra


def transformation_file(columns: ColumnMap, header: list[str], renames: dict[str, str]) -> str:
    """Sarvam's cohort_transformation_file: which column holds the phone, each agent variable and each override."""
    named = {old: renames.get(old, old) for old in header}
    mapping: dict[str, object] = {"phone_number": {"column_name": named[columns.phone]}}
    variables, overrides = {}, {}
    for variable, column in columns.variables:
        entry = {"column_name": named.get(column, column)}
        if variable.required:
            entry["required"] = True
        (overrides if variable.name in SARVAM_OVERRIDES else variables)[variable.name] = entry
    identifier = next((name for name in header if name.strip().lower().replace(" ", "_") in (
        "customer_id", "user_id", "user_identifier", "contact_id", "id")), None)
    if identifier is not None:
        mapping["user_identifier"] = {"column_name": named[identifier], "required": True}
    mapping["app_variables"] = variables
    if overrides:
        mapping["app_overrides"] = overrides
    return json.dumps(mapping, indent=2, ensure_ascii=False) + "\n"
