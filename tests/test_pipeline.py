import polars as pl
import pytest
from conftest import FIXTURES, ROOT, RULES

import csvprep
from csvprep import clean, rules_from_dict

SAMPLE = ROOT / "sample_data" / "contacts.csv"


def test_api_examples_word_for_word(tmp_path):
    data = b"phone,customer_name\n+14155550100,Ann\n+14155550101,\n+1234,Bob\n"
    rules = rules_from_dict({"phone": {"default_region": "US"}, "variables": {"customer_name": {"required": True}}})
    result = clean(data, rules)
    assert result.report()["issues"][0]["message"] == "missing required variable 'customer_name'"
    from csvprep.outputs.report import error_lines

    assert error_lines(result) == [
        "Row 3: missing required variable 'customer_name'",
        "Row 4: invalid phone number '+1234'",
    ]


def test_cleaned_rows_keep_order_columns_and_pass_through_values(typed_rules):
    data = (
        b"Phone Number,Customer Name,Due Amount,due date,plan,vip,Notes\n"
        b"(415) 555-0100,  Ann ,\"1,234.50\",01/31/2026,pro,yes,  keep  me \n"
        b"+44 20 7946 0958,Bob,7,2026-02-01,,no,\n"
    )
    result = clean(data, typed_rules)
    assert result.cleaned.columns == ["Phone Number", "Customer Name", "Due Amount", "due date", "plan", "vip", "Notes"]
    assert result.cleaned.rows() == [
        ("+14155550100", "Ann", "1234.50", "2026-01-31", "Pro", "true", "  keep  me "),
        ("+442079460958", "Bob", "7", "2026-02-01", "Basic", "false", ""),
    ]
    assert result.exit_code == 0


def test_duplicates_keep_the_first_valid_row():
    data = b"phone,customer_name\n+1234,A\n4155550100,B\n(415) 555-0100,C\n+1 415 555 0100,D\n"
    result = clean(data, RULES / "basic.toml")
    assert result.cleaned.get_column("customer_name").to_list() == ["B"]
    duplicates = result.issues.filter(pl.col("code") == "duplicate")
    assert duplicates.select("row", "message").rows() == [
        (4, "duplicate phone number '+14155550100' (same as row 3)"),
        (5, "duplicate phone number '+14155550100' (same as row 3)"),
    ]


def test_a_rejected_row_is_not_a_duplicate_source():
    rules = rules_from_dict({"phone": {"default_region": "US"},
                             "variables": {"customer_name": {"required": True}}})
    result = clean(b"phone,customer_name\n4155550100,\n4155550100,Ann\n", rules)
    assert result.cleaned.get_column("customer_name").to_list() == ["Ann"]
    assert result.issues.get_column("code").to_list() == ["missing_variable"]


@pytest.mark.parametrize("policy,clean_rows,severity", [("warn", 2, "warning"), ("keep", 2, None)])
def test_duplicate_policies(policy, clean_rows, severity):
    rules = rules_from_dict({"phone": {"default_region": "US"}, "duplicates": {"policy": policy}})
    result = clean(b"phone\n4155550100\n+14155550100\n", rules)
    assert result.cleaned.height == clean_rows
    assert result.issues.get_column("severity").to_list() == ([severity] if severity else [])


def test_duplicate_key_with_a_variable():
    rules = rules_from_dict({"phone": {"default_region": "US"}, "variables": {"order_id": {}},
                             "duplicates": {"key": ["phone", "order_id"]}})
    result = clean(b"phone,order_id\n4155550100,A1\n4155550100,a1\n4155550100,B2\n", rules)
    assert result.issues.select("row", "message").rows() == [(3, "duplicate contact: same phone, order_id as row 2")]


def test_every_record_is_accounted_for_in_the_sample():
    result = clean(SAMPLE, ROOT / "rules" / "payment_reminder.toml")
    counts = result.counts()
    assert counts["rows_in"] == counts["rows_clean"] + counts["rows_rejected"]
    assert counts["rows_in"] > 300 and counts["rows_rejected"] > 0 and counts["rows_clean"] > 0
    # every kind of problem the core knows shows up in the sample
    for code in ("invalid_phone", "missing_phone", "phone_digits_lost", "phone_extension", "phone_missing_plus",
                 "missing_variable", "invalid_value", "duplicate", "wrong_field_count", "formula_injection"):
        assert counts["by_code"].get(code, 0) > 0, code
    rejected_rows = set(result.rejected.get_column("row").to_list())
    error_rows = set(result.errors.get_column("row").to_list())
    assert rejected_rows == error_rows
    assert result.cleaned.get_column("Phone Number").str.contains(r"^\+[1-9][0-9]{6,14}$").all()


