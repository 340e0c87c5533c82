"""SigmaMind end to end against a fake server: create (multipart, the --start-now guard), get, list, update,
--dry-run, retries, a create that answers too late, key redaction, reconcile in both row numberings."""

import json

import pytest
from conftest import RULES
from fake_platforms import KEY, FakeSigmaMind
from typer.testing import CliRunner

from csvprep.cli.main import app
from csvprep.errors import PlatformError
from csvprep.platforms.clients import connect
from csvprep.platforms.http import Policy, Upload, retry_after

runner = CliRunner()
BODY = {"campaignName": "Reminders", "sipPhoneNumber": "+14155552671", "agentId": "agent_1",
        "isScheduled": True, "scheduledDate": "2099-11-30", "scheduledTime": "10:00:00",
        "scheduledTimezone": "America/New_York", "concurrentCalls": 5, "variables": {"customer_name": "Michael"}}
# row 2 rejected by csvprep (not a number), rows 3 and 6 passed but refused by the platform
CONTACTS = ("phone,customer_name\n"
            "+1 415 555 2671,Ann\n"
            "not a number,Bob\n"
            "(415) 555-2672,Cy\n"
            "+1 415 555 2673,Di\n"
            "+1 415 555 2674,\n"
            "+1 415 555 2675,Fay\n")


REJECTED_A_ROW = 1  # create exits as clean does: csvprep itself rejected row 3 of CONTACTS


def invoke(fake, *args, key=KEY):
    env = {"SIGMAMIND_API_URL": fake.url, "SIGMAMIND_API_KEY": key}
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def files(tmp_path):
    body = tmp_path / "body.json"
    body.write_text(json.dumps(BODY))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS)
    return body, contacts, tmp_path / "out"


def client(fake, **policy):
    return connect("sigmamind", env={"SIGMAMIND_API_URL": fake.url, "SIGMAMIND_API_KEY": KEY},
                   policy=Policy(**{"timeout": 2.0, "backoff": 0.0, "sleep": lambda s: None, **policy}))


def everything_written(fake, result, out):
    """Every byte csvprep said or wrote, and every exception's text."""
    texts = [result.output, str(result.exception or "")]
    texts += [p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()] if out.exists() else []
    return "\n".join(texts)


def test_create_sends_the_cleaned_list_and_the_body_as_form_fields(files):
    body, contacts, out = files
    with FakeSigmaMind() as fake:
        result = invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                        "--out", out)
        assert result.exit_code == REJECTED_A_ROW, result.output
        upload = fake.uploads[0]
    assert upload["fields"]["campaignName"] == "Reminders"
    assert upload["fields"]["isScheduled"] == "true"
    assert json.loads(upload["fields"]["variables"]) == {"customer_name": "Michael"}
    assert upload["file"] == ("cleaned.csv", (out / "cleaned.csv").read_bytes())
    assert b"not a number" not in upload["file"][1]
    assert "camp_0001" in result.output
    assert json.loads((out / "campaign-launch.json").read_text())["campaign_id"] == "camp_0001"
    assert KEY not in everything_written(fake, result, out)


def test_an_unscheduled_campaign_needs_start_now(files, tmp_path):
    body, contacts, out = files
    body.write_text(json.dumps({**BODY, "isScheduled": False}))
    with FakeSigmaMind() as fake:
        refused = invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                         "--out", out)
        assert refused.exit_code == 2
        assert "--start-now" in refused.output and fake.uploads == [] and not out.exists()
        started = invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                         "--out", out, "--start-now")
        assert started.exit_code == REJECTED_A_ROW, started.output
        assert fake.uploads[0]["fields"]["isScheduled"] == "false"


def test_a_schedule_in_the_past_is_refused_before_anything_is_sent(files):
    body, contacts, out = files
    body.write_text(json.dumps({**BODY, "scheduledDate": "2001-01-01"}))
    with FakeSigmaMind() as fake:
        result = invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                        "--out", out)
        assert result.exit_code == 2 and fake.requests == []


def test_dry_run_prints_the_request_with_the_key_redacted_and_sends_nothing(files):
    body, contacts, out = files
    with FakeSigmaMind() as fake:
        result = invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                        "--out", out, "--dry-run")
        assert result.exit_code == REJECTED_A_ROW, result.output
        assert fake.requests == []
    assert f"POST {fake.url}/v1/campaigns" in result.output
    assert "X-API-Key: ***" in result.output and "campaignName=Reminders" in result.output
    assert "file=@cleaned.csv" in result.output
    assert KEY not in result.output


