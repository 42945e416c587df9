"""Forecast a day's bicycle count from weather and calendar: features, an honest time split,
the model, two baselines, scores, the quality gate and a rolling-origin backtest.

Usable days are complete, outside every curated counter issue and have a target value
(weather may be missing: the gradient-boosting trees route NaN themselves). The split is by
time, never shuffled: the holdout is the last `holdout_months` months of the daily table's
range and the model trains on the usable days before it.

Errors are `predicted - actual` throughout (positive: the forecast expected more bicycles
than came), and a fold's bias is their mean.

Everything here is deterministic: fixed seeds, no early stopping (its validation split is
random), and each fit limited to one OpenMP thread, so results do not depend on how many
cores a run has.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
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

# The only types of a saved model outside skops' defaults; every consumer loads the model
# with `persistence.load_model(path, trusted=TRUSTED_TYPES)`, so anything else is refused.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]

# Features computed from the date rather than read from a column of the daily table.
DERIVED_FEATURES: dict[str, Callable[[pd.Series], pd.Series]] = {
    "year": lambda dates: dates.dt.year,
}
# Derived features that only count time: a later window differs from an earlier one by
# construction, so comparing their distributions (drift) says nothing.
TIME_INDEX_FEATURES = frozenset({"year"})

BASELINES = ("same_weekday_last_week", "seasonal_mean")
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
SIGNIFICANT_DIGITS = 4


@dataclass(frozen=True)
class Features:
    """The model's input columns: numeric ones as they are, categorical ones one-hot encoded."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @classmethod
    def from_config(cls, features: dict) -> Features:
        return cls(tuple(features["numeric"]), tuple(features["categorical"]))

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical]


# --- rows and features -----------------------------------------------------------------


def dates_of(table: pd.DataFrame) -> pd.Series:
    """The `date` column as datetime64 (the daily table stores datetime.date)."""
    return pd.to_datetime(table["date"])


def target_values(daily: pd.DataFrame, target: str) -> pd.Series:
    """The target as float, NaN where the count is missing."""
    return daily[target].astype("Float64").astype(float)


def usable(daily: pd.DataFrame, target: str) -> pd.Series:
    """Days fit to learn from and to score on: complete, no counter issue, a target value."""
    return daily["complete"].astype(bool) & (daily["counter_issue"] == "") & daily[target].notna()


def feature_frame(daily: pd.DataFrame, features: Features) -> pd.DataFrame:
    """The model's input: numeric columns as float (NaN allowed), categorical ones as they are."""
    dates = dates_of(daily)
    columns = {}
    for name in features.columns:
        if name in daily.columns:
            column = daily[name]
        elif name in DERIVED_FEATURES:
            column = DERIVED_FEATURES[name](dates)
        else:
            known = ", ".join([*daily.columns, *DERIVED_FEATURES])
            raise ValueError(
                f"feature {name!r} is neither a daily-table column nor derived: {known}"
            )
        if name in features.numeric:
            column = pd.to_numeric(column).astype("Float64").astype(float)
        columns[name] = column.to_numpy()
    return pd.DataFrame(columns, index=daily.index)


def holdout_start(dates: pd.Series, months: int) -> pd.Timestamp:
    """First day of the holdout: `months` calendar months before the day after the last."""
    return dates.max() + pd.Timedelta(days=1) - pd.DateOffset(months=months)


@dataclass(frozen=True)
class Split:
    """Usable rows before the holdout (train) and usable rows in it (holdout)."""

    start: pd.Timestamp  # first day of the holdout period
    end: pd.Timestamp  # last day of the daily table
    train: pd.Series  # boolean masks over the daily table
    holdout: pd.Series


def time_split(daily: pd.DataFrame, target: str, holdout_months: int) -> Split:
    dates = dates_of(daily)
    start = holdout_start(dates, holdout_months)
    ok = usable(daily, target)
    return Split(start, dates.max(), ok & (dates < start), ok & (dates >= start))


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


# --- baselines -------------------------------------------------------------------------


def same_weekday_last_week(daily: pd.DataFrame, target: str, rows: pd.Series) -> pd.Series:
    """The target 7 days before each selected day, from the whole daily table; NaN where
    that day is not usable (incomplete, or a curated counter issue: a known wrong count)."""
    dates = dates_of(daily)
    known = pd.Series(
        target_values(daily, target).where(usable(daily, target)).to_numpy(), index=dates
    )
    earlier = dates[rows] - pd.Timedelta(days=7)
    return pd.Series(known.reindex(earlier).to_numpy(), index=daily.index[rows])


def seasonal_mean(daily: pd.DataFrame, target: str, train: pd.Series, rows: pd.Series) -> pd.Series:
    """Mean target by month and weekday over the training rows; NaN for an unseen pair."""
    dates = dates_of(daily)
    keys = pd.DataFrame({"month": dates.dt.month, "weekday": dates.dt.day_of_week})
    training = keys[train].assign(y=target_values(daily, target)[train])
    means = training.groupby(["month", "weekday"])["y"].mean()
    wanted = pd.MultiIndex.from_frame(keys[rows])
    return pd.Series(means.reindex(wanted).to_numpy(), index=daily.index[rows])


# --- scores and the gate ---------------------------------------------------------------


def scores(actual: Sequence[float], predicted: Sequence[float]) -> dict[str, float]:
    """MAE, RMSE and R2 (R2 is NaN when the actual values do not vary)."""
    actual = np.asarray(actual, dtype=float)
    errors = np.asarray(predicted, dtype=float) - actual
    if len(actual) == 0:
        raise ValueError("no rows to score")
    spread = float(np.sum((actual - actual.mean()) ** 2))
    return {
        "mae": float(np.mean(np.abs(errors))),
        "rmse": float(np.sqrt(np.mean(errors**2))),
        "r2": 1 - float(np.sum(errors**2)) / spread if spread > 0 else math.nan,
    }


