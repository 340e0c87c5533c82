"""Sarvam end to end against a fake server: create then the cohort (user_identifier added), polling, update only
while paused or scheduled, status actions, another cohort and a stop file, reconcile by user_identifier."""

import json

import pytest
from conftest import RULES
from fake_platforms import KEY, FakeSarvam
from typer.testing import CliRunner

from csvprep.cli.main import app
from csvprep.errors import PlatformError
from csvprep.platforms.clients import connect
from csvprep.platforms.http import Policy

runner = CliRunner()
BODY = {"name": "Loan reminders", "app_config": {"app_id": "app_123", "app_version": 2},
        "allowed_schedule": {"allowed_start_time": "09:00", "allowed_end_time": "20:00", "timezone": "Asia/Kolkata"}}
# csvprep rejects row 3; the platform refuses row 4's number (+919812345678, which the fake is told to)
CONTACTS = ("phone,customer_name\n"
            "+91 98765 43210,Asha\n"
            "12,Bad\n"
            "+91 98123 45678,Ravi\n"
            "+91 99000 11223,Meera\n")
REFUSED = "+919812345678"


REJECTED_A_ROW = 1  # create and upload exit as clean does: csvprep itself rejected row 3 of CONTACTS


def invoke(fake, *args, key=KEY):
    env = {"SARVAM_API_URL": fake.url, "SARVAM_API_KEY": key, "SARVAM_ORG_ID": fake.ORG,
           "SARVAM_WORKSPACE_ID": fake.WORKSPACE}
    return runner.invoke(app, [str(a) for a in args], env=env)


def client(fake):
    return connect("sarvam", env={"SARVAM_API_URL": fake.url, "SARVAM_API_KEY": KEY, "SARVAM_ORG_ID": fake.ORG,
                                  "SARVAM_WORKSPACE_ID": fake.WORKSPACE},
                   policy=Policy(timeout=2.0, backoff=0.0, sleep=lambda s: None))


@pytest.fixture
def files(tmp_path):
    body = tmp_path / "body.json"
    body.write_text(json.dumps(BODY))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS)
    return body, contacts, tmp_path / "out"


def create(fake, files, *extra):
    body, contacts, out = files
    return invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml", "--out", out,
                  "--provider", "sarvam", *extra)


def test_create_uploads_the_cohort_with_a_user_identifier_and_polls_it(files):
    with FakeSarvam(polls=2, refuse_numbers={REFUSED}) as fake:
        result = create(fake, files)
        assert result.exit_code == REJECTED_A_ROW, result.output
        cohort = fake.cohorts["coh_001"]
    assert fake.campaigns["sc_001"]["status"] == "scheduled"
    mapping = json.loads(cohort["files"]["cohort_transformation_file"][1])
    assert mapping["user_identifier"] == {"column_name": "user_identifier", "required": True}
    uploaded = cohort["files"]["cohort_file"][1].decode().splitlines()
    assert uploaded[0].endswith(",user_identifier") and uploaded[1].endswith(",2") and uploaded[2].endswith(",4")
    assert "processing" in result.output and "3 records, 2 valid, 1 rejected" in result.output
    polls = [r for r in fake.requests if r["path"].endswith("/cohorts/coh_001")]
    assert len(polls) == 3
    assert KEY not in result.output


def test_reconcile_joins_the_rejected_records_by_user_identifier(files):
    _, _, out = files
    for as_url in (False, True):
        with FakeSarvam(polls=0, refuse_numbers={REFUSED}, as_url=as_url) as fake:
            assert create(fake, files).exit_code == REJECTED_A_ROW
            result = invoke(fake, "campaign", "reconcile", "sc_001", "--out", out)
            downloads = [r for r in fake.requests if r["path"].startswith("/download/")]
        assert result.exit_code == 1, result.output
        report = json.loads((out / "reconcile.json").read_text())
        assert [(r["input_row"], r["reason"]) for r in report["refused"]] == [(4, "invalid_phone_number")]
        assert "Row 4 (contacts.csv) '+91 98123 45678': invalid_phone_number" in result.output
        # a download link is storage, not Sarvam's API: the key is not sent there
        assert [("X-API-Key" in r["headers"]) for r in downloads] == ([False] if as_url else [])


def test_a_cohort_still_processing_is_waited_for_within_bounds():
    with FakeSarvam(polls=100) as fake:
        sarvam = client(fake)
        fake.campaigns["sc_1"] = {"campaign_id": "sc_1", "name": "x", "status": "scheduled"}
        fake.cohorts["c1"] = {"cohort_id": "c1", "campaign_id": "sc_1", "status": "processing", "polled": 0,
                              "rejected_csv": b""}
        ticks = iter(range(1000))
        with pytest.raises(PlatformError, match="still processing after 5 s"):
            sarvam.wait("sc_1", "c1", timeout=5, interval=1, sleep=lambda s: None, clock=lambda: next(ticks))


