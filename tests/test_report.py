import re

import pytest
from conftest import FIXTURES, ROOT, RULES

import csvprep
from csvprep import CODES, clean
from csvprep.outputs.report import check_lines, error_lines, summary_text


def test_every_code_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text().split("## Message codes")[1].split("\n## ")[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.M))
    assert documented == set(CODES)


def test_summary_and_lines():
    result = clean(FIXTURES / "ragged_rows.csv", RULES / "basic.toml")
    text = summary_text(result)
    assert "4 rows in, 2 clean, 2 rejected" in text
    assert "read as utf-8, comma-delimited, LF line endings; phone column 'phone', default region US" in text
    assert "wrong_field_count" in text
    assert error_lines(result) == ["Row 3: expected 3 fields, found 2", "Row 4: expected 3 fields, found 4"]
    assert check_lines(result, "f.csv")[0] == "f.csv:3: Row 3: expected 3 fields, found 2"


def test_report_data_holds_counts_settings_and_fingerprint():
    result = clean(FIXTURES / "blank_lines.csv", RULES / "basic.toml")
    report = result.report()
    assert report["summary"]["rows_in"] == 2 and report["summary"]["blank_rows"] == 3
    assert len(report["input"]["sha256"]) == 64
    assert report["settings"]["default_region"] == "US"
    assert report["columns"] == {"phone": "phone", "country_code": None, "variables": {"customer_name": "customer_name"}, "added": []}
    assert set(report["timings_seconds"]) >= {"read", "phones", "variables", "total"}


def test_report_json_text_is_the_report_data():
    import json

    from csvprep.outputs.report import report_data, report_json

    for fixture in ("ragged_rows.csv", "utf8_bom.csv"):
        result = clean(FIXTURES / fixture, RULES / "basic.toml")
        assert json.loads(report_json(result)) == report_data(result)


@pytest.mark.parametrize("source", [
    ROOT / "sample_data" / "contacts.csv",
    FIXTURES / "ragged_rows.csv",
    FIXTURES / "excel_number_cells.xlsx",
    FIXTURES / "trailing_empty_columns.csv",
])
def test_report_json_follows_its_published_schema(source):
    import json
    from importlib.resources import files

    import jsonschema

    from csvprep.outputs.report import report_json

    schema = json.loads(files("csvprep").joinpath("report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    result = csvprep.clean(source, RULES / "basic.toml") if source.parent == FIXTURES else csvprep.clean(
        source, ROOT / "rules" / "payment_reminder.toml")
    report = json.loads(report_json(result))
    jsonschema.Draft202012Validator(schema).validate(report)
    # and the schema is strict enough to catch a drifting layout
    report["summary"]["rows_cleaned"] = report["summary"].pop("rows_clean")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(report)


def test_summary_says_when_numbers_fail_for_want_of_a_default_region():
    data = b"phone,customer_name\n(415) 555-0132,Ann\n+44 7400 123456,Cy\n"
    hint = "numbers written without a country code are rejected: no default region is set"
    without = clean(data, csvprep.rules_from_dict({}))
    assert without.issues.get_column("detail").to_list() == ["written without a country code and no default "
                                                             "region is set"]
    assert hint in summary_text(without)
    assert hint not in summary_text(clean(data, csvprep.rules_from_dict({}), region="US"))


def test_the_summary_counts_the_numbers_a_plus_would_make_another_countrys():
    from csvprep import rules_from_dict
    from csvprep.outputs.report import summary_text

    data = b"phone\n(465) 808-8296\n372-624-9805\n919876543210\n(415) 555-0100\n"
    result = clean(data, rules_from_dict({"phone": {"default_region": "US"}}))
    assert result.report()["phones"]["plus_declined"] == 2
    assert ("  2 numbers invalid in US would be another country's read with a '+' (e.g. Row 2: '(465) 808-8296' as "
            "+4658088296, Sweden): rejected, not assumed") in summary_text(result)
    assert result.counts()["by_code"] == {"invalid_phone": 2, "phone_missing_plus": 1}


def _hostile_issues():
    import polars as pl

    return pl.DataFrame({
        "row": [2, 3], "line": [2, 3], "column": ["=HYPERLINK(\"http://evil.example/\")", "phone"],
        "code": ["invalid_phone", "invalid_phone"], "severity": ["error", "warning"],
        "value": ["x;=cmd|' /C calc'!A0", "Ann\nb.csv:9: Row 9: forged\x1b]52;c;SGk=\x07"],
        "message": ["invalid phone number 'x;=cmd|' /C calc'!A0'",
                    "invalid phone number 'Ann\nb.csv:9: Row 9: forged\x1b]52;c;SGk=\x07 50%'"],
        "detail": [None, "ok\rforged"],
    })


def test_check_lines_show_the_data_escaped_one_line_an_issue():
    lines = check_lines(_hostile_issues(), "a\nb.csv")
    assert lines[1] == ("a\\nb.csv:3: Row 3: warning: invalid phone number 'Ann\\nb.csv:9: Row 9: "
                        "forged\\x1b]52;c;SGk=\\x07 50%' (ok\\rforged)")
    assert lines[0] == "a\\nb.csv:2: Row 2: invalid phone number 'x;=cmd|' /C calc'!A0'"


def test_github_lines_escape_as_workflow_commands_and_show_other_controls_escaped():
    from csvprep.outputs.report import github_lines

    line = github_lines(_hostile_issues(), "a,b:c%\n\x1b.csv")[1]
    assert line == ("::warning file=a%2Cb%3Ac%25%0A\\x1b.csv,line=3::Row 3: invalid phone number "
                    "'Ann%0Ab.csv:9: Row 9: forged\\x1b]52;c;SGk=\\x07 50%25' (ok%0Dforged)")


def test_the_issues_csv_escapes_and_neutralises_every_text_cell():
    import polars as pl

    from csvprep.outputs.report import issues_csv

    text = issues_csv(_hostile_issues(), "=cmd.csv")
    assert "\x1b" not in text and "\r" not in text and text.count("\n") == 3  # a header and two records
    assert text.splitlines()[1] == ("\"'=cmd.csv\",2,2,\"'=HYPERLINK(\"\"http://evil.example/\"\")\",invalid_phone,"
                                    "error,\"'x;=cmd|' /C calc'!A0\",\"'invalid phone number 'x;=cmd|' /C calc'!A0'\",")
    table = pl.read_csv(text.encode(), infer_schema=False)
    assert table.item(1, "value") == "Ann\\nb.csv:9: Row 9: forged\\x1b]52;c;SGk=\\x07"
    assert table.item(1, "detail") == "ok\\rforged"


def test_errors_txt_shows_a_cells_line_break_and_escapes_escaped(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('phone,customer_name\n"+1\n\x1b[2J",Ann\n')
    assert error_lines(clean(source, RULES / "basic.toml")) == ["Row 2: invalid phone number '+1\\n\\x1b[2J'"]
