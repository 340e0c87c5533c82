"""The ``csvprep`` command: parse the arguments, merge them with ``[tool.csvprep]`` once, build the job
(:func:`csvprep.job.job.build_job`), run it (:func:`csvprep.app.run.run`), render, choose the exit code. The
options are in :mod:`csvprep.cli.options`, the printers in :mod:`csvprep.cli.printing`.

Exit codes: 0 nothing rejected, 1 some rows rejected, 2 could not run (usage, unreadable input, bad rules).
Every failure to run is one line on stderr; library errors become CLI errors in :class:`_Group.main` only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from ..errors import CsvprepError
from ..job.campaign import check_campaign, load_campaign
from ..job.job import build_job
from ..job.prompt import preview_contacts
from ..job.rules_file import load_rules
from ..model.text import printable, shown_name
from .campaign import register as register_api_commands
from .init import register as register_init
from .options import (
    CAMPAIGN_TITLES,
    AcrossFilesOption,
    AddColumnsOption,
    CallingHoursOption,
    CampaignOption,
    CheckAddColumnsOption,
    CheckMaxErrorsOption,
    DelimiterOption,
    EncodingOption,
    FailFastOption,
    Format,
    FormatOption,
    HtmlOption,
    LaunchOption,
    MaxErrorsOption,
    OutOption,
    PreviousOption,
    PromptOption,
    ProviderOption,
    QuietOption,
    RecursiveOption,
    RegionOption,
    RulesOption,
    SeparateOption,
    SheetOption,
    NO_RULES,
    StrictOption,
    SuppressOption,
    UploadProviderOption,
    read_options,
)
from .printing import (
    IssuePrinter,
    campaign_printer,
    print_reports,
    print_summary,
    progress,
    provider_notes,
    say,
    to_stdout,
    warn,
)
from .settings import find_settings, merge_for_clean, merge_settings, with_problems

EXIT_CLEAN, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2


class _Group(TyperGroup):
    """Turns every way of failing to run into one line on stderr and exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        try:
            code = super().main(args=args, prog_name=prog_name or "csvprep", complete_var=complete_var,
                                standalone_mode=False, **extra)
        except CsvprepError as exc:
            for message in exc.messages:  # every problem found together: a line each
                click_echo(f"csvprep: error: {message}")
            code = EXIT_FAILED
        except typer.Abort:
            click_echo("csvprep: interrupted")
            code = 130
        except Exception as exc:
            if _is_usage_error(exc):  # click's exceptions, whichever copy of click typer brings
                if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
                    # the usual help, as --help prints it: a command without its subcommand shows what it offers
                    typer.echo(exc.ctx.get_help(), err=True)
                else:
                    ctx = getattr(exc, "ctx", None)
                    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
                    click_echo(f"csvprep: usage error: {exc.format_message()}{hint}")
                code = EXIT_FAILED
            elif os.environ.get("CSVPREP_DEBUG"):
                raise
            else:  # a bug: still one line; CSVPREP_DEBUG=1 shows the traceback
                click_echo(f"csvprep: internal error: {type(exc).__name__}: {exc} (set CSVPREP_DEBUG=1 for details)")
                code = EXIT_FAILED
        if standalone_mode:
            sys.exit(code or 0)
        return code


def click_echo(message: str) -> None:
    # one line, whatever the message held: a file name's line break or ESC is shown escaped, never printed
    typer.echo(printable(message.strip()), err=True)


def _is_usage_error(exc: Exception) -> bool:
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