def test_structural_problems_are_rejected_with_raw_text():
    result = clean(FIXTURES / "ragged_rows.csv", RULES / "basic.toml")
    assert result.counts()["rows_in"] == 4
    rejected = result.rejected
    assert rejected.get_column("row").to_list() == [3, 4]
    assert rejected.get_column("raw").to_list() == ["+14155550101,Bob", "+14155550102,Cy,a,b"]
    assert rejected.get_column("errors").to_list() == ["expected 3 fields, found 2", "expected 3 fields, found 4"]


def test_formula_cells_warn_and_strict_rejects():
    result = clean(FIXTURES / "formula_cells.csv", RULES / "basic.toml")
    found = result.issues.filter(pl.col("code") == "formula_injection")
    assert found.select("row", "column", "severity").rows() == [
        (2, "notes", "warning"), (3, "customer_name", "warning"), (4, "notes", "warning")
    ]  # -5 is a number, not a formula
    assert result.cleaned.get_column("notes").to_list() == ["=1+2", "-5", "-not a number"]  # unaltered for the API
    strict = clean(FIXTURES / "formula_cells.csv", RULES / "basic.toml", strict=True)
    assert strict.rejected.get_column("row").to_list() == [2, 3, 4]


def test_missing_columns_are_file_level_errors():
    rules = rules_from_dict({"variables": {"order_id": {"column": "Order ID"}}})
    with pytest.raises(csvprep.InputError, match=r"no column 'Order ID' for variable 'order_id'.*columns in the file"):
        clean(b"phone,order\n+14155550100,1\n", rules)
    required = rules_from_dict({"variables": {"customer_name": {"required": True}}})
    with pytest.raises(csvprep.InputError, match=r"no column 'customer_name' for required variable"):
        clean(b"phone,name\n+14155550100,Ann\n", required)


def test_no_phone_column_lists_headers_and_the_closest():
    with pytest.raises(csvprep.InputError, match=r"no phone column found \(closest: 'fone'\); columns in the file: "
                                                   r"'name', 'email', 'fone'"):
        clean(FIXTURES / "no_phone_column.csv", RULES / "basic.toml")


@pytest.mark.parametrize("header", ["Phone Number", "phone_number", "Mobile Phone", "Phone 1 - Value", "number",
                                    "MOBILE", " phone ", "Mobile No.", "Ph. No.", "Phone #", "Phone (Mobile)",
                                    "Téléphone", "Handynummer", "Teléfono", "Celular", "📞 Phone", "Phone Number ☎",
                                    "मोबाइल नंबर", "फ़ोन नंबर",
                                    # headers people use that name the phone in other words
                                    "Contact Phone Number", "recipient_phone_number", "Phone Numbers", "Telephone",
                                    "B2_telephone", "Cell", "Cell Phone", "Mobile Number", "WhatsApp", "msisdn",
                                    "recipientPhoneNumber", "numero", "Número de celular"])
def test_phone_column_detection(header):
    result = clean(f"{header},customer_name\n+14155550100,Ann\n".encode(), RULES / "basic.toml")
    assert result.columns.phone == header.strip()


def test_a_phone_word_in_a_header_finds_the_column_when_only_one_header_has_one():
    # a column about the number (its type, its country code) is not the number
    result = clean(b"Name,Phone Type,Phone Country Code,Contact Phone Number\nAnn,mobile,1,4155550100\n",
                   rules_from_dict({"phone": {"default_region": "US"}}))
    assert result.columns.phone == "Contact Phone Number"


def test_two_headers_with_a_phone_word_are_a_clear_error_naming_both():
    with pytest.raises(csvprep.InputError, match=r"columns 'Contact Phone Number' and 'Home Telephone' both look like "
                                                   r"the phone column; name the one to call in the rules"):
        clean(b"Name,Contact Phone Number,Home Telephone\nAnn,4155550100,4155550101\n",
              rules_from_dict({"phone": {"default_region": "US"}}))


