"""Phone numbers: parse each distinct value with ``phonenumbers`` in the default region and decide, once per
value, its E.164 form or why it cannot be dialled."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

import phonenumbers
import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneNumberFormat, ValidationResult
from phonenumbers.phonemetadata import PhoneMetadata

from ...model.e164 import (
    COSTLY_TYPES,
    E164_PATTERN,
    NO_REGION,
    PHONE_TYPES,
    PLUS_DECLINED,
    UNKNOWN_REGION,
    VERDICT_SCHEMA,
    PhoneVerdict,
)
from ...model.rules import PhoneRule
from ...model.text import (
    PLACEHOLDERS,
    SPREADSHEET_ERROR,
    SPREADSHEET_ERROR_REASON,
    excel_text,
    excel_text_expr,
    fold_name,
)

_SPREADSHEET_ERROR = re.compile(SPREADSHEET_ERROR)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_NUMBER_CELL = re.compile(r"^(\+?\d{6,})\.0+$")  # 14155550100.0: a number cell exported as a float, digits intact
_DIGITS_ONLY = re.compile(r"^[\d\s().\-/]+$")
# written the way a national number is: an area code in parentheses, or '1-' / '1.' before a NANP number
_NATIONAL_STYLE = re.compile(r"[()]|^\s*1\s*[-.]")
_BEYOND_EXCEL = re.compile(r"^\d{16,}$")  # a number cell past Excel's 15 significant digits
_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country calling code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_TYPE_NAMES = {value: name for name, value in PHONE_TYPES.items()}
# Below this many cells the per-value path is quicker than compiling the bulk path's expressions (about 0.2 s);
# both give the same verdicts (tests/test_phones_bulk.py).
BULK_FROM = 5_000


def parse_phone(raw: str | None, rule: PhoneRule | None = None, *, from_workbook: bool = False) -> PhoneVerdict:
    """Decide one phone cell under ``rule`` (default region, allowed regions and types).

    ``from_workbook``: the cell comes from an .xlsx sheet, where a bare run of more than 15 digits is a number cell
    whose tail Excel rounded away (no E.164 number is that long anyway)."""
    rule = rule or PhoneRule()
    verdict = reference_verdict(raw, rule, from_workbook=from_workbook)
    if verdict.code == "invalid_phone" and raw:
        several = _several_numbers(raw, rule, from_workbook)
        if several is not None:
            return PhoneVerdict(None, "invalid_phone", several)
    return verdict


# what CRMs and contact exports put between two numbers in one cell (Google Contacts: ' ::: ')
# (spelt out: Python's \s also matches the ASCII separators \x1c-\x1f, Polars' does not, and both read this)
_BETWEEN_NUMBERS = r":::|[;,|/&\n]|[\s\x1c-\x1f](?:[Oo][Rr]|[Aa][Nn][Dd])[\s\x1c-\x1f]"
_BETWEEN_NUMBERS_RE = re.compile(_BETWEEN_NUMBERS)


def _several_numbers(raw: str, rule: PhoneRule, from_workbook: bool) -> str | None:
    """The detail for an invalid cell that holds several dialable numbers, else None: 'not a phone number' or
    'too long' would hide that each of them is fine. None of them is picked: which one the campaign should call
    is the user's choice."""
    if not _BETWEEN_NUMBERS_RE.search(raw):
        return None
    parts = [part.strip() for part in _BETWEEN_NUMBERS_RE.split(raw) if part.strip()]
    numbers = [reference_verdict(part, rule, from_workbook=from_workbook).e164 for part in parts]
    if len(numbers) < 2 or None in numbers:
        return None
    return f"{len(numbers)} numbers in one cell ({', '.join(numbers)}); a row holds one number"


