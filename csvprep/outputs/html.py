"""report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) rendered with jinja2
from the same data as report.json. Every value from the file is HTML-escaped by jinja2's autoescaping."""

from __future__ import annotations

from importlib.resources import files

import polars as pl

from ..model.result import ResultView
from ..model.summary import EXAMPLES_PER_KIND
from ..outputs.report import report_data

_BAR_WIDTH = 360


def report_html(result: ResultView) -> str:
    """report.html's text."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: files("csvprep").joinpath("templates", name).read_text("utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    data = report_data(result, issues=False)
    return environment.get_template("report.html.j2").render(
        data=data,
        counts=data["summary"],
        problems=_bars(_kinds(result)),
        regions=_bars(result.phone_stats.get("by_region", {}).items()),
        line_types=_bars(result.phone_stats.get("by_line_type", {}).items()),
        examples=_examples(result),
    )


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
    """The first rows of each kind of problem, in file order."""
    kinds = []
    issues = result.issues.sort("row", maintain_order=True)
    for code, count, severity in _kinds(result):
        rows = issues.filter((pl.col("code") == code) & (pl.col("severity") == severity)).head(EXAMPLES_PER_KIND)
        kinds.append({"code": code, "count": count, "severity": severity, "rows": rows.to_dicts()})
    return kinds
