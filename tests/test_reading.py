import hashlib
import re
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

import csvprep
from csvprep.errors import InputError
from csvprep.io.read import delimited
from csvprep.io.read.delimited import read_bytes
from csvprep.io.read.fast import read_well_formed
from csvprep.io.read.readers import READERS, read_contacts, read_source, reader_for
from csvprep.io.read.sniff import title_lines
from csvprep.io.read.xlsx import XLSX_MAGIC


def names(contacts, column="customer_name"):
    return contacts.frame.get_column(column).to_list()


def test_utf8_bom_never_sticks_to_the_first_header():
    contacts = read_contacts(FIXTURES / "utf8_bom.csv")
    assert contacts.header == ["phone", "customer_name"]
    assert (contacts.encoding, contacts.bom) == ("utf-8", True)


@pytest.mark.parametrize("fixture,encoding", [
    ("utf16le_excel_unicode_text.txt", "utf-16-le"),
    ("utf16be_bom.csv", "utf-16-be"),
])
def test_utf16_with_bom(fixture, encoding):
    contacts = read_contacts(FIXTURES / fixture)
    assert contacts.encoding == encoding and contacts.bom
    assert contacts.header == ["phone", "customer_name"]
    assert contacts.frame.height == 2


def test_excel_unicode_text_is_tab_separated_and_keeps_accents():
    contacts = read_contacts(FIXTURES / "utf16le_excel_unicode_text.txt")
    assert contacts.delimiter == "\t"
    assert contacts.line_endings == "CRLF"
    assert names(contacts) == ["Zoë", "José"]


def test_cp1252_is_detected_and_decoded_exactly():
    contacts = read_contacts(FIXTURES / "cp1252_export.csv")
    assert contacts.encoding == "cp1252"
    assert names(contacts) == ["Café – Renée"]


def test_mixed_encodings_are_refused_naming_the_line():
    with pytest.raises(csvprep.InputError, match=r"line 3: byte 0xe9 is not UTF-8.*mixes encodings"):
        read_contacts(FIXTURES / "mixed_encoding.csv")


def test_encoding_override():
    contacts = read_contacts(FIXTURES / "mixed_encoding.csv", csvprep.ReadOptions(encoding="latin-1"))
    assert names(contacts) == ["ZoÃ«", "Renée"]


def test_undecodable_byte_under_a_forced_encoding_names_the_line():
    with pytest.raises(csvprep.InputError, match=r"line 3: bytes e9 0a cannot be decoded as utf-8|line 3: bytes e9"):
        read_contacts(FIXTURES / "mixed_encoding.csv", csvprep.ReadOptions(encoding="utf-8"))


@pytest.mark.parametrize("fixture,delimiter", [
    ("semicolon_european_excel.csv", ";"),
    ("pipe_delimited.csv", "|"),
    ("utf8_bom.csv", ","),
])
def test_delimiter_is_sniffed(fixture, delimiter):
    assert read_contacts(FIXTURES / fixture).delimiter == delimiter


def test_semicolon_file_keeps_decimal_commas_inside_fields():
    contacts = read_contacts(FIXTURES / "semicolon_european_excel.csv")
    assert contacts.frame.get_column("Betrag").to_list() == ["1.234,50", "12,00"]


@pytest.mark.parametrize("fixture,endings", [
    ("crlf_line_endings.csv", "CRLF"),
    ("cr_only_line_endings.csv", "CR"),
])
def test_line_endings(fixture, endings):
    contacts = read_contacts(FIXTURES / fixture)
    assert contacts.line_endings == endings
    assert contacts.frame.get_column("phone").to_list() == ["+14155550100", "(415) 555-0101"]
    assert contacts.frame.get_column("_line").to_list() == [2, 3]


def test_ragged_rows_are_set_aside_never_padded():
    contacts = read_contacts(FIXTURES / "ragged_rows.csv")
    assert contacts.frame.get_column("_row").to_list() == [2, 5]
    broken = contacts.broken.to_dicts()
    assert [(b["_row"], b["code"], b["message"]) for b in broken] == [
        (3, "wrong_field_count", "expected 3 fields, found 2"),
        (4, "wrong_field_count", "expected 3 fields, found 4"),
    ]
    assert broken[0]["_raw"] == "+14155550101,Bob"
    assert contacts.records == 4


def test_unterminated_quote_rejects_its_line_and_reading_goes_on():
    contacts = read_contacts(FIXTURES / "unterminated_quote.csv")
    assert contacts.broken.select("_row", "_line", "code").rows() == [(2, 2, "unterminated_quote")]
    assert contacts.frame.get_column("customer_name").to_list() == ["Bob", "Cy"]
    assert contacts.frame.get_column("_row").to_list() == [3, 4]


