"""The campaign request a contact list is prepared for: read the very JSON body the user will send (SigmaMind's
create/update body, Sarvam's campaign body, ...), tell whose it is, check it against every documented constraint,
and take its default variables.

Each platform's body is one :class:`~csvprep.job.campaign_body.CampaignFormat` in :data:`CAMPAIGN_FORMATS`, in a
module of its own; the constraints are the platforms' documentation (``../shared/api-docs``). Adding a platform
with a campaign body is one entry in :data:`csvprep.model.providers.PROVIDERS` (``campaign_body=True``) and one
format module listed here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io.files import read_capped
from ..model.limits import MAX_TEXT_FILE_BYTES
from ..model.rules import Rules
from .campaign_body import CampaignFormat, CampaignProblem
from .campaign_sarvam import SARVAM
from .campaign_sigmamind import SIGMAMIND
from .rules_file import with_defaults

# every platform whose campaign body csvprep reads, by provider name (the order of the provider table)
CAMPAIGN_FORMATS: dict[str, CampaignFormat] = {fmt.provider: fmt for fmt in (SIGMAMIND, SARVAM)}


@dataclass(frozen=True)
class Campaign:
    """A campaign body as read from its JSON file, and whose it is (a key of :data:`CAMPAIGN_FORMATS`)."""

    body: dict[str, Any]
    provider: str
    source: str

    @property
    def format(self) -> CampaignFormat:
        return CAMPAIGN_FORMATS[self.provider]

    @property
    def defaults(self) -> dict[str, Any]:
        """The campaign's default dynamic variables (SigmaMind's ``variables`` / ``dynamicVariables``); none for a
        platform that maps variables to columns in the upload instead (Sarvam)."""
        return self.format.defaults(self.body)

    def launch_time(self) -> datetime | None:
        """When a scheduled campaign launches (aware datetime), if the body says so validly (SigmaMind's
        schedule)."""
        return self.format.launch_time(self.body)


def load_campaign(path: str | Path, provider: str | None = None) -> Campaign:
    """Read a campaign body (JSON). ``provider`` is detected from the keys when not given."""
    path = Path(path)
    try:
        text = read_capped(path, MAX_TEXT_FILE_BYTES, "campaign body").decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the campaign body is not UTF-8 text") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # an integer past Python's limit on digits (sys.get_int_max_str_digits)
        raise InputError(f"{path}: not valid JSON ({' '.join(str(exc).split(';')[0].split())})") from None
    if not isinstance(body, dict):
        raise InputError(f"{path}: the campaign body must be a JSON object")
    if provider is None:
        provider = detect_provider(body, str(path))
    elif provider not in CAMPAIGN_FORMATS:
        raise InputError(f"{path}: unknown provider '{provider}' (one of {', '.join(CAMPAIGN_FORMATS)})")
    return Campaign(body=body, provider=provider, source=str(path))


def with_campaign_defaults(rules: Rules, campaign: Campaign) -> Rules:
    """The rules with the campaign's default variables laid over the rules' own: a contact's CSV value first, then
    the campaign's default, then the rules'. A default for a variable the agent does not have is left out here:
    :func:`check_campaign` reports it, as the platform would."""
    known = {v.name for v in rules.variables}
    defaults = {key: value for key, value in campaign.defaults.items()
                if key in known and not isinstance(value, (dict, list))}
    return with_defaults(rules, defaults, campaign.source)


def detect_provider(body: dict[str, Any], source: str) -> str:
    """Whose campaign body this is: the format whose keys the body has most of (a tie is no answer)."""
    counts = {name: len(fmt.keys & set(body)) for name, fmt in CAMPAIGN_FORMATS.items()}
    best = max(counts.values())
    if best == 0 or list(counts.values()).count(best) > 1:
        raise InputError(f"{source}: cannot tell whose campaign body this is: pass --provider "
                         f"{'|'.join(CAMPAIGN_FORMATS)}")
    return next(name for name, count in counts.items() if count == best)


def check_campaign(campaign: Campaign, *, update: bool = False, now: datetime | None = None,
                   variables: set[str] | None = None) -> list[CampaignProblem]:
    """Every problem the platform would find in the body. ``update``: a partial update (PATCH), where no field is
    required; ``variables``: the agent's variable names, which default keys must be among."""
    return campaign.format.check(campaign.body, update=update, now=now or datetime.now(timezone.utc),
                                 variables=variables)
