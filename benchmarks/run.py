"""Benchmark csvprep end to end against the read+write floor and the naive baseline users write, on two generated
files (the messy benchmark list and a typical one), in one run. Each contender runs in its own process so its CPU
time (user+sys, the figure that holds on a shared machine) and peak memory are its own.

    python benchmarks/run.py [ROWS] [--repeat N] [--skip-naive] [--big 10000000] [--big 100000000]

``--big N`` also times ``csvprep clean`` on an N-row file made of copies of the messy one, each copy's numbers its
own (``scale_up.py``), written to the scratch folder and deleted after; free disk is checked first.

Needs pandas for the naive baseline (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent

FLOOR = """
import polars as pl
frame = pl.read_csv(SRC, infer_schema=False)
frame.write_csv(OUT + "/floor.csv")
"""
NAIVE = """
import pandas as pd, phonenumbers
frame = pd.read_csv(SRC, dtype=str, keep_default_na=False)
def e164(value):
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
frame["Phone Number"] = frame["Phone Number"].map(e164)
frame.to_csv(OUT + "/naive.csv", index=False)
"""
CSVPREP = """
import csvprep
STAGES = {"import": time.perf_counter() - started}
result, _ = csvprep.clean_file(SRC, RULES, OUT + "/csvprep")  # what `csvprep clean` runs
STAGES.update(result.timings)
"""
CSVPREP_DNC = """
import csvprep
from csvprep.stages.suppression import load_suppression
rules = csvprep.load_rules(RULES)
dnc = load_suppression(OUT + "/dnc.txt", rules.phone)
csvprep.clean_file(SRC, rules, OUT + "/csvprep-dnc", suppress=[dnc])
"""
HARNESS = """
import json, resource, sys, time
SRC, OUT, RULES = sys.argv[1], sys.argv[2], sys.argv[3]
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
print(json.dumps(globals().get("STAGES", {{}})))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime)
"""


def measure(body: str, source: Path, out: Path, rules: Path, repeat: int) -> dict:
    """Over ``repeat`` runs in fresh processes: the median and range of wall and CPU seconds, the largest peak RSS
    (bytes), and the stage timings of the run with the median CPU time (csvprep's own, when the body records
    them)."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", HARNESS.format(body=body), str(source), str(out), str(rules)],
                              capture_output=True, text=True, check=True)
        *_, stages, last = proc.stdout.strip().splitlines()
        seconds, peak, cpu = last.split()
        runs.append({"seconds": float(seconds), "peak": int(peak), "cpu": float(cpu), "stages": json.loads(stages)})
    walls = sorted(run["seconds"] for run in runs)
    runs.sort(key=lambda run: run["cpu"])
    middle = runs[len(runs) // 2]
    return {"seconds": walls[len(walls) // 2], "seconds_range": [walls[0], walls[-1]], "cpu": middle["cpu"],
            "cpu_range": [runs[0]["cpu"], runs[-1]["cpu"]], "peak": max(run["peak"] for run in runs),
            "stages": middle["stages"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="the naive baseline takes ~40 µs a row")
    parser.add_argument("--naive-repeat", type=int, default=1, help="runs of the (slow) naive baseline")
    parser.add_argument("--dnc-rows", type=int, default=1_000_000,
                        help="also time csvprep with a do-not-call list this long (0: skip)")
    parser.add_argument("--check-rows", type=int, default=1000,
                        help="also time `csvprep check` on a file this long, interpreter start included")
    parser.add_argument("--skip-typical", action="store_true", help="time the messy list only")
    parser.add_argument("--big", type=int, action="append", default=[],
                        help="also time csvprep clean on a file this long, made of copies of the messy one")
    args = parser.parse_args(argv)
    rules = ROOT / "rules" / "payment_reminder.toml"
    report: dict = {"rows": args.rows, "lists": {}}
    with tempfile.TemporaryDirectory() as scratch:
        lists = {"messy": ["--any-numbers"]} if args.skip_typical else \
            {"messy": ["--any-numbers"], "typical": ["--any-numbers", "--typical"]}
        for kind, flags in lists.items():
            source = Path(scratch) / f"{kind}.csv"
            started = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(args.rows), str(source), *flags],
                           check=True, capture_output=True)
            print(f"generated a {kind} list of {args.rows:,} rows ({source.stat().st_size / 1e6:.1f} MB) in "
                  f"{time.perf_counter() - started:.1f} s")
            contenders = {"floor (polars read+write)": FLOOR, "csvprep clean": CSVPREP}
            if args.dnc_rows and kind == "messy":
                write_dnc_list(Path(scratch) / "dnc.txt", args.dnc_rows)
                contenders[f"csvprep clean --suppress ({args.dnc_rows:,} numbers)"] = CSVPREP_DNC
            if not args.skip_naive:
                contenders["naive (pandas + phonenumbers per row)"] = NAIVE
            results = {}
            for name, body in contenders.items():
                repeat = args.naive_repeat if name.startswith("naive") else args.repeat
                results[name] = measure(body, source, Path(scratch), rules, repeat)
            print_table(kind, args.rows, results)
            report["lists"][kind] = results
        for rows in args.big:
            report.setdefault("big", {})[rows] = time_big(Path(scratch), rules, rows, args.rows,
                                                          report["lists"]["messy"])
        check = time_check(Path(scratch), rules, args.check_rows, max(5, args.repeat)) if args.check_rows else None
        if check is not None:
            print(f"csvprep check on {args.check_rows:,} rows (a pre-commit hook's run, interpreter start included): "
                  f"{check:.2f} s wall, median")
        report["check_seconds"] = check
        print(json.dumps(report))


def print_table(kind: str, rows: int, results: dict) -> None:
    """The contenders side by side (CPU and wall with their range over the runs), then where csvprep's time went."""
    mine = results["csvprep clean"]
    print(f"\n{kind} list, {rows:,} rows")
    print(f"{'pipeline':<44} {'CPU s':>6} {'(range)':>13} {'wall s':>7} {'(range)':>13} {'rows/s (CPU)':>13} "
          f"{'peak MB':>8} {'CPU vs csvprep':>15}")
    for name, r in results.items():
        print(f"{name:<44} {r['cpu']:>6.2f} {_span(r['cpu_range']):>13} {r['seconds']:>7.2f} "
              f"{_span(r['seconds_range']):>13} {rows / r['cpu']:>13,.0f} {r['peak'] / 1e6:>8.0f} "
              f"{r['cpu'] / mine['cpu']:>14.2f}x")
    stages = mine.get("stages", {})
    if stages:
        # 'total' runs from the call to the last part's checks; the outputs are written after it. Phones run on a
        # worker thread beside reading and variables, so the stages' wall times overlap
        print("csvprep clean, where the wall time went (the run with the median CPU time):")
        print(f"  {'stage':<28} {'seconds':>8}")
        for stage, value in stages.items():
            print(f"  {'everything before writing' if stage == 'total' else stage:<28} {value:>8.2f}")
        print(f"  {'writing the outputs':<28} {mine['seconds'] - stages.get('import', 0) - stages.get('total', 0):>8.2f}")
    floor = results["floor (polars read+write)"]
    naive = results.get("naive (pandas + phonenumbers per row)")
    print(f"csvprep takes {mine['cpu'] / floor['cpu']:.1f}x the floor's CPU time"
          + (f"; {naive['cpu'] / mine['cpu']:.1f}x less than the naive baseline's" if naive else ""))


def _span(values: list[float]) -> str:
    return f"{values[0]:.2f}-{values[1]:.2f}"


def time_big(scratch: Path, rules: Path, rows: int, base_rows: int, base: dict) -> dict | None:
    """``csvprep clean`` once on a ``rows``-row file made of copies of the messy list, beside its 1x figures."""
    import shutil

    source = scratch / "messy.csv"
    copies = -(-rows // base_rows)
    need = source.stat().st_size * copies * 2.2  # the file, and outputs about as large
    free = shutil.disk_usage(scratch).free
    if need > free:
        print(f"--big {rows:,}: needs ~{need / 1e9:.0f} GB of disk, {free / 1e9:.0f} GB free; skipped")
        return None
    big = scratch / f"big-{rows}.csv"
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "scale_up.py"), str(source), str(big), str(rows), str(rules)],
                   check=True)
    print(f"made {rows:,} rows ({big.stat().st_size / 1e9:.1f} GB) in {time.perf_counter() - started:.0f} s")
    try:
        result = measure(CSVPREP, big, scratch, rules, 1)
    finally:
        big.unlink(missing_ok=True)
        shutil.rmtree(scratch / "csvprep", ignore_errors=True)
    one = base["csvprep clean"]
    per_row, base_per_row = result["cpu"] / rows * 1e6, one["cpu"] / base_rows * 1e6
    print(f"csvprep clean on {rows:,} rows: {result['cpu']:.1f} s CPU ({per_row:.2f} µs a row; "
          f"{base_per_row:.2f} at {base_rows:,}: {per_row / base_per_row - 1:+.0%}), {result['seconds']:.1f} s wall, "
          f"peak {result['peak'] / 1e9:.2f} GB")
    return result


def write_dnc_list(path: Path, count: int) -> None:
    """A do-not-call list of ``count`` numbers written the ways such lists are (some overlap the contacts)."""
    import random

    rng = random.Random(3)
    styles = ("+1{}", "1{}", "({}) {}-{}", "{}")
    lines = []
    for _ in range(count):
        digits = f"{rng.choice(('201', '212', '415', '617'))}{rng.randint(2_000_000, 9_999_999)}"
        style = rng.choice(styles)
        lines.append(style.format(digits[:3], digits[3:6], digits[6:]) if "(" in style else style.format(digits))
    path.write_text("\n".join(lines) + "\n")


def time_check(scratch: Path, rules: Path, rows: int, repeat: int) -> float:
    """Median wall time of ``csvprep check`` in a fresh process, as a pre-commit hook runs it."""
    source = scratch / "hook.csv"
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(rows), str(source), "--any-numbers"], check=True,
                   capture_output=True)
    command = [sys.executable, "-m", "csvprep", "check", str(source), "--rules", str(rules)]
    # as on a developer's machine: bytecode cached after the first run (some sandboxes turn caching off)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, check=False, env=env)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - started)
    times.sort()
    return times[len(times) // 2]


if __name__ == "__main__":
    main()
