"""The pipeline: read → map columns → phones → variables → formula cells → duplicates → split into cleaned and
rejected. Every stage appends to one issue frame; a record is rejected when it has at least one error."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from ..app.result import CleanResult
from ..errors import InputError
from ..io.read.delimited import read_bytes
from ..io.read.readers import read_contacts
from ..job.rules_file import load_rules
from ..model.calling import CallingHours
from ..model.contacts import Contacts, ReadOptions, check_not_internal
from ..model.e164 import PLUS_DECLINED, UNKNOWN_REGION
from ..model.headers import COUNTRY_HEADERS, find_zone_column, looks_like_phone_header
from ..model.issues import empty_issues, issue_frame, issues_from
from ..model.rules import Rules
from ..model.summary import by_count
from ..model.text import FORMULA_START, fold_name
from ..stages.calling_hours import check_calling_hours, contact_zones, utc_offsets
from ..stages.columns import map_columns
from ..stages.duplicates import find_duplicates, kept_keys
from ..stages.phones.check import check_phones
from ..stages.phones.parse import reference_verdict
from ..stages.phones.regions import code_regions
from ..stages.suppression import SuppressionList, suppression_issues
from ..stages.variables.check import check_variables

# a signed number (-5), a phone number written with its + (a second phone column: +1 650-555-0100) or a text
# wrapped so that Excel keeps it (="000123") starts like a formula but is arithmetic or text at worst: no function,
# no reference to another cell, nothing to run
_HARMLESS = r'^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)|\+[\d ().\-/]*\d[\d ().\-/]*|="[^"]*")$'

PHONE_MESSAGES = {
    "missing_phone": "missing phone number",
    "invalid_phone": "invalid phone number '{}'",
    "phone_digits_lost": "phone number '{}' lost its digits in a spreadsheet",
    "phone_extension": "phone number '{}' has an extension, which a campaign cannot dial",
    "phone_region_not_allowed": "phone number '{}' is outside the allowed regions",
    "phone_type_not_allowed": "phone number '{}' is not an allowed line type",
    "phone_missing_plus": "phone number '{}' read as {}, an international number without its '+'",
    "phone_premium_rate": "phone number '{}' read as {} is a premium-rate or shared-cost number, charged to the caller",
}


def clean(
    source: str | Path | bytes | pl.DataFrame,
    rules: Rules | str | Path,
    *,
    region: str | None = None,
    read_options: ReadOptions | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    suppress: list[SuppressionList] | None = None,
    calling: CallingHours | None = None,
    add_columns: tuple[str, ...] = (),
    name: str = "<input>",
) -> CleanResult:
    """Clean a contact list: a file path, the file's bytes, or a Polars frame (every column read as text).

    ``rules`` is a :class:`Rules` or the path of a rules file; ``region`` overrides its default region;
    ``strict`` makes warnings about formula-like cells errors; ``progress`` is called with the name of each
    stage as it starts (reading, phones and variables, duplicates, splitting); ``suppress``: do-not-call lists
    (:func:`csvprep.suppression.load_suppression`) whose numbers are rejected; ``calling``: a calling window and
    launch time to check each contact's local time against; ``add_columns``: any of timezone, country, line_type,
    added to the cleaned contacts; ``name``: what messages call bytes given as ``source``. Raises
    :class:`~csvprep.errors.CsvprepError` subclasses when the job cannot run; row problems are in the result."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if not isinstance(rules, Rules):
        rules = load_rules(rules)
    if region is not None:
        rules = rules.with_region(region)
    timings["rules"] = time.perf_counter() - started

    step = progress or (lambda stage: None)
    step("reading")
    mark = time.perf_counter()
    contacts = _contacts(source, read_options, name)
    timings["read"] = time.perf_counter() - mark
    result = clean_contacts(contacts, rules, strict=strict, step=step, timings=timings, suppress=suppress,
                            calling=calling, add_columns=add_columns)
    timings["total"] = time.perf_counter() - started
    return result


