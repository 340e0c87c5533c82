"""The region a country code cell names ('+91', 'IN', 'India', 'Deutschland'), the English names of regions,
and which +1 region an area code belongs to."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.phonemetadata import PhoneMetadata

from ...model.e164 import UNKNOWN_REGION
from ...model.text import fold_name


def country_name(region: str | None) -> str:
    """The English short name of ``region`` (the code itself when none is known)."""
    return _english_names().get(region or "", region or "an unknown country")


@lru_cache(maxsize=None)
def _english_names() -> dict[str, str]:
    # the IANA time zone database's country names (tzdata, which csvprep depends on, ships them): 20 ms to read,
    # where phonenumbers' locale data takes half a second to import
    try:
        table = files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is a dependency
        return {}
    pairs = (line.split("\t", 1) for line in table.splitlines() if line and not line.startswith("#"))
    names = {code: name.strip().replace(" & ", " and ") for code, name in pairs}
    # regions phonenumbers has that ISO 3166 does not
    return {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo", **names}


# What a country code cell holds when it is not a region or a country's name: '+91', '91', '0091', 'India (+91)',
# 'IN +91', '+1-264' (a NANP area code after the 1), '91.0' (a number cell exported as a float)
_PLUS_CODE = re.compile(r"\+\s*(\d[\d \-]{0,6})")

_BARE_CODE = re.compile(r"(?:00)?\s*(\d[\d \-]{0,6}?)(?:\.0+)?")

# names people write that are not the ones phonenumbers' locale data gives
_COUNTRY_ALIASES = {"usa": "US", "us": "US", "unitedstatesofamerica": "US", "america": "US", "uk": "GB",
                    "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                    "northernireland": "GB", "uae": "AE", "ksa": "SA", "russia": "RU", "southkorea": "KR",
                    "korea": "KR", "vietnam": "VN", "holland": "NL", "czechia": "CZ", "turkey": "TR"}


def code_region(cell: str | None) -> str | None:
    """The region a country code cell names: a calling code ('+91', '91', '0091', 'India (+91)') gives the main
    region of that code, as phonenumbers reads numbers with it; a region code ('IN') or a country's name ('India',
    'Deutschland') gives itself. None for an empty cell, :data:`UNKNOWN_REGION` for anything else."""
    text = (cell or "").strip().strip("'\"=").strip()
    if not text:
        return None
    digits = None
    if (found := _PLUS_CODE.search(text)) is not None:
        digits = found.group(1)
    elif (found := _BARE_CODE.fullmatch(text)) is not None:
        digits = found.group(1)
    if digits is not None:
        digits = re.sub(r"[ \-]", "", digits)
        if digits.startswith("1") and len(digits) == 4:  # +1-264: Anguilla, read so that a 7-digit number works
            return _nanp_region(digits[1:])
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(digits)) if digits else None
        # a non-geographic code (+800, +882...) has no region to read a national number in
        return regions[0] if regions and regions[0] != "001" else UNKNOWN_REGION
    upper = text.upper()
    if len(upper) == 2 and upper in _KNOWN_REGIONS:
        return upper
    return _country_names().get(fold_name(text), UNKNOWN_REGION)


def _nanp_region(area_code: str) -> str:
    """The +1 region whose leading digits are ``area_code`` (the US when none is)."""
    for region in COUNTRY_CODE_TO_REGION_CODE[1]:
        leading = PhoneMetadata.metadata_for_region(region).leading_digits
        if leading and re.fullmatch(f"(?:{leading})", area_code):
            return region
    return "US"


_KNOWN_REGIONS = frozenset(region for regions in COUNTRY_CODE_TO_REGION_CODE.values() for region in regions) - {"001"}


@lru_cache(maxsize=None)
def _country_names() -> dict[str, str]:
    """Folded country names, in every language phonenumbers names countries in -> region (names two regions
    share are left out). Loaded on first use: phonenumbers' locale data takes half a second to import."""
    from phonenumbers.geodata.locale import LOCALE_DATA  # lazy, for start-up time (see above)

    found: dict[str, set[str]] = {}
    for region, names in LOCALE_DATA.items():
        if region not in _KNOWN_REGIONS:
            continue
        for name in names.values():
            if not name.startswith("*"):
                found.setdefault(fold_name(name), set()).add(region)
    return {**{name: regions.pop() for name, regions in found.items() if len(regions) == 1}, **_COUNTRY_ALIASES}


def code_regions(cells: pl.Series) -> pl.Series:
    """:func:`code_region` of each cell of a country code column, each distinct value worked out once."""
    cells = cells.cast(pl.String)
    lookup = {value: code_region(value) for value in cells.drop_nulls().unique().to_list()}
    return cells.replace_strict(lookup, default=None, return_dtype=pl.String)
