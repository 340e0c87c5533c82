"""Where a record ends (csvprep.io.records): the bulk path, which tells the usual multi-line cells apart without
reading them, must find what reading every suspect line record by record finds, on any bytes."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from csvprep.io.records import record_start

_PLAIN = st.text(alphabet="ab 1,;", max_size=6).map(lambda t: t.replace(",", ""))
_FIELDS = st.one_of(
    _PLAIN,
    _PLAIN.map(lambda t: f"Jo \"{t}"),  # a stray quote inside an unquoted field is text
    st.lists(st.sampled_from(["a", " ", ",", '""', "\n", "\r\n", "\r", "x"]), max_size=6).map(
        lambda parts: '"' + "".join(parts) + '"'),  # a quoted field, over several lines or not
    _PLAIN.map(lambda t: f'="{t}"'),  # a spreadsheet's text cell
    st.just('"'), st.just('"unclosed'), st.just('a"'),
)
_RECORDS = st.lists(st.tuples(st.lists(_FIELDS, min_size=1, max_size=4), st.sampled_from(["\n", "\r\n"])),
                    min_size=1, max_size=12)
_NOISE = st.text(alphabet='a,"\n\r ', max_size=60)


def _line_ends(data: bytes) -> list[int]:
    return [index + 1 for index, byte in enumerate(data) if byte == 0x0A]


def _agree(data: bytes) -> None:
    for end in _line_ends(data):
        assert record_start(data, end, ",") == record_start(data, end, ",", in_bulk=False), (data, end)


@settings(max_examples=400, deadline=None)
@given(_RECORDS)
def test_the_bulk_path_agrees_with_reading_record_by_record(records):
    _agree("".join(",".join(fields) + ending for fields, ending in records).encode())


@settings(max_examples=300, deadline=None)
@given(_NOISE)
def test_the_bulk_path_agrees_on_any_quotes_and_line_breaks(text):
    _agree(text.encode())


def test_a_notes_cell_over_two_lines_is_one_record_and_a_cut_inside_it_moves_to_its_start():
    data = b'phone,notes\n+14155552671,"VIP, call after 5pm\nprefers mornings"\n+14155552672,plain\n'
    first_line_end = data.index(b"5pm\n") + 4
    assert record_start(data, first_line_end, ",") == data.index(b"+14155552671")
    assert record_start(data, len(data), ",") == len(data)
    # the careful reader agrees: three records, the notes cell whole
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows[1][1] == "VIP, call after 5pm\nprefers mornings" and len(rows) == 3


def test_a_whole_looking_line_inside_a_multi_line_cell_is_read_record_by_record():
    # the middle line, '"x"', is a whole record on its own; inside the open cell it closes it instead
    data = b'a,"open\n"x"\nclosed"\nb,c\n'
    for end in _line_ends(data):
        assert record_start(data, end, ",") == record_start(data, end, ",", in_bulk=False)


def test_the_usual_multi_line_cells_are_decided_without_reading_a_record(monkeypatch):
    from csvprep.io import records

    def never(*args):
        raise AssertionError("read record by record")

    monkeypatch.setattr(records, "_careful_record_end", never)
    rows = [b'+1415555%04d,"VIP, call after 5pm\r\nprefers ""mornings"""\r\n' % k if k % 3 == 0 else
            b'+1415555%04d,"Smith, Jo",=\"0415\"\r\n' % k for k in range(30)]
    data = b"phone,notes\r\n" + b"".join(rows)
    inside = data.index(b"5pm\r\n", 200) + 5
    assert record_start(data, inside, ",") == data.rfind(b"+1415555", 0, inside)
    assert record_start(data, len(data), ",") == len(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet='ab"\r\x1f\x1e\x1d\x1c\x01é', max_size=8), st.sampled_from(["\n", "\r\n"])),
                max_size=10), st.sampled_from(["utf-8", "cp1252"]))
def test_the_line_table_gives_every_lines_start(lines, encoding):
    from csvprep.io.records import _line_table

    data = "".join(text + ending for text, ending in lines).encode(encoding)
    starts = [0] + [index + 1 for index, byte in enumerate(data) if byte == 0x0A][:-1] if data else []
    assert _line_table(data).get_column("_offset").to_list() == starts
