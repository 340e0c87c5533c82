"""Excel workbooks (.xlsx, .xlsm): a zip archive with a workbook's name, one worksheet read as text with Excel's row
numbers, the sheet chosen by name or number or else by a phone column's header in its first rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ...errors import InputError
from ...model.contacts import Contacts, ReadOptions
from ...model.headers import looks_like_phone_header
from .assemble import assemble
from .xlsx_guard import inspect_workbook

# every .xlsx is a zip archive; what else starts so is told apart by the file's name
XLSX_MAGIC = b"PK\x03\x04"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(head: bytes, path: Path | None) -> bool:
    """A zip archive named as a workbook; bytes without a name (standard input) are never read as one."""
    return head.startswith(XLSX_MAGIC) and path is not None and path.suffix.lower() in WORKBOOK_SUFFIXES


def read_xlsx(data: bytes, source: str, options: ReadOptions) -> Contacts:
    """:func:`read_workbook` with the sheet the options choose."""
    return read_workbook(data, source=source, sheet=options.sheet)


def read_workbook(data: bytes, source: str = "<input>", sheet: int | str | None = None) -> Contacts:
    """Read a worksheet of an .xlsx workbook, every cell as text, with Excel's row numbers.

    ``sheet``: its name or number (1 is the first; an int counts from 0). Without it, the first sheet with a
    phone column's header in its first rows (a workbook often opens on instructions or a cover sheet), else the
    first sheet with anything in it. Number cells come back as their digits where Excel kept them all (up to 15
    significant digits); the pipeline reports a longer run of digits in the phone column as lost to Excel's
    precision."""
    digest = hashlib.sha256(data).hexdigest()
    inspect_workbook(data, source)  # before the reader allocates: bombs and far used ranges are refused
    try:  # imported here: only a workbook needs it, and a CSV run should not pay for loading it
        import fastexcel
    except ImportError:  # pragma: no cover - fastexcel is a dependency
        raise InputError(f"{source}: reading .xlsx needs the fastexcel package") from None
    try:
        workbook = fastexcel.read_excel(data)
        names = list(workbook.sheet_names)
        name = _chosen_sheet(workbook, names, sheet, source)
        table = workbook.load_sheet(name, header_row=None, dtypes="string").to_polars()
    except InputError:
        raise
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        raise InputError(f"{source}: cannot read the workbook ({' '.join(str(exc).split())[:200]})") from None
    except BaseException as exc:
        # a Rust panic in the reader arrives as pyo3's PanicException, a BaseException: the workbook is
        # unreadable, not the run interrupted (Ctrl+C and exits pass on)
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise InputError(f"{source}: cannot read the workbook (the reader failed on it: "
                         f"{' '.join(str(exc).split())[:160]}); save the sheet as CSV") from None
    rows = table.rows()
    records = ((index + 1, index, index + 1, ["" if cell is None else cell for cell in cells], None)
               for index, cells in enumerate(rows))
    contacts = assemble(records, source, lines=None)
    contacts.sha256, contacts.encoding, contacts.delimiter, contacts.line_endings = digest, "xlsx", "n/a", "n/a"
    contacts.sheet, contacts.sheets = name, names
    return contacts


def _chosen_sheet(workbook, names: list[str], sheet: int | str | None, source: str) -> str:
    if isinstance(sheet, int):
        return names[sheet]
    if sheet is not None:
        wanted = sheet.strip()
        if wanted in names:
            return wanted
        folded = [name for name in names if name.strip().casefold() == wanted.casefold()]
        if folded:
            return folded[0]
        if wanted.isdigit() and 1 <= int(wanted) <= len(names):
            return names[int(wanted) - 1]
        raise InputError(f"{source}: no sheet '{sheet}'; the workbook's sheets: "
                         f"{', '.join(repr(name) for name in names)}")
    filled = None
    for name in names:
        head = workbook.load_sheet(name, header_row=None, n_rows=10, dtypes="string").to_polars()
        cells = [cell for row in head.rows() for cell in row if cell is not None and cell.strip()]
        if any(looks_like_phone_header(cell) for cell in cells):
            return name
        if cells and filled is None:
            filled = name
    return filled or names[0]
