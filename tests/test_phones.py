import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csvprep
from csvprep import PhoneRule, normalise_phones, parse_phone
from csvprep.model.e164 import PhoneVerdict
from csvprep.stages.phones.check import check_phones
from csvprep.stages.phones.regions import code_region

US = PhoneRule(default_region="US")


@pytest.mark.parametrize("raw,e164", [
    ("+1 415 555 0100", "+14155550100"),
    ("(415) 555-0100", "+14155550100"),
    ("415.555.0100", "+14155550100"),
    ("  4155550100  ", "+14155550100"),
    ("tel:+1-415-555-0100", "+14155550100"),
    ("４１５５５５０１００", "+14155550100"),  # full-width digits
    ("415-555-CALL", "+14155552255"),  # keypad letters, as phonenumbers reads them
    ("011 44 20 7946 0958", "+442079460958"),  # the US international prefix
    ("14155550100.0", "+14155550100"),  # a number cell exported as a float
])
def test_accepted_and_written_as_e164(raw, e164):
    verdict = parse_phone(raw, US)
    assert (verdict.e164, verdict.code) == (e164, None)


def test_missing_plus_is_restored_with_a_warning():
    verdict = parse_phone("919876543210", US)
    assert verdict.e164 == "+919876543210"
    assert verdict.code == "phone_missing_plus"
    assert verdict.detail == "not valid in US as written"
    assert verdict.region == "IN"


def test_double_zero_prefix_is_restored_when_the_region_uses_another():
    verdict = parse_phone("0044 20 7946 0958", US)
    assert (verdict.e164, verdict.code) == ("+442079460958", "phone_missing_plus")


def test_missing_plus_repair_can_be_turned_off():
    verdict = parse_phone("919876543210", PhoneRule(default_region="US", fix_missing_plus=False))
    assert verdict.e164 is None and verdict.code == "invalid_phone"


@pytest.mark.parametrize("raw,region,e164,country", [
    # national-length numbers, invalid in the default region (a mistyped or unassigned area code), that a '+'
    # would make another country's: never read that way
    ("(465) 808-8296", "US", "+4658088296", "Sweden (SE)"),
    ("372-624-9805", "US", "+3726249805", "Estonia (EE)"),
    ("(961) 467-2288", "US", "+9614672288", "Lebanon (LB)"),
    ("9674853229", "US", "+9674853229", "Yemen (YE)"),
    ("452-423-2751", "US", "+4524232751", "Denmark (DK)"),
    ("362.271.9374", "US", "+3622719374", "Hungary (HU)"),
    ("5141234567", "CA", "+5141234567", "Peru (PE)"),
    ("97122345678", "US", "+97122345678", "United Arab Emirates (AE)"),  # 1 + 10 digits is a US length
])
def test_a_missing_plus_is_never_guessed_into_another_country(raw, region, e164, country):
    verdict = parse_phone(raw, PhoneRule(default_region=region))
    assert (verdict.e164, verdict.code) == (None, "invalid_phone")
    assert verdict.detail.endswith(f"; read as {e164} it would be a number in {country}: write it with its '+' if "
                                   "that is what it is")
    assert verdict.detail.startswith(("not a valid", "too long", "wrong length"))


@pytest.mark.parametrize("raw", ["(201) 555-0109", "2015550109", "1-415-555-0100", "1.415.555.0100",
                                 "(91) 98765 43210"])
def test_without_a_default_region_a_national_number_is_never_read_as_international(raw):
    verdict = parse_phone(raw, PhoneRule(default_region=None))
    assert (verdict.e164, verdict.code) == (None, "invalid_phone")
    assert verdict.detail.startswith("written without a country code and no default region is set")


@pytest.mark.parametrize("raw,region,e164", [
    ("919876543210", "US", "+919876543210"),  # longer than any US number, with or without its trunk prefix
    ("0016175550188", "US", "+16175550188"),  # an international prefix
    ("0044 20 7946 0958", "US", "+442079460958"),
    ("919876543210", "GB", "+919876543210"),  # longer than any UK number with its trunk prefix
    ("0044 20 7946 0958", "AU", "+442079460958"),  # 00 is not Australia's prefix, and no Australian number
    ("14155550100", None, "+14155550100"),  # no region: 11 digits, written plainly
    ("0044 20 7946 0958", None, "+442079460958"),
    ("００４９８９１１１９", "US", "+49891119"),  # the same in full-width and Arabic-Indic digits
    ("٠٠61234567890", "US", "+61234567890"),
    ("٩١٩٨٧٦٥٤٣٢١٠", "US", "+919876543210"),
])
def test_a_number_that_cannot_be_national_keeps_its_plus_rescue(raw, region, e164):
    verdict = parse_phone(raw, PhoneRule(default_region=region))
    assert (verdict.e164, verdict.code) == (e164, "phone_missing_plus")


