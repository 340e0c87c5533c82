"""Calling hours in each contact's own time: a window (``09:00``–``20:00`` on given days) is checked at the launch
time in the contact's time zone, which comes from, in order: a time-zone column in the file (an IANA name), the
number itself (phonenumbers' time-zone data, computed here in bulk; a number with several possible zones must be
inside the window in all of them), the number's country.

Time zones are resolved with Polars joins over phonenumbers' own prefix table, the same way
``phonenumbers.timezone.time_zones_for_number`` walks it; ``tests/test_calling_hours.py`` holds the two to the
same answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import polars as pl

from ..model.calling import DAYS, UNKNOWN_ZONE, CallingHours, CallingSummary, CallingWindow, zone
from ..model.headers import find_zone_column
from ..model.issues import empty_issues, issue_frame

_GEOGRAPHICAL = ("fixed_line", "fixed_line_or_mobile")


@lru_cache(maxsize=1)
def _prefix_table() -> tuple[int, pl.DataFrame]:
    from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

    table = pl.DataFrame({"_prefix": list(TIMEZONE_DATA), "_zones": ["|".join(z) for z in TIMEZONE_DATA.values()]})
    return TIMEZONE_LONGEST_PREFIX, table


def _country_code(e164: pl.Expr) -> pl.Expr:
    """The calling code of an E.164 number: its first one, two or three digits that are one."""
    from ..model.e164 import calling_code_size

    digits = e164.str.slice(1)
    return digits.str.slice(0, calling_code_size(digits).fill_null(3))


@lru_cache(maxsize=None)
def _country_zones(country_code: str) -> str:
    """phonenumbers' ``_country_level_time_zones_for_number``."""
    longest, table = _prefix_table()
    known = dict(table.iter_rows())
    for length in range(longest, 0, -1):
        prefix = country_code[: 1 + length]
        if prefix in known:
            return known[prefix]
    return UNKNOWN_ZONE


def number_zones(frame: pl.DataFrame) -> pl.Series:
    """The time zones (``|``-joined) of each row's number, from ``_e164``, ``_line_type`` and the country code,
    exactly as ``phonenumbers.timezone.time_zones_for_number`` gives them; null where there is no number."""
    from phonenumbers.phonenumberutil import _GEO_MOBILE_COUNTRIES

    longest, table = _prefix_table()
    rows = frame.select(pl.int_range(pl.len()).alias("_i"), "_e164", "_line_type").filter(
        pl.col("_e164").is_not_null())
    rows = rows.with_columns(_country_code(pl.col("_e164")).alias("_cc"))
    geo_mobile = [str(code) for code in _GEO_MOBILE_COUNTRIES]
    geographical = pl.col("_line_type").is_in(list(_GEOGRAPHICAL)) | (
        (pl.col("_line_type") == "mobile") & pl.col("_cc").is_in(geo_mobile))
    unknown = rows.filter(pl.col("_line_type").is_null() | (pl.col("_line_type") == "unknown")).select(
        "_i", pl.lit(UNKNOWN_ZONE).alias("_zones"))
    known = rows.filter(pl.col("_line_type").is_not_null() & (pl.col("_line_type") != "unknown"))
    non_geographical = known.filter(~geographical)
    by_country = {cc: _country_zones(cc) for cc in non_geographical.get_column("_cc").unique().to_list()}
    country_level = non_geographical.select(
        "_i", pl.col("_cc").replace_strict(by_country, return_dtype=pl.String).alias("_zones"))
    pending = known.filter(geographical).select("_i", "_e164")
    found = [unknown, country_level]
    for length in range(longest, 0, -1):
        if pending.height == 0:
            break
        keyed = pending.with_columns(pl.col("_e164").str.slice(1, length).alias("_prefix"))
        hits = keyed.join(table, on="_prefix", how="inner")
        found.append(hits.select("_i", "_zones"))
        pending = keyed.join(table, on="_prefix", how="anti").drop("_prefix")
    found.append(pending.select("_i", pl.lit(UNKNOWN_ZONE).alias("_zones")))
    zones = pl.concat([f for f in found if f.height], how="vertical") if any(f.height for f in found) else \
        pl.DataFrame(schema={"_i": pl.Int64, "_zones": pl.String})
    every = pl.DataFrame({"_i": pl.int_range(0, frame.height, eager=True)}).join(
        zones.with_columns(pl.col("_i").cast(pl.Int64)), on="_i", how="left")
    return every.sort("_i").get_column("_zones")


def contact_zones(frame: pl.DataFrame, zone_column: str | None) -> pl.Series:
    """Each row's zones (``|``-joined): the file's time-zone column when it names a real zone, else the number's,
    else the country's."""
    zones = number_zones(frame)
    if zone_column is not None and zone_column in frame.columns:
        given = frame.get_column(zone_column).str.strip_chars()
        names = {name: name for name in given.drop_nulls().unique().to_list() if zone(name) is not None}
        valid = given.replace_strict(names, default=None, return_dtype=pl.String)
        zones = pl.select(pl.coalesce(pl.lit(valid), pl.lit(zones))).to_series()
    # a number phonenumbers places nowhere: its country's zones
    unknown = zones == UNKNOWN_ZONE
    if unknown.any():
        countries = frame.select(_country_code(pl.col("_e164"))).to_series()
        wanted = countries.filter(unknown).unique().to_list()
        by_country = {code: _country_zones(code) for code in wanted if code}
        fallback = countries.replace_strict(by_country, default=UNKNOWN_ZONE, return_dtype=pl.String)
        zones = pl.select(pl.when(pl.lit(unknown)).then(pl.lit(fallback)).otherwise(pl.lit(zones))).to_series()
    return zones.alias("_zones")


