"""Unit tests of the model library: features (history features without leakage), split,
baselines, scores, quality gate, backtest folds, persistence, permutation importance, number
formatting and the model card.

Inputs are small synthetic daily tables in the daily table's schema; expected numbers are
computed by hand, never by the code under test.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from bikeflow.drift import BACKTEST_COLUMNS, backtest_summary
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
from bikeflow.formats import json_text, rounded, significant
from bikeflow.model import (
    FOLD_COLUMNS,
    PREDICTION_COLUMNS,
    TRUSTED_TYPES,
    backtest,
    backtest_folds,
    backtest_origins,
    fit_and_evaluate,
    fit_pipeline,
    importance_table,
    predict,
)
from bikeflow.model_card import model_card
from bikeflow.persistence import UntrustedModelError, load_model, save_model
from bikeflow.quality_gate import headline, quality_gate, sentence

FEATURES = Features(
    numeric=("daylight_hours", "tmax_c", "tmin_c", "precipitation_mm", "year"),
    categorical=("weekday", "is_holiday"),
)
# Small and quick; the shape of the config's `model.regressor`.
REGRESSOR = {
    "max_iter": 30,
    "learning_rate": 0.2,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 5,
    "l2_regularization": 0.0,
}


def synthetic_daily(start: date, days: int) -> pd.DataFrame:
    """A daily table in the real schema; the count follows weekday and temperature."""
    dates = [start + timedelta(days=n) for n in range(days)]
    n = np.arange(days)
    tmax = 12 + 8 * np.sin(2 * np.pi * n / 365) + (n * 7 % 5)
    precipitation = np.where(n % 3 == 0, (n % 7) * 1.5, 0.0)
    weekday = np.array([day.weekday() for day in dates], dtype="int32")
    total = (1000 + 800 * (weekday < 5) + 60 * tmax - 40 * precipitation).round().astype(int)
    west = total // 2
    table = pd.DataFrame(
        {
            "date": dates,
            "total": pd.array(total, dtype="Int64"),
            "west": pd.array(west, dtype="Int64"),
            "east": pd.array(total - west, dtype="Int64"),
            "hours_observed": 24,
            "hours_expected": 24,
            "complete": True,
            "counter_issue": "",
            "precipitation_mm": precipitation,
            "snowfall_mm": 0.0,
            "snow_depth_mm": 0.0,
            "tmax_c": tmax,
            "tmin_c": tmax - 8,
            "wind_mean_m_s": 3.0,
            "quality_flagged": "",
            "weekday": weekday,
            "is_weekend": weekday >= 5,
            "holiday": "",
            "is_holiday": False,
            "daylight_hours": 12 + 4 * np.sin(2 * np.pi * (n - 80) / 365),
        }
    )
    return table


def at(table: pd.DataFrame, day: date) -> int:
    (row,) = table.index[table["date"] == day]
    return row


def make_incomplete(table: pd.DataFrame, day: date) -> None:
    table.loc[at(table, day), ["total", "west", "east"]] = pd.NA
    table.loc[at(table, day), "complete"] = False


@pytest.fixture(scope="module")
def two_years() -> pd.DataFrame:
    return synthetic_daily(date(2019, 1, 1), 731)  # to 2020-12-31


# --- rows and features -----------------------------------------------------------------


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


# --- baselines -------------------------------------------------------------------------


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


# --- scores and the gate ---------------------------------------------------------------


def test_scores_by_hand():
    result = scores([1, 2, 3, 4], [2, 2, 2, 6])  # errors 1, 0, -1, 2
    assert result["mae"] == pytest.approx(1.0)
    assert result["rmse"] == pytest.approx(math.sqrt(6 / 4))
    assert result["r2"] == pytest.approx(1 - 6 / 5)


def test_r2_of_constant_actuals_is_nan_not_an_error():
    assert math.isnan(scores([3, 3], [3, 4])["r2"])


def test_quality_gate_passes_against_the_best_baseline():
    gate = quality_gate(80.0, {"a": 120.0, "b": 100.0}, 0.10)
    assert gate["best_baseline"] == "b"
    assert gate["improvement"] == pytest.approx(0.2)
    assert gate["passed"] and gate["model_mae"] == 80.0 and gate["best_baseline_mae"] == 100.0
    assert headline(gate) == (
        "Quality gate passed: The model's holdout MAE (80.0) is 20.0% below the best "
        "baseline's (b, 100.0); the gate asks for at least 10% better."
    )


@pytest.mark.parametrize(("model_mae", "improvement"), [(95.0, 0.05), (130.0, -0.3)])
def test_quality_gate_fails_loudly(model_mae, improvement):
    gate = quality_gate(model_mae, {"a": 100.0, "b": 150.0}, 0.10)
    assert gate["improvement"] == pytest.approx(improvement)
    assert not gate["passed"]
    assert headline(gate).startswith("QUALITY GATE FAILED:")
    assert "(a, 100.0)" in sentence(gate) and "Do not rely" in sentence(gate)


def test_quality_gate_against_a_perfect_baseline_fails_and_says_why():
    gate = quality_gate(10.0, {"a": 0.0}, 0.10)
    assert not gate["passed"] and gate["improvement"] is None
    assert (
        sentence(gate)
        == "The best baseline (a) has an MAE of 0; the gate asks for at least 10% better."
    )


def test_quality_gate_exactly_at_the_threshold_passes():
    assert quality_gate(90.0, {"a": 100.0}, 0.10)["passed"]


# --- fit and evaluate ------------------------------------------------------------------


# The model's kind of inputs: the day's weather and calendar, and the counts known before.
FORECAST_FEATURES = Features(
    numeric=(
        "daylight_hours",
        "tmax_c",
        "precipitation_mm",
        "latest_count",
        "same_weekday_mean_4_weeks",
    ),
    categorical=("weekday", "is_holiday"),
)


def evaluate(daily: pd.DataFrame, min_improvement: float = 0.1, months: int = 3):
    return fit_and_evaluate(
        daily,
        target="total",
        features=FORECAST_FEATURES,
        horizon_days=1,
        holdout_months=months,
        regressor=REGRESSOR,
        random_state=0,
        min_improvement=min_improvement,
    )


def test_model_and_baselines_are_scored_on_the_same_rows(two_years):
    daily = two_years.copy()
    # Not scored: the day itself, the next (no latest day), a week later (no same weekday).
    make_incomplete(daily, date(2020, 10, 5))
    daily.loc[at(daily, date(2020, 11, 1)), "counter_issue"] = "Test: sensor fault"
    evaluation = evaluate(daily)
    predictions, metrics = evaluation.predictions, evaluation.metrics
    assert list(predictions.columns) == PREDICTION_COLUMNS
    assert metrics["horizon_days"] == 1
    assert metrics["holdout"]["start"] == "2020-10-01"
    assert metrics["holdout"]["end"] == "2020-12-31"
    assert metrics["holdout"]["usable_days"] == 92 - 2
    assert metrics["holdout"]["rows"] == len(predictions) == 92 - 6
    unscored = {"2020-10-05", "2020-10-06", "2020-10-12", "2020-11-01", "2020-11-02", "2020-11-08"}
    assert not unscored & set(predictions["date"])
    assert predictions.notna().all().all()
    assert metrics["training"] == {"start": "2019-01-01", "end": "2020-09-30", "rows": 639}
    actual = predictions["actual"].to_numpy()
    for name in ["model", "latest_day", "same_weekday_last_week", "seasonal_mean"]:
        errors = np.abs(predictions[name].to_numpy() - actual)
        assert metrics["scores"][name]["mae"] == pytest.approx(errors.mean())


def test_model_beats_the_baselines_on_learnable_data(two_years):
    metrics = evaluate(two_years).metrics
    gate = metrics["quality_gate"]
    assert gate["passed"]
    assert gate["model_mae"] == metrics["scores"]["model"]["mae"]
    assert gate["best_baseline_mae"] == min(
        metrics["scores"][name]["mae"]
        for name in ("latest_day", "same_weekday_last_week", "seasonal_mean")
    )
    assert gate["model_mae"] < gate["best_baseline_mae"]


def test_failed_gate_is_in_the_metrics(two_years):
    gate = evaluate(two_years, min_improvement=0.999).metrics["quality_gate"]
    assert not gate["passed"] and gate["min_improvement"] == 0.999


def test_no_training_days_is_an_error_that_says_so():
    with pytest.raises(ValueError, match="no usable days before the holdout"):
        evaluate(synthetic_daily(date(2021, 1, 1), 20), months=1)


def test_fit_is_deterministic(two_years):
    first, second = evaluate(two_years), evaluate(two_years)
    assert first.predictions.equals(second.predictions)
    assert json_text(first.metrics) == json_text(second.metrics)


# --- backtest --------------------------------------------------------------------------


def test_backtest_origins_step_by_calendar_months_while_the_fold_fits():
    last = pd.Timestamp("2020-07-10")
    assert backtest_origins("2020-01-01", 3, 10, last) == [
        pd.Timestamp("2020-01-01"),
        pd.Timestamp("2020-04-01"),
        pd.Timestamp("2020-07-01"),  # 07-01 .. 07-10 fits exactly
    ]
    assert backtest_origins("2020-01-01", 3, 11, last)[-1] == pd.Timestamp("2020-04-01")
    # month ends do not drift: 01-31, 02-29, 03-31
    assert backtest_origins("2020-01-31", 1, 1, pd.Timestamp("2020-03-31")) == [
        pd.Timestamp("2020-01-31"),
        pd.Timestamp("2020-02-29"),
        pd.Timestamp("2020-03-31"),
    ]


def test_backtest_folds_train_before_the_origin_and_skip_empty_folds():
    daily = synthetic_daily(date(2020, 1, 1), 121)  # to 2020-04-30
    daily.loc[daily["date"] >= date(2020, 3, 1), "counter_issue"] = "outage"
    daily.loc[daily["date"] >= date(2020, 4, 1), "counter_issue"] = ""
    make_incomplete(daily, date(2020, 2, 3))
    folds, skipped = backtest_folds(daily, "total", "2019-12-01", 1, 20)
    # 2019-12-01 and 2020-01-01: no training day; 2020-03-01: every test day an outage
    assert [fold.origin for fold in skipped] == [
        pd.Timestamp(day) for day in ("2019-12-01", "2020-01-01", "2020-03-01")
    ]
    assert [fold.origin for fold in folds] == [
        pd.Timestamp("2020-02-01"),
        pd.Timestamp("2020-04-01"),
    ]
    february, april = folds
    assert february.train.sum() == 31 and february.test.sum() == 19  # 02-01..02-20 less 02-03
    assert february.test_end == pd.Timestamp("2020-02-20")
    assert april.train.sum() == 31 + 28  # January and February less 02-03; March was an outage


def test_backtest_scores_each_fold_and_does_not_depend_on_threads(two_years):
    arguments = dict(
        target="total",
        features=FORECAST_FEATURES,
        horizon_days=1,
        regressor=REGRESSOR,
        random_state=0,
        first_origin="2020-01-01",
        step_months=4,
        fold_days=30,
    )
    days, folds, skipped = backtest(two_years, n_jobs=1, **arguments)
    days_parallel, folds_parallel, _ = backtest(two_years, n_jobs=2, **arguments)
    assert days.equals(days_parallel) and folds.equals(folds_parallel)
    assert skipped == []
    assert list(folds.columns) == FOLD_COLUMNS
    assert folds["origin"].tolist() == ["2020-01-01", "2020-05-01", "2020-09-01"]
    assert folds["test_end"].tolist() == ["2020-01-30", "2020-05-30", "2020-09-30"]
    assert folds["train_end"].tolist() == ["2019-12-31", "2020-04-30", "2020-08-31"]
    assert folds["rows"].tolist() == [30, 30, 30]
    assert list(days.columns) == ["origin", "date", "actual", "predicted"]
    first = days[days["origin"] == "2020-01-01"]
    errors = first["predicted"] - first["actual"]
    assert folds.loc[0, "mae"] == pytest.approx(errors.abs().mean())
    assert folds.loc[0, "bias"] == pytest.approx(errors.mean())


def test_backtest_forecasts_each_day_from_the_counts_known_the_day_before(two_years):
    """A fold's model is fixed at its origin, but each day's forecast reads the counts up
    to the day before: a jump in the counts mid-fold reaches the next day's forecast."""
    arguments = dict(
        target="total",
        features=Features(numeric=("latest_count",), categorical=()),
        horizon_days=1,
        regressor=REGRESSOR,
        random_state=0,
        first_origin="2020-06-01",
        step_months=12,
        fold_days=30,
    )
    days, _, _ = backtest(two_years, **arguments)
    changed = two_years.copy()
    changed.loc[at(changed, date(2020, 6, 15)), "total"] = 0  # a Monday: far below usual
    changed_days, _, _ = backtest(changed, **arguments)
    compare = days.merge(changed_days, on="date", suffixes=("", "_changed")).set_index("date")
    same = compare["predicted"] == compare["predicted_changed"]
    assert same.loc[:"2020-06-15"].all()  # nothing before or on the changed day moves
    assert not same.loc["2020-06-16"]  # the next day reads it as its latest count


