"""A first run with nothing but the file: no rules (the phone column checked, every other column passed through),
no --out (the outputs beside the input), no region (only numbers with a country code, and the region they fit)."""

from conftest import FIXTURES
from typer.testing import CliRunner

from csvprep.cli.main import app

runner = CliRunner()


def test_clean_without_rules_or_out_writes_beside_the_input(tmp_path):
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(b"phone,Due Amount,Notes\n+14155550100,12..5,hi\n+442079460958,3,\n")
    result = runner.invoke(app, ["clean", str(contacts)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "contacts.csvprep"
    assert f"wrote {out / 'cleaned.csv'}" in result.stdout
    assert "no rules: checked the phone column only" in result.stdout
    # every other column as it was: no variable, so no check of '12..5'
    assert (out / "cleaned.csv").read_text() == "phone,Due Amount,Notes\n+14155550100,12..5,hi\n+442079460958,3,\n"


def test_without_a_region_only_numbers_with_a_country_code_pass_and_the_region_is_suggested(tmp_path):
    contacts = tmp_path / "indian.csv"
    contacts.write_bytes(b"mobile,name\n98765 43210,A\n9123456789,B\n8123456780,C\n+91 98765 43211,D\n")
    result = runner.invoke(app, ["check", str(contacts)])
    assert result.exit_code == 1
    assert "only numbers written with a country code were accepted: no default region is set; 3 of 3" in result.stderr
    assert "pass --region IN" in result.stderr
    with_region = runner.invoke(app, ["check", str(contacts), "--region", "IN"])
    assert with_region.exit_code == 0, with_region.output


def test_rules_from_pyproject_still_count(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.csvprep]\nrules = "r.toml"\n')
    (tmp_path / "r.toml").write_text("[phone]\ndefault_region = \"US\"\n[variables.customer_name]\nrequired = true\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", str(FIXTURES / "utf8_bom.csv")])
    assert result.exit_code == 0, result.output
    assert "no rules" not in result.output


def test_standard_input_needs_an_out_directory():
    result = runner.invoke(app, ["clean", "-"], input="phone\n+14155550100\n")
    assert result.exit_code == 2
    assert "no output directory for standard input: pass --out DIR" in result.stderr
