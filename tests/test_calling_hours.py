"""Calling hours in each contact's local time: zones as phonenumbers gives them, DST, several zones, the window,
the launch, the summary."""

from __future__ import annotations

import json
import random

import phonenumbers
import polars as pl
import pytest
from conftest import FIXTURES, ROOT, RULES
from typer.testing import CliRunner

import csvprep
from csvprep import RulesError
from csvprep.cli.main import app
from csvprep.model.calling import CallingHours, parse_launch, parse_window
from csvprep.model.rules import PhoneRule
from csvprep.stages.calling_hours import earliest_launch, number_zones
from csvprep.stages.phones.check import check_phones

CONTACTS = FIXTURES / "contacts_across_time_zones.csv"
CAMPAIGNS = ROOT / "tests" / "campaigns"
runner = CliRunner()


def outside(launch: str, window: str = "09:00-20:00") -> list[str]:
    hours = CallingHours(parse_window(window), parse_launch(launch))
    result = csvprep.clean(CONTACTS, RULES / "basic.toml", calling=hours)
    rows = set(result.issues.filter(pl.col("code") == "outside_calling_hours").get_column("row").to_list())
    names = result.contacts.frame.get_column("customer_name").to_list()
    return [name for row, name in zip(result.contacts.frame.get_column("_row").to_list(), names) if row in rows]


def test_zones_are_exactly_phonenumbers_own():
    from phonenumbers.timezone import time_zones_for_number

    rng = random.Random(2)
    values = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                national = str(example.national_number)
                values.append(f"+{example.country_code}{national[:-2]}{rng.randint(0, 99):02d}")
    verdicts = check_phones(pl.Series(values), PhoneRule())
    frame = pl.DataFrame({"_e164": verdicts["e164"], "_line_type": verdicts["line_type"]})
    zones = number_zones(frame)
    checked = 0
    for e164, got in zip(frame["_e164"], zones):
        if e164 is None:
            assert got is None
            continue
        assert got == "|".join(time_zones_for_number(phonenumbers.parse(e164))), e164
        checked += 1
    assert checked > 1000


def test_each_contact_is_checked_in_its_own_time():
    # 15:00 UTC on Tuesday 24 November 2026: 10:00 in New York, 07:00 in San Francisco, 20:30 in Mumbai
    assert outside("2026-11-24T15:00:00Z") == [
        "Denver", "San Francisco", "Honolulu", "Mumbai", "Adelaide", "Australian mobile", "Travelling New Yorker"]


def test_a_half_hour_zone_and_a_number_with_several_zones():
    # 23:00 UTC: 09:30 in Adelaide (UTC+10:30 in its summer) but 07:00 in Perth, the other zone of +61 8 numbers
    assert "Adelaide" in outside("2026-11-24T23:00:00Z")
    # 01:30 UTC: 12:00 in Adelaide and 09:30 in Perth: both inside
    assert "Adelaide" not in outside("2026-11-25T01:30:00Z")


def test_dst_ends_in_new_york_on_1_november_2026():
    # 13:30 UTC is 09:30 EDT on Saturday 31 October, but 08:30 EST on Sunday 1 November
    assert "New York" not in outside("2026-10-31T13:30:00Z")
    assert "New York" in outside("2026-11-01T13:30:00Z")


def test_the_file_s_time_zone_column_wins_over_the_number():
    assert "Travelling New Yorker" in outside("2026-11-24T15:00:00Z")  # 00:00 in Tokyo
    assert "Travelling New Yorker" not in outside("2026-11-24T03:00:00Z")  # noon in Tokyo