def reference_verdict(raw: str | None, rule: PhoneRule, *, from_workbook: bool = False) -> PhoneVerdict:
    """:func:`parse_phone` by ``phonenumbers`` alone, before a cell of several numbers is told apart: the
    verdict :mod:`csvprep.phones_bulk` must give."""
    text = excel_text((raw or "").strip()).strip()  # ="+14155550132": the number is inside
    if not text:
        return PhoneVerdict(None, "missing_phone")
    if _SPREADSHEET_ERROR.match(text):
        return PhoneVerdict(None, "invalid_phone", SPREADSHEET_ERROR_REASON)
    if text in PLACEHOLDERS:
        return PhoneVerdict(None, "missing_phone", f"'{text}' is what software writes for no value")
    if _SCIENTIFIC.match(text):
        return PhoneVerdict(
            None, "phone_digits_lost",
            "it was stored in scientific notation; format the column as text in the spreadsheet and export it again"
        )
    if from_workbook and _BEYOND_EXCEL.match(text):
        return PhoneVerdict(
            None, "phone_digits_lost",
            "Excel kept only 15 significant digits of this number cell; format the column as text",
        )
    text = _NUMBER_CELL.sub(r"\1", text).translate(_SPACES)
    region = rule.default_region
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        rescued = _with_plus(text, rule)
        if isinstance(rescued, PhoneVerdict):
            return rescued
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and region is None and not text.startswith("+"):
            return PhoneVerdict(None, "invalid_phone", NO_REGION + (rescued or ""))
        return _invalid(text, _PARSE_REASONS.get(exc.error_type, "not a phone number"), rescued)
    if number.extension:
        return PhoneVerdict(None, "phone_extension", f"extension {number.extension}")
    if not phonenumbers.is_valid_number(number):
        rescued = _with_plus(text, rule)
        if isinstance(rescued, PhoneVerdict):
            return rescued
        return _invalid(text, _invalid_reason(number, region), rescued)
    return _accepted(number, rule)


# spaces that phonenumbers does not skip, though they are only spacing: a thin or narrow no-break space (what
# some apps and locales put between digit groups) would make '+33 6 12 34 56 78' 'not a phone number'
_SPACES = dict.fromkeys(map(ord, "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"), " ")
_LETTERS = re.compile(r"[^\W\d_]+")


def _invalid(text: str, reason: str, note: str | None = None) -> PhoneVerdict:
    # a label after the number ('(home)', 'p123') is read as keypad letters or dropped, and the count of digits in
    # the reason would not match what the user sees: name the letters
    first_digit = re.search(r"\d", text)
    letters = _LETTERS.findall(text[first_digit.start():]) if first_digit else []
    if letters:
        reason += f"; it holds letters ({', '.join(repr(word) for word in letters)})"
    return PhoneVerdict(None, "invalid_phone", reason + (note or ""))


def _accepted(number: phonenumbers.PhoneNumber, rule: PhoneRule, code: str | None = None,
              detail: str | None = None) -> PhoneVerdict:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not E164_PATTERN.match(e164):
        # phonenumbers accepts a few national plans past E.164's 15 digits (German +49 with 14); the APIs do not
        return PhoneVerdict(None, "invalid_phone", f"{e164} has {len(e164) - 1} digits; E.164 allows at most 15")
    region = phonenumbers.region_code_for_number(number)
    number_type = phonenumbers.number_type(number)
    line_type = _TYPE_NAMES.get(number_type, "unknown")
    if rule.allowed_regions is not None and region not in rule.allowed_regions:
        return PhoneVerdict(
            None, "phone_region_not_allowed",
            f"{e164} is a {region} number; allowed regions: {', '.join(rule.allowed_regions)}", region, line_type,
        )
    if rule.allowed_types is not None and not _type_allowed(number_type, rule.allowed_types):
        return PhoneVerdict(
            None, "phone_type_not_allowed",
            f"{e164} is a {line_type.replace('_', ' ')} number; allowed types: {', '.join(rule.allowed_types)}",
            region, line_type,
        )
    if rule.allowed_types is None and line_type in COSTLY_TYPES:
        # allowed_types that name the type admit it knowingly; left out of them, it is an error above
        detail = f"{e164} is {COSTLY_TYPES[line_type]}" + (f"; read with a '+': {detail}" if detail else "")
        code = "phone_premium_rate"
    return PhoneVerdict(e164, code, detail, region, line_type)


def _type_allowed(number_type: int, allowed: tuple[str, ...]) -> bool:
    if number_type == phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE:
        # phonenumbers cannot tell these apart in some regions (all of +1): either wish admits them
        return bool({"fixed_line", "mobile", "fixed_line_or_mobile"} & set(allowed))
    return _TYPE_NAMES.get(number_type) in allowed


