"""Duplicates: rows with the same E.164 number (or the rules' duplicate key) as an earlier row. The first row
that passed every other check is kept; a row rejected for another reason is never the one a duplicate repeats."""

from __future__ import annotations

import polars as pl

from ..model.contacts import ColumnMap
from ..model.issues import empty_issues, issue_frame
from ..model.rules import DuplicateRule


def find_duplicates(frame: pl.DataFrame, rule: DuplicateRule, columns: ColumnMap,
                    earlier: SeenPhones | None = None, failed: pl.Series | None = None) -> pl.DataFrame:
    """Issues for every row of ``frame`` (in file order) that repeats an earlier one, in ``frame`` or in
    ``earlier`` (the :func:`kept_keys` of earlier parts of the same file, and of earlier files of the run, in a
    :class:`SeenPhones`). Rows in ``failed`` (rows with other errors) are left out: a rejected row is never the one
    a duplicate repeats."""
    if rule.policy == "keep" or frame.height == 0:
        return empty_issues()
    # only what the check reads is carried through the filter
    keyed = frame.select("_row", "_line", columns.phone, "_e164", *_keys(rule, columns))
    if failed is not None:
        keyed = keyed.filter(~pl.col("_row").is_in(failed.implode()))
    names = _key_names(rule)
    first = pl.col("_row").first().over(names)
    repeat = pl.col("_row") != pl.col("_first")
    where = pl.format("row {}", pl.col("_first"))
    if earlier is not None and len(earlier):
        found = earlier.first(keyed.select(names))
        keyed = keyed.with_columns(found.get_column("_earlier"), earlier.other_file(found.get_column("_source")))
        first = pl.coalesce(pl.col("_earlier"), first)
        # a row of an earlier file may have this row's number: a match there is a repeat whatever its number
        repeat = repeat | pl.col("_earlier").is_not_null()
        where = pl.when(pl.col("_from").is_not_null()).then(
            pl.format("{} row {}", pl.col("_from"), pl.col("_first"))).otherwise(where)
    with_first = keyed.with_columns(first.alias("_first"))
    repeats = with_first.filter(repeat)
    if repeats.height == 0:
        return empty_issues()
    severity = "warning" if rule.policy == "warn" else "error"
    if rule.key == ("phone",):
        message = pl.format("duplicate phone number '{}' (same as {})", pl.col("_e164"), where)
    else:
        message = pl.format(f"duplicate contact: same {', '.join(rule.key)} as {{}}", where)
    return issue_frame(repeats, column=columns.phone, code="duplicate", severity=severity,
                       value=pl.col(columns.phone), message=message)


def kept_keys(accepted: pl.DataFrame, rule: DuplicateRule, columns: ColumnMap, repeats: pl.Series) -> pl.DataFrame:
    """The duplicate key and row of each accepted contact that is the first with its key (``repeats``: the rows
    :func:`find_duplicates` found repeating one): what later parts of the same file are checked against. None of
    these keys was seen in earlier parts, so the parts' kept keys simply add up."""
    if rule.policy == "keep":
        return pl.DataFrame()
    return accepted.filter(~pl.col("_row").is_in(repeats.implode())).select(*_keys(rule, columns), "_row")


# keys in one sorted run of the index at most (96 MB at 12 bytes a key)
RUN_KEYS = 8_000_000


