"""Do-not-call lists in mixed formats stop exactly the contacts whose numbers they hold."""

from __future__ import annotations

import json

import polars as pl
from conftest import FIXTURES, RULES
from typer.testing import CliRunner

import csvprep
from csvprep.app.run import clean_file
from csvprep.cli.main import app
from csvprep.model.rules import PhoneRule
from csvprep.stages.suppression import load_suppression

CONTACTS = FIXTURES / "contacts_some_on_dnc_lists.csv"
LISTS = [FIXTURES / "dnc_plain_list_mixed_formats.txt", FIXTURES / "dnc_crm_export.csv",
         FIXTURES / "dnc_sarvam_stop_file.csv"]


def test_lists_in_any_format_are_read_as_e164_numbers():
    plain = load_suppression(LISTS[0], PhoneRule(default_region="US"))
    assert sorted(plain.numbers.to_list()) == ["+14155550101", "+14155550102", "+14155550103"]
    assert (plain.entries, plain.unreadable) == (4, 1)
    crm = load_suppression(LISTS[1], PhoneRule(default_region="US"))
    assert sorted(crm.numbers.to_list()) == ["+14155550101", "+14155550104"]
    sarvam = load_suppression(LISTS[2], PhoneRule(default_region="US"))
    assert sarvam.numbers.to_list() == ["+14155550105"]


def test_contacts_on_any_list_are_rejected_and_counted_per_list():
    lists = [load_suppression(path, PhoneRule(default_region="US")) for path in LISTS]
    result = csvprep.clean(CONTACTS, RULES / "basic.toml", suppress=lists)
    assert result.cleaned.get_column("phone").to_list() == ["+14155550100", "+14155550106"]
    issues = result.issues.filter(pl.col("code") == "do_not_call")
    assert issues.get_column("row").to_list() == [3, 3, 4, 5, 6, 7]  # row 3 is on two lists: both say so
    assert f"phone number '(415) 555-0102' is on the do-not-call list {LISTS[0]}" in issues["message"].to_list()
    counts = {name: stats["suppressed"] for name, stats in result.suppression.items()}
    assert counts == {str(LISTS[0]): 3, str(LISTS[1]): 2, str(LISTS[2]): 1}


def test_the_cli_takes_several_lists_and_parts_agree(tmp_path):
    args = ["clean", str(CONTACTS), "-r", str(RULES / "basic.toml"), "-o", str(tmp_path / "out")]
    for path in LISTS:
        args += ["--suppress", str(path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["summary"]["by_code"]["do_not_call"] == 6
    assert report["suppression"][str(LISTS[2])] == {"entries": 1, "numbers": 1, "unreadable": 0, "suppressed": 1}
    lists = [load_suppression(path, PhoneRule(default_region="US")) for path in LISTS]
    parted, paths = clean_file(CONTACTS, RULES / "basic.toml", tmp_path / "parts", part_rows=2, suppress=lists)
    assert paths["errors.txt"].read_text() == (tmp_path / "out" / "errors.txt").read_text()
    assert json.loads(paths["report.json"].read_text())["suppression"] == report["suppression"]


def test_a_list_without_a_phone_column_cannot_run(tmp_path):
    odd = tmp_path / "dnc.csv"
    odd.write_text("name,email\nA,a@example.com\n")
    result = CliRunner().invoke(app, ["check", str(CONTACTS), "-r", str(RULES / "basic.toml"), "--suppress", str(odd)])
    assert result.exit_code == 2
    assert "no phone column in the do-not-call list" in result.stderr
