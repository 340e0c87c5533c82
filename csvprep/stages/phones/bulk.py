"""Phone numbers decided in bulk with Polars expressions compiled from ``phonenumbers``' own metadata.

The per-value path in :mod:`csvprep.stages.phones.parse` is the reference: ``phonenumbers.parse`` + ``is_valid_number`` cost
about 40 µs a number. Here the same steps run as vectorised expressions over every distinct value at once: strip
the formatting, resolve '+', the default region's international and national prefixes, split the country calling
code, then match the national number against the metadata's possible lengths and national-number patterns, in
phonenumbers' order. The patterns come from the installed phonenumbers at run time, so the path follows its
upgrades. A value this path cannot decide with certainty (letters, extensions, carrier-code transforms, prefixes
that leave nothing, non-geographic codes...) is left undecided for the reference path. The differential tests in
``tests/test_phones_bulk.py`` hold the two paths to the same answers."""

from __future__ import annotations

import polars as pl
from phonenumbers.phonemetadata import PhoneMetadata

from ...model.e164 import COSTLY_TYPES, LINE_TYPE, PLUS_DECLINED, REGION, VERDICT_SCHEMA, calling_code_size
from ...model.rules import PhoneRule
from .metadata import (
    GEOGRAPHIC_CODES,
    MAX_NSN,
    MIN_NSN,
    Region,
    leading,
    possible_lengths,
    region_metadata,
    strip_national_prefix,
)
from .regions import country_name

# Only what phonenumbers reads as plain punctuation around the digits: anything else (letters, extension marks,
# full-width digits, commas...) goes to the reference path.
_SHAPE = r"^[ \t]*(?:[Tt][Ee][Ll]:)?\(?\+?\(?[0-9][0-9 ().\-/]*[0-9][ \t]*$"
_EXTENSION = r"^(?<body>.*?[0-9])[ \t]*(?i:ext\.?|extension|x)[ \t]*(?<ext>[0-9]{1,7})[ \t]*$"
_FORMATTING = ["tel:", " ", "\t", "(", ")", "+", ".", "-", "/"]
_DIGIT_FORMS = {
    "＋": "+",
    **{chr(zero + i): str(i) for zero in (0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6) for i in range(10)},
    # no-break, thin, narrow and ideographic spaces between digit groups are spacing, as parse.py reads them
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
}
_NUMBER_CELL = r"^[ \t]*\+?[0-9]{6,}\.0+[ \t]*$"
_BLANK = r"^[ \t\r\n]*$"
# Past the shape check every column here holds ASCII digits, whose length in bytes is their length in characters:
# len_bytes reads it from the string's header, where len_chars counts the characters of every string.


