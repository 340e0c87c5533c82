"""What cells hold that is not their value: the vocabulary every layer reads cells with (spacing, placeholders,
spreadsheet errors, formula prefixes, text wrapped for Excel) and the form in which names are compared."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

CELL_LIMIT = 32_767  # Excel's limit on the characters in one cell

# what Python's str.strip() removes (str.isspace), for Polars' strip_chars to agree with it
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"
# invisible characters that copying from a web page or a word processor leaves at a cell's ends: with them a
# blank cell would count as filled (the agent greeting 'Hi ,') and a value would carry them to the platform.
# Joiners (U+200C, U+200D) are left: inside Indic words they are spelling.
AT_ENDS = WHITESPACE + "\u200b\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"

# what a spreadsheet shows, and exports, in a cell whose formula failed (a VLOOKUP that found nothing: #N/A);
# LibreOffice writes Err:502 and the like
SPREADSHEET_ERROR = (r"^(?i:#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|ERROR!|FIELD!|BLOCKED!|"
                     r"CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA)|Err:\d{3})$")
SPREADSHEET_ERROR_REASON = "a spreadsheet's error value (its formula failed); fix it in the spreadsheet and export again"

# what software writes for 'no value' when it turns a missing value into text (pandas' astype(str): nan; Python:
# None; JSON and SQL: null): the agent would read it out ('Hi nan'), so such a cell is empty, and says so
PLACEHOLDERS = ("nan", "NaN", "NAN", "None", "null", "NULL", "Null", "undefined", "nil", "<NA>", "NaT")

# what makes a spreadsheet run a cell as a formula (OWASP CSV injection), and the quote csvprep puts before it in
# the files people open in a spreadsheet (taken off again when such a file is read back)
FORMULA_CHARS = r"[=+\-@\t\r]"
FORMULA_START = "^" + FORMULA_CHARS
NEUTRALISED = "^'(" + FORMULA_CHARS + ")"

# ="000123": text an export wrapped so that Excel keeps it as written (leading zeros, a '+'); the text is inside,
# a quote in it doubled. Cells are read through it; the reader's grammar of a raw field and the formula check each
# spell the form their own way (a field, a harmless cell), as they look at it for other reasons.
EXCEL_TEXT = r'[ \t]*="((?:[^"]|"")*)"[ \t]*'
_EXCEL_TEXT = re.compile(EXCEL_TEXT)


def excel_text(cell: str) -> str:
    """The text inside a cell wrapped as ``="…"`` (its doubled quotes undone), else the cell as it is."""
    found = _EXCEL_TEXT.fullmatch(cell)
    return found.group(1).replace('""', '"') if found else cell


def excel_text_expr(cells: pl.Expr) -> pl.Expr:
    """:func:`excel_text` of each cell."""
    wrapped = f"^{EXCEL_TEXT}$"
    return pl.when(cells.str.contains(wrapped)).then(
        cells.str.replace(wrapped, "${1}").str.replace_all('""', '"', literal=True)).otherwise(cells)


def fold_name(name: str) -> str:
    """The form in which header and variable names are compared: only letters and digits count, without case or
    accents: ``Mobile No.`` is ``mobile_no``, ``Téléphone`` is ``telephone``, ``📞 Phone`` (Airtable and Notion
    headers carry emoji) is ``phone``, ``Amount ($)`` is ``amount``."""
    decomposed = unicodedata.normalize("NFKD", name)
    # an accent is a combining mark, dropped; an Indic vowel sign is a spacing one, kept: it spells the word
    return "".join(c for c in decomposed if (c.isalnum() or unicodedata.category(c).startswith("M"))
                   and not unicodedata.combining(c)).casefold()

