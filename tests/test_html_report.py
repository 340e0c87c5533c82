"""report.html: self-contained, escaped, and (rendered by a real browser) showing the numbers of report.json."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from conftest import FIXTURES, ROOT, RULES

import csvprep
from csvprep.outputs.html import report_html

SAMPLE = ROOT / "sample_data" / "contacts.csv"
SAMPLE_RULES = ROOT / "rules" / "payment_reminder.toml"
CHROMIUM = next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


class _Page(HTMLParser):
    """Tags, attributes and the text of elements with an id, as a browser's DOM would have them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.by_id: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self._open: list[tuple[str | None, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("meta", "link", "br", "img", "input", "hr"):  # void: never closed
            return
        self._open.append((attributes.get("id"), attributes.get("data-code") if "count" in (
            attributes.get("class") or "") else None))

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id, _ in self._open:  # an element's text includes its children's
            if element_id:
                self.by_id[element_id] = self.by_id.get(element_id, "") + data
        if self._open and self._open[-1][1]:
            self.counts[self._open[-1][1]] = int(data.strip().replace(",", ""))


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def summary_numbers(page: _Page) -> dict[str, int]:
    return {key: int(page.by_id[key].strip().replace(",", "")) for key in ("rows-in", "rows-clean", "rows-rejected", "warnings")}


def test_report_html_is_written_beside_the_others_and_is_self_contained(tmp_path):
    result = csvprep.clean(SAMPLE, SAMPLE_RULES)
    paths = result.write(tmp_path)
    html = paths["report.html"].read_text(encoding="utf-8")
    page = parse(html)
    # nothing fetched, nothing run: inline CSS and SVG only
    assert not [t for t, a in page.tags if t in ("script", "link", "iframe", "img", "object", "embed")]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    counts = result.counts()
    assert summary_numbers(page) == {"rows-in": counts["rows_in"], "rows-clean": counts["rows_clean"],
                                     "rows-rejected": counts["rows_rejected"], "warnings": counts["warnings"]}
    assert page.counts == counts["by_code"]
    assert page.by_id["sha256"].strip() == result.contacts.sha256


def test_values_from_the_file_are_escaped():
    result = csvprep.clean(FIXTURES / "html_injection_names.csv", RULES / "basic.toml")
    html = report_html(result)
    page = parse(html)
    assert not [t for t, _ in page.tags if t in ("script", "img")]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html and "<script" not in html


def test_html_path_can_be_chosen(tmp_path):
    result = csvprep.clean(SAMPLE, SAMPLE_RULES)
    paths = result.write(tmp_path / "out", html_path=tmp_path / "site" / "contacts.html")
    assert paths["report.html"] == tmp_path / "site" / "contacts.html"
    assert paths["report.html"].exists() and not (tmp_path / "out" / "report.html").exists()


def _chromium(*args: str, tmp_path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium): the browser test needs it")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chromium-profile'}"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


def test_a_real_browser_shows_the_numbers_of_report_json(tmp_path):
    result = csvprep.clean(SAMPLE, SAMPLE_RULES)
    paths = result.write(tmp_path / "out")
    report = json.loads(paths["report.json"].read_text())
    rendered = _chromium("--dump-dom", paths["report.html"].as_uri(), tmp_path=tmp_path)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    page = parse(rendered.stdout)
    summary = report["summary"]
    assert summary_numbers(page) == {"rows-in": summary["rows_in"], "rows-clean": summary["rows_clean"],
                                     "rows-rejected": summary["rows_rejected"], "warnings": summary["warnings"]}
    assert page.counts == summary["by_code"]
    assert not [t for t, _ in page.tags if t == "script"]


def test_a_real_browser_draws_the_page(tmp_path):
    result = csvprep.clean(FIXTURES / "html_injection_names.csv", RULES / "basic.toml")
    paths = result.write(tmp_path / "out")
    shot = tmp_path / "report.png"
    rendered = _chromium(f"--screenshot={shot}", "--window-size=1200,1600", paths["report.html"].as_uri(),
                         tmp_path=tmp_path)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    # the injected markup was never run: the DOM has it as text
    dom = _chromium("--dump-dom", paths["report.html"].as_uri(), tmp_path=tmp_path).stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom or "<script>alert(1)" not in dom
    assert not [t for t, _ in parse(dom).tags if t in ("script", "img")]


def test_calling_hours_and_do_not_call_lists_have_their_sections():
    from csvprep.model.calling import CallingHours, parse_launch, parse_window
    from csvprep.model.rules import PhoneRule
    from csvprep.stages.suppression import load_suppression

    lists = [load_suppression(FIXTURES / "dnc_crm_export.csv", PhoneRule(default_region="US"))]
    hours = CallingHours(parse_window("09:00-20:00"), parse_launch("2026-11-24T15:00:00Z"))
    result = csvprep.clean(FIXTURES / "contacts_across_time_zones.csv", RULES / "basic.toml", suppress=lists,
                           calling=hours)
    page = parse(report_html(result))
    assert "Asia/Calcutta" in page.by_id["calling-hours"] and "Calling hours 09:00-20:00" in page.by_id["calling-hours"]
    assert "dnc_crm_export.csv" in page.by_id["suppression"]
    plain = parse(report_html(csvprep.clean(SAMPLE, SAMPLE_RULES)))
    assert "calling-hours" not in plain.by_id and "suppression" not in plain.by_id


