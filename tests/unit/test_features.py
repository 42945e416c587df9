"""bikeflow.features: the feature frame, history features, usable days, the split, baselines,
scores."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from support.daily_frames import (
    FEATURES,
    at,
    make_incomplete,
    synthetic_daily,
)

from bikeflow.features import (
    HISTORY_FEATURES,
    Features,
    feature_frame,
    history_features,
    holdout_start,
    latest_day,
    same_weekday_last_week,
    scores,
    seasonal_mean,
    time_split,
    usable,
)


def test_feature_frame_derives_year_and_keeps_missing_weather_as_nan():
    daily = synthetic_daily(date(2020, 12, 30), 4)
    daily.loc[1, "tmax_c"] = np.nan
    frame = feature_frame(daily, FEATURES, target="total", horizon_days=1)
    assert list(frame.columns) == [*FEATURES.numeric, *FEATURES.categorical]
    assert frame["year"].tolist() == [2020, 2020, 2021, 2021]
    assert frame["year"].dtype == float
    assert math.isnan(frame.loc[1, "tmax_c"])
    assert frame["weekday"].tolist() == [2, 3, 4, 5]  # 2020-12-30 is a Wednesday
    assert frame["is_holiday"].dtype == bool


def test_feature_frame_names_an_unknown_feature():
    with pytest.raises(ValueError, match="'humidity'"):
        feature_frame(
            synthetic_daily(date(2021, 1, 1), 3),
            Features(("humidity",), ()),
            target="total",
            horizon_days=1,
        )


def counted_days(days: int) -> pd.DataFrame:
    """Days from Friday 2021-01-01 whose total is 100 + the day's number (easy to check)."""
    daily = synthetic_daily(date(2021, 1, 1), days)
    daily["total"] = pd.array(range(100, 100 + days), dtype="Int64")
    daily["tmax_c"] = np.arange(days, dtype=float)
    daily["precipitation_mm"] = np.arange(days, dtype=float) / 10
    return daily


def test_history_features_by_hand():
    daily = counted_days(36)  # 2021-01-01 .. 02-05
    make_incomplete(daily, date(2021, 1, 22))  # a Friday, day 21
    daily.loc[at(daily, date(2021, 1, 29)), "counter_issue"] = "outage"  # Friday, day 28
    history = history_features(daily, "total", horizon_days=1)
    friday = at(daily, date(2021, 2, 5))  # day 35; Fridays before: days 28, 21, 14, 7
    assert history["latest_count"][friday] == 134  # Thursday 02-04
    assert history["recent_mean_7_days"][friday] == pytest.approx(np.mean(range(129, 135)))
    # the Fridays 01-22 (incomplete) and 01-29 (a curated problem) are unknown counts,
    # and their weather is left out of the same-weekday weather with them
    assert history["same_weekday_mean_4_weeks"][friday] == pytest.approx((114 + 107) / 2)
    assert history["same_weekday_tmax_4_weeks"][friday] == pytest.approx((14 + 7) / 2)
    assert history["same_weekday_precipitation_4_weeks"][friday] == pytest.approx(2.1 / 2)
    assert history["latest_precipitation"][friday] == pytest.approx(3.4)
    saturday = at(daily, date(2021, 1, 30))  # the day after the outage: no latest count
    assert math.isnan(history["latest_count"][saturday])
    assert history["recent_mean_7_days"][saturday] == pytest.approx(np.mean(range(122, 128)))
    assert math.isnan(history["same_weekday_mean_4_weeks"][0])  # nothing known before day 0


def test_recent_mean_skips_unknown_days():
    daily = counted_days(10)
    make_incomplete(daily, date(2021, 1, 8))
    history = history_features(daily, "total", horizon_days=1)
    # day 9 (01-10): the 7 days 01-03 .. 01-09 less the incomplete 01-08
    assert history["recent_mean_7_days"][9] == pytest.approx(
        np.mean([102, 103, 104, 105, 106, 108])
    )


@pytest.mark.parametrize("horizon", [1, 3, 7])
def test_history_features_use_nothing_from_within_the_horizon(horizon: int):
    daily = synthetic_daily(date(2021, 1, 1), 60)
    day = date(2021, 2, 20)
    before = history_features(daily, "total", horizon)
    changed = daily.copy()
    late = changed["date"] > day - timedelta(days=horizon)  # the day itself and the horizon
    changed.loc[late, "total"] = pd.array([9999] * int(late.sum()), dtype="Int64")
    changed.loc[late, ["tmax_c", "precipitation_mm"]] = 99.0
    after = history_features(changed, "total", horizon)
    for name in HISTORY_FEATURES:
        assert after[name][at(daily, day)] == pytest.approx(before[name][at(daily, day)]), name
    # ... while the latest known day does count
    changed.loc[at(daily, day - timedelta(days=horizon)), "total"] = 0
    assert history_features(changed, "total", horizon)["latest_count"][at(daily, day)] == 0


@pytest.mark.parametrize("horizon", [0, 8])
def test_a_horizon_beyond_a_week_is_refused(horizon: int):
    with pytest.raises(ValueError, match="horizon_days must be 1 to 7"):
        history_features(synthetic_daily(date(2021, 1, 1), 10), "total", horizon)


def test_history_features_reach_the_feature_frame():
    daily = counted_days(10)
    features = Features(("tmax_c", "latest_count"), ("weekday",))
    frame = feature_frame(daily, features, target="total", horizon_days=2)
    assert frame["latest_count"].tolist()[2:5] == [100.0, 101.0, 102.0]
    assert frame["latest_count"].isna().tolist()[:2] == [True, True]


