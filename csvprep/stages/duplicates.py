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


# keys in one sorted run of the index at most (64 MB at 8 bytes a key)
RUN_KEYS = 8_000_000
_LOW = 1 << 32  # a code is kept as its low 32 bits, in a segment of the codes with the same high bits
# past this many segments a merge or lookup takes the codes whole (a transient 8 bytes a key) instead of a step a
# segment: a list of long numbers (15 digits) can spread over thousands of them
FEW_SEGMENTS = 64


def _segments(codes: pl.Series) -> tuple[list[int], list[int]]:
    """The high bits of sorted ``codes``, each value once in order, and how many codes have each."""
    runs = (codes // _LOW).rle()
    return runs.struct.field("value").to_list(), runs.struct.field("len").to_list()


def _starts(lengths: list[int]) -> list[int]:
    """Where each segment of ``lengths`` starts."""
    starts = [0]
    for length in lengths[:-1]:
        starts.append(starts[-1] + length)
    return starts


class _Run:
    """One sorted run of phone keys, 8 bytes a key: each code's low 32 bits (``_low``) beside its ``_row`` (and
    ``_source``), sorted by code; the high bits are the run's segments' (``highs``, each over ``lengths`` keys).
    A list's numbers share their high bits in long stretches (all of +1's in three segments, a country's in a few
    dozen), so the high bits of 90M keys take a few kilobytes instead of 360 MB. With few segments, runs are
    merged and searched a segment at a time (each segment one chunk), their codes never rebuilt whole."""

    def __init__(self, frame: pl.DataFrame, highs: list[int], lengths: list[int]) -> None:
        self.frame, self.highs, self.lengths = frame, highs, lengths
        self.height = frame.height
        # high bits -> (first position, length)
        self.segments = {high: (first, length) for high, first, length in zip(highs, _starts(lengths), lengths)}

    @classmethod
    def of_codes(cls, frame: pl.DataFrame) -> _Run:
        """A run of ``frame``: ``_code`` (Int64, sorted, positive), ``_row``[, ``_source``]."""
        code = frame.get_column("_code")
        return cls(frame.select((code % _LOW).cast(pl.UInt32).alias("_low"), pl.exclude("_code")), *_segments(code))

    def segment(self, high: int) -> pl.DataFrame | None:
        found = self.segments.get(high)
        return None if found is None else self.frame.slice(*found)

    def merged(self, later: _Run) -> _Run:
        """This run and ``later``'s keys in one run (no key is in both)."""
        union = sorted(self.segments.keys() | later.segments.keys())
        if len(union) > FEW_SEGMENTS:
            return _Run.of_codes(self.with_codes().merge_sorted(later.with_codes(), "_code"))
        pieces, highs, lengths = [], [], []
        for high in union:
            mine, theirs = self.segment(high), later.segment(high)
            piece = theirs if mine is None else mine if theirs is None else mine.merge_sorted(theirs, "_low")
            pieces.append(piece)
            highs.append(high)
            lengths.append(piece.height)
        return _Run(pl.concat(pieces), highs, lengths)

    def without(self, dropped: pl.Expr) -> _Run:
        """The run without the keys ``dropped`` holds for (still sorted)."""
        pieces = [(high, self.segment(high).filter(~dropped)) for high in self.highs]
        pieces = [(high, piece) for high, piece in pieces if piece.height]
        if not pieces:
            return _Run(self.frame.clear(), [], [])
        return _Run(pl.concat([piece for _, piece in pieces]), [high for high, _ in pieces],
                    [piece.height for _, piece in pieces])

    def with_codes(self) -> pl.DataFrame:
        """The run with its codes whole again (``_code`` in place of ``_low``)."""
        high = pl.select(pl.lit(pl.Series(self.highs, dtype=pl.Int64)).repeat_by(
            pl.lit(pl.Series(self.lengths, dtype=pl.UInt32)))).to_series().explode()
        return self.frame.select((high * _LOW + pl.col("_low").cast(pl.Int64)).alias("_code"), pl.exclude("_low"))

    def positions(self, wanted: pl.Series, wanted_high: list[tuple[int, int, int]], wanted_low: pl.Series
                  ) -> pl.Series:
        """For each of the sorted codes ``wanted`` (their high bits ``wanted_high``: value, start, length; their
        low bits ``wanted_low``), its position in this run, null where the run does not hold it."""
        low = self.frame.get_column("_low")
        if sum(high in self.segments for high, _, _ in wanted_high) > FEW_SEGMENTS:
            codes = self.with_codes().get_column("_code")
            at = codes.search_sorted(wanted).clip(upper_bound=self.height - 1)
            return pl.select(pl.when(codes.gather(at) == wanted).then(at.cast(pl.Int64))).to_series()
        pieces = []
        for high, start, length in wanted_high:
            segment = self.segments.get(high)
            if segment is None:
                pieces.append(pl.repeat(None, length, dtype=pl.Int64, eager=True))
                continue
            first, size = segment
            own, asked = low.slice(first, size), wanted_low.slice(start, length)
            at = own.search_sorted(asked).clip(upper_bound=size - 1)
            pieces.append(pl.select(pl.when(own.gather(at) == asked).then(at.cast(pl.Int64) + first)).to_series())
        return pl.concat(pieces) if pieces else pl.Series(dtype=pl.Int64)


class SeenPhones:
    """The duplicate keys of the contacts kept so far in a run, each with the row, and the source (a file's index
    when a run reads several), it first came from: what each later part, or file, is checked against.

    The index grows by the keys themselves (8 bytes a key: the number's low 32 bits, its high bits shared by a
    segment of the run (:class:`_Run`), and the row as a UInt32 until a row past UInt32's is kept; the source as
    a UInt16 too once a key comes from a second file) instead of a join re-built over all earlier keys for every
    part (which cost 0.49 s and ~0.95 GB transient against 9M keys). A phone key (an E.164 number, ``+`` and at
    most 15 digits) is kept as an Int64 code in a few sorted runs, merged as they grow like a binary counter (so
    each key is merged O(log parts) times, and a lookup searches a few runs): a lookup sorts the part's keys once
    and `search_sorted`s each run's segments. Any other key (one with a variable in it, or an empty one) is kept
    in a frame and joined as before."""

    def __init__(self) -> None:
        self.names: list[str] = []  # the files of a run over several, each key's source an index into it
        self._runs: list[_Run] = []  # each key in one run at most
        self._other: list[pl.DataFrame] = []  # keys that are not phone numbers: their columns, _row, _source
        self._count = 0
        self._wide = False  # rows kept as Int64, a file past UInt32's rows
        # the runs hold _source once a key came from a source other than the first (at 90M keys its two bytes a
        # key are 180 MB that a run over one file never reads)
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
            kept = [run.without(pl.col("_source") == source) for run in self._runs]
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
                for run in self._runs:
                    run.frame = run.frame.with_columns(pl.col("_row").cast(pl.Int64))
            if not self._sourced and source != 0:
                self._sourced = True
                for run in self._runs:
                    run.frame = run.frame.with_columns(pl.lit(0, dtype=pl.UInt16).alias("_source"))
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
            codes = keys.select(code.fill_null(0)).to_series()  # 0: no number's code
            # sorted keys make each run's search walk its array in order: 3x faster than searching in file order
            order = codes.arg_sort()
            wanted = codes.gather(order)
            highs, lengths = _segments(wanted)
            wanted_high = list(zip(highs, _starts(lengths), lengths))
            wanted_low = (wanted % _LOW).cast(pl.UInt32)
            rows, sources = found.get_column("_earlier"), found.get_column("_source")
            for run in self._runs:
                at = run.positions(wanted, wanted_high, wanted_low)
                rows = pl.select(pl.coalesce(rows, run.frame.get_column("_row").gather(at).cast(pl.Int64))).to_series()
                source = run.frame.get_column("_source").gather(at) if self._sourced else \
                    pl.select(pl.when(at.is_not_null()).then(pl.lit(0, dtype=pl.UInt16))).to_series()
                sources = pl.select(pl.coalesce(sources, source)).to_series()
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
        """``run``: new keys with their ``_code``, sorted."""
        if run.height == 0:
            return
        self._runs.append(_Run.of_codes(run))
        # a binary counter: a run is merged into the one before once it is about as large (at most ~log2(parts)
        # runs, each key merged ~log2(parts) times), up to RUN_KEYS: a merge holds both runs and their merge at
        # once, and merging the halves of 38M keys would add 0.5 GB to a 100M-row run's peak for one lookup's gain
        while len(self._runs) > 1 and self._runs[-2].height <= 2 * self._runs[-1].height \
                and self._runs[-2].height + self._runs[-1].height <= RUN_KEYS:
            later = self._runs.pop()
            self._runs[-1] = self._runs[-1].merged(later)


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