def utc_offsets(zones: str | None, moment: datetime | None = None) -> str | None:
    """The UTC offsets (``+05:30``, ``|``-joined) of the zones at ``moment`` (default: now)."""
    if zones is None:
        return None
    moment = moment or datetime.now(timezone.utc)
    offsets = []
    for name in zones.split("|"):
        tz = zone(name)
        offsets.append(moment.astimezone(tz).strftime("%z") if tz is not None else "?")
    return "|".join(f"{o[:3]}:{o[3:]}" if len(o) == 5 else o for o in offsets)


def check_calling_hours(frame: pl.DataFrame, phone_column: str, hours: CallingHours
                        ) -> tuple[pl.DataFrame, pl.DataFrame, CallingSummary]:
    """The frame with ``_zones``; an ``outside_calling_hours`` issue for each contact outside the window at launch
    in any of its zones; the summary by time zone."""
    column = hours.zone_column or find_zone_column([c for c in frame.columns if not c.startswith("_")])
    frame = frame.with_columns(contact_zones(frame, column))
    zone_names = frame.get_column("_zones").drop_nulls().str.split("|").explode().unique().to_list()
    local = {}
    for name in zone_names:
        tz = zone(name)
        local[name] = hours.launch.astimezone(tz) if tz is not None else None
    admitted = {name: moment is not None and hours.window.admits(moment) for name, moment in local.items()}
    table = pl.DataFrame({"_zone": list(admitted), "_inside": list(admitted.values()),
                          "_local": [f"{m:%H:%M} {DAYS[m.weekday()][:3]}" if m else "unknown" for m in local.values()]},
                         schema={"_zone": pl.String, "_inside": pl.Boolean, "_local": pl.String})
    per_row = (frame.select("_row", "_zones").filter(pl.col("_zones").is_not_null())
               .with_columns(pl.col("_zones").str.split("|").alias("_zone")).explode("_zone")
               .join(table, on="_zone", how="left"))
    outside = (per_row.group_by("_row", maintain_order=True)
               .agg(pl.col("_inside").all().alias("_all_inside"),
                    pl.format("{} in {}", pl.col("_local"), pl.col("_zone")).filter(~pl.col("_inside"))
                    .str.join(", ").alias("_when"))
               .filter(~pl.col("_all_inside")))
    rows = frame.join(outside, on="_row", how="inner").sort("_row")
    severity = "error" if hours.strict else "warning"
    issues = issue_frame(
        rows, column=phone_column, code="outside_calling_hours", severity=severity, value=pl.col(phone_column),
        message=pl.format("phone number '{}' would be called outside calling hours {} (local time at launch: {})",
                          pl.col(phone_column).fill_null(""), pl.lit(str(hours.window)), pl.col("_when")),
    ) if rows.height else empty_issues()
    summary = _summary(per_row, table, hours)
    return frame, issues, summary


def _summary(per_row: pl.DataFrame, table: pl.DataFrame, hours: CallingHours) -> CallingSummary:
    counts = per_row.group_by("_zone").agg(pl.col("_row").n_unique().alias("contacts"), pl.col("_inside").first())
    return calling_summary(hours, {zone: (int(n), int(n) if inside else 0) for zone, n, inside in counts.iter_rows()})


def calling_summary(hours: CallingHours, zones: dict[str, tuple[int, int]]) -> CallingSummary:
    """The summary of a calling-hours check from its counts per time zone (contacts, callable at launch): of one
    part, or of a whole file's parts added up."""
    ordered = sorted(zones.items(), key=lambda item: (-item[1][0], item[0]))
    by_zone = {zone: {"contacts": contacts, "callable_at_launch": callable_now}
               for zone, (contacts, callable_now) in ordered}
    earliest, note = earliest_launch(list(by_zone), hours)
    return CallingSummary(window=str(hours.window), launch=hours.launch.isoformat(), by_time_zone=by_zone,
                          earliest_launch_all_inside=earliest, note=note)


def earliest_launch(zones: list[str], hours: CallingHours) -> tuple[str | None, str | None]:
    """The earliest moment from the launch on, within the launch's day (UTC), at which every zone is inside the
    window; or why there is none."""
    known = [z for z in zones if zone(z) is not None]
    if not known:
        return None, "no time zone known"
    if len(known) < len(zones):
        return None, "some contacts' time zones are unknown"
    day = hours.launch.astimezone(timezone.utc).date()
    candidates = sorted({_local_start(name, day + timedelta(days=offset), hours.window)
                         for name in known for offset in (-1, 0, 1)} | {hours.launch})
    for moment in candidates:
        if moment < hours.launch or moment.astimezone(timezone.utc).date() != day:
            continue
        if all(hours.window.admits(moment.astimezone(zone(name))) for name in known):
            return moment.astimezone(timezone.utc).isoformat(), None
    return None, f"no moment on {day.isoformat()} (UTC) is inside {hours.window} in all {len(known)} time zones"


def _local_start(name: str, day: date, window: CallingWindow) -> datetime:
    return datetime.combine(day, window.start, tzinfo=zone(name)).astimezone(timezone.utc)
