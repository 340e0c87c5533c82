"""A rules ``pattern`` checked against the regex engine the checks run it in (Polars'), at load time."""

from __future__ import annotations

import polars as pl

from ..errors import RulesError


def check_polars_pattern(pattern: str, source: str, where: str) -> None:
    """The checks match patterns with Polars, whose regex engine lacks some of Python's (look-around,
    backreferences): a pattern it refuses is refused here, at load time, rather than in the middle of a run."""
    try:
        pl.select(pl.lit("").str.contains(f"^(?:{pattern})$"))
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        reason = next((line.removeprefix("error: ") for line in lines if line.startswith("error:")), lines[0] if
                      lines else type(exc).__name__)
        raise RulesError(f"{source}: {where} pattern {pattern!r} is valid in Python but not in Polars' regex "
                         f"engine, which the checks use: {reason}") from None
