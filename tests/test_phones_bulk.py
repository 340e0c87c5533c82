"""Differential tests: the vectorised phone path must give exactly the verdict of the reference path
(``phonenumbers.parse`` + ``is_valid_number`` + ``format_number``, through :func:`csvprep.stages.phones.parse.reference_verdict`)
for every value it decides."""

from __future__ import annotations

import random

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat

from csvprep.model.rules import PhoneRule
from csvprep.stages.phones import bulk as phones_bulk
from csvprep.stages.phones import check as phones_check
from csvprep.stages.phones.check import check_phones
from csvprep.stages.phones.parse import parse_phone, reference_verdict

FORMATS = (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL,
           PhoneNumberFormat.RFC3966)
VARIANTS = (
    lambda s: s,
    lambda s: s.replace("+", "00", 1),
    lambda s: s.replace("+", "011", 1),
    lambda s: s.lstrip("+"),
    lambda s: s.replace(" ", "."),
    lambda s: s.replace(" ", "").replace("-", ""),
    lambda s: f"({s})",
    lambda s: f" {s}\t",
    lambda s: s + ".0",
    lambda s: s + " ext. 42",
    lambda s: s + "x7",
    lambda s: s.translate(str.maketrans("+0123456789", "＋０１２３４５６７８９")),
    lambda s: s.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    lambda s: s.replace(" ", "\u202f"),  # narrow no-break spaces, as some apps group digits
    lambda s: s.replace(" ", "\u00a0"),
)


def corpus(seed: int) -> list[str]:
    """Numbers built from every supported region's metadata (its example numbers, the tail varied, one digit
    short or long), written in many styles, plus random strings of phone characters."""
    rng = random.Random(seed)
    values: set[str] = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        examples = [phonenumbers.example_number_for_type(region, kind) for kind in range(12)]
        examples = [e for e in examples if e is not None]
        for example in rng.sample(examples, min(2, len(examples))):
            nsn = phonenumbers.national_significant_number(example)
            tail = rng.randint(0, min(3, len(nsn) - 1))
            nsn = nsn[: len(nsn) - tail] + "".join(rng.choice("0123456789") for _ in range(tail))
            nsn = rng.choice([nsn, nsn, nsn[:-1], nsn + "7"])
            try:
                number = phonenumbers.parse(f"+{example.country_code}{nsn}", None)
            except phonenumbers.NumberParseException:
                continue
            for fmt in FORMATS:
                written = phonenumbers.format_number(number, fmt)
                for variant in rng.sample(VARIANTS, 4):
                    values.add(variant(written))
    # national-length numbers with a mistyped or unassigned area code, in the styles national lists write them:
    # a '+' would make many of them another country's, which is never assumed
    for _ in range(600):
        area, exchange, line = rng.randint(200, 999), rng.randint(200, 999), rng.randint(0, 9999)
        values.update({f"({area}) {exchange}-{line:04d}", f"{area}-{exchange}-{line:04d}",
                       f"{area}.{exchange}.{line:04d}", f"{area}{exchange}{line:04d}", f"1-{area}-{exchange}-{line:04d}",
                       f"1{area}{exchange}{line:04d}", f"{rng.randint(1, 99)}{area}{exchange}{line:04d}"})
    # an international prefix written in other scripts' digits
    for zero in (0xFF10, 0x0660, 0x06F0, 0x0966):
        digits = str.maketrans("0123456789", "".join(chr(zero + i) for i in range(10)))
        for number in ("00498911119", "0061234567890", "00919876543210", "0044 20 7946 0958", "919876543210"):
            values.add(number.translate(digits))
    alphabet = "0123456789 +-().//xX#"
    for _ in range(1500):
        values.add("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 18))))
        values.add("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 16))))
    return sorted(values)


CORPUS = corpus(seed=20261123)
RULES = [
    PhoneRule(default_region="US"),
    PhoneRule(default_region="GB"),
    PhoneRule(default_region="IN"),
    PhoneRule(default_region="CA"),  # shares +1 with 24 other regions
    PhoneRule(default_region="AR"),  # national prefix with a transform rule
    PhoneRule(default_region="IT"),  # national numbers keep their leading zero
    PhoneRule(default_region="DE", fix_missing_plus=False),
    PhoneRule(default_region=None),
    PhoneRule(default_region="AU", allowed_regions=("AU", "GB"), allowed_types=("mobile",)),
    PhoneRule(default_region="US", allowed_types=("toll_free", "fixed_line")),
    PhoneRule(default_region="FR"),  # nine-digit numbers: ten and more digits are not national
    PhoneRule(default_region="RU"),  # a trunk prefix other than 0 or 1
]


def disagreements(values: list[str], rule: PhoneRule, from_workbook: bool = False) -> list[str]:
    decided = phones_bulk.decide(pl.Series(values, dtype=pl.String), rule, from_workbook=from_workbook)
    wrong = []
    assert decided.get_column("_i").n_unique() == decided.height
    for row in decided.iter_rows(named=True):
        value = values[row["_i"]]
        expected = reference_verdict(value, rule, from_workbook=from_workbook)
        got = (row["e164"], row["code"], row["detail"], row["region"], row["line_type"])
        want = (expected.e164, expected.code, expected.detail, expected.region, expected.line_type)
        if got != want:
            wrong.append(f"{value!r}: bulk {got} != reference {want}")
    return wrong


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.default_region}-{r.fix_missing_plus}-{r.allowed_types}")
def test_bulk_path_agrees_with_phonenumbers_on_numbers_from_every_region(rule):
    assert disagreements(CORPUS, rule)[:10] == []


def test_bulk_path_decides_most_numbers_written_in_common_styles():
    # the point of the path: a list of ordinary numbers hardly ever reaches the per-value reference
    rng = random.Random(5)
    values = []
    for region in ("US", "GB", "IN", "DE", "AU", "SG", "AE", "FR", "BR", "JP"):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        for fmt in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL):
            for _ in range(20):
                nsn = str(example.national_number)[:-2] + f"{rng.randint(0, 99):02d}"
                values.append(phonenumbers.format_number(phonenumbers.parse(f"+{example.country_code}{nsn}"), fmt))
    values += ["(415) 555-0100", "415.555.0101", "4155550102", "1 415 555 0103", "011 44 20 7946 0958", ""]
    decided = phones_bulk.decide(pl.Series(values), PhoneRule(default_region="US"))
    assert decided.height / len(values) > 0.95
    assert disagreements(values, PhoneRule(default_region="US")) == []