def test_stray_quotes_are_reported():
    contacts = read_contacts(FIXTURES / "stray_quote.csv")
    assert contacts.broken.select("_row", "code").rows() == [(2, "stray_quote"), (3, "stray_quote")]
    assert names(contacts) == ["Cy"]


def test_a_quote_left_open_names_the_lines_it_swallowed():
    # as a spreadsheet reads it: the quote runs to the next one, three lines on; the lines are named to find it
    contacts = read_contacts(FIXTURES / "quote_left_open_over_four_lines.csv")
    assert contacts.broken.select("_row", "_line", "code").rows() == [(3, 3, "stray_quote")]
    assert "the record runs over lines 3-6: check for an unbalanced quote" in contacts.broken.get_column("message")[0]
    assert names(contacts) == ["Ann", "Fay"]
    assert contacts.frame.select("_row", "_line").rows() == [(2, 2), (4, 7)]


def test_a_title_above_the_header_is_skipped_and_rows_keep_the_spreadsheet_numbers():
    contacts = read_contacts(FIXTURES / "title_rows_above_the_header.csv")
    assert contacts.header == ["phone", "customer_name"] and contacts.header_row == 4
    assert contacts.frame.select("_row", "_line").rows() == [(5, 5), (6, 6)]
    assert names(contacts) == ["Ann", "Bob"]
    assert title_lines((FIXTURES / "title_rows_above_the_header.csv").read_bytes()) == 3


def test_a_title_padded_as_a_spreadsheet_saves_it_is_skipped_too():
    contacts = read_contacts(FIXTURES / "title_row_saved_by_excel.csv")  # 'Contacts for March,,' then ',,'
    assert contacts.header == ["phone", "customer_name", "notes"] and contacts.header_row == 3
    assert contacts.frame.get_column("_row").to_list() == [4, 5, 6]
    assert title_lines((FIXTURES / "title_row_saved_by_excel.csv").read_bytes()) == 2


def test_a_title_the_delimiter_splits_into_cells_is_skipped_too():
    contacts = read_contacts(FIXTURES / "title_split_into_cells.csv")  # 'Contacts, March 2026', 'Exported by,...'
    assert contacts.header == ["phone", "customer_name", "notes", "city"] and contacts.header_row == 3
    assert contacts.frame.get_column("_row").to_list() == [4, 5, 6]
    assert contacts.frame.get_column("notes").to_list() == ["first", "", "a, b"]
    assert title_lines((FIXTURES / "title_split_into_cells.csv").read_bytes()) == 2


@pytest.mark.parametrize("text, header_row", [
    ((FIXTURES / "group_titles_above_the_header.csv").read_text(), 2),  # 'Contact,,Billing,' over merged cells
    ("Contact,,,Billing\nphone,customer_name,amount,due\n+14155550100,Ann,1,2\n+14155550101,Bo,3,4\n", 2),
])
def test_group_titles_over_merged_cells_above_the_header_are_skipped(text, header_row):
    contacts = read_bytes(text.encode())
    assert contacts.header[:2] == ["phone", "customer_name"] and contacts.header_row == header_row
    assert contacts.frame.get_column("_row").to_list() == [header_row + 1, header_row + 2]


def test_a_header_with_an_unnamed_column_of_data_stays_the_header_above_a_row_without_numbers():
    assert title_lines(b"phone,,name\nn/a,x,Ann\n+14155550101,y,Bob\n") == 0
    with pytest.raises(InputError, match="line 1: column 2 has no header name but holds data"):
        read_bytes(b"phone,,name\nn/a,x,Ann\n+14155550101,y,Bob\n")


def test_a_title_with_a_comma_does_not_decide_the_delimiter():
    # 'Kontakte, März 2026' above a semicolon table whose amounts have a decimal comma
    contacts = read_contacts(FIXTURES / "title_with_a_comma_above_a_semicolon_table.csv")
    assert contacts.delimiter == ";" and contacts.header == ["telefon", "customer_name", "betrag"]
    assert contacts.frame.get_column("betrag").to_list() == ["12,50", "7,25", "100,00"]


