"""Renderers over a :class:`~csvprep.model.result.ResultView`: the report as JSON data, the ``Row N: message`` error
lines, the human summary and the ``FILE:LINE: Row N: message`` lines of ``csvprep check``."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ..io.csv_out import neutralise_formulas, write_spreadsheet_csv
from ..model.e164 import NO_REGION, PLUS_DECLINED
from ..model.result import ResultView
from ..model.text import printable, printable_expr

if TYPE_CHECKING:
    from typing import BinaryIO


def csvprep_version() -> str:
    try:
        return version("csvprep")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "unknown"


def report_json(result: ResultView) -> str:
    """report.json's text (see :func:`write_report_json`)."""
    buffer = io.BytesIO()
    write_report_json(result, buffer)
    return buffer.getvalue().decode("utf-8")


def write_report_json(result: ResultView, stream: BinaryIO, issues: pl.DataFrame | None = None) -> None:
    """Write report.json to a binary stream. The issue list (``issues``, when the result keeps only some), which
    can hold millions of entries, is serialised by Polars straight into the stream."""
    stream.write(report_head(result))
    write_issue_objects(result.issues if issues is None else issues, stream, first=True)
    stream.write(REPORT_TAIL)


def report_head(result: ResultView) -> bytes:
    """report.json up to its issues' first element: what follows is :func:`write_issue_objects`' output, then
    :data:`REPORT_TAIL`."""
    head = json.dumps(report_data(result, issues=False), indent=2, ensure_ascii=False)
    return (head[:-2] + ',\n  "issues": [\n').encode("utf-8")


REPORT_TAIL = b"\n]\n}\n"


def write_issue_objects(issues: pl.DataFrame, stream: BinaryIO, *, first: bool) -> None:
    """The issues as the elements of a JSON array, an object a line, each led by a comma unless it is the
    ``first`` of the array. Polars encodes them straight into the stream, on all cores (several times quicker
    than ``write_json``, and no copy of a list that can outweigh the input)."""
    if issues.height == 0:
        return
    encoded = pl.struct(pl.all()).struct.json_encode()
    options = {"include_header": False, "quote_style": "never", "line_terminator": ""}
    issues.head(1).select(pl.concat_str(pl.lit("" if first else ",\n"), encoded)).write_csv(stream, **options)
    if issues.height > 1:
        stream.flush()  # Polars' streaming engine writes the rest from its own threads, in order
        issues.slice(1).lazy().select(pl.concat_str(pl.lit(",\n"), encoded)).sink_csv(stream, **options)
        stream.flush()


def report_data(result: ResultView, issues: bool = True) -> dict[str, object]:
    """Everything report.json holds: summary (counts that prove every record was accounted for), issues,
    what was detected in the file, the settings used and timings."""
    rules = result.rules
    contacts = result.contacts
    return {
        "csvprep_version": csvprep_version(),
        "input": {"path": contacts.source, "sha256": contacts.sha256, **contacts.describe()},
        "settings": {
            "rules": rules.source,
            "agent": {"name": rules.agent_name, "agent_id": rules.agent_id},
            "default_region": rules.phone.default_region,
            "allowed_regions": list(rules.phone.allowed_regions) if rules.phone.allowed_regions else None,
            "allowed_types": list(rules.phone.allowed_types) if rules.phone.allowed_types else None,
            "fix_missing_plus": rules.phone.fix_missing_plus,
            "duplicates": {"policy": rules.duplicates.policy, "key": list(rules.duplicates.key)},
            "strict": result.strict,
        },
        "columns": {
            "phone": result.columns.phone,
            "country_code": result.columns.country_code,
            "variables": {variable.name: column for variable, column in result.columns.variables},
            "added": list(result.columns.added),
        },
        "summary": result.counts(),
        "variables": [vars(stats) for stats in result.variable_stats],
        "phones": result.phone_stats,
        "suppression": result.suppression,
        "calling_hours": vars(result.calling_hours) if result.calling_hours is not None else None,
        "timings_seconds": {stage: round(seconds, 4) for stage, seconds in result.timings.items()},
        **({"across_files": result.across_files} if result.across_files else {}),
        **({"files": [file.describe() for file in result.files]} if result.files else {}),
        **({"issues": result.issues.to_dicts()} if issues else {}),
    }


