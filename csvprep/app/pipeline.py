"""The pipeline: read → map columns → phones → variables → formula cells → duplicates → split into cleaned and
rejected. Every stage appends to one issue frame; a record is rejected when it has at least one error."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from pathlib import PurePath

import polars as pl

from ..app.result import CleanResult
from ..errors import InputError
from ..model.calling import CallingHours
from ..model.contacts import Contacts
from ..model.e164 import PLUS_DECLINED
from ..model.headers import find_zone_column
from ..model.issues import empty_issues, issue_frame, issues_from
from ..model.rules import Rules
from ..model.text import shown_name
from ..stages.calling_hours import check_calling_hours, contact_zones
from ..stages.columns import map_columns
from ..stages.duplicates import SeenPhones, find_duplicates, kept_keys
from ..stages.formulas import formula_issues
from ..stages.phones.check import check_phones
from ..stages.phones.issues import phone_column_issues, phone_stats, region_hint
from ..stages.phones.regions import code_regions
from ..stages.repeated_headers import repeated_headers
from ..stages.split import added_columns, rejected_records
from ..stages.suppression import SuppressionList, suppression_issues
from ..stages.variables.check import check_variables


def clean_contacts(contacts: Contacts, rules: Rules, *, strict: bool = False,
                   step: Callable[[str], None] = lambda stage: None, timings: dict[str, float] | None = None,
                   earlier: SeenPhones | None = None, suppress: list[SuppressionList] | None = None,
                   calling: CallingHours | None = None, add_columns: tuple[str, ...] = (),
                   remember_keys: bool = False) -> CleanResult:
    """The stages after reading, on contacts already read. ``earlier``: the duplicate keys of contacts kept from
    earlier parts of the same file (a :class:`~csvprep.stages.duplicates.SeenPhones`), when a large file is cleaned in
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
        formula_found = formula_issues(frame, [c for c in output_columns if c != columns.phone], strict)
        verdicts = pending.result()
    frame, phone_issues = phone_column_issues(frame, verdicts, regions, contacts.header, columns, rules)
    timings["phones"] = time.perf_counter() - mark  # variables ran meanwhile
    suppressed_issues, suppressed = suppression_issues(frame, columns.phone, suppress or [])
    calling_issues, calling_summary = empty_issues(), None
    if calling is not None:
        frame, calling_issues, calling_summary = check_calling_hours(frame, columns.phone, calling)
    elif "timezone" in add_columns:
        frame = frame.with_columns(contact_zones(frame, find_zone_column(contacts.header)))

    found = [phone_issues, suppressed_issues, calling_issues, variable_issues, formula_found,
             _broken_issues(contacts.broken)]
    repeated = repeated_headers(original, contacts.header, columns.phone, phone_issues)
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
        output_columns + added_columns(add_columns, output_columns, calling, source=shown_name(
            PurePath(contacts.source).name)))
    rejected = rejected_records(original, contacts.broken, rejected_rows, issues, contacts.header)

    result = CleanResult(
        cleaned=cleaned,
        cleaned_rows=accepted.get_column("_row"),
        rejected=rejected,
        issues=issues,
        rules=rules,
        contacts=contacts,
        columns=columns,
        variable_stats=variable_stats,
        phone_stats={**phone_stats(accepted), "plus_declined": frame.select(
            pl.col("_phone_detail").str.ends_with(PLUS_DECLINED).sum()).item() or 0},
        timings=timings,
        strict=strict,
        suppression={s.name: {"entries": s.entries, "numbers": len(s.numbers), "unreadable": s.unreadable,
                              "suppressed": suppressed[s.name]} for s in suppress or []},
        calling_hours=calling_summary,
        region_hint=region_hint(frame, columns, rules) if columns.country_code is None else None,
    )
    result.check_accounting()
    if remember_keys:
        result.kept_keys = kept_keys(accepted, rules.duplicates, columns, duplicate_issues.get_column("row"))
    return result


def _broken_issues(broken: pl.DataFrame) -> pl.DataFrame:
    return issue_frame(broken, column=None, code=pl.col("code"), value=pl.col("_raw").str.slice(0, 200),
                       message=pl.col("message"))
