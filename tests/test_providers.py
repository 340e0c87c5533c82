"""Provider profiles: each platform's output against a golden file; limits split the list into parts that fit."""

from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import FIXTURES, ROOT, RULES
from typer.testing import CliRunner

from csvprep.cli.main import app
from csvprep.model.providers import PROVIDERS, Provider
from csvprep.outputs.upload import split_for_upload

GOLDEN = ROOT / "tests" / "golden" / "providers"
SOURCE = FIXTURES / "contacts_for_providers.csv"
runner = CliRunner()


def clean(tmp_path, *extra):
    return runner.invoke(app, ["clean", str(SOURCE), "-r", str(RULES / "providers.toml"), "-o", str(tmp_path / "out"),
                               *map(str, extra)])


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_provider_writes_its_golden_files(tmp_path, provider):
    result = clean(tmp_path, "--provider", provider)
    assert result.exit_code == 1, result.output  # two of the four contacts are rejected
    for golden in sorted((GOLDEN / provider).iterdir()):
        assert (tmp_path / "out" / golden.name).read_text() == golden.read_text(), golden.name


def test_sarvam_transformation_file_maps_phone_variables_overrides_and_identifier(tmp_path):
    clean(tmp_path, "--provider", "sarvam")
    mapping = json.loads((tmp_path / "out" / "cohort_transformation.json").read_text())
    assert mapping["phone_number"] == {"column_name": "phone_number"}
    assert mapping["user_identifier"] == {"column_name": "Customer ID", "required": True}
    assert set(mapping["app_variables"]) == {"customer_name", "due_amount"}
    assert set(mapping["app_overrides"]) == {"initial_language_name"}
    rejected = pl.read_csv(tmp_path / "out" / "rejected.csv", infer_schema=False)
    assert "rejected_reason" in rejected.columns and "errors" not in rejected.columns


def test_retell_reserved_column_is_flagged(tmp_path):
    result = clean(tmp_path, "--provider", "retell")
    assert "column 'metadata' has a name retell reserves for itself" in result.stderr


def test_an_unknown_provider_cannot_run(tmp_path):
    result = clean(tmp_path, "--provider", "acme")
    assert result.exit_code == 2 and "unknown provider 'acme' (one of generic, sigmamind" in result.stderr


def test_a_list_over_the_limits_is_split_into_parts_that_fit_and_lose_nothing(tmp_path):
    cleaned = tmp_path / "cleaned.csv"
    rows = [f'+1415555{n:04d},"Name {n}, Jr",{n}.50' for n in range(23)] + ['+14155559999,"two\nlines",1']
    cleaned.write_text("phone,name,amount\n" + "\n".join(rows) + "\n")
    parts = split_for_upload(cleaned, Provider("test", None, max_rows=5, max_bytes=130))
    assert len(parts) > 5 and parts[0].name == f"cleaned-1-of-{len(parts)}.csv"
    frames = [pl.read_csv(part, infer_schema=False) for part in parts]
    assert all(frame.height <= 5 for frame in frames)
    assert all(part.stat().st_size <= 130 for part in parts)
    assert pl.concat(frames).equals(pl.read_csv(cleaned, infer_schema=False))


def test_vapi_gets_parts_of_ten_thousand(tmp_path):
    source = tmp_path / "big.csv"
    source.write_text("phone,customer_name,due_amount\n"
                      + "".join(f"+1415{2_000_000 + n:07d},N{n},1\n" for n in range(10_005)))
    result = runner.invoke(app, ["clean", str(source), "-r", str(RULES / "providers.toml"), "-o",
                                 str(tmp_path / "out"), "--provider", "vapi"])
    assert result.exit_code == 0, result.output
    parts = sorted((tmp_path / "out").glob("cleaned-*-of-2.csv"))
    assert [pl.read_csv(p, infer_schema=False).height for p in parts] == [10_000, 5]
    assert "over vapi's limit per file (10,000 rows / 5 MB): upload the 2 parts" in result.stderr


def test_genesys_cells_past_512_characters_are_reported_not_truncated(tmp_path):
    source = tmp_path / "long.csv"
    source.write_text(f"phone,customer_name,due_amount,notes\n+14155550100,Ann,1,{'x' * 600}\n")
    result = runner.invoke(app, ["clean", str(source), "-r", str(RULES / "providers.toml"), "-o",
                                 str(tmp_path / "out"), "--provider", "genesys"])
    assert "column 'notes' has a cell of 600 characters; genesys takes at most 512" in result.stderr
    assert "x" * 600 in (tmp_path / "out" / "cleaned.csv").read_text()


def test_a_long_list_splits_batch_by_batch_into_the_parts_one_read_would_make(tmp_path):
    # 130,000 contacts: several batches of the streaming reader, parts straddling them, a quoted line break
    cleaned = tmp_path / "cleaned.csv"
    rows = [f'+1415{2_000_000 + n:07d},"Name {n}{chr(10) + "Jr" if n % 9_999 == 0 else ""}",{n % 97}.5'
            for n in range(130_000)]
    cleaned.write_text("phone,name,amount\n" + "\n".join(rows) + "\n")
    whole = pl.read_csv(cleaned, infer_schema=False)
    for provider in (Provider("test", None, max_rows=7_000), Provider("test", None, max_rows=9_000, max_bytes=200_000),
                     Provider("test", None, max_bytes=1_000_000)):
        parts = split_for_upload(cleaned, provider)
        assert [p.name for p in parts] == [f"cleaned-{i}-of-{len(parts)}.csv" for i in range(1, len(parts) + 1)]
        frames = [pl.read_csv(part, infer_schema=False) for part in parts]
        assert pl.concat(frames).equals(whole)
        assert all(frame.height <= (provider.max_rows or whole.height) for frame in frames)
        assert all(part.stat().st_size <= (provider.max_bytes or cleaned.stat().st_size) for part in parts)
        if provider.max_bytes is None:  # parts as full as the limit allows
            assert [f.height for f in frames[:-1]] == [provider.max_rows] * (len(frames) - 1)
        for part in parts:
            part.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cleaned.csv"]  # no scratch left behind


def test_retell_json_columns_that_hold_no_json_object_are_reported(tmp_path):
    source = tmp_path / "retell.csv"
    source.write_text('phone,customer_name,due_amount,metadata,custom_sip_headers\n'
                      '+14155550100,Ann,1,"{""tier"": ""vip""}","{""X-Campaign"": ""spring""}"\n'
                      '+14155550101,Bo,2,vip,"{""Campaign"": ""x""}"\n'
                      '+14155550102,Cy,3,vip,\n'
                      '+14155550103,Di,4,"[1, 2]",\n')
    result = runner.invoke(app, ["clean", str(source), "-r", str(RULES / "providers.toml"), "-o",
                                 str(tmp_path / "out"), "--provider", "retell"])
    assert result.exit_code == 0
    assert "column 'metadata': 3 cells not a JSON object (e.g. 'vip'); retell would refuse them" in result.stderr
    assert ("column 'custom_sip_headers': 1 cell not a JSON object whose keys start with 'X-' "
            "(e.g. '{\"Campaign\": \"x\"}'); retell would refuse it") in result.stderr
    assert "vip" in (tmp_path / "out" / "cleaned.csv").read_text()  # reported, never changed
