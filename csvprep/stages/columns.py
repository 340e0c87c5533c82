"""Which header holds the phone number and which holds each variable. Headers are matched the way people write
them: only letters and digits count, not case, accents, spaces, punctuation or emoji (``Customer Name`` is
``customer_name``)."""

from __future__ import annotations

import difflib

from ..errors import InputError
from ..model.contacts import ColumnMap
from ..model.headers import COUNTRY_CODE_HEADERS, PHONE_HEADERS, looks_like_phone_header
from ..model.rules import Rules, VariableRule
from ..model.text import fold_name


def map_columns(header: list[str], rules: Rules, source: str) -> ColumnMap:
    """Match the rules to the file's header. Raises :class:`InputError` naming what is missing or ambiguous."""
    by_fold: dict[str, list[str]] = {}
    for name in header:
        by_fold.setdefault(fold_name(name), []).append(name)

    def find(wanted: str) -> str | None:
        if wanted in header:
            return wanted
        matches = by_fold.get(fold_name(wanted), [])
        if len(matches) > 1:
            raise InputError(f"{source}: columns {' and '.join(repr(m) for m in matches)} both match '{wanted}'")
        return matches[0] if matches else None

    phone = _phone_column(header, rules, source, find)
    bound: list[tuple[VariableRule, str]] = []
    added: list[str] = []
    for variable in rules.variables:
        column = find(variable.column or variable.name)
        if column is None:
            if variable.column is not None or (variable.required and variable.default is None):
                wanted = variable.column or variable.name
                raise InputError(
                    f"{source}: no column '{wanted}' for {'required ' if variable.required else ''}variable "
                    f"'{variable.name}'{_closest(wanted, header)}; columns in the file: {_listing(header)}"
                )
            if variable.default is None:
                continue
            column = variable.name
            if column in header:
                raise InputError(f"{source}: column '{column}' exists but does not match its variable")
            added.append(column)
        if column == phone:
            raise InputError(f"{source}: variable '{variable.name}' matches the phone column '{phone}'")
        bound.append((variable, column))
    return ColumnMap(phone=phone, variables=tuple(bound), added=tuple(added),
                     country_code=_country_code_column(header, rules, source, find, phone))


def _country_code_column(header: list[str], rules: Rules, source: str, find, phone: str) -> str | None:
    wanted = rules.phone.country_code_column
    if wanted is False:
        return None
    if isinstance(wanted, str):
        column = find(wanted)
        if column is None:
            raise InputError(f"{source}: no country code column '{wanted}'{_closest(wanted, header)}; "
                             f"columns in the file: {_listing(header)}")
    else:
        found = [name for name in header if fold_name(name) in COUNTRY_CODE_HEADERS]
        if len(found) > 1:
            raise InputError(f"{source}: columns {' and '.join(repr(name) for name in found)} both look like the "
                             "phone's country code; name one in the rules: [phone] country_code_column = \"...\" "
                             "(or false for none)")
        column = found[0] if found else None
    if column == phone:
        raise InputError(f"{source}: the country code column is the phone column '{phone}'")
    return column


def _phone_column(header: list[str], rules: Rules, source: str, find) -> str:
    if rules.phone.column is not None:
        column = find(rules.phone.column)
        if column is None:
            raise InputError(
                f"{source}: no phone column '{rules.phone.column}'{_closest(rules.phone.column, header)}; "
                f"columns in the file: {_listing(header)}"
            )
        return column
    variable_columns = {fold_name(v.column or v.name) for v in rules.variables}
    for candidate in PHONE_HEADERS:
        for name in header:
            if fold_name(name) == candidate and candidate not in variable_columns:
                return name
    # no header people use for it as a whole: one whose words hold a phone word, when exactly one column's do
    worded = [name for name in header if fold_name(name) not in variable_columns and looks_like_phone_header(name)]
    if len(worded) == 1:
        return worded[0]
    if len(worded) > 1:
        named = " and ".join(repr(name) for name in worded[:4]) + (" ..." if len(worded) > 4 else "")
        raise InputError(f"{source}: columns {named} {'both' if len(worded) == 2 else 'all'} look like the phone "
                         "column; name the one to call in the rules: [phone] column = \"...\"")
    raise InputError(
        f"{source}: no phone column found{_closest_phone(header)}; columns in the file: {_listing(header)} "
        "(name it in the rules: [phone] column = \"...\")"
    )


def _closest(wanted: str, header: list[str]) -> str:
    folded = {fold_name(name): name for name in header}
    match = difflib.get_close_matches(fold_name(wanted), list(folded), n=1, cutoff=0.6)
    return f" (closest: '{folded[match[0]]}')" if match else ""


def _closest_phone(header: list[str]) -> str:
    folded = {fold_name(name): name for name in header}
    best = None
    for name in folded:
        match = difflib.get_close_matches(name, PHONE_HEADERS, n=1, cutoff=0.6)
        score = difflib.SequenceMatcher(None, name, match[0]).ratio() if match else 0
        if match and (best is None or score > best[0]):
            best = (score, folded[name])
    return f" (closest: '{best[1]}')" if best else ""


def _listing(header: list[str]) -> str:
    shown = ", ".join(repr(name) for name in header[:20])
    return shown + (f" and {len(header) - 20} more" if len(header) > 20 else "")