@pytest.mark.parametrize("text", [
    "phone,name\n+14155550100,Ann,x,y\n+14155550101,Bob,z,w\n",  # rows wider than the header: not a title
    "phone,,name\n+14155550100,,Ann\n+14155550101,,Bob\n",  # an unnamed empty column: still the header
    "phone\n+14155550100\n+14155550101,\n+14155550102\n",  # one column, one stray comma: no title
    "phone,,\n+14155550100,,\n+14155550101,,\n",  # one column padded by a spreadsheet: no title
    "phone,name\n+14155550100\nAnn,x\n",  # the first row is as wide as the others: it is the header
])
def test_the_first_row_stays_the_header_when_the_rows_below_are_not_a_wider_table(text):
    contacts = read_bytes(text.encode())
    assert contacts.header_row == 1 and title_lines(text.encode()) == 0


def test_empty_fields_past_the_header_from_a_trailing_delimiter_are_dropped_not_the_rows():
    contacts = read_contacts(FIXTURES / "trailing_delimiter_on_data_rows.csv")
    assert names(contacts) == ["Ann", "Bob", "Cy"]
    assert contacts.dropped_columns == ["", ""]  # as an unnamed empty column, twice for 'Cy,,'
    # a field past the header that holds something is never dropped: the record is refused
    assert contacts.broken.select("_row", "code").rows() == [(5, "wrong_field_count")]


def test_multiline_quoted_field_is_one_row_with_its_first_line():
    contacts = read_contacts(FIXTURES / "multiline_quoted_notes.csv")
    assert contacts.frame.select("_row", "_line").rows() == [(2, 2), (3, 4)]
    assert contacts.frame.get_column("notes")[0] == "line one\nline two, with comma"
    assert names(contacts)[1] == 'Bob "The Builder"'


def test_blank_lines_are_counted_not_contacts():
    contacts = read_contacts(FIXTURES / "blank_lines.csv")
    assert contacts.blank_rows == 3
    # blank lines are rows in a spreadsheet, so the rows after them keep the spreadsheet's numbers
    assert contacts.frame.get_column("_row").to_list() == [3, 6]


def test_trailing_empty_columns_and_rows_from_excel_are_dropped():
    contacts = read_contacts(FIXTURES / "trailing_empty_columns.csv")
    assert contacts.header == ["phone", "customer_name"]
    assert contacts.dropped_columns == ["", ""]
    assert contacts.blank_rows == 1
    assert names(contacts) == ["Ann", "Bob"]


def test_nul_byte_is_reported_per_record():
    contacts = read_contacts(FIXTURES / "nul_byte.csv")
    assert contacts.broken.select("_row", "code").rows() == [(2, "nul_byte")]
    assert names(contacts) == ["Bob"]


def test_field_over_excels_cell_limit():
    data = ("phone,notes\n+14155550100," + "x" * 40_000 + "\n+14155550101,ok\n").encode()
    contacts = read_bytes(data)
    assert contacts.broken.select("_row", "code").rows() == [(2, "field_too_large")]
    assert "40,000 characters" in contacts.broken.get_column("message")[0]


@pytest.mark.parametrize("quote", ["", '"'])
def test_a_cell_under_the_limit_in_characters_but_not_in_bytes_is_kept(quote):
    # 20,000 two-byte characters: past the limit only if bytes were counted
    notes = quote + "é" * 20_000 + quote
    contacts = read_bytes(f"phone,notes\n+14155550100,{notes}\n+14155550101,ok\n".encode())
    assert contacts.broken.height == 0
    assert contacts.frame.get_column("notes").to_list() == ["é" * 20_000, "ok"]


@pytest.mark.parametrize("fixture,message", [
    ("empty.csv", "the file is empty"),
    ("header_only.csv", "a header row but no contacts"),
    ("duplicate_headers.csv", "duplicate column names in the header: 'name'"),
    ("blank_header_with_data.csv", "column 2 has no header name but holds data"),
    ("gzip_compressed.csv", "gzip-compressed"),
    ("json_export_named_csv.csv", "the file is JSON, not CSV text"),
    ("html_page_saved_as_csv.csv", "the file is an HTML page, not CSV text"),
])
def test_file_level_refusals(fixture, message):
    with pytest.raises(csvprep.InputError, match=message):
        read_contacts(FIXTURES / fixture)


@pytest.mark.parametrize("data,message", [
    (b'{"phone": "+14155550100"}\n{"phone": "+14155550101"}\n', "JSON"),  # JSON lines
    (b'\xef\xbb\xbf<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">\n',
     "an Excel 2003 XML spreadsheet, not CSV text: save it as CSV or .xlsx"),
    (b"{\\rtf1\\ansi phone,name\\par +14155550100,Ann}", "an RTF document"),
])
def test_text_that_is_not_a_table_says_what_it_is(data, message):
    with pytest.raises(csvprep.InputError, match=re.escape(message)):
        read_bytes(data)


