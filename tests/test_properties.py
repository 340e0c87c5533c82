"""Property tests: whatever the file, every record is accounted for and nothing crashes."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csvprep
from csvprep import clean, rules_from_dict

RULES = rules_from_dict({"phone": {"default_region": "US", "column": "phone"},
                         "variables": {"customer_name": {"required": True}, "amount": {"type": "decimal"}}})
cells = st.one_of(
    st.sampled_from(["+14155550100", "(415) 555-0101", "+1234", "", " ", "4.15555E+09", "919876543210", "=1+2",
                     "Ann", "1,234.50", "abc", "a,b", 'say "hi"', "two\nlines", "tab\there", "Zoë", "-5"]),
    st.text(max_size=12),
)


@st.composite
def contact_files(draw):
    width = 3
    rows = draw(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=25))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    def quoted(cell):
        # RFC 4180 quoting; Python's csv writer leaves a bare "\n" unquoted when the line terminator is "\r"
        if any(ch in cell for ch in (delimiter, '"', "\r", "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [["phone", "customer_name", "amount"], *rows]
    text = "".join(delimiter.join(quoted(c) for c in line) + newline for line in lines)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return data, delimiter, rows, width


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact_files())
def test_every_record_is_accounted_for(case):
    data, delimiter, rows, width = case
    try:
        result = clean(data, RULES, read_options=csvprep.ReadOptions(delimiter=delimiter))
    except csvprep.InputError as exc:
        # only a file without a single contact may be refused
        assert "no contacts" in str(exc) or "empty" in str(exc) or "binary" in str(exc), str(exc)
        return
    counts = result.counts()
    assert counts["rows_in"] == counts["rows_clean"] + counts["rows_rejected"]
    assert result.cleaned.height + result.rejected.height == result.contacts.records
    # each written row is one record (quoted newlines included), blank ones aside, and a footer: single-field
    # records that end the file after a blank one
    blank = sum(1 for row in rows if all(not c.strip() for c in row))
    footer = len(result.contacts.footer)
    assert counts["rows_in"] + counts["blank_rows"] + footer == len(rows)
    assert counts["blank_rows"] == blank
    tail = []
    if footer:
        filled = [k for k, row in enumerate(rows) if any(c.strip() for c in row)]
        tail = filled[-footer:]
        assert all(len(rows[k]) == 1 for k in tail)
        assert any(not any(c.strip() for c in row) for row in rows[filled[-footer - 1] + 1 if footer < len(filled)
                                                                   else 0:tail[0]])
        assert result.contacts.footer == [rows[k][0].strip() for k in tail]
    # a record whose field count differs from the header's is never cleaned, unless all it has past the header's
    # last column is empty (a delimiter at the end of the line): those fields are dropped, never its contents
    rejected = result.rejected.get_column("row").to_list()
    for k, (row, record) in enumerate(zip(range(2, len(rows) + 2), rows)):
        if not any(c.strip() for c in record) or k in tail:
            continue
        if len(record) < width or any(c.strip() for c in record[width:]):
            assert row in rejected
        elif len(record) > width:
            assert not any(f"expected {width} fields" in message for message in result.issues.filter(
                result.issues["row"] == row).get_column("message").to_list())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_cleanly_or_reported(data):
    try:
        result = clean(data, rules_from_dict({}))
    except csvprep.InputError as exc:
        assert str(exc).strip()
        return
    counts = result.counts()
    assert counts["rows_in"] == counts["rows_clean"] + counts["rows_rejected"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(
    st.one_of(st.sampled_from(["98765 43210", "07400 123456", "(415) 555-0132", "+33 6 12 34 56 78", "", "nan",
                               "0151 23456789", "264 235 1234", "919876543210"]), st.text(max_size=10)),
    st.one_of(st.sampled_from(["91", "+44", "IN", "India", "", "Ind", "1", "0049", "+1-264", "#N/A"]),
              st.text(max_size=6)),
), min_size=1, max_size=20))
def test_a_country_code_column_reads_each_number_as_phonenumbers_does_in_that_country(rows):
    import csv
    import io

    from csvprep.model.e164 import UNKNOWN_REGION
    from csvprep.model.rules import PhoneRule
    from csvprep.stages.phones.parse import parse_phone
    from csvprep.stages.phones.regions import code_region

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["phone", "Country Code", "n"],
                                                       *[[phone, code, str(k)] for k, (phone, code) in
                                                         enumerate(rows)]])
    try:
        result = clean(buffer.getvalue().encode(), rules_from_dict({"phone": {"default_region": "US"}}))
    except csvprep.InputError as exc:
        assert "no contacts" in str(exc), str(exc)
        return
    counts = result.counts()
    assert counts["rows_in"] == counts["rows_clean"] + counts["rows_rejected"]
    for phone, code, number in result.cleaned.select("phone", "Country Code", "n").rows():
        original = rows[int(number)][0]
        region = code_region(code)
        rule = PhoneRule(default_region="US" if region is None else None if region == UNKNOWN_REGION else region)
        assert phone == parse_phone(original, rule).e164
