"""Several files in one run (csvprep.app.batch): merged and separate, duplicates across files naming file and row,
unreadable files skipped, --previous, check --across-files, and the accounting of a merged run."""

import json
import shutil
from datetime import datetime, timezone

import polars as pl
from conftest import FIXTURES, RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import csvprep
from csvprep.cli.main import app

runner = CliRunner()
THREE = FIXTURES / "three_exports"
FILES = [THREE / "contacts-a.csv", THREE / "contacts-b.csv", THREE / "contacts-c.tsv"]
BASIC = str(RULES / "basic.toml")

DUPLICATES = [
    "contacts-b.csv: Row 3: duplicate phone number '+14155550100' (same as contacts-a.csv row 2)",
    "contacts-c.tsv: Row 2: duplicate phone number '+14155550103' (same as contacts-b.csv row 2)",
    "contacts-c.tsv: Row 4: duplicate phone number '+14155550101' (same as contacts-a.csv row 3)",
]


def _clean(*args):
    return runner.invoke(app, ["clean", *map(str, args), "--rules", BASIC])


def test_merged_three_exports_with_different_headers_encodings_and_delimiters(tmp_path):
    out = tmp_path / "out"
    result = _clean(*FILES, "--out", out, "--add-columns", "source_file,source_row")
    assert result.exit_code == 1, result.output
    errors = (out / "errors.txt").read_text(encoding="utf-8").splitlines()
    assert errors == ["contacts-a.csv: Row 4: invalid phone number 'not a phone'", *DUPLICATES]
    cleaned = pl.read_csv(out / "cleaned.csv", infer_schema=False)
    # the mapped columns under the first file's names, the others kept, the added ones last
    assert cleaned.columns == ["phone", "customer_name", "city", "Betrag", "notes", "source_file", "source_row"]
    assert cleaned.get_column("phone").to_list() == ["+14155550100", "+14155550101", "+14155550102",
                                                     "+14155550103", "+14155550104", "+14155550105"]
    assert cleaned.filter(pl.col("source_file") == "contacts-b.csv").get_column("customer_name").to_list() == \
        ["Jürgen", "Zoë"]  # cp1252 read as such
    assert cleaned.row(5, named=True) == {"phone": "+14155550105", "customer_name": "Fay", "city": None,
                                          "Betrag": None, "notes": "new", "source_file": "contacts-c.tsv",
                                          "source_row": "3"}
    rejected = pl.read_csv(out / "rejected.csv", infer_schema=False)
    # every file's columns (the mapped ones under the first file's names), then the record's file, row and reasons
    assert rejected.columns == ["phone", "customer_name", "city", "Betrag", "notes", "file", "row", "errors"]
    assert rejected.select("file", "row").rows() == [("contacts-a.csv", "4"), ("contacts-b.csv", "3"),
                                                     ("contacts-c.tsv", "2"), ("contacts-c.tsv", "4")]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["rows_in"] == 10 and report["summary"]["rows_clean"] == 6
    assert report["across_files"]["policy"] == "merged"
    sections = {section["file"]: section for section in report["files"]}
    assert sections["contacts-b.csv"]["encoding"] == "cp1252" and sections["contacts-b.csv"]["delimiter"] == ";"
    assert sections["contacts-c.tsv"]["delimiter"] == "\t"
    assert [s["summary"]["rows_rejected"] for s in report["files"]] == [1, 1, 2]
    assert {issue["file"] for issue in report["issues"]} == {"contacts-a.csv", "contacts-b.csv", "contacts-c.tsv"}
    assert "e.g. contacts-b.csv: Row 3: duplicate phone number '+14155550100' (same as contacts-a.csv row 2)" \
        in result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="files">' in page and "<td>contacts-b.csv</td><td>cp1252, semicolon</td>" in page