def clean_contacts(contacts: Contacts, rules: Rules, *, strict: bool = False,
                   step: Callable[[str], None] = lambda stage: None, timings: dict[str, float] | None = None,
                   earlier: pl.DataFrame | None = None, suppress: list[SuppressionList] | None = None,
                   calling: CallingHours | None = None, add_columns: tuple[str, ...] = (),
                   remember_keys: bool = False) -> CleanResult:
    """The stages after reading, on contacts already read. ``earlier``: the duplicate keys of contacts kept from
    earlier parts of the same file (see :func:`csvprep.duplicates.kept_keys`), when a large file is cleaned in
    parts; ``remember_keys``: put this part's kept keys in ``result.kept_keys`` for the parts after it."""
    timings = {} if timings is None else timings
    try:
        columns = map_columns(contacts.header, rules, contacts.source)
    except InputError as exc:
        if len(contacts.sheets) > 1:  # the columns may be on another sheet of the workbook
            others = ", ".join(repr(name) for name in contacts.sheets if name != contacts.sheet)
            raise InputError(f"{exc} (read the sheet '{contacts.sheet}'; the workbook also has {others}: "
                             "choose one with --sheet)") from None
        raise
    original = contacts.frame
    frame = original

    step("phones and variables")
    mark = time.perf_counter()
    # phones and variables are independent: Polars releases the GIL, so the two stages share the cores
    with ThreadPoolExecutor(max_workers=1) as worker:
        regions = code_regions(frame.get_column(columns.country_code)) if columns.country_code else None
        pending = worker.submit(check_phones, frame.get_column(columns.phone), rules.phone,
                                from_workbook=contacts.sheet is not None, regions=regions)
        # a semicolon-separated file comes from a locale whose decimal separator is the comma
        frame, variable_issues, variable_stats = check_variables(frame, list(columns.variables),
                                                                 decimal_comma=contacts.delimiter == ";")
        timings["variables"] = time.perf_counter() - mark
        # the phones take longer: check the other cells for formulas meanwhile
        output_columns = contacts.header + list(columns.added)
        formula_issues = _formula_issues(frame, [c for c in output_columns if c != columns.phone], strict)
        verdicts = pending.result()
    if regions is not None:
        verdicts = _blame_unknown_codes(verdicts, regions, frame.get_column(columns.country_code))
    frame = frame.with_columns(
        verdicts.select(
            pl.col("e164").alias("_e164"), pl.col("code").alias("_phone_code"), pl.col("detail").alias("_phone_detail"),
            pl.col("region").alias("_region"), pl.col("line_type").alias("_line_type"),
        )
    )
    variable_columns = {column for _, column in columns.variables}
    other_phones = [name for name in contacts.header
                    if name != columns.phone and name not in variable_columns and looks_like_phone_header(name)]
    if columns.country_code is None:
        frame = _country_column_hint(frame, columns.phone, contacts.header, rules)
    phone_issues = _phone_issues(frame, columns.phone, other_phones)
    if regions is not None:
        phone_issues = issues_from([phone_issues, _other_country(frame, regions, columns)])
    timings["phones"] = time.perf_counter() - mark  # variables ran meanwhile
    suppressed_issues, suppressed = suppression_issues(frame, columns.phone, suppress or [])
    calling_issues, calling_summary = empty_issues(), None
    if calling is not None:
        frame, calling_issues, calling_summary = check_calling_hours(frame, columns.phone, calling)
    elif "timezone" in add_columns:
        frame = frame.with_columns(contact_zones(frame, find_zone_column(contacts.header)))

    found = [phone_issues, suppressed_issues, calling_issues, variable_issues, formula_issues,
             _broken_issues(contacts.broken)]
    repeated = _repeated_headers(original, contacts.header, columns.phone, phone_issues)
    if repeated.height:
        # one clear reason for such a row, not 'invalid phone number 'Phone Number'' and a complaint per column
        rows = repeated.get_column("_row").implode()
        found = [issue_frame(repeated, column=None, code="header_repeated", value=pl.col("_value"),
                             message=pl.lit("the header row again (files pasted together?)"))] \
            + [f.filter(~pl.col("row").is_in(rows)) for f in found]
    step("duplicates")
    mark = time.perf_counter()
    failed_rows = pl.concat([f.filter(pl.col("severity") == "error").get_column("row") for f in found]).unique()
    duplicate_issues = find_duplicates(frame, rules.duplicates, columns, earlier=earlier, failed=failed_rows)
    timings["duplicates"] = time.perf_counter() - mark
    issues = issues_from([*found, duplicate_issues])  # sorted by row once, each row's issues in stage order
    rejected_rows = issues.filter(pl.col("severity") == "error").get_column("row").unique()
    step("splitting")

    accepted = frame.filter(~pl.col("_row").is_in(rejected_rows.implode()))
    cleaned = accepted.with_columns(pl.col("_e164").alias(columns.phone)).select(
        output_columns + _added_columns(add_columns, output_columns, calling))
    rejected = _rejected(original, contacts.broken, rejected_rows, issues, contacts.header)

    result = CleanResult(
        cleaned=cleaned,
        rejected=rejected,
        issues=issues,
        rules=rules,
        contacts=contacts,
        columns=columns,
        variable_stats=variable_stats,
        phone_stats={**_phone_stats(accepted), "plus_declined": frame.select(
            pl.col("_phone_detail").str.ends_with(PLUS_DECLINED).sum()).item() or 0},
        timings=timings,
        strict=strict,
        suppression={s.name: {"entries": s.entries, "numbers": len(s.numbers), "unreadable": s.unreadable,
                              "suppressed": suppressed[s.name]} for s in suppress or []},
        calling_hours=calling_summary,
        region_hint=_region_hint(frame, columns, rules) if columns.country_code is None else None,
    )
    result.check_accounting()
    if remember_keys:
        result.kept_keys = kept_keys(accepted, rules.duplicates, columns, duplicate_issues.get_column("row"))
    return result