def test_days_outside_the_window_count():
    hours = parse_window("09:00-20:00", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    result = csvprep.clean(CONTACTS, RULES / "basic.toml",
                           calling=CallingHours(hours, parse_launch("2026-11-28T15:00:00Z")))  # a Saturday
    assert result.counts()["by_code"]["outside_calling_hours"] == 10


def test_earliest_launch_at_which_every_zone_is_inside():
    hours = CallingHours(parse_window("09:00-20:00"), parse_launch("2026-11-24T06:00:00Z"))
    assert earliest_launch(["America/New_York", "America/Los_Angeles"], hours) == ("2026-11-24T17:00:00+00:00", None)
    when, note = earliest_launch(["Asia/Calcutta", "America/Los_Angeles"], hours)
    assert when is None and "no moment on 2026-11-24" in note


@pytest.mark.parametrize("text,message", [
    ("20:00-09:00", "must start before it ends"),
    ("9am-5pm", "is not a time of day"),
    ("09:00", "is not a window"),
])
def test_bad_windows_are_refused(text, message):
    with pytest.raises(RulesError, match=message):
        parse_window(text)


def test_launch_needs_a_zone():
    with pytest.raises(RulesError, match="has no time zone"):
        parse_launch("2026-11-24T09:00:00")


def test_cli_strict_rejects_and_report_summarises_by_zone(tmp_path):
    result = runner.invoke(app, ["clean", str(CONTACTS), "-r", str(RULES / "basic.toml"), "-o", str(tmp_path / "o"),
                                 "--calling-hours", "09:00-20:00", "--launch-at", "2026-11-24T15:00:00Z", "--strict",
                                 "--add-columns", "timezone,country,line_type"])
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["summary"]["rows_rejected"] == 7
    zones = report["calling_hours"]["by_time_zone"]
    assert zones["America/New_York"] == {"contacts": 1, "callable_at_launch": 1}
    assert zones["Asia/Calcutta"] == {"contacts": 1, "callable_at_launch": 0}
    cleaned = pl.read_csv(tmp_path / "o" / "cleaned.csv", infer_schema=False)
    assert cleaned.columns[-4:] == ["csvprep_timezone", "utc_offset", "country", "line_type"]
    assert cleaned.row(0, named=True)["csvprep_timezone"] == "America/New_York"
    assert cleaned.row(0, named=True)["utc_offset"] == "-05:00"


def test_windows_and_launches_come_from_the_rules_and_the_campaigns(tmp_path):
    rules = tmp_path / "agent.toml"
    rules.write_text((RULES / "basic.toml").read_text() + '\n[calling_hours]\nstart = "09:00"\nend = "20:00"\n')
    # the SigmaMind body schedules 10:00 New York time on 30 November 2099: 07:00 in San Francisco
    result = runner.invoke(app, ["check", str(CONTACTS), "-r", str(rules), "--campaign",
                                 str(CAMPAIGNS / "sigmamind_create_valid.json")])
    assert "Row 5: warning: phone number '+14155550103' would be called outside calling hours 09:00-20:00 " \
           "(local time at launch: 07:00 Mon in America/Los_Angeles)" in result.stdout
    # Sarvam's allowed_schedule (09:00-20:00, Monday to Friday) is the window
    sarvam = runner.invoke(app, ["check", str(CONTACTS), "-r", str(RULES / "basic.toml"), "--campaign",
                                 str(CAMPAIGNS / "sarvam_valid.json"), "--launch-at", "2026-11-28T15:00:00Z"])
    assert sarvam.stdout.count("outside calling hours 09:00-20:00 on Mon, Tue, Wed, Thu, Fri") == 10


def test_launch_without_a_window_cannot_run():
    result = runner.invoke(app, ["check", str(CONTACTS), "-r", str(RULES / "basic.toml"), "--launch-at",
                                 "2026-11-24T15:00:00Z"])
    assert result.exit_code == 2 and "--launch-at needs a calling window" in result.stderr


def test_a_number_phonenumbers_places_in_no_zone_gets_its_country_s_zones():
    from csvprep.model.calling import UNKNOWN_ZONE
    from csvprep.stages.calling_hours import contact_zones

    # phonenumbers has no zone for a number it cannot type; csvprep falls back on the number's country
    frame = pl.DataFrame({"_e164": ["+442071234567", "+6591234567", None], "_line_type": ["unknown", None, None]},
                         schema={"_e164": pl.String, "_line_type": pl.String})
    assert number_zones(frame).to_list()[:2] == [UNKNOWN_ZONE, UNKNOWN_ZONE]
    from phonenumbers.timezone import _country_level_time_zones_for_number as country_level

    expected = ["|".join(country_level(phonenumbers.parse(n))) for n in ("+442071234567", "+6591234567")]
    assert expected[0].endswith("Europe/London") and expected[1] == "Asia/Singapore"
    assert contact_zones(frame, None).to_list() == [*expected, None]