def test_a_header_in_brackets_or_braces_is_still_a_csv_header():
    assert read_bytes(b"[Phone],[Name]\n+14155550100,Ann\n").header == ["[Phone]", "[Name]"]
    assert read_bytes(b"{phone},{name}\n+14155550100,Ann\n").header == ["{phone}", "{name}"]


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(csvprep.InputError, match="is a directory"):
        read_contacts(tmp_path)
    with pytest.raises(csvprep.InputError, match="no such file"):
        read_contacts(tmp_path / "nope.csv")


def test_binary_content_is_refused():
    with pytest.raises(csvprep.InputError, match="binary"):
        read_bytes(bytes(range(256)) * 40)


def test_single_column_phone_list_is_accepted_but_other_single_columns_ask_for_a_delimiter():
    assert read_contacts(FIXTURES / "phone_list_single_column.csv").header == ["phone"]
    with pytest.raises(csvprep.InputError, match="single column.*--delimiter"):
        read_bytes(b"name:phone\nAnn:+14155550100\n")
    contacts = read_bytes(b"name:phone\nAnn:+14155550100\n", options=csvprep.ReadOptions(delimiter=":"))
    assert contacts.header == ["name", "phone"]
    # a single column whose header names the phone in words of its own
    assert read_bytes(b"PHONE NUMBERS\n0 - 22 1985--324\n(415) 555-0100\n").header == ["PHONE NUMBERS"]


def test_leading_zeros_stay_text():
    contacts = read_bytes(b"phone,customer_name\n0415555123,Ann\n")
    assert contacts.frame.get_column("phone").to_list() == ["0415555123"]


def test_sha256_of_the_input_bytes():
    data = (FIXTURES / "utf8_bom.csv").read_bytes()
    assert read_contacts(FIXTURES / "utf8_bom.csv").sha256 == hashlib.sha256(data).hexdigest()


def test_xlsx_number_cells_come_back_as_their_digits():
    contacts = read_contacts(FIXTURES / "excel_number_cells.xlsx")
    assert contacts.header == ["Phone Number", "Customer Name", "Amount"]
    assert contacts.frame.get_column("Phone Number").to_list()[:3] == ["14155550100", "+1 415 555 0101",
                                                                      "919876543210"]
    assert contacts.frame.get_column("_row").to_list() == [2, 3, 4, 5, 7]  # Excel's row numbers, blank row 6 kept
    assert contacts.blank_rows == 1
    assert contacts.describe()["sheet"] == "Sheet"


def test_a_zip_that_is_not_named_as_a_workbook_is_refused():
    with pytest.raises(csvprep.InputError, match="zip archive.*name it .xlsx"):
        read_contacts(FIXTURES / "workbook_named_csv.csv")


def test_ambiguous_delimiter_asks_for_one():
    with pytest.raises(csvprep.InputError, match=r"delimiter is ambiguous \(comma and semicolon.*pass --delimiter"):
        read_bytes(b"phone,a;b\n+14155550100,1;2\n")


def test_utf16_without_bom_is_recognised():
    contacts = read_bytes("phone,customer_name\n+14155550100,Zoë\n".encode("utf-16-le"))
    assert contacts.encoding == "utf-16-le" and not contacts.bom
    assert names(contacts) == ["Zoë"]


def test_byte_undefined_in_cp1252_names_its_line():
    with pytest.raises(csvprep.InputError, match=r"line 3: bytes 81 cannot be decoded as cp1252 \(pass --encoding"):
        read_bytes(b"phone,customer_name\n+14155550100,Ann\n+14155550101,B\x81b\n")


# The fast path for well-formed files must read exactly what the careful path reads.

_fast_cells = st.one_of(
    st.sampled_from(["", " ", "+14155550100", "a,b", 'say "hi"', "two\nlines", "crlf\r\ninside", "Zoë", "\t",
                     '""', "x;y", "p|q", "=1+2", "\u00a0", "  padded  ", '="000123"', '="+1 415"', '=""']),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=8),
)