class SeenPhones:
    """The duplicate keys of the contacts kept so far in a run, each with the row, and the source (a file's index
    when a run reads several), it first came from: what each later part, or file, is checked against.

    The index grows by the keys themselves (12 bytes a key: the number as an Int64, the row as a UInt32 until a row
    past UInt32's is kept; the source as a UInt16 too once a key comes from a second file) instead of a join
    re-built over all earlier keys for every part (which cost 0.49 s and ~0.95 GB transient against 9M keys). A
    phone key (an E.164 number, ``+`` and at most 15 digits) is kept as an Int64 in a few sorted runs, merged as
    they grow like a binary counter (so each key is merged O(log parts) times, and a lookup searches a few runs): a
    lookup sorts the part's keys once and `search_sorted`s each run. Any other key (one with a variable in it, or an
    empty one) is kept in a frame and joined as before."""

    def __init__(self) -> None:
        self.names: list[str] = []  # the files of a run over several, each key's source an index into it
        self._runs: list[pl.DataFrame] = []  # _code (sorted), _row[, _source]; each key in one run at most
        self._other: list[pl.DataFrame] = []  # keys that are not phone numbers: their columns, _row, _source
        self._count = 0
        self._wide = False  # rows kept as Int64, a file past UInt32's rows
        # the runs hold _source once a key came from a source other than the first (at 38M keys its two bytes a
        # key are 76 MB that a run over one file never reads)
        self._sourced = False

    def __len__(self) -> int:
        return self._count

    def begin(self, name: str) -> None:
        """The keys added from now on come from the file ``name`` (a run over several files names each)."""
        if len(self.names) >= 65535:  # _source is a UInt16
            raise ValueError("too many files in one run (at most 65,535)")
        self.names.append(name)

    def other_file(self, sources: pl.Series) -> pl.Series:
        """``_from``: the name of the file each of ``sources`` (:meth:`first`'s) is, where it is not the file being
        added now (a repeat within one file says only its row)."""
        if len(self.names) < 2:
            return pl.repeat(None, sources.len(), dtype=pl.String, eager=True).alias("_from")
        named = pl.Series(self.names[:-1], dtype=pl.String)
        current = len(self.names) - 1
        return pl.select(pl.when(sources < current).then(named.gather(sources.clip(upper_bound=current - 1))))\
            .to_series().alias("_from")

    def forget_last(self) -> None:
        """The keys of the file :meth:`begin` named last are dropped: it was skipped, its contacts are in no
        output, and a later file's contact must not be called its duplicate."""
        if not self.names:
            return
        source = len(self.names) - 1
        if self._sourced:
            kept = [run.filter(pl.col("_source") != source) for run in self._runs]
        else:  # every key came from the first source
            kept = [] if source == 0 else self._runs
        self._runs = [run for run in kept if run.height]  # still sorted, each still at most a key's one run
        self._other = [frame.filter(pl.col("_source") != source) for frame in self._other]
        self._count = sum(run.height for run in self._runs) + sum(frame.height for frame in self._other)

    def add(self, keys: pl.DataFrame, source: int | None = None) -> None:
        """Remember ``keys`` (the key columns ``_key0``, ``_key1``... and ``_row``, as :func:`kept_keys` gives
        them) as first seen in ``source``. They must be new to the index and to each other: a key seen before
        makes its row a duplicate, never kept. ``source`` defaults to the file :meth:`begin` named last."""
        if keys.height == 0 or keys.width == 0:
            return
        if source is None:
            source = max(len(self.names) - 1, 0)
        keys = keys.with_columns(pl.lit(source, dtype=pl.UInt16).alias("_source"))
        code = _code(keys)
        if code is not None:
            if not self._wide and (keys.get_column("_row").max() or 0) > 0xFFFF_FFFF:
                self._wide = True
                self._runs = [run.with_columns(pl.col("_row").cast(pl.Int64)) for run in self._runs]
            if not self._sourced and source != 0:
                self._sourced = True
                self._runs = [run.with_columns(pl.lit(0, dtype=pl.UInt16).alias("_source")) for run in self._runs]
            row = pl.col("_row").cast(pl.Int64 if self._wide else pl.UInt32)
            coded = keys.select(code.alias("_code"), row, *([pl.col("_source")] if self._sourced else []))
            odd = coded.get_column("_code").is_null()
            if odd.any():
                self._other.append(keys.filter(odd))
                coded = coded.filter(~odd)
            self._push(coded.sort("_code"))
        else:
            self._other.append(keys)
        self._count += keys.height

    def first(self, keys: pl.DataFrame) -> pl.DataFrame:
        """For each row of ``keys`` (the key columns, in order), the row (``_earlier``) and source (``_source``) its
        key was first seen at, null where the key is new."""
        found = pl.DataFrame({"_earlier": pl.repeat(None, keys.height, dtype=pl.Int64, eager=True),
                              "_source": pl.repeat(None, keys.height, dtype=pl.UInt16, eager=True)})
        code = _code(keys) if self._runs else None
        if code is not None:
            codes = keys.select(code.fill_null(-1)).to_series()
            # sorted keys make each run's search walk its array in order: 3x faster than searching in file order
            order = codes.arg_sort()
            wanted = codes.gather(order)
            rows, sources = found.get_column("_earlier"), found.get_column("_source")
            for run in self._runs:
                at = run.get_column("_code").search_sorted(wanted).clip(upper_bound=run.height - 1)
                hit = run.get_column("_code").gather(at) == wanted
                rows = pl.select(pl.when(hit).then(run.get_column("_row").gather(at).cast(pl.Int64))
                                 .otherwise(rows)).to_series()
                source = run.get_column("_source").gather(at) if self._sourced else \
                    pl.lit(0, dtype=pl.UInt16)  # the first source's key, its column not kept
                sources = pl.select(pl.when(hit).then(source).otherwise(sources)).to_series()
            found = pl.DataFrame({"_earlier": found.get_column("_earlier").scatter(order, rows),
                                  "_source": found.get_column("_source").scatter(order, sources)})
        if self._other:
            other = pl.concat(self._other) if len(self._other) > 1 else self._other[0]
            self._other = [other]
            names = [name for name in keys.columns if name.startswith("_key")]
            joined = keys.select(names).join(other.rename({"_row": "_earlier", "_source": "_from"}), on=names,
                                             how="left", nulls_equal=True, maintain_order="left")
            found = found.select(pl.coalesce("_earlier", joined.get_column("_earlier")),
                                 pl.coalesce("_source", joined.get_column("_from")))
        return found

    def _push(self, run: pl.DataFrame) -> None:
        if run.height == 0:
            return
        self._runs.append(run)
        # a binary counter: a run is merged into the one before once it is about as large (at most ~log2(parts)
        # runs, each key merged ~log2(parts) times), up to RUN_KEYS: a merge holds both runs and their merge at
        # once, and merging the halves of 38M keys would add 0.5 GB to a 100M-row run's peak for one lookup's gain
        while len(self._runs) > 1 and self._runs[-2].height <= 2 * self._runs[-1].height \
                and self._runs[-2].height + self._runs[-1].height <= RUN_KEYS:
            last = self._runs.pop()
            self._runs[-1] = self._runs[-1].merge_sorted(last, "_code")


def _code(keys: pl.DataFrame) -> pl.Expr | None:
    """The key as an Int64 where it is one E.164 number (its digits: '+' and up to 15 digits, the first not 0,
    so distinct numbers get distinct codes), null for an empty or odd one; None for any other kind of key."""
    names = [name for name in keys.columns if name.startswith("_key")]
    if names != ["_key0"] or keys.schema["_key0"] != pl.String:
        return None
    key = pl.col("_key0")
    return pl.when(key.str.contains(r"^\+[1-9][0-9]{0,17}$")).then(key.str.slice(1).cast(pl.Int64, strict=False))


def _key_names(rule: DuplicateRule) -> list[str]:
    return [f"_key{i}" for i in range(len(rule.key))]


def _keys(rule: DuplicateRule, columns: ColumnMap) -> list[pl.Expr]:
    bound = {variable.name: column for variable, column in columns.variables}
    return [(pl.col("_e164") if part == "phone" else pl.col(bound[part]).str.to_lowercase()).alias(name)
            for part, name in zip(rule.key, _key_names(rule))]
