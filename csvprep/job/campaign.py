"""The campaign request a contact list is prepared for: read the very JSON body the user will send (SigmaMind's
create/update body or Sarvam's campaign body), check it against every documented constraint, and take its default
variables.

The constraints are the platforms' documentation (``../shared/api-docs``); where a platform is silent about a range
(Sarvam's retry settings) csvprep applies the strictest sensible one and says so in the message."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model.calling import DAYS, parse_clock
from ..model.calling import zone as _zone
from ..model.e164 import E164_PATTERN
from .rules_file import with_defaults

PROVIDERS = ("sigmamind", "sarvam")
INT32_MAX = 2**31 - 1
_SIGMAMIND_KEYS = {"campaignName", "sipPhoneNumber", "agentId", "isScheduled", "scheduledDate", "scheduledTime",
                   "scheduledTimezone", "concurrentCalls", "variables", "dynamicVariables"}
_SARVAM_KEYS = {"name", "description", "app_config", "end_timestamp", "allowed_schedule"}
_SARVAM_NAME = re.compile(r"^[A-Za-z0-9_\- ]+$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
# Sarvam documents no ranges for these: the strictest sensible ones
_RETRIES = (0, 10)
_RETRY_MINUTES = (1, 1440)
_SHORT_CALL_SECONDS = (1, 3600)


@dataclass(frozen=True)
class CampaignProblem:
    """One field of the body that the platform would refuse (``severity`` error), that deserves a look (warning),
    or a rule csvprep cannot check for you (note)."""

    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = {"warning": "warning: ", "note": "note: "}.get(self.severity, "")
        return f"{self.field}: {prefix}{self.message}"


@dataclass(frozen=True)
class Campaign:
    """A campaign body as read from its JSON file."""

    body: dict[str, Any]
    provider: str
    source: str

    @property
    def defaults(self) -> dict[str, Any]:
        """The campaign's default dynamic variables (SigmaMind ``variables`` / ``dynamicVariables``, which may
        arrive as a JSON string). Sarvam maps variables to columns in the cohort upload instead: none here."""
        if self.provider != "sigmamind":
            return {}
        for key in ("dynamicVariables", "variables"):
            value = self.body.get(key)
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError:
                    return {}
            if isinstance(value, dict):
                return value
        return {}

    def launch_time(self) -> datetime | None:
        """When a scheduled SigmaMind campaign launches (aware datetime), if the body says so validly."""
        body = self.body
        if self.provider != "sigmamind" or body.get("isScheduled") is not True:
            return None
        day, clock, zone = (_date(body.get("scheduledDate")), _clock(body.get("scheduledTime")),
                            _zone(body.get("scheduledTimezone")))
        if day is None or clock is None or zone is None:
            return None
        return datetime.combine(day, clock, tzinfo=zone)


def load_campaign(path: str | Path, provider: str | None = None) -> Campaign:
    """Read a campaign body (JSON). ``provider`` is detected from the keys when not given."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the campaign body is not UTF-8 text") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(body, dict):
        raise InputError(f"{path}: the campaign body must be a JSON object")
    if provider is None:
        provider = detect_provider(body, str(path))
    elif provider not in PROVIDERS:
        raise InputError(f"{path}: unknown provider '{provider}' (one of {', '.join(PROVIDERS)})")
    return Campaign(body=body, provider=provider, source=str(path))


def with_campaign_defaults(rules, campaign: Campaign):
    """The rules with the campaign's default variables laid over the rules' own: a contact's CSV value first, then
    the campaign's default, then the rules'. A default for a variable the agent does not have is left out here:
    :func:`check_campaign` reports it, as the platform would."""
    known = {v.name for v in rules.variables}
    defaults = {key: value for key, value in campaign.defaults.items()
                if key in known and not isinstance(value, (dict, list))}
    return with_defaults(rules, defaults, campaign.source)


def detect_provider(body: dict[str, Any], source: str) -> str:
    sigmamind, sarvam = len(_SIGMAMIND_KEYS & set(body)), len(_SARVAM_KEYS & set(body))
    if sigmamind == sarvam:
        raise InputError(f"{source}: cannot tell whose campaign body this is: pass --provider sigmamind|sarvam")
    return "sigmamind" if sigmamind > sarvam else "sarvam"


