"""bikeflow.features: what a forecast issued on a day may know (history as of the last
published count, weather only where published), usable days, baselines, scores."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from support.daily_frames import SETTINGS, at, make_incomplete, synthetic_daily

from bikeflow.features import (
    Days,
    Features,
    ModelSettings,
    baseline_forecasts,
    feature_frame,
    history_features,
    history_kind,
    level_of,
    scores,
    usable,
)

HISTORY = (
    "lead_days",
    "latest_count",
    "recent_mean_7_days",
    "same_weekday_mean_4_weeks",
    "same_weekday_tmax_c",
    "same_weekday_precipitation_mm",
)


def counted_days(days: int) -> pd.DataFrame:
    """Days from Friday 2021-01-01 whose total is 100 + the day's number (easy to check)."""
    daily = synthetic_daily(date(2021, 1, 1), days)
    daily["total"] = pd.array(range(100, 100 + days), dtype="Int64")
    daily["tmax_c"] = np.arange(days, dtype=float)
    daily["precipitation_mm"] = np.arange(days, dtype=float) / 10
    return daily


def pairs(last: str, *dates: str, weather_until: str | None = None) -> pd.DataFrame:
    """Forecasts of `dates` issued knowing the counts up to `last`."""
    days = pd.to_datetime(list(dates))
    frame = pd.DataFrame({"date": days, "last_count_day": pd.Timestamp(last)})
    frame["last_weather_day"] = pd.Timestamp(weather_until or dates[-1])
    frame["issue_date"] = frame["last_weather_day"]
    frame["lead_days"] = (frame["date"] - frame["last_count_day"]).dt.days
    return frame


def test_history_features_by_hand():
    daily = counted_days(40)  # 2021-01-01 (Friday, day 0) .. 02-09
    make_incomplete(daily, date(2021, 1, 22))  # a Friday, day 21
    daily.loc[at(daily, date(2021, 1, 15)), "counter_issue"] = "outage"  # Friday, day 14
    days = Days.from_daily(daily, SETTINGS)
    # Issued knowing the counts up to Thursday 02-04 (day 34), for Friday 02-05 and 02-12
    # (lead 1 and 8): the same-weekday days are the Fridays on or before 02-04.
    history = history_features(days, pairs("2021-02-04", "2021-02-05", "2021-02-12"), HISTORY)
    assert history["lead_days"].tolist() == [1, 8]
    assert history["latest_count"].tolist() == [134, 134]
    assert history["recent_mean_7_days"][0] == pytest.approx(np.mean(range(128, 135)))
    # Fridays 01-29, 01-22 (incomplete), 01-15 (a curated problem), 01-08: known 128 and 107,
    # and the weather of those two days only.
    assert history["same_weekday_mean_4_weeks"][0] == pytest.approx((128 + 107) / 2)
    assert history["same_weekday_tmax_c"][0] == pytest.approx((28 + 7) / 2)
    assert history["same_weekday_precipitation_mm"][0] == pytest.approx((2.8 + 0.7) / 2)
    # A week further ahead starts from the same last Friday known: the same features.
    assert history["same_weekday_mean_4_weeks"][1] == history["same_weekday_mean_4_weeks"][0]


def test_history_reads_nothing_after_the_last_published_count():
    daily = counted_days(60)
    days = Days.from_daily(daily, SETTINGS)
    issued = pairs("2021-02-10", "2021-02-11", "2021-02-20", "2021-03-01")
    before = history_features(days, issued, HISTORY)
    later = daily["date"] > date(2021, 2, 10)
    changed = daily.copy()
    changed.loc[later, "total"] = pd.array([9999] * int(later.sum()), dtype="Int64")
    changed.loc[later, ["tmax_c", "precipitation_mm"]] = 99.0
    after = history_features(Days.from_daily(changed, SETTINGS), issued, HISTORY)
    for name in HISTORY:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    # ... while the last published day does count
    changed.loc[at(changed, date(2021, 2, 10)), "total"] = 0
    assert history_features(Days.from_daily(changed, SETTINGS), issued, ["latest_count"])[
        "latest_count"
    ].tolist() == [0, 0, 0]


def test_snowy_days_are_left_out_of_the_history():
    daily = counted_days(30)
    daily.loc[at(daily, date(2021, 1, 29)), "snow_depth_mm"] = 50.0  # the last Friday
    days = Days.from_daily(daily, SETTINGS)
    history = history_features(days, pairs("2021-01-29", "2021-02-05"), HISTORY)
    assert math.isnan(history["latest_count"][0])
    assert history["same_weekday_mean_4_weeks"][0] == pytest.approx((121 + 114 + 107) / 3)
    assert days.table["target"].notna().all()  # still a usable day to learn from


def test_weather_is_missing_after_the_last_published_weather_day_and_the_calendar_is_not():
    daily = counted_days(40)
    days = Days.from_daily(daily, SETTINGS)
    issued = pairs("2021-01-31", "2021-02-02", "2021-02-03", weather_until="2021-02-02")
    frame = feature_frame(days, issued, SETTINGS.features)
    assert list(frame.columns) == SETTINGS.features.columns
    assert frame["tmax_c"].tolist()[0] == 32.0
    assert math.isnan(frame["tmax_c"].tolist()[1])
    assert frame["day_of_year"].tolist() == [33.0, 34.0]
    assert frame["weekday"].tolist() == [1, 2]  # 2021-02-02 is a Tuesday
    assert frame["daylight_hours"].notna().all()