# --- persistence and importance --------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(two_years):
    X = feature_frame(two_years, FEATURES, target="total", horizon_days=1)
    y = two_years["total"].astype(float).to_numpy()
    return fit_pipeline(X, y, FEATURES, REGRESSOR, random_state=0), X, y


def test_saved_model_loads_with_the_trusted_types_and_predicts_the_same(tmp_path, fitted):
    model, X, _ = fitted
    save_model(model, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops", trusted=TRUSTED_TYPES)
    assert np.array_equal(predict(loaded, X), predict(model, X))
    with pytest.raises(UntrustedModelError, match="TreePredictor"):
        load_model(tmp_path / "model.skops", trusted=[])


def test_refitting_gives_a_byte_identical_model_file(tmp_path, two_years, fitted):
    _, X, y = fitted
    for name in ("a.skops", "b.skops"):
        save_model(fit_pipeline(X, y, FEATURES, REGRESSOR, random_state=0), tmp_path / name)
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()


def test_permutation_importance_ranks_the_raw_columns(fitted):
    model, X, y = fitted
    table = importance_table(model, X, y, repeats=3, random_state=0)
    assert list(table.columns) == ["feature", "importance_mean", "importance_std"]
    assert sorted(table["feature"]) == sorted(FEATURES.columns)
    assert table["importance_mean"].is_monotonic_decreasing
    assert table["feature"].iloc[0] in ("weekday", "tmax_c")
    # the count never depends on holidays (none in the data): shuffling changes nothing
    holiday = table.set_index("feature").loc["is_holiday"]
    assert holiday["importance_mean"] == 0 and holiday["importance_std"] == 0
    again = importance_table(model, X, y, repeats=3, random_state=0)
    assert table.equals(again)


# --- numbers for people ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (345.678, 345.7),
        (12345.6, 12346.0),
        (0.0123456, 0.01235),
        (0.81234, 0.8123),
        (-2.5e-7, -2.5e-7),
        (0.0, 0.0),
    ],
)
def test_significant_digits(value, expected):
    assert significant(value) == expected


