"""Unit tests of the monitoring library: PSI and KS drift, data health and worst days.

Expected numbers are computed by hand from small synthetic frames.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from test_model import FEATURES, make_incomplete, synthetic_daily

from bikeflow.monitoring import (
    PSI_EPSILON,
    WORST_DAY_COLUMNS,
    categorical_psi,
    drift_report,
    feature_drift,
    health_report,
    psi,
    quantile_edges,
    shares,
    worst_days,
)

# --- PSI and KS ------------------------------------------------------------------------


def test_quantile_bins_of_the_reference_hold_equal_shares():
    reference = np.arange(100.0)
    edges = quantile_edges(reference, 4)
    assert edges.tolist() == pytest.approx([24.75, 49.5, 74.25])
    assert shares(reference, edges).tolist() == [0.25, 0.25, 0.25, 0.25]
    assert psi(reference, reference, 4) == 0


def test_psi_by_hand_with_epsilon_for_empty_bins():
    reference = np.arange(100.0)
    current = np.full(20, 10.0)  # everything in the first bin
    expected = 0.75 * math.log(1 / 0.25) + 3 * (PSI_EPSILON - 0.25) * math.log(PSI_EPSILON / 0.25)
    assert psi(reference, current, 4) == pytest.approx(expected)
    assert math.isfinite(psi(reference, current, 4))


def test_psi_of_two_shifted_halves_by_hand():
    reference = np.arange(100.0)
    current = np.concatenate([np.full(5, 10.0), np.full(15, 60.0)])  # bins 1 and 3
    # shares: reference 0.25 each; current 0.25, 0, 0.75, 0
    expected = (
        0
        + (PSI_EPSILON - 0.25) * math.log(PSI_EPSILON / 0.25) * 2
        + (0.75 - 0.25) * math.log(0.75 / 0.25)
    )
    assert psi(reference, current, 4) == pytest.approx(expected)


def test_point_mass_merges_bins_instead_of_leaving_them_empty():
    reference = np.concatenate([np.zeros(60), np.arange(1.0, 41.0)])  # 60 % dry days
    edges = quantile_edges(reference, 10)
    # quantiles 0.1 .. 0.5 are all 0; 0.6 .. 0.9 interpolate (99 * q between neighbours)
    assert edges.tolist() == pytest.approx([0.0, 0.4, 10.3, 20.2, 30.1])
    # below every reference value, the dry days, then the wet ones
    assert shares(reference, edges).tolist() == pytest.approx([0, 0.6, 0.1, 0.1, 0.1, 0.1])
    assert psi(reference, reference, 10) == 0


def test_constant_reference_gives_two_bins_below_and_from_it():
    assert quantile_edges(np.zeros(10), 10).tolist() == [0.0]
    assert psi(np.zeros(10), np.zeros(5), 10) == 0
    assert psi(np.zeros(10), np.full(5, -1.0), 10) > 1  # below anything seen


def test_categorical_psi_by_hand():
    reference = np.array([0, 0, 1, 1])
    current = np.array([0, 0, 0, 1])  # shares 0.5/0.5 -> 0.75/0.25
    assert categorical_psi(reference, current) == pytest.approx(0.25 * math.log(3))


def test_feature_drift_ks_and_thresholds():
    reference = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    current = np.array([3.0, 4.0, 5.0, 6.0])
    row = feature_drift(
        "x", reference, current, categorical=False, bins=2, psi_threshold=100, ks_threshold=0.4
    )
    assert row["reference_rows"] == 4 and row["current_rows"] == 4
    assert row["ks_statistic"] == pytest.approx(0.5)
    assert row["drifted"]  # by KS alone
    calm = feature_drift(
        "x", reference, current, categorical=False, bins=2, psi_threshold=100, ks_threshold=0.5
    )
    assert not calm["drifted"]  # 0.5 is not above 0.5


def test_feature_without_values_in_a_window_is_not_compared():
    row = feature_drift(
        "x", np.arange(5.0), np.full(3, np.nan), categorical=False, bins=2,
        psi_threshold=0.2, ks_threshold=0.3,
    )  # fmt: skip
    assert row["current_rows"] == 0 and row["psi"] is None and not row["drifted"]


# --- drift report ----------------------------------------------------------------------


def drift_of(daily: pd.DataFrame, **overrides) -> dict:
    arguments = dict(
        target="total",
        features=FEATURES,
        holdout_months=3,
        window_days=30,
        bins=5,
        psi_threshold=0.2,
        ks_threshold=0.3,
    )
    return drift_report(daily, **(arguments | overrides))


def test_drift_windows_are_the_training_period_and_the_last_days():
    daily = synthetic_daily(date(2020, 1, 1), 366)  # 2020 is a leap year: to 12-31
    make_incomplete(daily, date(2020, 12, 20))
    report = drift_of(daily)
    assert report["reference"] | {"description": None} == {
        "description": None,
        "start": "2020-01-01",
        "end": "2020-09-30",
        "days": 274,
        "usable_days": 274,
    }
    assert (report["current"]["start"], report["current"]["end"]) == ("2020-12-02", "2020-12-31")
    assert report["current"]["days"] == 30 and report["current"]["usable_days"] == 29
    rows = {row["feature"]: row for row in report["features"]}
    assert list(rows) == [name for name in FEATURES.columns if name != "year"] + ["total"]
    assert rows["total"]["kind"] == "target" and rows["total"]["current_rows"] == 29
    assert rows["tmax_c"]["current_rows"] == 30  # features on every day, target on usable ones
    assert rows["weekday"]["kind"] == "categorical"
    assert report["not_compared"][0]["feature"] == "year"
    assert report["drifted"] == [name for name, row in rows.items() if row["drifted"]]


def test_drift_sees_a_shifted_target_and_not_a_steady_feature():
    daily = synthetic_daily(date(2020, 1, 1), 366)
    daily["precipitation_mm"] = np.tile([0.0, 1.0, 2.0, 5.0, 0.0, 3.0], 61)
    daily["total"] = pd.array(1000 + 100 * (daily["weekday"] < 5), dtype="Int64")  # no season
    steady = drift_of(daily)
    shifted = daily.copy()
    late = shifted["date"] > date(2020, 12, 1)
    shifted.loc[late, "total"] = (shifted.loc[late, "total"] * 0.3).round().astype("Int64")
    report = drift_of(shifted)
    assert "total" in report["drifted"] and "total" not in steady["drifted"]
    rows = {row["feature"]: row for row in report["features"]}
    assert rows["total"]["ks_statistic"] > 0.9
    assert rows["precipitation_mm"]["psi"] < 0.05 and not rows["precipitation_mm"]["drifted"]
    assert rows["is_holiday"]["psi"] == 0


# --- data health -----------------------------------------------------------------------


def hourly(start: date, days: int, blank_last_hours: int = 0) -> pd.DataFrame:
    stamps = pd.date_range(
        datetime(start.year, start.month, start.day), periods=24 * days, freq="h"
    )
    counts = pd.array(np.arange(len(stamps)) % 50, dtype="Int64")
    table = pd.DataFrame(
        {
            "timestamp": stamps,
            "date": stamps.date,
            "hour": stamps.hour,
            "total": counts,
            "west": counts,
            "east": counts,
        }
    )
    if blank_last_hours:
        table.loc[table.index[-blank_last_hours:], ["total", "west", "east"]] = pd.NA
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


def test_a_source_without_observations_is_stale():
    counts = hourly(date(2021, 1, 1), 2, blank_last_hours=48)
    report = health_report(
        counts, weather(date(2021, 1, 1), 2), synthetic_daily(date(2021, 1, 1), 2), 45
    )
    assert report["sources"][0]["last"] is None and report["stale_sources"] == ["counts"]


# --- worst days ------------------------------------------------------------------------


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
    table = worst_days(predictions, daily, count=3)
    assert list(table.columns) == WORST_DAY_COLUMNS
    # |errors| 10, 50, 50, 0, 19.75: the tie goes to the earlier day
    assert table["date"].tolist() == ["2021-01-02", "2021-01-03", "2021-01-05"]
    assert table["error"].tolist() == [-50.0, 50.0, -19.8]
    assert table["abs_error"].tolist() == [50.0, 50.0, 19.8]
    assert table["actual"].tolist() == [200, 300, 500]
    assert table.loc[0, "tmax_c"] == daily.loc[1, "tmax_c"]
    assert table["complete"].all() and (table["counter_issue"] == "").all()
    assert worst_days(predictions, daily, count=10)["holiday"].tolist()[-1] == "Someday"
