"""The phone number metadata the bulk path (:mod:`csvprep.stages.phones.bulk`) compiles to Polars expressions:
each region's number descriptions (possible lengths, national-number patterns), prefixes and leading digits, read
once per region from the installed ``phonenumbers``, with the steps phonenumbers takes by them (a number's line
type, its national prefix stripped); the geographic calling codes and their regions; the limits of a national
significant number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.phonemetadata import PhoneMetadata

from ...model.e164 import LINE_TYPE

MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
MIN_NSN = 2

_TYPE_ORDER = (
    ("premium_rate", "premium_rate"),
    ("toll_free", "toll_free"),
    ("shared_cost", "shared_cost"),
    ("voip", "voip"),
    ("personal_number", "personal_number"),
    ("pager", "pager"),
    ("uan", "uan"),
    ("voicemail", "voicemail"),
)
GEOGRAPHIC_CODES = {code: regions for code, regions in COUNTRY_CODE_TO_REGION_CODE.items() if "001" not in regions}


@dataclass(frozen=True)
class Desc:
    pattern: str | None
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]

    def matches(self, nsn: pl.Expr, length: pl.Expr) -> pl.Expr:
        """phonenumbers' ``_is_number_matching_desc``: a possible length (when listed) and a full pattern match."""
        if not self.pattern:
            return pl.lit(False)
        matched = nsn.str.contains(f"^(?:{self.pattern})$")
        return length.is_in(list(self.lengths)) & matched if self.lengths else matched

    def full_match(self, nsn: pl.Expr) -> pl.Expr:
        """phonenumbers' ``_match_national_number``: the pattern alone, no length check."""
        return nsn.str.contains(f"^(?:{self.pattern})$") if self.pattern else pl.lit(False)

    def length_verdict(self, length: pl.Expr) -> pl.Expr:
        """phonenumbers' ``_test_number_length`` against this description."""
        lengths = list(self.lengths)
        if not lengths or lengths[0] == -1:
            return pl.lit("invalid_length")
        return (
            pl.when(length.is_in(list(self.local_lengths))).then(pl.lit("possible_local_only"))
            .when(length == lengths[0]).then(pl.lit("possible"))
            .when(length < lengths[0]).then(pl.lit("too_short"))
            .when(length > lengths[-1]).then(pl.lit("too_long"))
            .when(length.is_in(lengths[1:])).then(pl.lit("possible"))
            .otherwise(pl.lit("invalid_length"))
        )


def _desc(desc) -> Desc:
    if desc is None:
        return Desc(None, (), ())
    return Desc(desc.national_number_pattern, tuple(desc.possible_length or ()),
                 tuple(desc.possible_length_local_only or ()))