def decide(values: pl.Series, rule: PhoneRule, *, from_workbook: bool = False) -> pl.DataFrame:
    """Verdicts for the ``values`` this path can decide: a frame of ``_i`` (the value's position) and the verdict
    columns of :data:`csvprep.model.e164.VERDICT_SCHEMA`, in no particular order. Positions missing from it are
    for the reference path.

    Every row goes through (no ``unique`` first): real lists repeat only about one number in ten, and the
    expressions cost less than finding the repeats."""
    raw = pl.col("_raw")
    frame = pl.LazyFrame({"_i": pl.int_range(0, len(values), eager=True, dtype=pl.Int64),
                          "_raw": values.cast(pl.String)}).with_columns(
        # cells of plain phone characters (nearly all) need no digit mapping, cannot hold an extension or 'tel:'
        raw.str.contains(r"[^0-9 +().\-/\t]").alias("_unusual"))
    missing = frame.filter(raw.is_null() | raw.str.contains(_BLANK)).select("_i")
    unusual = pl.col("_unusual")
    plain = frame.filter(~unusual).select("_i", "_raw", pl.lit(None, pl.String).alias("_ext"), raw.alias("_text"),
                                          pl.lit(False).alias("_foreign_ext"), pl.lit(False).alias("_tel"))
    # phonenumbers reads any decimal digit and the full-width plus; these are the scripts lists really hold
    text = raw.str.replace_many(_DIGIT_FORMS)
    extension = text.str.extract_groups(_EXTENSION)
    # an extension keeps the digits as written: decided here only when they are ASCII already
    written = raw.str.extract_groups(_EXTENSION).struct.field("ext")
    body = pl.coalesce(extension.struct.field("body"), text)
    other = frame.filter(unusual).select(
        "_i", "_raw",
        extension.struct.field("ext").alias("_ext"),
        body.alias("_text"),
        (extension.struct.field("ext").is_not_null() & (written.is_null() | (written != extension.struct.field(
            "ext")))).alias("_foreign_ext"),
        body.str.contains(r"^[ \t]*[Tt][Ee][Ll]:").alias("_tel"),
    )
    text = pl.col("_text")
    shaped = ~pl.col("_foreign_ext") & text.str.contains(_SHAPE) & ~text.str.contains(_NUMBER_CELL) \
        & (raw.str.len_chars() <= 100)
    if from_workbook:
        shaped = shaped & ~text.str.strip_chars(" \t").str.contains(r"^[0-9]{16,}$")
    # only what the next steps read is carried along: every step copies its columns
    candidates = pl.concat([plain, other]).filter(shaped).select(
        "_i", "_ext",
        # the shape admits only these around the digits; replace_many is twice as quick as a regex here
        text.str.replace_many(_FORMATTING, [""] * len(_FORMATTING), ascii_case_insensitive=True).alias("_digits"),
        text.str.contains(r"^[ \t]*(?:[Tt][Ee][Ll]:)?\(?\+").alias("_plus"),
        "_tel",
        # national style (an area code in parentheses, '1-' before a NANP number): never read as international
        text.str.contains(r"[()]|^[ \t]*1[ \t]*[-.]").alias("_national_style"),
    ).filter(pl.col("_digits").str.len_bytes().is_between(3, 250))
    missing, candidates = pl.collect_all([missing, candidates])

    parsed = _parse(candidates, rule.default_region)
    with_extension = parsed.filter(pl.col("_ext").is_not_null())
    judged = _judge(parsed.filter(pl.col("_ext").is_null()))
    decided = [
        missing.select("_i", *_verdict(code="missing_phone")),
        with_extension.select("_i", *_verdict(code="phone_extension", detail=pl.format(
            "extension {}", pl.col("_ext")))),
        _valid(judged.filter(pl.col("_type") != "unknown"), rule),
    ]
    invalid = judged.filter(pl.col("_type") == "unknown")
    notes = None
    if rule.fix_missing_plus:
        rescue = invalid.filter(~pl.col("_plus") & ~pl.col("_tel"))  # the reference rescues digits-only cells
        rescued, unsure, notes = _rescue(rescue, rule)
        decided.append(rescued)
        invalid = invalid.filter(~pl.col("_i").is_in(pl.concat([rescued["_i"], unsure]).implode()))
    decided.append(_invalid(invalid, notes))
    return pl.concat([d for d in decided if d.height], how="vertical") if any(d.height for d in decided) \
        else pl.DataFrame(schema=_SCHEMA)


_SCHEMA = {"_i": pl.Int64, **VERDICT_SCHEMA}


def _verdict(e164=None, code=None, detail=None, region=None, line_type=None) -> list[pl.Expr]:
    def column(value, name):
        return (value if isinstance(value, pl.Expr) else pl.lit(value, dtype=VERDICT_SCHEMA[name])).alias(name)

    return [column(e164, "e164"), column(code, "code"), column(detail, "detail"), column(region, "region"),
            column(line_type, "line_type")]


