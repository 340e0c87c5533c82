"""The contract cleaned.csv meets, as a pandera schema on its Polars backend: E.164 phone numbers, every required
variable filled, each variable in its normalised form and within the rules' constraints, no duplicate numbers when
the rules reject them.

csvprep's own checks run as plain Polars expressions (importing pandera costs about 0.4 s, too much for a
pre-commit hook); this schema is the independent statement of the same rules, for a pipeline that loads
cleaned.csv later, and for the tests, which validate every cleaned frame against it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from .model.e164 import E164_PATTERN
from .stages.variables.check import constraint_failures
from .stages.variables.types import VARIABLE_TYPES

if TYPE_CHECKING:
    import pandera.polars as pa

    from .model.result import ResultView


def cleaned_schema(result: ResultView) -> pa.DataFrameSchema:
    """The pandera schema that ``result.cleaned`` (and the cleaned.csv written from it) satisfies."""
    import pandera.polars as pa

    rules, columns = result.rules, result.columns
    phone_checks = [pa.Check.str_matches(E164_PATTERN.pattern)]
    schema_columns = {
        columns.phone: pa.Column(pl.String, checks=phone_checks, nullable=False,
                                 unique=rules.duplicates.policy == "reject" and rules.duplicates.key == ("phone",)),
    }
    for variable, column in columns.variables:
        checks = []
        kind = VARIABLE_TYPES[variable.type]
        if kind.form is not None:
            checks.append(pa.Check.str_matches(kind.form, error=f"{variable.name}: {variable.type}"))
        if kind.allowed is not None:
            checks.append(pa.Check.isin(kind.allowed(variable)))
        for failed, detail in constraint_failures(pl.col(column), variable):
            # the same expression csvprep reports with, negated: a value passes when it breaks nothing
            checks.append(pa.Check(lambda data, failed=failed: data.lazyframe.select(~failed.fill_null(False)),
                                   error=f"{variable.name}: {detail}"))
        required = variable.required and column in result.cleaned.columns
        schema_columns[column] = pa.Column(pl.String, checks=checks, nullable=not required)
    return pa.DataFrameSchema(schema_columns, strict=False)
