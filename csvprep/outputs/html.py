"""report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) rendered with jinja2
from the same data as report.json, for a person to act on: what next (the files, what to upload, what to fix,
how to run again), every line of the text summary, each problem under a plain-language heading beside its code,
countries and line types by name. Every value from the file is HTML-escaped by jinja2's autoescaping."""

from __future__ import annotations

import shlex
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import polars as pl

from ..model.e164 import LINE_TYPE_NAMES, UNKNOWN_REGION
from ..model.issues import code_title
from ..model.providers import Provider
from ..model.result import ResultView
from ..model.summary import EXAMPLES_PER_KIND
from ..outputs.report import region_hint_text, report_data, summary_notes
from ..stages.phones.regions import country_name

_BAR_WIDTH = 360


def report_html(result: ResultView, paths: dict[str, Path] | None = None, provider: Provider | None = None,
                now: datetime | None = None) -> str:
    """report.html's text. ``paths``: where the outputs are written (named in the page's "what next"); ``provider``:
    the platform the files are shaped for; ``now``: the run's time (the local time with its offset)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: files("csvprep").joinpath("templates", name).read_text("utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["n"] = lambda value: f"{value:,}" if isinstance(value, int) else value
    data = report_data(result, issues=False)
    paths = {name: Path(path) for name, path in (paths or {}).items()}
    return environment.get_template("report.html.j2").render(
        data=data,
        counts=data["summary"],
        notes=[note.strip() for note in summary_notes(result, number=lambda n: f"{n:,}")],
        region_hint=region_hint_text(result),
        problems=[{**bar, "title": code_title(bar["label"])} for bar in _bars(_kinds(result))],
        regions=[{**bar, "name": _country(bar["label"])} for bar in
                 _bars(result.phone_stats.get("by_region", {}).items())],
        line_types=[{**bar, "name": LINE_TYPE_NAMES.get(bar["label"], (bar["label"], ""))[0],
                     "meaning": LINE_TYPE_NAMES.get(bar["label"], ("", ""))[1]} for bar in
                    _bars(result.phone_stats.get("by_line_type", {}).items())],
        examples=_examples(result),
        files=_files(result, paths),
        next_steps=_next_steps(result, paths, provider),
        run_at=(now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M:%S %z"),
    )


_NAMES = {"GB": "United Kingdom"}  # tzdata's "Britain (UK)" would read "Britain (UK) (GB)"


def _country(region: str) -> str:
    if region == UNKNOWN_REGION:
        return f"unknown country ({region})"
    name = _NAMES.get(region) or country_name(region)
    return f"{name} ({region})" if name != region else region


def _kinds(result: ResultView) -> list[tuple[str, int, str]]:
    return [(code, count, severity) for code, severity, count in result.kinds()]


def _bars(rows) -> list[dict[str, object]]:
    """Rows of (label, count[, severity]) with the bar's width in pixels, longest bar = ``_BAR_WIDTH``."""
    rows = [tuple(row) for row in rows]
    top = max((row[1] for row in rows), default=0)
    return [
        {"label": row[0], "count": row[1], "severity": row[2] if len(row) > 2 else "info",
         "width": max(1, round(_BAR_WIDTH * row[1] / top)) if top else 0}
        for row in rows
    ]


def _examples(result: ResultView) -> list[dict[str, object]]:
    """The first rows of each kind of problem, in file order, with where the rest of them are."""
    kinds = []
    issues = result.issues.sort("row", maintain_order=True)
    for code, count, severity in _kinds(result):
        rows = issues.filter((pl.col("code") == code) & (pl.col("severity") == severity)).head(EXAMPLES_PER_KIND)
        # an error's rows are rejected: in rejected.csv and errors.txt; a warning's rows are kept, and only the
        # report lists its issues
        where = ["rejected.csv", "errors.txt"] if severity == "error" else ["report.json"]
        kinds.append({"code": code, "title": code_title(code), "count": count, "severity": severity,
                      "rows": rows.to_dicts(), "where": where})
    return kinds


_WHAT = {
    "cleaned.csv": "the contacts ready to upload",
    "rejected.csv": "the rejected rows as they were, with a column saying why: fix them in a spreadsheet",
    "errors.txt": "one line per error, Row N: message",
    "report.json": "this report as data, every issue included",
    "report.html": "this page",
}


def _files(result: ResultView, paths: dict[str, Path]) -> list[dict[str, str]]:
    names = list(paths) or list(_WHAT)
    return [{"name": name, "path": str(paths[name]) if name in paths else name, "what": _WHAT.get(name, "")}
            for name in names]


def _next_steps(result: ResultView, paths: dict[str, Path], provider: Provider | None) -> dict[str, object]:
    """What to upload, what to fix, and the command that cleans the fixed rows again."""
    counts = result.counts()
    cleaned = str(paths.get("cleaned.csv", "cleaned.csv"))
    rejected = str(paths.get("rejected.csv", "rejected.csv"))
    rules = result.rules.source
    region = result.rules.phone.default_region
    out = paths["cleaned.csv"].parent if "cleaned.csv" in paths else Path("out")
    # rules made in code (rules_from_dict) have no file to name: the placeholder says one is needed
    named = str(rules) if rules and not str(rules).startswith("<") else "RULES.toml"
    again = ["csvprep", "clean", rejected, "--rules", named, "--out",
             str(out.with_name(out.name + "-fixed")), "--suppress", cleaned]
    if region:
        again[5:5] = ["--region", region]
    return {
        "upload": cleaned,
        "platform": provider.name if provider is not None and provider.name != "generic" else None,
        "rejected": rejected,
        "again": " ".join(shlex.quote(part) for part in again),
        "rows_clean": counts["rows_clean"],
        "rows_rejected": counts["rows_rejected"],
        "warnings": counts["warnings"],
    }
