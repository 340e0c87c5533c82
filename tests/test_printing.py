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