def quality_gate(model_mae: float, baseline_maes: dict[str, float], min_improvement: float) -> dict:
    """Compare the model's MAE with the best (lowest-MAE) baseline's.

    improvement = 1 - mae_model / mae_best_baseline; passed when >= min_improvement.
    """
    best = min(sorted(baseline_maes), key=lambda name: baseline_maes[name])
    best_mae = baseline_maes[best]
    improvement = 1 - model_mae / best_mae if best_mae > 0 else None
    passed = improvement is not None and (
        improvement >= min_improvement or math.isclose(improvement, min_improvement)
    )
    wanted = f"the gate asks for at least {min_improvement:.0%} better"
    if improvement is None:
        message = f"QUALITY GATE FAILED: the best baseline ({best}) has an MAE of 0; {wanted}."
    elif passed:
        message = (
            f"Quality gate passed: the model's holdout MAE ({model_mae:.1f}) is "
            f"{improvement:.1%} below the best baseline's ({best}, {best_mae:.1f}); {wanted}."
        )
    else:
        relation = "below" if improvement >= 0 else "above"
        message = (
            f"QUALITY GATE FAILED: the model's holdout MAE ({model_mae:.1f}) is only "
            f"{abs(improvement):.1%} {relation} the best baseline's ({best}, {best_mae:.1f}); "
            f"{wanted}. Do not rely on this model's forecasts."
        )
    return {
        "best_baseline": best,
        "min_improvement": min_improvement,
        "improvement": improvement,
        "passed": passed,
        "message": message,
    }


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
    X = feature_frame(daily, features)
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
            "same_weekday_last_week": same_weekday_last_week(daily, target, holdout),
            "seasonal_mean": seasonal_mean(daily, target, split.train, holdout),
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
        "best_baseline": gate["best_baseline"],
        "quality_gate": {key: value for key, value in gate.items() if key != "best_baseline"},
    }
    scored["date"] = scored["date"].dt.strftime("%Y-%m-%d")
    return Evaluation(model, scored[PREDICTION_COLUMNS], metrics)


# --- rolling-origin backtest -----------------------------------------------------------


def backtest_origins(
    first_origin: str | pd.Timestamp, step_months: int, horizon_days: int, last_day: pd.Timestamp
) -> list[pd.Timestamp]:
    """Origins first_origin + k * step_months (k = 0, 1, ...) whose whole horizon
    (origin .. origin + horizon_days - 1) lies within the data."""
    first = pd.Timestamp(first_origin)
    origins = []
    while True:
        origin = first + pd.DateOffset(months=step_months * len(origins))
        if origin + pd.Timedelta(days=horizon_days - 1) > last_day:
            return origins
        origins.append(origin)


@dataclass(frozen=True)
class Fold:
    origin: pd.Timestamp
    test_end: pd.Timestamp
    train: pd.Series  # boolean masks over the daily table
    test: pd.Series


def backtest_folds(
    daily: pd.DataFrame, target: str, first_origin: str, step_months: int, horizon_days: int
) -> tuple[list[Fold], list[Fold]]:
    """Folds: train on every usable day before the origin, test on the usable days of the
    horizon. Also the folds skipped because they have no usable training or test day."""
    dates = dates_of(daily)
    ok = usable(daily, target)
    folds, skipped = [], []
    for origin in backtest_origins(first_origin, step_months, horizon_days, dates.max()):
        end = origin + pd.Timedelta(days=horizon_days - 1)
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
    regressor: dict,
    random_state: int,
    first_origin: str,
    step_months: int,
    horizon_days: int,
    n_jobs: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Fold]]:
    """Per-day predictions, one row of scores per fold, and the folds skipped (no usable
    training or test day).

    Folds run in `n_jobs` processes, each fit on one thread: the numbers do not depend on it.
    """
    daily = daily.reset_index(drop=True)
    folds, skipped = backtest_folds(daily, target, first_origin, step_months, horizon_days)
    X = feature_frame(daily, features)
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


# --- writing numbers for people --------------------------------------------------------


def iso(day: pd.Timestamp) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%d")


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """`value` rounded to `digits` significant digits, but never below the units
    (12345.6 -> 12346.0, 345.678 -> 345.7, 0.0123456 -> 0.01235)."""
    if not math.isfinite(value) or value == 0:
        return value
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    return round(value, max(decimals, 0))


def rounded(node):
    """A JSON-ready copy: floats to significant digits, NaN and infinities as null."""
    if isinstance(node, dict):
        return {key: rounded(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [rounded(value) for value in node]
    if isinstance(node, bool | np.bool_):
        return bool(node)
    if isinstance(node, int | np.integer):
        return int(node)
    if isinstance(node, float | np.floating):
        value = float(node)
        return significant(value) if math.isfinite(value) else None
    return node


def json_text(document: dict) -> str:
    """Stable, readable JSON: rounded numbers, key order as built, a final newline."""
    return json.dumps(rounded(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def rounded_columns(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy with `columns` rounded to significant digits, for CSVs that read well."""
    table = table.copy()
    for column in columns:
        table[column] = [significant(float(value)) for value in table[column]]
    return table


def csv_text(table: pd.DataFrame) -> str:
    """CSV with Unix newlines, no index, floats as Python writes them (shortest exact)."""
    return table.to_csv(index=False, lineterminator="\n")