@pytest.mark.parametrize("raw,region", [
    ("1 972 223 456 789", "US"),  # the trunk prefix: national style, however long
    ("(91) 98765 43210", "US"),  # an area code's parentheses
    ("1-415-555-0100", "FR"),  # '1-' before a NANP number, in a region whose numbers are shorter
])
def test_a_number_written_in_national_style_is_never_read_as_international(raw, region):
    assert parse_phone(raw, PhoneRule(default_region=region)).code == "invalid_phone"


def test_with_the_rescue_off_nothing_is_read_with_a_plus_nor_suggested():
    off = PhoneRule(default_region="US", fix_missing_plus=False)
    assert parse_phone("919876543210", off).code == "invalid_phone"
    assert parse_phone("(465) 808-8296", off).detail == "not a valid US number"


@pytest.mark.parametrize("raw,line_type", [
    ("+1 900 555 0100", "premium_rate"),
    ("+44 909 879 0000", "premium_rate"),
    ("+971 900 2 34567", "premium_rate"),
    ("+34 901 12 34 56", "shared_cost"),
    ("+971 700 0 12345", "shared_cost"),
])
def test_premium_rate_and_shared_cost_numbers_are_a_warning(raw, line_type):
    verdict = parse_phone(raw, US)
    assert verdict.e164 is not None and verdict.line_type == line_type
    assert verdict.code == "phone_premium_rate"
    assert verdict.detail.startswith(f"{verdict.e164} is a {line_type.replace('_', '-')} number")


def test_premium_rate_numbers_are_an_error_outside_allowed_types_and_fine_when_named():
    assert parse_phone("+1 900 555 0100", PhoneRule(default_region="US", allowed_types=("mobile",))).code == \
        "phone_type_not_allowed"
    allowed = parse_phone("+1 900 555 0100", PhoneRule(default_region="US", allowed_types=("premium_rate",)))
    assert (allowed.e164, allowed.code) == ("+19005550100", None)


def test_valid_national_number_is_not_reinterpreted():
    # valid as a US number: never read as an international one
    assert parse_phone("2025550123", US).e164 == "+12025550123"


@pytest.mark.parametrize("raw,code,detail", [
    ("+1234", "invalid_phone", "too short for US: 3 digits after the country code"),
    ("+1 415 555 0100 99", "invalid_phone", "too long for US: 12 digits after the country code"),
    ("hello", "invalid_phone", "not a phone number"),
    ("+49 20100000000000", "invalid_phone", "+4920100000000000 has 16 digits; E.164 allows at most 15"),
    ("4.15555E+09", "phone_digits_lost", "it was stored in scientific notation; format the column as text in the spreadsheet and export it again"),
    ("1.4155550100e10", "phone_digits_lost", "it was stored in scientific notation; format the column as text in the spreadsheet and export it again"),
    ("+1 415 555 0100 ext. 12", "phone_extension", "extension 12"),
    ("", "missing_phone", None),
    ("   ", "missing_phone", None),
    (None, "missing_phone", None),
])
def test_rejections_are_precise(raw, code, detail):
    verdict = parse_phone(raw, US)
    assert (verdict.e164, verdict.code, verdict.detail) == (None, code, detail)


@pytest.mark.parametrize("raw,numbers", [
    ("+1 415-555-0132 ::: +1 415-555-0199", "+14155550132, +14155550199"),  # Google Contacts
    ("415-555-0132 / 650-555-0199", "+14155550132, +16505550199"),
    ("4155550132/4155550199", "+14155550132, +14155550199"),
    ("(415) 555-0132; (650) 555-0199 or +44 20 7946 0958", "+14155550132, +16505550199, +442079460958"),
    ("415-555-0132\n650-555-0199", "+14155550132, +16505550199"),
])
def test_a_cell_of_several_numbers_says_so_and_picks_none(raw, numbers):
    verdict = parse_phone(raw, US)
    count = numbers.count(",") + 1
    assert (verdict.e164, verdict.code, verdict.detail) == (
        None, "invalid_phone", f"{count} numbers in one cell ({numbers}); a row holds one number")


@pytest.mark.parametrize("raw", ["415-555-0132 / 12", "415/555", "415-555-0132 / 0199", "12; 34"])
def test_separators_around_what_is_not_two_numbers_keep_the_plain_reason(raw):
    verdict = parse_phone(raw, US)
    assert verdict.code == "invalid_phone" and "numbers in one cell" not in verdict.detail