def test_json_text_rounds_and_writes_nan_as_null():
    document = {"b": np.float64(1 / 3), "a": [np.int64(2), math.nan, np.bool_(True)]}
    assert rounded(document) == {"b": 0.3333, "a": [2, None, True]}
    text = json_text(document)
    assert text.endswith("}\n") and json.loads(text) == {"b": 0.3333, "a": [2, None, True]}
    assert text.index('"b"') < text.index('"a"')  # order as built


# --- model card ------------------------------------------------------------------------


def card_inputs(two_years, min_improvement=0.1):
    metrics = json.loads(json_text(evaluate(two_years, min_improvement).metrics))
    folds = pd.DataFrame(
        {
            "origin": ["2019-04-01", "2020-04-01"],
            "train_start": ["2018-01-01", "2018-01-01"],
            "train_end": ["2019-03-31", "2020-03-31"],
            "train_rows": [455, 821],
            "test_start": ["2019-04-01", "2020-04-01"],
            "test_end": ["2019-06-30", "2020-06-30"],
            "rows": [91, 91],
            "mean_actual": [3000.0, 2000.0],
            "bias": [10.0, 900.0],
            "mae": [300.0, 1000.0],
            "rmse": [400.0, 1200.0],
            "r2": [0.8, -2.0],
        }
    )
    importance = pd.DataFrame(
        {
            "feature": ["weekday", "tmax_c"],
            "importance_mean": [800.0, 200.0],
            "importance_std": [20.0, 5.0],
        }
    )
    return metrics, folds, importance, monitor_summary()