# where contact lists come from most, tried when many numbers are invalid in the default region
_LIKELY_REGIONS = ("IN", "GB", "AU", "CA", "DE", "FR", "BR", "MX", "ES", "IT", "NL", "AE", "SG", "ZA", "NG", "PH",
                   "ID", "PK", "US")
_HINT_SAMPLE = 200


def _region_hint(frame: pl.DataFrame, columns, rules: Rules) -> tuple[str, int, int] | None:
    """When at least a fifth of the numbers are invalid in the default region: a region in which most of those
    written without a country code would be valid (a list from India checked as US), as (region, valid, tried)."""
    invalid = frame.filter(pl.col("_phone_code") == "invalid_phone")
    if invalid.height < 3 or 5 * invalid.height < frame.height:
        return None
    national = invalid.get_column(columns.phone).str.strip_chars()
    sample = national.filter(~national.str.starts_with("+")).unique(maintain_order=True).head(_HINT_SAMPLE).to_list()
    if len(sample) < 3:
        return None
    seen = frame.get_column("_region").drop_nulls().cast(pl.String).value_counts(sort=True).get_column("_region")
    candidates = [r for r in dict.fromkeys([*seen.head(3).to_list(), *_LIKELY_REGIONS])
                  if r != rules.phone.default_region]
    best = None
    for region in candidates:
        rule = dataclasses.replace(rules.phone, default_region=region, fix_missing_plus=False)
        valid = sum(1 for value in sample if reference_verdict(value, rule).e164 is not None)
        if best is None or valid > best[1]:
            best = (region, valid, len(sample))
        if 10 * valid >= 9 * len(sample):
            break
    return best if best is not None and 10 * best[1] >= 6 * best[2] else None


def _other_country(frame: pl.DataFrame, regions: pl.Series, columns) -> pl.DataFrame:
    """A warning for each valid number written with a country code other than its row's country code column
    gives (+1 415... beside 91): the number's own code is dialled, but one of the two cells is likely wrong."""
    from phonenumbers import country_code_for_region

    named = regions.drop_nulls().unique().to_list()
    codes = {region: country_code_for_region(region) for region in named if region != UNKNOWN_REGION}
    number_code = pl.col("_e164").str.slice(1, 3)
    column_code = regions.replace_strict(codes, default=None, return_dtype=pl.Int64)
    rows = frame.with_columns(column_code.alias("_column_code")).filter(
        pl.col("_e164").is_not_null() & pl.col("_column_code").is_not_null()
        & ~number_code.str.starts_with(pl.col("_column_code").cast(pl.String)))
    if rows.height == 0:
        return empty_issues()
    phone, country = pl.col(columns.phone), pl.col(columns.country_code)
    return issue_frame(rows, column=columns.phone, code="phone_country_mismatch", value=phone,
                       message=pl.format("phone number '{}' is a {} number, but column '{}' says '{}'", phone,
                                         pl.col("_region").cast(pl.String), pl.lit(columns.country_code),
                                         country.str.strip_chars()),
                       detail=pl.format("dialled as {}", pl.col("_e164")))