def test_without_a_key_nothing_is_sent(files):
    body, contacts, out = files
    with FakeSigmaMind() as fake:
        result = invoke(fake, "campaign", "get", "camp_1", "--provider", "sigmamind", key="")
        assert result.exit_code == 2 and "SIGMAMIND_API_KEY" in result.output and fake.requests == []


def test_a_wrong_key_is_one_line_with_the_status_and_never_echoed():
    with FakeSigmaMind() as fake:
        result = invoke(fake, "campaign", "get", "camp_1", "--provider", "sigmamind", key="sk-wrong-KEY")
    assert result.exit_code == 2
    assert "HTTP 401" in result.output and "Unauthorized" in result.output
    assert "sk-wrong-KEY" not in result.output and len(result.output.strip().splitlines()) == 1


def test_get_list_and_update(files):
    body, contacts, out = files
    with FakeSigmaMind() as fake:
        for n in range(25):
            fake.campaigns[f"c{n}"] = {"campaignId": f"c{n}", "campaignName": f"n{n}",
                                       "campaignStatus": "paused" if n % 2 else "live", "errors": []}
        got = invoke(fake, "campaign", "get", "c3", "--provider", "sigmamind", "--format", "json")
        assert got.exit_code == 0 and json.loads(got.output) == fake.campaigns["c3"]
        first = invoke(fake, "campaign", "list", "--provider", "sigmamind", "--format", "json")
        assert json.loads(first.output)["page"] == 0
        every = client(fake).campaigns()
        assert [c["campaignId"] for c in every] == [f"c{n}" for n in range(25)]
        paused = invoke(fake, "campaign", "list", "--provider", "sigmamind", "--status", "paused", "--all")
        assert paused.exit_code == 0 and "c23" in paused.output and "c22" not in paused.output
        sizes = {int(r["query"]["size"][0]) for r in fake.requests if r["path"] == "/v1/campaigns"}
        assert sizes == {100}
        change = out.parent / "change.json"
        change.write_text(json.dumps({"concurrentCalls": 9, "variables": {"customer_name": "Ann"}}))
        updated = invoke(fake, "campaign", "update", "c3", change, "--provider", "sigmamind", "--format", "json")
        assert updated.exit_code == 0, updated.output
        patch = fake.requests[-1]
        assert patch["method"] == "PATCH" and json.loads(patch["body"]) == {
            "concurrentCalls": 9, "dynamicVariables": {"customer_name": "Ann"}}
        assert fake.campaigns["c3"]["concurrentCalls"] == 9


def test_pagination_follows_has_next_with_small_pages():
    with FakeSigmaMind() as fake:
        for n in range(7):
            fake.campaigns[f"c{n}"] = {"campaignId": f"c{n}", "campaignName": f"n{n}", "campaignStatus": "live"}
        pages = list(client(fake).pages(size=3))
    assert [p["page"] for p in pages] == [0, 1, 2] and sum(len(p["data"]) for p in pages) == 7


def test_get_retries_a_503_then_answers_honouring_retry_after():
    waits = []
    with FakeSigmaMind() as fake:
        fake.campaigns["c1"] = {"campaignId": "c1", "campaignName": "x", "campaignStatus": "live"}
        fake.script = [(503, {"Retry-After": "2"}), (429, {})]
        record = client(fake, backoff=0.01, sleep=waits.append).get("c1")
    assert record["campaignId"] == "c1" and waits == [2.0, 0.02]


def test_retries_are_bounded():
    with FakeSigmaMind() as fake:
        fake.script = [(503, {})] * 5
        with pytest.raises(PlatformError, match="HTTP 503"):
            client(fake, retries=2).get("c1")
        assert len(fake.requests) == 3


def test_a_retry_after_longer_than_the_bound_gives_up():
    with FakeSigmaMind() as fake:
        fake.script = [(429, {"Retry-After": "3600"})]
        with pytest.raises(PlatformError, match="HTTP 429"):
            client(fake, max_wait=5).get("c1")


def test_retry_after_as_an_http_date():
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("junk") is None and retry_after(None) is None and retry_after("1.5") == 1.5


@pytest.mark.parametrize("fault", ["late", "503"])
def test_a_create_without_an_answer_is_looked_for_not_sent_again(fault):
    with FakeSigmaMind(create_fault=fault, delay=0.6) as fake:
        record = client(fake, timeout=0.3).create(BODY, Upload("cleaned.csv", b"Phone Number\n+14155552671\n"))
        assert record["campaignId"] == "camp_0001" and record["_recovered"]
        assert [r["method"] for r in fake.requests].count("POST") == 1