def monitor_summary(**change) -> dict:
    """The drift monitor's backtest summary for a small timeline: month ends 2019-10 to
    2020-04, a weather alarm in November 2019, the target alarming from April 2020."""
    months = ["2019-10-31", "2019-11-30", "2019-12-31", "2020-01-31", "2020-02-29"]
    months += ["2020-03-31", "2020-04-30"]
    rows = []
    for month in months:
        rows.append(
            {
                "month_end": month,
                "feature": "tmax_c",
                "group": "weather",
                "drifted": month == "2019-11-30",
            }
        )
        rows.append(
            {
                "month_end": month,
                "feature": "total",
                "group": "target",
                "drifted": month >= "2020-04-30",
            }
        )
    alarms = pd.DataFrame(rows).reindex(columns=BACKTEST_COLUMNS)
    return json.loads(json_text(backtest_summary(
        alarms,
        target="total",
        quiet_period={"start": "2019-01-01", "end": "2019-12-31"},
        known_change={"date": "2020-03-01", "description": "the pandemic"} | change,
    )))  # fmt: skip


def test_model_card_has_every_section_and_the_numbers(two_years):
    card = model_card(*card_inputs(two_years))
    for heading in (
        "## Intended use",
        "## Data",
        "## Holdout metrics",
        "## Quality gate",
        "## Rolling-origin backtest",
        "## Monitoring: how far the drift alarm can be trusted",
        "## Known limitations",
    ):
        assert heading in card
    assert "**Forecast horizon: 1 day.**" in card and "for the next day" in card
    assert "  - `latest_count`: the target on the latest day known at the horizon" in card
    assert "QUALITY GATE FAILED" not in card and "**passed**" in card
    assert "Median fold MAE: 650 bicycles per day" in card
    assert "Worst fold: 2020-04-01 to 2020-06-30, MAE 1,000" in card
    assert "15 km" in card and "2020" in card and "counter_issues.csv" in card
    assert "Training: the usable days before the holdout, 2019-01-01 to 2020-09-30" in card
    assert card.endswith("\n") and not card.endswith("\n\n")


