"""What the commands print, as a person's terminal gets it: cells, names and file names full of escape sequences
and rich markup are shown escaped and literal by every format and command (run under a pseudo-terminal, so that
the coloured summary is the one printed), and errors stay one line."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from csvprep.cli.main import app

OSC52 = "\x1b]52;c;SGVsbG8=\x07"  # writes the clipboard
OSC8 = "\x1b]8;;http://evil.example/\x1b\\Call us now\x1b]8;;\x1b\\"  # a hyperlink
LINK = "[link=http://evil.example/]Call us now[/link]"  # rich markup for one
HOSTILE_ROWS = [
    ["+1234" + OSC52, "Ann", "5"],
    ["+14155550101", "[/bold]", LINK],
    ["+14155550102", '=HYPERLINK("http://evil.example/")\x1b[2J', "7"],
    ["+14155550103", "ok\rforged", "\x1b[2J"],
    ["+14155550104", "Ann\nx.csv:9: Row 9: forged", "[/bold]"],
    ["+14155550105", "Zoë " + OSC8 + " \x9b31m \u2028", "12.50"],
]


def _csv(rows):
    quoted = ['"' + cell.replace('"', '""') + '"' for row in rows for cell in row]
    return "phone,customer_name,due_amount\n" + "".join(",".join(quoted[i:i + 3]) + "\n"
                                                        for i in range(0, len(quoted), 3))


@pytest.fixture
def hostile(tmp_path):
    """A list full of escapes and markup, in a file whose own name is markup (x[/bold].csv), with its rules,
    prompt and a campaign body (x[/bold].json) just as hostile."""
    folder = tmp_path / "x["
    folder.mkdir()
    source = folder / "bold].csv"
    source.write_text(_csv(HOSTILE_ROWS), encoding="utf-8")
    (tmp_path / "rules.toml").write_text('[phone]\ndefault_region = "US"\n\n[variables.customer_name]\n'
                                         'required = true\n\n[variables.due_amount]\ntype = "decimal"\n')
    (tmp_path / "p.prompt").write_text("Hi {{ customer_name }}, you owe {{ due_amount }}.\nBye.\n")
    (folder / "bold].json").write_text(json.dumps({
        "campaignName": "x" + OSC52, "sipPhoneNumber": "+1\x1b[2J" + LINK, "agentId": "[/bold]" + OSC8,
        "variables": {"customer_name" + OSC52: "x"}}))
    return tmp_path


def in_terminal(args, cwd, timeout=120):
    """``csvprep ARGS`` with its stdin, stdout and stderr on a pseudo-terminal: (exit code, what it printed)."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "250", "TERM": "xterm-256color", "CI": "1"}  # CI: no progress bar
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "csvprep", *map(str, args)], stdin=child, stdout=child,
                               stderr=child, cwd=cwd, env=env, close_fds=True)
    os.close(child)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([main], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                process.kill()
                pytest.fail(f"csvprep {args} did not end in {timeout} s")
            try:
                chunk = os.read(main, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        process.wait(timeout=timeout)
    finally:
        os.close(main)
    return process.returncode, out.decode("utf-8", "replace")


def assert_nothing_raw(out: str) -> None:
    # the terminal's own colour codes (SGR, from rich) are the only escape sequences; no OSC, no other CSI
    assert "\x1b]" not in out
    text = re.sub(r"\x1b\[[0-9;]*m", "", out).replace("\r\n", "\n")  # the terminal writes CRLF for LF
    assert "\x1b" not in text and "\r" not in text, out  # a bare CR is the data's
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", text), out
    assert "internal error" not in out and "MarkupError" not in out and "Traceback" not in out


@pytest.mark.parametrize("fmt", ["text", "github", "csv"])
def test_check_prints_hostile_cells_escaped_in_a_terminal(hostile, fmt):
    code, out = in_terminal(["check", "x[/bold].csv", "-r", "rules.toml", "-f", fmt], hostile)
    assert code == 1, out
    assert_nothing_raw(out)
    assert "\\x1b]52;c;SGVsbG8=\\x07" in out and "\\x1b[2J" in out
    if fmt == "text":  # the newline in a cell forges no line of its own
        assert not any(line.startswith("x.csv:9:") for line in out.splitlines())


def test_check_names_the_file_and_quotes_the_cell_escaped(hostile):
    code, out = in_terminal(["check", "x[/bold].csv", "-r", "rules.toml"], hostile)
    assert code == 1 and "x[/bold].csv:2: Row 2: invalid phone number '+1234\\x1b]52;c;SGVsbG8=\\x07'" in out


def test_the_coloured_summary_prints_data_literally_and_never_as_markup(hostile):
    code, out = in_terminal(["clean", "x[/bold].csv", "-r", "rules.toml", "-o", "out"], hostile)
    assert code == 1, out  # not 2: no MarkupError
    assert_nothing_raw(out)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "x[/bold].csv" in plain  # the title, as it is
    assert LINK in plain and "\x1b]8;" not in out  # no live link
    assert "\\x1b]52;c;SGVsbG8=\\x07" in plain
    assert (hostile / "out" / "report.json").exists()


def test_the_plain_summary_and_preview_and_campaign_check_print_data_escaped(hostile):
    for args, expected in (
        (["clean", "x[/bold].csv", "-r", "rules.toml", "-o", "out", "--format", "text"], 1),
        (["preview", "x[/bold].csv", "-r", "rules.toml", "--prompt", "p.prompt", "-n", "9"], 0),
        (["campaign", "check", "x[/bold].json", "--provider", "sigmamind"], 1),
    ):
        code, out = in_terminal(args, hostile)
        assert code == expected, out
        assert_nothing_raw(out)
    code, out = in_terminal(["preview", "x[/bold].csv", "-r", "rules.toml", "--prompt", "p.prompt", "-n", "9"],
                            hostile)
    lines = out.replace("\r\n", "\n").splitlines()
    assert "Hi ok\\rforged, you owe \\x1b[2J." not in lines  # \x1b[2J is no decimal: that row is rejected
    assert "Hi Ann\\nx.csv:9: Row 9: forged, you owe [/bold]." not in lines
    assert any(line.startswith("Hi Zoë \\x1b]8;;http://evil.example/\\x1b\\Call us now") for line in lines), lines
    assert lines.count("Bye.") == sum(line.startswith("Hi ") for line in lines)  # the template's own lines


def test_an_error_naming_a_file_with_a_newline_is_one_line_escaped(tmp_path):
    result = CliRunner().invoke(app, ["check", str(tmp_path / "a\nx.csv:1: Row 1: forged\x1b]52;c;SGk=\x07.csv"),
                                      "-r", str(ROOT / "tests" / "rules" / "basic.toml")])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "a\\nx.csv:1: Row 1: forged\\x1b]52;c;SGk=\\x07.csv" in result.stderr and "\x1b" not in result.stderr


# --- the coloured summary says all the plain one does ------------------------------------------------------------

def _coloured(result, width=250) -> str:
    """The coloured summary as a colour terminal ``width`` wide shows it, colour codes removed."""
    import io

    from rich.console import Console

    from csvprep.cli.printing import summary_renderables

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, color_system="truecolor", highlight=False)
    for shown in summary_renderables(result, width):
        console.print(shown)
    return re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())