def test_a_create_that_did_not_happen_says_so():
    with FakeSigmaMind(create_fault="503") as fake:
        fake.create = lambda headers, body: (503, {"message": "down"})
        with pytest.raises(PlatformError, match="was not created"):
            client(fake).create(BODY, Upload("cleaned.csv", b"Phone Number\n+14155552671\n"))
        assert [r["method"] for r in fake.requests].count("POST") == 1


def test_an_error_message_never_carries_the_key():
    with FakeSigmaMind() as fake:
        fake.handle = lambda *a: (422, {"detail": [{"loc": ["body", "agentId"], "msg": f"bad key {KEY}"}]})
        with pytest.raises(PlatformError) as caught:
            client(fake).get("c1")
    assert "body.agentId: bad key ***" in str(caught.value) and KEY not in str(caught.value)


@pytest.mark.parametrize("row_base", ["header", "data"])
def test_reconcile_maps_refusals_to_input_rows_in_either_numbering(files, row_base):
    body, contacts, out = files
    with FakeSigmaMind(row_base=row_base, refuse_numbers={"+14155552672"}, required=["customer_name"]) as fake:
        created = invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                         "--out", out)
        assert created.exit_code == REJECTED_A_ROW, created.output
        result = invoke(fake, "campaign", "reconcile", "camp_0001", "--out", out)
    assert result.exit_code == 1, result.output
    report = json.loads((out / "reconcile.json").read_text())
    assert report["row_numbering"] == row_base
    # the refused (415) 555-2672 is input row 4; Ann's row 2 and Di's row 5 passed
    refused = {r["input_row"]: r for r in report["refused"]}
    assert refused[4]["value"] == "+14155552672" and "invalid phone number" in refused[4]["reason"]
    # shown as the input spells it
    assert "Row 4 (contacts.csv) '(415) 555-2672': invalid phone number" in result.output
    assert refused[4]["input_value"] == "(415) 555-2672"
    assert "refused" in result.output and KEY not in everything_written(fake, result, out)


def test_reconcile_of_a_campaign_that_took_every_row_exits_0(files):
    body, contacts, out = files
    with FakeSigmaMind() as fake:
        assert invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                      "--out", out).exit_code == REJECTED_A_ROW
        result = invoke(fake, "campaign", "reconcile", "camp_0001", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "reconcile.json").read_text())["refused"] == []


def test_reconcile_says_so_when_no_numbering_fits(files, tmp_path):
    body, contacts, out = files
    with FakeSigmaMind() as fake:
        assert invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml",
                      "--out", out).exit_code == REJECTED_A_ROW
        fake.campaigns["camp_0001"]["errors"] = ["Row 2: invalid phone number '+999'", "the file had a BOM"]
        result = invoke(fake, "campaign", "reconcile", "camp_0001", "--out", out)
    assert result.exit_code == 1
    report = json.loads((out / "reconcile.json").read_text())
    assert report["row_numbering"] is None and "neither" in report["note"]
    assert report["refused"][0]["candidates"] and report["refused"][1]["text"] == "the file had a BOM"


@pytest.mark.parametrize("bad", ["sk-ké-secret", "sk-line\nbreak-secret", "sk two-secret"])
def test_a_key_a_header_cannot_carry_is_refused_without_quoting_it(bad):
    with FakeSigmaMind() as fake:
        result = invoke(fake, "campaign", "get", "c1", "--provider", "sigmamind", key=bad)
        assert result.exit_code == 2 and "SIGMAMIND_API_KEY" in result.output and fake.requests == []
    assert "secret" not in result.output


def test_a_server_that_cannot_be_reached_is_tried_a_bounded_number_of_times():
    waits = []
    with FakeSigmaMind() as fake:
        url = fake.url
    # the server is gone: every attempt is refused
    gone = connect("sigmamind", env={"SIGMAMIND_API_URL": url, "SIGMAMIND_API_KEY": KEY},
                   policy=Policy(timeout=1.0, retries=3, backoff=0.01, sleep=waits.append))
    with pytest.raises(PlatformError, match="cannot connect") as caught:
        gone.get("c1")
    assert waits == [0.01, 0.02, 0.04] and KEY not in str(caught.value)


def test_reconcile_of_an_input_changed_since_shows_the_uploaded_values(files):
    body, contacts, out = files
    with FakeSigmaMind(refuse_numbers={"+14155552672"}) as fake:
        invoke(fake, "campaign", "create", body, "--list", contacts, "--rules", RULES / "basic.toml", "--out", out)
        contacts.write_text(CONTACTS + "+1 415 555 2676,Gus\n")
        result = invoke(fake, "campaign", "reconcile", "camp_0001", "--out", out)
    assert result.exit_code == 1
    assert "Row 4 (contacts.csv) '+14155552672'" in result.output and "changed" in result.output
