"""``csvprep clean FILE... --out DIR`` over several files (or directories): run them as one campaign list
(:func:`csvprep.app.batch.run_files`), then say per file what was read and which were skipped, and why."""

from __future__ import annotations

import json
from pathlib import Path

from .options import Format
from .printing import IssuePrinter, print_summary, progress, say, to_stdout, warn


def clean_several(job, inputs: list[Path], options, fmt: Format, quiet: bool, *, separate: bool, recursive: bool,
                  fail_fast: bool, interactive: bool) -> int:
    """The exit code: 1 when any row of any file was rejected or any file was skipped, else 0; a run that could
    not read any file raises (exit 2)."""
    from ..app.batch import expand_inputs, run_files
    from ..outputs.report import report_data

    files = expand_inputs(inputs, recursive=recursive, exclude=options.out)
    printer = None
    if fmt in (Format.github, Format.csv) and not quiet:
        printer = IssuePrinter(fmt, options.max_errors)
    with progress(enabled=interactive and fmt is Format.text and not quiet) as step:
        result, paths = run_files(job, files, out_dir=options.out, separate=separate, fail_fast=fail_fast,
                                  html_path=options.html, on_progress=step,
                                  on_issues=(lambda issues, name: printer(issues, name)) if printer else None)
    skipped = [section for section in result.files if section.skipped is not None]
    for section in skipped:
        if not quiet:
            warn(f"{section.name}: skipped: {section.skipped}")
    code = max(result.exit_code, 1 if skipped else 0)
    if quiet:
        return code
    if fmt is Format.json and not separate:
        with open(paths["report.json"], "rb") as report:
            to_stdout(report)
    elif fmt is Format.json:  # each file's report is in its directory: the totals and the sections of all
        say(json.dumps(report_data(result, issues=False), indent=2, ensure_ascii=False))
    elif fmt is Format.text:
        print_summary(result)
        for section in result.files:
            if section.summary is not None:
                counts, detected = section.summary.counts(), section.detected
                read_as = f"sheet '{detected['sheet']}'" if "sheet" in detected else \
                    f"{detected.get('encoding')}, {detected.get('delimiter_name')}"
                say(f"  {section.name}: {counts['rows_in']} rows, {counts['rows_clean']} clean, "
                    f"{counts['rows_rejected']} rejected ({read_as})"
                    + (f" -> {section.out_dir}" if section.out_dir else ""))
        if skipped:
            say(f"  skipped {len(skipped)} of {len(result.files)} files: {', '.join(s.name for s in skipped)}")
        if separate:
            names = dict.fromkeys(path.name for path in paths.values())
            say(f"  wrote {', '.join(names)} into each of "
                f"{', '.join(s.out_dir for s in result.files if s.out_dir)}")
        else:
            say(f"  wrote {', '.join(str(p) for p in paths.values())}")
    if printer is not None:
        for section in result.files:
            printer.left_out(section.name)
    return code
