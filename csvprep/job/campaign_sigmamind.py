"""SigmaMind's campaign body (its create and update request): the fields it knows and their constraints, the
default dynamic variables it gives contacts, and the launch of a scheduled campaign."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from ..model import calling
from ..model.e164 import E164_PATTERN
from .campaign_body import CampaignFormat, CampaignProblem, clock_time, kind

INT32_MAX = 2**31 - 1
_SIGMAMIND_KEYS = frozenset({"campaignName", "sipPhoneNumber", "agentId", "isScheduled", "scheduledDate",
                             "scheduledTime", "scheduledTimezone", "concurrentCalls", "variables", "dynamicVariables"})


def check_sigmamind(body: dict[str, Any], *, update: bool, now: datetime,
                    variables: set[str] | None) -> list[CampaignProblem]:
    """Every problem SigmaMind would find in a create (or, with ``update``, update) body."""
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
            add(CampaignProblem("campaignName", f"must be a string, not {kind(name)}"))
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
            add(CampaignProblem("sipPhoneNumber", f"must be a string, not {kind(caller)}"))
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
            add(CampaignProblem("agentId", f"must be a string, not {kind(agent)}"))
        elif not 1 <= len(agent) <= 64:
            add(CampaignProblem("agentId", f"must be 1 to 64 characters long (it has {len(agent)})"))

    scheduled = body.get("isScheduled")
    if "isScheduled" in body and not isinstance(scheduled, bool):
        add(CampaignProblem("isScheduled", f"must be true or false, not {kind(scheduled)}"))
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
        clock = clock_time(body["scheduledTime"])
        if clock is None:
            add(CampaignProblem("scheduledTime", f"'{body['scheduledTime']}' is not a time in HH:mm:ss form"))
    if body.get("scheduledTimezone") not in (None, ""):
        zone = calling.zone(body["scheduledTimezone"])
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
            add(CampaignProblem("concurrentCalls", f"must be a whole number, not {kind(calls)}"))
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
            add(CampaignProblem(key, f"must be an object of variable names to values, not {kind(value)}"))
            continue
        for name, default in value.items():
            if variables is not None and name not in variables:
                add(CampaignProblem(f"{key}.{name}", f"'{name}' is not a variable of the agent "
                                                     f"(its variables: {', '.join(sorted(variables)) or 'none'})"))
            if isinstance(default, (dict, list)):
                add(CampaignProblem(f"{key}.{name}", f"a default must be text or a number, not {kind(default)}"))
    return problems


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


def _defaults(body: dict[str, Any]) -> dict[str, Any]:
    """The default dynamic variables (``variables`` / ``dynamicVariables``, which may arrive as a JSON string)."""
    for key in ("dynamicVariables", "variables"):
        value = body.get(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return {}
        if isinstance(value, dict):
            return value
    return {}


def _launch_time(body: dict[str, Any]) -> datetime | None:
    """When a scheduled campaign launches (an aware datetime), if the body says so validly."""
    if body.get("isScheduled") is not True:
        return None
    day, clock, zone = (_date(body.get("scheduledDate")), clock_time(body.get("scheduledTime")),
                        calling.zone(body.get("scheduledTimezone")))
    if day is None or clock is None or zone is None:
        return None
    return datetime.combine(day, clock, tzinfo=zone)


SIGMAMIND = CampaignFormat(provider="sigmamind", title="SigmaMind", keys=_SIGMAMIND_KEYS, check=check_sigmamind,
                           defaults=_defaults, launch_time=_launch_time, launch_field="schedule")
