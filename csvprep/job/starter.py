"""A starter rules file inferred from a contact file alone (``csvprep init``): the phone column csvprep detects, the
default region that makes most numbers written without a country code valid, one variable per other column typed
from its values, and the prompt's ``{{variables}}`` mapped to columns by name. Every line is commented, and every
inferred type is checked against the values it was inferred from with the very checks ``clean`` runs, so the file
runs as it is."""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.cut import Digest, can_split, parts
from ..io.read.delimited import read_bytes
from ..io.read.readers import read_source
from ..model.contacts import ReadOptions
from ..model.headers import looks_like_phone_header
from ..model.providers import get_provider
from ..model.rules import PhoneRule, Rules, VariableRule
from ..model.text import fold_name
from ..stages.columns import map_columns
from ..stages.phones.check import check_phones
from ..stages.phones.guess import RegionGuess, guess_region
from ..stages.phones.regions import code_region, country_name
from ..stages.variables.check import value_problems
from .prompt import PHONE_VARIABLE, read_prompt

# contacts read to infer from: enough to see every kind of value a column holds, without reading a huge file whole
SAMPLE_ROWS = 100_000
_PHONE_SAMPLE = 2_000  # numbers tried for each phone column candidate
_ENUM_MAX = 8  # distinct values a column may have to be an enum
_TYPED_VALUES = 500  # the most common distinct values of a column that its type is inferred from
# the share of a column's cells a type must fit: a few mistyped cells are what clean is for, not a reason for text
FIT_SHARE = 0.95
_BOOLEAN_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y",
                 "%m/%d/%y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y",
                 "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def starter_rules(source: str | Path | bytes, *, prompt: str | Path | None = None, provider: str | None = None,
                  read_options: ReadOptions | None = None, name: str = "<stdin>",
                  rules_dir: str | Path | None = None) -> str:
    """The text of a starter rules file (TOML, every line commented) for the contact file ``source`` (a path or its
    bytes, named ``name``). ``prompt``: the agent's prompt template, whose variables are mapped to columns by name;
    ``provider``: the platform the list is for (checked, and named in the file); ``rules_dir``: where the rules file
    will be, so that ``prompt_file`` is relative to it (default: the working directory). Raises
    :class:`~csvprep.errors.InputError` when the file cannot be read or has no phone column."""
    options = read_options or ReadOptions()
    contacts = _sample(source, options, name)
    header = contacts.header
    frame = contacts.frame
    platform = get_provider(provider) if provider is not None else None
    template = read_prompt(prompt) if prompt is not None else None

    phone, phone_note = _phone_column(header, frame, contacts.source)
    shown = "FILE" if isinstance(source, bytes) else contacts.source
    columns = map_columns(header, Rules(phone=PhoneRule(column=phone)), contacts.source)
    guess = guess_region(frame.get_column(phone), _country_regions(frame, header))

    out: list[str] = [
        f"# Starter rules for {contacts.source}, written by `csvprep init` from its first {frame.height:,} "
        f"contact{'' if frame.height == 1 else 's'}.",
        "# Read every line, change what is wrong, then: csvprep clean "
        f"{shown} --rules RULES.toml" + (f" --provider {platform.name}" if platform else ""),
        "",
    ]
    if template is not None or platform is not None:
        out.append("[agent]   # the agent the list is for")
        if template is not None:
            base = Path(rules_dir) if rules_dir is not None else Path.cwd()
            relative = Path(_relative(Path(prompt), base)).as_posix()
            out.append(f"prompt_file = {_toml(relative)}   # the prompt's {{{{variables}}}}: relative to this file")
        if platform is not None:
            out.append(f"# provider: {platform.name} (pass --provider {platform.name} to clean, or set provider "
                       "under [tool.csvprep])")
        out.append("")
    out += ["[phone]   # the column csvprep normalises to E.164 and checks", f"column = {_toml(phone)}   # {phone_note}"]
    if columns.country_code is not None:
        out.append(f"# country codes are read from column {columns.country_code!r} (found by its header)")
    out += _region_lines(guess)
    out.append("# allowed_regions = [\"US\", \"CA\"]   # uncomment to reject numbers of any other country")
    out.append("")

    wanted = _prompt_columns(template, header, phone) if template is not None else {}
    used_names = {PHONE_VARIABLE}
    taken_columns = {fold_name(phone)} | ({fold_name(columns.country_code)} if columns.country_code else set())
    for column in header:
        if fold_name(column) in taken_columns:
            if column not in (phone, columns.country_code):
                out.append(f"# column {column!r} is passed through: its name matches another as csvprep compares "
                           "names (case, spaces and punctuation aside)")
                out.append("")
            continue
        taken_columns.add(fold_name(column))
        variable = wanted.get(column) or _unique(_variable_name(column), used_names)
        used_names.add(variable)
        in_prompt = template is not None and variable in template.all
        out += _variable_lines(variable, column, frame.get_column(column), contacts.delimiter, in_prompt)
    unmatched = sorted(template.all - set(wanted.values()) - {PHONE_VARIABLE}) if template is not None else []
    for variable in unmatched:
        out += [f"[variables.{variable}]   # the prompt uses {{{{{variable}}}}}, but no column is named like it",
                "required = false   # add the column to the file, or write the default below", ""]
    if unmatched:
        out.append("[defaults]   # what the agent gets when a cell is empty (or the column is missing)")
        out += [f"{variable} = \"\"   # write what the agent should say" for variable in unmatched]
        out.append("")
    out += ["[duplicates]   # the same number twice", "policy = \"reject\"   # a number seen earlier in the file: reject | warn | keep", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _sample(source: str | Path | bytes, options: ReadOptions, name: str):
    """The file's first :data:`SAMPLE_ROWS` contacts (the whole file when it cannot be cut into parts)."""
    if isinstance(source, (str, Path)) and Path(source).is_file() and can_split(Path(source), options):
        first = next(parts(Path(source), SAMPLE_ROWS, Digest(), delimiter=options.delimiter))
        return read_bytes(first.data, source=str(source), options=options, digest=False, at_end=first.last)
    return read_source(source, options, name)


def _phone_column(header: list[str], frame: pl.DataFrame, source: str) -> tuple[str, str]:
    """The phone column as ``clean`` finds it; among several candidates, the one with most dialable numbers."""
    try:
        found = map_columns(header, Rules(), source).phone
        return found, "found by its header"
    except InputError:
        candidates = [name for name in header if looks_like_phone_header(name)]
        if len(candidates) < 2:
            by_values = _phone_like_columns(frame, header)
            if not by_values:
                raise
            best, share = by_values[0]
            others = ", ".join(f"{name!r}" for name, _ in by_values[1:])
            return best, (f"chosen by its values ({share:.0%} of its cells look like phone numbers), not its header: "
                          "check it" + (f"; also candidates: {others}" if others else ""))
    scores = {name: _dialable(frame.get_column(name)) for name in candidates}
    best = max(candidates, key=lambda name: scores[name])
    others = ", ".join(f"{name!r} ({scores[name]:,})" for name in candidates if name != best)
    return best, f"{scores[best]:,} numbers with a country code; also candidates: {others}"


_PHONE_LIKE = r"^\+?[\d\s().\-/]{7,24}$"


def _phone_like_columns(frame: pl.DataFrame, header: list[str]) -> list[tuple[str, float]]:
    """Columns whose filled cells mostly look like phone numbers (digits, with the usual separators, 7 to 15 of
    them), best first: for a file whose phone column's header says nothing (``Contact``, ``Value``)."""
    found = []
    for name in header:
        cells = frame.get_column(name).rename("value").head(_PHONE_SAMPLE).cast(pl.String).str.strip_chars()
        cells = cells.drop_nulls()
        cells = cells.filter(cells != "")
        if cells.is_empty():
            continue
        digits = cells.str.count_matches(r"\d")
        share = float((cells.str.contains(_PHONE_LIKE) & (digits >= 7) & (digits <= 15)).mean())
        if share >= 0.8:
            found.append((name, share))
    return sorted(found, key=lambda pair: -pair[1])


def _dialable(values: pl.Series) -> int:
    return int(check_phones(values.rename("value").head(_PHONE_SAMPLE), PhoneRule()).get_column("e164").is_not_null().sum())


def _country_regions(frame: pl.DataFrame, header: list[str]) -> list[str]:
    """Regions named in the file's country columns (an address's country says where a list likely comes from)."""
    found: list[str] = []
    for name in header:
        if fold_name(name) in {"country", "countryregion", "countrycode", "mailingcountry", "billingcountry"}:
            for cell in frame.get_column(name).drop_nulls().unique().head(50).to_list():
                region = code_region(cell)
                if region and len(region) == 2 and region not in found:
                    found.append(region)
    return found


def _region_lines(guess: RegionGuess) -> list[str]:
    if guess.tried == 0:
        return ["# default_region = \"US\"   # every number has its country code: none needed"]
    if guess.region is None and not guess.close:
        return [f"# default_region = \"US\"   # none of the {guess.tried:,} numbers without a country code is valid "
                "in any region tried: set the list's own"]
    if guess.region is None:  # several regions fit nearly alike: setting one would be a guess
        alike = ", ".join(f"{region} {count:,}" for region, count in guess.close[:5]) + (
            ", …" if len(guess.close) > 5 else "")
        return [f"# default_region = {_toml(guess.close[0][0])}   # the {guess.tried:,} numbers written without a "
                f"country code fit several regions nearly alike ({alike}): set the list's own, or leave it out "
                "and only numbers with a country code are accepted"]
    runner = (f"; {guess.runner_up[0]} would fit {guess.runner_up[1]:,}" if guess.runner_up else "")
    return [f"default_region = {_toml(guess.region)}   # {country_name(guess.region)}: {guess.fits:,} of "
            f"{guess.tried:,} distinct numbers written without a country code are valid read in it{runner}"]


def _prompt_columns(template, header: list[str], phone: str) -> dict[str, str]:
    """Column -> the prompt variable it holds, matched by name as ``clean`` matches them."""
    by_fold = {fold_name(name): name for name in reversed(header) if name != phone}
    return {by_fold[fold_name(variable)]: variable for variable in sorted(template.all)
            if variable != PHONE_VARIABLE and fold_name(variable) in by_fold}


def _variable_lines(variable: str, column: str, values: pl.Series, delimiter: str, in_prompt: bool) -> list[str]:
    cells = values.rename("value").cast(pl.String).str.strip_chars()  # a header '^x$' is no regex of columns
    filled = cells.filter(cells.is_not_null() & (cells != ""))
    required = len(filled) == len(cells) and len(cells) > 0
    rule, why = infer_type(filled, delimiter)
    lines = [f"[variables.{variable}]   # " + ("{{" + variable + "}} in the prompt" if in_prompt else
                                             f"the variable {{{{{variable}}}}}, from the column")]
    if variable != column:
        lines.append(f"column = {_toml(column)}   # the file's header")
    lines.append(f"type = {_toml(rule.type)}   # {why}")
    if rule.decimal_separator is not None:
        lines.append(f"decimal_separator = {_toml(rule.decimal_separator)}   # the separator the values use")
    if rule.formats:
        lines.append(f"formats = {json.dumps(list(rule.formats))}   # the date formats seen")
    if rule.values:
        lines.append(f"values = {json.dumps(list(rule.values), ensure_ascii=False)}   # the values seen")
    empty = len(cells) - len(filled)
    lines.append(f"required = {'true' if required else 'false'}   # "
                 + ("no cell is empty" if required else f"{empty:,} of {len(cells):,} cells are empty")
                 + ("; the prompt uses it" if in_prompt else ""))
    return [*lines, ""]


def infer_type(filled: pl.Series, delimiter: str = ",") -> tuple[VariableRule, str]:
    """The narrowest variable type that at least :data:`FIT_SHARE` of ``filled`` (non-empty cells) fit, checked
    with ``clean``'s own checks, and why, for a comment (the cells that do not fit are what clean will reject);
    a string when no other type fits."""
    if filled.is_empty():
        return VariableRule(name="x"), "no values to type it by: every cell is empty"
    # a header is no expression: '^x$' as a column name would be read as a regex of names
    counted = filled.rename("value").value_counts(sort=True).head(_TYPED_VALUES)
    values, weights = counted.get_column("value").to_list(), counted.get_column("count").to_list()
    lowered = {value.lower() for value in values}
    numeric_ids = any(re.fullmatch(r"[+-]?0\d+", v) or len(v) > 15 for v in values if v.isdigit())
    candidates: list[tuple[VariableRule, str]] = []
    if lowered & _BOOLEAN_WORDS and len(lowered) <= 4:
        candidates.append((VariableRule(name="x", type="boolean"), f"values {_seen(values)}"))
    if not numeric_ids:  # 0415..., zip codes, long ids: text, or their zeros and digits would change
        candidates.append((VariableRule(name="x", type="integer"), "whole numbers"))
        comma = sum(w for v, w in zip(values, weights) if re.search(r"\d,\d{1,2}$", v)) > \
            sum(w for v, w in zip(values, weights) if re.search(r"\d\.\d{1,2}$", v))
        separator = "," if comma or (delimiter == ";" and not any("." in v for v in values)) else "."
        candidates.append((VariableRule(name="x", type="decimal", decimal_separator=separator),
                           f"numbers with a decimal {'comma' if separator == ',' else 'point'}"))
    formats = _date_formats(values)
    if formats:
        candidates.append((VariableRule(name="x", type="date", formats=formats), "dates"))
    candidates.append((VariableRule(name="x", type="email"), "email addresses"))
    folded = {v.casefold(): v for v in reversed(values)}
    if 1 < len(folded) <= _ENUM_MAX and len(filled) >= max(10, 3 * len(folded)) and all(
            re.fullmatch(r"[^\W\d_][\w .'/()&-]{0,39}", v) for v in values):
        listed = tuple(dict.fromkeys(folded[v.casefold()] for v in values))
        candidates.append((VariableRule(name="x", type="enum", values=listed),
                           f"{len(listed)} distinct values in {len(filled):,} cells"))
    total = sum(weights)
    for rule, why in candidates:
        problems = value_problems(pl.Series("value", values, dtype=pl.String), rule).is_not_null().to_list()
        failing = sum(w for bad, w in zip(problems, weights) if bad)
        if failing <= (1 - FIT_SHARE) * total:
            if failing:
                why += f"; {failing:,} cells do not fit (clean rejects them: fix them, or make the type \"string\")"
            return rule, why
    return VariableRule(name="x"), "text"


def _date_formats(values: list[str]) -> tuple[str, ...]:
    """The formats that read the values (the fewest, in the order tried); () when most are no dates."""
    chosen: list[str] = []
    dates = 0
    for value in values:
        if any(_reads(value, fmt) for fmt in chosen):
            dates += 1
            continue
        fitting = [fmt for fmt in _DATE_FORMATS if _reads(value, fmt)]
        if fitting:
            dates += 1
            chosen.append(fitting[0])
    if dates < FIT_SHARE * len(values):
        return ()
    # 03/04/2026 reads both ways: when another value says which way the file writes them, that way only
    for day_first, month_first in (("%d/%m/%Y", "%m/%d/%Y"), ("%d/%m/%y", "%m/%d/%y"), ("%d-%m-%Y", "%m-%d-%Y")):
        if day_first in chosen and month_first in chosen:
            if not all(_reads(v, month_first) for v in values if _reads(v, day_first)):
                continue
            chosen.remove(day_first)
    return tuple(chosen)


def _reads(value: str, fmt: str) -> bool:
    try:
        datetime.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _seen(values: list[str]) -> str:
    return ", ".join(values[:6]) + (" ..." if len(values) > 6 else "")


def _variable_name(column: str) -> str:
    """A header as a variable name: ASCII letters, digits and '_', not starting with a digit."""
    ascii_name = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", ascii_name))
    name = "_".join(words).lower()
    if not name:
        name = "column"
    return f"_{name}" if name[0].isdigit() else name


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


def _relative(path: Path, base: Path) -> str:
    import os

    try:
        return os.path.relpath(path.resolve(), base.resolve())
    except ValueError:  # another drive
        return str(path.resolve())


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string