def _words(text: str) -> str:
    # rich wraps a long line where it likes, and groups thousands: compare the words, digits ungrouped
    return " ".join(re.sub(r"(?<=\d),(?=\d{3})", "", text).split())


def assert_says_all_the_plain_summary_does(result, coloured: str) -> None:
    from csvprep.outputs.report import summary_text

    plain = summary_text(result).splitlines()
    flat = _words(coloured)
    counts = result.counts()
    lines = coloured.splitlines()
    header = _words(" ".join(lines[1:4]))  # the file's name, then the counts table
    for name, key in (("rows in", "rows_in"), ("clean", "rows_clean"), ("rejected", "rows_rejected")):
        assert name in header and f"{counts[key]:,}" in coloured
    if counts["blank_rows"]:
        assert "blank rows skipped" in header and f"{counts['blank_rows']:,}" in coloured
    assert plain[0].startswith(result.contacts.source) and result.contacts.source in coloured
    kinds = re.compile(r"^    (\w+) +(\d+)  e\.g\. (.*)$")
    shown_kinds = 0
    for line in plain[1:]:
        kind = kinds.match(line)
        if kind:  # the code, its count and its example, on one line of the coloured table
            code, count, example = kind.groups()
            # the table's row: its code then its count (a note may use the code's word, "not a duplicate here")
            row = next((r for r in coloured.splitlines() if re.search(rf" {code} +[\d,]+ ", r)), None)
            assert row is not None, (code, coloured)
            assert f" {int(count):,} " in row and _words(example) in _words(row), (line, row)
            shown_kinds += 1
        elif line.strip() in ("problems:", "warnings:"):
            continue
        elif line.startswith("    … and "):  # the plain summary's top five: the coloured one lists every kind
            assert len(result.kinds()) > shown_kinds
        else:  # a note: word for word
            assert _words(line) in flat, (line, coloured)
    for code, _, count in result.kinds():
        assert re.search(rf" {code} +{count:,} ", coloured), (code, coloured)


def _fixed_rejected(tmp_path) -> bytes:
    import csvprep

    csvprep.clean(ROOT / "sample_data" / "contacts.csv", ROOT / "rules" / "payment_reminder.toml").write(tmp_path)
    return (tmp_path / "rejected.csv").read_bytes()