def _with_plus(text: str, rule: PhoneRule) -> PhoneVerdict | str | None:
    """A number written without its '+' (a spreadsheet or CRM dropped it, or 00 stood for it) that is valid once
    the '+' is back: its verdict, when the digits cannot be a national number of the default region; else, when
    that reading is valid, the note for the invalid number's detail (a mistyped area code must not call a
    stranger abroad); else None."""
    if not rule.fix_missing_plus or text.startswith("+") or not _DIGITS_ONLY.match(text):
        return None
    digits = phonenumbers.normalize_digits_only(text)  # ASCII digits, whatever script they were written in
    international = digits.startswith("00")  # the international prefix of most of the world
    if international:
        digits = digits[2:]
    if len(digits) < 8 or digits.startswith("0"):
        return None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except NumberParseException:
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    if international or _cannot_be_national(text, digits, rule.default_region):
        where = f" in {rule.default_region}" if rule.default_region else " without a country code"
        return _accepted(number, rule, "phone_missing_plus", f"not valid{where} as written")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not E164_PATTERN.match(e164):
        return None
    return plus_declined_note(e164, phonenumbers.region_code_for_number(number))


def _cannot_be_national(text: str, digits: str, default_region: str | None) -> bool:
    """Whether ``digits``, written without '+' or an international prefix, are too long to be a national number
    of ``default_region`` (its trunk prefix included) and not written in national style. Without a default
    region: at least 11 digits, not written in national style."""
    if _NATIONAL_STYLE.search(text.translate(_ASCII_DIGITS)):
        return False
    if default_region is None:
        return len(digits) >= 11
    meta = PhoneMetadata.metadata_for_region(default_region)
    trunk = meta.national_prefix or ""
    lengths = [length for length in (meta.general_desc.possible_length or ()) if length > 0]
    if (trunk and digits.startswith(trunk)) or not lengths:
        return False
    return len(digits) > max(lengths) + len(trunk)


class _AsciiDigits(dict):
    """A ``str.translate`` table that writes every decimal digit, in any script, as its ASCII digit."""

    def __missing__(self, key: int) -> int:
        character = chr(key)
        self[key] = ord(str(unicodedata.decimal(character))) if character.isdecimal() else key
        return self[key]


_ASCII_DIGITS = _AsciiDigits()


def plus_declined_note(e164: str, region: str | None) -> str:
    """The end of an invalid number's detail when it would be valid read with a '+', which is not assumed."""
    name = country_name(region)
    return f"; read as {e164} it would be a number in {name} ({region}): {PLUS_DECLINED}"


def country_name(region: str | None) -> str:
    """The English short name of ``region`` (the code itself when none is known)."""
    return _english_names().get(region or "", region or "an unknown country")