def _parse(frame: pl.DataFrame, default_region: str | None) -> pl.DataFrame:
    """``_cc`` (country calling code) and ``_nsn`` (national significant number) as ``phonenumbers.parse`` would
    give them, for the rows whose parse needs no step this path does not reproduce; the others are dropped."""
    digits = pl.col("_digits")
    international = frame.filter(pl.col("_plus")).with_columns(digits.alias("_full"))
    national = frame.filter(~pl.col("_plus"))
    pieces = []
    if default_region is not None and national.height:
        home = region_metadata(default_region)
        if home.international_prefix:
            idd = leading(digits, home.international_prefix)
            national = national.with_columns(idd.alias("_idd"))
            after = digits.str.slice(pl.col("_idd").str.len_bytes())
            via_idd = pl.col("_idd").is_not_null() & ~after.str.starts_with("0")
            empty_idd = pl.col("_idd").is_not_null() & (pl.col("_idd") == "")
            national = national.filter(~empty_idd)
            international = pl.concat([
                international,
                national.filter(via_idd).with_columns(after.alias("_full")).drop("_idd"),
            ])
            national = national.filter(~via_idd).drop("_idd")
        pieces.append(_from_default_region(national, home))
    pieces.append(_from_country_code(international))
    parsed = pl.concat([p for p in pieces if p.height]) if any(p.height for p in pieces) else \
        frame.clear().with_columns(pl.lit(None, pl.Int64).alias("_cc"), pl.lit(None, pl.String).alias("_nsn"),
                                   pl.lit(None, REGION).alias("_meta"))
    if parsed.height == 0:
        return parsed
    parsed = parsed.filter(pl.col("_nsn").str.len_bytes() >= MIN_NSN)
    stripped = []
    for (meta_code,), part in parsed.partition_by("_meta", as_dict=True).items():
        part = strip_national_prefix(part, region_metadata(meta_code), "_nsn", for_parse=True)
        stripped.append(part)
    parsed = pl.concat(stripped) if stripped else parsed
    return parsed.filter(pl.col("_nsn").str.len_bytes() <= MAX_NSN)


def _from_country_code(frame: pl.DataFrame) -> pl.DataFrame:
    """Numbers written with '+' or an international prefix: the country calling code is the first one, two or
    three digits that phonenumbers knows."""
    full = pl.col("_full")
    frame = frame.filter((full.str.len_bytes() > MIN_NSN) & ~full.str.starts_with("0"))
    frame = frame.with_columns(calling_code_size(full).alias("_size")).filter(pl.col("_size").is_not_null())
    frame = frame.select(
        pl.exclude("_full", "_size"),
        full.str.slice(0, pl.col("_size")).cast(pl.Int64).alias("_cc"),
        full.str.slice(pl.col("_size")).alias("_nsn"),
    ).filter(pl.col("_cc").is_in(list(GEOGRAPHIC_CODES)))
    main = {code: regions[0] for code, regions in GEOGRAPHIC_CODES.items()}
    return frame.with_columns(pl.col("_cc").replace_strict(main, return_dtype=REGION).alias("_meta"))


def _from_default_region(frame: pl.DataFrame, home: Region) -> pl.DataFrame:
    """Numbers written nationally in the default region, or with its country code but no '+'."""
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, pl.Int64).alias("_cc"), pl.lit(None, pl.String).alias("_nsn"),
                                  pl.lit(None, REGION).alias("_meta"))
    digits = pl.col("_digits")
    prefix = str(home.country_code)
    frame = frame.with_columns(
        pl.when(digits.str.starts_with(prefix)).then(digits.str.slice(len(prefix))).alias("_potential")
    )
    frame = strip_national_prefix(frame, home, "_potential", for_parse=False)
    length = digits.str.len_bytes()
    general = home.general
    too_long = general.length_verdict(length) == "too_long"
    takes_code = pl.col("_potential").is_not_null() & (
        (~general.full_match(digits) & general.full_match(pl.col("_potential").fill_null(""))) | too_long
    )
    # with its country code written, parse reads the number with the metadata of that code's main region
    main = GEOGRAPHIC_CODES[home.country_code][0]
    return frame.with_columns(
        pl.lit(home.country_code, dtype=pl.Int64).alias("_cc"),
        pl.when(takes_code).then(pl.col("_potential")).otherwise(digits).alias("_nsn"),
        pl.when(takes_code).then(pl.lit(main, REGION)).otherwise(pl.lit(home.code, REGION)).alias("_meta"),
    ).drop("_potential")


