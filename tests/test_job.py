"""build_job: what a command asks for, assembled once, as the CLI does it and as a library user gets it."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, ROOT, RULES

from csvprep.app.run import run
from csvprep.errors import ConfigError, RulesError
from csvprep.job.job import Job, build_job, parse_add_columns
from csvprep.job.rules_file import load_rules
from csvprep.model.providers import get_provider

PROMPTS = ROOT / "tests" / "prompts"
CAMPAIGNS = ROOT / "tests" / "campaigns"


def test_the_pieces_are_resolved_and_the_findings_kept():
    job = build_job(RULES / "basic.toml", region="GB", prompt=PROMPTS / "optional_nickname.txt",
                    campaign=CAMPAIGNS / "sigmamind_create_valid.json", calling_hours="09:00-20:00",
                    launch_at="2026-11-24T15:00:00Z", suppress=[FIXTURES / "dnc_crm_export.csv"],
                    add_columns="timezone, country", provider="sigmamind")
    assert isinstance(job, Job)
    assert job.rules.phone.default_region == "GB"
    assert {v.name for v in job.rules.variables} == {"customer_name", "nickname"}
    assert job.prompt is not None and job.prompt.required == {"customer_name", "nickname"}
    assert job.campaign is not None and job.campaign.provider == "sigmamind"
    # the body sets language, which this agent does not have: an error, kept for data-first users
    assert [p.field for p in job.campaign_problems] == ["variables.language"] and job.campaign_failed
    assert job.calling is not None and str(job.calling.window) == "09:00-20:00"
    assert job.add_columns == ("timezone", "country")
    assert len(job.suppress) == 1 and job.provider == get_provider("sigmamind")
    assert job.notes == ()


def test_callbacks_hear_each_finding_before_a_later_step_fails(tmp_path):
    body = tmp_path / "campaign.json"
    body.write_text(json.dumps({"campaignName": "", "sipPhoneNumber": "+14155550100", "agentId": "a"}))
    heard = []
    rules = load_rules(RULES / "typed.toml")  # variables the prompt never uses: notes
    with pytest.raises(RulesError, match="--region"):
        build_job(rules, prompt=PROMPTS / "optional_nickname.txt", campaign=body, region="ZZ",
                  on_note=lambda note: heard.append(("note", note)),
                  on_campaign_problem=lambda problem: heard.append(("campaign", problem.field)))
    assert len(heard) > 1 and [kind for kind, _ in heard] == ["note"] * (len(heard) - 1) + ["campaign"]
    assert heard[-1] == ("campaign", "campaignName")


def test_a_preview_needs_a_prompt_and_add_columns_are_checked():
    with pytest.raises(ConfigError, match="no prompt"):
        build_job(RULES / "basic.toml", require_prompt=True)
    with pytest.raises(ConfigError, match="unknown column"):
        parse_add_columns(["timezone", "colour"])
    assert parse_add_columns("") == () and parse_add_columns(("line_type",)) == ("line_type",)


def test_the_job_runs_as_the_cli_runs_it(tmp_path):
    job = build_job(RULES / "basic.toml", suppress=[FIXTURES / "dnc_crm_export.csv"])
    checked, written = run(job, FIXTURES / "contacts_some_on_dnc_lists.csv")
    assert written == {}
    cleaned, paths = run(job, FIXTURES / "contacts_some_on_dnc_lists.csv", out_dir=tmp_path)
    assert cleaned.counts()["rows_rejected"] == checked.counts()["rows_rejected"] > 0
    assert paths["cleaned.csv"].exists()