def check_campaign(campaign: Campaign, *, update: bool = False, now: datetime | None = None,
                   variables: set[str] | None = None) -> list[CampaignProblem]:
    """Every problem the platform would find in the body. ``update``: a partial update (PATCH), where no field is
    required; ``variables``: the agent's variable names, which default keys must be among."""
    now = now or datetime.now(timezone.utc)
    if campaign.provider == "sigmamind":
        return _check_sigmamind(campaign.body, update=update, now=now, variables=variables)
    return _check_sarvam(campaign.body, now=now)


def _check_sigmamind(body: dict[str, Any], *, update: bool, now: datetime,
                     variables: set[str] | None) -> list[CampaignProblem]:
    problems: list[CampaignProblem] = []
    add = problems.append
    for key in sorted(set(body) - _SIGMAMIND_KEYS):
        add(CampaignProblem(key, f"not a SigmaMind campaign field (known: {', '.join(sorted(_SIGMAMIND_KEYS))})",
                            "warning"))
    if not update:
        for key in ("campaignName", "sipPhoneNumber", "agentId"):
            if key not in body:
                add(CampaignProblem(key, "required when creating a campaign"))

    name = body.get("campaignName")
    if "campaignName" in body:
        if not isinstance(name, str):
            add(CampaignProblem("campaignName", f"must be a string, not {_kind(name)}"))
        elif not 1 <= len(name) <= 128:
            add(CampaignProblem("campaignName", f"must be 1 to 128 characters long (it has {len(name)})"))
        elif not name.strip():
            add(CampaignProblem("campaignName", "is only blanks"))
        else:
            if any(ord(c) < 32 or ord(c) == 127 for c in name):
                add(CampaignProblem("campaignName", "contains control characters (a tab or newline?)"))
            if name != name.strip():
                add(CampaignProblem("campaignName", "starts or ends with a blank, which dashboards hide",
                                    "warning"))
            add(CampaignProblem("campaignName", f"'{name}' must be unique in the account: SigmaMind refuses a name "
                                                "already in use (csvprep cannot see your other campaigns)", "note"))

    caller = body.get("sipPhoneNumber")
    if "sipPhoneNumber" in body:
        if not isinstance(caller, str):
            add(CampaignProblem("sipPhoneNumber", f"must be a string, not {_kind(caller)}"))
        elif not E164_PATTERN.match(caller):
            add(CampaignProblem("sipPhoneNumber", f"'{caller}' is not in +E.164 form (^\\+[1-9][0-9]{{6,14}}$)"))
        else:
            import phonenumbers

            if not phonenumbers.is_valid_number(phonenumbers.parse(caller)):
                add(CampaignProblem("sipPhoneNumber", f"'{caller}' has the E.164 shape but is not a valid number "
                                                      "in any numbering plan", "warning"))

    agent = body.get("agentId")
    if "agentId" in body:
        if not isinstance(agent, str):
            add(CampaignProblem("agentId", f"must be a string, not {_kind(agent)}"))
        elif not 1 <= len(agent) <= 64:
            add(CampaignProblem("agentId", f"must be 1 to 64 characters long (it has {len(agent)})"))

    scheduled = body.get("isScheduled")
    if "isScheduled" in body and not isinstance(scheduled, bool):
        add(CampaignProblem("isScheduled", f"must be true or false, not {_kind(scheduled)}"))
    if scheduled is True:
        missing = [key for key in ("scheduledDate", "scheduledTime", "scheduledTimezone") if body.get(key) in
                   (None, "")]
        if missing:
            add(CampaignProblem(", ".join(missing), "required when isScheduled is true (scheduledDate, "
                                                    "scheduledTime and scheduledTimezone go together)"))
    day = clock = zone = None
    if body.get("scheduledDate") not in (None, ""):
        day = _date(body["scheduledDate"])
        if day is None:
            add(CampaignProblem("scheduledDate", f"'{body['scheduledDate']}' is not a date in YYYY-MM-DD form"))
    if body.get("scheduledTime") not in (None, ""):
        clock = _clock(body["scheduledTime"])
        if clock is None:
            add(CampaignProblem("scheduledTime", f"'{body['scheduledTime']}' is not a time in HH:mm:ss form"))
    if body.get("scheduledTimezone") not in (None, ""):
        zone = _zone(body["scheduledTimezone"])
        if zone is None:
            add(CampaignProblem("scheduledTimezone", f"'{body['scheduledTimezone']}' is not an IANA time zone "
                                                     "(e.g. America/Los_Angeles, Europe/London, Asia/Kolkata)"))
    if scheduled is True and day is not None:
        if clock is not None and zone is not None:
            launch = datetime.combine(day, clock, tzinfo=zone)
            if launch <= now:
                add(CampaignProblem("scheduledDate", f"the launch {launch.isoformat()} ({zone.key}) is in the past"))
        elif zone is not None and day < now.astimezone(zone).date():
            add(CampaignProblem("scheduledDate", f"{day.isoformat()} is in the past"))
    elif scheduled is not True and any(body.get(k) not in (None, "") for k in ("scheduledDate", "scheduledTime")):
        add(CampaignProblem("isScheduled", "is not true, so the schedule fields are ignored and the campaign starts "
                                           "at once", "warning"))

    if "concurrentCalls" in body:
        calls = body["concurrentCalls"]
        if isinstance(calls, bool) or not isinstance(calls, int):
            add(CampaignProblem("concurrentCalls", f"must be a whole number, not {_kind(calls)}"))
        elif not 1 <= calls <= INT32_MAX:
            add(CampaignProblem("concurrentCalls", f"must be a positive 32-bit integer (1 to {INT32_MAX}), "
                                                   f"not {calls}"))

    for key in ("variables", "dynamicVariables"):
        if key not in body or body[key] is None:
            continue
        value = body[key]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                add(CampaignProblem(key, f"a JSON string that does not parse ({exc.msg})"))
                continue
        if not isinstance(value, dict):
            add(CampaignProblem(key, f"must be an object of variable names to values, not {_kind(value)}"))
            continue
        for name, default in value.items():
            if variables is not None and name not in variables:
                add(CampaignProblem(f"{key}.{name}", f"'{name}' is not a variable of the agent "
                                                     f"(its variables: {', '.join(sorted(variables)) or 'none'})"))
            if isinstance(default, (dict, list)):
                add(CampaignProblem(f"{key}.{name}", f"a default must be text or a number, not {_kind(default)}"))
    return problems


