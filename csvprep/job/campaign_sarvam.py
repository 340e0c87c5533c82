"""Sarvam's campaign body: the fields it knows and their constraints (the schedule, the app configuration and its
retries), and the calling window its ``allowed_schedule`` sets. Sarvam maps variables to columns in the cohort
upload instead of giving defaults in the body.

Where Sarvam's documentation is silent about a range (the retry settings) csvprep applies the strictest sensible
one and says so in the message."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from ..model import calling
from ..model.calling import DAYS, CallingWindow, parse_clock, parse_window
from ..model.e164 import E164_PATTERN
from .campaign_body import CampaignFormat, CampaignProblem, clock_time, kind

_SARVAM_KEYS = frozenset({"name", "description", "app_config", "end_timestamp", "allowed_schedule"})
_SARVAM_NAME = re.compile(r"^[A-Za-z0-9_\- ]+$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
# Sarvam documents no ranges for these: the strictest sensible ones
_RETRIES = (0, 10)
_RETRY_MINUTES = (1, 1440)
_SHORT_CALL_SECONDS = (1, 3600)


def check_sarvam(body: dict[str, Any], *, update: bool = False, now: datetime,
                 variables: set[str] | None = None) -> list[CampaignProblem]:
    """Every problem Sarvam would find in a campaign body. Sarvam has no partial update, and maps variables to
    columns in the cohort upload: ``update`` and ``variables`` change nothing."""
    problems: list[CampaignProblem] = []
    add = problems.append
    for key in sorted(set(body) - _SARVAM_KEYS):
        add(CampaignProblem(key, f"not a Sarvam campaign field (known: {', '.join(sorted(_SARVAM_KEYS))})",
                            "warning"))
    name = body.get("name")
    if name is not None:
        if not isinstance(name, str):
            add(CampaignProblem("name", f"must be a string, not {kind(name)}"))
        elif not 1 <= len(name) <= 50:
            add(CampaignProblem("name", f"must be 1 to 50 characters long (it has {len(name)})"))
        elif not _SARVAM_NAME.match(name):
            bad = sorted({c for c in name if not _SARVAM_NAME.match(c)})
            add(CampaignProblem("name", "only letters, digits, hyphens, underscores and spaces are allowed "
                                        f"(found {' '.join(repr(c) for c in bad)})"))
    description = body.get("description")
    if description is not None:
        if not isinstance(description, str):
            add(CampaignProblem("description", f"must be a string, not {kind(description)}"))
        elif len(description) > 150:
            add(CampaignProblem("description", f"must be at most 150 characters (it has {len(description)})"))
    if body.get("end_timestamp") is not None:
        end = _timestamp(body["end_timestamp"])
        if end is None:
            add(CampaignProblem("end_timestamp", f"'{body['end_timestamp']}' is not an ISO 8601 date-time with a "
                                                 "time zone (e.g. 2026-12-01T18:00:00Z)"))
        elif end <= now:
            add(CampaignProblem("end_timestamp", f"{end.isoformat()} is in the past"))
    if body.get("allowed_schedule") is not None:
        problems += _check_schedule(body["allowed_schedule"])
    if body.get("app_config") is not None:
        problems += _check_app_config(body["app_config"])
    return problems


def _check_schedule(schedule: Any) -> list[CampaignProblem]:
    if not isinstance(schedule, dict):
        return [CampaignProblem("allowed_schedule", f"must be an object, not {kind(schedule)}")]
    problems = []
    add = problems.append
    times = {}
    for key in ("allowed_start_time", "allowed_end_time"):
        value = schedule.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or parse_clock(value, two_digit_hour=True) is None:
            add(CampaignProblem(f"allowed_schedule.{key}", f"'{value}' is not a time of day in HH:MM or HH:MM:SS "
                                                           "form (24-hour)"))
        else:
            times[key] = clock_time(value if value.count(":") == 2 else value + ":00")
    if len(times) == 2 and times["allowed_start_time"] >= times["allowed_end_time"]:
        add(CampaignProblem("allowed_schedule", "allowed_start_time must be before allowed_end_time"))
    days = schedule.get("allowed_days")
    if days is not None:
        if not isinstance(days, list) or not days:
            add(CampaignProblem("allowed_schedule.allowed_days", "must be a non-empty list of days (Monday…Sunday)"))
        else:
            for day in days:
                if day not in DAYS:
                    hint = next((d for d in DAYS if isinstance(day, str) and d.lower().startswith(day.lower()[:3])),
                                None)
                    add(CampaignProblem("allowed_schedule.allowed_days", f"'{day}' is not a day name"
                                        + (f" (did you mean '{hint}'?)" if hint else " (Monday…Sunday)")))
            if len(set(map(str, days))) != len(days):
                add(CampaignProblem("allowed_schedule.allowed_days", "lists a day twice", "warning"))
    zone = schedule.get("timezone")
    if zone is not None and calling.zone(zone) is None:
        add(CampaignProblem("allowed_schedule.timezone", f"'{zone}' is not an IANA time zone (e.g. Asia/Kolkata)"))
    return problems


def _check_app_config(config: Any) -> list[CampaignProblem]:
    if not isinstance(config, dict):
        return [CampaignProblem("app_config", f"must be an object, not {kind(config)}")]
    problems = []
    add = problems.append
    if "app_id" in config and (not isinstance(config["app_id"], str) or not config["app_id"].strip()):
        add(CampaignProblem("app_config.app_id", "must be a non-empty string"))
    if config.get("app_version") is not None and not _whole(config["app_version"], 1):
        add(CampaignProblem("app_config.app_version", f"must be a whole number from 1, not {config['app_version']!r}"))
    if config.get("app_type") is not None and config["app_type"] not in ("agent", "workflow"):
        add(CampaignProblem("app_config.app_type", f"must be agent or workflow, not {config['app_type']!r}"))
    rate = config.get("attempts_per_second")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate)
                             or rate <= 0):
        add(CampaignProblem("app_config.attempts_per_second", f"must be a number above 0, not {rate!r}"))
    connections = config.get("connection_configs")
    if connections is not None:
        if not isinstance(connections, list):
            add(CampaignProblem("app_config.connection_configs", "must be a list"))
        else:
            for index, connection in enumerate(connections):
                where = f"app_config.connection_configs[{index}]"
                if not isinstance(connection, dict):
                    add(CampaignProblem(where, "must be an object"))
                    continue
                if not isinstance(connection.get("connection_id"), str) or not connection["connection_id"].strip():
                    add(CampaignProblem(f"{where}.connection_id", "must be a non-empty string"))
                for number in connection.get("phone_numbers") or []:
                    if not isinstance(number, str) or not E164_PATTERN.match(number):
                        add(CampaignProblem(f"{where}.phone_numbers", f"'{number}' is not in +E.164 form"))
                if connection.get("weight") is not None and not _whole(connection["weight"], 0):
                    add(CampaignProblem(f"{where}.weight", f"must be a whole number from 0, not "
                                                           f"{connection['weight']!r}"))
    retry = config.get("retry_config")
    if retry is not None:
        problems += _check_retry(retry)
    webhook = config.get("webhook_config")
    if isinstance(webhook, dict) and webhook.get("url") is not None and not (
            isinstance(webhook["url"], str) and _URL.match(webhook["url"])):
        add(CampaignProblem("app_config.webhook_config.url", f"'{webhook['url']}' is not an http(s) URL"))
    return problems


def _check_retry(retry: Any) -> list[CampaignProblem]:
    if not isinstance(retry, dict):
        return [CampaignProblem("app_config.retry_config", "must be an object")]
    problems = []
    add = problems.append

    def bounded(where: str, value: Any, low: int, high: int, what: str) -> None:
        if value is not None and not (_whole(value, low) and value <= high):
            add(CampaignProblem(where, f"must be a whole number of {what} from {low} to {high}, not {value!r} "
                                       "(Sarvam documents no range: csvprep keeps to a safe one)"))

    bounded("app_config.retry_config.max_retries", retry.get("max_retries"), *_RETRIES, "retries")
    intervals = retry.get("retry_interval_minutes")
    if intervals is not None:
        if not isinstance(intervals, list):
            add(CampaignProblem("app_config.retry_config.retry_interval_minutes", "must be a list of minutes"))
        else:
            for value in intervals:
                bounded("app_config.retry_config.retry_interval_minutes", value, *_RETRY_MINUTES, "minutes")
    retry_on = retry.get("retry_on") or {}
    if not isinstance(retry_on, dict):
        return problems + [CampaignProblem("app_config.retry_config.retry_on", "must be an object")]
    for reason, settings in retry_on.items():
        where = f"app_config.retry_config.retry_on.{reason}"
        if reason not in ("busy", "failed", "no_answer", "short_duration", "provider_error", "internal_error"):
            add(CampaignProblem(where, "not a retry reason (busy, failed, no_answer, short_duration, provider_error, "
                                       "internal_error)"))
            continue
        if not isinstance(settings, dict):
            add(CampaignProblem(where, "must be an object"))
            continue
        if "enabled" in settings and not isinstance(settings["enabled"], bool):
            add(CampaignProblem(f"{where}.enabled", "must be true or false"))
        bounded(f"{where}.threshold_seconds", settings.get("threshold_seconds"), *_SHORT_CALL_SECONDS, "seconds")
        bounded(f"{where}.max_retries", settings.get("max_retries"), *_RETRIES, "retries")
        bounded(f"{where}.retry_interval_minutes", settings.get("retry_interval_minutes"), *_RETRY_MINUTES,
                "minutes")
    return problems


def _whole(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _window(body: dict[str, Any], source: str) -> CallingWindow | None:
    """The window of ``allowed_schedule``, when it has both a start and an end time."""
    schedule = body.get("allowed_schedule")
    if not isinstance(schedule, dict) or not (schedule.get("allowed_start_time") and schedule.get("allowed_end_time")):
        return None
    return parse_window(f"{schedule['allowed_start_time']}-{schedule['allowed_end_time']}",
                        schedule.get("allowed_days"), f"{source}: allowed_schedule")


SARVAM = CampaignFormat(provider="sarvam", title="Sarvam", keys=_SARVAM_KEYS, check=check_sarvam, window=_window,
                        window_field="allowed_schedule")
