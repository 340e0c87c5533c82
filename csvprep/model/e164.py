"""Phone verdicts as data: what E.164 is, the line types and regions a verdict names, the columns of a verdict
frame and the wording every layer shares about them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

PHONE_TYPES = {
    "fixed_line": phonenumbers.PhoneNumberType.FIXED_LINE,
    "mobile": phonenumbers.PhoneNumberType.MOBILE,
    "fixed_line_or_mobile": phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    "toll_free": phonenumbers.PhoneNumberType.TOLL_FREE,
    "premium_rate": phonenumbers.PhoneNumberType.PREMIUM_RATE,
    "shared_cost": phonenumbers.PhoneNumberType.SHARED_COST,
    "voip": phonenumbers.PhoneNumberType.VOIP,
    "personal_number": phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    "pager": phonenumbers.PhoneNumberType.PAGER,
    "uan": phonenumbers.PhoneNumberType.UAN,
    "voicemail": phonenumbers.PhoneNumberType.VOICEMAIL,
}

# the end of an invalid number's detail when, read with a '+', it would be a valid number of another country
PLUS_DECLINED = "write it with its '+' if that is what it is"

# valid numbers that cost the caller: almost never a contact's own number
COSTLY_TYPES = {"premium_rate": "a premium-rate number, charged to the caller at a premium",
                "shared_cost": "a shared-cost number, charged to the caller"}

E164_PATTERN = re.compile(r"^\+[1-9][0-9]{6,14}$")  # what the campaign APIs accept (SigmaMind's sipPhoneNumber)

# a verdict's region and line type come from short fixed lists: Enums (a small integer a row), cast to text only
# where they are written
REGION = pl.Enum(sorted({code for codes in COUNTRY_CODE_TO_REGION_CODE.values() for code in codes} | {"ZZ"}))

LINE_TYPE = pl.Enum(["unknown", *PHONE_TYPES])

# a line type's name for people, and what it is (report.html shows them beside the type)
LINE_TYPE_NAMES = {
    "fixed_line": ("landline", "a fixed line at an address"),
    "mobile": ("mobile", "a mobile phone"),
    "fixed_line_or_mobile": ("landline or mobile", "the country's numbering does not tell the two apart (the US"
                                                   " and Canada, among others)"),
    "toll_free": ("toll-free", "free for the caller to dial; usually a company's line"),
    "premium_rate": ("premium rate", "charged to the caller at a premium; almost never a contact's own"),
    "shared_cost": ("shared cost", "the caller pays part of the cost"),
    "voip": ("VoIP", "an internet telephony number, not tied to a line"),
    "personal_number": ("personal number", "a number that forwards to wherever its owner is"),
    "pager": ("pager", "a pager: it cannot take a call"),
    "uan": ("UAN", "universal access number: one number for a company's many lines"),
    "voicemail": ("voicemail", "a voicemail access number"),
    "unknown": ("unknown", "a valid number whose type phonenumbers cannot tell"),
}

VERDICT_SCHEMA = {
    "e164": pl.String,
    "code": pl.String,
    "detail": pl.String,
    "region": REGION,
    "line_type": LINE_TYPE,
}

NO_REGION = "written without a country code and no default region is set"
# the region phonenumbers itself uses for 'unknown': a country code cell that names no country
UNKNOWN_REGION = "ZZ"


@dataclass(frozen=True)
class PhoneVerdict:
    """What csvprep makes of one phone cell: ``e164`` when it can be dialled; ``code`` when there is a problem
    (an error, or the warning ``phone_missing_plus`` beside an ``e164``)."""

    e164: str | None
    code: str | None = None
    detail: str | None = None
    region: str | None = None
    line_type: str | None = None

_CODES_BY_SIZE = {size: {str(code) for code in COUNTRY_CODE_TO_REGION_CODE if len(str(code)) == size}
                  for size in (1, 2, 3)}


def _code_size(start: str) -> int | None:
    for size in (1, 2, 3):
        if start[:size] in _CODES_BY_SIZE[size]:
            return size
    return None

# every string of one to three digits that starts with a calling code -> that code's length: one lookup of a
# number's first three digits instead of three slices and three searches
_CODE_SIZE_OF_START = {start: size for length in (1, 2, 3) for i in range(10 ** length)
                       if (size := _code_size(start := str(i).zfill(length))) is not None}


def calling_code_size(digits: pl.Expr) -> pl.Expr:
    """How many leading ``digits`` (a string of digits; 1 to 3 of them) are a country calling code, shortest first
    as phonenumbers tries them; null when none are."""
    return digits.str.slice(0, 3).replace_strict(_CODE_SIZE_OF_START, default=None, return_dtype=pl.Int8)