def error_lines(result: ResultView) -> list[str]:
    """errors.txt: ``Row N: message`` for every error, in row order, worded as the campaign API words them."""
    errors = result.errors
    if errors.height == 0:
        return []
    return errors.select(_error_line("file" in errors.columns)).to_series().to_list()


def write_error_lines(result: ResultView, stream: BinaryIO) -> None:
    """Write errors.txt (:func:`error_lines`, one per line) to a binary stream."""
    if result.errors.height:
        result.errors.select(_error_line("file" in result.errors.columns)).write_csv(stream, include_header=False, quote_style="never")


def _error_line(named: bool = False) -> pl.Expr:
    # a line break inside a quoted cell would split one error over two lines of errors.txt (and an escape sequence
    # would reach the terminal of whoever reads it); the issues of several files merged name their file
    line = pl.format("Row {}: {}", "row", printable_expr(pl.col("message")))
    if named:
        line = pl.format("{}: {}", printable_expr(pl.col("file")), line)
    return line.alias("line")


def check_lines(result: ResultView | pl.DataFrame, path: str, warnings: bool = True) -> list[str]:
    """``FILE:LINE: Row N: message (detail)`` for every error (and warning) of a result or an issues frame, as
    editors and CI read them; what comes from the data is :func:`~csvprep.model.text.printable`."""
    issues = result.issues if not isinstance(result, pl.DataFrame) else result
    if not warnings:
        issues = issues.filter(pl.col("severity") == "error")
    if issues.height == 0:
        return []
    prefix = pl.when(pl.col("severity") == "warning").then(pl.lit("warning: ")).otherwise(pl.lit(""))
    detail = pl.when(pl.col("detail").is_not_null()).then(pl.format(" ({})", "detail")).otherwise(pl.lit(""))
    line = pl.concat_str(
        pl.lit(f"{printable(path)}:"), pl.col("line").cast(pl.String), pl.lit(": Row "), pl.col("row").cast(pl.String),
        pl.lit(": "), prefix, printable_expr(pl.concat_str(pl.col("message"), detail)),
    )
    return issues.select(line).to_series().to_list()


def github_lines(result: ResultView | pl.DataFrame, path: str) -> list[str]:
    """GitHub Actions workflow commands: ``::error file=F,line=L::Row N: message (detail)`` per issue of a result
    or an issues frame."""
    issues = result.issues if not isinstance(result, pl.DataFrame) else result
    if issues.height == 0:
        return []
    detail = pl.when(pl.col("detail").is_not_null()).then(pl.format(" ({})", "detail")).otherwise(pl.lit(""))
    text = pl.format("Row {}: {}{}", "row", "message", detail)
    # the workflow-command escapes: %, CR and LF in the message; also : and , in a property value. Every other
    # control character is printable()'s escape: the log shows it, no terminal runs it
    text = printable_expr(text.str.replace_all("%", "%25", literal=True).str.replace_all("\r", "%0D", literal=True)
                          .str.replace_all("\n", "%0A", literal=True), keep="\r\n")
    escaped_path = _github_property(path)
    line = pl.format("::{} file={},line={}::{}", "severity", pl.lit(escaped_path), "line", text)
    return issues.select(line).to_series().to_list()


