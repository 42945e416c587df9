"""bikeflow.sources: the configured counter's export and the GHCN access CSV read into tidy
tables."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from support.data import (
    COUNTS_HEADER,
    count_cells,
    counts_row,
    counts_rows,
    ghcn_row,
    ghcn_rows,
    hourly_count,
)
from support.sources import COUNTS, WEATHER
from support.tables import (
    COUNT_NAMES,
    blank,
    set_qflag,
)

from bikeflow.dataset import weather_columns

WEATHER_COLUMNS = weather_columns(WEATHER.schema)  # the weather table's value columns


@pytest.mark.parametrize("hour", [0, 1, 11, 12, 13, 23])
def test_timestamps_in_the_schemas_format_parse_to_the_hour_of_day(read_counts, hour):
    """Midnight and noon included: in a 12-hour format (Fremont's "%I:%M:%S %p") they are the
    hours a clock gets wrong."""
    day = date(2021, 1, 4)
    hourly = read_counts([counts_row(datetime(2021, 1, 4, hour), hourly_count(day, hour))])
    assert hourly["timestamp"].tolist() == [pd.Timestamp(2021, 1, 4, hour)]
    assert hourly["date"].tolist() == [day]
    assert hourly["hour"].tolist() == [hour]


def test_hourly_counts_are_integers_with_tidy_columns(read_counts):
    day = date(2021, 1, 4)
    hourly = read_counts(counts_rows(day, 1))
    assert sorted(hourly.columns[:3]) == ["date", "hour", "timestamp"]
    assert sorted(hourly.columns[3:]) == sorted(COUNT_NAMES)
    assert hourly["hour"].tolist() == list(range(24))
    assert all(type(value) is date for value in hourly["date"])
    for column in COUNT_NAMES:
        assert hourly[column].dtype == "Int64"
    eight = hourly.loc[hourly["hour"] == 8].iloc[0]
    assert tuple(eight[COUNT_NAMES]) == hourly_count(day, 8)
    if COUNTS.parts:
        assert eight["total"] == sum(hourly_count(day, 8)[1:])


def test_count_columns_follow_the_schemas_order(read_counts):
    hourly = read_counts(counts_rows(date(2021, 1, 4), 1))
    in_schema = [COUNTS.tidy[label] for label in COUNTS.header if label in COUNTS.count_labels]
    assert list(hourly.columns) == ["timestamp", "date", "hour", *in_schema]


def test_rows_out_of_order_are_sorted_by_time(read_counts):
    rows = counts_rows(date(2021, 1, 4), 2)
    assert read_counts(rows[::-1]).equals(read_counts(rows))


@pytest.mark.parametrize("change", ["reordered", "extra column"])
def test_columns_are_read_by_name(read_counts, change):
    rows = counts_rows(date(2021, 1, 4), 2)
    expected = read_counts(rows)
    if change == "reordered":
        order = list(range(len(COUNTS_HEADER)))[::-1]
        header = [COUNTS_HEADER[i] for i in order]
        changed = [[row[i] for i in order] for row in rows]
    else:
        header = [*COUNTS_HEADER[:2], "Counter Note", *COUNTS_HEADER[2:]]
        changed = [[*row[:2], "ok, fine", *row[2:]] for row in rows]
    pd.testing.assert_frame_equal(read_counts(changed, header), expected)


def test_blank_count_hour_stays_missing(read_counts):
    rows = counts_rows(date(2021, 1, 4), 1)
    rows[9] = blank(rows[9])
    assert count_cells(rows[9]) == [""] * len(COUNT_NAMES)
    hourly = read_counts(rows)
    assert len(hourly) == 24
    missing = hourly[hourly[COUNT_NAMES].isna().any(axis=1)]
    assert missing["hour"].tolist() == [9]
    assert missing[COUNT_NAMES].isna().all(axis=None)


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
