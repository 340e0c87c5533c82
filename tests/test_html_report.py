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
            self.counts[self._open[-1][1]] = int(data.strip())


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def summary_numbers(page: _Page) -> dict[str, int]:
    return {key: int(page.by_id[key].strip()) for key in ("rows-in", "rows-clean", "rows-rejected", "warnings")}


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