def test_usable_days_are_complete_without_issue_and_with_a_target():
    daily = synthetic_daily(date(2021, 1, 1), 4)
    make_incomplete(daily, date(2021, 1, 2))
    daily.loc[2, "counter_issue"] = "sensor dropout"
    daily.loc[3, "precipitation_mm"] = np.nan  # missing weather is fine
    assert usable(daily, "total").tolist() == [True, False, False, True]


@pytest.mark.parametrize(
    ("last", "months", "start"),
    [
        (date(2021, 12, 31), 12, pd.Timestamp("2021-01-01")),
        (date(2021, 3, 20), 1, pd.Timestamp("2021-02-21")),
        (date(2020, 3, 31), 1, pd.Timestamp("2020-03-01")),
    ],
)
def test_holdout_start_is_months_before_the_day_after_the_last(last, months, start):
    dates = pd.Series(pd.to_datetime([date(2019, 1, 1), last]))
    assert holdout_start(dates, months) == start


def test_time_split_trains_on_usable_days_before_the_holdout_only():
    daily = synthetic_daily(date(2021, 1, 1), 59)  # to 2021-02-28
    make_incomplete(daily, date(2021, 1, 10))
    make_incomplete(daily, date(2021, 2, 10))
    split = time_split(daily, "total", 1)
    assert split.start == pd.Timestamp("2021-02-01")
    assert split.train.sum() == 30 and not split.train[at(daily, date(2021, 1, 10))]
    assert split.holdout.sum() == 27 and not split.holdout[at(daily, date(2021, 2, 10))]
    assert not (split.train & split.holdout).any()


def test_same_weekday_last_week_reads_the_count_seven_days_earlier():
    daily = synthetic_daily(date(2021, 1, 1), 21)
    daily["total"] = pd.array(range(100, 121), dtype="Int64")
    make_incomplete(daily, date(2021, 1, 5))
    daily.loc[at(daily, date(2021, 1, 6)), "counter_issue"] = "outage"
    rows = pd.Series(daily["date"] >= date(2021, 1, 8), index=daily.index)
    lag = same_weekday_last_week(daily, "total", rows)
    assert list(lag.index) == list(daily.index[rows])
    assert lag[at(daily, date(2021, 1, 8))] == 100  # 2021-01-01
    assert lag[at(daily, date(2021, 1, 11))] == 103
    assert math.isnan(lag[at(daily, date(2021, 1, 12))])  # 01-05 incomplete
    assert math.isnan(lag[at(daily, date(2021, 1, 13))])  # 01-06 a counter issue
    assert lag[at(daily, date(2021, 1, 21))] == 113


def test_same_weekday_last_week_uses_dates_not_row_positions():
    daily = synthetic_daily(date(2021, 1, 1), 14).drop(index=[2]).reset_index(drop=True)
    rows = pd.Series(daily["date"] >= date(2021, 1, 10), index=daily.index)
    lag = same_weekday_last_week(daily, "total", rows)
    assert math.isnan(lag[at(daily, date(2021, 1, 10))])  # 01-03 is not in the table
    assert lag[at(daily, date(2021, 1, 11))] == daily.loc[at(daily, date(2021, 1, 4)), "total"]


def test_latest_day_is_the_count_known_at_the_horizon():
    daily = counted_days(10)
    make_incomplete(daily, date(2021, 1, 4))
    rows = pd.Series(daily["date"] >= date(2021, 1, 5), index=daily.index)
    next_day = latest_day(daily, "total", rows, horizon_days=1)
    assert list(next_day.index) == list(daily.index[rows])
    assert math.isnan(next_day[at(daily, date(2021, 1, 5))])  # 01-04 incomplete
    assert next_day[at(daily, date(2021, 1, 6))] == 104
    two_days = latest_day(daily, "total", rows, horizon_days=2)
    assert two_days[at(daily, date(2021, 1, 5))] == 102
    assert math.isnan(two_days[at(daily, date(2021, 1, 6))])


def test_seasonal_mean_is_the_training_mean_of_month_and_weekday():
    daily = synthetic_daily(date(2021, 1, 4), 28)  # Monday 2021-01-04 to Sunday 01-31
    daily["total"] = pd.array(range(28), dtype="Int64")
    train = pd.Series(daily["date"] < date(2021, 1, 25), index=daily.index)
    rows = ~train
    mean = seasonal_mean(daily, "total", train, rows)
    # Mondays in training: 01-04, 01-11, 01-18 -> totals 0, 7, 14
    assert mean[at(daily, date(2021, 1, 25))] == pytest.approx(7.0)
    # Sundays: 01-10, 01-17, 01-24 -> 6, 13, 20
    assert mean[at(daily, date(2021, 1, 31))] == pytest.approx(13.0)


def test_seasonal_mean_of_an_unseen_month_is_missing():
    daily = synthetic_daily(date(2021, 1, 25), 14)
    train = pd.Series(daily["date"] < date(2021, 2, 1), index=daily.index)
    mean = seasonal_mean(daily, "total", train, ~train)
    assert mean.isna().all()


def test_scores_by_hand():
    result = scores([1, 2, 3, 4], [2, 2, 2, 6])  # errors 1, 0, -1, 2
    assert result["mae"] == pytest.approx(1.0)
    assert result["rmse"] == pytest.approx(math.sqrt(6 / 4))
    assert result["r2"] == pytest.approx(1 - 6 / 5)


def test_r2_of_constant_actuals_is_nan_not_an_error():
    assert math.isnan(scores([3, 3], [3, 4])["r2"])