def test_separate_cleans_each_file_apart_and_still_finds_duplicates_across(tmp_path):
    out = tmp_path / "out"
    result = _clean(*FILES, "--out", out, "--separate")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["contacts-a", "contacts-b", "contacts-c"]
    assert (out / "contacts-b" / "errors.txt").read_text(encoding="utf-8").splitlines() == \
        ["Row 3: duplicate phone number '+14155550100' (same as contacts-a.csv row 2)"]
    assert (out / "contacts-c" / "errors.txt").read_text(encoding="utf-8").splitlines() == [
        "Row 2: duplicate phone number '+14155550103' (same as contacts-b.csv row 2)",
        "Row 4: duplicate phone number '+14155550101' (same as contacts-a.csv row 3)"]
    report = json.loads((out / "contacts-c" / "report.json").read_text(encoding="utf-8"))
    assert report["across_files"]["policy"] == "separate"
    assert report["across_files"]["checked_against"] == ["contacts-a.csv", "contacts-b.csv"]
    assert pl.read_csv(out / "contacts-c" / "cleaned.csv", infer_schema=False).columns == \
        ["customer_name", "mobile", "notes"]  # its own header, as a single file's


def test_a_directory_is_its_files_sorted_and_recursive_adds_subdirectories(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(THREE, inputs)
    (inputs / "readme.md").write_text("not contacts")
    (inputs / "later").mkdir()
    (inputs / "later" / "more.csv").write_text("phone,customer_name\n+1 415 555 0100,Ann once more\n")
    out = tmp_path / "out"
    assert _clean(inputs, "--out", out).exit_code == 1
    assert json.loads((out / "report.json").read_text())["across_files"]["files"] == \
        ["contacts-a.csv", "contacts-b.csv", "contacts-c.tsv"]
    assert _clean(inputs, "--out", out, "--recursive").exit_code == 1
    assert (out / "errors.txt").read_text().splitlines()[-1] == \
        "more.csv: Row 2: duplicate phone number '+14155550100' (same as contacts-a.csv row 2)"


def test_an_unreadable_file_is_skipped_with_its_reason_and_the_others_run(tmp_path):
    empty = FIXTURES / "empty.csv"
    no_phone = FIXTURES / "no_phone_column.csv"
    out = tmp_path / "out"
    result = _clean(FILES[0], empty, no_phone, FILES[1], "--out", out)
    assert result.exit_code == 1
    assert "empty.csv: skipped: " in result.output and "no_phone_column.csv: skipped: " in result.output
    assert "skipped 2 of 4 files: empty.csv, no_phone_column.csv" in result.output
    report = json.loads((out / "report.json").read_text())
    assert [s["skipped"] is None for s in report["files"]] == [True, False, False, True]
    assert report["summary"]["rows_in"] == 7
    assert (out / "errors.txt").read_text(encoding="utf-8").splitlines()[1] == DUPLICATES[0]


def test_the_output_directory_inside_an_input_directory_is_left_out(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(THREE, inputs)
    for _ in range(2):  # the second run must not read the first run's cleaned.csv and rejected.csv as inputs
        assert _clean(inputs, "--out", inputs / "out", "--recursive").exit_code == 1
    assert json.loads((inputs / "out" / "report.json").read_text())["summary"]["rows_in"] == 10


def test_standard_input_cannot_be_one_of_several_files(tmp_path):
    result = _clean("-", FILES[0], "--out", tmp_path / "out")
    assert result.exit_code == 2 and "standard input" in result.output


def test_fail_fast_stops_at_an_unreadable_file_and_none_readable_is_exit_2(tmp_path):
    out = tmp_path / "out"
    result = _clean(FILES[0], FIXTURES / "empty.csv", "--out", out, "--fail-fast")
    assert result.exit_code == 2 and "empty.csv" in result.output
    assert not (out / "cleaned.csv").exists()
    result = _clean(FIXTURES / "empty.csv", tmp_path / "missing.csv", "--out", out)
    assert result.exit_code == 2 and "none of the 2 files could be read" in result.output
    assert not (out / "cleaned.csv").exists()


def test_previous_round_trip_rejects_numbers_already_uploaded(tmp_path):
    first = tmp_path / "first"
    assert _clean(*FILES, "--out", first).exit_code == 1
    # the user fixes the rejected rows (the invalid number) and cleans rejected.csv again with --previous
    rejected = pl.read_csv(first / "rejected.csv", infer_schema=False)
    fixed = rejected.with_columns(pl.when(pl.col("phone") == "not a phone").then(pl.lit("+1 415 555 0199"))
                                  .otherwise(pl.col("phone")).alias("phone"))
    fixed.write_csv(tmp_path / "fixed.csv")  # its file, row and errors columns are left out when read
    second = tmp_path / "second"
    result = _clean(tmp_path / "fixed.csv", "--out", second, "--previous", first / "cleaned.csv")
    assert result.exit_code == 1
    errors = (second / "errors.txt").read_text(encoding="utf-8").splitlines()
    day = datetime.fromtimestamp((first / "cleaned.csv").stat().st_mtime, tz=timezone.utc).date().isoformat()
    assert len(errors) == 3 and all(f"was already uploaded (in cleaned.csv of {day})" in line for line in errors)
    assert errors[0].startswith("Row 3: phone number '(415) 555-0100' was already uploaded")
    assert pl.read_csv(second / "cleaned.csv", infer_schema=False).get_column("phone").to_list() == ["+14155550199"]
    report = json.loads((second / "report.json").read_text())
    assert report["summary"]["by_code"] == {"already_uploaded": 3}
    assert report["input"]["left_out_columns"] == ["file", "row", "errors"]


def test_check_across_files_reports_duplicates_between_files():
    alone = runner.invoke(app, ["check", *map(str, FILES), "--rules", BASIC])
    assert "same as" not in alone.output
    across = runner.invoke(app, ["check", *map(str, FILES), "--rules", BASIC, "--across-files"])
    assert across.exit_code == 1
    assert f"{FILES[1]}:3: Row 3: duplicate phone number '+14155550100' (same as contacts-a.csv row 2)" \
        in across.output
    assert across.output.count("(same as contacts-") == 3


def test_check_across_files_reads_standard_input_among_files():
    data = FILES[0].read_bytes()
    result = runner.invoke(app, ["check", "-", str(FILES[1]), "--rules", BASIC, "--across-files"], input=data)
    assert "(same as <stdin> row 2)" in result.output


def test_duplicates_across_files_follow_the_policy_and_the_key(tmp_path):
    (tmp_path / "a.csv").write_text("phone,customer_name\n+1 415 555 0100,Ann\n+1 415 555 0101,Bob\n")
    (tmp_path / "b.csv").write_text("Customer Name;tel\nann;4155550100\nBobby;4155550101\n")  # another delimiter and order
    keyed = csvprep.rules_from_dict({"phone": {"default_region": "US"},
                                     "duplicates": {"policy": "warn", "key": ["phone", "customer_name"]},
                                     "variables": {"customer_name": {}}})
    result, _ = csvprep.clean_files([tmp_path / "a.csv", tmp_path / "b.csv"], keyed, tmp_path / "out")
    assert result.summary.rows_clean == 4  # warned, not rejected
    warnings = json.loads((tmp_path / "out" / "report.json").read_text())["issues"]
    assert [(w["file"], w["row"], w["severity"], w["message"]) for w in warnings] == [
        ("b.csv", 2, "warning", "duplicate contact: same phone, customer_name as a.csv row 2")]


def test_clean_files_returns_one_result_with_each_files_summary(tmp_path):
    result, paths = csvprep.clean_files([THREE], RULES / "basic.toml", tmp_path / "out")
    assert [section.name for section in result.files] == ["contacts-a.csv", "contacts-b.csv", "contacts-c.tsv"]
    assert sum(section.summary.rows_in for section in result.files) == result.summary.rows_in == 10
    assert result.counts()["by_code"] == {"duplicate": 3, "invalid_phone": 1}
    assert paths["cleaned.csv"].exists()
    checked, written = csvprep.clean_files(FILES, RULES / "basic.toml")  # no out_dir: checked, nothing written
    assert written == {} and checked.summary.rows_rejected == 4


def test_a_single_file_with_previous_and_source_columns_is_a_single_run(tmp_path):
    out = tmp_path / "out"
    result = _clean(FILES[0], "--out", out, "--add-columns", "source_row,source_file")
    assert result.exit_code == 1
    assert (out / "errors.txt").read_text().splitlines() == ["Row 4: invalid phone number 'not a phone'"]
    assert pl.read_csv(out / "cleaned.csv", infer_schema=False).columns[-2:] == ["source_file", "source_row"]


phones = st.sampled_from(["+1 415 555 0100", "(415) 555-0101", "4155550102", "nope", "", "+44 20 7946 0958",
                          "415-555-0103"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(phones, min_size=1, max_size=8), min_size=1, max_size=4), st.booleans(),
       st.sampled_from([None, 2, 3]))
def test_merged_accounting_is_the_sum_of_the_files(tmp_path_factory, files, separate, part_rows):
    root = tmp_path_factory.mktemp("batch")
    paths = []
    for index, numbers in enumerate(files):
        path = root / f"f{index}.csv"
        pl.DataFrame({"phone": numbers, "customer_name": [f"n{i}" for i in range(len(numbers))]}).write_csv(path)
        paths.append(path)
    # in parts of part_rows records too: the files' parts and the parts of one file take the same road
    result, _ = csvprep.clean_files(paths, RULES / "basic.toml", root / "out", separate=separate,
                                    part_rows=part_rows)
    total = result.summary
    assert total.rows_in == sum(len(numbers) for numbers in files)
    assert total.rows_in == total.rows_clean + total.rows_rejected
    for field in ("rows_in", "rows_clean", "rows_rejected", "errors"):
        assert getattr(total, field) == sum(getattr(section.summary, field) for section in result.files)
    if not separate:
        cleaned = pl.read_csv(root / "out" / "cleaned.csv", infer_schema=False)
        rejected = pl.read_csv(root / "out" / "rejected.csv", infer_schema=False)
        assert cleaned.height == total.rows_clean and rejected.height == total.rows_rejected
        assert cleaned.get_column("phone").n_unique() == cleaned.height  # no duplicate across files kept
        # the same contacts in one file give the same clean list and the same number of duplicates
        whole = root / "whole.csv"
        pl.concat([pl.read_csv(path, infer_schema=False) for path in paths]).write_csv(whole)
        alone = csvprep.clean(whole, RULES / "basic.toml")
        assert alone.cleaned.get_column("phone").to_list() == cleaned.get_column("phone").to_list()
        assert alone.counts()["by_code"] == total.counts()["by_code"]


def test_separate_with_html_is_refused(tmp_path):
    result = _clean(*FILES, "--out", tmp_path / "out", "--separate", "--html", tmp_path / "r.html")
    assert result.exit_code == 2 and "--html cannot be used with --separate" in result.output


def test_progress_over_several_files_is_one_measure_that_never_goes_back(tmp_path):
    events = []
    csvprep.clean_files(FILES, BASIC, tmp_path / "out", part_rows=1, on_progress=events.append)
    assert events
    assert all(event.total == len(FILES) for event in events)
    done = [event.done for event in events]
    assert done == sorted(done) and len(FILES) - 1 < done[-1] <= len(FILES)  # one bar over the files
    stages = {event.stage.split(":")[0] for event in events}
    assert stages == {f"file {k}/{len(FILES)}" for k in range(1, len(FILES) + 1)}
    elapsed = [event.elapsed for event in events]
    assert elapsed == sorted(elapsed)  # since the first file began, not each file's own clock
