"""Unit tests of the tidy-table library: sources, daily, calendar, tables, data package, atomic.

Inputs are small files in the real upstream formats (tests/support/data.py); expected
numbers are computed by hand or from `hourly_count`, never by the code under test.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from support.data import (
    FREMONT_HEADER,
    GHCN_HEADER,
    fremont_rows,
    fremont_text,
    ghcn_row,
    ghcn_rows,
    ghcn_text,
    hourly_count,
    write,
)
from support.workflow import REPOSITORY

from bikeflow.atomic import atomic_open, atomic_path, write_text
from bikeflow.calendar_features import calendar_features
from bikeflow.daily import (
    Coverage,
    aggregate_daily,
    coverage,
    flag_counter_issues,
    holdout_problem,
    holdout_start,
    hours_expected,
    join_weather,
    no_overlap_problem,
)
from bikeflow.datapackage import data_package, package_json, table_resource
from bikeflow.sources import read_daily_weather, read_hourly_counts
from bikeflow.table_io import read_table, write_table
from bikeflow.validation import load_schema_descriptor, validate_package

SCHEMAS = REPOSITORY / "workflow" / "schemas"
TIMEZONE = "America/Los_Angeles"
FREMONT_BRIDGE = {"latitude": 47.6475, "longitude": -122.3497}
WEATHER_COLUMNS = [
    "precipitation_mm",
    "snowfall_mm",
    "snow_depth_mm",
    "tmax_c",
    "tmin_c",
    "wind_mean_m_s",
]
COUNTS = ["total", "west", "east"]


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fremont_schema() -> dict:
    return load_schema_descriptor(SCHEMAS / "sources" / "fremont_bridge.schema.yaml")


@pytest.fixture(scope="module")
def weather_schema() -> dict:
    return load_schema_descriptor(SCHEMAS / "sources" / "seatac_weather.schema.yaml")


def table_schema(name: str) -> dict:
    return load_schema_descriptor(SCHEMAS / "tables" / f"{name}.schema.yaml")


def days_from(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def day_sums(day: date, hours=range(24)) -> dict[str, int]:
    """Hand-computed daily sums of the deterministic test counts over `hours`."""
    west = sum(hourly_count(day, hour)[0] for hour in hours)
    east = sum(hourly_count(day, hour)[1] for hour in hours)
    return {"total": west + east, "west": west, "east": east}


def blank(row: list[str]) -> list[str]:
    """The same Fremont row with its three counts blank, as the export writes a lost hour."""
    return [row[0], "", "", ""]


def set_qflag(row: list[str], element: str, qflag: str = "X") -> list[str]:
    position = GHCN_HEADER.index(f"{element}_ATTRIBUTES")
    row[position] = f",{qflag},W,2400"
    return row


@pytest.fixture
def read_counts(tmp_path, fremont_schema):
    def read(rows: list[list[str]], header: list[str] = FREMONT_HEADER) -> pd.DataFrame:
        return read_hourly_counts(
            write(tmp_path / "fremont.csv", fremont_text(rows, header)), fremont_schema
        )

    return read


@pytest.fixture
def read_weather(tmp_path, weather_schema):
    def read(rows: list[list[str]]) -> pd.DataFrame:
        return read_daily_weather(write(tmp_path / "ghcn.csv", ghcn_text(rows)), weather_schema)

    return read


@pytest.fixture
def daily_of(read_counts):
    def daily(rows: list[list[str]]) -> pd.DataFrame:
        return aggregate_daily(read_counts(rows), TIMEZONE)

    return daily


def one_day(daily: pd.DataFrame, day: date) -> pd.Series:
    (row,) = daily.index[daily["date"] == day]
    return daily.loc[row]


# --- sources: Fremont hourly counts ----------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "hour"),
    [
        ("12:00:00 AM", 0),
        ("01:00:00 AM", 1),
        ("11:00:00 AM", 11),
        ("12:00:00 PM", 12),
        ("01:00:00 PM", 13),
        ("11:00:00 PM", 23),
    ],
)
def test_am_pm_clock_parses_to_the_hour_of_day(read_counts, clock, hour):
    hourly = read_counts([[f"01/04/2021 {clock}", "7", "3", "4"]])
    assert hourly["timestamp"].tolist() == [pd.Timestamp(2021, 1, 4, hour)]
    assert hourly["date"].tolist() == [date(2021, 1, 4)]
    assert hourly["hour"].tolist() == [hour]


def test_hourly_counts_are_integers_with_tidy_columns(read_counts):
    day = date(2021, 1, 4)
    hourly = read_counts(fremont_rows(day, 1))
    assert list(hourly.columns) == ["timestamp", "date", "hour", *COUNTS]
    assert hourly["hour"].tolist() == list(range(24))
    assert all(type(value) is date for value in hourly["date"])
    for column in COUNTS:
        assert hourly[column].dtype == "Int64"
    west, east = hourly_count(day, 8)
    eight = hourly.loc[hourly["hour"] == 8].iloc[0]
    assert (eight["total"], eight["west"], eight["east"]) == (west + east, west, east)


def test_rows_out_of_order_are_sorted_by_time(read_counts):
    rows = fremont_rows(date(2021, 1, 4), 2)
    assert read_counts(rows[::-1]).equals(read_counts(rows))


@pytest.mark.parametrize("change", ["reordered", "extra column"])
def test_columns_are_read_by_name(read_counts, change):
    rows = fremont_rows(date(2021, 1, 4), 2)
    expected = read_counts(rows)
    if change == "reordered":
        order = [2, 0, 3, 1]
        header = [FREMONT_HEADER[i] for i in order]
        changed = [[row[i] for i in order] for row in rows]
    else:
        header = [*FREMONT_HEADER[:2], "Fremont Bridge Note", *FREMONT_HEADER[2:]]
        changed = [[*row[:2], "ok, fine", *row[2:]] for row in rows]
    pd.testing.assert_frame_equal(read_counts(changed, header), expected)


def test_blank_count_hour_stays_missing(read_counts):
    rows = fremont_rows(date(2021, 1, 4), 1)
    rows[9] = blank(rows[9])
    hourly = read_counts(rows)
    assert len(hourly) == 24
    missing = hourly[hourly[COUNTS].isna().any(axis=1)]
    assert missing["hour"].tolist() == [9]
    assert missing[COUNTS].isna().all(axis=None)


# --- sources: GHCN-Daily weather -------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "raw", "column", "expected"),
    [
        ("PRCP", 109, "precipitation_mm", 10.9),
        ("PRCP", 0, "precipitation_mm", 0.0),
        ("TMAX", -6, "tmax_c", -0.6),
        ("TMAX", 317, "tmax_c", 31.7),
        ("TMIN", -50, "tmin_c", -5.0),
        ("AWND", 47, "wind_mean_m_s", 4.7),
        ("SNOW", 25, "snowfall_mm", 25.0),
        ("SNWD", 130, "snow_depth_mm", 130.0),
    ],
)
def test_weather_values_in_tidy_units(read_weather, element, raw, column, expected):
    weather = read_weather([ghcn_row(date(2021, 1, 4), {element: raw})])
    # Exact equality: the library rounds away float noise such as -6 * 0.1.
    assert weather[column].tolist() == [expected]
    assert weather["quality_flagged"].tolist() == [""]


def test_weather_columns_and_dates(read_weather):
    rows = ghcn_rows(date(2021, 1, 30), 3)
    weather = read_weather(rows[::-1])
    assert list(weather.columns) == ["date", *WEATHER_COLUMNS, "quality_flagged"]
    assert weather["date"].tolist() == [date(2021, 1, 30), date(2021, 1, 31), date(2021, 2, 1)]
    assert all(type(value) is date for value in weather["date"])


@pytest.mark.parametrize(("element", "column"), [("PRCP", "precipitation_mm"), ("TMIN", "tmin_c")])
def test_missing_weather_value_is_nan(read_weather, element, column):
    weather = read_weather([ghcn_row(date(2021, 1, 4), {element: None})])
    assert math.isnan(weather.loc[0, column])
    assert weather.loc[0, "quality_flagged"] == ""
    others = [name for name in WEATHER_COLUMNS if name != column]
    assert weather.loc[0, others].notna().all()


@pytest.mark.parametrize(
    ("flagged", "listed"),
    [
        (["TMAX"], "TMAX"),
        (["AWND"], "AWND"),
        (["PRCP", "TMAX"], "PRCP;TMAX"),
        (["TMAX", "PRCP"], "PRCP;TMAX"),
    ],
)
def test_quality_flagged_value_is_dropped_and_named(read_weather, flagged, listed):
    values = {"PRCP": 109, "TMAX": -6, "AWND": 47, "TMIN": -50}
    day = date(2021, 1, 4)
    row = ghcn_row(day, values)
    for element in flagged:
        set_qflag(row, element)
    weather = read_weather([row, ghcn_row(day + timedelta(days=1), values)])
    columns = {"PRCP": "precipitation_mm", "TMAX": "tmax_c", "AWND": "wind_mean_m_s"}
    expected = {"precipitation_mm": 10.9, "tmax_c": -0.6, "wind_mean_m_s": 4.7, "tmin_c": -5.0}
    flagged_day, clean_day = weather.iloc[0], weather.iloc[1]
    assert flagged_day["quality_flagged"] == listed
    for column, value in expected.items():
        if column in [columns[element] for element in flagged]:
            assert math.isnan(flagged_day[column])
        else:
            assert flagged_day[column] == value
        assert clean_day[column] == value
    assert clean_day["quality_flagged"] == ""


def test_qflag_on_an_element_the_pipeline_does_not_use_is_ignored(read_weather):
    row = set_qflag(ghcn_row(date(2021, 1, 4)), "TAVG")
    weather = read_weather([row])
    assert weather.loc[0, "quality_flagged"] == ""
    assert weather.loc[0, WEATHER_COLUMNS].notna().all()


@pytest.mark.parametrize(
    ("attributes", "expected", "flagged"),
    [
        pytest.param(",,W", 10.9, "", id="three-parts"),
        pytest.param(",,Z,null", 10.9, "", id="observation-time-null"),
        pytest.param("T,,W,2400", 0.0, "", id="trace-is-zero-not-missing"),
        pytest.param(",,W,", 10.9, "", id="empty-observation-time"),
        pytest.param(",I,Z,null", None, "PRCP", id="qflag-with-null-time"),
        pytest.param(",X,W", None, "PRCP", id="qflag-three-parts"),
    ],
)
def test_real_ghcn_flag_shapes(read_weather, attributes, expected, flagged):
    """Shapes seen in real access files: the QFLAG (2nd part) alone decides; a trace (MFLAG
    T) is a real observation of 0 mm, not a missing value."""
    raw = 0 if attributes.startswith("T") else 109
    row = ghcn_row(date(2021, 1, 4), {"PRCP": raw}, attributes={"PRCP": attributes})
    weather = read_weather([row])
    value = weather.loc[0, "precipitation_mm"]
    assert math.isnan(value) if expected is None else value == expected
    assert weather.loc[0, "quality_flagged"] == flagged
    assert weather.loc[0, ["tmax_c", "tmin_c", "wind_mean_m_s"]].notna().all()


# --- daily aggregation -----------------------------------------------------------------


def test_full_days_sum_all_24_hours(daily_of):
    start = date(2021, 1, 8)  # a Friday, so the weekend rhythm is in the sums too
    daily = daily_of(fremont_rows(start, 3))
    assert list(daily.columns) == [
        "date",
        *COUNTS,
        "hours_observed",
        "hours_expected",
        "complete",
    ]
    assert daily["date"].tolist() == days_from(start, date(2021, 1, 10))
    for day in daily["date"]:
        row = one_day(daily, day)
        assert {column: row[column] for column in COUNTS} == day_sums(day)
        assert (row["hours_observed"], row["hours_expected"], row["complete"]) == (24, 24, True)
    for column in COUNTS:
        assert daily[column].dtype == "Int64"


@pytest.mark.parametrize("hour", [0, 8, 23])
def test_day_with_one_blank_hour_is_incomplete_without_totals(daily_of, hour):
    rows = fremont_rows(date(2021, 1, 4), 2)
    rows[hour] = blank(rows[hour])
    daily = daily_of(rows)
    broken, fine = daily.iloc[0], daily.iloc[1]
    assert (broken["hours_observed"], broken["hours_expected"]) == (23, 24)
    assert not broken["complete"]
    assert all(pd.isna(broken[column]) for column in COUNTS)
    assert fine["complete"]
    assert fine["total"] == day_sums(date(2021, 1, 5))["total"]


def test_day_with_missing_rows_is_incomplete(daily_of):
    # As on the counter's first day: the export starts at 13:00 and the last day stops early.
    rows = fremont_rows(date(2012, 10, 2), 3)
    daily = daily_of(rows[13:-4])
    assert daily["date"].tolist() == days_from(date(2012, 10, 2), date(2012, 10, 4))
    assert daily["hours_observed"].tolist() == [11, 24, 20]
    assert daily["complete"].tolist() == [False, True, False]
    assert daily["total"].isna().tolist() == [True, False, True]
    assert daily.loc[1, "total"] == day_sums(date(2012, 10, 3))["total"]


def test_day_with_every_hour_blank_is_kept_with_zero_hours(daily_of):
    rows = fremont_rows(date(2021, 1, 4), 2)
    rows[24:] = [blank(row) for row in rows[24:]]
    daily = daily_of(rows)
    assert daily["date"].tolist() == [date(2021, 1, 4), date(2021, 1, 5)]
    assert daily["hours_observed"].tolist() == [24, 0]
    assert daily["complete"].tolist() == [True, False]
    assert daily[COUNTS].iloc[1].isna().all()


def test_spring_forward_day_with_blank_0200_is_complete(daily_of):
    day = date(2021, 3, 14)
    rows = fremont_rows(date(2021, 3, 13), 3)
    rows[24 + 2] = blank(rows[24 + 2])  # the 02:00 that does not exist
    row = one_day(daily_of(rows), day)
    assert (row["hours_observed"], row["hours_expected"]) == (23, 23)
    assert row["complete"]
    hours = [hour for hour in range(24) if hour != 2]
    assert {column: row[column] for column in COUNTS} == day_sums(day, hours)


def test_spring_forward_day_with_another_blank_hour_is_incomplete(daily_of):
    rows = fremont_rows(date(2021, 3, 14), 1)
    rows[2] = blank(rows[2])
    rows[17] = blank(rows[17])
    row = daily_of(rows).iloc[0]
    assert (row["hours_observed"], row["hours_expected"]) == (22, 23)
    assert not row["complete"]
    assert pd.isna(row["total"])


def test_fall_back_day_with_24_rows_is_complete(daily_of):
    day = date(2021, 11, 7)
    row = daily_of(fremont_rows(day, 1)).iloc[0]
    assert (row["hours_observed"], row["hours_expected"], row["complete"]) == (24, 24, True)
    assert {column: row[column] for column in COUNTS} == day_sums(day)


@pytest.mark.parametrize(
    ("timezone", "day", "hours"),
    [
        (TIMEZONE, date(2021, 3, 13), 24),
        (TIMEZONE, date(2021, 3, 14), 23),
        (TIMEZONE, date(2021, 3, 15), 24),
        (TIMEZONE, date(2021, 11, 7), 24),  # 25 hours long, capped: the export folds one
        (TIMEZONE, date(2022, 3, 13), 23),
        (TIMEZONE, date(2021, 7, 1), 24),
        ("Europe/London", date(2021, 3, 28), 23),
    ],
)
def test_hours_expected(timezone, day, hours):
    assert hours_expected(pd.Series([day]), timezone).tolist() == [hours]


def test_spring_forward_day_with_counted_0200_but_blank_0500_is_incomplete(daily_of):
    rows = fremont_rows(date(2021, 3, 14), 1)  # 02:00 carries counts here
    rows[5] = blank(rows[5])
    row = daily_of(rows).iloc[0]
    assert not row["complete"]
    assert pd.isna(row["total"])


def test_hour_with_one_blank_sidewalk_does_not_give_a_partial_sum(daily_of):
    rows = fremont_rows(date(2021, 1, 4), 1)
    rows[8][2] = ""  # west blank; the row-sum check skips rows with a blank part
    row = daily_of(rows).iloc[0]
    assert not row["complete"]
    assert pd.isna(row["west"])


# --- counter issues --------------------------------------------------------------------


def issues_frame(*issues: tuple[date, date, str]) -> pd.DataFrame:
    return pd.DataFrame(issues, columns=["start", "end", "reason"])


def test_counter_issues_flag_inclusive_ranges_and_join_overlaps(daily_of):
    daily = daily_of(fremont_rows(date(2021, 1, 1), 10))
    issues = issues_frame(
        (date(2021, 1, 3), date(2021, 1, 5), "sensor dropout"),
        (date(2021, 1, 5), date(2021, 1, 6), "construction, east side"),
        (date(2021, 1, 9), date(2021, 1, 9), "spike"),
        (date(2020, 6, 1), date(2020, 6, 30), "before the table"),
    )
    flagged = flag_counter_issues(daily, issues)
    assert dict(zip(flagged["date"], flagged["counter_issue"], strict=True)) == {
        date(2021, 1, 1): "",
        date(2021, 1, 2): "",
        date(2021, 1, 3): "sensor dropout",
        date(2021, 1, 4): "sensor dropout",
        date(2021, 1, 5): "sensor dropout; construction, east side",
        date(2021, 1, 6): "construction, east side",
        date(2021, 1, 7): "",
        date(2021, 1, 8): "",
        date(2021, 1, 9): "spike",
        date(2021, 1, 10): "",
    }
    pd.testing.assert_frame_equal(flagged.drop(columns="counter_issue"), daily)
    assert "counter_issue" not in daily.columns


def test_no_counter_issues_flags_nothing(daily_of):
    daily = daily_of(fremont_rows(date(2021, 1, 1), 3))
    flagged = flag_counter_issues(daily, issues_frame())
    assert flagged["counter_issue"].tolist() == ["", "", ""]


# --- coverage and the join with weather ------------------------------------------------


@pytest.fixture
def winter(tmp_path, fremont_schema, weather_schema):
    """Daily counts 2021-01-01..2021-03-31 and weather 2020-12-01..2021-03-20."""

    def build(weather_rows=None):
        hourly = read_hourly_counts(
            write(tmp_path / "fremont.csv", fremont_text(fremont_rows(date(2021, 1, 1), 90))),
            fremont_schema,
        )
        rows = ghcn_rows(date(2020, 12, 1), 110) if weather_rows is None else weather_rows
        weather = read_daily_weather(write(tmp_path / "ghcn.csv", ghcn_text(rows)), weather_schema)
        return aggregate_daily(hourly, TIMEZONE), weather

    return build


def test_coverage_of_sources_that_end_on_different_days(winter):
    daily, weather = winter()
    span = coverage(daily, weather)
    assert span.counts == (date(2021, 1, 1), date(2021, 3, 31))
    assert span.weather == (date(2020, 12, 1), date(2021, 3, 20))
    assert span.common == (date(2021, 1, 1), date(2021, 3, 20))
    assert span.truncated
    text = span.describe()
    assert "2021-01-01 to 2021-03-20" in text
    assert "counts 2021-01-01 to 2021-03-31" in text
    assert "weather 2020-12-01 to 2021-03-20" in text
    assert no_overlap_problem(span) is None


def test_coverage_record_names_each_source_and_round_trips(winter):
    daily, weather = winter()
    span = coverage(daily, weather, names=("fremont_bridge", "seatac_weather"))
    assert span.to_dict() == {
        "sources": {
            "fremont_bridge": {
                "role": "counts",
                "first_day": "2021-01-01",
                "last_day": "2021-03-31",
            },
            "seatac_weather": {
                "role": "weather",
                "first_day": "2020-12-01",
                "last_day": "2021-03-20",
            },
        },
        "common": {"first_day": "2021-01-01", "last_day": "2021-03-20", "days": 79},
    }
    text = span.to_json()
    assert text.endswith("}\n") and json.loads(text) == span.to_dict()
    assert Coverage.from_json(text) == span


def test_join_keeps_exactly_the_common_days(winter):
    daily, weather = winter()
    joined = join_weather(daily, weather)
    assert joined["date"].tolist() == days_from(date(2021, 1, 1), date(2021, 3, 20))
    assert len(joined) == 31 + 28 + 20
    assert list(joined.columns) == [*daily.columns, *weather.columns.drop("date")]
    row = one_day(joined, date(2021, 2, 1))
    assert row["total"] == day_sums(date(2021, 2, 1))["total"]
    assert row["tmax_c"] == one_day(weather, date(2021, 2, 1))["tmax_c"]
    assert joined["total"].dtype == "Int64"


def test_weather_day_missing_inside_the_range_keeps_counts(winter):
    gap = date(2021, 2, 10)
    rows = [row for row in ghcn_rows(date(2020, 12, 1), 110) if row[1] != gap.isoformat()]
    daily, weather = winter(rows)
    joined = join_weather(daily, weather)
    assert len(joined) == 79
    row = one_day(joined, gap)
    assert row["total"] == day_sums(gap)["total"]
    assert row["complete"]
    assert row[WEATHER_COLUMNS].isna().all()
    assert joined[WEATHER_COLUMNS].drop(index=row.name).notna().all(axis=None)


def test_same_range_is_not_truncated(read_counts, read_weather):
    daily = aggregate_daily(read_counts(fremont_rows(date(2021, 1, 1), 5)), TIMEZONE)
    weather = read_weather(ghcn_rows(date(2021, 1, 1), 5))
    span = coverage(daily, weather)
    assert span.common == span.counts == span.weather == (date(2021, 1, 1), date(2021, 1, 5))
    assert not span.truncated
    assert len(join_weather(daily, weather)) == 5


def test_counts_inside_a_longer_weather_record_are_kept_whole(read_counts, read_weather):
    daily = aggregate_daily(read_counts(fremont_rows(date(2021, 1, 3), 3)), TIMEZONE)
    weather = read_weather(ghcn_rows(date(2021, 1, 1), 10))
    span = coverage(daily, weather)
    assert span.common == (date(2021, 1, 3), date(2021, 1, 5))
    assert span.truncated
    assert join_weather(daily, weather)["date"].tolist() == days_from(*span.common)


def test_sources_that_do_not_overlap(read_counts, read_weather):
    daily = aggregate_daily(read_counts(fremont_rows(date(2021, 1, 1), 10)), TIMEZONE)
    weather = read_weather(ghcn_rows(date(1869, 1, 1), 5))
    span = coverage(daily, weather, names=("fremont_bridge", "seatac_weather"))
    assert span.common is None
    assert span.truncated
    assert "do not overlap" in span.describe()
    assert "counts 2021-01-01 to 2021-01-10" in span.describe()
    assert "weather 1869-01-01 to 1869-01-05" in span.describe()
    assert span.to_dict()["common"] is None
    assert Coverage.from_json(span.to_json()) == span
    assert no_overlap_problem(span) == (
        "fremont_bridge and seatac_weather have no day in common (fremont_bridge 2021-01-01 "
        "to 2021-01-10; seatac_weather 1869-01-01 to 1869-01-05), so there is no daily table "
        "to build. Is each source's url (sources.<name>.url in the config) the data meant?"
    )
    joined = join_weather(daily, weather)
    assert joined.empty
    assert list(joined.columns) == [*daily.columns, *weather.columns.drop("date")]


def span_of(common: tuple[date, date] | None, counts=None, weather=None) -> Coverage:
    counts = counts or (date(2020, 1, 1), date(2021, 6, 30))
    weather = weather or common or (date(1869, 1, 1), date(1899, 12, 31))
    return Coverage(counts, weather, common, names=("fremont_bridge", "seatac_weather"))


@pytest.mark.parametrize(
    ("first", "months", "too_short"),
    [
        (date(2021, 4, 20), 2, False),  # one day before the holdout, which starts 2021-04-21
        (date(2021, 4, 21), 2, True),  # the holdout would be the whole overlap
        (date(2021, 5, 20), 2, True),
        (date(2020, 1, 1), 12, False),
        (date(2020, 7, 1), 12, True),
    ],
)
def test_overlap_must_be_longer_than_the_holdout(first, months, too_short):
    span = span_of((first, date(2021, 6, 20)))
    problem = holdout_problem(span, months)
    assert (problem is not None) == too_short
    if too_short:
        start = holdout_start(date(2021, 6, 20), months)
        days = (date(2021, 6, 20) - first).days + 1
        assert problem == (
            "The overlap of the sources is too short for the model: fremont_bridge and "
            f"seatac_weather share {first} to 2021-06-20 ({days} days; fremont_bridge "
            f"2020-01-01 to 2021-06-30; seatac_weather {first} to 2021-06-20), but the holdout "
            f"(model.holdout_months: {months}) alone takes the last {months} months, from "
            f"{start}, leaving no day before it to train on."
        )


def test_holdout_check_of_sources_without_overlap_says_they_do_not_overlap():
    span = span_of(None)
    assert holdout_problem(span, 12) == no_overlap_problem(span)


@pytest.mark.parametrize(
    ("last", "months"),
    [
        (date(2021, 6, 20), 2),
        (date(2021, 12, 31), 12),
        (date(2024, 2, 29), 1),
        (date(2021, 3, 31), 1),
    ],
)
def test_holdout_start_is_the_one_the_model_uses(last, months):
    from bikeflow.features import holdout_start as model_holdout_start

    dates = pd.Series(pd.to_datetime([date(2019, 1, 1), last]))
    assert pd.Timestamp(holdout_start(last, months)) == model_holdout_start(dates, months)


# --- calendar features -----------------------------------------------------------------


def features(days: list[date], index=None) -> pd.DataFrame:
    return calendar_features(
        pd.Series(days, index=index),
        **FREMONT_BRIDGE,
        timezone=TIMEZONE,
        holiday_country="US",
    )


@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        (date(2021, 7, 5), "Independence"),  # the 4th was a Sunday: observed on Monday
        (date(2021, 11, 25), "Thanksgiving"),
        (date(2020, 12, 25), "Christmas"),
        (date(2021, 1, 1), "New Year"),
        (date(2021, 3, 2), None),
    ],
)
def test_holidays(day, name_part):
    row = features([date(2020, 12, 24), day]).iloc[1]  # the dates span two years
    if name_part is None:
        assert row["holiday"] == ""
        assert not row["is_holiday"]
    else:
        assert name_part in row["holiday"]
        assert row["is_holiday"]


@pytest.mark.parametrize(
    ("day", "weekday", "weekend"),
    [
        (date(2021, 3, 5), 4, False),  # Friday
        (date(2021, 3, 6), 5, True),  # Saturday
        (date(2021, 3, 7), 6, True),  # Sunday
        (date(2021, 3, 8), 0, False),  # Monday
    ],
)
def test_weekday_and_weekend(day, weekday, weekend):
    row = features([day]).iloc[0]
    assert row["weekday"] == weekday
    assert row["is_weekend"] == weekend


def test_daylight_hours_in_seattle():
    june, march, december = features([date(2021, 6, 21), date(2021, 3, 20), date(2021, 12, 21)])[
        "daylight_hours"
    ]
    assert june > 15.9
    assert 12.0 < march < 12.3  # equinox: a little over 12 h, sunrise to sunset
    assert december < 8.5


def test_calendar_features_of_no_days_is_an_empty_table():
    empty = features([])
    assert empty.empty
    assert list(empty.columns) == [
        "weekday",
        "is_weekend",
        "holiday",
        "is_holiday",
        "daylight_hours",
    ]


def test_calendar_features_align_with_the_dates_index():
    index = pd.Index([10, 11, 12])
    result = features([date(2021, 3, 5), date(2021, 3, 6), date(2021, 3, 7)], index=index)
    assert result.index.equals(index)
    assert list(result.columns) == [
        "weekday",
        "is_weekend",
        "holiday",
        "is_holiday",
        "daylight_hours",
    ]
    assert result["weekday"].tolist() == [4, 5, 6]


# --- tables ----------------------------------------------------------------------------


@pytest.fixture
def daily_table(read_counts, read_weather):
    """A daily table as the pipeline builds it: blanks, flags, missing weather, calendar."""
    rows = fremont_rows(date(2021, 3, 13), 4)
    rows[24 + 2] = blank(rows[24 + 2])  # spring forward: complete
    rows[48 + 9] = blank(rows[48 + 9])  # 2021-03-15 incomplete
    weather_rows = ghcn_rows(date(2021, 3, 13), 4)
    set_qflag(weather_rows[0], "TMAX")
    del weather_rows[3]
    weather = read_weather(weather_rows)
    daily = aggregate_daily(read_counts(rows), TIMEZONE)
    daily = flag_counter_issues(
        daily, issues_frame((date(2021, 3, 15), date(2021, 3, 15), "outage, 09:00"))
    )
    table = join_weather(daily, weather).reset_index(drop=True)
    return pd.concat([table, features(table["date"].tolist())], axis=1)


def test_write_then_read_round_trips_values_and_dtypes(tmp_path, daily_table):
    write_table(daily_table, tmp_path / "daily.csv", tmp_path / "daily.parquet")
    back = read_table(tmp_path / "daily.parquet")
    pd.testing.assert_frame_equal(back, daily_table)
    assert all(type(value) is date for value in back["date"])
    assert back["total"].dtype == "Int64"
    assert back["total"].isna().tolist() == [False, False, True]
    assert back["counter_issue"].tolist() == ["", "", "outage, 09:00"]
    assert back["quality_flagged"].tolist() == ["TMAX", "", ""]


def test_hourly_table_round_trips_timestamps(tmp_path, read_counts):
    rows = fremont_rows(date(2021, 1, 4), 1)
    rows[3] = blank(rows[3])
    hourly = read_counts(rows)
    write_table(hourly, tmp_path / "hourly.csv", tmp_path / "hourly.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "hourly.parquet"), hourly)
    lines = (tmp_path / "hourly.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "timestamp,date,hour,total,west,east"
    assert lines[4] == "2021-01-04T03:00:00,2021-01-04,3,,,"
    west, east = hourly_count(date(2021, 1, 4), 13)
    assert lines[14] == f"2021-01-04T13:00:00,2021-01-04,13,{west + east},{west},{east}"


def test_writing_the_same_frame_twice_is_byte_identical(tmp_path, daily_table):
    write_table(daily_table, tmp_path / "a" / "daily.csv", tmp_path / "a" / "daily.parquet")
    write_table(daily_table, tmp_path / "b" / "daily.csv", tmp_path / "b" / "daily.parquet")
    for name in ("daily.csv", "daily.parquet"):
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes()
    # and rewriting in place changes nothing
    write_table(daily_table, tmp_path / "a" / "daily.csv", tmp_path / "a" / "daily.parquet")
    assert (tmp_path / "a" / "daily.parquet").read_bytes() == (
        tmp_path / "b" / "daily.parquet"
    ).read_bytes()


def test_csv_has_unix_newlines_no_index_and_plain_values(tmp_path):
    frame = pd.DataFrame(
        {
            "date": [date(2021, 1, 1), date(2021, 1, 2)],
            "total": pd.array([5, None], dtype="Int64"),
            "precipitation_mm": [10.9, float("nan")],
            "complete": [True, False],
            "reason": ["", "a, b"],
        },
        index=[7, 3],
    )
    write_table(frame, tmp_path / "t.csv", tmp_path / "t.parquet")
    assert (tmp_path / "t.csv").read_bytes() == (
        b"date,total,precipitation_mm,complete,reason\n"
        b"2021-01-01,5,10.9,True,\n"
        b'2021-01-02,,,False,"a, b"\n'
    )
    assert read_table(tmp_path / "t.parquet").index.tolist() == [0, 1]


# --- data package ----------------------------------------------------------------------


def test_table_resource_records_size_hash_and_relative_path(tmp_path, daily_table):
    package_dir = tmp_path / "results"
    csv_path = package_dir / "tables" / "daily.csv"
    write_table(daily_table, csv_path, package_dir / "tables" / "daily.parquet")
    schema = table_schema("daily")
    resource = table_resource("daily", csv_path, schema, package_dir, "Daily traffic.")
    content = csv_path.read_bytes()
    assert resource["path"] == "tables/daily.csv"
    assert resource["bytes"] == len(content) == csv_path.stat().st_size
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", resource["hash"])
    assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    assert resource["name"] == "daily"
    assert resource["title"] == schema["title"]
    assert resource["description"] == "Daily traffic."
    assert "title" not in resource["schema"]
    assert "description" not in resource["schema"]
    assert resource["schema"]["fields"] == schema["fields"]
    assert resource["schema"]["primaryKey"] == ["date"]
    assert "title" in schema and "description" in schema  # the caller's schema is untouched


def test_table_resource_with_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text(Path("results/tables/weather.csv"), "date\n2021-01-01\n")
    resource = table_resource(
        "weather", "results/tables/weather.csv", table_schema("weather"), "results/tables", "W"
    )
    assert resource["path"] == "weather.csv"
    assert resource["bytes"] == len(b"date\n2021-01-01\n")


def build_package(package_dir: Path) -> dict:
    resources = [
        table_resource(
            name,
            package_dir / f"{name}.csv",
            table_schema(name),
            package_dir,
            "Sea-Tac, in °C and mm",
        )
        for name in ("daily", "weather")
    ]
    return data_package(
        name="fremont-bridge-bicycle-weather",
        title="Fremont Bridge bicycle traffic and Sea-Tac weather",
        description="Test package.",
        sources=[{"title": "GHCN-Daily", "path": "https://example.org/USW00024233.csv"}],
        resources=resources,
    )


@pytest.fixture
def package_dir(tmp_path, daily_table, read_weather):
    directory = tmp_path / "tables"
    write_table(daily_table, directory / "daily.csv", directory / "daily.parquet")
    weather = read_weather(ghcn_rows(date(2021, 3, 13), 3))
    write_table(weather, directory / "weather.csv", directory / "weather.parquet")
    return directory


def test_package_json_is_stable(package_dir):
    first, second = build_package(package_dir), build_package(package_dir)
    text = package_json(first)
    assert text == package_json(second)
    assert text.endswith("}\n")
    assert "\r" not in text
    assert "°C" in text  # not escaped
    assert json.loads(text) == first
    assert first["profile"] == "tabular-data-package"
    assert [resource["name"] for resource in first["resources"]] == ["daily", "weather"]


def test_package_validates_and_a_changed_table_does_not(package_dir):
    package = build_package(package_dir)
    checked = validate_package(package, package_dir)
    assert checked.valid, [problem.describe() for problem in checked.problems]
    csv_path = package_dir / "weather.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace(b"2021-03-14", b"2021-03-16"))
    assert not validate_package(package, package_dir).valid


# --- atomic writes ---------------------------------------------------------------------


def leftovers(destination: Path) -> list[Path]:
    return sorted(destination.parent.glob(f".{destination.name}.*.tmp"))


@pytest.mark.parametrize("old", ["old content\n", None])
def test_failed_atomic_open_leaves_destination_untouched(tmp_path, old):
    destination = tmp_path / "out.csv"
    if old is not None:
        destination.write_text(old, encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"), atomic_open(destination) as handle:
        handle.write("new, half written")
        handle.flush()
        assert len(leftovers(destination)) == 1  # the data goes to a hidden temp file
        if old is not None:
            assert destination.read_text(encoding="utf-8") == old  # readers see the old one
        else:
            assert not destination.exists()
        raise RuntimeError("boom")
    if old is None:
        assert not destination.exists()
    else:
        assert destination.read_text(encoding="utf-8") == old
    assert leftovers(destination) == []


def test_failed_atomic_path_leaves_no_temp_file(tmp_path):
    destination = tmp_path / "sub" / "out.parquet"
    with pytest.raises(KeyError), atomic_path(destination) as tmp:
        tmp.write_bytes(b"partial")
        raise KeyError("x")
    assert not destination.exists()
    assert leftovers(destination) == []


def test_successful_write_replaces_and_cleans_up(tmp_path):
    destination = tmp_path / "new" / "dir" / "notes.txt"
    write_text(destination, "first\n")
    write_text(destination, "second\nline\n")
    assert destination.read_bytes() == b"second\nline\n"
    assert leftovers(destination) == []
    assert sorted(path.name for path in destination.parent.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("mode", ["r", "a", "rb"])
def test_atomic_open_refuses_modes_without_w(tmp_path, mode):
    with pytest.raises(ValueError, match="has no 'w'"), atomic_open(tmp_path / "x", mode):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    write_text(tmp_path / "a.txt", "x\n")
    with atomic_open(tmp_path / "b.bin", "wb") as handle:
        handle.write(b"x")
    frame = pd.DataFrame({"a": [1]})
    write_table(frame, tmp_path / "c.csv", tmp_path / "c.parquet")
    for name in ("a.txt", "b.bin", "c.csv", "c.parquet"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name
