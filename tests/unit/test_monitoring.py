"""bikeflow.monitoring: data health and the worst-predicted days."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from support.daily_frames import make_incomplete, synthetic_daily

from bikeflow.monitoring import health_report, worst_day_columns, worst_days

WEATHER = ["precipitation_mm", "snowfall_mm", "snow_depth_mm", "tmax_c", "tmin_c", "wind_mean_m_s"]


def hourly(
    start: date, days: int, blank_last_hours: int = 0, counts=("total", "west", "east")
) -> pd.DataFrame:
    stamps = pd.date_range(
        datetime(start.year, start.month, start.day), periods=24 * days, freq="h"
    )
    values = pd.array(np.arange(len(stamps)) % 50, dtype="Int64")
    table = pd.DataFrame(
        {
            "timestamp": stamps,
            "date": stamps.date,
            "hour": stamps.hour,
            **dict.fromkeys(counts, values),
        }
    )
    if blank_last_hours:
        table.loc[table.index[-blank_last_hours:], list(counts)] = pd.NA
    return table


def weather(start: date, days: int) -> pd.DataFrame:
    return synthetic_daily(start, days)[
        ["date", "precipitation_mm", "snowfall_mm", "snow_depth_mm", "tmax_c", "tmin_c"]
    ].assign(wind_mean_m_s=2.0, quality_flagged="")


def test_health_measures_lag_between_sources_not_against_today():
    counts = hourly(date(2021, 1, 1), 90, blank_last_hours=24)  # observed to 03-30
    daily = synthetic_daily(date(2021, 1, 1), 79)  # to 03-20
    report = health_report(counts, weather(date(2020, 12, 1), 110), daily, staleness_days=5)
    counts_row, weather_row = report["sources"]
    assert counts_row == {
        "name": "counts",
        "first": "2021-01-01",
        "last": "2021-03-30",
        "lag_days": 0,
        "stale": False,
    }
    assert weather_row["first"] == "2020-12-01" and weather_row["last"] == "2021-03-20"
    assert weather_row["lag_days"] == 10 and weather_row["stale"]
    assert report["newest_observation"] == "2021-03-30"
    assert report["stale_sources"] == ["weather"]
    relaxed = health_report(counts, weather(date(2020, 12, 1), 110), daily, staleness_days=10)
    assert relaxed["stale_sources"] == []  # a lag equal to the limit is not stale


def test_health_describes_the_daily_table():
    daily = synthetic_daily(date(2021, 1, 1), 10)
    make_incomplete(daily, date(2021, 1, 3))
    daily.loc[[4, 5], "counter_issue"] = "outage"
    daily.loc[6, "tmax_c"] = np.nan
    daily.loc[[6, 7], "precipitation_mm"] = np.nan
    table = health_report(hourly(date(2021, 1, 1), 10), weather(date(2021, 1, 1), 10), daily, 45)[
        "daily_table"
    ]
    assert table["rows"] == 10 and (table["start"], table["end"]) == ("2021-01-01", "2021-01-10")
    assert table["complete_days"] == 9 and table["incomplete_days"] == 1
    assert table["counter_issue_days"] == 2
    assert table["missing_weather_days"] == 2
    assert table["missing_weather_by_element"]["precipitation_mm"] == 2
    assert table["missing_weather_by_element"]["tmax_c"] == 1


def test_health_reads_the_count_columns_the_counter_has_whatever_their_names():
    """A fork's counter counts `inbound` and `outbound`: its last observation is the last
    hour any of its counts has."""
    counts = hourly(date(2021, 1, 1), 5, blank_last_hours=24, counts=("total", "inbound"))
    report = health_report(
        counts, weather(date(2021, 1, 1), 5), synthetic_daily(date(2021, 1, 1), 5), 45
    )
    assert report["sources"][0]["last"] == "2021-01-04"


def test_a_source_without_observations_is_stale():
    counts = hourly(date(2021, 1, 1), 2, blank_last_hours=48)
    report = health_report(
        counts, weather(date(2021, 1, 1), 2), synthetic_daily(date(2021, 1, 1), 2), 45
    )
    assert report["sources"][0]["last"] is None and report["stale_sources"] == ["counts"]


def test_worst_days_largest_absolute_error_first_with_weather():
    daily = synthetic_daily(date(2021, 1, 1), 5)
    daily.loc[3, "holiday"] = "Someday"
    predictions = pd.DataFrame(
        {
            "date": ["2021-01-01", "2021-01-02", "2021-01-03", "2021-01-04", "2021-01-05"],
            "actual": [100, 200, 300, 400, 500],
            "model": [110.0, 150.0, 350.0, 400.0, 480.25],
            "same_weekday_last_week": 0.0,
            "seasonal_mean": 0.0,
        }
    )
    table = worst_days(predictions, daily, count=3, weather_columns=WEATHER)
    assert list(table.columns) == worst_day_columns(WEATHER)
    # |errors| 10, 50, 50, 0, 19.75: the tie goes to the earlier day
    assert table["date"].tolist() == ["2021-01-02", "2021-01-03", "2021-01-05"]
    assert table["error"].tolist() == [-50.0, 50.0, -19.8]
    assert table["abs_error"].tolist() == [50.0, 50.0, 19.8]
    assert table["actual"].tolist() == [200, 300, 500]
    assert table.loc[0, "tmax_c"] == daily.loc[1, "tmax_c"]
    assert table["complete"].all() and (table["counter_issue"] == "").all()
    every_day = worst_days(predictions, daily, count=10, weather_columns=WEATHER)
    assert every_day["holiday"].tolist()[-1] == "Someday"
    without_wind = worst_days(predictions, daily, count=3, weather_columns=WEATHER[:-1])
    assert "wind_mean_m_s" not in without_wind.columns
