"""The starter rules `csvprep init` writes, inferred from a file alone: every fixture export csvprep can read gets
rules that clean runs as they are."""

import tomllib

import polars as pl
import pytest
from conftest import FIXTURES, ROOT
from typer.testing import CliRunner

from csvprep.cli.main import app
from csvprep.job.rules_file import rules_from_dict
from csvprep.job.starter import guess_region, infer_type, starter_rules

runner = CliRunner()
EXPORTS = sorted(path for path in FIXTURES.iterdir() if path.is_file() and not path.name.startswith("dnc_"))


@pytest.mark.parametrize("path", EXPORTS, ids=lambda path: path.name)
def test_init_then_clean_runs_as_is_on_every_fixture_export(path, tmp_path):
    rules = tmp_path / "rules.toml"
    made = runner.invoke(app, ["init", str(path), "-o", str(rules)])
    if made.exit_code != 0:
        # what init cannot start from, clean cannot read either: a one-line refusal, never a traceback
        assert made.exit_code == 2 and "csvprep: error:" in made.output, made.output
        empty = tmp_path / "empty.toml"
        empty.write_text("")
        assert runner.invoke(app, ["clean", str(path), "--rules", str(empty), "--out",
                                   str(tmp_path / "o")]).exit_code == 2
        return
    text = rules.read_text()
    rules_from_dict(tomllib.loads(text))  # valid rules
    assert all("#" in line for line in text.splitlines() if line.strip()), text
    cleaned = runner.invoke(app, ["clean", str(path), "--rules", str(rules), "--out", str(tmp_path / "out")])
    assert cleaned.exit_code in (0, 1), cleaned.output


def test_init_on_the_sample_types_each_column_and_picks_its_region():
    text = starter_rules(ROOT / "sample_data" / "contacts.csv")
    rules = tomllib.loads(text)
    assert rules["phone"] == {"column": "Phone Number", "default_region": "US"}
    assert "of 168 distinct numbers written without a country code are valid read in it" in text
    variables = rules["variables"]
    assert variables["due_amount"]["type"] == "decimal"
    assert variables["due_date"]["type"] == "date" and "%m/%d/%Y" in variables["due_date"]["formats"]
    assert variables["language"]["type"] == "enum" and "Hindi" in variables["language"]["values"]
    assert variables["notes"]["type"] == "string"  # free text is never an enum


def test_required_only_where_no_cell_is_empty():
    data = b"phone,name,nickname\n+14155550100,Ann,\n+14155550101,Bob,Bobby\n"
    variables = tomllib.loads(starter_rules(data))["variables"]
    assert variables["name"]["required"] is True
    assert variables["nickname"]["required"] is False


@pytest.mark.parametrize("values, kind", [
    (["1", "22", "-3", "4000"], "integer"),
    (["1.5", "22", "3.25"], "decimal"),
    (["yes", "no", "Yes"], "boolean"),
    (["ann@example.com", "bob@example.org"], "email"),
    (["2026-01-05", "2026-02-17"], "date"),
    (["0415", "0022"], "string"),  # leading zeros: ids, kept as written
    (["hello there", "x"], "string"),
])
def test_infer_type(values, kind):
    assert infer_type(pl.Series("c", values))[0].type == kind


def test_a_decimal_comma_and_day_first_dates_are_seen():
    rule, _ = infer_type(pl.Series("c", ["12,50", "3,75", "1.234,00"]))
    assert (rule.type, rule.decimal_separator) == ("decimal", ",")
    rule, _ = infer_type(pl.Series("c", ["25/12/2026", "03/04/2026"]))
    assert rule.formats == ("%d/%m/%Y",)


def test_an_enum_when_few_distinct_values_repeat():
    rule, why = infer_type(pl.Series("c", ["English", "Hindi", "english", "Hindi"] * 5))
    assert rule.type == "enum" and set(rule.values) == {"English", "Hindi"}
    assert "2 distinct values" in why


