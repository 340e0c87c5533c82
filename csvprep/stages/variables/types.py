"""The types a variable can have, one entry each in :data:`VARIABLE_TYPES`: its normaliser, its quick path for cells
already in canonical form, the rule keys only it takes and those it needs, and its canonical form in cleaned.csv
(what :mod:`csvprep.schema` states as the pandera contract). The rules loader, the variable check and the schema
read this table: a new type is one entry here (and its normaliser)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ...model.rules import VariableRule
from ...model.text import AT_ENDS
from .dates import date_problem, parse_dates

# spacing, currency signs and codes around an amount; Rs. is how Indian lists write the rupee
_CURRENCY = (r"[\s$€£₹¥₨]|(?:US|AU|A|CA|C|S|NZ|HK)\$|\b[Rr]s\.?|\b(?:USD|EUR|GBP|INR|AUD|CAD|SGD|AED|CHF|NZD|JPY"
             r"|CNY|HKD|ZAR|SAR)\b")
_TRUE = ("true", "yes", "y", "t", "1")
_FALSE = ("false", "no", "n", "f", "0")
_EMAIL = r"^[^@\s<>:]+@[^@\s.<>]+(\.[^@\s.<>]+)+$"
_INTEGER = r"^(?:0|-?[1-9][0-9]*)$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

Normaliser = Callable[[pl.Expr, VariableRule, bool], tuple[pl.Expr | None, pl.Expr]]
Quick = Callable[[pl.Expr], pl.Expr]


@dataclass(frozen=True)
class VariableType:
    """One type of variable, as the rules name it."""

    name: str
    # (the trimmed cell, the rule, whether the number is read with a decimal comma) -> (the normalised value, or
    # None when ``rows`` normalises the column instead; why a value that fails is invalid)
    normalise: Normaliser
    # the quick path for the rule: an expression giving the value when the cell is already in (or next to) its
    # canonical form, null otherwise; None when the type has none for this rule
    quick: Callable[[VariableRule], Quick | None] = lambda variable: None
    # a normaliser of the column of cells as a Series, for a type no expression normalises (a date: format by format)
    rows: Callable[[pl.Series, VariableRule], pl.Series] | None = None
    takes: tuple[str, ...] = ()  # the rule keys only this type (or a few) takes
    needs: tuple[str, ...] = ()  # the rule keys this type cannot do without
    decimal_comma: bool = False  # whether a decimal comma (the file's, or decimal_separator) reads its values
    # whether a column of few distinct values is checked once per value: a string's check is cheaper than that
    per_value: bool = True
    form: str | None = None  # the canonical form of its values in cleaned.csv, a pattern (the pandera contract)
    allowed: Callable[[VariableRule], list[str]] | None = None  # the values it admits, when it lists them


# thousands grouped by commas (1,234,567), as Indian lists group them (12,34,567), or by apostrophes as Swiss ones do
# (1'234'567): never a decimal separator in these shapes
_GROUPED = r"\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:['’]\d{3})+"


def _integer(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    compact = value.str.replace_all(_CURRENCY, "").str.replace_all("_", "")
    plain = compact.str.contains(r"^[+-]?\d+$")
    grouped = compact.str.contains(rf"^[+-]?(?:{_GROUPED})$")
    # a spreadsheet number cell: 42 stored as 42.0, or shown as 1,500.00
    excel_float = compact.str.contains(rf"^[+-]?(?:\d+|{_GROUPED})\.0+$")
    digits = compact.str.replace_all(r"[,'’]", "").str.replace(r"\.0+$", "").str.replace(r"^\+", "")
    canonical = digits.str.replace(r"^(-?)0+(\d)", "${1}${2}").str.replace(r"^-0$", "0")
    return pl.when(plain | grouped | excel_float).then(canonical), pl.lit("expected a whole number")


def _decimal(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    compact = value.str.replace_all(_CURRENCY, "")
    plain = compact.str.contains(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    grouped = compact.str.contains(rf"^[+-]?(?:{_GROUPED})(\.\d+)?$")
    text = compact.str.replace_all(r"[,'’]", "").str.replace(r"^\+", "")
    text = text.str.replace(r"^(-?)\.", "${1}0.").str.replace(r"\.$", "")
    text = text.str.replace(r"^(-?)0+(\d)", "${1}${2}")
    return pl.when(plain | grouped).then(text), pl.lit("expected a decimal number such as 1234.50")


def _read_number(value: pl.Expr, kind: str, *, comma: bool, either: bool) -> tuple[pl.Expr, pl.Expr]:
    """An integer or decimal read with a decimal ``comma`` (1.234,56 read as :func:`_decimal` reads 1,234.56) or
    point. ``either``: a number that reads only the other way (12.5 with a comma, 1.234,56 with a point) is taken
    that way too, so only a number that reads both ways (1.234) follows the separator."""
    normalise = _integer if kind == "integer" else _decimal
    primary, other = (_swap_separators(value), value) if comma else (value, _swap_separators(value))
    normalised, problem = normalise(primary)
    if comma:
        example = "1234" if kind == "integer" else "1234,50"
        problem = pl.lit(f"expected a {'whole' if kind == 'integer' else 'decimal'} number such as {example} "
                         "(decimal comma)")
    if either:
        normalised = pl.coalesce(normalised, normalise(other)[0])
    return normalised, problem


def _swap_separators(value: pl.Expr) -> pl.Expr:
    """1.234,56 as 1,234.56: a number written with a decimal comma, in the form the normalisers read."""
    return value.str.replace_many([".", ","], [",", "."])


def _enum(value: pl.Expr, variable: VariableRule) -> tuple[pl.Expr, pl.Expr]:
    allowed = ", ".join(variable.values)
    if variable.case_sensitive:
        return pl.when(value.is_in(variable.values)).then(value), pl.lit(f"expected one of {allowed}")
    mapping = {v.casefold(): v for v in variable.values}
    normalised = value.str.to_lowercase().replace_strict(
        list(mapping), list(mapping.values()), default=None, return_dtype=pl.String
    )
    return normalised, pl.lit(f"expected one of {allowed}")


def _string(value: pl.Expr, variable: VariableRule, comma: bool) -> tuple[pl.Expr, pl.Expr]:
    return value, pl.lit(None, dtype=pl.String)


def _boolean(value: pl.Expr, variable: VariableRule, comma: bool) -> tuple[pl.Expr, pl.Expr]:
    lowered = value.str.to_lowercase()
    normalised = (
        pl.when(lowered.is_in(_TRUE)).then(pl.lit("true"))
        .when(lowered.is_in(_FALSE)).then(pl.lit("false"))
    )
    return normalised, pl.lit("expected true/false (or yes/no, 1/0)")


def _email(value: pl.Expr, variable: VariableRule, comma: bool) -> tuple[pl.Expr, pl.Expr]:
    # mailto:ann@example.com, and Ann Lee <ann@example.com> as mail programs copy an address
    address = value.str.replace(r"^(?i:mailto:)", "").str.replace(r"^[^<>@]*<([^<>]+)>$", "${1}") \
        .str.strip_chars(AT_ENDS)
    return pl.when(address.str.contains(_EMAIL)).then(address), pl.lit("expected an email address")


def _date(value: pl.Expr, variable: VariableRule, comma: bool) -> tuple[None, pl.Expr]:
    return None, date_problem(value, variable)  # read by parse_dates


def _matching(pattern: str) -> Quick:
    return lambda value: pl.when(value.str.contains(pattern)).then(value)


def _quick_enum(variable: VariableRule) -> Quick | None:
    if variable.case_sensitive:
        return None
    # a value written exactly as listed is its own canonical form
    return lambda value: pl.when(value.is_in(list(variable.values))).then(value)


def _quick_date(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.contains(_ISO_DATE)
                   & value.str.strptime(pl.Date, "%Y-%m-%d", strict=False, exact=True).is_not_null()).then(value)


def _quick_decimal(value: pl.Expr) -> pl.Expr:
    # 1234.5 as it is, 12,345.67 without its thousands separators: nothing else to undo
    return pl.when(value.str.contains(r"^-?(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.[0-9]+)?$")) \
        .then(value.str.replace_all(",", "", literal=True))


_NUMBER_KEYS = ("min", "max", "decimal_separator")

VARIABLE_TYPES: dict[str, VariableType] = {entry.name: entry for entry in (
    VariableType("string", _string, per_value=False),
    VariableType("integer", lambda value, variable, comma: _read_number(
        value, "integer", comma=comma, either=variable.decimal_separator is None),
        quick=lambda variable: _matching(_INTEGER), takes=_NUMBER_KEYS, decimal_comma=True, form=_INTEGER),
    VariableType("decimal", lambda value, variable, comma: _read_number(
        value, "decimal", comma=comma, either=variable.decimal_separator is None),
        quick=lambda variable: _quick_decimal, takes=_NUMBER_KEYS, decimal_comma=True,
        form=r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"),
    VariableType("date", _date, quick=lambda variable: None if variable.formats else _quick_date, rows=parse_dates,
                 takes=("formats",), form=_ISO_DATE),
    VariableType("email", _email, quick=lambda variable: _matching(_EMAIL), form=_EMAIL),
    VariableType("enum", lambda value, variable, comma: _enum(value, variable), quick=_quick_enum,
                 takes=("values",), needs=("values",), allowed=lambda variable: list(variable.values)),
    VariableType("boolean", _boolean, form=r"^(?:true|false)$"),
)}
