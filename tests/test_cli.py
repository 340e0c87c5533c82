import hashlib
import json
import os
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT, RULES
from typer.testing import CliRunner

from csvprep.cli.main import app

runner = CliRunner()
SAMPLE = ROOT / "sample_data" / "contacts.csv"
SAMPLE_RULES = ROOT / "rules" / "payment_reminder.toml"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_clean_the_sample_writes_every_output(tmp_path):
    before = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    result = run("clean", SAMPLE, "--rules", SAMPLE_RULES, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["cleaned.csv", "csvprep-manifest.json", "errors.txt",
                                                     "rejected.csv", "report.html", "report.json"]
    report = json.loads((out / "report.json").read_text())
    summary = report["summary"]
    assert summary["rows_in"] == summary["rows_clean"] + summary["rows_rejected"]
    assert f"{summary['rows_in']} rows in, {summary['rows_clean']} clean, {summary['rows_rejected']} rejected" in result.stdout
    cleaned = (out / "cleaned.csv").read_bytes()
    assert not cleaned.startswith(b"\xef\xbb\xbf")
    assert cleaned.count(b"\n") >= summary["rows_clean"] + 1
    errors = (out / "errors.txt").read_text().splitlines()
    assert errors and all(line.startswith("Row ") for line in errors)
    assert len(errors) == summary["errors"]
    assert report["input"]["sha256"] == before
    assert hashlib.sha256(SAMPLE.read_bytes()).hexdigest() == before  # the input is never modified


def test_clean_exit_0_when_nothing_is_rejected(tmp_path):
    result = run("clean", FIXTURES / "utf8_bom.csv", "-r", RULES / "basic.toml", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cleaned.csv").read_text() == "phone,customer_name\n+14155550100,Ann\n+14155550101,Bob\n"
    assert (tmp_path / "errors.txt").read_text() == ""


def test_clean_json_format(tmp_path):
    result = run("clean", FIXTURES / "ragged_rows.csv", "-r", RULES / "basic.toml", "-o", tmp_path, "--format", "json")
    report = json.loads(result.stdout)
    assert report["summary"]["rows_rejected"] == 2
    assert report["issues"][0] == {
        "row": 3, "line": 3, "column": None, "code": "wrong_field_count", "severity": "error",
        "value": "+14155550101,Bob", "message": "expected 3 fields, found 2", "detail": None,
    }


def test_clean_refuses_to_write_over_the_input(tmp_path):
    source = tmp_path / "cleaned.csv"
    source.write_bytes((FIXTURES / "utf8_bom.csv").read_bytes())
    result = run("clean", source, "-r", RULES / "basic.toml", "-o", tmp_path)
    assert result.exit_code == 2
    assert "refusing to write over the input file" in result.stderr
    assert source.read_bytes() == (FIXTURES / "utf8_bom.csv").read_bytes()


def test_check_prints_file_line_row_messages(tmp_path):
    result = run("check", FIXTURES / "multiline_quoted_notes.csv", FIXTURES / "ragged_rows.csv",
                 "-r", RULES / "basic.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{FIXTURES / 'ragged_rows.csv'}:3: Row 3: expected 3 fields, found 2",
        f"{FIXTURES / 'ragged_rows.csv'}:4: Row 4: expected 3 fields, found 4",
    ]
    assert not list(tmp_path.iterdir())


def test_check_clean_file_exits_0():
    result = run("check", FIXTURES / "utf8_bom.csv", "-r", RULES / "basic.toml")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_check_json():
    result = run("check", FIXTURES / "utf8_bom.csv", "-r", RULES / "basic.toml", "-f", "json")
    assert json.loads(result.stdout)["summary"]["rows_clean"] == 2


def test_region_flag():
    result = run("check", FIXTURES / "phone_list_single_column.csv", "-r", RULES / "basic.toml", "--region", "IN",
                 "-f", "json")
    assert json.loads(result.stdout)["settings"]["default_region"] == "IN"


@pytest.mark.parametrize("args,message", [
    (["clean", "missing.csv", "-r", RULES / "basic.toml", "-o", "x"], "missing.csv: no such file"),
    (["clean", FIXTURES / "empty.csv", "-r", RULES / "basic.toml", "-o", "x"], "the file is empty"),
    (["check", FIXTURES / "utf8_bom.csv", "-r", FIXTURES / "utf8_bom.csv"], "invalid TOML"),
    (["clean", "-", "-r", RULES / "basic.toml"], "no output directory for standard input: pass --out DIR"),
    (["check", FIXTURES / "utf8_bom.csv", "-r", RULES / "basic.toml", "--region", "UK"], "not an ISO 3166-1"),
    (["check", FIXTURES / "utf8_bom.csv", "-r", RULES / "basic.toml", "--bogus"], "usage error: No such option"),
    (["check", FIXTURES / "gzip_compressed.csv", "-r", RULES / "basic.toml"], "gzip-compressed"),
    (["check", FIXTURES / "no_phone_column.csv", "-r", RULES / "basic.toml"], "no phone column found"),
])
def test_could_not_run_is_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_delimiter_and_encoding_options():
    result = run("check", FIXTURES / "mixed_encoding.csv", "-r", RULES / "basic.toml", "--encoding", "latin-1",
                 "--delimiter", "comma", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["input"]["encoding"] == "latin-1"


def test_installed_console_script_runs(tmp_path):
    # the real entry point, as a user runs it: exit codes survive outside CliRunner too
    proc = subprocess.run([sys.executable, "-m", "csvprep.cli", "check", str(FIXTURES / "empty.csv"), "-r",
                           str(RULES / "basic.toml")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("the file is empty")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_check_imports_nothing_a_pre_commit_hook_does_not_need():
    # every module costs each commit its import time: pandera (0.4 s), pydantic (typer 0.29 builds a pydantic
    # adapter per parameter: 0.3 s), jinja2 and rich are for other commands or not needed at all
    script = (
        "import sys\n"
        "from csvprep.cli.main import main\n"
        "sys.argv = ['csvprep', 'check', sys.argv[1], '-r', sys.argv[2]]\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandera', 'pydantic', 'jinja2', 'rich', 'pandas'})\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(FIXTURES / "utf8_bom.csv"), str(RULES / "basic.toml")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stderr.strip().splitlines()[-1] == "0 []"


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=200).map(lambda tail: b"phone,customer_name\n" + tail),
))
def test_fuzzed_files_exit_2_with_one_line_or_give_a_valid_report(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    result = run("check", path, "-r", RULES / "basic.toml", "-f", "json")
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("csvprep: error: ")
        assert "internal error" not in result.stderr
    else:
        assert result.exit_code in (0, 1)
        summary = json.loads(result.stdout)["summary"]
        assert summary["rows_in"] == summary["rows_clean"] + summary["rows_rejected"]
        assert result.exit_code == (1 if summary["rows_rejected"] else 0)


def test_check_json_with_several_files_lists_one_report_each():
    result = run("check", FIXTURES / "utf8_bom.csv", FIXTURES / "ragged_rows.csv", FIXTURES / "empty.csv",
                 "-r", RULES / "basic.toml", "-f", "json")
    assert result.exit_code == 2  # one file could not be read: its error is on stderr, the others are reported
    assert "the file is empty" in result.stderr
    reports = json.loads(result.stdout)["files"]
    assert [r["summary"]["rows_rejected"] for r in reports] == [0, 2]


def test_github_format_prints_workflow_annotations():
    result = run("check", SAMPLE, "-r", SAMPLE_RULES, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"::error file={SAMPLE},line=5::Row 5: invalid phone number")
    assert any(line.startswith("::warning file=") and "Row 9: phone number" in line for line in lines)
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)


def test_github_format_escapes_what_would_break_a_workflow_command(tmp_path):
    source = tmp_path / "a,b:c.csv"
    source.write_text('phone,customer_name\n"+1234\n50%",Ann\n')
    result = run("check", source, "-r", RULES / "basic.toml", "--format", "github")
    line = result.stdout.splitlines()[0]
    assert line.startswith("::error file=") and "a%2Cb%3Ac.csv,line=2::" in line
    assert "+1234%0A50%25" in line and "\n" not in line


def test_csv_format_prints_the_issues_table_and_max_errors_caps_it():
    import polars as pl

    result = run("check", SAMPLE, "-r", SAMPLE_RULES, "--format", "csv", "--max-errors", "3")
    table = pl.read_csv(result.stdout.encode(), infer_schema=False)
    assert table.columns == ["file", "row", "line", "column", "code", "severity", "value", "message", "detail"]
    assert table.height == 3 and table.item(0, "row") == "5"
    assert f"printed 3 of {_sample_problems()} problems (--max-errors 3)" in result.stderr


def test_max_errors_caps_text_output_across_files():
    result = run("check", SAMPLE, SAMPLE, "-r", SAMPLE_RULES, "--max-errors", "4")
    assert len([line for line in result.stdout.splitlines() if ": Row " in line]) == 4
    total = _sample_problems()
    assert f"printed 4 of {total} problems" in result.stderr and f"printed 0 of {total} problems" in result.stderr


def _sample_problems() -> int:
    import csvprep

    return csvprep.clean(SAMPLE, SAMPLE_RULES).issues.height


def test_quiet_prints_errors_only(tmp_path):
    result = run("check", SAMPLE, "-r", SAMPLE_RULES, "--quiet")
    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    import csvprep

    errors = csvprep.clean(SAMPLE, SAMPLE_RULES).errors.height
    assert len(lines) == errors > 100 and not any("warning:" in line for line in lines)
    cleaned = run("clean", SAMPLE, "-r", SAMPLE_RULES, "-o", tmp_path / "out", "--quiet")
    assert cleaned.exit_code == 1 and cleaned.stdout == "" and cleaned.stderr == ""
    assert (tmp_path / "out" / "report.html").exists()


def test_pyproject_settings_stand_in_for_flags_and_flags_win(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "rules").mkdir(parents=True)
    (project / "rules" / "agent.toml").write_text((RULES / "basic.toml").read_text())
    (project / "pyproject.toml").write_text(
        '[project]\nname = "contacts"\n\n[tool.csvprep]\nrules = "rules/agent.toml"\nregion = "GB"\n'
        'out = "build/csvprep"\nformat = "github"\n'
    )
    (project / "data").mkdir()
    (project / "data" / "list.csv").write_text("phone,customer_name\n020 7946 0958,Ann\n+1234,Bob\n")
    monkeypatch.chdir(project / "data")  # settings are found from a subdirectory too
    checked = run("check", "list.csv")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines() == ["::error file=list.csv,line=3::Row 3: invalid phone number '+1234' "
                                           "(too short for US: 3 digits after the country code)"]
    cleaned = run("clean", "list.csv", "--format", "text")
    assert cleaned.exit_code == 1
    assert (project / "build" / "csvprep" / "cleaned.csv").read_text().splitlines()[1] == "+442079460958,Ann"
    flagged = run("check", "list.csv", "--region", "US", "--format", "text")
    assert "Row 2: invalid phone number '020 7946 0958'" in flagged.stdout


@pytest.mark.parametrize("setting,message", [
    ('rulez = "x.toml"', "unknown setting(s) rulez"),
    ("max_errors = 0", "max_errors must be a positive whole number"),
    ('format = "xml"', "format must be one of"),
])
def test_bad_pyproject_settings_are_one_line_and_exit_2(tmp_path, monkeypatch, setting, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.csvprep]\n{setting}\n")
    monkeypatch.chdir(tmp_path)
    result = run("check", SAMPLE, "-r", SAMPLE_RULES)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_no_progress_bar_in_ci_or_pipes(monkeypatch):
    from csvprep.cli import main as cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("CI", "true")
    assert not cli._interactive()
    monkeypatch.delenv("CI")
    assert cli._interactive()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not cli._interactive()


def test_a_fixed_rejected_csv_runs_again_without_its_row_and_errors_columns(tmp_path):
    import csv

    run("clean", SAMPLE, "--rules", SAMPLE_RULES, "--out", tmp_path / "first")
    with open(tmp_path / "first" / "rejected.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    header, records = rows[0], rows[1:]
    assert header[-2:] == ["row", "errors"] or header[-3:] == ["row", "errors", "raw"]
    reason = header.index("errors")
    fixable = [r for r in records if r[reason] == "missing required variable 'due_amount'"]
    assert fixable
    for record in fixable:
        record[header.index("Due Amount")] = "10.00"
    with open(tmp_path / "fixed.csv", "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([header, *records])

    result = run("clean", tmp_path / "fixed.csv", "--rules", SAMPLE_RULES, "--out", tmp_path / "second")
    assert "left out row, errors" in result.stdout
    second = tmp_path / "second"
    first_cleaned_header = (tmp_path / "first" / "cleaned.csv").read_text(encoding="utf-8").splitlines()[0]
    assert (second / "cleaned.csv").read_text(encoding="utf-8").splitlines()[0] == first_cleaned_header
    report = json.loads((second / "report.json").read_text())
    assert report["input"]["left_out_columns"] == header[header.index("row"):]
    assert report["summary"]["rows_in"] == len(records)
    # the fixed records are clean now (so are the duplicates: their first copies are not in this file)
    errors = (second / "errors.txt").read_text(encoding="utf-8")
    fixed_rows = [records.index(r) + 2 for r in fixable]
    assert not [row for row in fixed_rows if f"Row {row}:" in errors]
    rejected_header = (second / "rejected.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert rejected_header[-2:] == ["row", "errors"] and "csvprep_row" not in rejected_header


def test_sheet_option_reads_another_sheet_and_a_wrong_one_names_the_others(tmp_path):
    workbook = FIXTURES / "workbook_instructions_sheet_first.xlsx"
    found = run("check", str(workbook), "--rules", str(RULES / "basic.toml"))
    assert found.exit_code == 1 and "Row 4: invalid phone number 'n/a'" in found.stdout
    archive = run("clean", str(workbook), "--rules", str(RULES / "basic.toml"), "--sheet", "Archive",
                  "--out", str(tmp_path / "out"))
    assert archive.exit_code == 0 and "read the sheet 'Archive' of the workbook" in archive.stdout
    assert (tmp_path / "out" / "cleaned.csv").read_text() == "Phone Number,customer_name\n+14155550199,Old\n"
    cover = run("check", str(workbook), "--rules", str(RULES / "basic.toml"), "--sheet", "Read me")
    assert cover.exit_code == 2
    assert "no phone column found" in cover.output and "(read the sheet 'Read me'; the workbook also has " \
        "'Contacts', 'Archive': choose one with --sheet)" in cover.output


def test_a_dash_reads_the_list_from_standard_input(tmp_path):
    data = "phone,customer_name\n+14155550100,Ann\nn/a,Bob\n"
    checked = runner.invoke(app, ["check", "-", "--rules", str(RULES / "basic.toml")], input=data)
    assert checked.exit_code == 1
    assert "<stdin>:3: Row 3: invalid phone number 'n/a'" in checked.stdout
    cleaned = runner.invoke(app, ["clean", "-", "--rules", str(RULES / "basic.toml"), "--out", str(tmp_path / "o")],
                            input=data)
    assert cleaned.exit_code == 1 and cleaned.stdout.startswith("<stdin>: 2 rows in, 1 clean, 1 rejected")
    assert (tmp_path / "o" / "cleaned.csv").read_text() == "phone,customer_name\n+14155550100,Ann\n"
    empty = runner.invoke(app, ["check", "-", "--rules", str(RULES / "basic.toml")], input="")
    assert empty.exit_code == 2 and "csvprep: error: <stdin>: the file is empty" in empty.output


def test_check_suggests_the_region_a_list_of_invalid_numbers_is_valid_in():
    data = "phone,customer_name\n98765 43210,A\n98765 43211,B\n99887 76655,C\n+14155550100,D\n"
    checked = runner.invoke(app, ["check", "-", "--rules", str(RULES / "basic.toml")], input=data)
    assert checked.exit_code == 1
    assert ("<stdin>: many numbers are invalid in US, but 3 of 3 tried are valid read in IN: if the list is from IN, "
            "pass --region IN (or set [phone] default_region)") in checked.stderr
