"""The request payloads of the API-first platforms, which take contacts as JSON rather than a file: Vapi's
``customers[]``, Retell's ``tasks[]``, ElevenLabs' ``recipients[]``, Bland's ``call_objects[]`` (shapes from
``../shared/campaign-apis.md`` and the official SDKs it cites), one contact per item with the agent's variables,
split into numbered files at the platform's documented limit (Vapi: 10,000 customers per campaign; the others
document none, so theirs is one file).

Each file holds only the contacts' array under its key: the rest of the request (the assistant, the caller number,
the schedule) is the user's, merged in before sending — csvprep never guesses it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..model.contacts import ColumnMap


@dataclass(frozen=True)
class Payload:
    """A platform's contacts array: its key, the item of one contact (its number and its variables), the most items
    one request takes (None: not documented)."""

    key: str
    item: Callable[[str, dict[str, str]], dict[str, Any]]
    limit: int | None = None


def _vapi(number: str, variables: dict[str, str]) -> dict[str, Any]:
    # CreateCustomerDto: number, and per-customer template variables in assistantOverrides.variableValues
    return {"number": number, **({"assistantOverrides": {"variableValues": variables}} if variables else {})}


def _retell(number: str, variables: dict[str, str]) -> dict[str, Any]:
    return {"to_number": number, **({"retell_llm_dynamic_variables": variables} if variables else {})}


def _elevenlabs(number: str, variables: dict[str, str]) -> dict[str, Any]:
    return {"phone_number": number, **({"conversation_initiation_client_data": {"dynamic_variables": variables}}
                                       if variables else {})}


def _bland(number: str, variables: dict[str, str]) -> dict[str, Any]:
    return {"phone_number": number, **({"request_data": variables} if variables else {})}


PAYLOADS = {
    "vapi": Payload("customers", _vapi, 10_000),
    "retell": Payload("tasks", _retell),
    "elevenlabs": Payload("recipients", _elevenlabs),
    "bland": Payload("call_objects", _bland),
}


def payload_files(provider: str, cleaned: Path, columns: ColumnMap, renames: dict[str, str]) -> list[Path]:
    """``payload.json`` (or ``payload-1-of-N.json`` past the limit) beside cleaned.csv for an API-first platform;
    nothing for the others. ``renames``: cleaned.csv's column names for the run's own (the provider's header)."""
    from ..io.csv_out import atomic_write

    payload = PAYLOADS.get(provider)
    if payload is None:
        return []
    phone = renames.get(columns.phone, columns.phone)
    variables = [(variable.name, renames.get(column, column)) for variable, column in columns.variables]
    scan = pl.scan_csv(cleaned, infer_schema=False)
    rows = scan.select(pl.len()).collect().item()
    size = payload.limit or max(rows, 1)
    parts = max(1, -(-rows // size))
    written = []
    for index in range(parts):
        frame = scan.slice(index * size, size).collect()
        items = []
        for record in frame.iter_rows(named=True):
            values = {name: record[column] for name, column in variables
                      if column in record and record[column] not in (None, "")}
            items.append(payload.item(record[phone], values))
        name = "payload.json" if parts == 1 else f"payload-{index + 1}-of-{parts}.json"
        path = cleaned.with_name(name)
        atomic_write(path, (json.dumps({payload.key: items}, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        written.append(path)
    return written