def _check_sarvam(body: dict[str, Any], *, now: datetime) -> list[CampaignProblem]:
    problems: list[CampaignProblem] = []
    add = problems.append
    for key in sorted(set(body) - _SARVAM_KEYS):
        add(CampaignProblem(key, f"not a Sarvam campaign field (known: {', '.join(sorted(_SARVAM_KEYS))})",
                            "warning"))
    name = body.get("name")
    if name is not None:
        if not isinstance(name, str):
            add(CampaignProblem("name", f"must be a string, not {_kind(name)}"))
        elif not 1 <= len(name) <= 50:
            add(CampaignProblem("name", f"must be 1 to 50 characters long (it has {len(name)})"))
        elif not _SARVAM_NAME.match(name):
            bad = sorted({c for c in name if not _SARVAM_NAME.match(c)})
            add(CampaignProblem("name", "only letters, digits, hyphens, underscores and spaces are allowed "
                                        f"(found {' '.join(repr(c) for c in bad)})"))
    description = body.get("description")
    if description is not None:
        if not isinstance(description, str):
            add(CampaignProblem("description", f"must be a string, not {_kind(description)}"))
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
        return [CampaignProblem("allowed_schedule", f"must be an object, not {_kind(schedule)}")]
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
            times[key] = _clock(value if value.count(":") == 2 else value + ":00")
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
    if zone is not None and _zone(zone) is None:
        add(CampaignProblem("allowed_schedule.timezone", f"'{zone}' is not an IANA time zone (e.g. Asia/Kolkata)"))
    return problems


def _check_app_config(config: Any) -> list[CampaignProblem]:
    if not isinstance(config, dict):
        return [CampaignProblem("app_config", f"must be an object, not {_kind(config)}")]
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


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)


def _date(value: Any) -> date | None:
    """YYYY-MM-DD; also the midnight-UTC date-time SigmaMind's own example sends (2025-09-25T00:00:00.000Z)."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:T00:00:00(?:\.0+)?Z)?", value.strip())
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _clock(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    return parse_clock(value.strip(), two_digit_hour=True, seconds="required")


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