def test_variable_columns_match_case_and_space_insensitively():
    rules = rules_from_dict({"variables": {"customer_name": {"required": True}}})
    result = clean(b"phone,Customer Name\n+14155550100,Ann\n", rules)
    assert result.columns.variables[0][1] == "Customer Name"


def test_variable_columns_match_whatever_accents_and_punctuation_the_header_has():
    rules = rules_from_dict({"variables": {"customer_name": {"required": True}, "prenom": {"required": True},
                                           "amount": {"type": "decimal"}}})
    result = clean("phone,👤 Customer Name:,Prénom,Amount ($)\n+14155550100,Ann,Zoé,5\n".encode(), rules)
    assert [column for _, column in result.columns.variables] == ["👤 Customer Name:", "Prénom", "Amount ($)"]


def test_region_override_changes_the_reading():
    result = clean(b"phone\n9876543210\n", RULES / "basic.toml", region="IN")
    assert result.cleaned.get_column("phone").to_list() == ["+919876543210"]


def test_frames_are_accepted_too():
    frame = pl.DataFrame({"phone": ["+14155550100", "nope"], "customer_name": ["Ann", None]})
    result = clean(frame, RULES / "basic.toml")
    assert result.cleaned.rows() == [("+14155550100", "Ann")]
    assert result.rejected.get_column("row").to_list() == [3]


def test_rejected_columns_do_not_collide_with_the_files_own():
    # (not ending in 'row,errors' as an earlier rejected.csv does: those are left out, see test_reading)
    result = clean(b"phone,errors,row\nbad,1,2\n", rules_from_dict({}))
    assert result.rejected.columns == ["phone", "errors", "row", "csvprep_row", "csvprep_errors"]


def test_xlsx_number_cells_beyond_excels_precision_are_digits_lost():
    result = clean(FIXTURES / "excel_number_cells.xlsx", rules_from_dict({"phone": {"default_region": "US"}}))
    assert result.cleaned.get_column("Phone Number").to_list() == ["+14155550100", "+14155550101", "+919876543210"]
    lost = result.issues.filter(pl.col("code") == "phone_digits_lost")
    assert lost.select("row", "message", "detail").rows() == [(
        5, "phone number '123456789012345696' lost its digits in a spreadsheet",
        "Excel kept only 15 significant digits of this number cell; format the column as text",
    )]


def test_cleaned_frames_satisfy_the_pandera_schema_of_their_rules():
    from csvprep.schema import cleaned_schema

    result = clean(ROOT / "sample_data" / "contacts.csv", ROOT / "rules" / "payment_reminder.toml")
    assert result.cleaned.height > 200
    schema = cleaned_schema(result)
    schema.validate(result.cleaned)
    # and the schema is no rubber stamp: a cleaned frame with a broken phone or a too-long name fails it
    import pandera.errors

    tampered = result.cleaned.with_columns(pl.lit("+1234").alias(result.columns.phone))
    with pytest.raises(pandera.errors.SchemaError):
        schema.validate(tampered)
    name_column = dict((v.name, c) for v, c in result.columns.variables)["customer_name"]
    with pytest.raises(pandera.errors.SchemaError, match="longer than 80"):
        schema.validate(result.cleaned.with_columns(pl.lit("x" * 81).alias(name_column)))


def test_the_public_api_does_what_the_command_line_does(tmp_path):
    assert all(hasattr(csvprep, name) for name in csvprep.__all__)
    rules = csvprep.load_rules(RULES / "basic.toml")
    lists = [csvprep.load_suppression(FIXTURES / "dnc_sarvam_stop_file.csv", rules.phone)]
    hours = csvprep.resolve_calling_hours(rules, window="09:00-20:00", launch="2026-11-24T15:00:00Z")
    result = csvprep.clean(FIXTURES / "contacts_some_on_dnc_lists.csv", rules, suppress=lists, calling=hours,
                           add_columns=("timezone",))
    assert result.counts()["by_code"]["do_not_call"] == 1
    assert "utc_offset" in result.cleaned.columns
    summary, paths = csvprep.clean_file(FIXTURES / "contacts_some_on_dnc_lists.csv", rules, tmp_path, provider="vapi")
    assert summary.counts()["rows_clean"] == 7 and paths["cleaned.csv"].read_text().startswith("number,")


