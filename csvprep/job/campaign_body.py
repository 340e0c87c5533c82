"""What every campaign format shares: a problem found in a body, the :class:`CampaignFormat` entry each platform
with a campaign body registers (its keys, its check, its defaults, its launch time and its calling window), and the
field helpers the format modules share. The entries are in :mod:`csvprep.job.campaign_sigmamind` and
:mod:`csvprep.job.campaign_sarvam`; :data:`csvprep.job.campaign.CAMPAIGN_FORMATS` lists them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol

from ..model.calling import CallingWindow, parse_clock


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


def kind(value: Any) -> str:
    """How a problem names a JSON value's type: text, a number, a list..."""
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)


def clock_time(value: Any) -> time | None:
    """A time of day in HH:MM:SS form (two-digit hour, seconds required), else None."""
    if not isinstance(value, str):
        return None
    return parse_clock(value.strip(), two_digit_hour=True, seconds="required")



class CampaignCheck(Protocol):
    """A format's check: every problem the platform would find in ``body``. ``update``: a partial update (PATCH),
    where no field is required; ``now``: the moment a schedule must be after; ``variables``: the agent's variable
    names, which default keys must be among (None: not known)."""

    def __call__(self, body: dict[str, Any], *, update: bool, now: datetime,
                 variables: set[str] | None) -> list[CampaignProblem]: ...


def _no_defaults(body: dict[str, Any]) -> dict[str, Any]:
    return {}


def _no_launch(body: dict[str, Any]) -> datetime | None:
    return None


def _no_window(body: dict[str, Any], source: str) -> CallingWindow | None:
    return None


@dataclass(frozen=True)
class CampaignFormat:
    """One platform's campaign body: how to tell it, check it and read what the run takes from it. ``provider`` is
    the platform's name in :data:`csvprep.model.providers.PROVIDERS` (where it has ``campaign_body=True``)."""

    provider: str
    title: str  # the platform's own spelling, for help texts: SigmaMind
    keys: frozenset[str]  # its top-level fields: a body is the format whose keys it has most of
    check: CampaignCheck
    # the default dynamic variables it gives contacts whose cells are empty
    defaults: Callable[[dict[str, Any]], dict[str, Any]] = _no_defaults
    # when a scheduled campaign launches (an aware datetime), if the body says so validly
    launch_time: Callable[[dict[str, Any]], datetime | None] = _no_launch
    launch_field: str | None = None  # the fields launch_time reads, for help texts: schedule
    # the calling window the body sets, parsed (RulesError when it is malformed), named after ``source`` in messages
    window: Callable[[dict[str, Any], str], CallingWindow | None] = _no_window
    window_field: str | None = None  # the field window reads, for help texts: allowed_schedule
