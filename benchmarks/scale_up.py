"""A large list made of copies of a smaller one, each copy's numbers its own, as a large CRM export's are.

    python benchmarks/scale_up.py SOURCE.csv OUT.csv ROWS RULES.toml

Copy 0 is the source as it is. In every later copy each valid number moves to a national-number prefix no other
copy uses for that country (the first three digits after the country code, swapped for three that keep the number
valid with the same region and line type), so a row never repeats a row of another copy, while the repeats within
a copy stay repeats: the duplicate index then holds every copy's kept numbers, not the few of one copy repeated.
A country with fewer free prefixes than copies starts another cycle of them with the number's last two digits
shifted (its numbers are sparse in each prefix, so cycles rarely meet). Cells are rewritten in their own writing
style: a cell's text keeps its formatting, only those digits change (to ASCII ones). The invalid cells, and the few
whose digits do not end with their number (letters for digits, an extension), are copied as they are. Written a
copy at a time so that memory stays flat."""

from __future__ import annotations

import random
import re
import sys
import unicodedata

import phonenumbers
import polars as pl

import csvprep
from csvprep.stages.phones.check import check_phones

PREFIX = 3  # digits of the national number that move a copy elsewhere
SAMPLES = 64  # numbers of a prefix group that a new prefix must keep valid, in region and line type (with 8, a
# prefix valid for all of them left 0.7% of a copy's numbers invalid)


def templates(cells: pl.Series, e164: pl.Series) -> pl.DataFrame:
    """For each distinct cell with a valid number: the text around its national number's first digits and its last
    two digits (``head``, ``sep1``, ``sep2`` between the prefix digits, ``mid``, ``sep3`` between the last two,
    ``tail``), the last two digits (ASCII), the country calling code and the prefix digits (``cc``, ``prefix``);
    null ``head`` where the cell cannot be rewritten (its digits do not end with the national number: letters for
    digits, an extension)."""
    pairs = pl.DataFrame({"cell": cells, "e164": e164}).filter(pl.col("e164").is_not_null()).unique("cell")
    rows = []
    for cell, number in pairs.iter_rows():
        parsed = phonenumbers.parse(number)
        nsn = str(parsed.national_number)
        spots = [match.start() for match in re.finditer(r"\d", cell)]  # any script's digits, as phonenumbers reads
        digits = "".join(str(unicodedata.decimal(cell[at])) for at in spots)
        start = len(digits) - len(nsn)
        if start < 0 or not digits.endswith(nsn) or len(nsn) < PREFIX + 2:
            rows.append((cell, *[None] * 9))
            continue
        at = spots[start:start + PREFIX]
        rows.append((cell, cell[:at[0]], cell[at[0] + 1:at[1]], cell[at[1] + 1:at[2]], cell[at[2] + 1:spots[-2]],
                     cell[spots[-2] + 1:spots[-1]], cell[spots[-1] + 1:], digits[-2:], parsed.country_code,
                     nsn[:PREFIX]))
    return pl.DataFrame(rows, schema={"cell": pl.String, "head": pl.String, "sep1": pl.String, "sep2": pl.String,
                                      "mid": pl.String, "sep3": pl.String, "tail": pl.String, "last": pl.String,
                                      "cc": pl.Int64, "prefix": pl.String}, orient="row")


def alternatives(cc: int, prefix: str, numbers: list[str], rng: random.Random) -> list[str]:
    """The prefixes that keep each sampled number of the group (E.164) valid, in its region and line type."""
    samples = [phonenumbers.parse(number) for number in rng.sample(numbers, min(SAMPLES, len(numbers)))]
    kinds = [(phonenumbers.region_code_for_number(n), phonenumbers.number_type(n)) for n in samples]
    found = []
    for candidate in (f"{value:0{PREFIX}d}" for value in range(10 ** PREFIX)):
        if candidate == prefix or candidate.startswith("0"):
            continue
        moved = [phonenumbers.PhoneNumber(country_code=cc, national_number=int(candidate + str(n.national_number)[
            PREFIX:])) for n in samples]
        if all(phonenumbers.is_valid_number(m) and (phonenumbers.region_code_for_number(m),
                                                    phonenumbers.number_type(m)) == kind
               for m, kind in zip(moved, kinds)):
            found.append(candidate)
    return found


def assignments(groups: dict[tuple[int, str], list[str]], copies: int) -> dict[int, dict[tuple[int, str], tuple]]:
    """For each copy after the first, each group's (prefix, shift of the last two digits): no two (copy, group)
    pairs of a country share a prefix within a cycle (a shift), for up to 100 cycles."""
    used: dict[tuple[int, int], set[str]] = {}  # (country, cycle) -> prefixes taken
    for cc, prefix in groups:
        used.setdefault((cc, 0), set()).add(prefix)
    plan: dict[int, dict[tuple[int, str], tuple]] = {}
    for copy in range(1, copies):
        plan[copy] = {}
        for (cc, prefix), free in groups.items():
            options = [prefix, *free]  # its own prefix too, in the cycles after the first
            cycle = 0
            while True:
                taken = used.setdefault((cc, cycle), set())
                choice = next((p for p in options if p not in taken), None)
                if choice is not None or cycle >= 99:
                    break
                cycle += 1
            choice = choice or options[copy % len(options)]  # past 100 cycles: a few meet
            taken.add(choice)
            plan[copy][(cc, prefix)] = (choice, cycle)
    return plan


def main(source: str, out: str, rows: int, rules: str) -> None:
    frame = pl.read_csv(source, infer_schema=False)
    phone = frame.columns[0]
    e164 = check_phones(frame.get_column(phone), csvprep.load_rules(rules).phone).get_column("e164")
    found = templates(frame.get_column(phone), e164)
    rewritable = found.filter(pl.col("head").is_not_null())
    numbers = pl.DataFrame({"e164": e164, "cell": frame.get_column(phone)}).join(rewritable, on="cell")
    rng = random.Random(5)
    groups = {}
    for (cc, prefix), part in numbers.group_by("cc", "prefix"):
        groups[(cc, prefix)] = alternatives(cc, prefix, part.get_column("e164").unique().sort().to_list(), rng)
    copies = -(-rows // frame.height)
    plan = assignments(groups, copies)
    keyed = frame.join(found, left_on=phone, right_on="cell", how="left", maintain_order="left")
    key = pl.concat_str(pl.col("cc").cast(pl.String), pl.lit(":"), pl.col("prefix"))
    written = 0
    with open(out, "wb") as stream:
        for copy in range(copies):
            part = frame.head(rows - written)
            if copy:
                chosen = {f"{cc}:{prefix}": value for (cc, prefix), value in plan[copy].items()}
                new_prefix = key.replace_strict({k: v[0] for k, v in chosen.items()}, default=None)
                shift = key.replace_strict({k: v[1] for k, v in chosen.items()}, default=0, return_dtype=pl.Int32)
                last = ((pl.col("last").cast(pl.Int32) + shift) % 100).cast(pl.String).str.zfill(2)
                moved = pl.concat_str(pl.col("head"), new_prefix.str.slice(0, 1), pl.col("sep1"),
                                      new_prefix.str.slice(1, 1), pl.col("sep2"), new_prefix.str.slice(2, 1),
                                      pl.col("mid"), last.str.slice(0, 1), pl.col("sep3"), last.str.slice(1, 1),
                                      pl.col("tail"))
                part = keyed.head(part.height).select(pl.coalesce(moved, pl.col(phone)).alias(phone),
                                                      *frame.columns[1:])
            part.write_csv(stream, include_header=copy == 0)
            written += part.height


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
