"""SeenPhones, the index of kept duplicate keys across parts (and files), against a plain dict."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from csvprep.stages.duplicates import SeenPhones

# few distinct values, so that later batches look up keys earlier ones added; odd ones (no '+', a leading 0,
# empty) take the other road
phones = st.one_of(st.sampled_from(["+14155550100", "+447700900123", "+61491570006", "+1", "+999999999999999999",
                                    "14155550100", "+04155550100", "", None]),
                   st.integers(1, 300).map(lambda n: f"+1415555{n:04d}"))


def _batches(draw_key):
    return st.lists(st.lists(draw_key, max_size=40), min_size=1, max_size=12)


def _check(batches, frame_of):
    seen, reference, row = SeenPhones(), {}, 0
    for source, batch in enumerate(batches):
        keys = frame_of(batch)
        found = seen.first(keys)
        assert found.height == keys.height
        expected = [reference.get(key, (None, None)) for key in batch]
        assert list(zip(found.get_column("_earlier"), found.get_column("_source"))) == expected
        new, rows = [], []
        for key in dict.fromkeys(batch):  # what find_duplicates keeps: the first of each key not seen before
            if key not in reference:
                row += 1
                reference[key] = (row, source % 3)
                new.append(key)
                rows.append(row)
        seen.add(frame_of(new).with_columns(pl.Series("_row", rows, dtype=pl.Int64)), source=source % 3)
        assert len(seen) == len(reference)


@settings(max_examples=150, deadline=None)
@given(_batches(phones))
def test_phone_keys_are_found_where_they_were_first_seen(batches):
    _check(batches, lambda keys: pl.DataFrame({"_key0": pl.Series(keys, dtype=pl.String)}))


@settings(max_examples=80, deadline=None)
@given(_batches(st.tuples(phones, st.sampled_from(["a1", "b2", "", None]))))
def test_keys_with_a_variable_are_found_where_they_were_first_seen(batches):
    _check(batches, lambda keys: pl.DataFrame({"_key0": pl.Series([k[0] for k in keys], dtype=pl.String),
                                               "_key1": pl.Series([k[1] for k in keys], dtype=pl.String)}))


def test_the_index_stays_a_few_sorted_runs():
    seen = SeenPhones()
    for part in range(40):
        codes = [f"+1{part:03d}{n:07d}" for n in range(50)]
        seen.add(pl.DataFrame({"_key0": codes, "_row": range(part * 50 + 1, part * 50 + 51)}))
    assert len(seen._runs) <= 6  # log2(40) + 1
    assert all(run.with_codes().get_column("_code").is_sorted() for run in seen._runs)
    found = seen.first(pl.DataFrame({"_key0": ["+10390000049", "+10000000000", "+19990000000"]}))
    assert found.get_column("_earlier").to_list() == [39 * 50 + 50, 1, None]


def test_no_run_grows_past_run_keys_and_every_key_is_still_found(monkeypatch):
    from csvprep.stages import duplicates

    monkeypatch.setattr(duplicates, "RUN_KEYS", 200)  # a merge holds both runs and the merged one at once
    seen = SeenPhones()
    for part in range(40):
        codes = [f"+1{part:03d}{n:07d}" for n in range(50)]
        seen.add(pl.DataFrame({"_key0": codes, "_row": range(part * 50 + 1, part * 50 + 51)}))
    heights = [run.height for run in seen._runs]
    assert max(heights) <= 200 and sum(heights) == 2000
    assert len(seen._runs) <= 2000 // 100 + 6  # runs stay above half the cap, but for a binary counter's tail
    assert all(run.with_codes().get_column("_code").is_sorted() for run in seen._runs)
    wanted = [f"+1{part:03d}{n:07d}" for part in range(40) for n in (0, 49)] + ["+19990000000"]
    found = seen.first(pl.DataFrame({"_key0": wanted}))
    assert found.get_column("_earlier").to_list() == [part * 50 + n + 1 for part in range(40) for n in (0, 49)] + [None]


def test_a_skipped_file_is_forgotten_and_other_files_are_named():
    seen = SeenPhones()
    seen.begin("a.csv")
    seen.add(pl.DataFrame({"_key0": ["+14155550100", "+14155550101"], "_row": [2, 3]}))
    seen.add(pl.DataFrame({"_key0": ["zzz"], "_row": [4]}))  # not a phone number: the other road
    seen.begin("b.csv")  # read in part, then skipped: its keys must not make c.csv's contacts duplicates
    seen.add(pl.DataFrame({"_key0": ["+14155550102", "yyy"], "_row": [2, 3]}))
    seen.forget_last()
    assert len(seen) == 3
    seen.begin("c.csv")
    keys = pl.DataFrame({"_key0": ["+14155550102", "+14155550101", "zzz", "yyy"]})
    found = seen.first(keys)
    assert found.get_column("_earlier").to_list() == [None, 3, 4, None]
    assert seen.other_file(found.get_column("_source")).to_list() == [None, "a.csv", "a.csv", None]
    seen.add(pl.DataFrame({"_key0": ["+14155550102"], "_row": [2]}))
    within = seen.first(pl.DataFrame({"_key0": ["+14155550102"]}))
    assert seen.other_file(within.get_column("_source")).to_list() == [None]  # c.csv's own: just its row


def test_rows_past_uint32_widen_the_index_and_are_still_found():
    seen = SeenPhones()
    seen.begin("a.csv")
    seen.add(pl.DataFrame({"_key0": ["+14155552671"], "_row": [7]}))
    assert seen._runs[0].frame.schema["_row"] == pl.UInt32  # 4 bytes a key, not 8
    seen.add(pl.DataFrame({"_key0": ["+14155552672"], "_row": [5_000_000_000]}))
    found = seen.first(pl.DataFrame({"_key0": ["+14155552672", "+14155552671", "+14155552673"]}))
    assert found.get_column("_earlier").to_list() == [5_000_000_000, 7, None]
    assert all(run.frame.schema["_row"] == pl.Int64 for run in seen._runs)


def test_a_run_over_one_file_keeps_no_source_column_and_a_second_file_adds_it():
    seen = SeenPhones()
    seen.begin("a.csv")
    seen.add(pl.DataFrame({"_key0": ["+14155550100", "+14155550101"], "_row": [2, 3]}))
    assert [run.frame.columns for run in seen._runs] == [["_low", "_row"]]  # 8 bytes a key, not 10
    seen.begin("b.csv")
    seen.add(pl.DataFrame({"_key0": ["+14155550102"], "_row": [2]}))
    assert all(run.frame.schema["_source"] == pl.UInt16 for run in seen._runs)
    found = seen.first(pl.DataFrame({"_key0": ["+14155550101", "+14155550102", "+14155550109"]}))
    assert found.get_column("_earlier").to_list() == [3, 2, None]
    assert found.get_column("_source").to_list() == [0, 1, None]
    seen.forget_last()
    assert seen.first(pl.DataFrame({"_key0": ["+14155550102"]})).get_column("_earlier").to_list() == [None]
    assert len(seen) == 2


def test_forgetting_a_second_file_that_kept_no_key_keeps_the_first_files_keys():
    seen = SeenPhones()
    seen.begin("a.csv")
    seen.add(pl.DataFrame({"_key0": ["+14155550100"], "_row": [2]}))
    seen.begin("b.csv")  # every one of its rows was rejected: nothing added
    seen.forget_last()
    assert seen.first(pl.DataFrame({"_key0": ["+14155550100"]})).get_column("_earlier").to_list() == [2]
    alone = SeenPhones()
    alone.begin("a.csv")
    alone.add(pl.DataFrame({"_key0": ["+14155550100"], "_row": [2]}))
    alone.forget_last()  # the only file, whose keys the runs hold without a source column
    assert len(alone) == 0 and alone.first(pl.DataFrame({"_key0": ["+14155550100"]})).get_column(
        "_earlier").to_list() == [None]


def test_a_run_keeps_its_codes_high_bits_once_a_segment_and_finds_every_code_across_segments():
    # codes on both sides of many 2**32 boundaries, in several countries, and codes below 2**32 (high bits 0)
    numbers = [f"+{cc}{n}" for cc, start in (("1", 2012345678), ("44", 7400123456), ("91", 9876543210))
               for n in range(start, start + 3 * 2**32, 2**31 - 7)] + ["+1", "+12", "+4294967295", "+4294967296"]
    seen = SeenPhones()
    seen.add(pl.DataFrame({"_key0": numbers, "_row": range(1, len(numbers) + 1)}))
    (run,) = seen._runs
    assert run.frame.columns == ["_low", "_row"] and run.frame.schema["_low"] == pl.UInt32
    assert len(run.highs) < len(numbers) and sum(run.lengths) == len(numbers)
    codes = sorted(int(number[1:]) for number in numbers)
    assert run.with_codes().get_column("_code").to_list() == codes
    asked = numbers[::-1] + ["+4294967297", "+12012345679", "+3"]
    found = seen.first(pl.DataFrame({"_key0": asked})).get_column("_earlier").to_list()
    assert found == list(range(len(numbers), 0, -1)) + [None, None, None]


def test_runs_of_many_segments_are_merged_and_searched_with_their_codes_whole(monkeypatch):
    from csvprep.stages import duplicates

    monkeypatch.setattr(duplicates, "FEW_SEGMENTS", 2)
    numbers = [f"+43{n}" for n in range(100_000_000_000, 100_000_000_000 + 40 * 2**32, 2**32 + 1)]
    seen = SeenPhones()
    for part in range(4):  # four parts of ten, each over ten segments: merged, then searched, codes whole
        seen.add(pl.DataFrame({"_key0": numbers[part::4], "_row": range(part * 10 + 1, part * 10 + 11)}))
    assert [len(run.highs) for run in seen._runs] == [30, 10]  # the first three merged (a binary counter)
    assert all(run.with_codes().get_column("_code").is_sorted() for run in seen._runs)
    found = seen.first(pl.DataFrame({"_key0": numbers + ["+43100000000001"]})).get_column("_earlier").to_list()
    assert found == [(n % 4) * 10 + n // 4 + 1 for n in range(40)] + [None]
    seen.add(pl.DataFrame({"_key0": ["+14155550100", "+14155550101"], "_row": [41, 42]}))  # one segment: a step
    assert [len(run.highs) for run in seen._runs] == [30, 10, 1]
    found = seen.first(pl.DataFrame({"_key0": ["+14155550101", numbers[5], "+14155550102", numbers[0]]}))
    assert found.get_column("_earlier").to_list() == [42, 12, None, 1]
    assert seen.first(pl.DataFrame({"_key0": pl.Series([], dtype=pl.String)})).height == 0