def _blame_unknown_codes(verdicts: pl.DataFrame, regions: pl.Series, codes: pl.Series) -> pl.DataFrame:
    """An invalid number whose country code cell names no country says so: that cell is what to fix."""
    blamed = (regions == UNKNOWN_REGION).fill_null(False) & verdicts.get_column("e164").is_null() \
        & (verdicts.get_column("code") == "invalid_phone").fill_null(False)
    if not blamed.any():
        return verdicts
    detail = pl.select(pl.format("its country code '{}' in column '{}' is neither a calling code nor a country",
                                 codes.cast(pl.String).str.strip_chars(), pl.lit(codes.name))).to_series()
    return verdicts.with_columns(pl.when(blamed).then(detail).otherwise(pl.col("detail")).alias("detail"))


def _added_columns(wanted: tuple[str, ...], taken: list[str], calling: CallingHours | None) -> list[pl.Expr]:
    """The columns asked for with ``--add-columns``, named ``csvprep_<name>`` where the file has the name already."""
    names = _free_names(taken, tuple(wanted) + (("utc_offset",) if "timezone" in wanted else ()))
    added = []
    if "timezone" in wanted:
        added.append(pl.col("_zones").alias(names["timezone"]))
        moment = calling.launch if calling is not None else None
        # one lookup per distinct set of zones, not per row
        added.append(pl.col("_zones").map_batches(
            lambda zones: zones.replace_strict({z: utc_offsets(z, moment) for z in zones.drop_nulls().unique()},
                                               default=None, return_dtype=pl.String),
            return_dtype=pl.String).alias(names["utc_offset"]))
    if "country" in wanted:
        added.append(pl.col("_region").cast(pl.String).alias(names["country"]))
    if "line_type" in wanted:
        added.append(pl.col("_line_type").cast(pl.String).alias(names["line_type"]))
    return added


def _contacts(source: str | Path | bytes | pl.DataFrame, options: ReadOptions | None, name: str) -> Contacts:
    if isinstance(source, pl.DataFrame):
        return _contacts_from_frame(source)
    if isinstance(source, (bytes, bytearray)):
        return read_bytes(bytes(source), source=name, options=options)
    return read_contacts(source, options)


def _contacts_from_frame(frame: pl.DataFrame) -> Contacts:
    header = [str(name).strip() for name in frame.columns]
    if len(set(header)) != len(header):
        raise InputError("<frame>: duplicate column names")
    check_not_internal(header, "<frame>")
    if frame.height == 0:
        raise InputError("<frame>: the frame has no contacts")
    text = frame.select(pl.all().cast(pl.String)).rename(dict(zip(frame.columns, header)))
    rows = pl.int_range(2, frame.height + 2, eager=True, dtype=pl.Int64)
    text = text.with_columns(rows.alias("_row"), rows.alias("_line"))
    broken = pl.DataFrame(schema={"_row": pl.Int64, "_line": pl.Int64, "_raw": pl.String, "code": pl.String,
                                  "message": pl.String})
    return Contacts(frame=text, header=header, broken=broken, blank_rows=0, source="<frame>", encoding="n/a",
                    delimiter="n/a", line_endings="n/a")


