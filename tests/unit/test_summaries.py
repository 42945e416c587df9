"""bikeflow.summaries: the monitors in words, each sentence carrying the numbers it is about;
the summaries come from the functions that make them for the pages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bikeflow import drift, live_error
from bikeflow.live_error import LiveErrorSettings
from bikeflow.publication import SourcePublication
from bikeflow.summaries import (
    WEATHER_WORDS,
    drift_backtest,
    live_error_backtest,
    live_error_state,
    percent,
)

SETTINGS = LiveErrorSettings(window_days=30, max_ratio=2.0)
QUIET = {"start": "2019-01-01", "end": "2019-12-31"}
CHANGE = {"date": "2020-03-01", "label": "COVID-19", "description": "the pandemic"}
RULE = (
    "The live-error alarm fires when the forecasts of the last 30 days of published counts "
    "missed by more than 2 times the error expected of them when they were issued."
)


def live_backtest(first: str, ratios: dict) -> dict:
    as_of = pd.date_range(first, "2020-06-30", freq="ME").strftime("%Y-%m-%d")
    months = pd.DataFrame({"as_of": as_of, "ratio": [ratios.get(d, 1.0) for d in as_of]})
    return live_error.backtest_summary(
        months, SETTINGS, QUIET, CHANGE, SourcePublication("month", day=5)
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0833, "8.3%"), (1.0, "100.0%"), (np.float64(1 / 3), "33.3%"), (None, "n/a")],
)
def test_percent_has_one_decimal_and_says_n_a_for_nothing(value, text):
    assert percent(value) == text


def test_the_weather_words_name_both_cases():
    assert set(WEATHER_WORDS) == {"observed", "unknown"}


def test_the_live_error_backtest_in_words_with_its_false_alarms_and_its_delay():
    summary = live_backtest("2019-01-01", {"2019-07-31": 2.5, "2019-09-30": 3.0, "2020-03-31": 2.6})
    assert live_error_backtest(summary) == (
        f"{RULE} Run as of every month end of the backtest, it fired at 2 of 12 month ends in "
        "the quiet period 2019-01-01 to 2019-12-31 (16.7%) (2019-07-31, 2019-09-30). After "
        "2020-03-01 (the pandemic) it first fired for the month ending 2020-03-31, as soon as "
        "its counts were published (2020-04-05, 35 days after 2020-03-01)."
    )


def test_a_quiet_backtest_lists_no_dates_and_says_it_did_not_fire_after_the_change():
    text = live_error_backtest(live_backtest("2019-01-01", {}))
    assert (
        "it fired at 0 of 12 month ends in the quiet period 2019-01-01 to 2019-12-31 (0.0%)."
        in text
    )
    assert text.endswith("It did not fire after 2020-03-01 (the pandemic).")


def test_a_backtest_after_the_quiet_period_and_the_change_measures_neither_and_says_so():
    text = live_error_backtest(live_backtest("2020-04-01", {"2020-05-31": 9.0}))
    assert text == (
        f"{RULE} Its false alarms are not measured: the backtest has no quiet month end. Its "
        "delay after 2020-03-01 (the pandemic) is not measured: the backtest starts after it."
    )


def scored() -> pd.DataFrame:
    """Three forecasts of 1000 bicycles, 1500 off each (4500 of 1500 expected): 3 times."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-01-08", "2020-01-09", "2020-01-10"]),
            "actual": 1000.0,
            "forecast": [2500.0, 2500.0, 2500.0],
            "expected_abs_error": [500.0, 500.0, 500.0],
            "lower": [900.0, 0.0, 0.0],
            "upper": [1100.0, 10.0, 10.0],
        }
    )


@pytest.mark.parametrize(
    ("max_ratio", "verdict"), [(2.0, "**The alarm is on.**"), (4.0, "No alarm.")]
)
def test_the_live_state_in_words_with_its_numbers(max_ratio, verdict):
    settings = LiveErrorSettings(window_days=3, max_ratio=max_ratio)
    state = live_error.state(
        scored(), pd.Timestamp("2020-01-10"), settings, live_backtest("2019-01-01", {})
    )
    assert live_error_state(state) == (
        f"{verdict} The 3 published forecasts of the 3 days up to 2020-01-10 missed by 1,500 "
        "bicycles a day on average, 3.00 times the 500 expected when they were issued (the "
        f"alarm fires above {max_ratio:g}); 33.3% of the counts fell inside their intervals."
    )


def test_a_live_state_with_nothing_scored_says_why():
    state = live_error.state(
        scored(), pd.Timestamp("2021-01-31"), SETTINGS, live_backtest("2019-01-01", {})
    )
    assert live_error_state(state) == (
        "No published forecast has been scored yet: the forecasts of the 30 days up to "
        "2021-01-31 were not issued before their counts came."
    )


def drift_alarms(month_ends: list[str], drifted: dict) -> pd.DataFrame:
    """A drift backtest: two features checked at each month end, alarmed where told."""
    rows = [
        (month_end, feature, (month_end, feature) in drifted)
        for month_end in month_ends
        for feature in ("tmax_c", "total")
    ]
    return pd.DataFrame(rows, columns=["month_end", "feature", "drifted"])


def test_the_drift_backtest_in_words():
    month_ends = pd.date_range("2019-01-01", "2020-06-30", freq="ME").strftime("%Y-%m-%d")
    alarms = drift_alarms(list(month_ends), {("2019-07-31", "tmax_c"), ("2019-07-31", "total")})
    summary = drift.backtest_summary(alarms, quiet_period=QUIET)
    assert drift_backtest(summary) == (
        "The drift check, run as of each of the 18 month ends from 2019-01-31 to 2020-06-30, "
        "alarmed on some feature at 1 of the 12 month ends of the quiet period 2019-01-01 to "
        "2019-12-31 (8.3%), counting every compared feature (`tmax_c`, `total`): every alarm "
        "there is a false one."
    )


def test_a_drift_backtest_without_a_quiet_month_end_says_so():
    alarms = drift_alarms(["2020-04-30", "2020-05-31"], set())
    summary = drift.backtest_summary(alarms, quiet_period=QUIET)
    assert drift_backtest(summary) == (
        "The drift check, run as of each of the 2 month ends from 2020-04-30 to 2020-05-31, has "
        "no month end in its quiet period: No month end of this period has a reference year in "
        "the data."
    )


def test_a_drift_check_that_could_not_be_backtested_says_why():
    empty = drift_alarms([], set()).astype({"drifted": bool})
    summary = drift.backtest_summary(empty, quiet_period=QUIET)
    assert drift_backtest(summary) == (f"The drift check is not backtested yet: {summary['note']}")
    assert "less than a year" in summary["note"]
