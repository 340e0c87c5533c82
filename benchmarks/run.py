"""Benchmark csvprep end to end against the read+write floor and the naive baseline users write, on one generated
file, in one run. Each contender runs in its own process so its peak memory is its own.

    python benchmarks/run.py [ROWS] [--repeat N] [--skip-naive]

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
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def measure(body: str, source: Path, out: Path, rules: Path, repeat: int) -> tuple[float, int, dict[str, float]]:
    """Median seconds, the largest peak RSS (bytes) over ``repeat`` runs in fresh processes, and the stage
    timings the median run reported (csvprep's own, when the body records them)."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", HARNESS.format(body=body), str(source), str(out), str(rules)],
                              capture_output=True, text=True, check=True)
        *_, stages, last = proc.stdout.strip().splitlines()
        seconds, peak = last.split()
        runs.append((float(seconds), int(peak), json.loads(stages)))
    runs.sort(key=lambda run: run[0])
    seconds, _, stages = runs[len(runs) // 2]
    return seconds, max(peak for _, peak, _ in runs), stages


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
    args = parser.parse_args(argv)
    rules = ROOT / "rules" / "payment_reminder.toml"
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "contacts.csv"
        started = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(args.rows), str(source), "--any-numbers"], check=True,
                       capture_output=True)
        print(f"generated {args.rows:,} rows ({source.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s")
        contenders = {"floor (polars read+write)": FLOOR, "csvprep clean": CSVPREP}
        if args.dnc_rows:
            write_dnc_list(Path(scratch) / "dnc.txt", args.dnc_rows)
            contenders[f"csvprep clean --suppress ({args.dnc_rows:,} numbers)"] = CSVPREP_DNC
        if not args.skip_naive:
            contenders["naive (pandas + phonenumbers per row)"] = NAIVE
        results = {}
        for name, body in contenders.items():
            repeat = args.naive_repeat if name.startswith("naive") else args.repeat
            seconds, peak, stages = measure(body, source, Path(scratch), rules, repeat)
            results[name] = {"seconds": seconds, "rows_per_second": args.rows / seconds, "peak_rss_mb": peak / 1e6}
            if stages:
                results[name]["stages_seconds"] = {stage: round(value, 3) for stage, value in stages.items()}
        floor = results["floor (polars read+write)"]["seconds"]
        mine = results["csvprep clean"]["seconds"]
        print(f"{'pipeline':<40} {'seconds':>9} {'rows/s':>12} {'peak MB':>9} {'vs csvprep':>11}")
        for name, r in results.items():
            print(f"{name:<40} {r['seconds']:>9.2f} {r['rows_per_second']:>12,.0f} {r['peak_rss_mb']:>9.0f} "
                  f"{r['seconds'] / mine:>10.2f}x")
        stages = results["csvprep clean"].get("stages_seconds", {})
        if stages:
            # 'total' runs from the call to the last part's checks; the outputs are written after it
            print("csvprep clean, where the time went (median run): "
                  + ", ".join(f"{'everything before writing' if stage == 'total' else stage} {value:.2f} s"
                              for stage, value in stages.items())
                  + f"; writing the outputs {mine - stages.get('import', 0) - stages.get('total', 0):.2f} s")
        naive = results.get("naive (pandas + phonenumbers per row)")
        print(f"csvprep takes {mine / floor:.1f}x the floor's time"
              + (f"; speed-up over the naive baseline: {naive['seconds'] / mine:.2f}x" if naive else ""))
        check = time_check(Path(scratch), rules, args.check_rows, max(5, args.repeat)) if args.check_rows else None
        if check is not None:
            print(f"csvprep check on {args.check_rows:,} rows (a pre-commit hook's run, interpreter start included): "
                  f"{check:.2f} s wall, median")
        print(json.dumps({"rows": args.rows, "results": results, "check_seconds": check}))


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
