"""bikeflow.drift: KS and PSI by hand, like-for-like windows (the season is not drift), and
the monitor backtested."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from support.daily_frames import FEATURES, synthetic_daily
from support.drift_frames import SETTINGS, drift_of, settings, summary_of, three_years

from bikeflow.drift import (
    BACKTEST_COLUMNS,
    PSI_EPSILON,
    Column,
    DriftSettings,
    categorical_psi,
    compare,
    drift_backtest,
    drift_report,
    psi,
    quantile_edges,
    shares,
    windows,
)
from bikeflow.features import Features


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


def numeric(name: str = "x") -> Column:
    return Column(name, "weather", np.array([]), window_days=30)


def test_compare_gives_ks_psi_means_and_which_threshold_was_crossed():
    reference = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    current = np.array([3.0, 4.0, 5.0, 6.0])
    row = compare(
        numeric(), reference, current, settings(bins=2, psi_threshold=100, ks_threshold=0.4)
    )
    assert row["reference_rows"] == 4 and row["current_rows"] == 4
    assert row["ks_statistic"] == pytest.approx(0.5)
    assert (row["reference_mean"], row["current_mean"]) == (2.5, 4.5)
    assert row["ks_exceeded"] and not row["psi_exceeded"]
    assert not row["drifted"]  # "both": the PSI is within its threshold
    either = compare(
        numeric(),
        reference,
        current,
        settings(bins=2, psi_threshold=100, ks_threshold=0.4, alarm_on="either"),
    )
    assert either["drifted"]  # by KS alone
    calm = compare(
        numeric(),
        reference,
        current,
        settings(bins=2, psi_threshold=100, ks_threshold=0.5, alarm_on="either"),
    )
    assert not calm["drifted"]  # 0.5 is not above 0.5
    both = compare(
        numeric(), reference, current, settings(bins=2, psi_threshold=0.1, ks_threshold=0.4)
    )
    assert both["psi_exceeded"] and both["ks_exceeded"] and both["drifted"]


def test_a_statistic_at_its_threshold_is_not_above_it_whatever_the_rounding():
    reference = np.arange(10.0)
    current = np.arange(3.0, 13.0)  # KS: 3 of 10 values beyond the reference
    for threshold in (0.3, 0.7 - 0.4, 1 - 0.7):  # 0.3, 0.29999999999999993, 0.30000000000000004
        row = compare(
            numeric(),
            reference,
            current,
            settings(ks_threshold=threshold, alarm_on="either", psi_threshold=100),
        )
        assert row["ks_statistic"] == pytest.approx(0.3)
        assert not row["ks_exceeded"] and not row["drifted"]


def test_compare_names_the_category_whose_share_moved_most():
    column = Column("is_holiday", "calendar", np.array([]), 30, categories=(False, True))
    row = compare(column, np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 1.0]), SETTINGS)
    assert row["kind"] == "categorical" and "reference_mean" not in row
    assert (row["category"], row["reference_share"], row["current_share"]) == ("False", 0.75, 0.25)


def test_column_without_values_in_a_window_is_not_compared():
    row = compare(numeric(), np.arange(5.0), np.full(3, np.nan), SETTINGS)
    assert row["current_rows"] == 0 and row["psi"] is None and not row["drifted"]


def test_an_unknown_alarm_rule_is_refused():
    config = {
        "window_days": 90,
        "reference_years": 4,
        "psi_bins": 10,
        "psi_threshold": 0.2,
        "ks_threshold": 0.3,
        "alarm_on": "majority",
    }
    with pytest.raises(ValueError, match="alarm_on must be one of"):
        DriftSettings.from_config(config)


def test_windows_are_the_same_calendar_days_of_the_years_before():
    dates = pd.Series(pd.date_range("2018-06-01", "2021-03-31"))
    window = windows(dates, pd.Timestamp("2021-03-31"), days=10, years=4)
    assert window.describe() == {
        "days": 10,
        "current": {"start": "2021-03-22", "end": "2021-03-31"},
        # 2018's window is before the table's first day: left out, not cut short
        "reference": [
            {"year": 2019, "start": "2019-03-22", "end": "2019-03-31"},
            {"year": 2020, "start": "2020-03-22", "end": "2020-03-31"},
        ],
    }
    assert window.current_mask.sum() == 10 and window.reference_mask.sum() == 20
    assert not (window.current_mask & window.reference_mask).any()


def test_a_leap_day_window_ends_on_the_28th_a_year_before():
    dates = pd.Series(pd.date_range("2018-01-01", "2020-02-29"))
    window = windows(dates, pd.Timestamp("2020-02-29"), days=7, years=1)
    assert window.describe()["reference"] == [
        {"year": 2019, "start": "2019-02-22", "end": "2019-02-28"}
    ]


def test_the_season_is_not_drift():
    daily = three_years()
    report = drift_of(daily)
    # autumn has shorter, colder days than the year on average, but not than earlier autumns
    assert report["drifted"] == []
    rows = {row["feature"]: row for row in report["features"]}
    assert rows["daylight_hours"]["psi"] < 0.05 and rows["tmax_c"]["ks_statistic"] < 0.1
    assert report["window"] == {
        "days": 30,
        "current": {"start": "2020-12-02", "end": "2020-12-31"},
        "reference": [
            {"year": 2018, "start": "2018-12-02", "end": "2018-12-31"},
            {"year": 2019, "start": "2019-12-02", "end": "2019-12-31"},
        ],
    }


def test_a_real_change_is_drift_with_the_numbers_behind_it():
    daily = three_years()
    late = daily["date"] >= date(2020, 12, 1)
    daily.loc[late, "total"] = (daily.loc[late, "total"] * 0.3).round().astype("Int64")
    daily.loc[late, "tmax_c"] += 10  # a December heat wave
    report = drift_of(daily)
    # the counts are not an input: their change is the live-error alarm's to judge
    assert report["drifted"] == ["tmax_c"]
    rows = {row["feature"]: row for row in report["features"]}
    heat = rows["tmax_c"]
    assert heat["current_mean"] - heat["reference_mean"] == pytest.approx(10, abs=1)
    assert heat["psi_exceeded"] and heat["ks_exceeded"] and heat["group"] == "weather"
    assert "total" not in rows


def test_derived_features_are_not_compared_and_say_why():
    features = Features(("tmax_c",), ("day_of_year",), ("latest_count",), ("weekday",))
    report = drift_report(three_years(), features=features, settings=SETTINGS)
    assert [row["feature"] for row in report["features"]] == ["tmax_c", "weekday"]
    assert [row["group"] for row in report["features"]] == ["weather", "categorical"]
    reasons = {row["feature"]: row["reason"] for row in report["not_compared"]}
    assert reasons["day_of_year"].startswith("counts time")
    assert "earlier days" in reasons["latest_count"]


def test_a_history_shorter_than_a_year_checks_nothing_and_says_so():
    report = drift_of(synthetic_daily(date(2020, 1, 1), 300))
    assert report["features"] == [] and report["drifted"] == []
    assert {row["feature"] for row in report["without_reference"]} == {
        "tmax_c",
        "precipitation_mm",
        "daylight_hours",
        "weekday",
        "is_holiday",
    }
    assert report["window"]["reference"] == []


def test_backtest_checks_every_month_end_with_a_reference_year():
    daily = three_years()
    alarms = drift_backtest(daily, features=FEATURES, settings=SETTINGS)
    assert list(alarms.columns) == BACKTEST_COLUMNS
    months = alarms["month_end"].unique().tolist()
    # the 30-day window has a reference year from 2019-01-31 (2018-01-02 .. 01-31)
    assert months[0] == "2019-01-31" and months[-1] == "2020-12-31" and len(months) == 24
    assert alarms.loc[alarms["month_end"] == "2019-06-30", "reference_years"].tolist() == [1] * 5
    assert alarms.loc[alarms["month_end"] == "2020-06-30", "reference_years"].tolist() == [2] * 5
    assert not alarms["drifted"].any()  # the same seasons every year: no alarm anywhere


def test_backtest_measures_false_alarms_on_every_compared_feature():
    daily = three_years()
    stormy = (daily["date"] >= date(2019, 7, 10)) & (daily["date"] <= date(2019, 7, 31))
    daily.loc[stormy, "precipitation_mm"] = 30.0  # a wet July nobody could prevent
    daily.loc[daily["date"] >= date(2019, 11, 1), "is_holiday"] = True  # a calendar glitch
    alarms = drift_backtest(daily, features=FEATURES, settings=SETTINGS)
    summary = summary_of(alarms)
    assert summary["month_ends"] == {"count": 24, "first": "2019-01-31", "last": "2020-12-31"}
    quiet = summary["quiet_period"]
    assert quiet["features"] == sorted(
        ["tmax_c", "precipitation_mm", "daylight_hours", "weekday", "is_holiday"]
    )
    assert quiet["month_ends"] == 12 and quiet["alarm_month_ends"] == 3
    assert quiet["false_alarm_rate"] == pytest.approx(3 / 12)
    assert quiet["alarms"] == [
        {"month_end": "2019-07-31", "features": ["precipitation_mm"]},
        {"month_end": "2019-11-30", "features": ["is_holiday"]},
        {"month_end": "2019-12-31", "features": ["is_holiday"]},
    ]
    by_year = summary["alarms_by_year"]
    assert by_year["years"] == [2019, 2020] and by_year["month_ends"] == [12, 12]
    # a year later the wet July is in the reference, and a normal July looks dry against it
    assert by_year["features"]["precipitation_mm"] == [1, 1]


def test_backtest_of_a_short_history_is_empty_and_says_so():
    alarms = drift_backtest(
        synthetic_daily(date(2020, 1, 1), 300), features=FEATURES, settings=SETTINGS
    )
    assert alarms.empty and list(alarms.columns) == BACKTEST_COLUMNS
    summary = summary_of(alarms)
    assert summary["month_ends"]["count"] == 0 and "less than a year" in summary["note"]
    assert summary["quiet_period"]["false_alarm_rate"] is None
    assert summary["alarms_by_year"] == {"years": [], "month_ends": [], "features": {}}
