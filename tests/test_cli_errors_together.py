"""Every wrong option and every mistake of a rules file in one run, a line each, not one per run; a region flag
that names a country another way is blamed on the flag, with the code meant."""

import pytest
from conftest import FIXTURES, RULES
from typer.testing import CliRunner

from csvprep.cli.main import app
from csvprep.errors import RulesError
from csvprep.job.rules_file import rules_from_dict

runner = CliRunner()


def errors(result):
    return [line for line in result.stderr.splitlines() if line.startswith("csvprep: error:")]


def test_every_mistake_of_a_rules_file_at_once(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[phone]\ncolumn = 3\ndefault_region = "XX"\n[variables.a]\ntype = "number"\n'
                     '[variables.b]\nmax_lenght = 3\n[defaults]\nzz = 1\n')
    result = runner.invoke(app, ["check", str(FIXTURES / "utf8_bom.csv"), "-r", str(rules)])
    assert result.exit_code == 2
    lines = errors(result)
    assert len(lines) == 5, result.stderr
    for expected in ("default_region: 'XX'", "[phone] column must be", "[variables.a] unknown type 'number'",
                     "unknown key 'max_lenght' (did you mean 'max_length'?)", "undefined variable 'zz'"):
        assert any(expected in line for line in lines), (expected, lines)


def test_the_library_raises_one_rules_error_holding_every_problem():
    with pytest.raises(RulesError) as raised:
        rules_from_dict({"phone": {"colum": "x"}, "variables": {"a": {"typ": "integer"}}, "duplicates": {"x": 1}})
    assert len(raised.value.messages) == 3
    assert str(raised.value) == "; ".join(raised.value.messages)


def test_wrong_options_and_a_missing_out_are_said_together(tmp_path):
    result = runner.invoke(app, ["clean", "-", "--region", "USA", "--add-columns", "colour", "--provider", "vappi",
                                 "-r", str(RULES / "basic.toml")], input="")
    assert result.exit_code == 2
    lines = errors(result)
    assert any("no output directory for standard input" in line for line in lines)
    assert any("--add-columns: unknown column(s) colour" in line for line in lines)
    assert any("unknown provider 'vappi'" in line for line in lines)
    assert len(lines) == 4, lines


@pytest.mark.parametrize("flag, meant", [("USA", "US"), ("India", "IN"), ("UK", "GB"), ("+91", "IN")])
def test_a_region_flag_naming_a_country_is_blamed_on_the_flag(flag, meant):
    result = runner.invoke(app, ["check", str(FIXTURES / "utf8_bom.csv"), "-r", str(RULES / "basic.toml"),
                                 "--region", flag])
    assert result.exit_code == 2
    (line,) = errors(result)
    assert line.startswith(f"csvprep: error: --region: '{flag}' is not")  # the flag, not the rules file
    assert f"did you mean {meant}?" in line
    assert "basic.toml" not in line
