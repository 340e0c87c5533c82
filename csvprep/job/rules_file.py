"""The agent's rules file: which column holds the phone, which dynamic variables the agent needs, their types,
the campaign's defaults and the duplicate policy. Loaded from TOML and validated strictly, so that a typo in the
rules is an error that names the key instead of a check that silently never runs."""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import RulesError, collecting, gathered
from ..io.files import read_capped
from ..model.e164 import PHONE_TYPES
from ..model.limits import MAX_TEXT_FILE_BYTES
from ..model.rules import DUPLICATE_POLICIES, DuplicateRule, PhoneRule, Rules, VariableRule, check_region
from ..model.text import fold_name
from .patterns import check_polars_pattern as _check_polars_pattern
from ..stages.variables.check import check_value
from ..stages.variables.types import VARIABLE_TYPES

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "": ("agent", "phone", "variables", "defaults", "duplicates", "calling_hours"),
    "agent": ("name", "agent_id", "description", "prompt_file"),
    "phone": ("column", "default_region", "allowed_regions", "allowed_types", "fix_missing_plus",
              "country_code_column"),
    "variable": (
        "column", "required", "type", "values", "case_sensitive", "min_length", "max_length", "pattern",
        "formats", "min", "max", "decimal_separator", "description",
    ),
    "duplicates": ("policy", "key"),
}


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules TOML file. Raises :class:`RulesError` with a one-line explanation."""
    path = Path(path)
    try:
        raw = read_capped(path, MAX_TEXT_FILE_BYTES, "rules file", RulesError)
    except IsADirectoryError:
        raise RulesError(f"{path}: is a directory, not a rules file") from None
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RulesError(f"{path}: rules file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise RulesError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as exc:  # an integer past Python's limit on digits (sys.get_int_max_str_digits)
        raise RulesError(f"{path}: invalid TOML: {' '.join(str(exc).split(';')[0].split())}") from None
    return rules_from_dict(data, source=str(path))


def rules_from_dict(data: dict[str, Any], source: str = "<rules>") -> Rules:
    """Validate rules given as a dict (the parsed TOML) and build :class:`Rules`. Every mistake found is in the one
    :class:`RulesError` raised (its ``messages``), each table checked even when another is wrong."""
    if not isinstance(data, dict):
        raise RulesError(f"{source}: rules must be a table")
    problems: list[RulesError] = []

    attempt = collecting(problems, RulesError)

    attempt(_check_keys, data, "", source, "top level")
    agent = attempt(_table, data, "agent", source, fallback={})
    attempt(_check_keys, agent, "agent", source, "[agent]")
    phone = attempt(_phone_rule, attempt(_table, data, "phone", source, fallback={}), source, fallback=PhoneRule())
    duplicates_table = attempt(_table, data, "duplicates", source, fallback={})
    attempt(_check_keys, duplicates_table, "duplicates", source, "[duplicates]")

    variables_table = attempt(_table, data, "variables", source, fallback={})
    variables: list[VariableRule] = []
    for name, spec in variables_table.items():
        if not isinstance(spec, dict):
            problems.append(RulesError(f"{source}: [variables.{name}] must be a table, not {_kind(spec)}"))
            continue
        variable = attempt(_variable_rule, name, spec, source)
        if variable is not None:
            variables.append(variable)
    try:
        rules = _assemble(data, agent, phone, variables, duplicates_table, source,
                          complete=len(variables) == len(variables_table))
    except RulesError as exc:
        problems.append(exc)
    if problems:
        raise gathered(problems)
    return rules


def _assemble(data: dict[str, Any], agent: dict[str, Any], phone: PhoneRule, variables: list[VariableRule],
              duplicates_table: dict[str, Any], source: str, complete: bool) -> Rules:
    """The rules from their checked parts; ``complete``: no variable was left out for a mistake (else what
    names variables, the duplicate key and the defaults, is not checked against them)."""
    problems: list[RulesError] = []

    columns: dict[str, str] = {}
    for variable in variables:
        if variable.column is None:
            continue
        folded = fold_name(variable.column)
        if folded in columns:
            problems.append(RulesError(
                f"{source}: variables '{columns[folded]}' and '{variable.name}' both use column '{variable.column}'"
            ))
        columns.setdefault(folded, variable.name)
    if phone.column is not None and fold_name(phone.column) in columns:
        problems.append(RulesError(
            f"{source}: variable '{columns[fold_name(phone.column)]}' uses the phone column '{phone.column}'"
        ))

    attempt = collecting(problems, RulesError)

    names = {v.name for v in variables}
    duplicates = attempt(_duplicate_rule, duplicates_table, names, source, fallback=DuplicateRule()) if complete \
        else DuplicateRule()
    rules = Rules(
        agent_name=attempt(_optional_str, agent, "name", source, "[agent]"),
        agent_id=attempt(_optional_str, agent, "agent_id", source, "[agent]"),
        phone=phone,
        variables=tuple(variables),
        duplicates=duplicates,
        source=source,
        prompt_file=attempt(_optional_str, agent, "prompt_file", source, "[agent]"),
        calling_window=attempt(lambda: _calling_window(_table(data, "calling_hours", source), source)),
    )
    defaults = attempt(_table, data, "defaults", source, fallback={})
    if complete:
        rules = attempt(with_defaults, rules, defaults, f"{source}: [defaults]", fallback=rules)
    else:  # the variables in error are still defined: only a default for none of them is wrong for sure
        defined = set(_table(data, "variables", source))
        problems += [RulesError(f"{source}: [defaults]: default for undefined variable '{key}'"
                                f"{_suggest(key, defined)}") for key in defaults if key not in defined]
    if problems:
        raise gathered(problems)
    return rules


def _calling_window(table: dict[str, Any], source: str):
    if not table:
        return None
    from ..model.calling import window_from_table

    return window_from_table(table, f"{source}: [calling_hours]")


def with_defaults(rules: Rules, defaults: dict[str, Any], origin: str) -> Rules:
    """``rules`` with campaign defaults laid over the rules' own (a key must be a defined variable); every wrong
    default in the one error raised."""
    known = {v.name for v in rules.variables}
    problems = [RulesError(f"{origin}: default for undefined variable '{key}'{_suggest(key, known)}")
                for key in defaults if key not in known]
    variables = []
    for v in rules.variables:
        if v.name in defaults:
            try:
                v = dataclasses.replace(v, default=_default_text(defaults[v.name], v, origin))
            except RulesError as exc:
                problems.append(exc)
        variables.append(v)
    if problems:
        raise gathered(problems)
    return dataclasses.replace(rules, variables=tuple(variables))


def _phone_rule(table: dict[str, Any], source: str) -> PhoneRule:
    problems: list[RulesError] = []

    def attempt(step, fallback=None):
        try:
            return step()
        except RulesError as exc:
            problems.append(exc)
            return fallback

    attempt(lambda: _check_keys(table, "phone", source, "[phone]"))
    region = table.get("default_region")
    if region is not None:
        region = attempt(lambda: check_region(region, f"{source}: [phone] default_region"))
    allowed = attempt(lambda: _allowed_regions(table.get("allowed_regions"), source))
    types = attempt(lambda: _allowed_types(table.get("allowed_types"), source))
    fix = table.get("fix_missing_plus", True)
    if not isinstance(fix, bool):
        problems.append(RulesError(f"{source}: [phone] fix_missing_plus must be true or false, not {_kind(fix)}"))
        fix = True
    codes = table.get("country_code_column")
    if codes is True or codes == "" or not isinstance(codes, (str, bool, type(None))):
        what = "true" if codes is True else "an empty string" if codes == "" else _kind(codes)
        problems.append(RulesError(f"{source}: [phone] country_code_column must name a column, or be false for "
                                   f"none, not {what}"))
        codes = None
    column = attempt(lambda: _optional_str(table, "column", source, "[phone]"))
    if problems:
        raise gathered(problems)
    return PhoneRule(column=column, default_region=region, allowed_regions=allowed, allowed_types=types,
                     fix_missing_plus=fix, country_code_column=codes)


def _allowed_regions(allowed: Any, source: str) -> tuple[str, ...] | None:
    if allowed is None:
        return None
    allowed = tuple(check_region(r, f"{source}: [phone] allowed_regions") for r in _str_list(
        allowed, source, "[phone] allowed_regions"))
    if not allowed:
        raise RulesError(f"{source}: [phone] allowed_regions is empty: no number could be accepted")
    return allowed


def _allowed_types(types: Any, source: str) -> tuple[str, ...] | None:
    if types is None:
        return None
    types = tuple(_str_list(types, source, "[phone] allowed_types"))
    for kind in types:
        if kind not in PHONE_TYPES:
            raise RulesError(f"{source}: [phone] allowed_types: unknown type '{kind}'{_suggest(kind, PHONE_TYPES)}"
                             f" (one of {', '.join(PHONE_TYPES)})")
    return types


def _variable_rule(name: str, spec: dict[str, Any], source: str) -> VariableRule:
    where = f"[variables.{name}]"
    if not _VARIABLE_NAME.match(name):
        raise RulesError(f"{source}: {where}: a variable name is letters, digits and '_', not starting with a digit")
    _check_keys(spec, "variable", source, where)
    kind = spec.get("type", "string")
    if not isinstance(kind, str) or kind not in VARIABLE_TYPES:
        # 'enum(a, b)': the type and the key it needs written as one
        needing = next((t for t in VARIABLE_TYPES.values() if t.needs and str(kind).startswith(t.name)), None)
        hint = f" (write type = \"{needing.name}\" and {needing.needs[0]} = [...])" if needing else ""
        raise RulesError(
            f"{source}: {where} unknown type {kind!r}{hint or _suggest(str(kind), VARIABLE_TYPES)}"
            f" (one of {', '.join(VARIABLE_TYPES)})"
        )
    values = tuple(_str_list(spec.get("values", []), source, f"{where} values"))
    _check_type_key("values", bool(values), kind, source, where)
    formats = tuple(_str_list(spec.get("formats", []), source, f"{where} formats"))
    _check_type_key("formats", bool(formats), kind, source, where)
    for fmt in formats:
        if "%" not in fmt:
            raise RulesError(f"{source}: {where} format {fmt!r} has no strftime field (e.g. '%d/%m/%Y')")
    pattern = _optional_str(spec, "pattern", source, where)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RulesError(f"{source}: {where} pattern {pattern!r} is not a valid regular expression: {exc}") from None
        _check_polars_pattern(pattern, source, where)
    lengths = {key: _optional_int(spec, key, source, where) for key in ("min_length", "max_length")}
    if lengths["min_length"] is not None and lengths["max_length"] is not None and (
        lengths["min_length"] > lengths["max_length"]
    ):
        raise RulesError(f"{source}: {where} min_length is greater than max_length")
    bounds = {key: _optional_number(spec, key, source, where) for key in ("min", "max")}
    _check_type_key("min", bounds["min"] is not None, kind, source, where)
    _check_type_key("max", bounds["max"] is not None, kind, source, where)
    separator = _optional_str(spec, "decimal_separator", source, where)
    if separator is not None and separator not in (".", ","):
        raise RulesError(f"{source}: {where} decimal_separator must be \".\" or \",\", not {separator!r}")
    _check_type_key("decimal_separator", separator is not None, kind, source, where)
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise RulesError(f"{source}: {where} required must be true or false, not {_kind(required)}")
    case_sensitive = spec.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise RulesError(f"{source}: {where} case_sensitive must be true or false, not {_kind(case_sensitive)}")
    return VariableRule(
        name=name,
        column=_optional_str(spec, "column", source, where),
        required=required,
        type=kind,
        values=values,
        case_sensitive=case_sensitive,
        min_length=lengths["min_length"],
        max_length=lengths["max_length"],
        pattern=pattern,
        formats=formats,
        min=bounds["min"],
        max=bounds["max"],
        decimal_separator=separator,
        description=_optional_str(spec, "description", source, where),
    )


# how a message names a rule key that only some types take, and its verb
_TYPE_KEY_WORDS = {"values": ("values", "apply"), "formats": ("formats", "apply"), "min": ("min/max", "apply"),
                   "max": ("min/max", "apply"), "decimal_separator": ("decimal_separator", "applies")}


def _check_type_key(key: str, given: bool, kind: str, source: str, where: str) -> None:
    """A key some types need (enum's values) is given for them; one only some types take, for no other."""
    if not given and key in VARIABLE_TYPES[kind].needs:
        raise RulesError(f"{source}: {where} type {kind!r} needs {key} = [...]")
    takers = [name for name, entry in VARIABLE_TYPES.items() if key in entry.takes]
    if given and kind not in takers:
        label, verb = _TYPE_KEY_WORDS.get(key, (key, "apply"))
        names = " and ".join(", ".join(f"'{name}'" for name in takers).rsplit(", ", 1))
        raise RulesError(f"{source}: {where} {label} only {verb} to type{'s' if len(takers) > 1 else ''} {names}")


def _duplicate_rule(table: dict[str, Any], variables: set[str], source: str) -> DuplicateRule:
    policy = table.get("policy", "reject")
    if policy not in DUPLICATE_POLICIES:
        raise RulesError(
            f"{source}: [duplicates] policy must be one of {', '.join(DUPLICATE_POLICIES)}, not {policy!r}"
        )
    key = tuple(_str_list(table.get("key", ["phone"]), source, "[duplicates] key"))
    if not key:
        raise RulesError(f"{source}: [duplicates] key is empty")
    for part in key:
        if part != "phone" and part not in variables:
            raise RulesError(
                f"{source}: [duplicates] key names '{part}', which is neither 'phone' nor a defined variable"
                f"{_suggest(part, variables | {'phone'})}"
            )
    return DuplicateRule(policy=policy, key=key)


def _default_text(value: Any, variable: VariableRule, origin: str) -> str:
    """A default as the text that goes into the CSV, checked against the variable's type."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float, str)):
        text = str(value)
    else:
        raise RulesError(f"{origin}: default for '{variable.name}' must be a string or number, not {_kind(value)}")
    problem = check_value(text, variable)
    if problem is not None:
        raise RulesError(f"{origin}: default {text!r} for '{variable.name}' is invalid: {problem}")
    return text


def _check_keys(table: dict[str, Any], section: str, source: str, where: str) -> None:
    allowed = _SECTION_KEYS[section]
    unknown = [RulesError(f"{source}: {where}: unknown key '{key}'{_suggest(key, allowed)}")
               for key in table if key not in allowed]
    if unknown:
        raise gathered(unknown)


def _suggest(word: str, choices: Any) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _table(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise RulesError(f"{source}: [{key}] must be a table, not {_kind(value)}")
    return value


def _optional_str(table: dict[str, Any], key: str, source: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise RulesError(f"{source}: {where} {key} must be a non-empty string, not {_kind(value)}")
    return value.strip() if isinstance(value, str) else None


def _optional_int(table: dict[str, Any], key: str, source: str, where: str) -> int | None:
    value = table.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise RulesError(f"{source}: {where} {key} must be a whole number >= 0, not {value!r}")
    return value


def _optional_number(table: dict[str, Any], key: str, source: str, where: str) -> float | None:
    value = table.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise RulesError(f"{source}: {where} {key} must be a number, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):  # TOML allows nan and inf: no bound is either
        raise RulesError(f"{source}: {where} {key} must be a finite number, not {value!r}")
    return value


def _str_list(value: Any, source: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RulesError(f"{source}: {where} must be a list of strings, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)