def test_the_region_is_the_one_most_national_numbers_fit():
    indian = pl.Series(["98765 43210", "9123456789", "+91 98765 43211", "8123456780"])
    guess = guess_region(indian)
    assert guess.region == "IN" and guess.fits == guess.tried == 3
    assert guess_region(pl.Series(["+14155550100"])).region is None


def test_the_prompt_variables_are_mapped_to_columns_by_name(tmp_path):
    prompt = tmp_path / "agent.txt"
    prompt.write_text("Hello {{ customer_name }}, you owe {{ amount_due }}. Call {{ phone_number }}.")
    data = b"Phone,Customer Name,Amount Due,Extra\n+14155550100,Ann,10,x\n"
    text = starter_rules(data, prompt=prompt, rules_dir=tmp_path)
    rules = tomllib.loads(text)
    assert rules["agent"]["prompt_file"] == "agent.txt"
    assert rules["variables"]["customer_name"]["column"] == "Customer Name"
    assert rules["variables"]["amount_due"]["column"] == "Amount Due"
    assert "{{customer_name}} in the prompt" in text
    assert "phone_number" not in rules["variables"]


def test_a_prompt_variable_without_a_column_gets_a_default_to_write(tmp_path):
    prompt = tmp_path / "agent.txt"
    prompt.write_text("Hi {{ name }}, about {{ product }}.")
    contacts = tmp_path / "c.csv"
    contacts.write_bytes(b"phone,name\n+14155550100,Ann\n")
    rules = tmp_path / "rules.toml"
    assert runner.invoke(app, ["init", str(contacts), "--prompt", str(prompt), "-o", str(rules)]).exit_code == 0
    assert tomllib.loads(rules.read_text())["defaults"] == {"product": ""}
    result = runner.invoke(app, ["clean", str(contacts), "--rules", str(rules), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output


def test_init_writes_to_stdout_and_refuses_to_overwrite_without_force(tmp_path):
    contacts = tmp_path / "c.csv"
    contacts.write_bytes(b"phone,name\n+14155550100,Ann\n")
    printed = runner.invoke(app, ["init", str(contacts)])
    assert printed.exit_code == 0 and "[phone]" in printed.stdout
    rules = tmp_path / "rules.toml"
    rules.write_text("mine")
    refused = runner.invoke(app, ["init", str(contacts), "-o", str(rules)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert rules.read_text() == "mine"
    assert runner.invoke(app, ["init", str(contacts), "-o", str(rules), "--force"]).exit_code == 0
    assert "[phone]" in rules.read_text()


def test_init_checks_the_provider_name(tmp_path):
    contacts = tmp_path / "c.csv"
    contacts.write_bytes(b"phone,name\n+14155550100,Ann\n")
    assert "--provider vapi" in runner.invoke(app, ["init", str(contacts), "--provider", "vapi"]).stdout
    wrong = runner.invoke(app, ["init", str(contacts), "--provider", "vappi"])
    assert wrong.exit_code == 2 and "unknown provider" in wrong.output


def test_several_phone_columns_the_one_with_most_numbers_the_others_named():
    data = b"Mobile Phone,Home Phone,name\n+14155550100,,Ann\n+14155550101,,Bob\n"
    text = starter_rules(data)
    assert tomllib.loads(text)["phone"]["column"] in ("Mobile Phone",)


def test_a_phone_column_whose_header_says_nothing_is_found_by_its_values(tmp_path):
    contacts = tmp_path / "c.csv"
    contacts.write_bytes(b"Name,Contact,Amount\nAnn,(415) 555-0100,3\nBob,415-555-0101,4\nCy,4155550102,5\n")
    text = starter_rules(contacts)
    assert tomllib.loads(text)["phone"]["column"] == "Contact"
    assert "chosen by its values" in text
    rules = tmp_path / "rules.toml"
    rules.write_text(text)
    # three numbers fit seven regions alike: the region is the user's to give, not csvprep's to guess
    assert "default_region" not in tomllib.loads(text)["phone"] and "(US 3, IN 3, CA 3" in text
    result = runner.invoke(app, ["clean", str(contacts), "--rules", str(rules), "--region", "US",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "cleaned.csv").read_text().splitlines()[1] == "Ann,+14155550100,3"


def test_a_file_with_no_phone_column_at_all_is_refused_in_one_line(tmp_path):
    contacts = tmp_path / "c.csv"
    contacts.write_bytes(b"name,city\nAnn,Paris\nBob,Rome\n")
    result = runner.invoke(app, ["init", str(contacts)])
    assert result.exit_code == 2
    assert "no phone column found" in result.stderr and len(result.stderr.strip().splitlines()) == 1


from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import csvprep  # noqa: E402
from csvprep.errors import InputError  # noqa: E402

_TEXT = st.characters(blacklist_categories=("Cc", "Cs"))  # line breaks in cells and headers are the reader's tests
_CELLS = st.one_of(st.text(_TEXT, max_size=12), st.integers(-10**6, 10**6).map(str),
                   st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: f"{f:.2f}"),
                   st.dates().map(str), st.sampled_from(["yes", "no", "ann@example.com", "", "English", "Hindi"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.text(_TEXT, min_size=1, max_size=10), min_size=1, max_size=4, unique=True),
       rows=st.integers(1, 12), data=st.data())
def test_any_table_gets_rules_that_load_and_run(headers, rows, data):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["phone", *headers])
    for _ in range(rows):
        writer.writerow(["+14155550100", *(data.draw(_CELLS) for _ in headers)])
    source = buffer.getvalue().encode()
    try:
        text = starter_rules(source)
    except InputError:  # a header csvprep refuses (blank, repeated, its own, a pattern): refused whatever the rules
        assume(False)
    rules = rules_from_dict(tomllib.loads(text))
    result = csvprep.clean(source, rules)
    assert result.summary.rows_in == result.summary.rows_clean + result.summary.rows_rejected >= 1
    # a type is chosen only when nearly every cell fits it: the values it was inferred from are not rejected by it
    assert result.summary.kinds.get(("invalid_value", "error"), 0) <= 0.05 * rows * len(headers)


# UK-500 style numbers (public sample data): valid in Great Britain, and as many valid in New Zealand
_BRITISH = ["01835-703597", "01937-864715", "01347-368222", "01912-771311", "01547-429341", "01578-986602",
            "01976-755279", "01443-853954", "01561-547457", "01327-473425"]


def test_no_region_is_chosen_when_several_fit_alike_and_the_list_names_none():
    guess = guess_region(pl.Series(_BRITISH))
    assert guess.region is None  # NZ fits 10, GB 9: either would be a guess, and a wrong one calls abroad
    assert dict(guess.close) == {"NZ": 10, "GB": 9}


def test_among_regions_that_fit_alike_the_one_the_list_names_is_chosen():
    assert guess_region(pl.Series([*_BRITISH, "+44 20 7946 0958"])).region == "GB"  # its own + number's
    assert guess_region(pl.Series(_BRITISH), hints=["GB"]).region == "GB"  # its country column's
    assert guess_region(pl.Series(_BRITISH), hints=["GB", "NZ"]).region is None  # it names both


def test_init_leaves_an_undecided_region_commented_with_the_candidates(tmp_path):
    source = tmp_path / "british.csv"
    source.write_text("name,phone\n" + "".join(f"P{i},{number}\n" for i, number in enumerate(_BRITISH)))
    text = starter_rules(source)
    assert "default_region" not in tomllib.loads(text)["phone"]
    line = next(line for line in text.splitlines() if "default_region" in line)
    assert line.startswith("# default_region") and "NZ 10, GB 9" in line
