"""Nothing lost, whatever the input's source or an interruption: pipes and FIFOs read once, the outputs published as
one set (a manifest written last, one run at a time), interrupts that clean up and say so in one line, and only
csvprep's own files ever replaced or removed. Real subprocesses, signals and pipes where they matter."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT, RULES

import csvprep
from csvprep.outputs.publish import MANIFEST, check_outputs

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def csvprep_cli(*args, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csvprep", *map(str, args)], capture_output=True, text=True,
                          env={**ENV, **options.pop("env", {})}, timeout=120, **options)


def contacts(path, count: int) -> None:
    """``count`` contacts, distinct numbers up to 40,000 of them."""
    areas = ("415", "212", "646", "206")
    path.write_text("phone,customer_name\n" + "".join(f"+1{areas[n // 10000 % 4]}555{n % 10000:04d},N{n}\n"
                                                        for n in range(count)))


@pytest.mark.skipif(not os.path.exists("/bin/bash"), reason="process substitution needs bash")
def test_process_substitution_is_read_once_whole(tmp_path):
    # deciding whether to cut the input read its first 64 KiB and opened it again: a pipe had gone on past them
    # ('the file is empty', or 50 rows of a 3,072-row list and exit 0)
    source = tmp_path / "list.csv"
    contacts(source, 3072)
    script = f'"{sys.executable}" -m csvprep check <(cat "{source}") -r "{RULES / "basic.toml"}"'
    done = subprocess.run(["/bin/bash", "-c", script], capture_output=True, text=True, env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith(": 3072 rows, 0 would be rejected")


@pytest.mark.parametrize("part_rows", ["", "100"])
def test_a_fifo_is_read_once_in_parts_and_gives_the_file_s_outputs(tmp_path, part_rows):
    source, fifo = tmp_path / "list.csv", tmp_path / "list.fifo"
    contacts(source, 3072)
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(source.read_bytes()))
    writer.start()  # opening a FIFO waits for the other end, as cat does
    done = csvprep_cli("clean", fifo, "-r", RULES / "basic.toml", "--out", tmp_path / "from_fifo",
                       env={"CSVPREP_PART_ROWS": part_rows})
    writer.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert csvprep_cli("clean", source, "-r", RULES / "basic.toml", "--out", tmp_path / "from_file").returncode == 0
    for name in ("cleaned.csv", "rejected.csv", "errors.txt"):
        assert (tmp_path / "from_fifo" / name).read_bytes() == (tmp_path / "from_file" / name).read_bytes(), name
    reports = [json.loads((tmp_path / out / "report.json").read_text()) for out in ("from_fifo", "from_file")]
    assert reports[0]["summary"] == reports[1]["summary"] and reports[0]["summary"]["rows_in"] == 3072
    assert reports[0]["input"]["sha256"] == reports[1]["input"]["sha256"]


def test_the_outputs_are_one_set_named_by_a_manifest_written_last(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 40)
    result, paths = csvprep.clean_file(source, RULES / "basic.toml", tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(paths)
    assert manifest["input"]["sha256"] == result.contacts.sha256
    assert check_outputs(tmp_path / "out") == []
    (tmp_path / "out" / "errors.txt").write_text("edited\n")
    assert check_outputs(tmp_path / "out") == [f"{tmp_path / 'out' / 'errors.txt'}: not the file this run wrote "
                                               "(its size changed)"]
    (tmp_path / "out" / MANIFEST).unlink()
    assert "no csvprep-manifest.json" in check_outputs(tmp_path / "out")[0]


def slow_list(tmp_path, count=400_000):
    source = tmp_path / "big.csv"
    contacts(source, count)
    return source


def start_clean(source, out, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "csvprep", "clean", str(source), "-r", str(RULES / "basic.toml"),
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**ENV, **env})


def test_a_second_run_into_the_same_directory_is_refused_naming_the_first(tmp_path):
    source = slow_list(tmp_path)
    first = start_clean(source, tmp_path / "out")
    deadline = time.time() + 60
    while not any(p.name.startswith(".csvprep-") for p in (tmp_path / "out").glob(".*")) and time.time() < deadline:
        time.sleep(0.05)  # the first run holds the directory once its scratch is there
    second = csvprep_cli("clean", source, "-r", RULES / "basic.toml", "--out", tmp_path / "out")
    first.communicate(timeout=120)
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"csvprep: error: {tmp_path / 'out'}: another csvprep run (pid {first.pid}, started "
        f"{second.stderr.split('started ')[1][:8]}) is writing its outputs there; wait for it to end, or choose "
        "another --out"]
    assert first.returncode in (0, 1) and check_outputs(tmp_path / "out") == []


@pytest.mark.parametrize("signal_number,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("after", [0.3, 0.8, 2.0])  # from the first moment csvprep runs: importing it too
def test_an_interrupt_at_any_moment_says_so_in_one_line_and_keeps_the_previous_outputs(tmp_path, signal_number,
                                                                                          code, after):
    source = slow_list(tmp_path)
    out = tmp_path / "out"
    small = tmp_path / "small.csv"
    contacts(small, 30)
    assert csvprep_cli("clean", small, "-r", RULES / "basic.toml", "--out", out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    run = start_clean(source, out)
    time.sleep(after)
    run.send_signal(signal_number)
    _, stderr = run.communicate(timeout=120)
    if run.returncode in (0, 1):  # it finished first: a complete new set
        assert check_outputs(out) == []
        return
    assert run.returncode == code
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert stderr.startswith("csvprep: interrupted")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing left behind, nothing replaced
    assert check_outputs(out) == []



def test_once_the_run_is_over_a_signal_cannot_turn_its_exit_into_a_kill(tmp_path):
    # the interpreter's shutdown puts Python's signal handlers back to the default: a SIGTERM then (the outputs
    # complete, the exit under way) ended the process as killed (-15); the run ignores them from its end on
    source = tmp_path / "list.csv"
    contacts(source, 5)
    script = ("import signal, sys\nfrom csvprep.cli.entry import main\nsys.argv = ['csvprep'] + sys.argv[1:]\n"
              "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
              "print(code, signal.getsignal(signal.SIGTERM) is signal.SIG_IGN, "
              "signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    done = subprocess.run([sys.executable, "-c", script, "clean", str(source), "-r", str(RULES / "basic.toml"),
                           "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", "True", "True"], done.stderr
    assert check_outputs(tmp_path / "out") == []

def test_what_a_killed_run_left_is_removed_by_the_next(tmp_path):
    source = slow_list(tmp_path)
    out = tmp_path / "out"
    run = start_clean(source, out)
    deadline = time.time() + 60
    while not list(out.glob(".csvprep-*")) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    run.kill()  # SIGKILL: nothing can be cleaned up on the way
    run.communicate(timeout=30)
    assert list(out.glob(".csvprep-*"))
    small = tmp_path / "small.csv"
    contacts(small, 30)
    assert csvprep_cli("clean", small, "-r", RULES / "basic.toml", "--out", out).returncode == 0
    assert not list(out.glob(".csvprep-*")) and check_outputs(out) == []


def test_the_html_report_never_goes_over_another_output(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 5)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "cleaned.csv").write_text("yesterday's list\n")
    done = csvprep_cli("clean", source, "-r", RULES / "basic.toml", "--out", tmp_path / "out",
                       "--html", tmp_path / "out" / "cleaned.csv")
    assert done.returncode == 2
    assert done.stderr.strip() == (f"csvprep: error: {tmp_path / 'out' / 'cleaned.csv'}: refusing to write the HTML "
                                   "report over cleaned.csv (choose another --html)")
    assert (tmp_path / "out" / "cleaned.csv").read_text() == "yesterday's list\n"


def test_a_repository_s_settings_cannot_write_outside_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    contacts(project / "list.csv", 5)
    (project / "pyproject.toml").write_text(f'[tool.csvprep]\nrules = "{RULES / "basic.toml"}"\nout = "out"\n'
                                            'html = "../elsewhere/report.html"\n')
    done = csvprep_cli("clean", "list.csv", cwd=project)
    assert done.returncode == 2
    assert "[tool.csvprep] html = '../elsewhere/report.html' points outside the project" in done.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_only_files_csvprep_wrote_are_removed(tmp_path):
    source = tmp_path / "list.csv"
    contacts(source, 25_000)  # over Vapi's 10,000 rows a file: cleaned-1-of-3.csv...
    out = tmp_path / "out"
    out.mkdir()
    (out / "cleaned-9-of-9.csv").write_text("the user's own\n")
    _, paths = csvprep.clean_file(source, RULES / "basic.toml", out, provider="vapi")
    assert {"cleaned-1-of-3.csv", "cleaned-3-of-3.csv"} <= set(paths)
    csvprep.clean_file(source, RULES / "basic.toml", out)  # no provider now: its parts were this run's, not wanted
    assert sorted(p.name for p in out.glob("cleaned-*")) == ["cleaned-9-of-9.csv"]
    assert (out / "cleaned-9-of-9.csv").read_text() == "the user's own\n"


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_a_pipe_is_read_once_whole(tmp_path, name):
    source = tmp_path / "list.csv"
    contacts(source, 3072)
    read, write = os.pipe()
    with open(write, "wb") as writer:
        run = subprocess.Popen([sys.executable, "-m", "csvprep", "check", name, "-r", str(RULES / "basic.toml")],
                               stdin=read, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        os.close(read)
        writer.write(source.read_bytes())
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 0, stderr
    assert stderr.strip().endswith(": 3072 rows, 0 would be rejected")
