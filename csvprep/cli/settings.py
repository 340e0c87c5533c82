"""Project settings from ``[tool.csvprep]`` in the nearest pyproject.toml, so a repository's hook and CI need no
flags, and their merge with the command-line flags (:func:`merge_settings`, once per command): flags win."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..errors import ConfigError, CsvprepError, gathered
from ..io.files import read_capped
from ..model.limits import MAX_TEXT_FILE_BYTES
from ..model.providers import UPLOAD_PROVIDERS
from .options import Format

T = TypeVar("T")

KEYS = {
    "rules": "the agent's rules file, relative to pyproject.toml",
    "region": "default region for numbers without a country code",
    "out": "output directory of `csvprep clean`, relative to pyproject.toml",
    "html": "where `csvprep clean` writes report.html, relative to pyproject.toml",
    "format": "text, json, github or csv",
    "max_errors": "how many problems to print at most",
    "strict": "treat formula-like cells as errors",
    "provider": f"the platform clean shapes the outputs for ({', '.join(UPLOAD_PROVIDERS[:3])}, ...)",
    "sarvam_org": "Sarvam's organisation id for `csvprep campaign` (SARVAM_ORG_ID and --org win)",
    "sarvam_workspace": "Sarvam's workspace id for `csvprep campaign` (SARVAM_WORKSPACE_ID and --workspace win)",
}


@dataclass(frozen=True)
class Settings:
    """What ``[tool.csvprep]`` sets; None where it sets nothing."""

    source: Path | None = None
    rules: Path | None = None
    region: str | None = None
    out: Path | None = None
    html: Path | None = None
    format: str | None = None
    max_errors: int | None = None
    strict: bool | None = None
    provider: str | None = None
    sarvam_org: str | None = None  # never the key nor the API's URL: a cloned project must not redirect the key
    sarvam_workspace: str | None = None


def find_settings(start: Path | None = None) -> Settings:
    """The settings of the nearest pyproject.toml at or above ``start`` (the working directory) that has a
    ``[tool.csvprep]`` table; empty settings when there is none."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            settings = load_settings(candidate)
            if settings.source is not None:
                return settings
    return Settings()


def load_settings(path: Path) -> Settings:
    """``[tool.csvprep]`` of one pyproject.toml (empty settings when it has no such table)."""
    try:
        # utf-8-sig: an editor's byte-order mark is no part of the TOML
        document = tomllib.loads(read_capped(path, MAX_TEXT_FILE_BYTES, "pyproject.toml", ConfigError)
                                 .decode("utf-8-sig"))
    except RecursionError:
        raise ConfigError(f"{path}: cannot read (nested too deeply)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: TOMLDecodeError, too many digits
        raise ConfigError(f"{path}: cannot read ({' '.join(str(exc).split(';')[0].split())})") from None
    table = document.get("tool", {}).get("csvprep")
    if table is None:
        return Settings()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.csvprep] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: [tool.csvprep] has unknown setting(s) {', '.join(unknown)} "
                          f"(known: {', '.join(KEYS)})")
    base = path.parent

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{path}: [tool.csvprep] {key} must be a string ({KEYS[key]})")
        return value

    def location(key: str) -> Path | None:
        value = text(key)
        if value is None:
            return None
        # a repository's settings write inside the repository: a cloned project cannot point csvprep at any
        # writable file of the user's
        found = base / value
        if key in ("out", "html") and not found.resolve().is_relative_to(base.resolve()):
            raise ConfigError(f"{path}: [tool.csvprep] {key} = '{value}' points outside the project "
                              f"({base}); give such a path on the command line instead")
        return found

    max_errors = table.get("max_errors")
    if max_errors is not None and (not isinstance(max_errors, int) or isinstance(max_errors, bool)
                                   or max_errors < 1):
        raise ConfigError(f"{path}: [tool.csvprep] max_errors must be a positive whole number")
    strict = table.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise ConfigError(f"{path}: [tool.csvprep] strict must be true or false")
    fmt = text("format")
    if fmt is not None and fmt not in ("text", "json", "github", "csv"):
        raise ConfigError(f"{path}: [tool.csvprep] format must be one of text, json, github, csv")
    return Settings(source=path, rules=location("rules"), region=text("region"), out=location("out"),
                    html=location("html"), format=fmt, max_errors=max_errors, strict=strict, provider=text("provider"),
                    sarvam_org=text("sarvam_org"), sarvam_workspace=text("sarvam_workspace"))


@dataclass(frozen=True)
class Options:
    """A command's flags over ``[tool.csvprep]``, merged once: a flag wins, else the setting, else the default."""

    rules: Path | None  # None: no rules (the phone column checked, every other column passed through)
    region: str | None = None
    out: Path | None = None  # clean's output directory
    html: Path | None = None  # where clean writes report.html; None: in ``out``
    format: Format = Format.text
    max_errors: int | None = None
    strict: bool = False
    provider: str | None = None  # the platform clean shapes the outputs for


def merge_settings(settings: Settings, *, rules: Path | None = None, region: str | None = None,
                   out: Path | None = None, html: Path | None = None, format: Format | None = None,
                   strict: bool | None = None, max_errors: int | None = None, provider: str | None = None,
                   need_out: bool = False, input: Path | None = None) -> Options:
    """The flags given (None: not given) over ``settings``. ``need_out`` (clean): without ``--out`` or a setting,
    the outputs go beside ``input`` (:func:`default_out`); :class:`ConfigError` for standard input."""
    out = out or settings.out
    if need_out and out is None:
        out = default_out(input)
    return Options(rules=rules_path(rules, settings), region=region or settings.region, out=out,
                   html=html or settings.html, format=format or Format(settings.format or "text"),
                   max_errors=max_errors or settings.max_errors,
                   strict=strict if strict is not None else bool(settings.strict),
                   provider=provider or settings.provider)


def merge_for_clean(settings: Settings, input: Path | None, **given) -> tuple[Options, list[ConfigError]]:
    """clean's options (:func:`merge_settings` with ``need_out``); a missing output directory is returned, to be
    said together with whatever else is wrong (:func:`with_problems`) rather than on the next run."""
    try:
        return merge_settings(settings, **given, need_out=True, input=input), []
    except ConfigError as exc:
        return merge_settings(settings, **given), [exc]


def with_problems(problems: list[CsvprepError], make: Callable[[], T]) -> T:
    """``make()``; its problem and ``problems`` (found before it) raised together as one error."""
    try:
        value = make()
    except CsvprepError as exc:
        raise gathered([*problems, exc]) from None
    if problems:
        raise gathered(problems)
    return value


def rules_path(rules: Path | None, settings: Settings) -> Path | None:
    """The rules file: the flag's, else ``[tool.csvprep] rules``; None when neither names one."""
    return rules if rules is not None else settings.rules


def default_out(input: Path | None) -> Path:
    """Where clean writes without ``--out``: ``contacts.csvprep/`` beside ``contacts.csv``."""
    if input is None or str(input) == "-":
        what = " for standard input" if input is not None else ""
        raise ConfigError(f"no output directory{what}: pass --out DIR, or set out under [tool.csvprep] in "
                          "pyproject.toml")
    return input.parent / f"{input.stem}.csvprep"