def test_a_number_written_with_a_slash_is_one_number():
    assert parse_phone("+49 89/1234567", US).e164 == "+49891234567"


def test_check_phones_tells_several_numbers_apart_on_either_path():
    from csvprep.stages.phones.check import BULK_FROM, check_phones

    values = ["415-555-0132 / 650-555-0199", "+1 415-555-0132 ::: +1 415-555-0199", "hello", "415 555 0100"]
    expected = [parse_phone(value, US).detail for value in values]
    for size in (1, BULK_FROM // len(values) + 1):  # the per-value path, then the vectorised one
        verdicts = check_phones(pl.Series(values * size), US)
        assert verdicts.get_column("detail").to_list()[:len(values)] == expected
    assert expected[:2] == ["2 numbers in one cell (+14155550132, +16505550199); a row holds one number",
                            "2 numbers in one cell (+14155550132, +14155550199); a row holds one number"]


@pytest.mark.parametrize("raw,e164", [
    ("+33\u202f6\u202f12\u202f34\u202f56\u202f78", "+33612345678"),  # narrow no-break spaces
    ("(415)\u2009555-0100", "+14155550100"),  # a thin space
    ("415\u00a0555\u00a00100", "+14155550100"),
])
def test_unusual_spaces_between_digit_groups_are_spacing(raw, e164):
    assert parse_phone(raw, US).e164 == e164


@pytest.mark.parametrize("raw,detail", [
    ("+1 415 555 0100 (home)", "too long for US: 14 digits after the country code; it holds letters ('home')"),
    ("415 555 01OO", "too short for US: 8 digits after the country code; it holds letters ('OO')"),
    ("415 555 0100 p123", "too long for US: 13 digits after the country code; it holds letters ('p')"),
])
def test_letters_that_spoil_a_number_are_named(raw, detail):
    # phonenumbers reads letters as keypad digits or drops them: the count alone would puzzle whoever reads it
    verdict = parse_phone(raw, US)
    assert (verdict.e164, verdict.code, verdict.detail) == (None, "invalid_phone", detail)
    assert parse_phone("1-800-FLOWERS", US).e164 == "+18003569377"  # a vanity number is still a number


def test_no_default_region_needs_a_country_code():
    rule = PhoneRule()
    assert parse_phone("+442079460958", rule).e164 == "+442079460958"
    verdict = parse_phone("020 7946 0958", rule)
    assert verdict.code == "invalid_phone"
    assert verdict.detail == "written without a country code and no default region is set"


def test_allowed_regions():
    rule = PhoneRule(default_region="US", allowed_regions=("US", "CA"))
    assert parse_phone("+1 416 555 0100", rule).e164 == "+14165550100"  # Toronto
    verdict = parse_phone("+44 20 7946 0958", rule)
    assert verdict.code == "phone_region_not_allowed"
    assert verdict.detail == "+442079460958 is a GB number; allowed regions: US, CA"


def test_allowed_types():
    rule = PhoneRule(default_region="GB", allowed_types=("mobile",))
    assert parse_phone("07400 123456", rule).e164 == "+447400123456"
    verdict = parse_phone("020 7946 0958", rule)
    assert verdict.code == "phone_type_not_allowed"
    # +1 numbers cannot be told apart: a mobile-only campaign still accepts them
    assert parse_phone("+1 415 555 0100", rule).e164 == "+14155550100"


def test_normalise_phones_on_series_and_expression():
    series = pl.Series("p", ["(415) 555-0100", "bad", None, "+44 20 7946 0958"])
    expected = ["+14155550100", None, None, "+442079460958"]
    assert normalise_phones(series, "US").to_list() == expected
    frame = pl.DataFrame({"p": series}).with_columns(normalise_phones(pl.col("p"), "US").alias("e164"))
    assert frame.get_column("e164").to_list() == expected
    assert csvprep.normalise_phones is normalise_phones


E164 = r"^\+[1-9][0-9]{6,14}$"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+()-. xe#*abcABC", max_size=20),
       st.sampled_from(["US", "IN", "GB", "AU", "DE", "BR", None]))
def test_every_accepted_number_is_e164_and_valid_to_phonenumbers(raw, region):
    verdict = parse_phone(raw, PhoneRule(default_region=region))
    if verdict.e164 is not None:
        import re

        assert re.match(E164, verdict.e164)
        assert phonenumbers.is_valid_number(phonenumbers.parse(verdict.e164))
        assert verdict.code in (None, "phone_missing_plus")
    else:
        assert verdict.code is not None


