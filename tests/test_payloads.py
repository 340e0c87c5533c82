"""clean --provider vapi|retell|elevenlabs|bland writes the contacts as the platform's request payload."""

import json

import pytest
from conftest import RULES

from csvprep.app.run import clean_file
from csvprep.outputs import payloads
from csvprep.outputs.publish import check_outputs

NUMBERS = ["+14155552671", "+14155552672", "+442079460958", "+14155552673", "+14155552674"]


@pytest.fixture
def contacts(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("phone,customer_name,notes\n" + "".join(f"{n},{'Ann' if i % 2 else ''},x\n"
                                                           for i, n in enumerate(NUMBERS)))
    return path


@pytest.mark.parametrize("provider, key, number, variables", [
    ("vapi", "customers", "number", ("assistantOverrides", "variableValues")),
    ("retell", "tasks", "to_number", ("retell_llm_dynamic_variables",)),
    ("elevenlabs", "recipients", "phone_number", ("conversation_initiation_client_data", "dynamic_variables")),
    ("bland", "call_objects", "phone_number", ("request_data",)),
])
def test_each_platform_gets_its_array_with_every_contact_and_its_variables(tmp_path, contacts, provider, key, number,
                                                                           variables):
    _, paths = clean_file(contacts, RULES / "basic.toml", tmp_path / "out", provider=provider)
    body = json.loads(paths["payload.json"].read_text())
    assert list(body) == [key]
    assert [item[number] for item in body[key]] == NUMBERS
    for index, item in enumerate(body[key]):
        for step in variables:
            item = item[step]
        assert item == {"customer_name": "Ann" if index % 2 else "there"}  # the rules' default fills the gaps
    assert check_outputs(tmp_path / "out") == []  # the manifest names it


def test_past_the_documented_limit_the_payload_is_split_in_order(tmp_path, contacts, monkeypatch):
    monkeypatch.setitem(payloads.PAYLOADS, "vapi", payloads.Payload("customers", payloads._vapi, 2))
    _, paths = clean_file(contacts, RULES / "basic.toml", tmp_path / "out", provider="vapi")
    names = [f"payload-{i}-of-3.json" for i in (1, 2, 3)]
    parts = [json.loads(paths[name].read_text())["customers"] for name in names]
    assert [len(part) for part in parts] == [2, 2, 1]
    assert [c["number"] for part in parts for c in part] == NUMBERS
    assert "payload.json" not in paths


def test_file_platforms_get_no_payload(tmp_path, contacts):
    _, paths = clean_file(contacts, RULES / "basic.toml", tmp_path / "out", provider="sigmamind")
    assert not [name for name in paths if name.startswith("payload")]