@lru_cache(maxsize=None)
def _english_names() -> dict[str, str]:
    # the IANA time zone database's country names (tzdata, which csvprep depends on, ships them): 20 ms to read,
    # where phonenumbers' locale data takes half a second to import
    from importlib.resources import files

    try:
        table = files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is a dependency
        return {}
    pairs = (line.split("\t", 1) for line in table.splitlines() if line and not line.startswith("#"))
    names = {code: name.strip().replace(" & ", " and ") for code, name in pairs}
    # regions phonenumbers has that ISO 3166 does not
    return {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo", **names}


def _invalid_reason(number: phonenumbers.PhoneNumber, default_region: str | None) -> str:
    region = phonenumbers.region_code_for_country_code(number.country_code)
    where = f"+{number.country_code}" if region in (None, "ZZ", "001") else region
    reason = phonenumbers.is_possible_number_with_reason(number)
    digits = len(phonenumbers.national_significant_number(number))
    if reason == ValidationResult.TOO_SHORT:
        return f"too short for {where}: {digits} digits after the country code"
    if reason == ValidationResult.TOO_LONG:
        return f"too long for {where}: {digits} digits after the country code"
    if reason == ValidationResult.INVALID_LENGTH:
        return f"wrong length for {where}: {digits} digits after the country code"
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return "unknown country calling code"
    return f"not a valid {where} number"


def check_phones(values: pl.Series, rule: PhoneRule, *, from_workbook: bool = False,
                 regions: pl.Series | None = None) -> pl.DataFrame:
    """A verdict per cell of ``values`` (columns of :data:`VERDICT_SCHEMA`, in the same order).

    ``regions``: a region per cell (from :func:`code_regions`) that a number written without its country code
    is read in, in place of the rule's default region; null: the default region, :data:`UNKNOWN_REGION`: none.
    For :data:`BULK_FROM` cells or more, the vectorised path of :mod:`csvprep.phones_bulk` decides what it can;
    the rest goes through :func:`parse_phone`, each distinct value once."""
    from ...stages.phones import bulk as phones_bulk

    values = values.cast(pl.String)
    if values.str.contains('="', literal=True).any():
        values = pl.select(excel_text_expr(pl.lit(values))).to_series().alias(values.name)
    if regions is not None:
        return _check_by_region(values, rule, regions, from_workbook)
    if len(values) >= BULK_FROM:
        decided = phones_bulk.decide(values, rule, from_workbook=from_workbook)
    else:
        decided = pl.DataFrame(schema={"_i": pl.Int64, **VERDICT_SCHEMA})
    if decided.height < len(values):
        rest = pl.DataFrame({"_i": pl.int_range(0, len(values), eager=True, dtype=pl.Int64), "_raw": values})
        rest = rest.filter(~pl.col("_i").is_in(decided.get_column("_i").implode()))
        distinct = rest.get_column("_raw").unique(maintain_order=True)
        verdicts = [reference_verdict(value, rule, from_workbook=from_workbook) for value in distinct.to_list()]
        lookup = pl.DataFrame(
            {
                "_raw": distinct,
                "e164": [v.e164 for v in verdicts],
                "code": [v.code for v in verdicts],
                "detail": [v.detail for v in verdicts],
                "region": [v.region for v in verdicts],
                "line_type": [v.line_type for v in verdicts],
            },
            schema={"_raw": pl.String, **VERDICT_SCHEMA},
        )
        rest = rest.join(lookup, on="_raw", how="left", nulls_equal=True)
        decided = pl.concat([decided, rest.select(decided.columns)], how="vertical")
    if decided.height != len(values):  # pragma: no cover - a bug in the bulk path, never a user's data
        raise AssertionError(f"phone verdicts for {decided.height} of {len(values)} cells")
    decided = decided.sort("_i")
    invalid = decided.select(pl.col("code") == "invalid_phone").to_series().arg_true()
    several = values.gather(invalid).str.contains(_BETWEEN_NUMBERS)
    if several.any():
        positions = invalid.filter(several)
        cells = values.gather(positions)
        details = {value: _several_numbers(value, rule, from_workbook) for value in cells.unique().to_list()}
        found = cells.replace_strict(details, return_dtype=pl.String)
        decided = decided.with_columns(decided.get_column("detail").scatter(
            positions, pl.select(pl.coalesce(found, decided.get_column("detail").gather(positions))).to_series()))
    return decided.select(list(VERDICT_SCHEMA))


def _check_by_region(values: pl.Series, rule: PhoneRule, regions: pl.Series, from_workbook: bool) -> pl.DataFrame:
    """:func:`check_phones` on each region's cells with that region as the default (a list holds few countries)."""
    regions = regions.cast(pl.String)
    if rule.default_region is not None:  # rows of the default region go with the rows that have none
        regions = regions.replace(rule.default_region, None)
    positions = pl.DataFrame({"_i": pl.int_range(0, len(values), eager=True, dtype=pl.Int64), "_region": regions})
    pieces = [pl.DataFrame(schema={**VERDICT_SCHEMA, "_i": pl.Int64})]  # no cells at all: no verdicts
    for (region,), part in positions.partition_by("_region", as_dict=True).items():
        if region is None:
            group_rule = rule
        else:
            group_rule = replace(rule, default_region=None if region == UNKNOWN_REGION else region)
        index = part.get_column("_i")
        verdicts = check_phones(values.gather(index), group_rule, from_workbook=from_workbook)
        pieces.append(verdicts.with_columns(index))
    return pl.concat(pieces).sort("_i").select(list(VERDICT_SCHEMA))


# What a country code cell holds when it is not a region or a country's name: '+91', '91', '0091', 'India (+91)',
# 'IN +91', '+1-264' (a NANP area code after the 1), '91.0' (a number cell exported as a float)
_PLUS_CODE = re.compile(r"\+\s*(\d[\d \-]{0,6})")
_BARE_CODE = re.compile(r"(?:00)?\s*(\d[\d \-]{0,6}?)(?:\.0+)?")
# names people write that are not the ones phonenumbers' locale data gives
_COUNTRY_ALIASES = {"usa": "US", "us": "US", "unitedstatesofamerica": "US", "america": "US", "uk": "GB",
                    "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                    "northernireland": "GB", "uae": "AE", "ksa": "SA", "russia": "RU", "southkorea": "KR",
                    "korea": "KR", "vietnam": "VN", "holland": "NL", "czechia": "CZ", "turkey": "TR"}


def code_region(cell: str | None) -> str | None:
    """The region a country code cell names: a calling code ('+91', '91', '0091', 'India (+91)') gives the main
    region of that code, as phonenumbers reads numbers with it; a region code ('IN') or a country's name ('India',
    'Deutschland') gives itself. None for an empty cell, :data:`UNKNOWN_REGION` for anything else."""
    text = (cell or "").strip().strip("'\"=").strip()
    if not text:
        return None
    digits = None
    if (found := _PLUS_CODE.search(text)) is not None:
        digits = found.group(1)
    elif (found := _BARE_CODE.fullmatch(text)) is not None:
        digits = found.group(1)
    if digits is not None:
        digits = re.sub(r"[ \-]", "", digits)
        if digits.startswith("1") and len(digits) == 4:  # +1-264: Anguilla, read so that a 7-digit number works
            return _nanp_region(digits[1:])
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(digits)) if digits else None
        # a non-geographic code (+800, +882...) has no region to read a national number in
        return regions[0] if regions and regions[0] != "001" else UNKNOWN_REGION
    upper = text.upper()
    if len(upper) == 2 and upper in _KNOWN_REGIONS:
        return upper
    return _country_names().get(fold_name(text), UNKNOWN_REGION)


