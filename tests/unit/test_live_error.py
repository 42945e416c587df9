"""bikeflow.live_error: the live error of a window of forecasts against the error expected of
them, the alarm strictly above its threshold, and the alarm backtested: false alarms in the
quiet period, the delay after a known change counted to the day its counts were published."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bikeflow.live_error import (
    TIMELINE_COLUMNS,
    LiveErrorSettings,
    alarming,
    backtest_summary,
    first_run_knowing,
    state,
    timeline,
    window,
)
from bikeflow.publication import SourcePublication

MONTHLY = SourcePublication("month", day=5)  # the config's counts
SETTINGS = LiveErrorSettings(window_days=30, max_ratio=2.0)
QUIET = {"start": "2019-01-01", "end": "2019-12-31"}
CHANGE = {"date": "2020-03-01", "label": "COVID-19", "description": "the pandemic"}


def scored() -> pd.DataFrame:
    """Forecasts of 7..11 January 2020; a window of 3 days up to the 10th holds three.

    day     actual forecast expected interval  error
    01-07      100     1000       10  0..2000    900  (before the window)
    01-08      100      110       10  90..120     10  inside
    01-09      100      120       10  105..130    20  outside
    01-10      100       70       10  60..120     30  inside
    01-10      100      500      NaN  0..1000    400  (not calibrated)
    01-11      100     1000       10  0..2000    900  (after the window)
    """
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2020-01-07", "2020-01-08", "2020-01-09", "2020-01-10", "2020-01-10"]
                + ["2020-01-11"]
            ),
            "actual": 100.0,
            "forecast": [1000.0, 110.0, 120.0, 70.0, 500.0, 1000.0],
            "expected_abs_error": [10.0, 10.0, 10.0, 10.0, np.nan, 10.0],
            "lower": [0.0, 90.0, 105.0, 60.0, 0.0, 0.0],
            "upper": [2000.0, 120.0, 130.0, 120.0, 1000.0, 2000.0],
        }
    )


def test_settings_from_config():
    config = {"window_days": 30, "max_ratio": 2.0}
    assert LiveErrorSettings.from_config(config) == SETTINGS


def test_window_ratio_by_hand():
    numbers = window(scored(), pd.Timestamp("2020-01-10"), days=3)
    assert numbers == {
        "as_of": "2020-01-10",
        "forecasts": 3,
        "mae": 20.0,  # 10, 20, 30
        "expected_mae": 10.0,
        "ratio": 2.0,  # 60 / 30
        "coverage": pytest.approx(2 / 3),
    }


def test_a_window_without_a_calibrated_forecast_has_no_numbers():
    numbers = window(scored(), pd.Timestamp("2019-12-31"), days=3)
    assert numbers == {
        "as_of": "2019-12-31",
        "forecasts": 0,
        "mae": None,
        "expected_mae": None,
        "ratio": None,
        "coverage": None,
    }


def test_a_timeline_is_a_window_as_of_each_day():
    table = timeline(scored(), pd.to_datetime(["2020-01-09", "2020-01-10"]), days=3)
    assert list(table.columns) == TIMELINE_COLUMNS
    assert table["as_of"].tolist() == ["2020-01-09", "2020-01-10"]
    # as of the 9th: the 7th (900 off), the 8th and the 9th
    assert table["ratio"].tolist() == pytest.approx([930 / 30, 2.0])


@pytest.mark.parametrize(
    ("ratio", "alarm"),
    [(2.0, False), (2.0001, True), (1.5, False), (np.float64(2.5), True)]
    + [(None, False), (math.nan, False), (np.float64("nan"), False)],
)
def test_the_alarm_fires_strictly_above_the_threshold_and_never_without_a_ratio(ratio, alarm):
    assert alarming(ratio, 2.0) == alarm  # a NumPy ratio gives a NumPy bool


def month_ends(first: str, last: str, ratios: dict) -> pd.DataFrame:
    """A backtest timeline as read from its CSV: as_of as text, ratio 1 unless given."""
    as_of = pd.date_range(first, last, freq="ME").strftime("%Y-%m-%d")
    return pd.DataFrame({"as_of": as_of, "ratio": [ratios.get(day, 1.0) for day in as_of]})


def test_backtest_summary_counts_quiet_false_alarms_and_the_delay_to_publication():
    months = month_ends(
        "2018-12-01",
        "2020-06-30",
        {
            "2018-12-31": np.nan,  # no calibrated forecast yet: not a month end of the alarm
            "2019-07-31": 2.5,  # a false alarm
            "2019-10-31": 2.0,  # at the threshold: no alarm
            "2020-01-31": 3.0,  # an alarm before the change, outside the quiet period
            "2020-03-31": 2.6,  # the first alarm after the change
            "2020-04-30": 4.0,
        },
    )
    summary = backtest_summary(months, SETTINGS, QUIET, CHANGE, MONTHLY)
    assert (summary["window_days"], summary["max_ratio"], summary["month_ends"]) == (30, 2.0, 18)
    quiet = summary["quiet_period"]
    assert (quiet["start"], quiet["end"]) == ("2019-01-01", "2019-12-31")
    assert (quiet["month_ends"], quiet["alarm_month_ends"]) == (12, 1)
    assert quiet["false_alarm_rate"] == pytest.approx(1 / 12)
    assert quiet["alarms"] == ["2019-07-31"]
    # March's counts are published on 5 April: 35 days after 1 March
    assert summary["known_change"] == {
        **CHANGE,
        "monitored_before": True,
        "first_alarm": "2020-03-31",
        "published": "2020-04-05",
        "days_after": 35,
    }


def test_an_alarm_that_never_fires_after_the_change_has_no_delay():
    summary = backtest_summary(
        month_ends("2019-01-01", "2020-06-30", {}), SETTINGS, QUIET, CHANGE, MONTHLY
    )
    change = summary["known_change"]
    assert change["monitored_before"] and change["first_alarm"] is None
    assert change["published"] is None and change["days_after"] is None
    assert summary["quiet_period"]["false_alarm_rate"] == 0.0


def test_a_timeline_starting_after_the_change_does_not_measure_its_delay():
    months = month_ends("2020-04-01", "2020-06-30", {"2020-04-30": 5.0})
    summary = backtest_summary(months, SETTINGS, QUIET, CHANGE, MONTHLY)
    change = summary["known_change"]
    assert not change["monitored_before"] and change["first_alarm"] is None
    quiet = summary["quiet_period"]
    assert quiet["month_ends"] == 0 and quiet["false_alarm_rate"] is None


@pytest.mark.parametrize(
    ("published", "day", "first_run"),
    [
        (MONTHLY, "2020-03-31", "2020-04-05"),
        (MONTHLY, "2020-03-01", "2020-04-05"),
        (MONTHLY, "2020-12-31", "2021-01-05"),
        (SourcePublication("day", lag_days=2), "2020-03-31", "2020-04-02"),
    ],
)
def test_the_first_run_knowing_a_days_count(published, day, first_run):
    assert first_run_knowing(pd.Timestamp(day), published) == pd.Timestamp(first_run)


def backtest() -> dict:
    months = month_ends("2019-01-01", "2020-06-30", {"2019-07-31": 2.5, "2020-03-31": 2.6})
    return backtest_summary(months, SETTINGS, QUIET, CHANGE, MONTHLY)


@pytest.mark.parametrize(("max_ratio", "alarm"), [(2.0, False), (1.9, True)])
def test_the_live_state_gives_the_windows_numbers_the_threshold_and_the_backtest(max_ratio, alarm):
    settings = LiveErrorSettings(window_days=3, max_ratio=max_ratio)
    live = state(scored(), pd.Timestamp("2020-01-10"), settings, backtest())
    assert live["ratio"] == 2.0 and live["forecasts"] == 3 and live["as_of"] == "2020-01-10"
    assert live["alarm"] is alarm
    assert (live["window_days"], live["max_ratio"]) == (3, max_ratio)
    assert live["backtest"] == {
        "false_alarm_rate": pytest.approx(1 / 12),
        "quiet_period": {
            "start": "2019-01-01",
            "end": "2019-12-31",
            "month_ends": 12,
            "alarm_month_ends": 1,
        },
        "known_change": backtest()["known_change"],
    }
    assert live["backtest"]["known_change"]["first_alarm"] == "2020-03-31"
