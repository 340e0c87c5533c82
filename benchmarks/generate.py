"""Generate a realistic, messy contact list: several countries and writing styles, invalid and duplicate rows,
empty variables, spreadsheet damage. Used for sample_data/ and for the benchmarks. ``--typical`` writes the list
most users have instead: 92% clean, 80% of it from the default region, plain cells (no quoting needed).

    python benchmarks/generate.py ROWS OUT.csv [--seed N] [--typical]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys

import phonenumbers
from phonenumbers import PhoneNumberFormat

REGIONS = (("US", 45), ("IN", 20), ("GB", 12), ("CA", 6), ("AU", 6), ("DE", 5), ("SG", 3), ("AE", 3))
FIRST = ("Aarav", "Priya", "John", "Maria", "Wei", "Fatima", "Liam", "Olivia", "Noah", "Emma", "Rahul", "Sophie",
         "Carlos", "Aisha", "Hiroshi", "Chloe", "Mateo", "Ananya", "Jack", "Isla", "Zoë", "José", "Björn", "Siobhán")
LAST = ("Sharma", "Smith", "García", "Chen", "Khan", "Brown", "Patel", "Müller", "Nguyen", "O'Brien", "Kumar",
        "Wilson", "Silva", "Tanaka", "Cohen", "Singh", "Rossi", "Dubois", "Kowalski", "Jones")
LANGUAGES = ("English", "Hindi", "Spanish", "german", "ENGLISH", "French")
HEADER = ["Phone Number", "Customer Name", "Due Amount", "Due Date", "Language", "Email", "Notes"]


def fictional_pool(region: str) -> list[phonenumbers.PhoneNumber]:
    """Numbers reserved for fiction (NANP 555-0100..0199, Ofcom's and ACMA's drama ranges) where a region has them,
    else phonenumbers' own example numbers: a shipped sample must never hold someone's real number."""
    national: list[str] = []
    if region in ("US", "CA"):
        areas = ("201", "212", "305", "415", "512", "617", "702", "206") if region == "US" else ("416", "604", "514")
        national = [f"{area}5550{n:03d}" for area in areas for n in range(100, 200)]
    elif region == "GB":
        national = [f"{prefix}{n:03d}" for prefix in ("2079460", "1614960", "1134960") for n in range(1000)]
    elif region == "AU":
        national = [f"491570{n:03d}" for n in range(6, 160)] + [f"25550{n:04d}" for n in range(0, 10000, 7)]
    pool = [phonenumbers.parse(number, region) for number in national]
    if not pool:
        examples = (phonenumbers.example_number_for_type(region, kind) for kind in range(12))
        pool = [number for number in examples if number is not None]
    return [number for number in pool if phonenumbers.is_valid_number(number)]


def number_pool(region: str, size: int, rng: random.Random) -> list[phonenumbers.PhoneNumber]:
    """Valid numbers of ``region``, built from phonenumbers' example numbers with their last digits varied
    (realistic variety for benchmarks; such numbers may be real, so they never go into a shipped file)."""
    pool = []
    for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        national = str(example.national_number)
        attempts = 0
        while len(pool) < size and attempts < size * 20:
            attempts += 1
            # seven varied digits: with six, the numbers shared a thousand prefixes and a list of 800k US numbers
            # (whose last three digits are drawn afresh) repeated one in four
            keep = max(2, len(national) - 7)
            tail = "".join(rng.choice("0123456789") for _ in range(len(national) - keep))
            candidate = phonenumbers.PhoneNumber(country_code=example.country_code,
                                                 national_number=int(national[:keep] + tail))
            if phonenumbers.is_valid_number(candidate):
                pool.append(candidate)
        size *= 2  # the second kind fills whatever the first left
    return pool


def written(number: phonenumbers.PhoneNumber, region: str, rng: random.Random, default_region: str) -> str:
    """One number as people and spreadsheets write it."""
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    styles = [
        lambda: e164,
        lambda: phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        lambda: e164.replace("+", "00", 1),
        lambda: "tel:" + phonenumbers.format_number(number, PhoneNumberFormat.RFC3966)[4:],
        lambda: f" {e164} ",
    ]
    if region == default_region:
        styles += [
            lambda: phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
            lambda: str(number.national_number),
            lambda: phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).replace(" ", "."),
        ]
    return rng.choice(styles)()


def damaged(rng: random.Random, pools: dict[str, list], default_region: str) -> tuple[str, str]:
    """A phone cell with one of the problems real lists have, and what kind it is."""
    region = rng.choice([r for r, _ in REGIONS])
    number = rng.choice(pools[region])
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    kind = rng.choice(["too_short", "too_long", "scientific", "extension", "missing_plus", "letters", "empty",
                       "not_a_number", "fullwidth", "vanity", "area_code_typo"])
    if kind == "too_short":
        return e164[: rng.randint(3, 6)], kind
    if kind == "too_long":
        return e164 + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 6))), kind
    if kind == "scientific":
        digits = e164[1:]
        return f"{digits[0]}.{digits[1:6]}E+{len(digits) - 1:02d}", kind
    if kind == "extension":
        return f"{national} ext. {rng.randint(10, 999)}", kind
    if kind == "missing_plus":
        if region == default_region:
            region = "IN" if default_region != "IN" else "GB"
            number = rng.choice(pools[region])
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)[1:], kind
    if kind == "letters":
        return rng.choice(["n/a", "unknown", "call office", "-", "TBD"]), kind
    if kind == "empty":
        return "", kind
    if kind == "not_a_number":
        return rng.choice(["john@example.com", "#REF!", "#VALUE!"]), kind
    if kind == "area_code_typo" and default_region in ("US", "CA"):
        # a NANP number with a mistyped or unassigned area code, which a '+' would make another country's
        # ((465) 808-8296 read as +46 58 808 82 96, Sweden): it must be rejected, never dialled abroad
        area = rng.choice(["465", "362", "452", "358", "436", "390"])
        return f"({area}) 555-01{rng.randint(0, 99):02d}", kind  # 555-01XX: fictional in the NANP
    if kind == "fullwidth":
        return e164.translate(str.maketrans("+0123456789", "＋０１２３４５６７８９")), kind
    return "+1 415 555 " + rng.choice(["CALL", "HELP", "TAXI"]), kind


def rows(count: int, seed: int = 7, default_region: str = "US", fictional: bool = True):
    """Yield ``count`` rows (lists of cells, header first); ``fictional`` numbers only, unless asked otherwise."""
    rng = random.Random(seed)
    if fictional:
        pools = {region: fictional_pool(region) for region, _ in REGIONS}
    else:
        pools = {region: number_pool(region, min(max(400, count // 8), 20_000), rng) for region, _ in REGIONS}
    regions = [r for r, _ in REGIONS]
    # a region with only a handful of fictional numbers would repeat them: keep it rare
    weights = [w if len(pools[r]) > 100 else 1 for r, w in REGIONS]
    recent: list[str] = []
    yield HEADER
    for index in range(count):
        roll = rng.random()
        if roll < 0.12:
            phone, _ = damaged(rng, pools, default_region)
        elif roll < 0.17 and recent:
            phone = rng.choice(recent)  # the same contact again, maybe written another way
        else:
            region = rng.choices(regions, weights)[0]
            number = rng.choice(pools[region])
            if not fictional:  # a fresh last three digits: real lists repeat about one number in ten, not more
                number = phonenumbers.PhoneNumber(country_code=number.country_code,
                                                  national_number=number.national_number // 1000 * 1000
                                                  + rng.randint(0, 999))
            phone = written(number, region, rng, default_region)
            recent = (recent + [phone])[-50:]
        name = "" if rng.random() < 0.06 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        amount_roll = rng.random()
        if amount_roll < 0.05:
            amount = ""
        elif amount_roll < 0.08:
            amount = rng.choice(["abc", "12..5", "N/A"])
        elif amount_roll < 0.3:
            amount = f"{rng.randint(1000, 99999):,}.{rng.randint(0, 99):02d}"
        else:
            amount = f"{rng.randint(5, 999)}.{rng.randint(0, 99):02d}"
        date_roll = rng.random()
        day = rng.randint(1, 28)
        month = rng.randint(1, 12)
        if date_roll < 0.1:
            due = ""
        elif date_roll < 0.13:
            due = f"{month:02d}/{day:02d}/2026"  # US order: ambiguous without formats when the day is 12 or less
        elif date_roll < 0.2:
            due = f"{day} {('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')[month - 1]} 2026"
        else:
            due = f"2026-{month:02d}-{day:02d}"
        language = rng.choice(LANGUAGES) if rng.random() < 0.9 else rng.choice(["", "Klingon"])
        email_roll = rng.random()
        if email_roll < 0.3:
            email = ""
        elif email_roll < 0.33:
            email = "not-an-email"
        else:
            email = f"contact{index}@example.com"
        notes_roll = rng.random()
        if notes_roll < 0.01:
            notes = "=HYPERLINK(\"http://example.com\")"
        elif notes_roll < 0.05:
            notes = "VIP, call after 5pm\nprefers mornings"
        elif notes_roll < 0.15:
            notes = "follow-up"
        else:
            notes = ""
        yield [phone, name, amount, due, language, email, notes]


TYPICAL_REGIONS = (("US", 80), ("CA", 5), ("GB", 5), ("IN", 5), ("AU", 5))


def typical_rows(count: int, seed: int = 7, default_region: str = "US", fictional: bool = True):
    """Yield ``count`` rows of a typical export (header first): 8% of the phone cells damaged or repeated, the
    rest valid, written in the default region's national styles or E.164; amounts, ISO dates, a language and an
    email in nearly every row; no cell that needs quoting."""
    rng = random.Random(seed)
    regions = [r for r, _ in TYPICAL_REGIONS]
    weights = [w for _, w in TYPICAL_REGIONS]
    every = sorted(set(regions) | {r for r, _ in REGIONS})
    pools = {region: fictional_pool(region) if fictional else number_pool(region, min(max(400, count // 8), 20_000),
                                                                            rng) for region in every}
    recent: list[str] = []
    yield HEADER
    for index in range(count):
        roll = rng.random()
        if roll < 0.06:
            phone, _ = damaged(rng, pools, default_region)
        elif roll < 0.08 and recent:
            phone = rng.choice(recent)
        else:
            region = rng.choices(regions, weights)[0]
            number = rng.choice(pools[region])
            if not fictional:
                number = phonenumbers.PhoneNumber(country_code=number.country_code,
                                                  national_number=number.national_number // 1000 * 1000
                                                  + rng.randint(0, 999))
            phone = written(number, region, rng, default_region)
            recent = (recent + [phone])[-50:]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        amount = f"{rng.randint(5, 9999)}.{rng.randint(0, 99):02d}" if rng.random() > 0.01 else ""
        due = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        language = rng.choice(("English", "English", "English", "Spanish", "French"))
        email = f"contact{index}@example.com" if rng.random() < 0.8 else ""
        notes = "follow-up" if rng.random() < 0.1 else ""
        yield [phone, name, amount, due, language, email, notes]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--region", default="US")
    parser.add_argument("--any-numbers", action="store_true",
                        help="varied valid numbers, possibly real ones (for benchmarks only: never ship them)")
    parser.add_argument("--typical", action="store_true",
                        help="a typical list (92%% clean, 80%% from the default region, no quoted cells)")
    args = parser.parse_args(argv)
    make = typical_rows if args.typical else rows
    with open(args.out, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        for row in make(args.rows, args.seed, args.region, fictional=not args.any_numbers):
            writer.writerow(row)
    print(f"wrote {args.rows} contacts to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
