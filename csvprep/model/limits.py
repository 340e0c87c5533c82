"""The limits csvprep holds every input to, in one place: sizes and shapes that real exports never reach, past
which a file is refused with one line before it is read (a zip bomb, a sheet whose used range spans the grid, a
device read as a file). README.md, "Limits", lists each."""

from __future__ import annotations

MiB = 1 << 20

# delimited text: Excel's own column limit, and a physical line no export writes (a cell holds at most 32,767
# characters, so 8 MiB is hundreds of full cells; a longer line is a file that was never a table)
MAX_COLUMNS = 16_384
MAX_LINE_BYTES = 8 * MiB

# workbooks, checked in the zip archive before the reader allocates anything
MAX_SHEET_ROWS = 1_048_576  # Excel's grid
MAX_PART_BYTES = 1024 * MiB  # one part (a sheet, the shared strings) uncompressed
MAX_PART_RATIO = 100  # uncompressed over compressed, for a part over RATIO_FLOOR_BYTES: real sheets stay far under
RATIO_FLOOR_BYTES = 16 * MiB
# a used range may be this many cells without question; past it, it must be mostly filled (at most
# SPARSE_FACTOR empty cells for each one the sheet's XML could hold)
SPARSE_FLOOR_CELLS = 2_000_000
SPARSE_FACTOR = 16
MIN_SHARED_STRING_BYTES = 8  # '<si><t/></si>' and more: a declared count past size // 8 is a lie

# files read whole: a rules file, a prompt, a campaign body, a do-not-call list
MAX_TEXT_FILE_BYTES = 4 * MiB
MAX_SUPPRESS_FILE_BYTES = 1024 * MiB
