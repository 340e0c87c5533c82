"""Calling windows and launch times as data: a window of hours and days, the launch it is checked at, the summary
of a check, and the parsing of each from a flag, a rules table or a campaign body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import lru_cache

from ..errors import RulesError

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

UNKNOWN_ZONE = "Etc/Unknown"

# a time of day, 24-hour: '9:00', '09:00', '09:00:30' (the one clock pattern: calling windows and campaign bodies)
CLOCK = re.compile(r"^(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])(?::(?P<second>[0-5][0-9]))?$")


@dataclass(frozen=True)
class CallingWindow:
    """When calls may be placed, in the contact's local time: ``start`` <= time < ``end`` on ``days``."""

    start: time
    end: time
    days: tuple[str, ...] = DAYS

    def __str__(self) -> str:
        days = "" if self.days == DAYS else f" on {', '.join(day[:3] for day in self.days)}"
        return f"{self.start:%H:%M}-{self.end:%H:%M}{days}"

    def admits(self, moment: datetime) -> bool:
        return DAYS[moment.weekday()] in self.days and self.start <= moment.time().replace(tzinfo=None) < self.end


@dataclass(frozen=True)
class CallingHours:
    """A window and the launch time to check it at (an aware datetime)."""

    window: CallingWindow
    launch: datetime
    strict: bool = False
    zone_column: str | None = None  # found in the file when not given


@dataclass
class CallingSummary:
    """Per time zone: contacts, and how many can be called at launch; the earliest launch at which all can."""

    window: str
    launch: str
    by_time_zone: dict[str, dict[str, int]] = field(default_factory=dict)
    earliest_launch_all_inside: str | None = None
    note: str | None = None


def parse_window(text: str, days: list[str] | tuple[str, ...] | None = None, origin: str = "--calling-hours"
                 ) -> CallingWindow:
    """``09:00-20:00`` (and day names) into a window."""
    parts = text.replace("–", "-").split("-")
    if len(parts) != 2:
        raise RulesError(f"{origin}: '{text}' is not a window such as 09:00-20:00")
    start, end = (_clock(part.strip(), origin) for part in parts)
    return _window(start, end, days, origin)


def window_from_table(table: dict, origin: str) -> CallingWindow:
    """``[calling_hours] start = "09:00"``, ``end = "20:00"``, ``days = [...]`` of a rules file."""
    unknown = set(table) - {"start", "end", "days"}
    if unknown:
        raise RulesError(f"{origin}: unknown key(s) {', '.join(sorted(unknown))} (known: start, end, days)")
    if "start" not in table or "end" not in table:
        raise RulesError(f"{origin}: needs start and end, e.g. start = \"09:00\", end = \"20:00\"")
    return _window(_clock(str(table["start"]), origin), _clock(str(table["end"]), origin), table.get("days"), origin)


def _window(start: time, end: time, days, origin: str) -> CallingWindow:
    if start >= end:
        raise RulesError(f"{origin}: the window must start before it ends ({start:%H:%M} is not before {end:%H:%M})")
    if days is None:
        return CallingWindow(start, end)
    if not isinstance(days, (list, tuple)) or not days:
        raise RulesError(f"{origin}: days must be a non-empty list of day names")
    named = []
    for day in days:
        match = next((d for d in DAYS if isinstance(day, str) and d.lower() == day.strip().lower()), None)
        if match is None:
            raise RulesError(f"{origin}: '{day}' is not a day name (Monday…Sunday)")
        named.append(match)
    return CallingWindow(start, end, tuple(d for d in DAYS if d in named))


def parse_clock(text: str, *, two_digit_hour: bool = False, seconds: str = "optional") -> time | None:
    """A time of day written as :data:`CLOCK` reads it, or None; ``two_digit_hour``: '09:00', never '9:00';
    ``seconds``: "optional" or "required"."""
    match = CLOCK.match(text)
    if not match or (two_digit_hour and len(match["hour"]) != 2) or (seconds == "required" and not match["second"]):
        return None
    return time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))


def _clock(text: str, origin: str) -> time:
    found = parse_clock(text.strip())
    if found is None:
        raise RulesError(f"{origin}: '{text}' is not a time of day such as 09:00")
    return found


def parse_launch(text: str, origin: str = "--launch-at") -> datetime:
    """An ISO 8601 date-time with its offset or zone (``2026-11-24T09:30:00-05:00``, ``...Z``)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RulesError(f"{origin}: '{text}' is not an ISO 8601 date-time such as 2026-11-24T09:30:00-05:00") from None
    if moment.tzinfo is None:
        raise RulesError(f"{origin}: '{text}' has no time zone: add its offset (e.g. -05:00) or Z")
    return moment


def zone(name: object):
    """The IANA time zone called ``name``, or None when it is not one (also for names with blanks around or path
    tricks, which zoneinfo might read as files)."""
    if not isinstance(name, str) or not name or name != name.strip() or ".." in name or name.startswith("/"):
        return None
    return _zone_named(name)


@lru_cache(maxsize=None)
def _zone_named(name: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
