"""Benchmark the cross-part duplicate index alone: PARTS parts of 1M kept phone keys each, every part looked up
against all the parts before it, the way a run of PARTS million rows does. Each way runs in its own process so
its CPU time and peak memory are its own.

    python benchmarks/duplicate_index.py [PARTS]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys

BODY = """
import sys, time
import polars as pl
from csvprep.stages.duplicates import SeenPhones
parts, way = int(sys.argv[1]), sys.argv[2]
def part(i):  # 1M distinct numbers, a tenth of them repeating an earlier part's
    n = pl.int_range(0, 1_000_000, eager=True)
    digits = pl.when(n % 10 == 0).then(n * 7 + (i // 2) * 1_000_000).otherwise(n * 7 + i * 7_000_000) + 2_012_000_000
    keys = pl.DataFrame({"_key0": pl.select(pl.lit("+1") + digits.cast(pl.String)).to_series(),
                         "_row": pl.int_range(i * 1_000_000 + 1, (i + 1) * 1_000_000 + 1, eager=True)})
    return keys
seen, earlier, hits = SeenPhones(), None, 0
for i in range(parts):
    keys = part(i)
    started = time.process_time()
    if way == "join":  # what run.py did: every part joined against all earlier kept keys, re-concatenated
        if earlier is not None:
            found = keys.select("_key0").join(earlier.rename({"_row": "_earlier"}), on="_key0", how="left",
                                              nulls_equal=True, maintain_order="left").get_column("_earlier")
            hits += found.is_not_null().sum()
            new = keys.filter(found.is_null())
            earlier = pl.concat([earlier, new])
        else:
            earlier = keys
    else:
        if len(seen):
            found = seen.first(keys.select("_key0")).get_column("_earlier")
            hits += found.is_not_null().sum()
            keys = keys.filter(found.is_null())
        seen.add(keys)
    index_cpu = time.process_time() - started
    print(f"part {i + 1}: {index_cpu:.3f} s", file=sys.stderr)
import resource
print(hits, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", type=int, nargs="?", default=10)
    args = parser.parse_args()
    for way in ("join", "index"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, "-c", BODY, str(args.parts), way], capture_output=True, text=True,
                              check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        per_part = [float(line.split()[2]) for line in proc.stderr.splitlines() if line.startswith("part")]
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        hits, peak = proc.stdout.split()
        print(f"{way:<6} {args.parts}M keys: index work {sum(per_part):.2f} s CPU (last part {per_part[-1]:.3f} s), "
              f"whole process {cpu:.2f} s CPU, peak {int(peak) / 1024:.0f} MB, repeats found {hits}")


if __name__ == "__main__":
    main()
