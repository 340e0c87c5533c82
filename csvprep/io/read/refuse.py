"""Files that are not CSV text, refused for what they are: archives, PDFs and legacy workbooks by their first bytes;
HTML, XML, RTF and JSON by how their text starts."""

from __future__ import annotations

import codecs
import json
import re

from ...errors import InputError
from .xlsx import XLSX_MAGIC

BINARY_SIGNATURES = (
    (XLSX_MAGIC, "a zip archive (if it is an Excel workbook, name it .xlsx), not CSV text"),
    (b"\x1f\x8b", "gzip-compressed, not CSV text: decompress it first"),
    (b"BZh", "bzip2-compressed, not CSV text: decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed, not CSV text: decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive, not CSV text"),
    (b"%PDF", "a PDF document, not CSV text"),
    (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls workbook: save it as CSV or .xlsx"),
)


def refuse_other_text_formats(data: bytes, source: str) -> None:
    """Text that is not a table: read as CSV it would be one odd column or 'no contacts', which hides what
    went wrong (an export saved as JSON, a web page saved instead of the file, a word processor's document)."""
    head = data[:1024].removeprefix(codecs.BOM_UTF8).lstrip()
    start = head[:16].lower()
    what = None
    if start.startswith((b"<!doctype html", b"<html")):
        what = "an HTML page, not CSV text (a web page saved in place of the download?)"
    elif start.startswith(b"<?xml"):
        what = "XML, not CSV text"
        if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
            what = "an Excel 2003 XML spreadsheet, not CSV text: save it as CSV or .xlsx"
    elif start.startswith(b"{\\rtf"):
        what = "an RTF document (a word processor's file), not CSV text: save it as plain text"
    elif start.startswith((b"[", b"{")) and _is_json(data):
        what = "JSON, not CSV text"
    if what is not None:
        raise InputError(f"{source}: the file is {what}")


def _is_json(data: bytes) -> bool:
    # a header such as [Phone],[Name] is told apart from the head alone: the whole file is decoded only for JSON
    head = data[:1024].decode("utf-8-sig", errors="ignore").lstrip()
    if not re.match(r'[\[{]\s*(?:["{\[\]}\d-]|true|false|null|$)', head):
        return False
    try:
        text = data.decode("utf-8-sig")
        try:
            json.loads(text)
        except json.JSONDecodeError:  # JSON lines: an object a line
            first = text.lstrip().split("\n", 1)[0]
            return isinstance(json.loads(first), dict)
        return True
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