@st.composite
def _well_formed_texts(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    width = draw(st.integers(1, 4))
    header = [f"col{i}" for i in range(width)]
    if width > 1 and draw(st.booleans()):
        header[-1] = ""  # Excel's trailing unnamed column
    rows = draw(st.lists(st.one_of(st.lists(_fast_cells, min_size=width, max_size=width), st.just([])),
                         max_size=15))

    def quoted(cell):
        if re.fullmatch(r'="[^"\r\n]*"', cell) and delimiter not in cell and draw(st.booleans()):
            return cell  # bare, as exports write text for Excel to keep
        needs = any(ch in cell for ch in (delimiter, '"', "\r", "\n")) or draw(st.booleans())
        return '"' + cell.replace('"', '""') + '"' if needs else cell

    lines = [delimiter.join(header)] + [delimiter.join(quoted(c) for c in row) for row in rows]
    return newline.join(lines) + (newline if draw(st.booleans()) else ""), delimiter


def _same_contacts(fast, careful):
    assert fast.header == careful.header
    assert fast.frame.equals(careful.frame), (fast.frame, careful.frame)
    assert fast.blank_rows == careful.blank_rows
    assert fast.dropped_columns == careful.dropped_columns
    assert fast.broken.height == careful.broken.height == 0


@settings(max_examples=300, deadline=None)
@given(_well_formed_texts())
def test_fast_path_reads_well_formed_files_exactly_as_the_careful_path(case):
    text, delimiter = case
    try:
        careful = delimited._read_carefully(text, "<t>", delimiter)
    except InputError as exc:
        with pytest.raises(InputError, match=re.escape(str(exc).split(": ", 1)[1][:30])):
            read_well_formed(text, "<t>", delimiter) or delimited._read_carefully(text, "<t>", delimiter)
        return
    fast = read_well_formed(text, "<t>", delimiter)
    crlf = text.count("\r\n")
    # a header naming only its first column may be a title above the table (the careful path looks into it)
    maybe_title = delimiter in text.splitlines()[0] and text.splitlines()[0].strip(delimiter) == "col0"
    if crlf in (0, text.count("\n")) and text.count("\r") == crlf and not maybe_title:  # mixed endings: careful
        assert fast is not None, "a well-formed file must take the fast path"
    if fast is not None:
        _same_contacts(fast, careful)


@st.composite
def _quote_free_texts(draw):
    # most exports hold no quote at all: the fast path then skips counting quotes and joining lines
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    width = draw(st.integers(1, 4))
    cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                           blacklist_characters=f'\x00\r\n"{delimiter}'), max_size=8)
    rows = draw(st.lists(st.one_of(st.lists(cells, min_size=width, max_size=width), st.just([])), max_size=15))
    lines = [delimiter.join(f"col{i}" for i in range(width))] + [delimiter.join(row) for row in rows]
    return newline.join(lines) + (newline if draw(st.booleans()) else ""), delimiter


@settings(max_examples=200, deadline=None)
@given(_quote_free_texts())
def test_fast_path_reads_files_without_quotes_exactly_as_the_careful_path(case):
    text, delimiter = case
    try:
        careful = delimited._read_carefully(text, "<t>", delimiter)
    except InputError:
        return
    fast = read_well_formed(text, "<t>", delimiter)
    if fast is not None:
        _same_contacts(fast, careful)


def test_a_ragged_record_without_quotes_leaves_the_fast_path():
    assert read_well_formed("a,b\n1,2\n3\n4,5\n", "<t>", ",") is None
    text = "a,b\n1,2\n\n4,5\n"
    fast = read_well_formed(text, "<t>", ",")
    assert fast is not None and fast.blank_rows == 1
    _same_contacts(fast, delimited._read_carefully(text, "<t>", ","))


@pytest.mark.parametrize("width", [3, 499, 501, 800])
def test_fast_path_counts_fields_of_quoted_records_in_narrow_and_very_wide_files(width):
    # up to 500 columns the field count is part of the record pattern; wider files count delimiters instead
    header = ",".join(f"c{i}" for i in range(width))
    good = ",".join('"a,b"' if i % 2 else "x" for i in range(width))
    short = ",".join('"a,b"' if i % 2 else "x" for i in range(width - 1))
    well_formed = f"{header}\n{good}\n{good}\n"
    fast = read_well_formed(well_formed, "<t>", ",")
    assert fast is not None and fast.frame.height == 2 and fast.line_endings == "LF"
    _same_contacts(fast, delimited._read_carefully(well_formed, "<t>", ","))
    assert read_well_formed(f"{header}\n{good}\n{short}\n", "<t>", ",") is None


def test_fast_path_reports_the_line_endings_it_checked():
    assert read_well_formed("a,b\r\n1,2\r\n", "<t>", ",").line_endings == "CRLF"
    assert read_well_formed("a,b\n1,2", "<t>", ",").line_endings == "LF"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(['"', ",", "\n", "\r\n", "a", " ", "b", "\r", "="]), max_size=40).map("".join))