def _underscore_names() -> list[str]:
    """Every ``"_name"`` string in csvprep's source: the names its frames may use for columns of their own."""
    import re

    source = "".join(path.read_text() for path in (ROOT / "csvprep").rglob("*.py"))
    return sorted(set(re.findall(r'"(_[a-z][a-z0-9_]*)"', source)) | {"_key0", "_id", "_type"})


@pytest.mark.parametrize("name", _underscore_names())
def test_a_file_column_named_like_an_internal_one_is_kept_whole_or_refused_clearly(tmp_path, name):
    from csvprep.model.calling import CallingHours, parse_launch, parse_window
    from csvprep.model.contacts import INTERNAL_COLUMNS

    source = tmp_path / "list.csv"
    source.write_text(f"phone,customer_name,{name}\n+14155550100,Ann,x\n+14155550100,Ann,y\n+14155550101,,z\n"
                      "nope,Bo,w\n")
    dnc = tmp_path / "dnc.csv"
    dnc.write_text("phone\n+14155550101\n")
    rules = csvprep.load_rules(RULES / "basic.toml")
    options = dict(suppress=[csvprep.load_suppression(dnc, rules.phone)], add_columns=("timezone", "country"),
                   calling=CallingHours(parse_window("09:00-20:00"), parse_launch("2026-11-24T15:00:00Z")))
    if name in INTERNAL_COLUMNS:
        with pytest.raises(csvprep.InputError, match=f"column '{name}' has a name csvprep uses for its own work"):
            clean(source, rules, **options)
        return
    paths = clean(source, rules, **options).write(tmp_path / "out")
    kept = [value for file in ("cleaned.csv", "rejected.csv")
            for value in pl.read_csv(paths[file], infer_schema=False).get_column(name).to_list()]
    assert sorted(kept) == ["w", "x", "y", "z"]  # the file's own values, untouched


def test_amounts_in_a_semicolon_separated_export_are_read_with_a_decimal_comma():
    rules = rules_from_dict({"phone": {"default_region": "DE"},
                             "variables": {"betrag": {"type": "decimal", "column": "Betrag"}}})
    result = clean(FIXTURES / "semicolon_european_excel.csv", rules)
    assert result.issues.filter(pl.col("column") == "Betrag").height == 0
    assert result.cleaned.get_column("Betrag").to_list() == ["1234.50", "12.00"]


def test_every_phone_problem_is_worded_by_its_template():
    from csvprep.stages.phones.issues import PHONE_MESSAGES, _phone_issues

    codes = list(PHONE_MESSAGES)
    frame = pl.DataFrame({
        "_row": list(range(2, 2 + len(codes) + 1)), "_line": list(range(2, 2 + len(codes) + 1)),
        "Phone": [f"0{i}-555" for i in range(len(codes))] + [None],
        "_phone_code": codes + [None],
        "_e164": [f"+4415550{i}" for i in range(len(codes))] + [None],
        "_phone_detail": [None] * (len(codes) + 1),
    }, schema_overrides={"_phone_detail": pl.String})
    issues = _phone_issues(frame, "Phone", [])
    assert issues.get_column("code").to_list() == codes
    expected = [template.format(*[f"0{i}-555", f"+4415550{i}"][: template.count("{}")])
                for i, template in enumerate(PHONE_MESSAGES.values())]
    assert issues.get_column("message").to_list() == expected


def test_google_contacts_export_with_two_numbers_in_a_cell_and_a_second_phone_column():
    rules = rules_from_dict({"phone": {"default_region": "US", "column": "Phone 1 - Value"},
                             "variables": {"customer_name": {"column": "Name", "required": True}}})
    strict = clean(FIXTURES / "google_contacts_export.csv", rules, strict=True)
    rejected = strict.rejected.select("row", "errors").rows()
    # the second phone column's numbers are not formulas, even under --strict; the HYPERLINK is
    assert rejected == [
        (2, "invalid phone number '+1 415-555-0132 ::: +1 415-555-0199' (2 numbers in one cell (+14155550132, "
            "+14155550199); a row holds one number)"),
        (4, "cell '=HYPERLINK(\"http://example.com\")' in column 'Phone 2 - Value' would run as a formula in a "
            "spreadsheet"),
    ]
    assert strict.cleaned.get_column("Phone 1 - Value").to_list() == ["+14155550143"]
    assert strict.cleaned.get_column("Phone 2 - Value").to_list() == ["+1 (650) 555-0101"]  # passed through as is