def _judge(frame: pl.DataFrame) -> pl.DataFrame:
    """``_region`` and ``_type`` as ``region_code_for_number`` and ``number_type`` give them; ``_type`` is
    ``unknown`` for an invalid number."""
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, REGION).alias("_region"), pl.lit(None, LINE_TYPE).alias("_type"))
    nsn = pl.col("_nsn")
    judged = []
    for (cc,), part in frame.partition_by("_cc", as_dict=True).items():
        regions = GEOGRAPHIC_CODES[cc]
        lengths = possible_lengths(cc)
        if lengths is not None:
            # a number no region of its code has the length for is invalid in all of them (its region does not
            # matter then): no pattern needs to run on it
            possible = nsn.str.len_bytes().is_in(lengths)
            judged.append(part.filter(~possible).with_columns(pl.lit(None, REGION).alias("_region"),
                                                              pl.lit("unknown", LINE_TYPE).alias("_type")))
            part = part.filter(possible)
            if part.height == 0:
                continue
        if len(regions) == 1:
            region = region_metadata(regions[0])
            judged.append(region.with_type(part).select(*part.columns, pl.lit(region.code, REGION).alias("_region"),
                                                        "_type"))
            continue
        remaining, position = part, 0
        while position < len(regions) and remaining.height:
            region = region_metadata(regions[position])
            if region.leading_digits is None:
                # a region without leading digits claims the numbers valid in it
                typed = region.with_type(remaining)
                claimed = typed.filter(pl.col("_type") != "unknown")
                remaining = typed.filter(pl.col("_type") == "unknown").drop("_type")
                judged.append(claimed.select(*part.columns, pl.lit(region.code, REGION).alias("_region"), "_type"))
                position += 1
                continue
            # a run of regions that claim the numbers their leading digits match, valid or not: all the patterns
            # matched in one step, the first region in phonenumbers' order wins
            run = []
            while position < len(regions) and region_metadata(regions[position]).leading_digits is not None:
                run.append(region_metadata(regions[position]))
                position += 1
            matches = [nsn.str.contains(f"^(?:{r.leading_digits})").alias(f"_lead{k}") for k, r in enumerate(run)]
            first = pl.when(pl.col("_lead0")).then(0)
            for k in range(1, len(run)):
                first = first.when(pl.col(f"_lead{k}")).then(k)
            typed = remaining.with_columns(matches).with_columns(first.alias("_claim")).drop(
                [f"_lead{k}" for k in range(len(run))])
            remaining = typed.filter(pl.col("_claim").is_null()).drop("_claim")
            for (k,), claimed in typed.filter(pl.col("_claim").is_not_null()).partition_by(
                    "_claim", as_dict=True).items():
                judged.append(run[k].with_type(claimed.drop("_claim")).select(
                    *part.columns, pl.lit(run[k].code, REGION).alias("_region"), "_type"))
        judged.append(remaining.with_columns(pl.lit(None, REGION).alias("_region"),
                                             pl.lit("unknown", LINE_TYPE).alias("_type")))
    return pl.concat(judged)


