"""The command line's options: the output formats, the option types the commands share (their help texts built
from the provider table and the campaign formats), and the spellings of the flags that take names."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..job.campaign import CAMPAIGN_FORMATS
from ..model.contacts import DELIMITER_NAMES, ReadOptions
from ..model.providers import CAMPAIGN_PROVIDERS, UPLOAD_PROVIDERS


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    csv = "csv"


def either(names: tuple[str, ...] | list[str]) -> str:
    """``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


# what a campaign body may set instead of a flag, in the help texts: "the Sarvam campaign's allowed_schedule"
_WINDOWS = "".join(f", or the {fmt.title} campaign's {fmt.window_field}" for fmt in CAMPAIGN_FORMATS.values()
                   if fmt.window_field)
_LAUNCHES = "".join(f"the {fmt.title} campaign's {fmt.launch_field}, " for fmt in CAMPAIGN_FORMATS.values()
                    if fmt.launch_field)
CAMPAIGN_TITLES = ", ".join(fmt.title for fmt in CAMPAIGN_FORMATS.values())

RulesOption = Annotated[
    Optional[Path], typer.Option("--rules", "-r", help="The agent's rules file (TOML); or [tool.csvprep] rules. Without: "
                                                   "the phone column only (csvprep init writes a starter).")
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
StrictOption = Annotated[
    Optional[bool], typer.Option("--strict/--no-strict", help="Treat formula-like cells as errors.")
]
MaxErrorsOption = Annotated[
    Optional[int], typer.Option("--max-errors", min=1, help="Print at most this many problems (all are still in "
                                                            "the outputs).")
]
# check writes nothing: its count line still counts every problem
CheckMaxErrorsOption = Annotated[
    Optional[int], typer.Option("--max-errors", min=1, help="Print at most this many problems (the count per file "
                                                            "still counts them all).")
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
                                         f"[calling_hours] of the rules{_WINDOWS})."),
]
LaunchOption = Annotated[
    Optional[str],
    typer.Option("--launch-at", help=f"When the campaign starts, ISO 8601 with its offset (default: {_LAUNCHES}"
                                     "else now)."),
]
AddColumnsOption = Annotated[
    Optional[str],
    typer.Option("--add-columns", help="Add to cleaned.csv: any of timezone (with utc_offset), country, line_type, "
                                       "source_file, source_row (where a contact came from), comma-separated."),
]
# check writes no cleaned.csv: accepted, so that one command line serves both, but not offered
CheckAddColumnsOption = Annotated[Optional[str], typer.Option("--add-columns", hidden=True)]
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
    Optional[str],
    typer.Option("--provider", help=f"Whose campaign body: {either(CAMPAIGN_PROVIDERS)} (default: detected)."),
]
UploadProviderOption = Annotated[
    Optional[str],
    typer.Option("--provider", help=f"Shape the outputs for {either(UPLOAD_PROVIDERS)}; also whose --campaign body "
                                    "it is."),
]
OutOption = Annotated[
    Optional[Path], typer.Option("--out", "-o", help="Directory for the outputs (created if missing); "
                                                     "or [tool.csvprep] out (default: contacts.csvprep/ beside "
                                                     "contacts.csv).")
]
# what a run without rules does, said in its summary
NO_RULES = ("no rules: checked the phone column only, every other column passed through as it is (csvprep init "
            "FILE > rules.toml writes a starter rules file)")
HtmlOption = Annotated[Optional[Path], typer.Option("--html", help="Where to write report.html (default: OUT).")]

# --delimiter takes the character or its name: tab, comma, semicolon, pipe (and \t, as a shell passes it)
_DELIMITERS = {name: delimiter for delimiter, name in DELIMITER_NAMES.items()} | {"\\t": "\t"}


def read_options(encoding: str | None, delimiter: str | None, sheet: str | None = None) -> ReadOptions:
    """What ``--encoding``, ``--delimiter`` and ``--sheet`` override of what csvprep would detect."""
    if delimiter is not None:
        delimiter = _DELIMITERS.get(delimiter.lower(), delimiter)
    return ReadOptions(encoding=encoding, delimiter=delimiter, sheet=sheet)
PreviousOption = Annotated[
    Optional[list[Path]],
    typer.Option("--previous", help="The cleaned.csv of an earlier run (repeatable): its numbers were uploaded "
                                    "already and are rejected as already_uploaded."),
]
SeparateOption = Annotated[
    bool, typer.Option("--separate", help="Several files: clean each into OUT/<file stem>/ instead of one merged "
                                          "list (duplicates are still found across the files)."),
]
RecursiveOption = Annotated[
    bool, typer.Option("--recursive", help="A directory given as input: its subdirectories' files too."),
]
FailFastOption = Annotated[
    bool, typer.Option("--fail-fast", help="Several files: stop at the first that cannot be read (by default it "
                                           "is reported and skipped)."),
]
AcrossFilesOption = Annotated[
    bool, typer.Option("--across-files", help="Report duplicates across the files checked, the first in the order "
                                              "given kept."),
]