def test_a_row_without_a_number_names_the_other_phone_column_that_has_one():
    rules = rules_from_dict({"phone": {"default_region": "IN"}, "variables": {"email": {"type": "email"}}})
    data = ("Record ID,Phone Number,Mobile Phone Number,Email\n"
            "101,,+91 98765 43210,ann@example.com\n"
            "102,+91 22 2345 6789,,bob@example.com\n"
            "103,,  ,cy@example.com\n").encode()
    result = clean(data, rules)
    assert result.columns.phone == "Phone Number"  # the first of the headers csvprep looks for; never switched
    assert result.issues.select("row", "code", "detail").rows() == [
        (2, "missing_phone", "'Mobile Phone Number' holds '+91 98765 43210'"),
        (4, "missing_phone", None),
    ]


def test_a_country_code_column_beside_the_number_says_where_it_is_dialled():
    # web forms with a country picker export the code apart from the number; read with the default region (US),
    # '9123456789' is a valid Savannah number: the campaign would have called the wrong country
    result = clean(FIXTURES / "country_code_column_beside_the_number.csv", RULES / "basic.toml")
    assert result.columns.country_code == "Country Code"
    assert result.cleaned.select("customer_name", "Mobile").rows() == [
        ("Asha", "+919876543210"), ("Ravi", "+919123456789"), ("John", "+14155550132"), ("Emma", "+447400123456"),
        ("Lena", "+4915123456789"), ("Zoe", "+12125550143"), ("Kim", "+447400123457"), ("Sam", "+12642351234"),
    ]
    assert result.cleaned.get_column("Country Code").to_list()[:2] == ["91", "+91"]  # passed through as written
    assert result.issues.select("row", "code", "detail").rows() == [
        (7, "invalid_phone", "its country code 'Ind' in column 'Country Code' is neither a calling code nor a "
                             "country"),
        (11, "missing_phone", None),
    ]
    report = result.report()
    assert report["columns"]["country_code"] == "Country Code"
    from csvprep.outputs.report import summary_text

    assert "phone column 'Mobile' (country codes from 'Country Code')" in summary_text(result)


def test_a_country_code_column_named_in_the_rules_or_turned_off():
    data = b"phone,Land\n9876543210,IN\n"
    named = rules_from_dict({"phone": {"default_region": "US", "country_code_column": "Land"}})
    assert clean(data, named).cleaned.get_column("phone").to_list() == ["+919876543210"]
    found = b"phone,Dial Code\n2025550143,44\n"
    off = rules_from_dict({"phone": {"default_region": "US", "country_code_column": False}})
    assert clean(found, off).cleaned.get_column("phone").to_list() == ["+12025550143"]
    assert clean(found, off).columns.country_code is None
    with pytest.raises(csvprep.InputError, match=r"no country code column 'Country Code' \(closest: 'Country'\)"):
        clean(b"phone,Country\n9876543210,IN\n", rules_from_dict({"phone": {"country_code_column": "Country Code"}}))
    with pytest.raises(csvprep.InputError, match=r"columns 'Country Code' and 'ISD' both look like the phone's "
                                                   r"country code; name one in the rules"):
        clean(b"phone,Country Code,ISD\n+14155550100,1,1\n", rules_from_dict({}))


def test_a_header_row_repeated_inside_the_data_is_one_clear_rejection():
    # two exports pasted one under the other: the second one's header is not a contact with an invalid number
    result = clean(FIXTURES / "two_exports_pasted_together.csv", RULES / "basic.toml")
    assert result.issues.select("row", "code", "message").rows() == [
        (4, "header_repeated", "the header row again (files pasted together?)"),
        (6, "duplicate", "duplicate phone number '+14155550133' (same as row 3)"),
        # not the header: 'phone number' in the Notes column is a note
        (7, "invalid_phone", "invalid phone number 'phone number'"),
    ]
    assert result.counts()["rows_rejected"] == 3 and result.cleaned.height == 3