def _phone_issues(frame: pl.DataFrame, column: str, other_phones: list[str]) -> pl.DataFrame:
    rows = frame.filter(pl.col("_phone_code").is_not_null())
    if rows.height == 0:
        return empty_issues()
    if other_phones:
        rows = rows.with_columns(_other_phone_hint(other_phones))
    code, value = pl.col("_phone_code"), pl.col(column).fill_null("")
    # each code's template cut at its placeholders: the message is one concatenation for every row, where a
    # when/then per code would format every template for every row
    pieces = {name: (template.split("{}") + ["", ""])[:3] for name, template in PHONE_MESSAGES.items()}
    placeholders = {name: template.count("{}") for name, template in PHONE_MESSAGES.items()}
    piece = [code.replace_strict({name: parts[k] for name, parts in pieces.items()}, default=None,
                                 return_dtype=pl.String) for k in range(3)]
    used = code.replace_strict(placeholders, default=0, return_dtype=pl.Int8)
    message = pl.concat_str(
        piece[0], pl.when(used >= 1).then(value).otherwise(pl.lit("")),
        piece[1], pl.when(used >= 2).then(pl.col("_e164").fill_null("")).otherwise(pl.lit("")),
        piece[2],
    )
    return issue_frame(rows, column=column, code=code, value=value, message=message, detail=pl.col("_phone_detail"))


def _other_phone_hint(others: list[str]) -> pl.Expr:
    """A row without a number in the phone column says which other phone column has one (HubSpot's 'Phone
    Number' empty, its 'Mobile Phone Number' filled): csvprep calls one column, the rules say which."""
    held = [pl.when(pl.col(name).str.strip_chars() != "").then(pl.format("'{}' holds '{}'", pl.lit(name),
                                                                          pl.col(name).str.strip_chars()))
            for name in others]
    return pl.when(pl.col("_phone_code") == "missing_phone").then(pl.coalesce(*held, pl.col("_phone_detail"))) \
        .otherwise(pl.col("_phone_detail")).alias("_phone_detail")


def _country_column_hint(frame: pl.DataFrame, phone: str, header: list[str], rules: Rules) -> pl.DataFrame:
    """An invalid number that is valid in the country an address column of its row names says so, and how to
    read the numbers that way: that column is not taken for the phone's country unasked."""
    countries = [name for name in header if fold_name(name) in COUNTRY_HEADERS]
    if not countries:
        return frame
    invalid = frame.filter(pl.col("_phone_code") == "invalid_phone")
    if invalid.height == 0:
        return frame
    hints = []
    for column in countries:
        regions = code_regions(invalid.get_column(column))
        named = (regions != UNKNOWN_REGION) & (regions != (rules.phone.default_region or ""))
        if not named.any():
            continue
        rows = invalid.filter(named)
        verdicts = check_phones(rows.get_column(phone), rules.phone, regions=regions.filter(named))
        hint = pl.format("{}; {} read in {}, the country in column '{}': to read each number in its row's "
                         "country, set [phone] country_code_column = \"{}\"", pl.col("_phone_detail"),
                         pl.col("_e164_there"), pl.col("_there"), pl.lit(column), pl.lit(column))
        hints.append(rows.select("_row", pl.Series("_e164_there", verdicts.get_column("e164")),
                                 pl.Series("_there", regions.filter(named)), "_phone_detail")
                     .filter(pl.col("_e164_there").is_not_null()).select("_row", hint.alias("_hint")))
    if not any(h.height for h in hints):
        return frame
    found = pl.concat(hints).unique("_row", keep="first", maintain_order=True)
    return frame.join(found, on="_row", how="left", maintain_order="left").with_columns(
        pl.coalesce("_hint", "_phone_detail").alias("_phone_detail")).drop("_hint")


def _formula_issues(frame: pl.DataFrame, columns: list[str], strict: bool) -> pl.DataFrame:
    severity = "error" if strict else "warning"
    found = []
    # which columns have a cell starting like a formula at all: all checked in one step, side by side
    starts = frame.select(pl.col(column).str.contains(FORMULA_START).any().alias(column) for column in columns)
    for column in (name for name, hit in zip(columns, starts.row(0) if columns else ()) if hit):
        cell = pl.col(column)
        # the number check runs only on the few cells that start like a formula
        rows = frame.filter(cell.str.contains(FORMULA_START)).filter(
            ~cell.str.strip_chars().str.contains(_HARMLESS))
        if rows.height:
            found.append(issue_frame(
                rows, column=column, code="formula_injection", severity=severity, value=cell,
                message=pl.format("cell '{}' in column '{}' would run as a formula in a spreadsheet",
                                  cell.str.slice(0, 60), pl.lit(column)),
            ))
    return issues_from(found)


