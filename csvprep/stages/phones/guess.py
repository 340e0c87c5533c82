"""The region a list's numbers written without a country code most likely come from: the one that makes clearly
more of them valid than any other, or, among those that fit nearly as many, the one the list itself names (its
international numbers' regions, its country column). Validity alone is weak evidence (Germany's numbering plan
takes most ten-digit numbers, and a British list fits India and New Zealand nearly as well), so when no region
stands out none is chosen: a wrong default region calls the wrong country."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
import polars as pl

from ...model.rules import PhoneRule
from .check import check_phones

_SAMPLE = 500  # distinct national numbers tried in each candidate region, by default
# regions tried beside those the list's own numbers (and the caller) name: where contact lists come from most
LIKELY_REGIONS = ("US", "IN", "GB", "AU", "CA", "DE", "FR", "BR", "MX", "ES", "IT", "NL", "AE", "SG", "ZA", "NG",
                  "PH", "ID", "PK", "NZ", "IE")
_NEAR = 0.9  # a region fitting this share of the best's numbers is as likely as the best


@dataclass(frozen=True)
class RegionGuess:
    """The region numbers written without a country code come from: ``fits`` of ``tried`` of them are valid in it;
    ``runner_up`` the next best (region, fits). ``region`` is None when none fits, or when several fit nearly
    alike and the list names none of them: ``close`` lists those (region, fits), best first."""

    region: str | None
    fits: int
    tried: int
    runner_up: tuple[str, int] | None = None
    close: tuple[tuple[str, int], ...] = ()


def guess_region(values: pl.Series, hints: Sequence[str] = (), *, sample: int = _SAMPLE) -> RegionGuess:
    """The region ``values`` written without a country code come from (the first ``sample`` distinct ones tried):
    the region that fits clearly more of them than any other, else the only one of those that fit nearly as many
    that the list names (the top regions of its numbers written with a country code, and ``hints``), else none."""
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
    ranked = sorted(((count, region) for count, region in fits if count), key=lambda pair: -pair[0])
    close = [(region, count) for count, region in ranked if count >= _NEAR * most]
    named = set(seen.get_column("region").head(3).to_list()) | set(hints)
    chosen = [(region, count) for region, count in close if region in named]
    # regions of one calling code (US and CA) write a number the same in E.164: fitting both is no doubt
    one_code = len({phonenumbers.country_code_for_region(region) for region, _ in close}) == 1
    region, best = close[0] if one_code else chosen[0] if len(chosen) == 1 else (None, most)
    others = [(other, count) for count, other in ranked if other != (region or close[0][0])]
    return RegionGuess(region, best, len(national), others[0] if others else None,
                       tuple(close) if region is None else ())