def _github_property(value: str) -> str:
    for char, code in (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C")):
        value = value.replace(char, code)
    return printable(value)


def issues_csv(issues: pl.DataFrame, path: str, header: bool = True) -> str:
    """An issues table (``result.issues`` or part of it) as CSV, with the file's path as its first column: printed,
    and opened in spreadsheets, so each text cell is :func:`~csvprep.model.text.printable` (control characters
    escaped, the quoting still valid CSV) and neutralised as rejected.csv's are."""
    table = issues.select(pl.lit(path, dtype=pl.String).alias("file"), pl.all())
    table = neutralise_formulas(table.with_columns(printable_expr(pl.col(pl.String))))
    buffer = io.BytesIO()
    write_spreadsheet_csv(table, buffer, include_header=header)
    return buffer.getvalue().decode("utf-8")


def summary_text(result: ResultView, top: int = 5) -> str:
    """A short summary for people: rows in / clean / rejected, what was detected, the most common problems."""
    lines = [summary_title(result), *summary_notes(result)]
    width = 120 if result.files else 90  # several files: each example begins with its file's name
    for severity, title, kinds in summary_kinds(result):
        lines.append(f"  {title}:")
        for code, count, example in kinds[:top]:
            lines.append(f"    {code:<26} {count:>7}  e.g. {shorten(example, width)}")
        if len(kinds) > top:
            lines.append(f"    … and {len(kinds) - top} more kinds (see report.json)")
    # names, cells and messages come from the data: each line printable, whatever they hold
    return "\n".join(printable(line) for line in lines)


def summary_title(result: ResultView, number: Callable[[int], str] = str) -> str:
    """The summary's first line: ``FILE: N rows in, N clean, N rejected (N blank rows skipped)``."""
    counts = result.counts()
    return (f"{result.contacts.source}: {number(counts['rows_in'])} rows in, {number(counts['rows_clean'])} clean, "
            f"{number(counts['rows_rejected'])} rejected"
            + (f" ({_plural(counts['blank_rows'], 'blank row', number)} skipped)" if counts["blank_rows"] else ""))


def summary_kinds(result: ResultView) -> list[tuple[str, str, list[tuple[str, int, str]]]]:
    """``(severity, title, [(code, issues, 'Row N: message' of its first)])`` for errors ("problems") then
    warnings, most frequent first: of the whole run, even when only the first issues of each kind were kept."""
    kinds, found = result.kinds(), []
    for severity, title in (("error", "problems"), ("warning", "warnings")):
        of_severity = [(code, count) for code, kind_severity, count in kinds if kind_severity == severity]
        if not of_severity:
            continue
        issues = result.issues.filter(pl.col("severity") == severity)
        rows = []
        for code, count in of_severity:
            example = issues.filter(pl.col("code") == code).row(0, named=True)
            where = f"{example['file']}: " if example.get("file") else ""  # a run over several files
            rows.append((code, count, f"{where}Row {example['row']}: {example['message']}"))
        found.append((severity, title, rows))
    return found


def summary_notes(result: ResultView, number: Callable[[int], str] = str) -> list[str]:
    """The summary's lines between its title and its problems, each indented by two spaces: how the file was
    read, the region hint, what was skipped or left out, the calling hours. The plain summary, the coloured one
    and report.html all show these, so a line added here reaches all three. ``number`` formats counts."""
    contacts = result.contacts
    lines: list[str] = []
    if result.files:  # several files: each read with its own detection, said per file
        read = sum(1 for file in result.files if file.summary is not None)
        read_as = f"read {read} file{'s' * (read != 1)}, each with its own encoding and delimiter"
    elif contacts.sheet is not None:
        read_as = f"read the sheet '{contacts.sheet}' of the workbook"
    else:
        read_as = (f"read as {contacts.encoding}{' with BOM' if contacts.bom else ''}, "
                   f"{contacts.describe()['delimiter_name']}-delimited, {contacts.line_endings} line endings")
    if contacts.encoding != "n/a":
        lines.append(
            f"  {read_as}; phone column '{result.columns.phone}'"
            + (f" (country codes from '{result.columns.country_code}')" if result.columns.country_code else "")
            + (f", default region {result.rules.phone.default_region}" if result.rules.phone.default_region else "")
            + (f"; header on row {contacts.header_row}" if contacts.header_row > 1 else "")
        )
    if result.region_hint is not None:
        lines.append(f"  {region_hint_text(result)}")
    declined = result.phone_stats.get("plus_declined", 0)
    if declined:
        example = result.issues.filter(pl.col("detail").str.ends_with(PLUS_DECLINED)).head(1).to_dicts()
        seen = ""
        if example:
            found = re.search(r"read as (\+\d+) it would be a number in (.+?) \(", example[0]["detail"] or "")
            if found:
                seen = f" (e.g. Row {example[0]['row']}: '{example[0]['value']}' as {found[1]}, {found[2]})"
        where = f"in {result.rules.phone.default_region}" if result.rules.phone.default_region else "without a country code"
        lines.append(f"  {_plural(declined, 'number', number)} invalid {where} would be another country's read with a "
                     f"'+'{seen}: rejected, not assumed (a mistyped area code must not call abroad); write the "
                     "international ones with their '+'")
    if result.rules.phone.default_region is None and result.region_hint is None \
            and result.issues.filter(pl.col("detail").str.starts_with(NO_REGION)).height:
        lines.append("  numbers written without a country code are rejected: no default region is set (pass --region, "
                     "e.g. --region US, or set [phone] default_region in the rules)")
    if contacts.footer:
        lines.append(f"  skipped {_plural(len(contacts.footer), 'line')} below the table, after a blank line: a report's "
                     f"footer, not contacts ('{shorten(contacts.footer[0], 60)}')")
    if contacts.left_out_index:
        lines.append("  left out the unnamed first column of whole numbers: a row index (pandas' to_csv writes one), "
                     "not contact data")
    if contacts.left_out_columns:
        lines.append(f"  left out {', '.join(contacts.left_out_columns)}: the columns of an earlier rejected.csv, "
                     "not contact data")
    for name, stats in result.suppression.items():
        unreadable = stats.get("unreadable", 0)
        lines.append(f"  do-not-call list {name}: {_plural(stats.get('numbers', 0), 'number', number)} on it, "
                     f"{_plural(stats.get('suppressed', 0), 'contact', number)} stopped"
                     + (f" ({_plural(unreadable, 'entry', number).replace('entrys', 'entries')} not a number)"
                        if unreadable else ""))
    if (note := rerun_note(result)) is not None:
        lines.append(f"  {note}")
    calling = result.calling_hours
    if calling is not None:
        total = sum(zone["contacts"] for zone in calling.by_time_zone.values())
        callable_now = sum(zone["callable_at_launch"] for zone in calling.by_time_zone.values())
        lines.append(f"  calling hours {calling.window} at launch {calling.launch}: {number(callable_now)} of {number(total)} numbers "
                     f"callable in all their time zones; earliest launch with every one inside: "
                     f"{calling.earliest_launch_all_inside or 'none (' + (calling.note or '') + ')'}")
    return lines


def region_hint_text(result: ResultView) -> str | None:
    """What :attr:`CleanResult.region_hint` means, for people."""
    if result.region_hint is None:
        return None
    region, valid, tried = result.region_hint
    default = result.rules.phone.default_region
    if not default:
        return (f"only numbers written with a country code were accepted: no default region is set; {valid} of "
                f"{tried} numbers written without one are valid read in {region}: if the list is from {region}, "
                f"pass --region {region} (or set [phone] default_region)")
    return (f"many numbers are invalid in {default}, but {valid} of {tried} tried are valid read in {region}: if the "
            f"list is from {region}, pass --region {region} (or set [phone] default_region)")


def rerun_note(result: ResultView) -> str | None:
    """For an earlier run's rejected.csv run again once fixed (its row/errors columns, or its name), without a
    do-not-call list: the first run's clean numbers are not known to this run, so a fixed row repeating one of them
    is no duplicate here."""
    contacts = result.contacts
    name = Path(str(contacts.source)).name.lower()
    looks_rejected = bool(contacts.left_out_columns) or (name.startswith("rejected") and name.endswith(".csv"))
    if not looks_rejected or result.suppression:
        return None
    return ("a fixed rejected.csv: the numbers in the first run's cleaned.csv are not known to this run, so a row "
            "repeating one is not a duplicate here; give that file with --previous CLEANED.csv (or --suppress "
            "CLEANED.csv) to keep them out")


def _plural(count: int, noun: str, number: Callable[[int], str] = str) -> str:
    return f"{number(count)} {noun}{'' if count == 1 else 's'}"


def shorten(text: str, width: int = 90) -> str:
    """``text`` cut to ``width`` characters, an ellipsis where it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"