def test_model_card_reports_the_monitor_backtest(two_years):
    card = model_card(*card_inputs(two_years))
    assert (
        "- **False alarms:** in 2019-2019, when nothing changed the weather or the daylight, "
        "1 of 3 month ends (33.3%) raised an alarm on a weather or daylight feature: "
        "2019-11-30 (`tmax_c`)." in card
    )
    assert (
        "- **Delay on a known change**, 2020-03-01 (the pandemic): the `total` alarm fired at "
        "the month end 2020-04-30, 60 days after." in card
    )
    # the backtest's folds straddle the change: 2020 against 2018-2019 (here 2019 only)
    assert (
        "mean fold MAE of the origins in 2020-2021 1,000, against 300 in 2018-2019: 3.33 times"
        in card
    )


def test_model_card_says_when_the_history_is_too_short_for_the_monitor(two_years):
    metrics, folds, importance, _ = card_inputs(two_years)
    card = model_card(metrics, folds, importance, monitor_summary(date="2019-06-01"))
    assert "not measured. The history does not reach back to a month end before the change." in card


def test_model_card_opens_with_a_failed_gate(two_years):
    card = model_card(*card_inputs(two_years, min_improvement=0.999))
    assert card.splitlines()[4].startswith("> **QUALITY GATE FAILED:")