app = typer.Typer(
    cls=_Group,
    help="Clean and validate contact CSVs for AI voice-call campaigns before upload.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


STDIN = "<stdin>"


def _input(path: Path) -> Path | bytes:
    """The file to read: ``-`` is standard input, read whole (it cannot be read twice or in parts)."""
    return sys.stdin.buffer.read() if str(path) == "-" else path


def _shown(path: Path) -> str:
    # escaped: a name's line break would split a FILE:LINE: line, a byte that is not UTF-8 cannot be printed
    return STDIN if str(path) == "-" else shown_name(path)


def _interactive() -> bool:
    """A person watching a terminal: never in pipes or CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@app.command("clean")
def clean_command(
    inputs: Annotated[list[Path], typer.Argument(help="The contact file(s) to clean (never modified), or directories "
                                                      "of them; - for standard input.", metavar="FILE...")],
    rules: RulesOption = None,
    out: OutOption = None,
    html: HtmlOption = None,
    region: RegionOption = None,
    format: FormatOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    sheet: SheetOption = None,
    strict: StrictOption = None,
    max_errors: MaxErrorsOption = None,
    quiet: QuietOption = False,
    campaign: CampaignOption = None,
    suppress: SuppressOption = None,
    prompt: PromptOption = None,
    calling_hours: CallingHoursOption = None,
    launch_at: LaunchOption = None,
    add_columns: AddColumnsOption = None,
    provider_name: UploadProviderOption = None,
    previous: PreviousOption = None,
    separate: SeparateOption = False,
    recursive: RecursiveOption = False,
    fail_fast: FailFastOption = False,
) -> int:
    """Write cleaned.csv, rejected.csv, errors.txt, report.json and report.html into OUT."""
    from ..app.batch import with_previous
    from ..app.run import run  # the run and its writers: not loaded for --help or --version

    options, problems = merge_for_clean(find_settings(), inputs[0] if len(inputs) == 1 else None, rules=rules, region=region, out=out, html=html,
                                        format=format, strict=strict, max_errors=max_errors,
                                        provider=provider_name)
    fmt = options.format
    job = with_problems(problems, lambda: build_job(
        options.rules, region=options.region, strict=options.strict,
        read_options=read_options(encoding, delimiter, sheet), prompt=prompt, campaign=campaign,
        calling_hours=calling_hours, launch_at=launch_at, suppress=suppress or (), add_columns=add_columns or (),
        provider=options.provider or None, on_note=None if quiet else warn,
        on_campaign_problem=campaign_printer(campaign, quiet)))
    job = with_previous(job, previous or ())
    campaign_code = EXIT_REJECTED if job.campaign_failed else EXIT_CLEAN
    if len(inputs) > 1 or separate or inputs[0].is_dir():
        from .batch import clean_several

        return max(campaign_code, clean_several(job, inputs, options, fmt, quiet, separate=separate,
                                                recursive=recursive, fail_fast=fail_fast, interactive=_interactive()))
    input = inputs[0]
    printer = None
    if fmt in (Format.github, Format.csv) and not quiet:
        printer = IssuePrinter(fmt, options.max_errors)
    with progress(enabled=_interactive() and fmt is Format.text and not quiet) as step:
        # in parts of a million contacts: a file of any size runs in bounded memory
        result, paths = run(job, _input(input), out_dir=options.out, html_path=options.html, on_progress=step,
                            on_issues=(lambda issues: printer(issues, _shown(input))) if printer else None)
    if quiet:
        return max(result.exit_code, campaign_code)
    if fmt is Format.json:
        # the report written, whole: a file cleaned in parts keeps only a few issues of each kind in memory
        with open(paths["report.json"], "rb") as report:
            to_stdout(report)
    elif fmt is Format.text:
        print_summary(result)
        if options.rules is None:
            say(f"  {NO_RULES}")
        say(f"  wrote {', '.join(str(p) for p in paths.values())}")
    if job.provider is not None and not quiet:
        provider_notes(job.provider, result, paths)
    elif printer is not None:
        printer.left_out(_shown(input))
    return max(result.exit_code, campaign_code)


@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="Contact files to validate (nothing is written); - for "
                                                    "standard input.")],
    rules: RulesOption = None,
    region: RegionOption = None,
    format: FormatOption = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    sheet: SheetOption = None,
    strict: StrictOption = None,
    max_errors: CheckMaxErrorsOption = None,
    quiet: QuietOption = False,
    campaign: CampaignOption = None,
    provider: ProviderOption = None,
    suppress: SuppressOption = None,
    prompt: PromptOption = None,
    calling_hours: CallingHoursOption = None,
    launch_at: LaunchOption = None,
    add_columns: CheckAddColumnsOption = None,
    across_files: AcrossFilesOption = False,
    previous: PreviousOption = None,
) -> int:
    """Print FILE:LINE: Row N: message for every problem; exit 1 when any row would be rejected."""
    import tempfile

    from ..app.batch import AcrossFiles, with_previous
    from ..app.run import run  # the run and its writers: not loaded for --help or --version
    from ..outputs.report import region_hint_text, report_head, rerun_note

    # --provider here names whose campaign body it is; [tool.csvprep] provider is clean's upload format
    options = merge_settings(find_settings(), rules=rules, region=region, format=format, strict=strict,
                             max_errors=max_errors)
    fmt = options.format
    job = build_job(options.rules, region=options.region, strict=options.strict,
                    read_options=read_options(encoding, delimiter, sheet), prompt=prompt, campaign=campaign,
                    campaign_provider=provider, calling_hours=calling_hours, launch_at=launch_at,
                    suppress=suppress or (), add_columns=add_columns or (),
                    on_note=None if quiet else warn, on_campaign_problem=campaign_printer(campaign, quiet))
    job = with_previous(job, previous or ())
    across = AcrossFiles() if across_files else None  # the duplicate keys of the files checked so far
    code = EXIT_REJECTED if job.campaign_failed else EXIT_CLEAN
    reports = []  # json: each file's report, its issues spooled to disk (a big file's outweigh memory)
    printer = IssuePrinter(fmt, options.max_errors, errors_only=quiet)
    for path in files:
        spool = tempfile.TemporaryFile() if fmt is Format.json else None
        try:
            # in parts of a million contacts, as clean runs: a file of any size is checked in bounded memory
            shown = None if spool else lambda issues, path=_shown(path): printer(issues, path)
            result = across.check(job, _input(path), name=None if str(path) == "-" else _shown(Path(path.name)),
                                  on_issues=shown, issues_stream=spool) if across else \
                run(job, _input(path), on_issues=shown, issues_stream=spool)[0]
        except CsvprepError as exc:  # this file cannot be checked; the others still are
            for message in exc.messages:
                click_echo(f"csvprep: error: {message}")
            code = EXIT_FAILED
            if spool:
                spool.close()
            continue
        if result.exit_code:
            code = max(code, EXIT_REJECTED)
        if spool:
            reports.append((report_head(result), spool))
            continue
        printer.left_out(_shown(path))
        if fmt is Format.text and not quiet:
            counts = result.counts()
            say(
                f"{_shown(path)}: {counts['rows_in']} rows, {counts['rows_rejected']} would be rejected"
                + (f", {counts['warnings']} warnings" if counts["warnings"] else ""),
                err=True,
            )
            if result.region_hint is not None:
                say(f"{_shown(path)}: {region_hint_text(result)}", err=True)
            if options.rules is None:
                say(f"{_shown(path)}: {NO_RULES}", err=True)
            if (note := rerun_note(result)) is not None:
                say(f"{_shown(path)}: {note}", err=True)
    if reports:
        print_reports(reports)
    return code


@app.command("preview")
def preview_command(
    input: Annotated[Path, typer.Argument(help="The contact file.")],
    rules: RulesOption = None,
    prompt: PromptOption = None,
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many contacts to show.")] = 5,
    region: RegionOption = None,
    campaign: CampaignOption = None,
    provider: ProviderOption = None,
) -> int:
    """Render the agent's prompt for the first N clean contacts, exactly as the agent will get it; an undefined
    variable shows as ⟦MISSING name⟧ and makes the exit code 1."""
    from ..app.run import clean  # the run: not loaded for --help or --version

    options = merge_settings(find_settings(), rules=rules, region=region)
    # a preview renders prompts: it checks no calling window
    job = build_job(options.rules, region=options.region, prompt=prompt, require_prompt=True, campaign=campaign,
                    campaign_provider=provider, resolve_calling=False, on_note=warn,
                    on_campaign_problem=campaign_printer(campaign, quiet=False))
    code = EXIT_REJECTED if job.campaign_failed else EXIT_CLEAN
    template = job.prompt
    assert template is not None  # require_prompt
    result = clean(input, job.rules)
    previews = preview_contacts(template, result, count)
    for preview in previews:
        say(f"── Row {preview.row} · {preview.phone} " + "─" * 30)
        # the values came in printable (job.prompt.preview_contacts): the line breaks left are the template's own
        for line in preview.text.rstrip("\n").split("\n"):
            say(line)
        if preview.missing:
            code = EXIT_REJECTED
            say(f"csvprep: Row {preview.row}: undefined in the prompt: {', '.join(preview.missing)}", err=True)
    if not previews:
        say(f"csvprep: {input}: no clean contact to preview", err=True)
        code = EXIT_REJECTED
    return code


register_init(app)

campaign_app = typer.Typer(help=f"Campaigns on {CAMPAIGN_TITLES}: check a body; create, update, list, reconcile.",
                           no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
register_api_commands(campaign_app)  # create, update, get, list, status, reconcile: csvprep.cli.campaign


@campaign_app.command("check")
def campaign_check_command(
    files: Annotated[list[Path], typer.Argument(help="Campaign bodies (JSON), as they will be sent.")],
    provider: ProviderOption = None,
    update: Annotated[bool, typer.Option("--update", help="A partial update (PATCH): no field is required.")] = False,
    rules: Annotated[Optional[Path], typer.Option("--rules", "-r", help="The agent's rules: default keys must be its "
                                                                          "variables.")] = None,
    quiet: QuietOption = False,
) -> int:
    """Check campaign bodies against every documented constraint: FILE: field: message; exit 1 on any error."""
    variables = {v.name for v in load_rules(rules).variables} if rules is not None else None
    code = EXIT_CLEAN
    for path in files:
        body = load_campaign(path, provider)
        problems = check_campaign(body, update=update, variables=variables)
        for problem in problems:
            if problem.severity == "error" or not quiet:
                say(f"{path}: {problem}")
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = sum(1 for p in problems if p.severity == "warning")
        if errors:
            code = EXIT_REJECTED
        if not quiet:
            say(f"{path}: {body.provider} campaign body, {errors} error{'s' * (errors != 1)}, "
                       f"{warnings} warning{'s' * (warnings != 1)}", err=True)
    return code


def _version(value: bool) -> None:
    if value:
        from ..outputs.report import csvprep_version

        typer.echo(f"csvprep {csvprep_version()}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Clean and validate contact CSVs for AI voice-call campaigns before upload."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