def test_fast_path_gives_way_or_agrees_on_damaged_text(text):
    try:
        careful = delimited._read_carefully("h1,h2\n" + text, "<t>", ",")
    except InputError:
        return
    fast = read_well_formed("h1,h2\n" + text, "<t>", ",")
    if fast is not None:
        _same_contacts(fast, careful)


def test_utf8_files_are_read_without_decoding_them_whole_and_agree(monkeypatch):
    data = "\ufeffphone,customer_name\n+14155550100,Zoë\n+14155550101,\"Ann, \"\"the\"\" first\"\n".encode("utf-8")
    direct = read_bytes(data)
    calls = []
    monkeypatch.setattr(delimited, "_read_utf8_directly", lambda *args: calls.append(args) or None)
    usual = read_bytes(data)
    assert calls and direct.frame.equals(usual.frame)
    assert (direct.encoding, direct.bom, direct.line_endings) == (usual.encoding, usual.bom, usual.line_endings)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fast_path_reads_records_over_several_lines_anywhere(newline):
    # a header cell with a line break in it (Alt+Enter in Excel), a multi-line cell in the first record, a blank
    # line, and a quoted record that is blank: the fast path reads them all as the careful path does
    text = newline.join([
        'phone,"Customer', 'Name",notes',
        '+14155550100,Ann,"first', 'second"',
        "",
        '+14155550101,"Bo, Jr.",',
        '"","",""',
        '+14155550102,Cy,"x', '', 'y"',
    ]) + newline
    fast = read_well_formed(text, "<t>", ",")
    assert fast is not None
    _same_contacts(fast, delimited._read_carefully(text, "<t>", ","))
    assert fast.header == ["phone", f"Customer{newline}Name", "notes"]
    assert fast.frame.get_column("_row").to_list() == [2, 4, 6]
    assert fast.frame.get_column("_line").to_list() == [3, 6, 8]
    assert fast.frame.get_column("notes").to_list() == [f"first{newline}second", "", f"x{newline}{newline}y"]
    assert fast.blank_rows == 2


def test_invalid_utf8_after_valid_lines_still_takes_the_usual_way():
    data = "phone,customer_name\n+14155550100,Zoë\n".encode("utf-8") + b"+14155550101,Bj\xf6rn\n"
    with pytest.raises(InputError, match="mixes encodings"):
        read_bytes(data)
    ascii_then_cp1252 = b"phone,customer_name\n+14155550100,Ann\n+14155550101,Bj\xf6rn\n"
    assert read_bytes(ascii_then_cp1252).encoding == "cp1252"
    # cp1252's 'Â' and a no-break space are valid UTF-8 together: alone on their line they are no mix
    cp1252_like_utf8 = b"phone,customer_name\n+14155550100,\xc2\xa0\xa0\n"
    assert read_bytes(cp1252_like_utf8).encoding == "cp1252"


@pytest.mark.parametrize("header, left_out", [
    ("phone,name,row,errors", ["row", "errors"]),
    ("phone,name,row,errors,raw", ["row", "errors", "raw"]),
    ("phone,row,csvprep_row,csvprep_errors", ["csvprep_row", "csvprep_errors"]),  # the file had a 'row' already
    ("phone,name,row,rejected_reason", ["row", "rejected_reason"]),  # Sarvam's name for the reasons
    ("phone,row,name,errors", []),  # not how csvprep writes them
    ("row,errors", []),  # nothing else: not an earlier rejected.csv
    ("phone,name,Row,Errors", []),
])
def test_an_earlier_rejected_csv_leaves_its_own_columns_out(header, left_out):
    width = header.count(",") + 1
    contacts = read_bytes(f"{header}\n{','.join(['7'] * width)}\n".encode())
    assert contacts.left_out_columns == left_out
    assert contacts.header == header.split(",")[: width - len(left_out)]
    assert contacts.describe()["left_out_columns"] == left_out


def test_an_earlier_rejected_csv_gets_back_the_cells_it_guarded_against_formulas():
    from csvprep.io.csv_out import neutralise_formulas

    original = ["+44 7400 123456", "=1+2", "-5", "@home", "\tx", "plain", "'quoted", "O'Brien"]
    guarded = neutralise_formulas(pl.DataFrame({"phone": original})).get_column("phone").to_list()
    assert guarded[0] == "'+44 7400 123456"
    text = "phone,row,errors\n" + "".join(f'"{cell}",{i + 2},x\n' for i, cell in enumerate(guarded))
    assert read_bytes(text.encode()).frame.get_column("phone").to_list() == original
    # in any other file a leading ' is the file's own
    other = "phone,name\n'+44 7400 123456,a\n"
    assert read_bytes(other.encode()).frame.get_column("phone").to_list() == ["'+44 7400 123456"]


