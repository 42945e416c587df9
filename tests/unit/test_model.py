"""bikeflow.model: fit, evaluate, backtest and permutation importance on synthetic days."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from support.daily_frames import (
    FEATURES,
    FORECAST_FEATURES,
    REGRESSOR,
    at,
    evaluate,
    make_incomplete,
    synthetic_daily,
)

from bikeflow.features import Features
from bikeflow.formats import json_text
from bikeflow.model import (
    FOLD_COLUMNS,
    PREDICTION_COLUMNS,
    backtest,
    backtest_folds,
    backtest_origins,
    importance_table,
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
