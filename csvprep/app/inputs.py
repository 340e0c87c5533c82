"""The files a run over several reads: paths and directories expanded, in order, and what messages call each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError, InputError
from ..model.text import shown_name

INPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")  # what a directory given as input contributes



def expand_inputs(paths: Sequence[str | Path], *, recursive: bool = False,
                  exclude: str | Path | None = None) -> list[Path]:
    """The files to run over, in the order given: a directory contributes its .csv, .tsv, .txt and .xlsx files in
    sorted order (its subdirectories' too with ``recursive``), leaving out anything under ``exclude`` (the output
    directory, when it is inside an input directory). A file named twice is run once."""
    found: list[Path] = []
    skip = Path(exclude).resolve() if exclude is not None else None
    for given in paths:
        path = Path(given)
        if str(path) == "-":
            raise ConfigError("- (standard input) cannot be one of several input files")
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted((entry for entry in (path.rglob("*") if recursive else path.iterdir())
                         if entry.suffix.lower() in INPUT_SUFFIXES and entry.is_file()
                         and not entry.name.startswith(".")),
                        key=lambda entry: entry.relative_to(path).parts)
        if skip is not None:
            inside = [entry for entry in inside if not entry.resolve().is_relative_to(skip)]
        if not inside:
            hint = "" if recursive else "; --recursive for its subdirectories"
            raise InputError(f"{shown_name(path)}: no contact files in the directory "
                             f"({', '.join(INPUT_SUFFIXES)}{hint})")
        found.extend(inside)
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve() if path.exists() else path
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def display_names(files: Sequence[Path]) -> list[str]:
    """What messages call each file: its name, or its path where two files share a name."""
    names = [path.name for path in files]
    return [shown_name(path.name if names.count(path.name) == 1 else path) for path in files]
