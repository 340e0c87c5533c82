"""The ``csvprep`` command: parse the arguments, call the library, render, choose the exit code.

Exit codes: 0 nothing rejected, 1 some rows rejected, 2 could not run (usage, unreadable input, bad rules).
Every failure to run is one line on stderr; library errors become CLI errors in :class:`_Group.main` only."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .errors import CsvprepError

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


RulesOption = Annotated[Path, typer.Option("--rules", "-r", help="The agent's rules file (TOML).")]
RegionOption = Annotated[
    Optional[str], typer.Option("--region", help="Default region for numbers without a country code (e.g. US, IN).")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for machines.")]
EncodingOption = Annotated[Optional[str], typer.Option("--encoding", help="Read the file in this encoding.")]
DelimiterOption = Annotated[
    Optional[str], typer.Option("--delimiter", "-d", help="Field delimiter: , ; | or 'tab' (default: detected).")
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat formula-like cells as errors.")]


def _read_options(encoding: str | None, delimiter: str | None):
    from .reading import ReadOptions

    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(
            delimiter.lower(), delimiter)
    return ReadOptions(encoding=encoding, delimiter=delimiter)


@app.command("clean")
def clean_command(
    input: Annotated[Path, typer.Argument(help="The contact file to clean (never modified).")],
    rules: RulesOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the outputs (created if missing).")],
    region: RegionOption = None,
    format: FormatOption = Format.text,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    strict: StrictOption = False,
) -> int:
    """Write cleaned.csv, rejected.csv, errors.txt and report.json into OUT."""
    from .pipeline import clean
    from .report import report_json, summary_text
    from .rules import load_rules

    loaded = load_rules(rules)
    result = clean(input, loaded, region=region, read_options=_read_options(encoding, delimiter), strict=strict)
    paths = result.write(out, input_path=input)
    if format is Format.json:
        typer.echo(report_json(result), nl=False)
    else:
        typer.echo(summary_text(result))
        typer.echo(f"  wrote {', '.join(str(p) for p in paths.values())}")
    return result.exit_code


@app.command("check")
def check_command(
    files: Annotated[list[Path], typer.Argument(help="Contact files to validate (nothing is written).")],
    rules: RulesOption,
    region: RegionOption = None,
    format: FormatOption = Format.text,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    strict: StrictOption = False,
) -> int:
    """Print FILE:LINE: Row N: message for every problem; exit 1 when any row would be rejected."""
    from .pipeline import clean
    from .report import check_lines, report_json
    from .rules import load_rules

    loaded = load_rules(rules)
    options = _read_options(encoding, delimiter)
    code = EXIT_CLEAN
    reports = []
    for path in files:
        try:
            result = clean(path, loaded, region=region, read_options=options, strict=strict)
        except CsvprepError as exc:  # this file cannot be checked; the others still are
            click_echo(f"csvprep: error: {exc}")
            code = EXIT_FAILED
            continue
        if result.exit_code:
            code = max(code, EXIT_REJECTED)
        if format is Format.json:
            reports.append(report_json(result))
            continue
        for line in check_lines(result, str(path)):
            typer.echo(line)
        counts = result.counts()
        typer.echo(
            f"{path}: {counts['rows_in']} rows, {counts['rows_rejected']} would be rejected"
            + (f", {counts['warnings']} warnings" if counts["warnings"] else ""),
            err=True,
        )
    if format is Format.json:
        typer.echo(reports[0] if len(reports) == 1 else '{"files": [' + ",".join(reports) + "]}\n", nl=False)
    return code


def _version(value: bool) -> None:
    if value:
        from .report import csvprep_version

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