def _text(html: str) -> str:
    """The page's text as a reader sees it, whitespace collapsed."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_page_says_what_next_names_the_files_and_the_run(tmp_path):
    from csvprep.outputs.report import csvprep_version

    result = csvprep.clean(SAMPLE, SAMPLE_RULES)
    paths = result.write(tmp_path / "out")
    html = paths["report.html"].read_text(encoding="utf-8")
    page, text = parse(html), _text(html)
    nxt = " ".join(page.by_id["next"].split())
    for name, path in paths.items():
        assert name in nxt and str(path) in nxt
    counts = result.counts()
    assert f"Upload {paths['cleaned.csv']}: {counts['rows_clean']:,} contacts ready" in nxt
    assert f"Fix the {counts['rows_rejected']:,} rejected rows in {paths['rejected.csv']}" in nxt
    again = page.by_id["again"].split()
    assert again[:3] == ["csvprep", "clean", str(paths["rejected.csv"])]
    assert again[again.index("--rules") + 1] == str(SAMPLE_RULES) and again[-2:] == ["--suppress",
                                                                                    str(paths["cleaned.csv"])]
    assert page.by_id["version"] == csvprep_version()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", page.by_id["run-at"])
    assert "Nothing to fix" not in text


def test_the_page_has_every_summary_line_and_plain_names_for_codes_countries_and_line_types():
    from csvprep.model.e164 import LINE_TYPE_NAMES
    from csvprep.model.issues import code_title
    from csvprep.outputs.report import summary_notes

    result = csvprep.clean(SAMPLE, SAMPLE_RULES)
    html = report_html(result)
    text = _text(html)
    for note in summary_notes(result, number=lambda n: f"{n:,}"):
        assert " ".join(note.split()) in text, note
    for code, severity, count in result.kinds():
        assert f"{code_title(code)} ({code})" in text
        shown = min(count, 5)
        where = "rejected.csv / errors.txt" if severity == "error" else "report.json"
        assert f"{code_title(code)} ({code}) showing {shown} of {count:,} — all in {where}" in text
    assert "United States (US)" in text and "Australia (AU)" in text
    for line_type in result.phone_stats["by_line_type"]:
        name, meaning = LINE_TYPE_NAMES[line_type]
        assert f"{name} ({line_type}) {meaning}" in text
    assert "universal access number" in text  # the sample has UAN numbers
    assert "error: the row is rejected" in text and "warning: the row is kept" in text  # the chart's legend
    # an empty cell says so; the message column has one width in every table
    assert "(empty)" in text
    assert html.count('<colgroup><col class="row"><col class="column"><col class="value"><col class="message">') \
        == len(result.kinds())


def test_a_region_hint_is_on_the_page_and_a_clean_list_has_nothing_to_fix():
    hinted = csvprep.clean(b"phone,customer_name\n98765 43210,A\n98765 43211,B\n(415) 555-0132,C\n99887 76655,D\n",
                           RULES / "basic.toml")
    assert hinted.region_hint is not None
    assert "pass --region IN" in parse(report_html(hinted)).by_id["region-hint"]
    assert "--rules RULES.toml" in _text(report_html(csvprep.clean(b"phone\n123\n", csvprep.rules_from_dict({}))))
    clean = csvprep.clean(b"phone,customer_name\n+14155550132,Ann\n", RULES / "basic.toml")
    text = _text(report_html(clean))
    assert "Nothing to fix: no row was rejected." in text and "region-hint" not in report_html(clean)


WIDE = 1280


def _scroll_width(html_path, tmp_path) -> tuple[int, int]:
    """(document width, window width) of the page drawn by Chromium in a window ``WIDE`` pixels wide. The page
    itself runs no script: a copy of it gets one that writes the widths into the DOM for --dump-dom to show."""
    probe = tmp_path / "probe.html"
    script = ("<script>document.body.setAttribute('data-widths', document.documentElement.scrollWidth + ' ' + "
              "document.documentElement.clientWidth)</script></body>")
    probe.write_text(html_path.read_text(encoding="utf-8").replace("</body>", script), encoding="utf-8")
    rendered = _chromium(f"--window-size={WIDE},900", "--dump-dom", probe.as_uri(), tmp_path=tmp_path)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    found = re.search(r'data-widths="(\d+) (\d+)"', rendered.stdout)
    assert found, rendered.stdout[-2000:]
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("case", ["sample", "long values", "html injection"])
def test_at_1280_pixels_wide_the_page_needs_no_horizontal_scrollbar(tmp_path, case):
    if case == "sample":
        result = csvprep.clean(SAMPLE, SAMPLE_RULES)
    elif case == "html injection":
        result = csvprep.clean(FIXTURES / "html_injection_names.csv", RULES / "basic.toml")
    else:  # cells and a rules path with no place to break a line
        long = "9" * 40 + "x" * 400
        data = ("phone,customer_name,due_amount\n" + f"{long},{'N' * 300},{long}\n" * 3
                + "+14155550132,Ann,12\n").encode()
        result = csvprep.clean(data, csvprep.rules_from_dict({"phone": {"default_region": "US"}, "variables": {
            "due_amount": {"type": "decimal"}}}), name="y" * 250 + ".csv")
    paths = result.write(tmp_path / ("o" * 120))
    document, window = _scroll_width(paths["report.html"], tmp_path)
    assert window <= WIDE and document <= window, (document, window)
    shot = tmp_path / "report.png"
    drawn = _chromium(f"--screenshot={shot}", f"--window-size={WIDE},1600", paths["report.html"].as_uri(),
                      tmp_path=tmp_path)
    assert drawn.returncode == 0 and shot.read_bytes().startswith(b"\x89PNG")
