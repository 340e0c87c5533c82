"""Campaign bodies: every documented constraint of SigmaMind's and Sarvam's bodies passes and fails where it should;
the documentation's own example bodies are judged right; the campaign's defaults reach the contacts."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from csvprep.cli.main import app
from csvprep.job.campaign import CAMPAIGN_FORMATS, Campaign, check_campaign, detect_provider, load_campaign
from csvprep.model.providers import CAMPAIGN_PROVIDERS, PROVIDERS

CAMPAIGNS = ROOT / "tests" / "campaigns"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
VALID_SIGMAMIND = json.loads((CAMPAIGNS / "sigmamind_create_valid.json").read_text())
VALID_SARVAM = json.loads((CAMPAIGNS / "sarvam_valid.json").read_text())


def problems(body, provider, **options):
    found = check_campaign(Campaign(body, provider, "<t>"), now=NOW, **options)
    return [str(p) for p in found if p.severity == "error"]


def changed(body, path, value):
    body = copy.deepcopy(body)
    *parents, last = path
    target = body
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return body


def test_the_valid_bodies_pass():
    assert problems(VALID_SIGMAMIND, "sigmamind", variables={"customer_name", "language"}) == []
    assert problems(VALID_SARVAM, "sarvam") == []


@pytest.mark.parametrize("path,value,message", [
    (["campaignName"], KeyError, "campaignName: required when creating"),
    (["campaignName"], "", "campaignName: must be 1 to 128 characters long (it has 0)"),
    (["campaignName"], "x" * 129, "must be 1 to 128 characters long (it has 129)"),
    (["campaignName"], 42, "campaignName: must be a string"),
    (["campaignName"], "Q4\tOutreach", "contains control characters"),
    (["sipPhoneNumber"], "4155552671", "sipPhoneNumber: '4155552671' is not in +E.164 form"),
    (["sipPhoneNumber"], "+0155552671", "is not in +E.164 form"),
    (["sipPhoneNumber"], "+1415555267100000", "is not in +E.164 form"),
    (["agentId"], "", "agentId: must be 1 to 64 characters long (it has 0)"),
    (["agentId"], "a" * 65, "must be 1 to 64 characters long (it has 65)"),
    (["isScheduled"], "true", "isScheduled: must be true or false, not text"),
    (["scheduledTime"], KeyError, "scheduledTime: required when isScheduled is true"),
    (["scheduledDate"], "30/11/2099", "scheduledDate: '30/11/2099' is not a date in YYYY-MM-DD form"),
    (["scheduledDate"], "2099-02-30", "is not a date in YYYY-MM-DD form"),
    (["scheduledTime"], "10:00", "scheduledTime: '10:00' is not a time in HH:mm:ss form"),
    (["scheduledTime"], "24:00:00", "is not a time in HH:mm:ss form"),
    (["scheduledTimezone"], "EST5EDT/Nowhere", "scheduledTimezone: 'EST5EDT/Nowhere' is not an IANA time zone"),
    (["scheduledTimezone"], "PST", "is not an IANA time zone"),
    (["scheduledDate"], "2026-11-23", "is in the past"),  # 10:00 New York is 15:00 UTC... on the 23rd: future
    (["scheduledDate"], "2026-11-22", "scheduledDate: the launch 2026-11-22T10:00:00-05:00 (America/New_York) is in the past"),
    (["concurrentCalls"], 0, "concurrentCalls: must be a positive 32-bit integer"),
    (["concurrentCalls"], 2**31, "must be a positive 32-bit integer (1 to 2147483647), not 2147483648"),
    (["concurrentCalls"], 2.5, "concurrentCalls: must be a whole number, not a number"),
    (["concurrentCalls"], True, "must be a whole number, not true/false"),
    (["variables"], "{not json", "variables: a JSON string that does not parse"),
    (["variables"], ["customer_name"], "variables: must be an object of variable names to values, not a list"),
    (["variables"], {"customer_name": {"first": "M"}}, "variables.customer_name: a default must be text or a number"),
    (["variables"], {"cust_name": "M"}, "variables.cust_name: 'cust_name' is not a variable of the agent"),
])
def test_each_sigmamind_constraint_fails_with_one_precise_message(path, value, message):
    found = problems(changed(VALID_SIGMAMIND, path, value), "sigmamind", variables={"customer_name", "language"})
    if path == ["scheduledDate"] and value == "2026-11-23":
        assert found == []  # 10:00 in New York on the 23rd is still ahead of 12:00 UTC
        return
    assert any(message in line for line in found), found
    assert len(found) == 1, found


def test_a_partial_update_requires_nothing():
    assert problems({"concurrentCalls": 3}, "sigmamind", update=True) == []
    assert problems({"dynamicVariables": {"customer_name": "M"}}, "sigmamind", update=True,
                    variables={"customer_name"}) == []


@pytest.mark.parametrize("path,value,message", [
    (["name"], "Loan reminders!", "name: only letters, digits, hyphens, underscores and spaces are allowed (found '!')"),
    (["name"], "x" * 51, "name: must be 1 to 50 characters long (it has 51)"),
    (["description"], "d" * 151, "description: must be at most 150 characters (it has 151)"),
    (["end_timestamp"], "2026-01-01T00:00:00Z", "end_timestamp: 2026-01-01T00:00:00+00:00 is in the past"),
    (["end_timestamp"], "2099-12-31T18:00:00", "is not an ISO 8601 date-time with a time zone"),
    (["allowed_schedule", "allowed_start_time"], "9am", "allowed_schedule.allowed_start_time: '9am' is not a time"),
    (["allowed_schedule", "allowed_end_time"], "08:00", "allowed_start_time must be before allowed_end_time"),
    (["allowed_schedule", "allowed_days"], ["Mon"], "'Mon' is not a day name (did you mean 'Monday'?)"),
    (["allowed_schedule", "allowed_days"], [], "must be a non-empty list of days"),
    (["allowed_schedule", "timezone"], "India/Delhi", "allowed_schedule.timezone: 'India/Delhi' is not an IANA"),
    (["app_config", "attempts_per_second"], 0, "app_config.attempts_per_second: must be a number above 0"),
    (["app_config", "app_type"], "bot", "app_config.app_type: must be agent or workflow"),
    (["app_config", "app_version"], 0, "app_config.app_version: must be a whole number from 1"),
    (["app_config", "retry_config", "max_retries"], 11, "app_config.retry_config.max_retries: must be a whole number of retries from 0 to 10"),
    (["app_config", "retry_config", "retry_interval_minutes"], [0], "retry_interval_minutes: must be a whole number of minutes from 1 to 1440"),
    (["app_config", "retry_config", "retry_on", "short_duration", "threshold_seconds"], 0, "short_duration.threshold_seconds"),
    (["app_config", "retry_config", "retry_on", "provider_error", "max_retries"], -1, "provider_error.max_retries"),
    (["app_config", "retry_config", "retry_on", "busy", "enabled"], "yes", "retry_on.busy.enabled: must be true or false"),
    (["app_config", "connection_configs", 0, "phone_numbers"], ["08045678901"], "phone_numbers: '08045678901' is not in +E.164 form"),
    (["app_config", "webhook_config", "url"], "example.com/hook", "webhook_config.url: 'example.com/hook' is not an http(s) URL"),
])
def test_each_sarvam_constraint_fails_with_one_precise_message(path, value, message):
    found = problems(changed(VALID_SARVAM, path, value), "sarvam")
    assert any(message in line for line in found), found
    assert len(found) == 1, found


def test_the_documentation_examples_are_judged_as_the_platforms_would():
    sigmamind = load_campaign(CAMPAIGNS / "sigmamind_docs_example_past_schedule.json")
    assert sigmamind.provider == "sigmamind"
    assert problems(sigmamind.body, "sigmamind", update=True) == [
        "scheduledDate: the launch 2025-09-25T12:00:00-07:00 (America/Los_Angeles) is in the past"]
    earlier = check_campaign(sigmamind, update=True, now=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert [p for p in earlier if p.severity == "error"] == []
    assert sigmamind.defaults == {"customer_name": "Michael"}
    sarvam = load_campaign(CAMPAIGNS / "sarvam_docs_example_placeholders.json")
    assert sarvam.provider == "sarvam"
    found = problems(sarvam.body, "sarvam")
    assert "name: only letters, digits, hyphens, underscores and spaces are allowed (found '<' '>')" in found
    assert "end_timestamp: 2023-11-07T05:31:56+00:00 is in the past" in found
    assert any(line.startswith("app_config.connection_configs[0].phone_numbers: '<string>'") for line in found)


runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_campaign_check_command_exit_codes(tmp_path):
    ok = run("campaign", "check", CAMPAIGNS / "sigmamind_create_valid.json", CAMPAIGNS / "sarvam_valid.json")
    assert ok.exit_code == 0, ok.output
    bad = run("campaign", "check", CAMPAIGNS / "sigmamind_docs_example_past_schedule.json", "--update")
    assert bad.exit_code == 1
    assert "scheduledDate: the launch 2025-09-25T12:00:00-07:00 (America/Los_Angeles) is in the past" in bad.stdout
    (tmp_path / "broken.json").write_text("{nope")
    broken = run("campaign", "check", tmp_path / "broken.json")
    assert broken.exit_code == 2 and "not valid JSON (line 1, column 2" in broken.stderr
    (tmp_path / "odd.json").write_text('{"foo": 1}')
    odd = run("campaign", "check", tmp_path / "odd.json")
    assert odd.exit_code == 2 and "pass --provider sigmamind|sarvam" in odd.stderr


def test_campaign_defaults_fill_empty_cells_and_the_csv_wins(tmp_path):
    rules = tmp_path / "agent.toml"
    rules.write_text('[phone]\ndefault_region = "US"\n[variables.customer_name]\nrequired = true\n'
                     '[variables.language]\ntype = "enum"\nvalues = ["English", "Hindi"]\n'
                     '[defaults]\ncustomer_name = "there"\nlanguage = "English"\n')
    source = tmp_path / "list.csv"
    source.write_text("phone,customer_name,language\n+14155550100,Ann,\n+14155550101,,English\n")
    result = run("clean", source, "-r", rules, "-o", tmp_path / "out", "--campaign",
                 CAMPAIGNS / "sigmamind_create_valid.json")
    assert result.exit_code == 0, result.output
    cleaned = (tmp_path / "out" / "cleaned.csv").read_text().splitlines()
    # CSV value first, then the campaign's default (Michael, Hindi), then the rules' (there, English)
    assert cleaned == ["phone,customer_name,language", "+14155550100,Ann,Hindi", "+14155550101,Michael,English"]


def test_a_campaign_default_the_agent_does_not_know_is_reported(tmp_path):
    body = tmp_path / "campaign.json"
    body.write_text(json.dumps({**VALID_SIGMAMIND, "variables": {"customer_name": "M", "plan": "gold"}}))
    source = tmp_path / "list.csv"
    source.write_text("phone,customer_name\n+14155550100,Ann\n")
    result = run("check", source, "-r", ROOT / "tests" / "rules" / "basic.toml", "--campaign", body)
    assert result.exit_code == 1
    assert f"{body}: variables.plan: 'plan' is not a variable of the agent (its variables: customer_name)" in \
        result.stderr


def test_campaign_check_notes_what_it_cannot_check():
    result = run("campaign", "check", CAMPAIGNS / "sigmamind_create_valid.json")
    assert result.exit_code == 0
    assert "campaignName: note: 'November payment reminders' must be unique in the account" in result.stdout


def test_the_provider_table_and_the_campaign_formats_agree():
    # a platform with a campaign body is one provider entry (campaign_body=True) and one format: never one alone
    assert tuple(CAMPAIGN_FORMATS) == CAMPAIGN_PROVIDERS
    for name, fmt in CAMPAIGN_FORMATS.items():
        assert fmt.provider == name and PROVIDERS[name].campaign_body
        assert detect_provider({key: None for key in fmt.keys}, "<t>") == name
