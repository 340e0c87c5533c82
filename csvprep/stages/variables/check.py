"""The agent's dynamic variables: trim, type-check and normalise each variable column, fill empty cells from the
campaign's defaults (a CSV value always wins) and report what is missing or invalid.

Each type is normalised as its entry in :data:`csvprep.stages.variables.types.VARIABLE_TYPES` says, and the per-agent constraints (lengths, patterns, ranges) checked with Polars expressions (no
Python per row); :mod:`csvprep.schema` states the same contract as a pandera schema for the cleaned frame."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ...model.issues import issue_frame, issues_from
from ...model.rules import VariableRule
from ...model.summary import VariableStats
from ...model.text import AT_ENDS, PLACEHOLDERS, SPREADSHEET_ERROR, SPREADSHEET_ERROR_REASON, excel_text_expr
from .types import VARIABLE_TYPES


def check_variables(
    frame: pl.DataFrame, bindings: list[tuple[VariableRule, str]], *, decimal_comma: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame, list[VariableStats]]:
    """Normalise the variable columns of ``frame`` (which has ``_row`` and ``_line``).

    ``bindings`` pairs each variable with the frame column that holds it (a column missing from the frame is
    created, full of the default). ``decimal_comma``: numbers whose reading depends on it (``1.234``) are read
    with a decimal comma, as a semicolon-separated file writes them, unless the variable's ``decimal_separator``
    says otherwise. Returns the frame with normalised, filled columns, the issues found and a
    :class:`VariableStats` per variable.
    """
    issues: list[pl.DataFrame] = []
    stats: list[VariableStats] = []
    updates: list[pl.Series] = []
    for variable, column in bindings:
        if column in frame.columns:
            raw = frame.get_column(column)
        else:
            raw = pl.Series(column, [None] * frame.height, dtype=pl.String)
        checked = _checked(raw, variable, decimal_comma)
        normalised, problem = checked.get_column("value"), checked.get_column("problem")
        present = checked.get_column("present")
        placeholder = checked.get_column("placeholder")
        if placeholder.any():
            # a required one without a default: the missing_variable error that follows says it
            then = (f"filled with the default '{variable.default}'" if variable.default is not None
                    else None if variable.required else "left empty")
            issues.append(issue_frame(
                frame.with_columns(raw.alias("_value")).filter(placeholder), column=column, code="placeholder_value",
                value=pl.col("_value"),
                message=pl.format("placeholder '{}' for '{}' read as an empty cell", pl.col("_value").str.strip_chars(),
                                  pl.lit(variable.name)),
                detail=pl.lit(then),
            ))
        invalid = problem.is_not_null()
        missing = ~present
        filled = normalised
        if variable.default is not None:
            filled = pl.select(
                pl.when(missing).then(pl.lit(variable.default)).otherwise(normalised).alias(column)
            ).to_series()
        elif variable.required:
            issues.append(
                issue_frame(
                    frame.filter(missing),
                    column=column,
                    code="missing_variable",
                    value=pl.lit(""),
                    message=pl.lit(f"missing required variable '{variable.name}'"),
                )
            )
        issues.append(
            issue_frame(
                frame.with_columns(raw.alias("_value"), problem.alias("_problem")).filter(invalid),
                column=column,
                code="invalid_value",
                value=pl.col("_value"),
                message=pl.format("invalid value '{}' for '{}': {}", pl.col("_value"), pl.lit(variable.name),
                                  pl.col("_problem")),
            )
        )
        updates.append(filled.alias(column))
        stats.append(
            VariableStats(
                variable=variable.name,
                column=column,
                from_file=int(present.sum()),
                defaulted=int(missing.sum()) if variable.default is not None else 0,
                missing=int(missing.sum()) if variable.default is None and variable.required else 0,
                invalid=int(invalid.sum()),
            )
        )
    if updates:
        frame = frame.with_columns(updates)
    return frame, issues_from(issues), stats


def check_value(text: str, variable: VariableRule) -> str | None:
    """Why ``text`` is not a valid value for ``variable``, or ``None`` when it is (used for defaults)."""
    raw = pl.Series("value", [text], dtype=pl.String)
    return _checked(raw, variable, False).get_column("problem")[0]


def value_problems(values: pl.Series, variable: VariableRule) -> pl.Series:
    """Why each of ``values`` is not a valid value for ``variable`` (null where it is): :func:`check_value` of a
    column at once."""
    return _checked(values.cast(pl.String).rename("value"), variable, False).get_column("problem")


def normalise_value(text: str, variable: VariableRule) -> str | None:
    """The value as it is written to cleaned.csv, or ``None`` when it is empty or invalid."""
    raw = pl.Series("value", [text], dtype=pl.String)
    typed = _typed(raw, variable)
    return None if typed.get_column("problem")[0] is not None else typed.get_column("value")[0]


# a column is checked value by value when a sample of it holds at most this share of distinct values
_SAMPLE = 10_000
_DISTINCT_SHARE = 5


def _checked(raw: pl.Series, variable: VariableRule, decimal_comma: bool) -> pl.DataFrame:
    """:func:`_typed` with the variable's constraints applied to ``problem``.

    Columns such as dates, languages or yes/no flags repeat a few values over many rows: they are checked once
    per distinct value and the answers spread back (a due-date column of a million rows: 0.3 s -> 0.09 s). Every
    check is of one value alone, so the answers are the same either way."""
    if VARIABLE_TYPES[variable.type].per_value and len(raw) >= 4 * _SAMPLE \
            and raw.head(_SAMPLE).n_unique() * _DISTINCT_SHARE <= _SAMPLE:
        distinct = raw.drop_nulls().unique()
        if len(distinct) * _DISTINCT_SHARE <= len(raw):
            checked = _checked(distinct, variable, decimal_comma)
            position = raw.replace_strict(distinct, pl.int_range(len(distinct), eager=True, dtype=pl.UInt32),
                                          default=None, return_dtype=pl.UInt32)
            # an empty cell's position is null: its row comes back all null, where present is false
            return checked[position].with_columns(pl.col("present").fill_null(False),
                                                  pl.col("placeholder").fill_null(False))
    typed = _typed(raw, variable, decimal_comma)
    return typed.with_columns(_constraints(typed.get_column("value"), typed.get_column("problem"), variable))


def _typed(raw: pl.Series, variable: VariableRule, decimal_comma: bool = False) -> pl.DataFrame:
    """Columns ``value`` (normalised text, null when empty or invalid), ``problem`` (why it is invalid) and
    ``present`` (the cell holds something)."""
    # the trimmed cell, null when empty: every normalisation below starts from it
    frame = pl.DataFrame({"raw": raw}).select(pl.col("raw").str.strip_chars(AT_ENDS).replace("", None)
                                              .alias("present"))
    placeholder = frame.select(pl.col("present").is_in(PLACEHOLDERS).fill_null(False)).to_series()
    if placeholder.any():
        frame = frame.select(pl.when(~placeholder).then(pl.col("present")).alias("present"),
                             placeholder.alias("placeholder"))
    else:
        frame = frame.with_columns(pl.lit(False).alias("placeholder"))
    if frame.get_column("present").str.starts_with('="').any():
        # ="000123": the text inside is the value (what the spreadsheet shows, and what the agent should say)
        frame = frame.with_columns(excel_text_expr(pl.col("present")).str.strip_chars().replace("", None)
                                   .alias("present"))
    # '#N/A' in a name column would be read out to the contact: a failed formula is no value of any type
    failed_formulas = None
    if frame.select(pl.col("present").str.starts_with("#") | pl.col("present").str.starts_with("Err:")).to_series() \
            .any():
        failed_formulas = frame.select(pl.col("present").str.contains(SPREADSHEET_ERROR).fill_null(False)).to_series()
    value = pl.col("present")
    kind = variable.type
    entry = VARIABLE_TYPES[kind]
    comma = entry.decimal_comma and (variable.decimal_separator or ("," if decimal_comma else ".")) == ","
    normalised, problem = entry.normalise(value, variable, comma)
    quick = None if comma else _quick(kind, variable)
    if quick is not None:
        # most cells are already in (or next to) canonical form: the full normalisation runs on the others only
        frame = frame.with_columns(quick(value).cast(pl.String).alias("value"))
        todo = frame.select(pl.col("value").is_null() & value.is_not_null()).to_series()
        if todo.any():
            rest = frame.filter(todo)
            fixed = rest.select(normalised.alias("value")).to_series() if entry.rows is None else \
                entry.rows(rest.get_column("present"), variable)
            frame = frame.with_columns(frame.get_column("value").scatter(todo.arg_true(), fixed))
    elif entry.rows is not None:
        frame = frame.with_columns(entry.rows(frame.get_column("present"), variable).alias("value"))
    else:
        frame = frame.with_columns(normalised.alias("value"))
    # why a value failed is worked out for the values that did (a date's reason runs a pattern of its own)
    failed = frame.select(value.is_not_null() & pl.col("value").is_null()).to_series()
    problems = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    if failed.any():
        problems = problems.scatter(failed.arg_true(), frame.filter(failed).select(problem.cast(pl.String)).to_series())
    if failed_formulas is not None and failed_formulas.any():
        positions = failed_formulas.arg_true()
        frame = frame.with_columns(frame.get_column("value").cast(pl.String).scatter(positions, None))
        problems = problems.scatter(positions, SPREADSHEET_ERROR_REASON)
    return frame.select(pl.col("value").cast(pl.String), problems.alias("problem"), value.is_not_null().alias("present"),
                        "placeholder")


def _quick(kind: str, variable: VariableRule) -> Callable[[pl.Expr], pl.Expr] | None:
    return VARIABLE_TYPES[kind].quick(variable)


def _constraints(normalised: pl.Series, problem: pl.Series, variable: VariableRule) -> pl.Series:
    """Check the variable's lengths, pattern and range; add the first failure to ``problem``.

    Plain Polars expressions: importing pandera costs about 0.4 s, more than a pre-commit hook's whole check of
    a thousand contacts may take. :func:`csvprep.schema.cleaned_schema` states the same constraints as a pandera
    schema for cleaned.csv."""
    failures = constraint_failures(pl.col("value"), variable)
    if not failures:
        return problem
    chain = None
    for failed, detail in failures:
        chain = (pl.when(failed) if chain is None else chain.when(failed)).then(pl.lit(detail))
    found = pl.DataFrame({"value": normalised}).select(
        pl.when(pl.col("value").is_not_null()).then(chain).alias("detail")
    ).to_series()
    return pl.select(pl.coalesce(pl.lit(problem), pl.lit(found))).to_series().alias("problem")


def constraint_failures(value: pl.Expr, variable: VariableRule) -> list[tuple[pl.Expr, str]]:
    """``(expression true when the value breaks the constraint, message detail)`` for each of the variable's
    constraints, in the order they are reported."""
    found = []
    if variable.min_length is not None:
        found.append((value.str.len_chars() < variable.min_length,
                      f"shorter than {variable.min_length} characters"))
    if variable.max_length is not None:
        found.append((value.str.len_chars() > variable.max_length, f"longer than {variable.max_length} characters"))
    if variable.pattern is not None:
        found.append((~value.str.contains(f"^(?:{variable.pattern})$"),
                      f"does not match the pattern {variable.pattern}"))
    number = value.cast(pl.Float64, strict=False)
    if variable.min is not None:
        found.append((number < variable.min, f"less than {_number(variable.min)}"))
    if variable.max is not None:
        found.append((number > variable.max, f"greater than {_number(variable.max)}"))
    return found


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