def test_an_invalid_number_valid_in_its_rows_address_country_says_how_to_read_it_so():
    # an address's country is not taken for the phone's unasked; the numbers it would make valid say so
    result = clean(FIXTURES / "address_country_beside_national_numbers.csv", RULES / "basic.toml")
    assert result.columns.country_code is None
    hint = ("read in {}, the country in column 'Country/Region': to read each number in its row's country, set "
            "[phone] country_code_column = \"Country/Region\"")
    assert result.issues.select("row", "code", "detail").rows() == [
        (2, "invalid_phone", "not a valid US number; +919876543210 " + hint.format("IN")),
        (3, "invalid_phone", "too long for US: 11 digits after the country code; +447400123456 " + hint.format("GB")),
        (5, "invalid_phone", "not a valid US number"),  # invalid in GB too: no hint
        (6, "invalid_phone", "too long for US: 12 digits after the country code; +4915123456789 " + hint.format("DE")),
    ]
    told = clean(FIXTURES / "address_country_beside_national_numbers.csv",
                 rules_from_dict({"phone": {"default_region": "US", "country_code_column": "Country/Region"},
                                  "variables": {"customer_name": {"required": True}}}))
    assert told.cleaned.get_column("Phone Number").to_list() == ["+919876543210", "+447400123456", "+14155550132",
                                                                "+4915123456789"]
    assert told.issues.select("row", "detail").rows() == [(5, "not a valid GB number")]


def test_text_wrapped_for_excel_is_no_formula_to_warn_about():
    data = b'phone,customer_name,Account\n="+14155550100",="Ann",="000123"\n+14155550101,Bob,"=HYPERLINK(""x"")"\n'
    result = clean(data, RULES / "basic.toml")
    assert result.cleaned.rows() == [("+14155550100", "Ann", '="000123"'), ("+14155550101", "Bob", '=HYPERLINK("x")')]
    assert result.issues.select("row", "code").rows() == [(3, "formula_injection")]


def test_a_number_whose_own_code_disagrees_with_the_country_code_column_is_dialled_as_written_with_a_warning():
    data = b"phone,Country Code\n+1 415 555 0132,91\n+91 98765 43210,+91\n+1 264 235 1234,1\n+44 7400 123456,UK\n"
    result = clean(data, rules_from_dict({"phone": {"default_region": "US"}}))
    assert result.cleaned.get_column("phone").to_list() == ["+14155550132", "+919876543210", "+12642351234",
                                                            "+447400123456"]
    assert result.issues.select("row", "code", "severity", "message", "detail").rows() == [
        (2, "phone_country_mismatch", "warning", "phone number '+1 415 555 0132' is a US number, but column "
                                                 "'Country Code' says '91'", "dialled as +14155550132"),
    ]


def test_many_numbers_invalid_in_the_default_region_suggest_the_region_they_are_valid_in():
    # a list from India checked with the rules' US: the summary says where the numbers would be valid
    data = b"phone,customer_name\n98765 43210,A\n98765 43211,B\n(415) 555-0132,C\n99887 76655,D\n70123 45678,E\n"
    result = clean(data, RULES / "basic.toml")
    assert result.region_hint == ("IN", 3, 3)  # 70123 45678 is a valid North Dakota number as well
    from csvprep.outputs.report import summary_text

    assert ("many numbers are invalid in US, but 3 of 3 tried are valid read in IN: if the list is from IN, pass "
            "--region IN (or set [phone] default_region)") in summary_text(result)
    # a few invalid numbers among many good ones say nothing
    few = b"phone,customer_name\n" + b"".join(b"+1415555%04d,N\n" % n for n in range(20)) + b"98765 43210,X\n" * 3
    assert clean(few, RULES / "basic.toml").region_hint is None


@pytest.mark.parametrize("name", ["*", "^.*$", "^x$", "^customer_name|phone$"])
def test_a_column_named_like_a_pattern_of_columns_is_refused_in_one_line(tmp_path, name):
    # Polars reads these in pl.col() as a selection of columns: they crashed the run with an internal error
    from typer.testing import CliRunner

    from csvprep.cli.main import app

    source = tmp_path / "list.csv"
    source.write_text(f'phone,customer_name,"{name}"\n+14155550100,Ann,x\nnope,Bo,w\n')
    for command in (["clean", str(source), "--rules", str(RULES / "basic.toml"), "--out", str(tmp_path / "out")],
                    ["check", str(source)], ["init", str(source)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "is named like a pattern of column names" in result.output and "internal error" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not any((tmp_path / "out").glob("*"))  # no outputs
    with pytest.raises(csvprep.InputError, match="named like a pattern"):
        csvprep.clean(pl.DataFrame({"phone": ["+14155550100"], name: ["x"]}), RULES / "basic.toml")