def test_workbook_number_cells_past_excels_precision_lost_their_digits():
    verdict = parse_phone("123456789012345696", US, from_workbook=True)
    assert (verdict.code, verdict.detail) == (
        "phone_digits_lost", "Excel kept only 15 significant digits of this number cell; format the column as text")
    # the same text in a CSV is just too long: nothing says a spreadsheet rounded it
    assert parse_phone("123456789012345696", US).code == "invalid_phone"
    assert parse_phone("14155550100", US, from_workbook=True).e164 == "+14155550100"


def test_calling_code_size_is_the_shortest_leading_calling_code_as_phonenumbers_reads_it():
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    from csvprep.model.e164 import calling_code_size

    codes = {str(code) for code in COUNTRY_CODE_TO_REGION_CODE}
    starts = [str(i).zfill(n) for n in (1, 2, 3, 4) for i in range(10 ** n)] + ["44207946", "19999", "8"]

    def expected(digits: str) -> int | None:
        return next((size for size in (1, 2, 3) if len(digits) >= size and digits[:size] in codes), None)

    got = pl.select(calling_code_size(pl.Series(starts))).to_series().to_list()
    assert [(s, g) for s, g in zip(starts, got) if g != expected(s)] == []
    assert got[-3:] == [2, 1, None]  # +44 is the UK's, +1 North America's, +8 nobody's


@pytest.mark.parametrize("cell,region", [
    ("91", "IN"), ("+91", "IN"), (" 0091", "IN"), ("India (+91)", "IN"), ("IN +91", "IN"), ("91.0", "IN"),
    ("'+44", "GB"), ('="+44"', "GB"), ("1", "US"), ("+1-264", "AI"), ("1 876", "JM"), ("+7", "RU"),
    ("in", "IN"), ("GB", "GB"), ("India", "IN"), ("Deutschland", "DE"), ("United States", "US"), ("USA", "US"),
    ("UK", "GB"), ("Brasil", "BR"), ("España", "ES"),
    ("", None), ("  ", None), (None, None),
    ("Ind", "ZZ"), ("999", "ZZ"), ("+800", "ZZ"), ("Atlantis", "ZZ"), ("12345678", "ZZ"),
])
def test_a_country_code_cell_names_the_region_numbers_are_read_in(cell, region):
    assert code_region(cell) == region


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=12), st.text(alphabet="+0123456789 -().'=\"٠١٢٣٤٥٦٧٨٩", max_size=10)))
def test_any_country_code_cell_gives_a_region_or_none_never_an_error(cell):
    region = code_region(cell)
    assert region is None or region == "ZZ" or phonenumbers.region_code_for_country_code(
        phonenumbers.country_code_for_region(region)) != "ZZ"
    assert (region is None) == (not (cell or "").strip().strip("'\"=").strip())


@pytest.mark.parametrize("raw", ["#N/A", "#REF!", " #value! ", "Err:502"])
def test_a_failed_formula_in_the_phone_column_says_so(raw):
    assert parse_phone(raw, US) == PhoneVerdict(None, "invalid_phone", "a spreadsheet's error value (its formula "
                                                                      "failed); fix it in the spreadsheet and export again")


@pytest.mark.parametrize("raw", ["nan", "None", " null ", "<NA>"])
def test_what_software_writes_for_no_value_is_a_missing_number(raw):
    assert parse_phone(raw, US) == PhoneVerdict(None, "missing_phone", f"'{raw.strip()}' is what software writes "
                                                                       "for no value")


def test_a_placeholder_among_thousands_of_numbers_is_missing_on_the_bulk_path_too():
    values = pl.Series([f"+1415555{i:04d}" for i in range(6000)] + ["nan", "none"])
    verdicts = check_phones(values, US)
    assert verdicts.tail(2).select("code", "detail").rows() == [
        ("missing_phone", "'nan' is what software writes for no value"),
        ("invalid_phone", "not a phone number"),  # 'none' is a word, not software's spelling of nothing
    ]


def test_a_number_wrapped_for_excel_is_read_inside_on_either_path():
    assert parse_phone('="+14155550132"', US).e164 == "+14155550132"
    assert parse_phone(' ="(415) 555-0133" ', US).e164 == "+14155550133"
    values = pl.Series([f'="+1415555{i:04d}"' for i in range(6000)] + ['="0415"'])
    verdicts = check_phones(values, US)
    assert verdicts.get_column("e164").head(2).to_list() == ["+14155550000", "+14155550001"]
    assert verdicts.get_column("e164").null_count() == 1
