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

# what makes a spreadsheet run a cell as a formula (OWASP CSV injection); the quote csvprep puts before such cells in
# the files people open in a spreadsheet (taken off again when such a file is read back) is FORMULA_CELL's, below
FORMULA_CHARS = r"[=+\-@\t\r]"
FORMULA_START = "^" + FORMULA_CHARS

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



# --- what reaches a terminal or a log ------------------------------------------------------------------------------
# A cell, a header or a file name printed raw can drive the terminal: ESC starts colour, clear-screen and OSC
# sequences (OSC 52 writes the clipboard, OSC 8 makes links), CR overwrites what was printed, a line break forges a
# `FILE:LINE: Row N:` line of its own. Every control character (C0, DEL, C1: NEL is one), the Unicode line and
# paragraph separators and the bidirectional embeddings, overrides and isolates (they reorder what a line shows)
# are printed as an escape instead, the way Python writes them: `\x1b`, `\n`, `\r`, `\t`, `\u2028`.
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
CONTROLS = tuple(chr(code) for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                                        *range(0x2066, 0x206A)))
ESCAPES = tuple(_NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
                for char in CONTROLS)
_ESCAPE = dict(zip(CONTROLS, ESCAPES))
_CONTROL = re.compile("[" + "".join(re.escape(char) for char in CONTROLS) + "]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal or in a log: every control character shown as its escape
    (``'a\\x1b]52;c;…'``, ``'two\\nlines'``), everything else as it is."""
    return _CONTROL.sub(lambda found: _ESCAPE[found.group()], text)


def printable_expr(texts: pl.Expr, keep: str = "") -> pl.Expr:
    """:func:`printable` of each cell, in one pass over the column (Aho-Corasick): for printers of millions of
    lines. ``keep``: control characters the caller escapes its own way (the GitHub format's CR and LF)."""
    pairs = [(char, escape) for char, escape in zip(CONTROLS, ESCAPES) if char not in keep]
    return texts.str.replace_many([char for char, _ in pairs], [escape for _, escape in pairs])


def shown_name(name: object) -> str:
    """A file's name as messages and reports give it: a byte that is not UTF-8 (a name from another system, kept by
    Python as a lone surrogate, which no UTF-8 output can write) as ``\\xff``, and every control character as
    :func:`printable` shows it, so that a name holding a line break cannot split a ``FILE:LINE:`` line in two."""
    return printable(str(name).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


# --- cells for a spreadsheet -----------------------------------------------------------------------------------------
# A cell a spreadsheet would run as a formula: one that starts with a trigger, and one holding a separator (`,`,
# `;`, a tab) with a trigger after it, between them only spaces or quotes: Excel set to split on `;` (most of
# Europe) or LibreOffice trimming spaces would make that a cell of its own, a live formula (`x;=cmd|' /C calc'!A0`).
# Either is prefixed with ' and quoted (OWASP). A cell that already starts with ' before such a cell is prefixed
# too, so that taking one ' off every guarded cell of a file read back gives each cell as it was.
_AFTER_SEPARATOR = r"[,;\t][\s\"']*" + FORMULA_CHARS
FORMULA_CELL = "^'*" + FORMULA_CHARS + "|" + _AFTER_SEPARATOR
GUARDED_CELL = "^'(?s:'*" + FORMULA_CHARS + ".*|.*" + _AFTER_SEPARATOR + ".*)$"
_FORMULA_CELL = re.compile(FORMULA_CELL)


def formula_guarded(cell: str) -> str:
    """``cell`` as the spreadsheet files write it: prefixed with ``'`` when a spreadsheet could run it (or a part
    of it) as a formula, else as it is (a header, say)."""
    return "'" + cell if _FORMULA_CELL.search(cell) else cell


def formula_guarded_expr(cells: pl.Expr) -> pl.Expr:
    """:func:`formula_guarded` of each cell."""
    # the plain cells first: the expression keeps their column's name
    return pl.when(~cells.str.contains(FORMULA_CELL)).then(cells).otherwise(pl.lit("'") + cells)


def unguarded_expr(cells: pl.Expr) -> pl.Expr:
    """The cells of a file csvprep guarded (an earlier rejected.csv) as they were: the one ``'`` it added, off."""
    return pl.when(~cells.str.contains(GUARDED_CELL)).then(cells).otherwise(cells.str.slice(1))


def unguarded(cell: str) -> str:
    """:func:`unguarded_expr` of one cell (a header)."""
    return cell[1:] if re.search(GUARDED_CELL, cell) else cell