def test_excel_for_macs_csv_with_cr_line_ends_is_read_as_mac_roman():
    # Excel for Mac's "CSV (Macintosh)": CR-only lines in Mac Roman; read as cp1252, 'ç' (0x8d) would not decode
    # and 'é' (0x8e) would be 'Ž'
    contacts = read_contacts(FIXTURES / "mac_roman_excel_for_mac.csv")
    assert (contacts.encoding, contacts.line_endings) == ("mac_roman", "CR")
    assert contacts.frame.get_column("customer_name").to_list() == ["Zoë Müller", "François Gérard", "Ñuño Çelik"]


def test_a_byte_only_mac_roman_has_suggests_it():
    data = "phone,customer_name\n+14155550100,François\n".encode("mac_roman")
    with pytest.raises(csvprep.InputError, match=r"line 2: bytes 8d cannot be decoded as cp1252 \(pass --encoding "
                                                   r"if the file uses another: mac_roman for Excel for Mac's"):
        read_bytes(data)


WORKBOOK = FIXTURES / "workbook_instructions_sheet_first.xlsx"  # 'Read me', then 'Contacts', then 'Archive'


def test_a_workbook_is_read_from_its_first_sheet_with_a_phone_column():
    contacts = read_contacts(WORKBOOK)
    assert (contacts.sheet, contacts.sheets) == ("Contacts", ["Read me", "Contacts", "Archive"])
    assert contacts.header == ["Mobile", "customer_name"] and contacts.frame.height == 3


@pytest.mark.parametrize("sheet,read", [("Archive", "Archive"), (" archive ", "Archive"), ("3", "Archive"),
                                        ("1", "Read me")])
def test_a_workbooks_sheet_is_chosen_by_name_or_number(sheet, read):
    assert read_contacts(WORKBOOK, csvprep.ReadOptions(sheet=sheet)).sheet == read


def test_a_sheet_the_workbook_lacks_lists_those_it_has():
    with pytest.raises(csvprep.InputError, match=r"no sheet 'Leads'; the workbook's sheets: 'Read me', 'Contacts', "
                                                   r"'Archive'"):
        read_contacts(WORKBOOK, csvprep.ReadOptions(sheet="Leads"))


def test_pandas_index_column_is_left_out_and_said():
    # df.to_csv() writes the index first, unnamed: row numbers, even with gaps after a filter
    contacts = read_contacts(FIXTURES / "pandas_to_csv_with_its_index.csv")
    assert contacts.header == ["phone", "customer_name"] and contacts.left_out_index
    assert contacts.frame.get_column("phone").to_list()[:2] == ["+14155550132", "(415) 555-0133"]
    assert contacts.describe()["left_out_index"] is True


@pytest.mark.parametrize("data,column", [
    (b",phone\nA1,+14155550132\n", 1),  # not whole numbers: an unnamed column of data, which needs a name
    (b",phone\n1,+14155550132\n,+14155550133\n", 1),  # a blank among them
    (b"phone,,name\n+14155550132,1,Ann\n", 2),  # whole numbers, but not first
])
def test_unnamed_columns_that_are_no_index_still_need_a_name(data, column):
    with pytest.raises(csvprep.InputError, match=f"column {column} has no header name but holds data; name it"):
        read_bytes(data)


def test_a_semicolon_in_one_cell_of_every_row_does_not_make_the_delimiter_ambiguous():
    # split at ';' the header is one cell above rows of two: it looked like a title, and both delimiters scored
    # alike; the one that needs no title wins
    contacts = read_bytes(b"phone,Country Code,n\n(415) 555-0132,;,0\n98765 43210,;,1\n")
    assert (contacts.delimiter, contacts.header, contacts.header_row) == (",", ["phone", "Country Code", "n"], 1)


@pytest.mark.parametrize("text", [
    'phone,id\n="+14155550100",="000123"\n+14155550101,="0042"\n',
    'phone,id\n="+14155550100",="000123"\n"two\nlines",="7"\n',  # a record over two lines: the careful path
])
def test_text_wrapped_for_excel_and_written_bare_is_well_formed(text):
    # ="000123" unquoted is how many systems export text for Excel to keep: no stray quote
    careful = delimited._read_carefully(text, "<t>", ",")
    assert careful.broken.height == 0
    assert careful.frame.get_column("id").to_list()[0] == '="000123"'
    fast = read_well_formed(text, "<t>", ",")
    assert fast is not None
    _same_contacts(fast, careful)


