"""Unit tests of the model library: features, split, baselines, scores, quality gate,
backtest folds, persistence, permutation importance, number formatting and the model card.

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

from bikeflow.model import (
    FOLD_COLUMNS,
    PREDICTION_COLUMNS,
    TRUSTED_TYPES,
    Features,
    backtest,
    backtest_folds,
    backtest_origins,
    feature_frame,
    fit_and_evaluate,
    fit_pipeline,
    holdout_start,
    importance_table,
    json_text,
    predict,
    quality_gate,
    rounded,
    same_weekday_last_week,
    scores,
    seasonal_mean,
    significant,
    time_split,
    usable,
)
from bikeflow.model_card import model_card
from bikeflow.persistence import UntrustedModelError, load_model, save_model

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
    frame = feature_frame(daily, FEATURES)
    assert list(frame.columns) == [*FEATURES.numeric, *FEATURES.categorical]
    assert frame["year"].tolist() == [2020, 2020, 2021, 2021]
    assert frame["year"].dtype == float
    assert math.isnan(frame.loc[1, "tmax_c"])
    assert frame["weekday"].tolist() == [2, 3, 4, 5]  # 2020-12-30 is a Wednesday
    assert frame["is_holiday"].dtype == bool


def test_feature_frame_names_an_unknown_feature():
    with pytest.raises(ValueError, match="'humidity'"):
        feature_frame(synthetic_daily(date(2021, 1, 1), 3), Features(("humidity",), ()))


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
    assert gate["passed"]
    assert gate["message"].startswith("Quality gate passed")


@pytest.mark.parametrize(("model_mae", "improvement"), [(95.0, 0.05), (130.0, -0.3)])
def test_quality_gate_fails_loudly(model_mae, improvement):
    gate = quality_gate(model_mae, {"a": 100.0, "b": 150.0}, 0.10)
    assert gate["improvement"] == pytest.approx(improvement)
    assert not gate["passed"]
    assert gate["message"].startswith("QUALITY GATE FAILED:")
    assert "(a, 100.0)" in gate["message"]


def test_quality_gate_exactly_at_the_threshold_passes():
    assert quality_gate(90.0, {"a": 100.0}, 0.10)["passed"]


# --- fit and evaluate ------------------------------------------------------------------


def evaluate(daily: pd.DataFrame, min_improvement: float = 0.1, months: int = 3):
    return fit_and_evaluate(
        daily,
        target="total",
        features=FEATURES,
        holdout_months=months,
        regressor=REGRESSOR,
        random_state=0,
        min_improvement=min_improvement,
    )


def test_model_and_baselines_are_scored_on_the_same_rows(two_years):
    daily = two_years.copy()
    make_incomplete(daily, date(2020, 10, 5))  # not scored, nor 10-12 (no lag)
    make_incomplete(daily, date(2020, 11, 1))  # not scored, nor 11-08
    evaluation = evaluate(daily)
    predictions, metrics = evaluation.predictions, evaluation.metrics
    assert list(predictions.columns) == PREDICTION_COLUMNS
    assert metrics["holdout"]["start"] == "2020-10-01"
    assert metrics["holdout"]["end"] == "2020-12-31"
    assert metrics["holdout"]["usable_days"] == 92 - 2
    assert metrics["holdout"]["rows"] == len(predictions) == 92 - 4
    assert not {"2020-10-05", "2020-10-12", "2020-11-01", "2020-11-08"} & set(predictions["date"])
    assert predictions.notna().all().all()
    assert metrics["training"] == {"start": "2019-01-01", "end": "2020-09-30", "rows": 639}
    actual = predictions["actual"].to_numpy()
    for name in ["model", "same_weekday_last_week", "seasonal_mean"]:
        errors = np.abs(predictions[name].to_numpy() - actual)
        assert metrics["scores"][name]["mae"] == pytest.approx(errors.mean())


def test_model_beats_the_baselines_on_learnable_data(two_years):
    metrics = evaluate(two_years).metrics
    assert metrics["quality_gate"]["passed"]
    assert metrics["scores"]["model"]["mae"] < metrics["scores"][metrics["best_baseline"]]["mae"]


def test_failed_gate_is_in_the_metrics(two_years):
    gate = evaluate(two_years, min_improvement=0.999).metrics["quality_gate"]
    assert not gate["passed"] and gate["message"].startswith("QUALITY GATE FAILED:")


def test_no_training_days_is_an_error_that_says_so():
    with pytest.raises(ValueError, match="no usable days before the holdout"):
        evaluate(synthetic_daily(date(2021, 1, 1), 20), months=1)


def test_fit_is_deterministic(two_years):
    first, second = evaluate(two_years), evaluate(two_years)
    assert first.predictions.equals(second.predictions)
    assert json_text(first.metrics) == json_text(second.metrics)


# --- backtest --------------------------------------------------------------------------


def test_backtest_origins_step_by_calendar_months_while_the_horizon_fits():
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
        features=FEATURES,
        regressor=REGRESSOR,
        random_state=0,
        first_origin="2020-01-01",
        step_months=4,
        horizon_days=30,
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


# --- persistence and importance --------------------------------------------------------


@pytest.fixture(scope="module")
def fitted(two_years):
    X = feature_frame(two_years, FEATURES)
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
    return metrics, folds, importance


def test_model_card_has_every_section_and_the_numbers(two_years):
    card = model_card(*card_inputs(two_years))
    for heading in (
        "## Intended use",
        "## Data",
        "## Holdout metrics",
        "## Quality gate",
        "## Rolling-origin backtest",
        "## Known limitations",
    ):
        assert heading in card
    assert "QUALITY GATE FAILED" not in card and "**passed**" in card
    assert "Median fold MAE: 650 bicycles per day" in card
    assert "Worst fold: 2020-04-01 to 2020-06-30, MAE 1,000" in card
    assert "15 km" in card and "2020" in card and "counter_issues.csv" in card
    assert "Training: the usable days before the holdout, 2019-01-01 to 2020-09-30" in card
    assert card.endswith("\n") and not card.endswith("\n\n")


def test_model_card_opens_with_a_failed_gate(two_years):
    card = model_card(*card_inputs(two_years, min_improvement=0.999))
    assert card.splitlines()[4].startswith("> **QUALITY GATE FAILED:")
