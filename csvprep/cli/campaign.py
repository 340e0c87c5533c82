"""``csvprep campaign create|update|get|list|status|upload|reconcile``: the campaign platforms' APIs
(:mod:`csvprep.platforms`) with the cleaned list. API keys come from the environment only; ``--dry-run`` prints
each request (the key redacted) and sends nothing. Registered on ``csvprep campaign`` by :func:`register`.

Exit codes: 0 done (reconcile: the platform took every row csvprep passed), 1 reconcile found rows the platform
refused, 2 could not run (an HTTP error is one line with the status and the platform's message)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import PlatformError
from .options import Format, OutOption, RegionOption, RulesOption
from .printing import say, warn
from .settings import find_settings, merge_settings

EXIT_CLEAN, EXIT_REFUSED = 0, 1
PLATFORMS = ("sigmamind", "sarvam")

PlatformOption = Annotated[Optional[str], typer.Option(
    "--provider", "-p", help=f"The platform: {' or '.join(PLATFORMS)} (create and update: told from the body).")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", help="Print each request csvprep would send (the API key redacted) and send nothing.")]
JsonOption = Annotated[Format, typer.Option(
    "--format", "-f", help="text: a table; json: the platform's JSON unchanged.")]
OrgOption = Annotated[Optional[str], typer.Option("--org", help="Sarvam's organisation id; or SARVAM_ORG_ID.")]
WorkspaceOption = Annotated[Optional[str], typer.Option(
    "--workspace", help="Sarvam's workspace id; or SARVAM_WORKSPACE_ID.")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0.1, help="Seconds to wait for each answer.")]
RetriesOption = Annotated[int, typer.Option(
    "--retries", min=0, max=10, help="How often a GET (or a request refused with 429) is tried again.")]


def _client(provider: str, dry_run: bool, timeout: float = 30.0, retries: int = 4, org: str | None = None,
            workspace: str | None = None):
    import os

    from ..platforms.clients import connect
    from ..platforms.http import Policy
    from ..platforms.sarvam import ORG_ENV, WORKSPACE_ENV

    if provider == "sarvam" and not (org and workspace):  # a flag, else the environment, else [tool.csvprep]
        settings = find_settings()
        org = org or os.environ.get(ORG_ENV) or settings.sarvam_org
        workspace = workspace or os.environ.get(WORKSPACE_ENV) or settings.sarvam_workspace

    def echo(text: str) -> None:
        for line in text.splitlines():
            say(line)

    return connect(provider, dry_run=dry_run, policy=Policy(timeout=timeout, retries=retries), echo=echo, org=org,
                   workspace=workspace)


def _platform(provider: str | None, what: str) -> str:
    if provider is None:
        raise PlatformError(f"{what}: pass --provider {'|'.join(PLATFORMS)}")
    if provider not in PLATFORMS:
        raise PlatformError(f"unknown platform '{provider}' (one of {', '.join(PLATFORMS)})")
    return provider


def _show(record: Any, fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(record, indent=2, ensure_ascii=False))
        return
    rows = record if isinstance(record, list) else [record]
    _table(rows)


def _table(records: list[dict[str, Any]]) -> None:
    """id, name, status, schedule and errors of each campaign, in columns."""
    if not records:
        say("no campaigns")
        return
    lines = [("ID", "NAME", "STATUS", "SCHEDULED", "ERRORS")]
    for r in records:
        errors = r.get("errors")
        lines.append((str(r.get("campaignId") or r.get("campaign_id") or ""), str(r.get("campaignName") or
                      r.get("name") or ""), str(r.get("campaignStatus") or r.get("status") or ""),
                      str(r.get("scheduledDate") or r.get("start_timestamp") or ""),
                      str(len(errors)) if isinstance(errors, list) else ""))
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    for line in lines:
        say("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())


def register(campaign_app: typer.Typer) -> None:
    """Add the API commands to ``csvprep campaign``."""

    @campaign_app.command("create")
    def create_command(
        body: Annotated[Path, typer.Argument(help="The campaign body (JSON) to create the campaign from.")],
        contacts: Annotated[Path, typer.Option("--list", "-l", help="The contact file to clean and upload.")],
        rules: RulesOption = None,
        out: OutOption = None,
        region: RegionOption = None,
        provider: PlatformOption = None,
        start_now: Annotated[bool, typer.Option(
            "--start-now", help="SigmaMind: create a campaign that is not scheduled, which dials at once.")] = False,
        cohort_name: Annotated[Optional[str], typer.Option("--cohort-name", help="Sarvam: the cohort's name.")
                               ] = None,
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        dry_run: DryRunOption = False,
        timeout: TimeoutOption = 30.0,
        poll_timeout: Annotated[float, typer.Option(
            "--poll-timeout", min=0, help="Sarvam: seconds to wait for the cohort to be processed.")] = 600.0,
        fmt: JsonOption = Format.text,
    ) -> int:
        """Clean the list as csvprep clean does (outputs in OUT), then create the campaign with cleaned.csv."""
        from ..app.launch import launch
        from ..job.job import build_job

        options = merge_settings(find_settings(), rules=rules, region=region, out=out, need_out=True)
        job = build_job(options.rules, region=options.region, campaign=body, campaign_provider=provider,
                        on_note=warn, on_campaign_problem=lambda problem: say(f"{body}: {problem}", err=True))
        job = _shaped_for(job)
        client = _client(job.campaign.provider, dry_run, timeout, org=org, workspace=workspace)
        done = launch(job, contacts, client, out_dir=options.out, start_now=start_now, cohort_name=cohort_name,
                      progress=lambda line: say(line, err=True), poll_timeout=poll_timeout)
        summary = done.result.summary
        say(f"{contacts}: {summary.rows_clean:,} contacts passed, {summary.rows_rejected:,} rejected "
            f"(outputs in {options.out})", err=True)
        if dry_run:
            say("dry run: nothing was sent", err=True)
            return done.result.exit_code
        if done.campaign.pop("_recovered", False):
            warn("the create request got no answer, but the campaign list shows it was created")
        if done.cohort is not None:
            _say_cohort(done.cohort)
        _show(done.campaign, fmt)
        say(f"created campaign {done.campaign_id}; later: csvprep campaign reconcile {done.campaign_id} "
            f"--out {options.out}", err=True)
        return done.result.exit_code  # as clean's: 1 when csvprep rejected rows

    @campaign_app.command("update")
    def update_command(
        campaign_id: Annotated[str, typer.Argument(help="The campaign's id.")],
        body: Annotated[Path, typer.Argument(help="The fields to change (JSON).")],
        provider: PlatformOption = None,
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        dry_run: DryRunOption = False,
        timeout: TimeoutOption = 30.0,
        fmt: JsonOption = Format.text,
    ) -> int:
        """Update a campaign (SigmaMind: PATCH; Sarvam: only while paused or scheduled, checked first)."""
        from ..job.campaign import check_campaign, load_campaign

        campaign = load_campaign(body, provider)
        problems = [p for p in check_campaign(campaign, update=True) if p.severity == "error"]
        for problem in problems:
            say(f"{body}: {problem}", err=True)
        if problems:
            raise PlatformError(f"{body}: the update has errors: nothing was sent")
        record = _client(campaign.provider, dry_run, timeout, org=org, workspace=workspace).update(
            campaign_id, campaign.body)
        if not dry_run:
            _show(record, fmt)
        return EXIT_CLEAN

    @campaign_app.command("get")
    def get_command(
        campaign_id: Annotated[str, typer.Argument(help="The campaign's id.")],
        provider: PlatformOption = None,
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        dry_run: DryRunOption = False,
        timeout: TimeoutOption = 30.0,
        retries: RetriesOption = 4,
        fmt: JsonOption = Format.text,
    ) -> int:
        """Show a campaign (SigmaMind's includes the errors its CSV upload found)."""
        record = _client(_platform(provider, "campaign get"), dry_run, timeout, retries, org, workspace).get(
            campaign_id)
        if not dry_run:
            _show(record, fmt)
            for error in (record.get("errors") or []) if fmt is Format.text else []:
                say(f"  {error}")
        return EXIT_CLEAN

    @campaign_app.command("list")
    def list_command(
        provider: PlatformOption = None,
        status: Annotated[Optional[str], typer.Option("--status", help="Only campaigns in this status.")] = None,
        every: Annotated[bool, typer.Option("--all", help="Follow the pages to the last one.")] = False,
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        dry_run: DryRunOption = False,
        timeout: TimeoutOption = 30.0,
        retries: RetriesOption = 4,
        fmt: JsonOption = Format.text,
    ) -> int:
        """List campaigns (the first page; --all every page)."""
        provider = _platform(provider, "campaign list")
        known = {"sigmamind": ("live", "scheduled", "paused", "completed"),
                 "sarvam": ("scheduled", "active", "paused", "ended", "cancelled")}[provider]
        if status is not None and status not in known:
            raise PlatformError(f"campaign list: --status {status} is not a {provider} status (one of "
                                f"{', '.join(known)})")
        client = _client(provider, dry_run, timeout, retries, org, workspace)
        pages = list(client.pages(status, every=every))
        if dry_run:
            return EXIT_CLEAN
        if fmt is Format.json:
            typer.echo(json.dumps(pages if every else pages[0] if pages else {}, indent=2, ensure_ascii=False))
        else:
            _table([item for page in pages for item in (page.get("data") or page.get("items") or [])])
        return EXIT_CLEAN

    @campaign_app.command("status")
    def status_command(
        campaign_id: Annotated[str, typer.Argument(help="The campaign's id.")],
        action: Annotated[str, typer.Argument(help="pause, resume or cancel.")],
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        dry_run: DryRunOption = False,
        timeout: TimeoutOption = 30.0,
        fmt: JsonOption = Format.text,
    ) -> int:
        """Pause, resume or cancel a Sarvam campaign (SigmaMind documents no endpoint for it)."""
        record = _client("sarvam", dry_run, timeout, org=org, workspace=workspace).set_status(campaign_id, action)
        if not dry_run and record:
            _show(record, fmt)
        return EXIT_CLEAN

    @campaign_app.command("upload")
    def upload_command(
        campaign_id: Annotated[str, typer.Argument(help="The Sarvam campaign's id.")],
        contacts: Annotated[Optional[Path], typer.Option("--list", "-l", help="The contact file to clean and "
                                                         "upload as another cohort.")] = None,
        exclude: Annotated[Optional[Path], typer.Option("--exclude", help="A stop file to upload: Sarvam removes "
                                                        "the contacts it names from the campaign.")] = None,
        rules: RulesOption = None,
        out: OutOption = None,
        region: RegionOption = None,
        start_now: Annotated[bool, typer.Option(
            "--start-now", help="Upload to an active campaign, which dials the cohort at once.")] = False,
        cohort_name: Annotated[Optional[str], typer.Option("--cohort-name", help="The cohort's name.")] = None,
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        dry_run: DryRunOption = False,
        timeout: TimeoutOption = 30.0,
        poll_timeout: Annotated[float, typer.Option(
            "--poll-timeout", min=0, help="Seconds to wait for the cohort to be processed.")] = 600.0,
    ) -> int:
        """Sarvam: clean a list and upload it as another cohort (--list), or upload a stop file (--exclude)."""
        from ..app import launch as launching

        if (contacts is None) == (exclude is None):
            raise PlatformError("campaign upload: pass --list CONTACTS or --exclude STOP_FILE (one of them)")
        client = _client("sarvam", dry_run, timeout, org=org, workspace=workspace)
        if exclude is not None:
            cohort = launching.exclude(client, campaign_id, exclude, name=cohort_name)
            if not dry_run:
                say(f"stop file {exclude} uploaded as cohort {cohort.get('cohort_id')}: {cohort.get('status')}")
            return EXIT_CLEAN
        from ..job.job import build_job

        options = merge_settings(find_settings(), rules=rules, region=region, out=out, need_out=True)
        job = build_job(options.rules, region=options.region, provider="sarvam", on_note=warn)
        done = launching.upload(job, contacts, client, campaign_id, out_dir=options.out, cohort_name=cohort_name,
                                active_ok=start_now, progress=lambda line: say(line, err=True),
                                poll_timeout=poll_timeout)
        if not dry_run:
            _say_cohort(done.cohort)
        return done.result.exit_code

    @campaign_app.command("reconcile")
    def reconcile_command(
        campaign_id: Annotated[str, typer.Argument(help="The campaign's id.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="The outputs of the run that uploaded the list.")],
        provider: PlatformOption = None,
        org: OrgOption = None,
        workspace: WorkspaceOption = None,
        timeout: TimeoutOption = 30.0,
        retries: RetriesOption = 4,
    ) -> int:
        """Map every row the platform refused back to its input row; writes reconcile.json in OUT. Exit 1 when the
        platform refused any row csvprep passed."""
        from ..app.reconcile import reconcile

        provider = provider or _launched_provider(out) or _platform(provider, "campaign reconcile")
        found = reconcile(_client(provider, False, timeout, retries, org, workspace), campaign_id, out)
        name = Path(found.source).name if found.source else "the input"
        if found.note:
            warn(found.note)
        if not found.refusals:
            say(f"the platform took every row csvprep passed ({found.counts.get('uploaded', 0):,} uploaded)")
            return EXIT_CLEAN
        count = len(found.refusals)
        say(f"the platform refused {count} row{'s' * (count != 1)} csvprep passed:")
        for refusal in found.refusals:
            where = f"Row {refusal.input_row} ({name})" if refusal.input_row is not None else (
                "row " + " or ".join(f"{row} ({base} numbering)" for base, row in refusal.candidates.items())
                if refusal.candidates else "unplaced")
            value = f" '{refusal.shown_value}'" if refusal.shown_value else ""
            say(f"  {where}{value}: {refusal.reason or refusal.text}")
        say(f"  details in {Path(out) / 'reconcile.json'}")
        return EXIT_REFUSED


def _say_cohort(cohort: dict[str, Any]) -> None:
    result = cohort.get("result") or {}
    say(f"cohort {cohort.get('cohort_id')}: {cohort.get('status')}: {result.get('total_records', '?')} records, "
        f"{result.get('valid_records', '?')} valid, {result.get('rejected_records', '?')} rejected", err=True)


def _launched_provider(out: Path) -> str | None:
    from ..app.launch import LAUNCH_FILE

    try:
        return json.loads((Path(out) / LAUNCH_FILE).read_text(encoding="utf-8")).get("provider")
    except (OSError, ValueError, AttributeError):
        return None


def _shaped_for(job):
    """The job with its outputs shaped for the campaign's platform (its phone header, Sarvam's mapping file)."""
    from dataclasses import replace

    from ..model.providers import PROVIDERS

    return replace(job, provider=PROVIDERS[job.campaign.provider])
