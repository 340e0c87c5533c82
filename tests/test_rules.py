import pytest
from conftest import ROOT

import csvprep
from csvprep import RulesError, load_rules, rules_from_dict
from csvprep.job.rules_file import with_defaults


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.toml")))
def test_shipped_rules_load(path):
    rules = load_rules(path)
    assert rules.variables


def test_example_from_the_issue():
    rules = load_rules(ROOT / "rules" / "payment_reminder.toml")
    assert rules.phone.column == "Phone Number"
    assert rules.phone.default_region == "US"
    assert rules.defaults == {"customer_name": "there", "language": "English"}
    due = next(v for v in rules.variables if v.name == "due_amount")
    assert (due.required, due.type, due.min) == (True, "decimal", 0)


@pytest.mark.parametrize("data,message", [
    ({"phon": {}}, r"top level: unknown key 'phon' \(did you mean 'phone'\?\)"),
    ({"variables": {"x": {"requird": True}}}, r"\[variables.x\]: unknown key 'requird' \(did you mean 'required'\?\)"),
    ({"phone": {"default_region": "UK"}}, r"'UK' is not an ISO 3166-1 alpha-2 region.*\(the United Kingdom is 'GB'\)"),
    ({"phone": {"default_region": "XX"}}, r"'XX' is not an ISO 3166-1"),
    ({"phone": {"allowed_regions": []}}, r"allowed_regions is empty"),
    ({"defaults": {"customer_nam": "x"}, "variables": {"customer_name": {}}},
     r"default for undefined variable 'customer_nam' \(did you mean 'customer_name'\?\)"),
    ({"variables": {"a": {"column": "Name"}, "b": {"column": "name"}}}, r"variables 'a' and 'b' both use column 'name'"),
    ({"phone": {"column": "Phone"}, "variables": {"a": {"column": "phone"}}}, r"variable 'a' uses the phone column"),
    ({"variables": {"a": {"type": "money"}}}, r"unknown type 'money'"),
    ({"variables": {"a": {"type": "enum(values=['x'])"}}}, r"write type = \"enum\" and values"),
    ({"variables": {"a": {"type": "enum"}}}, r"type 'enum' needs values"),
    ({"variables": {"a": {"values": ["x"]}}}, r"values only apply to type 'enum'"),
    ({"variables": {"a": {"pattern": "("}}}, r"not a valid regular expression"),
    ({"variables": {"a": {"min_length": 5, "max_length": 2}}}, r"min_length is greater than max_length"),
    ({"variables": {"a": {"min": 1}}}, r"min/max only apply"),
    ({"variables": {"a": {"required": "yes"}}}, r"required must be true or false"),
    ({"variables": {"a": {"type": "decimal", "decimal_separator": ";"}}}, r"decimal_separator must be \".\" or \",\""),
    ({"variables": {"a": {"decimal_separator": ","}}}, r"decimal_separator only applies to types 'integer' and"),
    ({"variables": {"a": {"type": "decimal", "decimal_separator": ","}}, "defaults": {"a": "12.5"}},
     r"default '12.5' for 'a' is invalid: expected a decimal number such as 1234,50 \(decimal comma\)"),
    ({"variables": {"1a": {}}}, r"a variable name is letters"),
    ({"variables": {"a": {"type": "integer"}}, "defaults": {"a": "lots"}},
     r"default 'lots' for 'a' is invalid: expected a whole number"),
    ({"duplicates": {"policy": "drop"}}, r"policy must be one of reject, warn, keep"),
    ({"duplicates": {"key": ["phone", "order"]}}, r"key names 'order'"),
    ({"phone": {"allowed_types": ["cellular"]}}, r"unknown type 'cellular'"),
    ({"phone": {"country_code_column": True}}, r"country_code_column must name a column, or be false for none, "
                                               r"not true"),
    ({"phone": {"country_code_column": ""}}, r"country_code_column must name a column.*not an empty string"),
    ({"phone": {"country_code_column": 91}}, r"country_code_column must name a column.*not an integer"),
])
def test_mistakes_are_explained(data, message):
    with pytest.raises(RulesError, match=message):
        rules_from_dict(data, source="r.toml")


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[phone\n")
    with pytest.raises(RulesError, match="invalid TOML"):
        load_rules(bad)
    with pytest.raises(RulesError, match="is a directory"):
        load_rules(tmp_path)


def test_defaults_are_typed_text():
    rules = rules_from_dict({"variables": {"n": {"type": "integer"}, "flag": {"type": "boolean"}},
                             "defaults": {"n": 3, "flag": True}})
    assert rules.defaults == {"n": "3", "flag": "true"}


def test_region_override():
    rules = rules_from_dict({"phone": {"default_region": "US"}}).with_region("in")
    assert rules.phone.default_region == "IN"
    with pytest.raises(RulesError):
        rules.with_region("ZZ")


def test_campaign_defaults_must_be_agent_variables():
    rules = rules_from_dict({"variables": {"customer_name": {}}})
    assert with_defaults(rules, {"customer_name": "Michael"}, "campaign").defaults == {"customer_name": "Michael"}
    with pytest.raises(csvprep.RulesError, match="campaign: default for undefined variable 'order_id'"):
        with_defaults(rules, {"order_id": "1"}, "campaign")
