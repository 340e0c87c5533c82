"""The calling hours a run checks, resolved from the flags, the campaign body and the rules."""

from __future__ import annotations

from datetime import datetime, timezone

from ..errors import RulesError
from ..model.calling import CallingHours, parse_launch, parse_window
from ..model.rules import Rules
from .campaign import Campaign


def resolve_calling_hours(rules: Rules, *, window: str | None = None, launch: str | None = None,
                          campaign: Campaign | None = None, strict: bool = False) -> CallingHours | None:
    """The calling hours of a run: the window from ``window`` (``09:00-20:00``), else the one the campaign body sets
    (Sarvam's ``allowed_schedule``), else the rules' ``[calling_hours]``; the launch from ``launch`` (ISO 8601),
    else the campaign's scheduled launch (SigmaMind's schedule), else now. None when no window is set anywhere."""
    chosen = None
    if window is not None:
        chosen = parse_window(window)
    elif campaign is not None:
        chosen = campaign.format.window(campaign.body, campaign.source)
    chosen = chosen or rules.calling_window
    if chosen is None:
        if launch is not None:
            raise RulesError("--launch-at needs a calling window: pass --calling-hours or set [calling_hours]")
        return None
    if launch is not None:
        moment = parse_launch(launch)
    elif campaign is not None and campaign.launch_time() is not None:
        moment = campaign.launch_time()
    else:
        moment = datetime.now(timezone.utc).replace(microsecond=0)
    return CallingHours(chosen, moment, strict=strict)