def test_workbook_cells_past_fifteen_digits_are_left_to_the_reference():
    values = ["12345678901234567", "+14155550100", "14155550100.0"]
    decided = phones_bulk.decide(pl.Series(values), PhoneRule(default_region="US"), from_workbook=True)
    assert decided.get_column("_i").to_list() == [1]
    assert disagreements(values, PhoneRule(default_region="US"), from_workbook=True) == []


def test_the_ascii_separators_between_two_numbers_are_read_alike_on_either_path():
    # Polars' \s does not match \x1c-\x1f, Python's does: the pattern spells them out
    values = [f"+14155550132{sep}or{sep}+14155550199" for sep in "\x1c\x1d\x1e\x1f"] + \
        ["+1 415 555 0132 and\x1f+1 415 555 0199", "4155550132\x1e4155550199"]
    rule = PhoneRule(default_region="US")
    verdicts = check_phones(pl.Series(values * 1300, dtype=pl.String), rule)  # past BULK_FROM: the bulk path
    for value, row in zip(values, verdicts.iter_rows(named=True)):
        expected = parse_phone(value, rule)
        assert (row["code"], row["detail"]) == (expected.code, expected.detail), value
    assert verdicts["detail"][0] == "2 numbers in one cell (+14155550132, +14155550199); a row holds one number"


def test_a_mistyped_area_code_is_declined_alike_on_either_path():
    values = ["(465) 808-8296", "372-624-9805", "(961) 467-2288", "9674853229", "452-423-2751", "362.271.9374",
              "919876543210", "0016175550188", "97122345678"] * 600
    decided = phones_bulk.decide(pl.Series(values), PhoneRule(default_region="US"))
    assert decided.height == len(values)  # all on the bulk path
    assert disagreements(values[:9], PhoneRule(default_region="US")) == []
    by_value = dict(zip([values[i] for i in decided["_i"]], decided["code"]))
    assert by_value["(465) 808-8296"] == "invalid_phone" and by_value["919876543210"] == "phone_missing_plus"


def test_check_phones_gives_every_cell_its_reference_verdict_in_order():
    values = [CORPUS[i] for i in range(0, len(CORPUS), 7)] + [None, "call me", "+1 415 555 CALL", CORPUS[3]]
    rule = PhoneRule(default_region="GB")
    verdicts = check_phones(pl.Series(values, dtype=pl.String), rule)
    assert verdicts.height == len(values)
    for value, row in zip(values, verdicts.iter_rows(named=True)):
        expected = parse_phone(value, rule)
        assert (row["e164"], row["code"], row["detail"], row["region"], row["line_type"]) == (
            expected.e164, expected.code, expected.detail, expected.region, expected.line_type), value


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="0123456789 +-().x/#＋０１٠٩\u00a0\u202f\u2009\u3000\x1c\x1f", max_size=20), min_size=1,
                max_size=40),
       st.sampled_from(["US", "GB", "IN", "AU", "BR", "MX", None]))
def test_bulk_path_agrees_with_phonenumbers_on_arbitrary_strings(values, region):
    assert disagreements(values, PhoneRule(default_region=region)) == []


def test_check_phones_reads_each_cell_in_its_own_region_as_phonenumbers_would(monkeypatch):
    # a country code column gives each row its region: the bulk path runs per region, and each cell must get the
    # verdict phonenumbers gives it in that region (null: the rule's default; 'ZZ': none)
    monkeypatch.setattr(phones_check, "BULK_FROM", 500)  # every region's cells take the bulk path
    rng = random.Random(11)
    values = rng.sample(CORPUS, 8_000)
    regions = [rng.choice(["IN", "GB", "DE", "AG", "BR", None, None, "ZZ"]) for _ in values]
    rule = PhoneRule(default_region="US")
    verdicts = check_phones(pl.Series(values, dtype=pl.String), rule, regions=pl.Series(regions, dtype=pl.String))
    assert verdicts.height == len(values)
    wrong = []
    for value, region, row in zip(values, regions, verdicts.iter_rows(named=True)):
        in_region = PhoneRule(default_region=rule.default_region if region is None else
                              None if region == "ZZ" else region)
        expected = parse_phone(value, in_region)
        if (row["e164"], row["code"], row["detail"], row["region"], row["line_type"]) != (
                expected.e164, expected.code, expected.detail, expected.region, expected.line_type):
            wrong.append((value, region, row, expected))
    assert wrong[:5] == []


def test_check_phones_by_region_on_no_cells_gives_no_verdicts():
    # every record of a file can be broken (a NUL byte): the phone column is then empty
    verdicts = check_phones(pl.Series([], dtype=pl.String), PhoneRule(default_region="US"),
                            regions=pl.Series([], dtype=pl.String))
    assert verdicts.height == 0 and verdicts.columns == ["e164", "code", "detail", "region", "line_type"]