def test_update_only_while_paused_or_scheduled(files, tmp_path):
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"name": "Renamed", "description": "new"}))
    with FakeSarvam() as fake:
        fake.campaigns["sc_1"] = {"campaign_id": "sc_1", "name": "x", "status": "active"}
        refused = invoke(fake, "campaign", "update", "sc_1", change, "--provider", "sarvam")
        assert refused.exit_code == 2 and "only while it is paused or scheduled" in refused.output
        assert not [r for r in fake.requests if r["method"] == "PATCH"]
        assert invoke(fake, "campaign", "status", "sc_1", "pause").exit_code == 0
        assert fake.campaigns["sc_1"]["status"] == "paused"
        done = invoke(fake, "campaign", "update", "sc_1", change, "--provider", "sarvam", "--format", "json")
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["name"] == "Renamed"
        # the server's own 422, should the status change between the GET and the PATCH: one line, exit 2
        fake.campaigns["sc_1"]["status"] = "ended"
        fake.handle = lambda *a: (422, {"error": {"message": "Campaign can only be updated in paused or scheduled "
                                                             "status", "data": {"details": "ended"}}})
        ended = invoke(fake, "campaign", "status", "sc_1", "resume")
        assert ended.exit_code == 2 and "HTTP 422: Campaign can only be updated" in ended.output


def test_status_actions_follow_the_lifecycle():
    with FakeSarvam() as fake:
        fake.campaigns["sc_1"] = {"campaign_id": "sc_1", "name": "x", "status": "scheduled"}
        assert invoke(fake, "campaign", "status", "sc_1", "resume").exit_code == 0
        assert invoke(fake, "campaign", "status", "sc_1", "cancel").exit_code == 0
        again = invoke(fake, "campaign", "status", "sc_1", "pause")
        assert again.exit_code == 2 and "cannot pause a cancelled campaign" in again.output
        assert invoke(fake, "campaign", "status", "sc_1", "restart").exit_code == 2


def test_list_follows_offset_and_limit():
    with FakeSarvam() as fake:
        for n in range(230):
            fake.campaigns[f"sc_{n}"] = {"campaign_id": f"sc_{n}", "name": f"n{n}", "status": "scheduled"}
        assert len(client(fake).campaigns()) == 230
        offsets = [r["query"]["offset"][0] for r in fake.requests]
        assert offsets == ["0", "100", "200"]
        first = invoke(fake, "campaign", "list", "--provider", "sarvam", "--format", "json")
        assert len(json.loads(first.output)["items"]) == 100


def test_upload_another_cohort_and_a_stop_file(files, tmp_path):
    _, contacts, out = files
    stop = tmp_path / "stop.csv"
    stop.write_text("phone_number\n+919876543210\n")
    with FakeSarvam(polls=0) as fake:
        fake.campaigns["sc_1"] = {"campaign_id": "sc_1", "name": "x", "status": "active"}
        refused = invoke(fake, "campaign", "upload", "sc_1", "--list", contacts, "--rules", RULES / "basic.toml",
                         "--out", out)
        assert refused.exit_code == 2 and "active" in refused.output and not fake.cohorts
        fake.campaigns["sc_1"]["status"] = "paused"
        done = invoke(fake, "campaign", "upload", "sc_1", "--list", contacts, "--rules", RULES / "basic.toml",
                      "--out", out)
        assert done.exit_code == REJECTED_A_ROW, done.output
        excluded = invoke(fake, "campaign", "upload", "sc_1", "--exclude", stop)
        assert excluded.exit_code == 0, excluded.output
        assert fake.cohorts["coh_002"]["category"] == "stop_file"


def test_dry_run_sends_nothing_and_needs_no_key(files):
    with FakeSarvam() as fake:
        result = create(fake, files, "--dry-run")
        assert result.exit_code == REJECTED_A_ROW, result.output
        assert fake.requests == []
    assert "POST " in result.output and "/cohorts/upload" in result.output and "cohort_file=@cleaned.csv" in \
        result.output


def test_sarvam_needs_the_org_and_workspace(files):
    with FakeSarvam() as fake:
        result = runner.invoke(app, ["campaign", "get", "sc_1", "--provider", "sarvam"],
                               env={"SARVAM_API_URL": fake.url, "SARVAM_API_KEY": KEY, "SARVAM_ORG_ID": "",
                                    "SARVAM_WORKSPACE_ID": ""})
        assert result.exit_code == 2 and "SARVAM_ORG_ID" in result.output and fake.requests == []


def test_the_org_and_workspace_may_come_from_pyproject(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.csvprep]\nsarvam_org = "org_1"\nsarvam_workspace = "ws_1"\n')
    monkeypatch.chdir(tmp_path)
    with FakeSarvam() as fake:
        fake.campaigns["sc_1"] = {"campaign_id": "sc_1", "name": "x", "status": "paused"}
        result = runner.invoke(app, ["campaign", "get", "sc_1", "--provider", "sarvam", "--format", "json"],
                               env={"SARVAM_API_URL": fake.url, "SARVAM_API_KEY": KEY, "SARVAM_ORG_ID": "",
                                    "SARVAM_WORKSPACE_ID": ""})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "paused"


def test_list_refuses_a_status_the_platform_does_not_have():
    with FakeSarvam() as fake:
        result = invoke(fake, "campaign", "list", "--provider", "sarvam", "--status", "live")
        assert result.exit_code == 2 and "not a sarvam status" in result.output and fake.requests == []
