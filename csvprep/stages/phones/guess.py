"""The region a list's numbers written without a country code most likely come from: the one that makes most of
them valid, the regions the list's own international numbers name tried first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ...model.rules import PhoneRule
from .check import check_phones

_SAMPLE = 500  # distinct national numbers tried in each candidate region, by default
# regions tried beside those the list's own numbers (and the caller) name: where contact lists come from most
LIKELY_REGIONS = ("US", "IN", "GB", "AU", "CA", "DE", "FR", "BR", "MX", "ES", "IT", "NL", "AE", "SG", "ZA", "NG",
                  "PH", "ID", "PK", "NZ", "IE")
_NEAR = 0.9  # a region tried earlier wins over a later one that fits more numbers when it fits this share of them


@dataclass(frozen=True)
class RegionGuess:
    """The region most numbers written without a country code are valid in: ``fits`` of ``tried`` of them;
    ``runner_up`` the next best (region, fits)."""

    region: str | None
    fits: int
    tried: int
    runner_up: tuple[str, int] | None = None


def guess_region(values: pl.Series, hints: Sequence[str] = (), *, sample: int = _SAMPLE) -> RegionGuess:
    """The region in which most of ``values`` written without a country code are valid numbers (the first
    ``sample`` distinct ones tried): the regions of the numbers written with one, the ``hints``, then the usual
    ones are tried, and the first that fits nearly as many as the best wins."""
    cells = values.rename("value").cast(pl.String).str.strip_chars().drop_nulls()  # a header '^x$' is no regex
    cells = cells.filter(cells != "")
    international = check_phones(cells.filter(cells.str.starts_with("+")).head(sample), PhoneRule())
    seen = international.get_column("region").drop_nulls().cast(pl.String).value_counts(sort=True)
    national = cells.filter(~cells.str.starts_with("+") & ~cells.str.starts_with("00")).unique(maintain_order=True)
    national = national.head(sample)
    if national.is_empty():
        return RegionGuess(None, 0, 0)
    candidates = list(dict.fromkeys([*seen.get_column("region").head(3).to_list(), *hints, *LIKELY_REGIONS]))
    fits = []
    for region in candidates:
        verdicts = check_phones(national, PhoneRule(default_region=region, fix_missing_plus=False))
        fits.append((int(verdicts.get_column("e164").is_not_null().sum()), region))
    most = max(count for count, _ in fits)
    if most == 0:
        return RegionGuess(None, 0, len(national))
    # permissive numbering plans (Germany's) read many foreign numbers as valid: a region the file's own
    # international numbers name, or a more usual one, wins when it fits nearly as many
    best, region = next((count, region) for count, region in fits if count >= _NEAR * most)
    others = sorted(((count, other) for count, other in fits if other != region), key=lambda pair: -pair[0])
    runner = (others[0][1], others[0][0]) if others and others[0][0] else None
    return RegionGuess(region, best, len(national), runner)


