"""The run's progress: one measure over the whole input, also read in parts, that never goes back, drawn as a bar
only at a terminal (a pseudo-terminal here), never in a pipe; Ctrl-C under the bar still ends in one line."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from conftest import RULES

import csvprep
from csvprep.app.progress import Progress, count_rows
from csvprep.app.run import job_of, run

BAR = re.compile(r"([\d,]+) of ([\d,]+) rows · part (\d+)/(\d+)")


def contacts(path, count: int, blank_every: int = 0) -> None:
    lines = [f"+1{('415', '212', '646', '206')[n // 10000 % 4]}555{n % 10000:04d},N{n}\n" for n in range(count)]
    if blank_every:
        lines = [line + ("\n" if n % blank_every == blank_every - 1 else "") for n, line in enumerate(lines)]
    path.write_text("phone,customer_name\n" + "".join(lines))


def events_of(source, part_rows: int, **options) -> tuple[list[Progress], csvprep.CleanResult]:
    seen: list[Progress] = []
    job = job_of(RULES / "basic.toml", part_rows=part_rows)
    result, _ = run(job, source, on_progress=seen.append, **options)
    return seen, result


def assert_forward_only(seen: list[Progress]) -> None:
    fractions = [e.done / e.total for e in seen if e.total]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [e.rows for e in seen] == sorted(e.rows for e in seen)
    assert [e.part for e in seen] == sorted(e.part for e in seen)
    assert [e.elapsed for e in seen] == sorted(e.elapsed for e in seen)


@pytest.mark.parametrize("count,part_rows,blank_every", [(2_000, 300, 0), (1_001, 1_000, 0), (5_000, 700, 7),
                                                          (50, 1_000_000, 0)])
def test_a_file_in_parts_goes_forward_once_over_all_its_rows(tmp_path, count, part_rows, blank_every):
    source = tmp_path / "list.csv"
    contacts(source, count, blank_every)
    seen, result = events_of(source, part_rows, out_dir=tmp_path / "out")
    assert_forward_only(seen)
    rows = result.counts()["rows_in"] + result.counts()["blank_rows"]
    assert seen[-1].rows == seen[-1].rows_total == rows == count_rows(source)
    parts = max(e.part for e in seen)
    assert seen[-1].parts == parts and parts == len({e.part for e in seen})
    assert all(e.parts is not None and e.parts >= e.part for e in seen)
    # the parts expected are known from the start, and are the parts there were
    assert seen[0].parts == parts
    assert {e.stage for e in seen} >= {"reading", "phones and variables", "duplicates", "writing", "done"}
    assert seen[0].rows_total == rows and all(e.unit == "rows" for e in seen)
    assert seen[-1].remaining == 0.0


def test_a_file_checked_without_outputs_and_bytes_of_standard_input_have_progress_too(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 900)
    seen, _ = events_of(source, 200)
    assert_forward_only(seen)
    assert max(e.part for e in seen) > 1
    seen, result = events_of(source.read_bytes(), 200)  # read whole: its rows are known once read; bytes till then
    assert_forward_only(seen)
    assert seen[-1].unit == "bytes" and seen[-1].bytes_total == source.stat().st_size
    assert seen[-1].rows == result.counts()["rows_in"]


def test_a_stream_goes_by_bytes_read_with_its_parts_unknown_ahead(tmp_path):
    fifo = tmp_path / "list.fifo"
    os.mkfifo(fifo)
    source = tmp_path / "list.csv"
    contacts(source, 3_000)
    writer = subprocess.Popen(["sh", "-c", f"cat '{source}' > '{fifo}'"])
    try:
        seen, result = events_of(fifo, 500)
    finally:
        writer.wait(timeout=60)
    assert [e.rows for e in seen] == sorted(e.rows for e in seen)
    assert seen[-1].rows == 3_000 and result.counts()["rows_in"] == 3_000
    assert all(e.total is None or e.done <= e.total for e in seen)


def test_rows_are_counted_from_line_breaks_of_any_kind(tmp_path):
    for data, rows in ((b"a\n1\n2\n", 2), (b"a\r\n1\r\n2", 2), (b"a\r1\r2\r3\r", 3), (b"a\n", 0), (b"", 0)):
        (tmp_path / "x.csv").write_bytes(data)
        assert count_rows(tmp_path / "x.csv") == rows, data
    assert count_rows(tmp_path / "missing.csv") is None


def terminal_run(args, cwd, env, interrupt_after=None, timeout=180):
    """``csvprep ARGS`` on a pseudo-terminal (no CI: a person's): (exit code, every byte it wrote)."""
    main, child = pty.openpty()
    base = {name: value for name, value in os.environ.items() if name not in ("CI", "NO_COLOR")}
    env = {**base, "COLUMNS": "160", "TERM": "xterm-256color", **env}
    process = subprocess.Popen([sys.executable, "-m", "csvprep", *map(str, args)], stdin=child, stdout=child,
                               stderr=child, cwd=cwd, env=env, close_fds=True)
    os.close(child)
    out, deadline, sent = b"", time.monotonic() + timeout, False
    try:
        while True:
            ready, _, _ = select.select([main], [], [], 0.2)
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"csvprep {args} did not end in {timeout} s")
            if interrupt_after is not None and not sent and interrupt_after(out):
                process.send_signal(signal.SIGINT)
                sent = True
            if not ready:
                continue
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