SUMMARY_CASES = {
    "sample": lambda tmp: ("sample", ROOT / "sample_data" / "contacts.csv", ROOT / "rules" / "payment_reminder.toml", {}),
    "region hint": lambda tmp: ("hint", b"phone,customer_name\n98765 43210,A\n98765 43211,B\n(415) 555-0132,C\n"
                                        b"99887 76655,D\n", ROOT / "tests" / "rules" / "basic.toml", {}),
    "no region": lambda tmp: ("none", b"phone,customer_name\n(415) 555-0132,Ann\n+44 7400 123456,Cy\n", None, {}),
    "footer": lambda tmp: ("footer", ROOT / "tests" / "fixtures" / "salesforce_report_with_footer.csv", None,
                           {"region": "US"}),
    "index": lambda tmp: ("index", ROOT / "tests" / "fixtures" / "pandas_to_csv_with_its_index.csv", None,
                          {"region": "US"}),
    "blank lines": lambda tmp: ("blank", ROOT / "tests" / "fixtures" / "blank_lines.csv", None, {"region": "US"}),
    "fixed rejected.csv": lambda tmp: ("rejected", _fixed_rejected(tmp), ROOT / "rules" / "payment_reminder.toml", {}),
    "thousands": lambda tmp: ("big", b"phone,customer_name\n" + b"".join(b"+1415555%04d,N\n" % (n % 1500)
                                                                        for n in range(2600)),
                              ROOT / "tests" / "rules" / "basic.toml", {}),
}


@pytest.mark.parametrize("case", list(SUMMARY_CASES))
def test_the_coloured_summary_says_all_the_plain_one_does(case, tmp_path):
    import csvprep

    _, source, rules, options = SUMMARY_CASES[case](tmp_path)
    result = csvprep.clean(source, rules if rules is not None else csvprep.rules_from_dict({}), **options)
    assert_says_all_the_plain_summary_does(result, _coloured(result))


def test_calling_hours_and_do_not_call_lines_are_in_both_summaries():
    import csvprep
    from csvprep.model.calling import CallingHours, parse_launch, parse_window
    from csvprep.model.rules import PhoneRule
    from csvprep.outputs.report import summary_text
    from csvprep.stages.suppression import load_suppression

    fixtures = ROOT / "tests" / "fixtures"
    lists = [load_suppression(fixtures / "dnc_crm_export.csv", PhoneRule(default_region="US"))]
    hours = CallingHours(parse_window("09:00-20:00"), parse_launch("2026-11-24T15:00:00Z"))
    result = csvprep.clean(fixtures / "contacts_some_on_dnc_lists.csv", ROOT / "tests" / "rules" / "basic.toml",
                           suppress=lists, calling=hours)
    plain = summary_text(result)
    stopped = result.suppression[str(fixtures / "dnc_crm_export.csv")]["suppressed"]
    assert f"do-not-call list {fixtures / 'dnc_crm_export.csv'}: " in plain and f"{stopped} contact" in plain
    assert "  calling hours 09:00-20:00 at launch" in plain
    assert_says_all_the_plain_summary_does(result, _coloured(result))


def test_the_coloured_summary_groups_thousands_counts_issues_and_has_a_legend():
    import csvprep

    data = b"phone,customer_name\n" + b",Ann\n" * 1234
    result = csvprep.clean(data, ROOT / "tests" / "rules" / "basic.toml")
    shown = _coloured(result)
    assert result.counts()["by_code"] == {"missing_phone": 1234}
    assert "1,234" in shown and "1234" not in shown.replace("1,234", "")
    assert re.search(r"problem +code +issues ", shown)  # the table counts issues, not rows
    legend = [line for line in shown.splitlines() if "error" in line and "warning" in line]
    assert len(legend) == 1 and "rejected" in legend[0] and "kept" in legend[0]
    assert re.search(r"Rows without a phone number +missing_phone +1,234 +Row 2: missing phone number", shown)


def test_an_example_cut_to_the_terminal_ends_with_an_ellipsis():
    import csvprep

    result = csvprep.clean(ROOT / "sample_data" / "contacts.csv", ROOT / "rules" / "payment_reminder.toml")
    narrow = _coloured(result, width=100)
    rows = [line for line in narrow.splitlines() if re.search(r" \d+  Row \d+: ", line)]
    assert rows and all(len(line) <= 100 for line in narrow.splitlines())
    cut = [line for line in rows if line.endswith("…")]
    assert cut  # the sample's messages are longer than what is left of 100 columns
    for line in cut:  # what is shown is the message's start
        example = line[line.index("Row "):-1]
        assert any(message.startswith(example.split(": ", 1)[1])
                   for message in result.issues.get_column("message").to_list()), line


def test_a_terminal_gets_the_coloured_summary_with_everything_the_plain_one_has(tmp_path):
    sample = ROOT / "sample_data" / "contacts.csv"
    code, out = in_terminal(["clean", sample, "-r", ROOT / "rules" / "payment_reminder.toml", "-o", tmp_path / "o"],
                            tmp_path)
    assert code == 1, out
    assert "\x1b[" in out  # coloured
    coloured = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out).replace("\r\n", "\n")
    import csvprep

    result = csvprep.clean(sample, ROOT / "rules" / "payment_reminder.toml")
    assert_says_all_the_plain_summary_does(result, coloured)
    assert f"wrote {tmp_path / 'o' / 'cleaned.csv'}" in coloured


def test_every_code_has_a_plain_language_title():
    from csvprep.model.issues import CODES, TITLES, code_title

    assert set(CODES) <= set(TITLES), "a new code needs a title in csvprep/model/issues.py TITLES"
    assert all(code_title(code)[0].isupper() and code not in code_title(code) for code in CODES)
    assert code_title("some_new_code") == "Some new code"
