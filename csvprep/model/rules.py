"""The rules for one agent as plain typed data: the phone column and which numbers are accepted, the dynamic
variables and their checks, the duplicate policy, the calling window. :mod:`csvprep.job.rules_file` reads them from
TOML and validates them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers

from ..errors import RulesError
from .calling import CallingWindow

DUPLICATE_POLICIES = ("reject", "warn", "keep")


@dataclass(frozen=True)
class PhoneRule:
    """How the phone column is found and which numbers are accepted."""

    column: str | None = None
    default_region: str | None = None
    allowed_regions: tuple[str, ...] | None = None
    allowed_types: tuple[str, ...] | None = None
    fix_missing_plus: bool = True
    # the column of each number's country code ('+91', 'IN', 'India') when it is written apart from the number:
    # None finds one by its header (Country Code, Dial Code...), False uses none
    country_code_column: str | bool | None = None


@dataclass(frozen=True)
class VariableRule:
    """One dynamic variable of the agent (``{{name}}`` in its prompt) and the checks on its column."""

    name: str
    column: str | None = None
    required: bool = False
    type: str = "string"
    values: tuple[str, ...] = ()
    case_sensitive: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    formats: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    decimal_separator: str | None = None  # '.' or ','; None: ',' in a semicolon-separated file, else '.'
    default: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class DuplicateRule:
    """What to do with a row whose key (by default its E.164 number) repeats an earlier accepted row."""

    policy: str = "reject"
    key: tuple[str, ...] = ("phone",)


@dataclass(frozen=True)
class Rules:
    """Everything csvprep checks for one agent. Build with :func:`load_rules` or :func:`rules_from_dict`."""

    agent_name: str | None = None
    agent_id: str | None = None
    phone: PhoneRule = field(default_factory=PhoneRule)
    variables: tuple[VariableRule, ...] = ()
    duplicates: DuplicateRule = field(default_factory=DuplicateRule)
    source: str = "<rules>"
    prompt_file: str | None = None  # the agent's prompt template, relative to the rules file
    calling_window: CallingWindow | None = None  # from [calling_hours]

    @property
    def defaults(self) -> dict[str, str]:
        return {v.name: v.default for v in self.variables if v.default is not None}

    def prompt_path(self) -> Path | None:
        """Where ``[agent] prompt_file`` points, relative to the rules file."""
        if self.prompt_file is None:
            return None
        base = Path(self.source).parent if self.source not in ("<rules>", "") else Path.cwd()
        return base / self.prompt_file

    def with_region(self, region: str) -> Rules:
        """These rules with another default region (``--region``)."""
        region = check_region(region, f"{self.source}: --region")
        return dataclasses.replace(self, phone=dataclasses.replace(self.phone, default_region=region))


def check_region(region: Any, where: str) -> str:
    """``region`` as the ISO 3166-1 alpha-2 code phonenumbers knows (any case), else :class:`RulesError` naming
    ``where``."""
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        suggestion = ""
        if isinstance(region, str) and region.upper() == "UK":
            suggestion = " (the United Kingdom is 'GB')"
        raise RulesError(f"{where}: {region!r} is not an ISO 3166-1 alpha-2 region phonenumbers knows{suggestion}")
    return region.upper()