def _repeated_headers(frame: pl.DataFrame, header: list[str], phone: str, phone_issues: pl.DataFrame) -> pl.DataFrame:
    """The rows (``_row``, ``_line``, ``_value``: the phone cell) whose filled cells are the header's names again;
    the phone cell must be one of them. Exports pasted one after the other leave such a row between them."""
    def names_itself(column: str, cells: pl.Expr | None = None) -> pl.Expr:
        cells = pl.col(column) if cells is None else cells
        return cells.str.strip_chars().str.to_lowercase() == column.strip().lower()

    # such a phone cell is never a plain valid number: only the rows with a phone issue are looked at
    suspects = phone_issues.filter(names_itself(phone, pl.col("value")))
    candidates = frame.filter(pl.col("_row").is_in(suspects.get_column("row").implode())) if suspects.height \
        else frame.clear()
    blank = {column: pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "") for column in header}
    return candidates.filter(pl.all_horizontal(blank[column] | names_itself(column) for column in header)).select(
        "_row", "_line", pl.col(phone).alias("_value"))


def _broken_issues(broken: pl.DataFrame) -> pl.DataFrame:
    return issue_frame(broken, column=None, code=pl.col("code"), value=pl.col("_raw").str.slice(0, 200),
                       message=pl.col("message"))


def _rejected(original: pl.DataFrame, broken: pl.DataFrame, rejected_rows: pl.Series, issues: pl.DataFrame,
              header: list[str]) -> pl.DataFrame:
    """Rejected records with their original values, ``row``, ``errors`` and, for records that could not be split
    into fields, ``raw`` (the record's text)."""
    text = pl.when(pl.col("detail").is_not_null()).then(pl.format("{} ({})", pl.col("message"), pl.col("detail"))) \
        .otherwise(pl.col("message"))
    errors = issues.filter(pl.col("severity") == "error").select("row", text.alias("_errors"))
    # issues come sorted by row: most rows have one error, and only rows with several need grouping
    row = pl.col("row")
    several = errors.select(((row == row.shift(1)) | (row == row.shift(-1))).fill_null(False)).to_series()
    reasons = errors
    if several.any():
        joined = errors.filter(several).group_by("row", maintain_order=True).agg(pl.col("_errors").str.join("; "))
        reasons = errors.filter(~several).merge_sorted(joined, key="row")  # both in row order: merged, not sorted
    rows = original.filter(pl.col("_row").is_in(rejected_rows.implode())).with_columns(
        pl.lit(None, dtype=pl.String).alias("_raw")
    )
    broken_rows = broken.select(
        *[pl.lit(None, dtype=pl.String).alias(name) for name in header], "_row", "_line", "_raw"
    )
    every = rows.select(header + ["_row", "_line", "_raw"])
    if broken.height:
        every = pl.concat([every, broken_rows], how="vertical").sort("_row")
    if every.get_column("_row").equals(reasons.get_column("row"), check_names=False):
        # a reason for each rejected row, both in row order (as every error rejects its row): side by side
        every = every.with_columns(reasons.get_column("_errors"))
    else:
        every = every.join(reasons, left_on="_row", right_on="row", how="left", maintain_order="left")
    names = _free_names(header, ("row", "errors", "raw"))
    columns = [*header, pl.col("_row").alias(names["row"]), pl.col("_errors").alias(names["errors"])]
    if broken.height:
        columns.append(pl.col("_raw").alias(names["raw"]))
    return every.select(columns)


def _free_names(header: list[str], wanted: tuple[str, ...]) -> dict[str, str]:
    """Our extra column names, prefixed where the file already uses them."""
    taken = set(header)
    names = {}
    for name in wanted:
        candidate = name
        while candidate in taken:
            candidate = f"csvprep_{candidate}"
        names[name] = candidate
    return names


def _phone_stats(accepted: pl.DataFrame) -> dict[str, dict[str, int]]:
    def counts(column: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for key, count in accepted.get_column(column).value_counts().iter_rows():
            label = "unknown" if key is None else str(key)
            found[label] = found.get(label, 0) + int(count)
        return by_count(found)

    return {"by_region": counts("_region"), "by_line_type": counts("_line_type")}
