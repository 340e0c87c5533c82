"""``csvprep init``: a starter rules file inferred from a contact file (:func:`csvprep.job.starter.starter_rules`),
written to standard output or, with ``-o``, to a file it never overwrites without ``--force``."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import OutputError
from ..job.starter import starter_rules
from .options import DelimiterOption, EncodingOption, SheetOption, read_options

PromptFile = Annotated[
    Optional[Path], typer.Option("--prompt", help="The agent's prompt template: its {{variables}} are mapped to "
                                                  "columns by name.")
]
Platform = Annotated[Optional[str], typer.Option("--provider", help="The platform the list is for (checked, and "
                                                                    "named in the rules file).")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the rules here instead of standard "
                                                                       "output.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite the -o file if it exists.")]


def init_command(
    input: Annotated[Path, typer.Argument(help="The contact file to infer the rules from; - for standard input.")],
    prompt: PromptFile = None,
    provider: Platform = None,
    output: Output = None,
    force: Force = False,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    sheet: SheetOption = None,
) -> int:
    """Write a starter rules file for INPUT: its phone column, default region, one typed variable per column;
    every line commented. e.g. csvprep init contacts.csv > rules.toml"""
    if output is not None and output.exists() and not force:
        raise OutputError(f"{output}: exists; pass --force to overwrite it")
    source = sys.stdin.buffer.read() if str(input) == "-" else input
    text = starter_rules(source, prompt=prompt, provider=provider, read_options=read_options(encoding, delimiter, sheet),
                         rules_dir=output.parent if output is not None else None)
    if output is None:
        sys.stdout.write(text)
        return 0
    _write(output, text)
    typer.echo(f"wrote {output}: check it, then csvprep clean {input} --rules {output}", err=True)
    return 0


def _write(path: Path, text: str) -> None:
    """All of it or nothing: a file half-written would be rules with a table missing."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, scratch = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(scratch, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
