"""bikeflow.model: training on simulated issues, the level ratio, folds issued as the live
forecasts are, the backtest and permutation importance, on synthetic days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from support.daily_frames import PUBLICATION, SETTINGS, at, synthetic_daily

from bikeflow.evaluation import holdout_metrics
from bikeflow.features import Days, Features, feature_frame
from bikeflow.model import (
    FORECAST_COLUMNS,
    backtest,
    backtest_folds,
    fit,
    fold_at,
    importance_table,
    run_fold,
    simulated_pairs,
    training_pairs,
)
from bikeflow.persistence import load_model, save_model

END = pd.Timestamp("2020-12-31")


@pytest.fixture(scope="module")
def days(two_years) -> Days:
    return Days.from_daily(two_years, SETTINGS)


def test_training_pairs_draw_leads_and_weather_from_the_publication_pattern(days):
    pairs = training_pairs(days, pd.Timestamp("2020-06-30"), PUBLICATION, SETTINGS)
    gaps = PUBLICATION.gaps()
    assert (pairs["date"] <= pd.Timestamp("2020-06-30")).all()  # every count known
    assert pairs["lead_days"].min() == 1
    assert pairs["lead_days"].max() <= gaps["issue_gap"].max() + PUBLICATION.days_ahead
    weather_gap = (pairs["last_weather_day"] - pairs["last_count_day"]).dt.days
    assert set(weather_gap) <= set(gaps["weather_gap"])
    known = pairs["date"] <= pairs["last_weather_day"]
    assert 0.2 < known.mean() < 0.95  # both kinds of forecast are learned


def test_a_month_of_new_data_leaves_the_older_training_draws_as_they_were(days):
    june = training_pairs(days, pd.Timestamp("2020-06-30"), PUBLICATION, SETTINGS)
    july = training_pairs(days, pd.Timestamp("2020-07-31"), PUBLICATION, SETTINGS)
    older = july[july["last_count_day"] <= pd.Timestamp("2020-05-31")]
    same_lasts = june[june["last_count_day"] <= pd.Timestamp("2020-05-31")]
    shared = older.merge(same_lasts, how="inner")
    assert len(shared) == len(same_lasts[same_lasts["date"] <= pd.Timestamp("2020-06-30")])


def test_the_fitted_model_beats_the_baselines_on_learnable_data(days):
    fold = fold_at("2020-10-01", END, PUBLICATION)
    forecasts, rows = run_fold(days, fold, PUBLICATION, SETTINGS)
    assert rows > 500
    assert list(forecasts.columns) == FORECAST_COLUMNS
    gate = holdout_metrics(forecasts, [7, 14, 28], 0.1)["quality_gate"]
    assert gate["passed"], gate


def test_a_fold_forecasts_only_what_its_origin_could_know(days):
    fold = fold_at("2020-10-01", END, PUBLICATION)
    assert fold.train_until == pd.Timestamp("2020-08-31")  # published 09-05, not yet 10-05
    forecasts, _ = run_fold(days, fold, PUBLICATION, SETTINGS)
    assert (forecasts["date"] > forecasts["last_count_day"]).all()
    assert forecasts["issue_date"].min() == pd.Timestamp("2020-09-29")  # 10-01 less 2 days
    first = forecasts[forecasts["issue_date"] == forecasts["issue_date"].min()]
    assert first["date"].min() == pd.Timestamp("2020-09-01")
    assert first["date"].max() == pd.Timestamp("2020-10-06")  # 7 days after the issue


def test_forecasts_move_with_a_level_never_seen_in_training(days, two_years):
    """A ratio to the recent level: counts twice any seen in training come out near twice."""
    model, _ = fit(days, pd.Timestamp("2020-08-31"), PUBLICATION, SETTINGS)
    pairs = simulated_pairs(
        days, PUBLICATION, pd.Timestamp("2020-10-10"), pd.Timestamp("2020-10-10")
    )
    before = model.predict(feature_frame(days, pairs, SETTINGS.features))
    doubled = two_years.copy()
    doubled["total"] = doubled["total"] * 2
    days2 = Days.from_daily(doubled, SETTINGS)
    after = model.predict(feature_frame(days2, pairs, SETTINGS.features))
    assert after == pytest.approx(2 * before, rel=0.05)


def test_no_training_days_is_an_error_that_says_so():
    days = Days.from_daily(synthetic_daily(date(2021, 1, 1), 20), SETTINGS)
    with pytest.raises(ValueError, match="no usable training days up to 2021-01-15"):
        fit(days, pd.Timestamp("2021-01-15"), PUBLICATION, SETTINGS)


def test_fit_is_deterministic_and_survives_saving(days, tmp_path):
    fold = fold_at("2020-11-01", END, PUBLICATION)
    first, _ = run_fold(days, fold, PUBLICATION, SETTINGS)
    second, _ = run_fold(days, fold, PUBLICATION, SETTINGS)
    pd.testing.assert_frame_equal(first, second)
    model, _ = fit(days, END, PUBLICATION, SETTINGS)
    save_model(model, tmp_path / "model.skops")
    loaded = load_model(
        tmp_path / "model.skops",
        trusted=[
            "bikeflow.model.LevelRatioRegressor",
            "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        ],
    )
    X = feature_frame(days, first, SETTINGS.features)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    refitted, _ = fit(days, END, PUBLICATION, SETTINGS)
    save_model(refitted, tmp_path / "again.skops")
    assert (tmp_path / "again.skops").read_bytes() == (tmp_path / "model.skops").read_bytes()


def test_backtest_folds_serve_until_the_next_origin(days):
    folds = backtest_folds(days, PUBLICATION, "2020-01-01", 4)
    assert [fold.origin for fold in folds] == [
        pd.Timestamp("2020-01-01"),
        pd.Timestamp("2020-05-01"),
        pd.Timestamp("2020-09-01"),
    ]
    assert [fold.last_run for fold in folds] == [
        pd.Timestamp("2020-04-30"),
        pd.Timestamp("2020-08-31"),
        END,
    ]
    # an origin with no month of history before its first published count is skipped
    assert backtest_folds(days, PUBLICATION, "2019-01-01", 1)[0].origin == pd.Timestamp(
        "2019-03-01"
    )


def test_backtest_does_not_depend_on_threads(days):
    folds = backtest_folds(days, PUBLICATION, "2020-05-01", 4)
    one, rows = backtest(days, PUBLICATION, SETTINGS, folds, n_jobs=1)
    two, _ = backtest(days, PUBLICATION, SETTINGS, folds, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    assert len(rows) == len(folds) and min(rows) > 0
    assert list(one["origin"].unique()) == [fold.origin for fold in folds]


def test_a_count_published_mid_fold_reaches_the_next_issues_forecasts(two_years):
    """A fold's model is fixed at its origin, but each issue reads the counts published by
    then: a jump in July's counts reaches the forecasts issued after they are published."""
    settings = replace(
        SETTINGS,
        features=Features((), (), ("lead_days", "same_weekday_mean_4_weeks"), ("weekday",)),
    )
    days = Days.from_daily(two_years, settings)
    folds = backtest_folds(days, PUBLICATION, "2020-07-01", 12)
    before, _ = backtest(days, PUBLICATION, settings, folds)
    changed = two_years.copy()
    changed.loc[at(changed, date(2020, 7, 27)), "total"] = 0  # a Monday in July
    after, _ = backtest(Days.from_daily(changed, settings), PUBLICATION, settings, folds)
    moved = before["model"].to_numpy() != after["model"].to_numpy()
    issued = before["issue_date"]
    assert not moved[issued < pd.Timestamp("2020-08-03")].any()  # July published 08-05
    assert moved[issued >= pd.Timestamp("2020-08-03")].any()


def test_permutation_importance_ranks_the_inputs(fitted):
    model, days = fitted
    pairs = simulated_pairs(days, PUBLICATION, pd.Timestamp("2020-11-05"), END)
    X = feature_frame(days, pairs, SETTINGS.features)
    y = pairs["actual"].to_numpy()
    table = importance_table(model, X, y, repeats=3, random_state=0)
    assert list(table.columns) == ["feature", "importance_mean", "importance_std"]
    assert sorted(table["feature"]) == sorted(SETTINGS.features.columns)
    assert table["importance_mean"].is_monotonic_decreasing
    # no holiday in the data: shuffling it changes nothing
    holiday = table.set_index("feature").loc["is_holiday"]
    assert holiday["importance_mean"] == 0 and holiday["importance_std"] == 0
    pd.testing.assert_frame_equal(table, importance_table(model, X, y, repeats=3, random_state=0))