def test_feature_frame_names_an_unknown_feature():
    days = Days.from_daily(counted_days(10), SETTINGS)
    with pytest.raises(ValueError, match="'humidity'"):
        feature_frame(days, pairs("2021-01-05", "2021-01-06"), Features(("humidity",), (), (), ()))


@pytest.mark.parametrize(
    "name, kind",
    [
        ("lead_days", ("lead", None)),
        ("recent_mean_28_days", ("recent", 28)),
        ("same_weekday_mean_8_weeks", ("same_weekday", 8)),
        ("same_weekday_tmax_c", ("same_weekday_weather", "tmax_c")),
    ],
)
def test_history_feature_names_say_what_they_compute(name, kind):
    assert history_kind(name) == kind


def test_settings_refuse_an_unknown_history_feature_and_a_level_that_is_not_one():
    config = {
        "target": "total",
        "features": {
            "weather": [],
            "calendar": [],
            "history": ["lead_days", "latest_count"],
            "categorical": [],
        },
        "level": "latest_count",
        "history_excludes": [],
        "recency_half_life_days": 365,
        "lead_samples": 1,
        "random_state": 0,
        "regressor": {},
    }
    assert ModelSettings.from_config(config).level_columns == ("latest_count",)
    with pytest.raises(ValueError, match="'humidity_trend' is not a history feature"):
        ModelSettings.from_config(
            config | {"features": config["features"] | {"history": ["humidity_trend"]}}
        )
    with pytest.raises(ValueError, match="model.level 'lead_days'"):
        ModelSettings.from_config(config | {"level": "lead_days"})


def test_the_level_falls_back_when_the_first_is_unknown():
    X = pd.DataFrame({"a": [1.0, np.nan, np.nan], "b": [5.0, 6.0, np.nan]})
    level = level_of(X, ["a", "b"])
    assert level[:2].tolist() == [1.0, 6.0]
    assert math.isnan(level[2])


def test_usable_days_are_complete_without_issue_and_with_a_target():
    daily = synthetic_daily(date(2021, 1, 1), 4)
    make_incomplete(daily, date(2021, 1, 2))
    daily.loc[2, "counter_issue"] = "sensor dropout"
    daily.loc[3, "precipitation_mm"] = np.nan  # missing weather is fine
    assert usable(daily, "total").tolist() == [True, False, False, True]


def test_baselines_know_what_the_model_knows():
    daily = counted_days(70)  # 2021-01-01 .. 03-11
    make_incomplete(daily, date(2021, 2, 26))  # the last Friday before the issue
    days = Days.from_daily(daily, SETTINGS)
    # Counts known up to Sunday 02-28; forecasts for Friday 03-05 and Monday 03-08.
    forecast = baseline_forecasts(
        days, pairs("2021-02-28", "2021-03-05", "2021-03-08"), pd.Timestamp("2021-02-28")
    )
    assert forecast["latest_day"].tolist() == [158, 158]  # Sunday 02-28 (day 58)
    # the latest known Friday is 02-19 (02-26 is incomplete); the latest Monday 02-22
    assert forecast["same_weekday_latest"].tolist() == [149, 152]
    assert np.isnan(forecast["seasonal_mean"]).all()  # no March day is known by 02-28


def test_seasonal_mean_is_the_training_mean_of_month_and_weekday():
    daily = counted_days(45)  # 2021-01-01 .. 02-14
    days = Days.from_daily(daily, SETTINGS)
    forecast = baseline_forecasts(
        days, pairs("2021-02-10", "2021-02-12"), pd.Timestamp("2021-02-10")
    )
    # Fridays up to 02-10 in February: 02-05 (day 35) only
    assert forecast["seasonal_mean"].tolist() == [135.0]


def test_scores_by_hand():
    result = scores([10, 20, 30], [12, 18, 30])
    assert result["mae"] == pytest.approx(4 / 3)
    assert result["rmse"] == pytest.approx(math.sqrt(8 / 3))
    assert result["r2"] == pytest.approx(1 - 8 / 200)


def test_r2_of_constant_actuals_is_nan_not_an_error():
    assert math.isnan(scores([5, 5], [4, 6])["r2"])
    with pytest.raises(ValueError, match="no rows"):
        scores([], [])


def test_days_cover_every_day_between_the_first_and_the_last():
    daily = synthetic_daily(date(2021, 1, 1), 10).drop(index=[4, 5]).reset_index(drop=True)
    days = Days.from_daily(daily, SETTINGS)
    assert len(days.table) == 10
    assert days.table["target"].isna().sum() == 2
    assert days.positions(pd.Series([pd.Timestamp("2021-01-10")])).tolist() == [9]
    assert math.isnan(days.at("target", np.array([-1, 10]))[0])
    assert days.start + timedelta(days=9) == pd.Timestamp("2021-01-10")