def bars(out: str) -> list[tuple[int, int, int, int]]:
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    return [tuple(int(x.replace(",", "")) for x in found.groups()) for found in BAR.finditer(plain)]


def test_a_terminal_sees_one_bar_over_a_file_read_in_parts_that_never_goes_back(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 40_000)
    code, out = terminal_run(["clean", source, "-r", RULES / "basic.toml", "-o", tmp_path / "out"], tmp_path,
                             {"CSVPREP_PART_ROWS": "2000"})
    assert code == 0, out
    drawn = bars(out)
    assert drawn, out  # the bar was drawn, over the whole file's rows, with the parts it is read in
    assert all(total == 40_000 and parts == 20 for _, total, _, parts in drawn), drawn
    assert [done for done, *_ in drawn] == sorted(done for done, *_ in drawn)
    assert [part for _, _, part, _ in drawn] == sorted(part for _, _, part, _ in drawn)
    assert "elapsed" not in out and re.search(r"\d:\d\d:\d\d", out) and "left " in out
    # gone at the end: the summary follows it, on a clean screen
    assert "40,000" in out.split("\x1b[?25h")[-1] and "rows in" in out


def test_no_bar_in_a_pipe_or_in_ci(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 6_000)
    piped = subprocess.run([sys.executable, "-m", "csvprep", "clean", str(source), "-r", str(RULES / "basic.toml"),
                            "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "CSVPREP_PART_ROWS": "1000"})
    assert piped.returncode == 0 and not BAR.search(piped.stderr + piped.stdout) and "\x1b" not in piped.stderr
    code, out = terminal_run(["clean", source, "-r", RULES / "basic.toml", "-o", tmp_path / "out2"], tmp_path,
                             {"CSVPREP_PART_ROWS": "1000", "CI": "true"})
    assert code == 0 and not bars(out)


def test_ctrl_c_under_the_bar_prints_one_line(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 400_000)
    code, out = terminal_run(["clean", source, "-r", RULES / "basic.toml", "-o", tmp_path / "out"], tmp_path,
                             {"CSVPREP_PART_ROWS": "20000"}, interrupt_after=lambda out: bool(bars(out.decode(
                                 "utf-8", "replace"))))
    assert code == 130, out
    assert bars(out)  # it was interrupted with the bar on the screen
    # what is left on the screen once the bar has erased itself: one line
    after = out[out.rindex("\x1b[?25h") + len("\x1b[?25h"):] if "\x1b[?25h" in out else out
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", after).replace("\r\n", "\n").strip("\r\n")
    assert text.count("\n") == 0 and text.startswith("csvprep: interrupted"), repr(text)
    assert "Traceback" not in out and not (tmp_path / "out" / "cleaned.csv").exists()


def test_the_library_gives_the_same_events_to_its_callers(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 1_500)
    seen: list[Progress] = []
    csvprep.clean_file(source, RULES / "basic.toml", tmp_path / "out", part_rows=400, on_progress=seen.append)
    assert_forward_only(seen)
    assert max(e.part for e in seen) == seen[-1].parts > 1
    checked: list[Progress] = []
    csvprep.check_file(source, RULES / "basic.toml", part_rows=400, on_progress=checked.append)
    assert [(e.part, e.rows) for e in checked if e.stage == "reading"] == [
        (e.part, e.rows) for e in seen if e.stage == "reading"]