def _valid(frame: pl.DataFrame, rule: PhoneRule, code: str | None = None, detail: str | None = None) -> pl.DataFrame:
    """The reference path's ``_accepted``: E.164's 15-digit limit, then the allowed regions and line types."""
    e164, region, line_type = pl.col("_e164"), pl.col("_region"), pl.col("_type")
    frame = frame.select("_i", "_region", "_type", pl.format("+{}{}", pl.col("_cc"), pl.col("_nsn")).alias("_e164"))
    # (failed, code, detail, whether the verdict keeps the region and line type), first failure wins
    # '+', a calling code (no leading zero) and the digits of _nsn: E.164 comes down to its length here
    failures = [(~e164.str.len_bytes().is_between(8, 16), "invalid_phone",
                 pl.format("{} has {} digits; E.164 allows at most 15", e164, e164.str.len_bytes() - 1), False)]
    if rule.allowed_regions is not None:
        failures.append((~region.is_in(list(rule.allowed_regions)), "phone_region_not_allowed",
                         pl.format("{} is a {} number; allowed regions: {}", e164, region.cast(pl.String),
                                   pl.lit(", ".join(rule.allowed_regions))), True))
    if rule.allowed_types is not None:
        allowed = set(rule.allowed_types)
        admits = line_type.is_in(list(allowed))
        if allowed & {"fixed_line", "mobile"}:
            admits = admits | (line_type == "fixed_line_or_mobile")
        failures.append((~admits, "phone_type_not_allowed",
                         pl.format("{} is a {} number; allowed types: {}", e164,
                                   line_type.cast(pl.String).str.replace_all("_", " "),
                                   pl.lit(", ".join(rule.allowed_types))), True))
    # nearly every number passes: the verdicts of those that do are plain columns, the failures' are chosen for
    # the few that fail (a when/then would build every branch for every row)
    frame = frame.with_columns(_first_failure([failed for failed, *_ in failures]).alias("_failure"))
    failure = pl.col("_failure")
    passed = frame.filter(failure.is_null()).select("_i", *_verdict(e164, code, detail, region, line_type))
    if rule.allowed_types is None:
        # allowed_types that name the type admit it knowingly; left out of them, it fails above
        costly = pl.col("line_type").is_in(list(COSTLY_TYPES))
        said = pl.col("line_type").cast(pl.String).replace_strict(COSTLY_TYPES, default=None)
        what = pl.format("{} is {}", pl.col("e164"), said)
        if detail is not None:
            what = pl.format("{}; read with a '+': {}", what, pl.lit(detail))
        passed = passed.with_columns(pl.when(costly).then(pl.lit("phone_premium_rate")).otherwise("code")
                                     .alias("code"), pl.when(costly).then(what).otherwise("detail").alias("detail"))

    def chosen(pick) -> pl.Expr:
        expr = pl.when(failure == 0).then(pick(failures[0]))
        for k, failed in enumerate(failures[1:], start=1):
            expr = expr.when(failure == k).then(pick(failed))
        return expr

    none = pl.lit(None)
    failed = frame.filter(failure.is_not_null()).select("_i", *_verdict(
        code=chosen(lambda f: pl.lit(f[1], pl.String)),
        detail=chosen(lambda f: f[2]),
        region=chosen(lambda f: region if f[3] else none).cast(REGION),
        line_type=chosen(lambda f: line_type if f[3] else none).cast(LINE_TYPE),
    ))
    return pl.concat([passed, failed], how="vertical")


def _first_failure(failed: list[pl.Expr]) -> pl.Expr:
    """The index of the first of ``failed`` that holds (null when none does)."""
    expr = pl.when(failed[0]).then(pl.lit(0, pl.Int8))
    for k, condition in enumerate(failed[1:], start=1):
        expr = expr.when(condition).then(pl.lit(k, pl.Int8))
    return expr


