"""Phone numbers, the per-value reference path: one cell parsed with ``phonenumbers`` in the default region and
decided, its E.164 form or why it cannot be dialled; a cell of several numbers told apart; a number written
without its '+' rescued, or the note of what it would be with one."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult
from phonenumbers.phonemetadata import PhoneMetadata

from ...model.e164 import COSTLY_TYPES, E164_PATTERN, NO_REGION, PHONE_TYPES, PLUS_DECLINED, PhoneVerdict
from ...model.rules import PhoneRule
from ...model.text import PLACEHOLDERS, SPREADSHEET_ERROR, SPREADSHEET_ERROR_REASON, excel_text
from .regions import country_name

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


def parse_phone(raw: str | None, rule: PhoneRule | None = None, *, from_workbook: bool = False) -> PhoneVerdict:
    """Decide one phone cell under ``rule`` (default region, allowed regions and types).

    ``from_workbook``: the cell comes from an .xlsx sheet, where a bare run of more than 15 digits is a number cell
    whose tail Excel rounded away (no E.164 number is that long anyway)."""
    rule = rule or PhoneRule()
    verdict = reference_verdict(raw, rule, from_workbook=from_workbook)
    if verdict.code == "invalid_phone" and raw:
        several = several_numbers(raw, rule, from_workbook)
        if several is not None:
            return PhoneVerdict(None, "invalid_phone", several)
    return verdict


# what CRMs and contact exports put between two numbers in one cell (Google Contacts: ' ::: ')
# (spelt out: Python's \s also matches the ASCII separators \x1c-\x1f, Polars' does not, and both read this)
BETWEEN_NUMBERS = r":::|[;,|/&\n]|[\s\x1c-\x1f](?:[Oo][Rr]|[Aa][Nn][Dd])[\s\x1c-\x1f]"
_BETWEEN_NUMBERS_RE = re.compile(BETWEEN_NUMBERS)


def several_numbers(raw: str, rule: PhoneRule, from_workbook: bool) -> str | None:
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
    verdict :mod:`csvprep.stages.phones.bulk` must give."""
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
    return _plus_declined_note(e164, phonenumbers.region_code_for_number(number))


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


def _plus_declined_note(e164: str, region: str | None) -> str:
    """The end of an invalid number's detail when it would be valid read with a '+', which is not assumed."""
    name = country_name(region)
    return f"; read as {e164} it would be a number in {name} ({region}): {PLUS_DECLINED}"


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
