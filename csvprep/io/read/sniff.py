"""What a file's first lines tell before it is read: the delimiter, the title rows above the header, and the
header's names cleaned of invisible characters."""

from __future__ import annotations

import csv
import io
import re

from ...errors import InputError
from ...model.contacts import DELIMITER_NAMES
from ...model.headers import looks_like_phone_header
from .careful import split_records

DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 400
_INVISIBLE = "\ufeff\u200b\u200e\u200f\u00a0"


def head_lines(text: str, count: int = SNIFF_LINES) -> list[str]:
    end = 0
    for _ in range(count):
        end = text.find("\n", end) + 1
        if end == 0:
            end = len(text)
            break
    return io.StringIO(text[:end], newline="").readlines()


def sniff_delimiter(lines: list[str], source: str = "<input>") -> str:
    """The delimiter among , ; tab | that splits the first records into one consistent number of fields (> 1)."""
    sample = lines[:SNIFF_LINES]
    # delimiter -> (share of records as wide as the header, its width, title rows it had to look past)
    scores: dict[str, tuple[float, int, int]] = {}
    parsed: dict[str, list[list[str]]] = {}
    for delimiter in DELIMITERS:
        reader = csv.reader(iter(sample), delimiter=delimiter)
        try:
            parsed[delimiter] = [fields for fields in reader if any(f.strip() for f in fields)]
        except csv.Error:
            continue
    for delimiter, rows in parsed.items():
        # a title above the header ('Contacts, March') is looked past: the records from the header on count
        titles = title_rows(rows)
        counts = [len(fields) for fields in rows[titles:]]
        if counts and counts[0] >= 2:
            scores[delimiter] = (sum(1 for c in counts if c == counts[0]) / len(counts), counts[0], titles)
    if not scores:
        first = next((line.strip() for line in lines if line.strip()), "")
        # one phone header ('PHONE NUMBERS'); a line with a phone word beside others and a character between them
        # that no header holds ('name:phone') is a table with a delimiter csvprep does not sniff
        header = clean_header(first)
        if looks_like_phone_header(header, by_words=re.fullmatch(r"[\w .#()\-]+", header) is not None):
            return ","
        raise InputError(
            f"{source}: found a single column (header {first[:60]!r}): if the file is delimited by another "
            "character, pass --delimiter"
        )
    best = max(score for score, _, _ in scores.values())
    winners = [d for d, (score, _, _) in scores.items() if score == best]
    if len(winners) > 1:
        # a delimiter that splits every record from the first alike beats one that had to take the first records
        # for a title (a ';' in one cell of each row made the header look like a title above a 2-column table)
        fewest = min(scores[d][2] for d in winners)
        winners = [d for d in winners if scores[d][2] == fewest]
    if len(winners) > 1:
        names = " and ".join(DELIMITER_NAMES[d] for d in winners)
        raise InputError(f"{source}: the delimiter is ambiguous ({names} split the rows equally well): "
                         "pass --delimiter")
    return winners[0]


def title_lines(head: bytes, delimiter: str | None = None) -> int:
    """How many physical lines of the file starting with ``head`` come before its header's: a title above the
    table (see :func:`title_rows`) and the blank lines around it; 0 when the header is the first record.
    ``delimiter``: the file's, when known (else sniffed)."""
    lines = io.StringIO(head.decode("utf-8", errors="replace"), newline="").readlines()[:SNIFF_LINES]
    try:
        delimiter = delimiter or sniff_delimiter(lines)
        records = [(start, fields) for _, start, _, fields, error in split_records(lines, delimiter)
                   if error is None and any(f.strip() for f in fields)]
    except InputError:
        return 0
    titles = title_rows([fields for _, fields in records])
    return records[titles][0] if titles else 0


def title_rows(rows: list[list[str]]) -> int:
    """How many of the first records (``rows``, blank ones left out) are a title above the table, as a spreadsheet
    saved as CSV keeps it ('Contacts for March', 'Export, 3 March 2026', a date, group titles over merged cells):
    records with at most half as many cells filled as the header below them has (a spreadsheet pads them with
    empty cells), before the header, a record of several cells all named and none holding a number, when
    most records after it are wider than the titles too. 0 when the first record is the header."""
    widths = [used_width(fields) for fields in rows]
    for header in range(1, min(len(rows), _MAX_TITLES + 1)):
        width = widths[header]
        titles = widths[:header]
        if width < 2 or not all(filled(fields) <= 1 or 2 * filled(fields) <= width for fields in rows[:header]):
            continue
        cells = rows[header][:width]
        if not all(cell.strip() for cell in cells) or any(_NUMBER_IN_CELL.search(cell) for cell in cells):
            continue  # a header names every column, and no name is a phone number or an amount
        after = widths[header + 1:]
        if after and sum(1 for w in after if w > max(titles) or w >= width) * 2 > len(after):
            return header
    return 0


_MAX_TITLES = 10

_NUMBER_IN_CELL = re.compile(r"[0-9]{5}")


def filled(fields: list[str]) -> int:
    return sum(1 for cell in fields if cell.strip())


def used_width(fields: list[str]) -> int:
    """The cells of a record up to its last non-empty one: a spreadsheet pads every row to the sheet's width."""
    return next((index + 1 for index in range(len(fields) - 1, -1, -1) if fields[index].strip()), 0)


def clean_header(name: str) -> str:
    return name.strip().strip(_INVISIBLE).strip()
