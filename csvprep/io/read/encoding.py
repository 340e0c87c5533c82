"""Bytes to text, never lossy: a byte-order mark, UTF-16 without one, UTF-8, Mac Roman for Excel for Mac's CSV, else
cp1252; a file that no single encoding reads is refused with the line of its first bad byte."""

from __future__ import annotations

import codecs

from ...errors import InputError
from .refuse import BINARY_SIGNATURES

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, source: str, encoding: str | None = None, *, line_offset: int = 0
           ) -> tuple[str, str, bool]:
    """The file's text, the encoding it was read with and whether it had a byte-order mark. Never lossy."""
    if not has_content(data) or data in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise InputError(f"{source}: the file is empty")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"{source}: unknown encoding '{encoding}'") from None
        if data.startswith(codecs.BOM_UTF8) and not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
            # a UTF-8 BOM before text in another encoding (Gmail's Outlook CSV: a BOM, then cp1252): never part of
            # the first header, whatever the encoding asked for
            return _decode_strict(data[len(codecs.BOM_UTF8):], encoding, source, line_offset), encoding, True
        text = _decode_strict(data, encoding, source, line_offset)
        return text.removeprefix("\ufeff"), encoding, text.startswith("\ufeff")
    for bom, name in BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom):], name, source, line_offset), name, True
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise InputError(f"{source}: the file is {what}")
    guessed = guess_utf16(data)
    if guessed:
        return _decode_strict(data, guessed, source, line_offset), guessed, False
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        if any(b >= 0x80 for b in data[: data.rfind(b"\n", 0, exc.start) + 1]):
            # valid UTF-8 with non-ASCII text on lines before the bad byte's: a mix of encodings, which no single
            # one reads (on its own line, cp1252 text may hold a pair of bytes that happens to be valid UTF-8)
            line = data.count(b"\n", 0, exc.start) + 1
            line += line_offset if line > 1 else 0
            raise InputError(
                f"{source}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8, "
                "but earlier lines are: the file mixes encodings (pass --encoding to choose one)"
            ) from None
    if _looks_binary(data):
        raise InputError(f"{source}: the file is binary data, not CSV text")
    if b"\r" in data and b"\n" not in data:
        # lines ended by CR alone, and not UTF-8: Excel for Mac's "CSV (Macintosh)", which writes Mac Roman (read
        # as cp1252, 'é' would become 'Ž' and 'ç' fail). Such a file has no LF to cut it at: always one part
        return data.decode("mac_roman"), "mac_roman", False
    return _decode_strict(data, "cp1252", source, line_offset), "cp1252", False


def has_content(data: bytes) -> bool:
    return bool(data[:65536].strip(b" \t\r\n\x00")) or bool(data.strip(b" \t\r\n\x00"))


# the five bytes cp1252 leaves undefined; Mac Roman uses them for letters (0x8D: 'ç', 0x8F: 'è', 0x90: 'ê')
_UNDEFINED_IN_CP1252 = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))


def _decode_strict(data: bytes, encoding: str, source: str, line_offset: int = 0) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        line += line_offset if line > 1 else 0
        bad = data[exc.start: exc.end].hex(" ")
        hint = " (pass --encoding if the file uses another encoding)" if encoding != "utf-8" else ""
        if encoding == "cp1252" and data[exc.start] in _UNDEFINED_IN_CP1252:
            hint = " (pass --encoding if the file uses another: mac_roman for Excel for Mac's 'CSV (Macintosh)')"
        raise InputError(f"{source}: line {line}: bytes {bad} cannot be decoded as {encoding}{hint}") from None


def guess_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8000]
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0D))
    return controls > len(sample) * 0.05
