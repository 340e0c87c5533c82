"""The text vocabulary of csvprep/model/text.py that guards what leaves csvprep: printable() for terminals and logs
(and its Polars twin), and the formula guard of the files opened in spreadsheets, undone exactly on reading back."""

from __future__ import annotations

import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from csvprep.model.text import (
    CONTROLS,
    formula_guarded,
    formula_guarded_expr,
    printable,
    printable_expr,
    unguarded,
    unguarded_expr,
)


def test_printable_shows_every_control_character_as_its_escape():
    assert printable("+1234\x1b]52;c;SGVsbG8=\x07") == "+1234\\x1b]52;c;SGVsbG8=\\x07"  # OSC 52: the clipboard
    assert printable("\x1b]8;;http://evil.example/\x1b\\Call\x1b]8;;\x1b\\") == \
        "\\x1b]8;;http://evil.example/\\x1b\\Call\\x1b]8;;\\x1b\\"  # OSC 8: a link
    assert printable("Ann\x1b[2J") == "Ann\\x1b[2J"
    assert printable("ok\rforged") == "ok\\rforged"
    assert printable("Ann\nx.csv:9: Row 9: forged") == "Ann\\nx.csv:9: Row 9: forged"
    assert printable("a\tb\x00c\x7fd") == "a\\tb\\x00c\\x7fd"
    assert printable("C1 \x9b31m NEL \x85 LS \u2028 PS \u2029") == "C1 \\x9b31m NEL \\x85 LS \\u2028 PS \\u2029"
    assert printable("\u202eRLO") == "\\u202eRLO"  # a bidi override reorders what the line shows
    # everything else as it is: accents, scripts, emoji, markup-looking text, a Windows path
    for text in ("Zoë Müller", "मोबाइल नंबर", "📞 Phone #", "[/bold]", "C:\\Users\\x.csv", "क्‍ष"):
        assert printable(text) == text


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029" or "\u202a" <= char <= "\u202e" \
        or "\u2066" <= char <= "\u2069"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_printable_leaves_no_control_character_and_shows_each_as_an_escape(text):
    shown = printable(text)
    assert not any(_is_control(char) for char in shown)
    # reversible-looking: each control character is its escape, every other character itself
    expected = "".join(("\\t" if c == "\t" else "\\n" if c == "\n" else "\\r" if c == "\r" else
                        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") if _is_control(c) else c
                       for c in text)
    assert shown == expected
    # the Polars expression gives the same, in bulk
    assert pl.select(printable_expr(pl.lit(pl.Series([text])))).item() == shown


def test_the_control_characters_are_every_c0_and_c1_one_and_the_line_breaks():
    assert set(map(chr, range(0x20))) | {"\x7f"} | set(map(chr, range(0x80, 0xA0))) <= set(CONTROLS)
    assert {"\n", "\r", "\x85", "\u2028", "\u2029", "\x1b"} <= set(CONTROLS)


def test_a_cell_a_spreadsheet_could_split_into_a_formula_is_guarded():
    assert formula_guarded("x;=cmd|' /C calc'!A0") == "'x;=cmd|' /C calc'!A0"
    assert formula_guarded("a,=1+2") == "'a,=1+2"
    assert formula_guarded('a; "=1+2"') == "'a; \"=1+2\""
    assert formula_guarded('=HYPERLINK("http://x")') == "'=HYPERLINK(\"http://x\")"
    for plain in ("Smith, Jane-Doe", "a;b", "VIP, call after 5pm", "O'Brien", "'quoted", "1 + 2"):
        assert formula_guarded(plain) == plain


CELLS = st.text(alphabet=st.sampled_from("'=+-@\t\r\n,;\" ax"), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=5))
def test_taking_the_guard_off_gives_each_cell_back(cells):
    guarded = [formula_guarded(cell) for cell in cells]
    assert [unguarded(cell) for cell in guarded] == cells
    frame = pl.DataFrame({"a": cells})
    bulk = frame.select(formula_guarded_expr(pl.col("a")))
    assert bulk["a"].to_list() == guarded
    assert bulk.select(unguarded_expr(pl.col("a")))["a"].to_list() == cells
