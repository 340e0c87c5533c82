import os

import polars as pl
import pytest
from conftest import FIXTURES, RULES

import csvprep
from csvprep import clean
from csvprep.io.csv_out import atomic_write, csv_text, neutralise_formulas


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    atomic_write(target, b"new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "cleaned.csv"
    target.write_text("old contents")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(csvprep.OutputError, match="No space left on device"):
        atomic_write(target, b"half")
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["cleaned.csv"]


def test_rejected_csv_neutralises_formulas_but_cleaned_keeps_them(tmp_path):
    result = clean(FIXTURES / "formula_cells.csv", RULES / "basic.toml", strict=True)
    paths = result.write(tmp_path)
    rejected = paths["rejected.csv"].read_text()
    assert "'=1+2" in rejected and "'@SUM(A1)" in rejected and "'-not a number" in rejected
    relaxed = clean(FIXTURES / "formula_cells.csv", RULES / "basic.toml")
    relaxed.write(tmp_path / "relaxed")
    assert "=1+2" in (tmp_path / "relaxed" / "cleaned.csv").read_text()
    assert "'=1+2" not in (tmp_path / "relaxed" / "cleaned.csv").read_text()


def test_csv_text_quotes_only_where_needed():
    import polars as pl

    frame = pl.DataFrame({"a": ["x,y", 'say "hi"', "", None, "two\nlines"]})
    assert csv_text(frame) == 'a\n"x,y"\n"say ""hi"""\n\n\n"two\nlines"\n'
    assert neutralise_formulas(pl.DataFrame({"a": ["=1", "ok"]})).get_column("a").to_list() == ["'=1", "ok"]


def test_output_dir_that_is_a_file(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("")
    result = clean(FIXTURES / "utf8_bom.csv", RULES / "basic.toml")
    with pytest.raises(csvprep.OutputError, match="not a directory"):
        result.write(blocker)


def test_outputs_get_the_usual_permissions_not_mkstemps(tmp_path):
    import stat

    target = tmp_path / "out.txt"
    atomic_write(target, b"x")
    mode = stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


@pytest.mark.parametrize("part_rows", [None, 1])  # one part, then a part a record
@pytest.mark.parametrize("data", [
    "phone,customer_name\n+14155550100,Zoé\n+1234,José\n+1235,Łukasz\n",
    "phone,customer_name\n+14155550100,Zoé\n",  # nothing rejected: the header alone
])
def test_rejected_csv_opens_in_excel_with_its_accents_and_cleaned_csv_has_no_bom(tmp_path, part_rows, data):
    from csvprep.app.run import clean_file

    source = tmp_path / "contacts.csv"
    source.write_text(data, encoding="utf-8")
    _, paths = clean_file(source, RULES / "basic.toml", tmp_path / "out", part_rows=part_rows)
    rejected = paths["rejected.csv"].read_bytes()
    assert rejected.startswith(b"\xef\xbb\xbfphone,customer_name,row,errors\n")
    assert rejected.count(b"\xef\xbb\xbf") == 1
    assert ("José" in rejected.decode("utf-8-sig")) == ("José" in data)
    assert paths["cleaned.csv"].read_bytes().startswith(b"phone,customer_name\n+14155550100,Zo\xc3\xa9\n")
    if "José" in data:  # and csvprep reads it back as it wrote it
        again = clean(rejected, RULES / "basic.toml")
        assert again.contacts.header == ["phone", "customer_name"]
        assert again.contacts.left_out_columns == ["row", "errors"]


def test_rejected_csv_neutralises_its_header_and_quotes_a_cell_a_spreadsheet_could_split(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('phone,customer_name,"=HYPERLINK(""http://evil.example/"",""x"")"\n'
                      "+1234,\"x;=cmd|' /C calc'!A0\",a\n+14155550101,Ann,b\n", encoding="utf-8")
    out = tmp_path / "out"
    csvprep.clean_file(source, RULES / "basic.toml", out)
    text = (out / "rejected.csv").read_text(encoding="utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith('phone,customer_name,"\'=HYPERLINK(""http://evil.example/"",""x"")",row,errors')
    # prefixed and quoted: Excel splitting on ';' keeps it one cell of text
    assert row.startswith("\"'+1234\",\"'x;=cmd|' /C calc'!A0\",a,2,")
    # fixed and run again, every cell and name is read as it was
    again = csvprep.read_contacts(out / "rejected.csv")
    assert again.header == ["phone", "customer_name", '=HYPERLINK("http://evil.example/","x")']
    assert again.frame.row(0)[:3] == ("+1234", "x;=cmd|' /C calc'!A0", "a")


def test_neutralise_formulas_guards_a_trigger_after_a_separator():
    frame = neutralise_formulas(pl.DataFrame({"a": ["x;=cmd|' /C calc'!A0", "a, -b", "Smith, Jane-Doe", "'=1"]}))
    assert frame["a"].to_list() == ["'x;=cmd|' /C calc'!A0", "'a, -b", "Smith, Jane-Doe", "''=1"]