@pytest.mark.parametrize("cell", ['="a"b"', '="a,b"', 'x="a"'])
def test_quotes_that_are_no_bare_excel_text_are_still_stray(cell):
    contacts = read_bytes(f"phone,id\n+14155550100,{cell}\n".encode())
    assert contacts.broken.get_column("code").to_list() in (["stray_quote"], ["wrong_field_count"])


def test_a_reports_footer_below_the_table_is_skipped_and_said():
    # Salesforce's report export ends with a blank line, then its copyright, confidentiality and 'Generated By'
    contacts = read_contacts(FIXTURES / "salesforce_report_with_footer.csv")
    assert contacts.frame.height == 2 and contacts.broken.height == 0 and contacts.blank_rows == 2
    assert contacts.footer == ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
                               "Confidential Information - Do Not Distribute",
                               "Generated By:  Jane Doe  11/24/2026, 5:30 AM", "Acme, Inc."]
    assert contacts.describe()["footer_rows"] == 4


@pytest.mark.parametrize("text", [
    "phone,name\n+14155550100,Ann\nGenerated by CRM\n",  # no blank line before it: a broken record
    "phone,name\n+14155550100,Ann\n\nGenerated by CRM\n+14155550101,Bob\n",  # contacts after it: not the end
    "phone,name\n+14155550100,Ann\n\nGenerated by CRM\nx,y,z\n",  # not all single fields
    "phone,name\n+14155550100,Ann\n\n+14155550101\n",  # a number: a contact short of a field
    'phone,name\n+14155550100,Ann\n\n"Generated\nby CRM"\n',  # over two lines
])
def test_what_is_no_footer_stays_a_broken_record(text):
    contacts = read_bytes(text.encode())
    assert contacts.footer == [] and "wrong_field_count" in contacts.broken.get_column("code").to_list()


def test_a_footer_is_looked_for_only_at_the_end_of_the_file():
    text = b"phone,name\n+14155550100,Ann\n\nGenerated by CRM\n"
    assert read_bytes(text).footer == ["Generated by CRM"]
    assert read_bytes(text + b"\n\n").footer == ["Generated by CRM"]  # blank lines after it too
    assert read_bytes(text, at_end=False).broken.get_column("code").to_list() == ["wrong_field_count"]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "mac_roman"])
def test_a_utf8_bom_never_sticks_to_the_first_header_whatever_the_encoding_asked_for(encoding):
    # Gmail's Outlook CSV: a UTF-8 BOM, then cp1252 text; read with --encoding cp1252 the BOM was 'ï»¿First Name'
    contacts = read_contacts(FIXTURES / "gmail_outlook_csv_bom_then_cp1252.csv", csvprep.ReadOptions(encoding=encoding))
    assert contacts.header == ["First Name", "Last Name", "Mobile Phone"]
    assert contacts.bom and contacts.encoding == encoding
    assert names(contacts, "First Name") == ["José" if encoding != "mac_roman" else "JosÈ"]


def test_the_reader_is_chosen_by_the_first_bytes_and_the_name():
    workbook = WORKBOOK.read_bytes()
    assert reader_for(workbook, WORKBOOK).name == "xlsx"
    assert reader_for(XLSX_MAGIC, Path("list.XLSM")).name == "xlsx"
    assert reader_for(XLSX_MAGIC, Path("list.csv")).name == "csv"  # refused as a zip archive, with a hint
    assert reader_for(XLSX_MAGIC, None).name == "csv"  # bytes without a name (standard input): never a workbook
    assert reader_for(b"phone\n+14155550100\n", Path("list.xlsx")).name == "csv"
    assert [reader.splittable for reader in READERS] == [False, True]


def test_a_source_is_a_path_bytes_or_a_frame():
    path = FIXTURES / "semicolon_european_excel.csv"
    _same_contacts(read_source(path, None, "ignored"), read_contacts(path))
    from_bytes = read_source(path.read_bytes(), csvprep.ReadOptions(delimiter=";"), "<stdin>")
    assert from_bytes.source == "<stdin>" and from_bytes.delimiter == ";"
    _same_contacts(from_bytes, read_contacts(path))
    assert read_source(WORKBOOK, csvprep.ReadOptions(sheet="Archive"), "ignored").sheet == "Archive"
    with pytest.raises(InputError, match="zip archive"):
        read_source(WORKBOOK.read_bytes(), None, "<stdin>")
    frame = read_source(pl.DataFrame({" phone ": ["+14155550100"], "n": [7]}), None, "ignored")
    assert frame.header == ["phone", "n"] and frame.frame.rows() == [("+14155550100", "7", 2, 2)]
    assert frame.source == "<frame>" and frame.broken.height == 0