def _rescue(frame: pl.DataFrame, rule: PhoneRule) -> tuple[pl.DataFrame, pl.Series, pl.DataFrame]:
    """The reference path's ``_with_plus``: a number written without its '+' (or with 00 for it) that is valid
    once the '+' is back. Returns the rescued verdicts, the values this path cannot be sure about, and ``_i`` with
    ``_note`` for the numbers that reading would make valid but whose digits can be a national number (the '+' is
    then not assumed: the note says what they would be)."""
    digits = pl.col("_digits")
    international = digits.str.starts_with("00")
    candidates = frame.select(
        "_i", "_national_style", international.alias("_international"),
        pl.when(international).then(digits.str.slice(2)).otherwise(digits).alias("_digits"),
    ).with_columns(pl.lit(True).alias("_plus"))
    candidates = candidates.filter((pl.col("_digits").str.len_bytes() >= 8) & ~pl.col("_digits").str.starts_with("0"))
    parsed = _parse(candidates, None)
    unsure = candidates.filter(~pl.col("_i").is_in(parsed["_i"].implode()))["_i"]
    judged = _judge(parsed).filter(pl.col("_type") != "unknown")
    assumed = pl.col("_international") | (~pl.col("_national_style") & _cannot_be_national(rule.default_region))
    where = f" in {rule.default_region}" if rule.default_region else " without a country code"
    rescued = _valid(judged.filter(assumed), rule, "phone_missing_plus", f"not valid{where} as written")
    declined = judged.filter(~assumed).select(
        "_i", pl.format("+{}{}", pl.col("_cc"), pl.col("_nsn")).alias("_e164"), pl.col("_region").cast(pl.String))
    declined = declined.filter(pl.col("_e164").str.len_bytes().is_between(8, 16))
    names = {region: country_name(region) for region in declined["_region"].unique().to_list()}
    notes = declined.select("_i", pl.format("; read as {} it would be a number in {} ({}): {}", pl.col("_e164"),
                                            pl.col("_region").replace_strict(names, return_dtype=pl.String),
                                            pl.col("_region"), pl.lit(PLUS_DECLINED)).alias("_note"))
    return rescued, unsure, notes


def _cannot_be_national(default_region: str | None) -> pl.Expr:
    """The reference path's ``_cannot_be_national`` on ``_digits`` (formatting is checked apart)."""
    length = pl.col("_digits").str.len_bytes()
    if default_region is None:
        return length >= 11
    meta = PhoneMetadata.metadata_for_region(default_region)
    trunk = meta.national_prefix or ""
    lengths = [length for length in (meta.general_desc.possible_length or ()) if length > 0]
    if not lengths:
        return pl.lit(False)
    longer = length > max(lengths) + len(trunk)
    return longer & ~pl.col("_digits").str.starts_with(trunk) if trunk else longer


def _invalid(frame: pl.DataFrame, notes: pl.DataFrame | None = None) -> pl.DataFrame:
    """The reference path's ``_invalid_reason``: the length verdict against the country's main region, and the
    note of what the number would be read with a '+' (from :func:`_rescue`)."""
    if frame.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    if notes is not None and notes.height:
        invalid = _invalid(frame)
        return invalid.join(notes, on="_i", how="left").select(
            "_i", "e164", "code", pl.concat_str("detail", pl.col("_note").fill_null("")).alias("detail"), "region",
            "line_type")
    pieces = []
    length = pl.col("_nsn").str.len_bytes()
    for (cc,), part in frame.partition_by("_cc", as_dict=True).items():
        main = region_metadata(GEOGRAPHIC_CODES[cc][0])
        where = main.code
        verdict = main.general.length_verdict(length)
        detail = (
            pl.when(verdict == "too_short").then(pl.format("too short for {}: {} digits after the country code",
                                                           pl.lit(where), length))
            .when(verdict == "too_long").then(pl.format("too long for {}: {} digits after the country code",
                                                        pl.lit(where), length))
            .when(verdict == "invalid_length").then(pl.format("wrong length for {}: {} digits after the country "
                                                              "code", pl.lit(where), length))
            .otherwise(pl.lit(f"not a valid {where} number"))
        )
        pieces.append(part.select("_i", *_verdict(code="invalid_phone", detail=detail)))
    return pl.concat(pieces)
