"""The model: a scikit-learn pipeline fitted on the features of bikeflow.features, scored
against the naive baselines on the holdout, a rolling-origin backtest and permutation
importance.

A fold's bias is the mean of its errors (`predicted - actual`).

Everything here is deterministic: fixed seeds, no early stopping (its validation split is
random), and each fit limited to one OpenMP thread, so results do not depend on how many
cores a run has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from bikeflow.features import (
    BASELINES,
    Features,
    baseline_forecasts,
    dates_of,
    feature_frame,
    scores,
    target_values,
    time_split,
    usable,
)
from bikeflow.formats import iso
from bikeflow.quality_gate import quality_gate

# The only types of a saved model outside skops' defaults; every consumer loads the model
# with `persistence.load_model(path, trusted=TRUSTED_TYPES)`, so anything else is refused.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]

PREDICTION_COLUMNS = ["date", "actual", "model", *BASELINES]
FOLD_COLUMNS = [
    "origin",
    "train_start",
    "train_end",
    "train_rows",
    "test_start",
    "test_end",
    "rows",
    "mean_actual",
    "bias",
    "mae",
    "rmse",
    "r2",
]


# --- model -----------------------------------------------------------------------------


def build_pipeline(features: Features, regressor: dict, random_state: int) -> Pipeline:
    """One-hot encoding of the categorical features, numeric ones passed through, then
    gradient-boosted trees (no early stopping: its random validation split and its
    dependence on the data size would make the model change for no reason)."""
    encode = ColumnTransformer(
        [
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                list(features.categorical),
            ),
            ("numeric", "passthrough", list(features.numeric)),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
    trees = HistGradientBoostingRegressor(
        **regressor, early_stopping=False, random_state=random_state
    )
    return Pipeline([("encode", encode), ("regressor", trees)])


def fit_pipeline(
    X: pd.DataFrame, y: np.ndarray, features: Features, regressor: dict, random_state: int
) -> Pipeline:
    """A fitted pipeline, on one OpenMP thread (parallelism goes across folds instead)."""
    if len(X) == 0:
        raise ValueError("no usable training days")
    with threadpool_limits(limits=1, user_api="openmp"):
        return build_pipeline(features, regressor, random_state).fit(X, y)


def predict(model: Pipeline, X: pd.DataFrame) -> np.ndarray:
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.predict(X)


# --- fit and evaluate ------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    model: Pipeline
    predictions: pd.DataFrame  # PREDICTION_COLUMNS, the scored holdout rows
    metrics: dict


def fit_and_evaluate(
    daily: pd.DataFrame,
    *,
    target: str,
    features: Features,
    horizon_days: int,
    holdout_months: int,
    regressor: dict,
    random_state: int,
    min_improvement: float,
) -> Evaluation:
    """Fit on the training rows; score model and baselines on the same holdout rows (those
    where every prediction exists); apply the quality gate."""
    daily = daily.reset_index(drop=True)
    split = time_split(daily, target, holdout_months)
    if not split.train.any():
        raise ValueError(f"no usable days before the holdout, which starts {split.start:%Y-%m-%d}")
    X = feature_frame(daily, features, target=target, horizon_days=horizon_days)
    y = target_values(daily, target)
    model = fit_pipeline(
        X[split.train], y[split.train].to_numpy(), features, regressor, random_state
    )

    holdout = split.holdout
    predictions = pd.DataFrame(
        {
            "date": dates_of(daily)[holdout],
            "actual": y[holdout],
            "model": predict(model, X[holdout]) if holdout.any() else [],
            **baseline_forecasts(daily, target, split.train, holdout, horizon_days),
        }
    )
    scored = predictions.dropna().reset_index(drop=True)
    if scored.empty:
        raise ValueError(
            f"no holdout day from {split.start:%Y-%m-%d} has a usable count and every prediction"
        )
    results = {name: scores(scored["actual"], scored[name]) for name in ["model", *BASELINES]}
    gate = quality_gate(
        results["model"]["mae"], {name: results[name]["mae"] for name in BASELINES}, min_improvement
    )
    dates = dates_of(daily)
    train_dates = dates[split.train]
    metrics = {
        "target": target,
        "horizon_days": horizon_days,
        "features": {"numeric": list(features.numeric), "categorical": list(features.categorical)},
        "regressor": {
            "name": "HistGradientBoostingRegressor",
            **regressor,
            "early_stopping": False,
            "random_state": random_state,
        },
        "daily_table": {
            "start": iso(dates.min()),
            "end": iso(dates.max()),
            "days": len(daily),
            "usable_days": int(usable(daily, target).sum()),
        },
        "training": {
            "start": iso(train_dates.min()),
            "end": iso(train_dates.max()),
            "rows": int(split.train.sum()),
        },
        "holdout": {
            "months": holdout_months,
            "start": iso(split.start),
            "end": iso(split.end),
            "usable_days": int(holdout.sum()),
            "rows": len(scored),
            "rows_note": "Model and baselines are scored on the same rows: usable holdout days "
            "where every baseline has a value.",
        },
        "scores": results,
        "quality_gate": gate,
    }
    scored["date"] = scored["date"].dt.strftime("%Y-%m-%d")
    return Evaluation(model, scored[PREDICTION_COLUMNS], metrics)


# --- rolling-origin backtest -----------------------------------------------------------


def backtest_origins(
    first_origin: str | pd.Timestamp, step_months: int, fold_days: int, last_day: pd.Timestamp
) -> list[pd.Timestamp]:
    """Origins first_origin + k * step_months (k = 0, 1, ...) whose whole fold
    (origin .. origin + fold_days - 1) lies within the data."""
    first = pd.Timestamp(first_origin)
    origins = []
    while True:
        origin = first + pd.DateOffset(months=step_months * len(origins))
        if origin + pd.Timedelta(days=fold_days - 1) > last_day:
            return origins
        origins.append(origin)


@dataclass(frozen=True)
class Fold:
    origin: pd.Timestamp
    test_end: pd.Timestamp
    train: pd.Series  # boolean masks over the daily table
    test: pd.Series


def backtest_folds(
    daily: pd.DataFrame, target: str, first_origin: str, step_months: int, fold_days: int
) -> tuple[list[Fold], list[Fold]]:
    """Folds: train on every usable day before the origin, test on the usable days among
    the `fold_days` from the origin. Also the folds skipped because they have no usable
    training or test day."""
    dates = dates_of(daily)
    ok = usable(daily, target)
    folds, skipped = [], []
    for origin in backtest_origins(first_origin, step_months, fold_days, dates.max()):
        end = origin + pd.Timedelta(days=fold_days - 1)
        fold = Fold(origin, end, ok & (dates < origin), ok & (dates >= origin) & (dates <= end))
        (folds if fold.train.any() and fold.test.any() else skipped).append(fold)
    return folds, skipped


def _fit_predict(X_train, y_train, X_test, features, regressor, random_state) -> np.ndarray:
    model = fit_pipeline(X_train, y_train, features, regressor, random_state)
    return predict(model, X_test)


def backtest(
    daily: pd.DataFrame,
    *,
    target: str,
    features: Features,
    horizon_days: int,
    regressor: dict,
    random_state: int,
    first_origin: str,
    step_months: int,
    fold_days: int,
    n_jobs: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Fold]]:
    """Per-day predictions, one row of scores per fold, and the folds skipped (no usable
    training or test day).

    Each fold's model is fitted once, at its origin, and forecasts each of the `fold_days`
    days after it at the model's horizon: a day's history features hold the counts known
    `horizon_days` before it, as they would in daily use.

    Folds run in `n_jobs` processes, each fit on one thread: the numbers do not depend on it.
    """
    daily = daily.reset_index(drop=True)
    folds, skipped = backtest_folds(daily, target, first_origin, step_months, fold_days)
    X = feature_frame(daily, features, target=target, horizon_days=horizon_days)
    y = target_values(daily, target)
    dates = dates_of(daily)
    predictions = Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(
            X[fold.train], y[fold.train].to_numpy(), X[fold.test], features, regressor, random_state
        )
        for fold in folds
    )
    days, rows = [], []
    for fold, predicted in zip(folds, predictions, strict=True):
        actual = y[fold.test].to_numpy()
        days.append(
            pd.DataFrame(
                {
                    "origin": iso(fold.origin),
                    "date": dates[fold.test].dt.strftime("%Y-%m-%d"),
                    "actual": actual,
                    "predicted": predicted,
                }
            )
        )
        train_dates = dates[fold.train]
        rows.append(
            {
                "origin": iso(fold.origin),
                "train_start": iso(train_dates.min()),
                "train_end": iso(train_dates.max()),
                "train_rows": int(fold.train.sum()),
                "test_start": iso(fold.origin),
                "test_end": iso(fold.test_end),
                "rows": int(fold.test.sum()),
                "mean_actual": float(actual.mean()),
                "bias": float(np.mean(predicted - actual)),
                **scores(actual, predicted),
            }
        )
    per_day = (
        pd.concat(days, ignore_index=True)
        if days
        else pd.DataFrame(columns=["origin", "date", "actual", "predicted"])
    )
    return per_day, pd.DataFrame(rows, columns=FOLD_COLUMNS), skipped


# --- permutation importance ------------------------------------------------------------


def importance_table(
    model: Pipeline, X: pd.DataFrame, y: np.ndarray, repeats: int, random_state: int
) -> pd.DataFrame:
    """Permutation importance of each raw input column on the given rows: how much the MAE
    grows (bicycles per day) when that column is shuffled; most important first."""
    with threadpool_limits(limits=1, user_api="openmp"):
        result = permutation_importance(
            model,
            X,
            y,
            scoring="neg_mean_absolute_error",
            n_repeats=repeats,
            random_state=random_state,
        )
    table = pd.DataFrame(
        {
            "feature": list(X.columns),
            "importance_mean": result.importances_mean,
            "importance_std": result.importances_std,
        }
    )
    table = table.sort_values(
        ["importance_mean", "feature"], ascending=[False, True], kind="stable"
    )
    return table.reset_index(drop=True)
