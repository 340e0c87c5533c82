"""Help as people expect it: bare `csvprep` and `csvprep campaign` show the usual multi-line help; `check --help`
offers only what applies to a command that writes nothing."""

import pytest
from typer.testing import CliRunner

from csvprep.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("args, commands", [([], ["clean", "check", "init", "preview", "campaign"]),
                                            (["campaign"], ["check"])])
def test_a_group_without_its_command_prints_the_usual_help(args, commands):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Usage: ") and lines[0].endswith("[OPTIONS] COMMAND [ARGS]...")
    assert len(lines) > 5  # not flattened onto one line
    assert "Commands:" in lines
    listed = [line.split()[0] for line in lines[lines.index("Commands:") + 1:] if line.strip()]
    assert set(commands) <= set(listed)
    assert result.stderr == runner.invoke(app, [*args, "--help"]).stdout  # the same help --help prints


def test_check_help_offers_only_what_applies_to_check():
    text = runner.invoke(app, ["check", "--help"]).stdout
    assert "--add-columns" not in text and "to cleaned.csv" not in text
    assert "still in the outputs" not in text
    assert "--max-errors" in text


def test_check_still_accepts_add_columns_so_one_command_line_serves_both():
    from conftest import FIXTURES, RULES
    result = runner.invoke(app, ["check", str(FIXTURES / "utf8_bom.csv"), "-r", str(RULES / "basic.toml"),
                                 "--add-columns", "timezone"])
    assert result.exit_code == 0, result.output
