"""A fixed rejected.csv run again: the summary says the first run's clean numbers are unknown to this run, and how
to give them."""

from conftest import ROOT
from typer.testing import CliRunner

from csvprep.cli.main import app

runner = CliRunner()
SAMPLE = ROOT / "sample_data" / "contacts.csv"
RULES = ROOT / "rules" / "payment_reminder.toml"
NOTE = "the numbers in the first run's cleaned.csv are not known to this run"


def test_rerunning_a_rejected_csv_says_how_to_give_the_first_runs_numbers(tmp_path):
    first = tmp_path / "first"
    assert runner.invoke(app, ["clean", str(SAMPLE), "-r", str(RULES), "-o", str(first)]).exit_code == 1
    again = runner.invoke(app, ["clean", str(first / "rejected.csv"), "-r", str(RULES), "-o", str(tmp_path / "2")])
    assert NOTE in again.stdout and "--suppress CLEANED.csv" in again.stdout
    checked = runner.invoke(app, ["check", str(first / "rejected.csv"), "-r", str(RULES)])
    assert NOTE in checked.stderr
    given = runner.invoke(app, ["clean", str(first / "rejected.csv"), "-r", str(RULES), "-o", str(tmp_path / "3"),
                                "--suppress", str(first / "cleaned.csv")])
    assert NOTE not in given.stdout


def test_a_file_named_rejected_without_those_columns_is_taken_for_one_too(tmp_path):
    fixed = tmp_path / "rejected_fixed.csv"
    fixed.write_text("phone,customer_name\n+14155550100,Ann\n")
    result = runner.invoke(app, ["clean", str(fixed), "-o", str(tmp_path / "out")])
    assert NOTE in result.stdout
    other = tmp_path / "contacts.csv"
    other.write_text("phone,customer_name\n+14155550100,Ann\n")
    assert NOTE not in runner.invoke(app, ["clean", str(other), "-o", str(tmp_path / "o2")]).stdout
