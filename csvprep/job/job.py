"""What a command asks for, assembled once: a :class:`Job` is the rules (with the prompt's variables, the
campaign's defaults and the region applied), the do-not-call lists read, the calling hours resolved, the provider
and the run options. :func:`build_job` assembles one from what a user names (files, flags); the CLI and the
library build the same Job and hand it to :func:`csvprep.run`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from ..errors import ConfigError, CsvprepError, RulesError, gathered
from ..model.calling import CallingHours
from ..model.contacts import ADDABLE_COLUMNS, ReadOptions
from ..model.e164 import UNKNOWN_REGION
from ..model.providers import Provider, get_provider
from ..model.rules import Rules
from ..stages.phones.regions import code_region, country_name
from ..stages.suppression import SuppressionList, load_suppression
from .calling import resolve_calling_hours
from .campaign import Campaign, CampaignProblem, check_campaign, load_campaign, with_campaign_defaults
from .prompt import PromptVariables, apply_prompt, read_prompt
from .rules_file import load_rules


@dataclass(frozen=True)
class Job:
    """One run's settings, resolved: everything :func:`csvprep.run` needs besides the input, and what assembling
    them found.

    ``rules`` already hold the prompt's variables, the campaign's defaults and the default region; ``suppress``
    are the do-not-call lists, read; ``calling`` the calling window and the launch it is checked at (None: no
    window); ``add_columns`` any of :data:`~csvprep.model.contacts.ADDABLE_COLUMNS`; ``provider`` shapes the
    outputs of a clean for one platform. ``prompt`` is the template read (a preview renders it), ``campaign`` the
    campaign body read, ``campaign_problems`` what checking it found (errors and warnings: its notes are left
    out), ``notes`` the rules variables the prompt never uses, as messages."""

    rules: Rules
    strict: bool = False
    read_options: ReadOptions = field(default_factory=ReadOptions)
    suppress: tuple[SuppressionList, ...] = ()
    calling: CallingHours | None = None
    add_columns: tuple[str, ...] = ()
    provider: Provider | None = None  # shapes the outputs of a clean
    part_rows: int | None = None  # records per part; None: csvprep.app.run.PART_ROWS when the run starts
    notes: tuple[str, ...] = ()  # what assembling the job found worth saying (rules variables the prompt never uses)
    prompt: PromptVariables | None = None
    campaign: Campaign | None = None
    campaign_problems: tuple[CampaignProblem, ...] = ()

    @property
    def campaign_failed(self) -> bool:
        """The campaign body has errors: the platform would refuse it (``csvprep`` exits 1)."""
        return any(problem.severity == "error" for problem in self.campaign_problems)


def build_job(
    rules: Rules | str | Path | None,
    *,
    region: str | None = None,
    strict: bool = False,
    read_options: ReadOptions | None = None,
    prompt: str | Path | PromptVariables | None = None,
    require_prompt: bool = False,
    campaign: str | Path | Campaign | None = None,
    campaign_provider: str | None = None,
    calling_hours: str | None = None,
    launch_at: str | None = None,
    resolve_calling: bool = True,
    suppress: Sequence[str | Path | SuppressionList] = (),
    add_columns: str | Sequence[str] = (),
    provider: str | Provider | None = None,
    part_rows: int | None = None,
    on_note: Callable[[str], None] | None = None,
    on_campaign_problem: Callable[[CampaignProblem], None] | None = None,
) -> Job:
    """Assemble what a command asks for into a :class:`Job`, in this order (every problem found is in the one
    :class:`~csvprep.errors.CsvprepError` raised at the end, its ``messages`` one per problem):

    1. ``rules``: a :class:`Rules`, or the path of a rules file (:func:`csvprep.load_rules`); None: no rules (the
       phone column found by its header, no variables: every other column passed through);
    2. the prompt template (``prompt``, else the rules' ``[agent] prompt_file``): its variables join the rules
       (:func:`csvprep.job.prompt.apply_prompt`); each rules variable it never uses is a note. ``require_prompt``:
       :class:`ConfigError` when there is no prompt at all (a preview needs one);
    3. ``provider``: the platform the outputs are shaped for (a name of :data:`csvprep.model.providers.PROVIDERS`);
    4. the campaign body (``campaign``: its JSON file, or a :class:`Campaign`): checked against the rules'
       variables, and its default variables laid over the rules'. Whose body it is: ``campaign_provider``, else the
       upload ``provider`` when that platform has a campaign body, else detected from its keys;
    5. the calling hours (:func:`csvprep.resolve_calling_hours`): ``calling_hours`` (``09:00-20:00``), else the
       campaign's window, else the rules' ``[calling_hours]``; launched at ``launch_at`` (ISO 8601), else the
       campaign's schedule, else now. ``resolve_calling=False`` leaves them out (a preview checks no window);
    6. ``add_columns``: ``"timezone,country"`` or a sequence of names, checked;
    7. ``region``: the default region for numbers without a country code (checked first:
       :func:`region_option`), applied to the rules; then the
       do-not-call lists (``suppress``: paths, or lists already read), their numbers read with that region.

    Problems of the campaign body and the prompt's notes do not raise: they are in ``job.campaign_problems`` and
    ``job.notes``, and ``on_campaign_problem`` / ``on_note`` get each as soon as it is found (before a later step
    can fail), which is how ``csvprep`` prints them. Raises :class:`~csvprep.errors.CsvprepError` subclasses when a
    file cannot be read or a setting is wrong."""
    problems: list[CsvprepError] = []

    def attempt(step, *args, fallback=None, **kwargs):
        try:
            return step(*args, **kwargs)
        except CsvprepError as exc:
            problems.append(exc)
            return fallback

    # every wrong option and every mistake of the rules found in one go (the first of each step), not one a run
    if region is not None:
        region = attempt(region_option, region)
    loaded = rules if isinstance(rules, Rules) else Rules() if rules is None else attempt(load_rules, rules)
    usable = loaded if loaded is not None else Rules()  # what later steps check against while the rules are wrong

    template = None
    notes: list[str] = []
    source = prompt if prompt is not None else usable.prompt_path()
    if source is None and require_prompt:
        problems.append(ConfigError("no prompt: pass --prompt FILE, or set prompt_file under [agent] in the rules"))
    if source is not None:
        template = source if isinstance(source, PromptVariables) else attempt(read_prompt, source)
    if template is not None:
        usable, notes = apply_prompt(usable, template)
        for note in notes:
            if on_note is not None and loaded is not None:
                on_note(note)

    upload = attempt(get_provider, provider) if isinstance(provider, str) else provider

    body = None
    found: list[CampaignProblem] = []
    if campaign is not None:
        if isinstance(campaign, Campaign):
            body = campaign
        else:
            if campaign_provider is None and upload is not None and upload.campaign_body:
                campaign_provider = upload.name
            body = attempt(load_campaign, campaign, campaign_provider)
    if body is not None and loaded is not None:
        # the notes are what csvprep cannot check (a name unique in the account): `csvprep campaign check` shows them
        found = [problem for problem in check_campaign(body, variables={v.name for v in usable.variables})
                 if problem.severity != "note"]
        for problem in found:
            if on_campaign_problem is not None:
                on_campaign_problem(problem)
        usable = attempt(with_campaign_defaults, usable, body, fallback=usable)

    calling = None
    if resolve_calling:
        calling = attempt(resolve_calling_hours, usable, window=calling_hours, launch=launch_at, campaign=body,
                          strict=strict)
    columns = attempt(parse_add_columns, add_columns, fallback=())

    if region is not None:
        usable = usable.with_region(region)
    lists = tuple(entry if isinstance(entry, SuppressionList) else attempt(load_suppression, entry, usable.phone)
                  for entry in suppress)
    if problems:
        raise gathered(problems)

    return Job(rules=usable, strict=strict, read_options=read_options or ReadOptions(), suppress=lists,
               calling=calling, add_columns=columns, provider=upload, part_rows=part_rows, notes=tuple(notes),
               prompt=template, campaign=body, campaign_problems=tuple(found))


def region_option(region: str) -> str:
    """``--region`` as the region code phonenumbers knows; :class:`RulesError` blaming the flag otherwise, with
    the code meant when it names a country another way (``USA``: US, ``India``: IN, ``+91``: IN)."""
    if isinstance(region, str) and region.upper() in phonenumbers.SUPPORTED_REGIONS:
        return region.upper()
    meant = code_region(region) if isinstance(region, str) else None
    hint = f"; did you mean {meant}? ({country_name(meant)})" if meant and meant != UNKNOWN_REGION else ""
    raise RulesError(f"--region: {region!r} is not an ISO 3166-1 alpha-2 region code phonenumbers knows{hint}")


def parse_add_columns(value: str | Sequence[str]) -> tuple[str, ...]:
    """The columns to add to cleaned.csv: ``"timezone,country"`` (as ``--add-columns`` takes them) or a sequence
    of names, each one of :data:`~csvprep.model.contacts.ADDABLE_COLUMNS`; :class:`ConfigError` for any other."""
    parts = value.split(",") if isinstance(value, str) else value
    wanted = tuple(part.strip() for part in parts if part.strip())
    unknown = [name for name in wanted if name not in ADDABLE_COLUMNS]
    if unknown:
        raise ConfigError(f"--add-columns: unknown column(s) {', '.join(unknown)} "
                          f"(one of {', '.join(ADDABLE_COLUMNS)})")
    return wanted