def _nanp_region(area_code: str) -> str:
    """The +1 region whose leading digits are ``area_code`` (the US when none is)."""
    for region in COUNTRY_CODE_TO_REGION_CODE[1]:
        leading = PhoneMetadata.metadata_for_region(region).leading_digits
        if leading and re.fullmatch(f"(?:{leading})", area_code):
            return region
    return "US"


_KNOWN_REGIONS = frozenset(region for regions in COUNTRY_CODE_TO_REGION_CODE.values() for region in regions) - {"001"}


@lru_cache(maxsize=None)
def _country_names() -> dict[str, str]:
    """Folded country names, in every language phonenumbers names countries in -> region (names two regions
    share are left out). Loaded on first use: phonenumbers' locale data takes half a second to import."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    found: dict[str, set[str]] = {}
    for region, names in LOCALE_DATA.items():
        if region not in _KNOWN_REGIONS:
            continue
        for name in names.values():
            if not name.startswith("*"):
                found.setdefault(fold_name(name), set()).add(region)
    return {**{name: regions.pop() for name, regions in found.items() if len(regions) == 1}, **_COUNTRY_ALIASES}


def code_regions(cells: pl.Series) -> pl.Series:
    """:func:`code_region` of each cell of a country code column, each distinct value worked out once."""
    cells = cells.cast(pl.String)
    lookup = {value: code_region(value) for value in cells.drop_nulls().unique().to_list()}
    return cells.replace_strict(lookup, default=None, return_dtype=pl.String)


def normalize_phones(
    values: pl.Series | pl.Expr, default_region: str | None = None, **rule: object
) -> pl.Series | pl.Expr:
    """E.164 form of each phone number in a Series or expression; null where it is not a dialable number.

    ``rule`` takes the other :class:`PhoneRule` fields (``allowed_regions``, ``allowed_types``, ``fix_missing_plus``).
    """
    phone_rule = PhoneRule(default_region=default_region, **rule)  # type: ignore[arg-type]

    def convert(series: pl.Series) -> pl.Series:
        return check_phones(series.cast(pl.String), phone_rule).get_column("e164").alias(series.name)

    if isinstance(values, pl.Expr):
        return values.map_batches(convert, return_dtype=pl.String)
    return convert(values)
