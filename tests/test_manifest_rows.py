"""The manifest's record of which input row each cleaned row came from (what campaign reconcile maps the
platform's refusals through), whole and in parts."""

import json

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from conftest import ROOT, RULES

from csvprep.app.run import clean_file
from csvprep.outputs.publish import input_rows
from csvprep.outputs.row_runs import RowRuns

SAMPLE = ROOT / "sample_data" / "contacts.csv"
SAMPLE_RULES = ROOT / "rules" / "payment_reminder.toml"


def expanded(directory):
    return [first + offset for first, count in input_rows(directory) for offset in range(count)]


def test_a_small_list_records_the_input_row_of_each_cleaned_row(tmp_path):
    source = tmp_path / "contacts.csv"
    source.write_text("phone,customer_name\n+14155552671,A\nnope,B\n\n+14155552672,C\n+14155552673,D\n")
    clean_file(source, RULES / "basic.toml", tmp_path / "out")
    assert input_rows(tmp_path / "out") == [[2, 1], [5, 2]]  # row 3 rejected, row 4 blank
    manifest = json.loads((tmp_path / "out" / "csvprep-manifest.json").read_text())
    assert "header" in manifest["cleaned_rows"]["numbering"]


@pytest.mark.parametrize("part_rows", [1, 7, 100])
def test_in_parts_the_record_is_the_whole_runs(tmp_path, part_rows):
    clean_file(SAMPLE, SAMPLE_RULES, tmp_path / "whole")
    clean_file(SAMPLE, SAMPLE_RULES, tmp_path / "parts", part_rows=part_rows)
    whole = expanded(tmp_path / "whole")
    assert expanded(tmp_path / "parts") == whole
    cleaned = pl.read_csv(tmp_path / "whole" / "cleaned.csv", infer_schema=False)
    rejected = pl.read_csv(tmp_path / "whole" / "rejected.csv", infer_schema=False)
    assert len(whole) == cleaned.height and whole == sorted(set(whole))
    assert not set(whole) & {int(row) for row in rejected.get_column("row").to_list()}


def test_a_rerun_reads_the_last_runs_files_from_its_manifest_head_without_parsing_its_row_runs(tmp_path):
    source = tmp_path / "contacts.csv"
    source.write_text("phone,customer_name\n+14155552671,A\nnope,B\n")
    out = tmp_path / "out"
    clean_file(source, RULES / "basic.toml", out)
    manifest = out / "csvprep-manifest.json"
    text = manifest.read_text()
    # an output of the last run that this one does not write (a provider's file), and row runs past parsing (a
    # large list's are hundreds of megabytes): the files are still known, so the stale one goes
    text = text.replace('"errors.txt"', '"calls.csv": {"bytes": 5},\n    "errors.txt"', 1)
    manifest.write_text(text.replace('"runs": [', '"runs": [' + "[2, 1], " * 100_000 + "oops", 1))
    (out / "calls.csv").write_text("stale")
    (out / "notes.txt").write_text("the user's own")
    clean_file(source, RULES / "basic.toml", out)
    assert not (out / "calls.csv").exists() and (out / "notes.txt").exists()
    assert input_rows(out) == [[2, 1]]  # the new manifest, whole


def test_a_manifest_without_the_record_reads_as_none(tmp_path):
    (tmp_path / "csvprep-manifest.json").write_text('{"files": {}}')
    assert input_rows(tmp_path) is None


def test_a_run_over_several_files_names_each_runs_file_and_reconcile_refuses_it(tmp_path):
    from csvprep.app.batch import clean_files
    from csvprep.app.launch import cleaned_to_input
    from csvprep.errors import PlatformError

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("phone,customer_name\n+14155552671,A\nnope,B\n+14155552672,C\n")
    second.write_text("phone,customer_name\n+14155552673,D\n+14155552671,E\n+14155552674,F\n")
    clean_files([first, second], RULES / "basic.toml", tmp_path / "out")
    # each file numbers its own rows: row 2 of a.csv and row 2 of b.csv are two contacts, never one run
    assert input_rows(tmp_path / "out") == [[2, 1, "a.csv"], [4, 1, "a.csv"], [2, 1, "b.csv"], [4, 1, "b.csv"]]
    cleaned = pl.read_csv(tmp_path / "out" / "cleaned.csv", infer_schema=False)
    assert cleaned.height == 4
    with pytest.raises(PlatformError, match="several files"):
        cleaned_to_input(tmp_path / "out", cleaned.height)


def _items(runs):
    import io

    stream = io.BytesIO()
    runs.write_items(stream)
    return json.loads("[" + stream.getvalue().decode() + "]")


@given(st.lists(st.tuples(st.integers(1, 6), st.booleans()), max_size=60), st.integers(1, 9),
       st.sampled_from([None, "a.csv", 'we"ird\\ {} ñame.csv']), st.booleans())
def test_row_runs_record_every_row_once_however_the_parts_fall(tmp_path_factory, steps, part_size, file, on_disk):
    rows, row = [], 1
    for step, _ in steps:
        row += step
        rows.append(row)
    spool = open(tmp_path_factory.mktemp("runs") / "spool", "w+b") if on_disk else None
    runs = RowRuns(spool)
    for start in range(0, len(rows), part_size):
        runs.add(pl.Series(rows[start:start + part_size]), file)
    items = _items(runs)
    assert [(first + k, *rest) for first, count, *rest in items for k in range(count)] == \
        [(row, *([file] if file is not None else [])) for row in rows]
    # a run never goes on in the next one
    assert all(a[0] + a[1] != b[0] for a, b in zip(items, items[1:]))
    assert len(runs) == len(items)


def test_row_runs_of_two_files_never_join_even_when_the_rows_go_on():
    runs = RowRuns()
    runs.add(pl.Series([2, 3]), "a.csv")
    runs.add(pl.Series([4, 5]), "b.csv")
    runs.add(pl.Series([6]), "b.csv")
    assert _items(runs) == [[2, 2, "a.csv"], [4, 3, "b.csv"]]


def test_a_run_that_cleans_nothing_records_no_runs(tmp_path):
    source = tmp_path / "contacts.csv"
    source.write_text("phone,customer_name\nnope,A\n")
    clean_file(source, RULES / "basic.toml", tmp_path / "out")
    assert input_rows(tmp_path / "out") == []
