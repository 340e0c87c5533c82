"""The ``csvprep`` command: parse the arguments, call the library, render, choose the exit code.

Exit codes: 0 nothing rejected, 1 some rows rejected, 2 could not run (usage, unreadable input, bad rules).
Every failure to run is one line on stderr; library errors become CLI errors in :class:`_Group.main` only."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, BinaryIO, Optional

import typer
from typer.core import TyperGroup

from ..errors import ConfigError, CsvprepError

EXIT_CLEAN, EXIT_REJECTED, EXIT_FAILED = 0, 1, 2


class _Group(TyperGroup):
    """Turns every way of failing to run into one line on stderr and exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        try:
            code = super().main(args=args, prog_name=prog_name or "csvprep", complete_var=complete_var,
                                standalone_mode=False, **extra)
        except CsvprepError as exc:
            click_echo(f"csvprep: error: {exc}")
            code = EXIT_FAILED
        except typer.Abort:
            click_echo("csvprep: interrupted")
            code = 130
        except Exception as exc:
            if _is_usage_error(exc):  # click's exceptions, whichever copy of click typer brings
                if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
                    click_echo(exc.ctx.get_help())
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
    typer.echo(" ".join(message.split()), err=True)  # one line, whatever the message held


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


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    csv = "csv"


RulesOption = Annotated[
    Optional[Path], typer.Option("--rules", "-r", help="The agent's rules file (TOML); or [tool.csvprep] rules.")
]
RegionOption = Annotated[
    Optional[str], typer.Option("--region", help="Default region for numbers without a country code (e.g. US, IN).")
]
FormatOption = Annotated[
    Optional[Format],
    typer.Option("--format", "-f", help="text for people, json for machines, github for Actions annotations, "
                                        "csv for the issues table."),
]
EncodingOption = Annotated[Optional[str], typer.Option("--encoding", help="Read the file in this encoding.")]
SheetOption = Annotated[
    Optional[str], typer.Option("--sheet", help="An .xlsx workbook's sheet, by name or number (default: the first "
                                                "with a phone column).")
]
DelimiterOption = Annotated[
    Optional[str], typer.Option("--delimiter", "-d", help="Field delimiter: , ; | or 'tab' (default: detected).")
]
StrictOption = Annotated[Optional[bool], typer.Option("--strict/--no-strict", help="Treat formula-like cells as errors.")]
MaxErrorsOption = Annotated[
    Optional[int], typer.Option("--max-errors", min=1, help="Print at most this many problems (all are still in "
                                                            "the outputs).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
CampaignOption = Annotated[
    Optional[Path],
    typer.Option("--campaign", help="The campaign body (JSON) the list is for: its default variables are merged "
                                    "(CSV value, then campaign default, then the rules' default) and it is checked."),
]
CallingHoursOption = Annotated[
    Optional[str],
    typer.Option("--calling-hours", help="Calling window in each contact's local time, e.g. 09:00-20:00 (default: "
                                         "[calling_hours] of the rules, or the Sarvam campaign's allowed_schedule)."),
]
LaunchOption = Annotated[
    Optional[str],
    typer.Option("--launch-at", help="When the campaign starts, ISO 8601 with its offset (default: the SigmaMind "
                                     "campaign's schedule, else now)."),
]
AddColumnsOption = Annotated[
    Optional[str],
    typer.Option("--add-columns", help="Add to cleaned.csv: any of timezone (with utc_offset), country, line_type, "
                                       "comma-separated."),
]
PromptOption = Annotated[
    Optional[Path],
    typer.Option("--prompt", help="The agent's prompt template: its {{variables}} are the required set "
                                  "(default: [agent] prompt_file of the rules)."),
]
SuppressOption = Annotated[
    Optional[list[Path]],
    typer.Option("--suppress", help="A do-not-call list (CSV, Sarvam stop file or one number per line); repeatable."),
]
ProviderOption = Annotated[
    Optional[str], typer.Option("--provider", help="Whose campaign body: sigmamind or sarvam (default: detected).")
]


STDIN = "<stdin>"


def _input(path: Path) -> Path | bytes:
    """The file to read: ``-`` is standard input, read whole (it cannot be read twice or in parts)."""
    return sys.stdin.buffer.read() if str(path) == "-" else path


def _shown(path: Path) -> str:
    return STDIN if str(path) == "-" else str(path)


def _read_options(encoding: str | None, delimiter: str | None, sheet: str | None = None):
    from ..model.contacts import ReadOptions

    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(
            delimiter.lower(), delimiter)
    return ReadOptions(encoding=encoding, delimiter=delimiter, sheet=sheet)


def _settings():
    from ..cli.settings import find_settings

    return find_settings()


def _rules_path(rules: Path | None, settings) -> Path:
    if rules is not None:
        return rules
    if settings.rules is not None:
        return settings.rules
    raise ConfigError("no rules file: pass --rules FILE, or set rules under [tool.csvprep] in pyproject.toml")


def _interactive() -> bool:
    """A person watching a terminal: never in pipes or CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@app.command("clean")
def clean_command(
    input: Annotated[Path, typer.Argument(help="The contact file to clean (never modified); - for standard input.")],
    rules: RulesOption = None,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Directory for the outputs (created if missing); "
                                                         "or [tool.csvprep] out.")
    ] = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="Where to write report.html (default: OUT).")] = None,
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
    provider_name: Annotated[
        Optional[str],
        typer.Option("--provider", help="Shape the outputs for sigmamind, sarvam, vapi, retell, elevenlabs, bland, "
                                        "exotel, genesys or generic; also whose --campaign body it is."),
    ] = None,
) -> int:
    """Write cleaned.csv, rejected.csv, errors.txt, report.json and report.html into OUT."""
    from ..app.run import clean_file
    from ..job.calling import resolve_calling_hours
    from ..job.rules_file import load_rules
    from ..model.providers import get_provider

    settings = _settings()
    out = out or settings.out
    if out is None:
        raise ConfigError("no output directory: pass --out DIR, or set out under [tool.csvprep] in pyproject.toml")
    fmt = format or Format(settings.format or "text")
    loaded, _ = _with_prompt(load_rules(_rules_path(rules, settings)), prompt, quiet)
    provider_name = provider_name or settings.provider
    upload = get_provider(provider_name) if provider_name else None
    campaign_provider = provider_name if provider_name in ("sigmamind", "sarvam") else None
    loaded, campaign_code, body = _with_campaign(loaded, campaign, campaign_provider, quiet)
    calling = resolve_calling_hours(loaded, window=calling_hours, launch=launch_at, campaign=body,
                                    strict=strict if strict is not None else bool(settings.strict))
    extra_columns = _add_columns(add_columns)
    printer = None
    if fmt in (Format.github, Format.csv) and not quiet:
        printer = _IssuePrinter(fmt, max_errors or settings.max_errors)
    with _progress(enabled=_interactive() and fmt is Format.text and not quiet) as step:
        # in parts of a million contacts: a file of any size runs in bounded memory
        result, paths = clean_file(_input(input), loaded, out, region=region or settings.region,
                                   read_options=_read_options(encoding, delimiter, sheet),
                                   strict=strict if strict is not None else bool(settings.strict),
                                   html_path=html or settings.html, progress=step,
                                   on_issues=(lambda issues: printer(issues, _shown(input))) if printer else None,
                                   suppress=_suppression(suppress, loaded, region or settings.region),
                                   provider=upload, calling=calling, add_columns=extra_columns)
    if quiet:
        return max(result.exit_code, campaign_code)
    if fmt is Format.json:
        # the report written, whole: a file cleaned in parts keeps only a few issues of each kind in memory
        with open(paths["report.json"], "rb") as report:
            _to_stdout(report)
    elif fmt is Format.text:
        _print_summary(result)
        typer.echo(f"  wrote {', '.join(str(p) for p in paths.values())}")
    if upload is not None and not quiet:
        _provider_notes(upload, result, paths)
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
    max_errors: MaxErrorsOption = None,
    quiet: QuietOption = False,
    campaign: CampaignOption = None,
    provider: ProviderOption = None,
    suppress: SuppressOption = None,
    prompt: PromptOption = None,
    calling_hours: CallingHoursOption = None,
    launch_at: LaunchOption = None,
    add_columns: AddColumnsOption = None,
) -> int:
    """Print FILE:LINE: Row N: message for every problem; exit 1 when any row would be rejected."""
    import tempfile

    from ..app.run import check_file
    from ..job.calling import resolve_calling_hours
    from ..job.rules_file import load_rules
    from ..outputs.report import report_head

    settings = _settings()
    fmt = format or Format(settings.format or "text")
    limit = max_errors or settings.max_errors
    loaded, _ = _with_prompt(load_rules(_rules_path(rules, settings)), prompt, quiet)
    loaded, code, body = _with_campaign(loaded, campaign, provider, quiet)
    calling = resolve_calling_hours(loaded, window=calling_hours, launch=launch_at, campaign=body,
                                    strict=strict if strict is not None else bool(settings.strict))
    extra_columns = _add_columns(add_columns)
    options = _read_options(encoding, delimiter, sheet)
    lists = _suppression(suppress, loaded, region or settings.region)
    reports = []  # json: each file's report, its issues spooled to disk (a big file's outweigh memory)
    printer = _IssuePrinter(fmt, limit, errors_only=quiet)
    for path in files:
        spool = tempfile.TemporaryFile() if fmt is Format.json else None
        try:
            # in parts of a million contacts, as clean runs: a file of any size is checked in bounded memory
            result = check_file(_input(path), loaded, region=region or settings.region, read_options=options,
                                strict=strict if strict is not None else bool(settings.strict), suppress=lists,
                                calling=calling, add_columns=extra_columns,
                                on_issues=None if spool else lambda issues, path=_shown(path): printer(issues, path),
                                issues_stream=spool)
        except CsvprepError as exc:  # this file cannot be checked; the others still are
            click_echo(f"csvprep: error: {exc}")
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
            typer.echo(
                f"{_shown(path)}: {counts['rows_in']} rows, {counts['rows_rejected']} would be rejected"
                + (f", {counts['warnings']} warnings" if counts["warnings"] else ""),
                err=True,
            )
            if result.region_hint is not None:
                from ..outputs.report import region_hint_text

                typer.echo(f"{_shown(path)}: {region_hint_text(result)}", err=True)
    if reports:
        _print_reports(reports)
    return code


def _print_reports(reports: list[tuple[bytes, BinaryIO]]) -> None:
    """report.json for each checked file (its head, then its spooled issues) on stdout: the one report alone,
    several as ``{"files": [...]}``."""
    from ..outputs.report import REPORT_TAIL

    several = len(reports) > 1
    sys.stdout.flush()
    sys.stdout.buffer.write(b'{"files": [' if several else b"")
    for index, (head, spool) in enumerate(reports):
        with spool:
            sys.stdout.buffer.write((b"," if index else b"") + head)
            spool.seek(0)
            _to_stdout(spool)
            sys.stdout.buffer.write(REPORT_TAIL)
    sys.stdout.buffer.write(b"]}\n" if several else b"")
    sys.stdout.buffer.flush()


def _to_stdout(stream: BinaryIO) -> None:
    import shutil

    sys.stdout.flush()
    shutil.copyfileobj(stream, sys.stdout.buffer, 1 << 20)
    sys.stdout.buffer.flush()


def _provider_notes(provider, result, paths) -> None:
    from ..outputs.upload import reserved_clashes, upload_problems

    parts = [name for name in paths if name.startswith("cleaned-")]
    if parts:
        limits = " / ".join(x for x in (f"{provider.max_rows:,} rows" if provider.max_rows else "",
                                        f"{provider.max_bytes / 1e6:g} MB" if provider.max_bytes else "") if x)
        typer.echo(f"csvprep: cleaned.csv is over {provider.name}'s limit per file ({limits}): upload the "
                   f"{len(parts)} parts {parts[0]} … {parts[-1]}", err=True)
    for name in reserved_clashes(provider, result.columns, list(result.cleaned.columns)):
        typer.echo(f"csvprep: warning: column '{name}' has a name {provider.name} reserves for itself: it will be "
                   "read as that setting, not as a variable", err=True)
    for problem in upload_problems(provider, paths["cleaned.csv"]):
        typer.echo(f"csvprep: warning: {paths['cleaned.csv']}: {problem}", err=True)
    if provider.note:
        typer.echo(f"csvprep: {provider.name}: {provider.note}", err=True)


def _add_columns(text: str | None) -> tuple[str, ...]:
    from ..model.contacts import ADDABLE_COLUMNS

    if not text:
        return ()
    wanted = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in wanted if name not in ADDABLE_COLUMNS]
    if unknown:
        raise ConfigError(f"--add-columns: unknown column(s) {', '.join(unknown)} (one of {', '.join(ADDABLE_COLUMNS)})")
    return wanted


def _with_prompt(rules, prompt_path: Path | None, quiet: bool):
    """The rules with the prompt template's variables (``--prompt``, else the rules' ``prompt_file``), and the
    template; notes on rules variables the prompt never uses go to stderr."""
    path = prompt_path or rules.prompt_path()
    if path is None:
        return rules, None
    from ..job.prompt import apply_prompt, read_prompt

    template = read_prompt(path)
    rules, notes = apply_prompt(rules, template)
    if not quiet:
        for note in notes:
            typer.echo(f"csvprep: warning: {note}", err=True)
    return rules, template


def _suppression(paths: list[Path] | None, rules, region: str | None):
    """The do-not-call lists, their numbers read with the contacts' default region."""
    from ..stages.suppression import load_suppression

    if region is not None:
        rules = rules.with_region(region)
    return [load_suppression(path, rules.phone) for path in paths or []]


def _with_campaign(rules, campaign_path: Path | None, provider: str | None, quiet: bool):
    """The rules with the campaign's defaults laid over their own; 1 when the campaign body has errors (they are
    printed as ``FILE: field: message``), else 0; and the campaign, read once for all that uses it."""
    if campaign_path is None:
        return rules, EXIT_CLEAN, None
    from ..job.campaign import check_campaign, load_campaign, with_campaign_defaults

    body = load_campaign(campaign_path, provider)
    problems = [p for p in check_campaign(body, variables={v.name for v in rules.variables}) if p.severity != "note"]
    for problem in problems:
        if problem.severity == "error" or not quiet:
            typer.echo(f"{campaign_path}: {problem}", err=True)
    errors = [p for p in problems if p.severity == "error"]
    return with_campaign_defaults(rules, body), EXIT_REJECTED if errors else EXIT_CLEAN, body


class _IssuePrinter:
    """Prints issues as they come, in ``fmt``, at most ``limit`` in all (across files and parts)."""

    def __init__(self, fmt: Format, limit: int | None, errors_only: bool = False) -> None:
        self.fmt, self.limit, self.errors_only = fmt, limit, errors_only
        self.printed = 0
        self.header_done = False
        self.per_file: dict[str, list[int]] = {}  # path -> [printed, found], over the file's parts

    def __call__(self, issues, path: str) -> None:
        """Print what room is left of ``issues`` (some, or all, of the file ``path``'s)."""
        from ..outputs.report import check_lines, github_lines, issues_csv

        if self.errors_only:
            issues = issues.filter(issues["severity"] == "error")
        room = None if self.limit is None else max(0, self.limit - self.printed)
        if self.fmt is Format.csv:
            shown = issues if room is None else issues.head(room)
            if shown.height or not self.header_done:
                typer.echo(issues_csv(shown, path, header=not self.header_done), nl=False)
                self.header_done = True
            count = shown.height
        else:
            lines = github_lines(issues, path) if self.fmt is Format.github else check_lines(issues, path)
            shown = lines if room is None else lines[:room]
            if shown:
                typer.echo("\n".join(shown))  # one write: a big list has millions of lines
            count = len(lines) if room is None else min(room, len(lines))
        self.printed += count
        tally = self.per_file.setdefault(path, [0, 0])
        tally[0] += count
        tally[1] += issues.height

    def left_out(self, path: str) -> None:
        """Say so when some of ``path``'s issues were not printed; its count starts again (a path may come twice)."""
        printed, total = self.per_file.pop(path, (0, 0))
        if printed < total:
            typer.echo(f"csvprep: {path}: printed {printed} of {total} problems (--max-errors {self.limit}); "
                       "all of them are in the report", err=True)


def _print_summary(result) -> None:
    from ..outputs.report import summary_text

    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        typer.echo(summary_text(result))
        return
    from rich.console import Console
    from rich.table import Table

    counts = result.counts()
    table = Table(title=f"{result.contacts.source}", title_justify="left", show_edge=False, pad_edge=False)
    for name, style in (("rows in", "bold"), ("clean", "bold green"), ("rejected", "bold red"),
                        ("warnings", "bold yellow")):
        table.add_column(name, justify="right", style=style)
    table.add_row(str(counts["rows_in"]), str(counts["rows_clean"]), str(counts["rows_rejected"]),
                  str(counts["warnings"]))
    kinds = Table(show_edge=False, pad_edge=False, box=None)
    kinds.add_column("problem")
    kinds.add_column("rows", justify="right")
    kinds.add_column("example")
    for code, count in counts["by_code"].items():
        example = result.issues.filter(result.issues["code"] == code).row(0, named=True)
        severity = "red" if example["severity"] == "error" else "yellow"
        kinds.add_row(f"[{severity}]{code}[/]", str(count), f"Row {example['row']}: {example['message'][:70]}")
    console = Console()
    console.print(table)
    if counts["by_code"]:
        console.print(kinds)


class _progress:
    """A progress bar on stderr over the pipeline's stages, for a person at a terminal; a no-op otherwise."""

    STAGES = ("reading", "phones and variables", "duplicates", "splitting", "writing")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description:<22}"), BarColumn(), TimeElapsedColumn(),
                                transient=True, console=Console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task("starting", total=len(self.STAGES))
        return self.step

    def step(self, stage: str) -> None:
        if self.bar is not None:
            done = self.STAGES.index(stage) if stage in self.STAGES else 0
            self.bar.update(self.task, description=stage, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


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
    from ..app.pipeline import clean
    from ..job.prompt import render_preview
    from ..job.rules_file import load_rules

    settings = _settings()
    loaded, template = _with_prompt(load_rules(_rules_path(rules, settings)), prompt, quiet=False)
    if template is None:
        raise ConfigError("no prompt: pass --prompt FILE, or set prompt_file under [agent] in the rules")
    loaded, code, _ = _with_campaign(loaded, campaign, provider, quiet=False)
    result = clean(input, loaded, region=region or settings.region)
    names = {variable.name: column for variable, column in result.columns.variables}
    shown = result.cleaned.head(count)
    rows = result.contacts.frame.filter(~result.contacts.frame["_row"].is_in(result.rejected[
        "csvprep_row" if "csvprep_row" in result.rejected.columns else "row"].implode()))["_row"].head(count)
    for row, contact in zip(rows.to_list(), shown.iter_rows(named=True)):
        values = {name: contact.get(column) for name, column in names.items()}
        values["phone_number"] = contact[result.columns.phone]
        text, missing = render_preview(template, values)
        typer.echo(f"── Row {row} · {contact[result.columns.phone]} " + "─" * 30)
        typer.echo(text.rstrip("\n"))
        if missing:
            code = EXIT_REJECTED
            typer.echo(f"csvprep: Row {row}: undefined in the prompt: {', '.join(sorted(set(missing)))}", err=True)
    if shown.height == 0:
        typer.echo(f"csvprep: {input}: no clean contact to preview", err=True)
        code = EXIT_REJECTED
    return code


campaign_app = typer.Typer(help="Campaign request bodies (SigmaMind, Sarvam).", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


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
    from ..job.campaign import check_campaign, load_campaign
    from ..job.rules_file import load_rules

    variables = {v.name for v in load_rules(rules).variables} if rules is not None else None
    code = EXIT_CLEAN
    for path in files:
        body = load_campaign(path, provider)
        problems = check_campaign(body, update=update, variables=variables)
        for problem in problems:
            if problem.severity == "error" or not quiet:
                typer.echo(f"{path}: {problem}")
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = sum(1 for p in problems if p.severity == "warning")
        if errors:
            code = EXIT_REJECTED
        if not quiet:
            typer.echo(f"{path}: {body.provider} campaign body, {errors} error{'s' * (errors != 1)}, "
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