@dataclass(frozen=True)
class Region:
    code: str
    country_code: int
    general: Desc
    types: tuple[tuple[str, Desc], ...]
    fixed_line: Desc
    mobile: Desc
    same_mobile_and_fixed_line: bool
    leading_digits: str | None
    national_prefix: str | None
    transform_rule: str | None
    international_prefix: str | None

    def with_type(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with ``_type``: phonenumbers' ``_number_type_helper`` on ``_nsn``, as csvprep's line type
        names. Every description is matched in one step (Polars runs the patterns side by side), then the first
        that matched, in phonenumbers' order, names the type."""
        rare = [(name, desc) for name, desc in self.types if desc.pattern]
        if rare:
            # premium, toll-free, VoIP... numbers are few: one pattern of them all finds the rows that may be one,
            # and only those are matched against each type's pattern
            either = "|".join(f"(?:{desc.pattern})" for _, desc in rare)
            maybe = frame.select(pl.col("_nsn").str.contains(f"^(?:{either})$")).to_series()
            if maybe.any() and not maybe.all():
                return pl.concat([self._with_type(frame.filter(maybe), rare),
                                  self._with_type(frame.filter(~maybe), [])])
            if not maybe.any():
                rare = []
        return self._with_type(frame, rare)

    def _with_type(self, frame: pl.DataFrame, rare: list[tuple[str, Desc]]) -> pl.DataFrame:
        nsn = pl.col("_nsn")
        length = nsn.str.len_bytes()
        checks = [("unknown", ~self.general.matches(nsn, length))]
        checks += [(name, desc.matches(nsn, length)) for name, desc in rare]
        fixed = self.fixed_line.matches(nsn, length)
        if self.same_mobile_and_fixed_line:
            checks.append(("fixed_line_or_mobile", fixed))
        else:
            mobile = self.mobile.matches(nsn, length)
            checks += [("fixed_line", fixed), ("mobile", mobile)]
        temporary = [f"_check{k}" for k in range(len(checks))]
        frame = frame.with_columns(expr.alias(column) for column, (_, expr) in zip(temporary, checks))
        matched = dict(zip((name for name, _ in checks), map(pl.col, temporary)))
        steps = []
        for name, column in matched.items():
            if name == "fixed_line" and "mobile" in matched:
                steps.append((column & matched["mobile"], "fixed_line_or_mobile"))
            steps.append((column, name))
        chain = pl.when(steps[0][0]).then(pl.lit(steps[0][1], LINE_TYPE))
        for condition, name in steps[1:]:
            chain = chain.when(condition).then(pl.lit(name, LINE_TYPE))
        return frame.with_columns(chain.otherwise(pl.lit("unknown", LINE_TYPE)).alias("_type")).drop(temporary)


@lru_cache(maxsize=None)
def region_metadata(code: str) -> Region:
    meta = PhoneMetadata.metadata_for_region(code)
    return Region(
        code=code,
        country_code=meta.country_code,
        general=_desc(meta.general_desc),
        types=tuple((name, _desc(getattr(meta, attribute))) for attribute, name in _TYPE_ORDER),
        fixed_line=_desc(meta.fixed_line),
        mobile=_desc(meta.mobile),
        same_mobile_and_fixed_line=bool(meta.same_mobile_and_fixed_line_pattern),
        leading_digits=meta.leading_digits,
        national_prefix=meta.national_prefix_for_parsing or None,
        transform_rule=meta.national_prefix_transform_rule or None,
        international_prefix=meta.international_prefix,
    )


def leading(value: pl.Expr, prefix_pattern: str) -> pl.Expr:
    """What ``prefix_pattern`` matches at the start of ``value`` (null when nothing does). Most prefixes are plain
    digits ('0', '011'): a literal comparison then, far quicker than a regex search with a capture group."""
    if re.fullmatch("[0-9]+", prefix_pattern):
        return pl.when(value.str.starts_with(prefix_pattern)).then(pl.lit(prefix_pattern)).otherwise(
            pl.lit(None, pl.String))
    return value.str.extract(f"^((?:{prefix_pattern}))", 1)


@lru_cache(maxsize=None)
def possible_lengths(country_code: int) -> list[int] | None:
    """Every national number length valid in some region of ``country_code``; None when a region lists none
    (its pattern alone decides)."""
    lengths: set[int] = set()
    for code in GEOGRAPHIC_CODES[country_code]:
        general = region_metadata(code).general
        if not general.pattern:
            continue  # nothing is valid there
        if not general.lengths or -1 in general.lengths:
            return None
        lengths.update(general.lengths)
    return sorted(lengths)


def strip_national_prefix(frame: pl.DataFrame, region: Region, column: str, *, for_parse: bool) -> pl.DataFrame:
    """phonenumbers' ``_maybe_strip_national_prefix_carrier_code`` on ``column`` (and, ``for_parse``, parse's
    check that what is left has a possible length). Rows that need a transform rule are dropped."""
    if not region.national_prefix or frame.height == 0:
        return frame
    value = pl.col(column)
    pattern = f"^((?:{region.national_prefix}))"
    frame = frame.with_columns(leading(value, region.national_prefix).alias("_np"))
    if region.transform_rule:
        # a transform rewrites the number with its captured groups: certain only when the prefix matched nothing,
        # or matched empty without the group the transform reads
        groups = re.compile(region.national_prefix).groups
        last = value.str.extract(pattern, groups + 1) if groups else pl.lit(None, pl.String)
        frame = frame.filter(value.is_null() | pl.col("_np").is_null() | ((pl.col("_np") == "") & last.is_null()))
        return frame.drop("_np")
    # a prefix that matched nothing (or did not match) leaves the number as it is: work on the others only
    touched = pl.col("_np").is_not_null() & (pl.col("_np") != "") & (value.str.len_bytes() > 0)
    untouched = frame.filter(~touched.fill_null(False)).drop("_np")
    frame = frame.filter(touched.fill_null(False))
    if frame.height == 0:
        return untouched
    rest = value.str.slice(pl.col("_np").str.len_bytes())
    general = region.general
    strips = (
        (value.str.len_bytes() > 0) & pl.col("_np").is_not_null()
        & ~(general.full_match(value) & ~general.full_match(rest))
    )
    stripped = pl.when(strips).then(rest).otherwise(value)
    if for_parse:
        verdict = general.length_verdict(stripped.str.len_bytes())
        stripped = pl.when(verdict.is_in(["too_short", "possible_local_only", "invalid_length"])).then(value) \
            .otherwise(stripped)
    return pl.concat([untouched, frame.with_columns(stripped.alias(column)).drop("_np")], how="vertical")
