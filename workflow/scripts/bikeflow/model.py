"""Forecast a day's bicycle count from what is known when the forecast is made: features,
an honest time split, the model, naive baselines, scores and a rolling-origin backtest.

The forecast horizon is `horizon_days` (1: the next day). A forecast for day d may use
counts up to day d - horizon_days (the target's history: the latest known count, the
recent level, the same weekday in past weeks, and the weather of those days), the
calendar, and the weather of day d itself, as observed: it stands in for the weather
forecast a user would feed in. The baselines are held to the same horizon.

Usable days are complete, outside every curated counter issue and have a target value
(weather may be missing: the gradient-boosting trees route NaN themselves). Only usable
days enter the history features, so an annotated counter problem leaves training,
scoring and every later day's features at once. The split is by time, never shuffled:
the holdout is the last `holdout_months` months of the daily table's range and the model
trains on the usable days before it.

Errors are `predicted - actual` throughout (positive: the forecast expected more bicycles
than came), and a fold's bias is their mean.

Everything here is deterministic: fixed seeds, no early stopping (its validation split is
random), and each fit limited to one OpenMP thread, so results do not depend on how many
cores a run has.
"""

from __future__ import annotations

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

from bikeflow.formats import iso
from bikeflow.quality_gate import quality_gate

# The only types of a saved model outside skops' defaults; every consumer loads the model
# with `persistence.load_model(path, trusted=TRUSTED_TYPES)`, so anything else is refused.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]

# The longest horizon the history features support: the same weekday a week earlier must
# still be known when the forecast is made.
MAX_HORIZON_DAYS = 7
WEEK = 7
HISTORY_WEEKS = 4  # same-weekday features look back this many weeks
RECENT_DAYS = 7  # the recent level is the mean of this many days

# Features computed from the date rather than read from a column of the daily table.
DATE_FEATURES: dict[str, Callable[[pd.Series], pd.Series]] = {
    "year": lambda dates: dates.dt.year,
}
# Features computed from the days before the forecast day, known at the horizon
# (see history_features); the descriptions are for people (model card, config/README.md).
HISTORY_FEATURES = {
    "latest_count": "the target on the latest day known at the horizon (yesterday for a "
    "next-day forecast)",
    "recent_mean_7_days": "the mean target of the usable days among the 7 days ending on "
    "the latest known day",
    "same_weekday_mean_4_weeks": "the mean target of the same weekday 1 to 4 weeks earlier "
    "(usable days)",
    "same_weekday_tmax_4_weeks": "the mean maximum temperature of those same-weekday days",
    "same_weekday_precipitation_4_weeks": "the mean precipitation of those same-weekday days",
    "latest_precipitation": "the precipitation on the latest known day",
}

# Naive forecasts at the same horizon as the model (see baseline_forecasts).
BASELINES = ("latest_day", "same_weekday_last_week", "seasonal_mean")
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


def check_horizon(horizon_days: int) -> None:
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise ValueError(f"horizon_days must be 1 to {MAX_HORIZON_DAYS}, not {horizon_days}")


def days_before(values: np.ndarray, dates: pd.Series, offset: int) -> np.ndarray:
    """For each date, the value `offset` days earlier, found by date (NaN where that day
    is not in the table): rows may be missing, so positions would lie."""
    known = pd.Series(values, index=pd.DatetimeIndex(dates))
    return known.reindex(dates - pd.Timedelta(days=offset)).to_numpy(dtype=float)


def mean_of_known(values: np.ndarray) -> np.ndarray:
    """Row means over the known (non-NaN) entries; NaN for a row with none."""
    known = ~np.isnan(values)
    total = np.where(known, values, 0.0).sum(axis=1)
    count = known.sum(axis=1)
    return np.divide(total, count, out=np.full(len(values), np.nan), where=count > 0)


def history_features(daily: pd.DataFrame, target: str, horizon_days: int) -> dict[str, np.ndarray]:
    """HISTORY_FEATURES for every row, each computed only from days at least
    `horizon_days` before the row's day (no leakage), and from usable days only for the
    target: a count that is incomplete or a curated counter problem is unknown."""
    check_horizon(horizon_days)
    dates = dates_of(daily)
    count = target_values(daily, target).where(usable(daily, target)).to_numpy()

    def before(values: np.ndarray, offsets: Sequence[int]) -> np.ndarray:
        return np.column_stack([days_before(values, dates, offset) for offset in offsets])

    recent = before(count, range(horizon_days, horizon_days + RECENT_DAYS))
    weeks = [WEEK * week for week in range(1, HISTORY_WEEKS + 1)]
    same_weekday = before(count, weeks)
    counted = ~np.isnan(same_weekday)  # the weather of the days whose count is known

    def on_counted_days(column: str) -> np.ndarray:
        weather = before(daily[column].astype(float).to_numpy(), weeks)
        return mean_of_known(np.where(counted, weather, np.nan))

    return {
        "latest_count": recent[:, 0],
        "recent_mean_7_days": mean_of_known(recent),
        "same_weekday_mean_4_weeks": mean_of_known(same_weekday),
        "same_weekday_tmax_4_weeks": on_counted_days("tmax_c"),
        "same_weekday_precipitation_4_weeks": on_counted_days("precipitation_mm"),
        "latest_precipitation": days_before(
            daily["precipitation_mm"].astype(float).to_numpy(), dates, horizon_days
        ),
    }


def feature_frame(
    daily: pd.DataFrame, features: Features, *, target: str, horizon_days: int
) -> pd.DataFrame:
    """The model's input: numeric columns as float (NaN allowed), categorical ones as they are."""
    dates = dates_of(daily)
    history = (
        history_features(daily, target, horizon_days)
        if set(features.columns) & set(HISTORY_FEATURES)
        else {}
    )
    columns = {}
    for name in features.columns:
        if name in daily.columns:
            column = daily[name]
        elif name in DATE_FEATURES:
            column = DATE_FEATURES[name](dates)
        elif name in history:
            column = pd.Series(history[name], index=daily.index)
        else:
            known = ", ".join([*daily.columns, *DATE_FEATURES, *HISTORY_FEATURES])
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


def known_target(daily: pd.DataFrame, target: str) -> np.ndarray:
    """The target where the day is usable, NaN elsewhere (a known wrong count is unknown)."""
    return target_values(daily, target).where(usable(daily, target)).to_numpy()


def latest_day(daily: pd.DataFrame, target: str, rows: pd.Series, horizon_days: int) -> pd.Series:
    """Persistence: the target on the latest day known at the horizon (for a next-day
    forecast, yesterday); NaN where that day is not usable."""
    check_horizon(horizon_days)
    values = days_before(known_target(daily, target), dates_of(daily), horizon_days)
    return pd.Series(values, index=daily.index)[rows]


def same_weekday_last_week(daily: pd.DataFrame, target: str, rows: pd.Series) -> pd.Series:
    """The target 7 days before each selected day, from the whole daily table; NaN where
    that day is not usable (incomplete, or a curated counter issue: a known wrong count)."""
    values = days_before(known_target(daily, target), dates_of(daily), WEEK)
    return pd.Series(values, index=daily.index)[rows]


def seasonal_mean(daily: pd.DataFrame, target: str, train: pd.Series, rows: pd.Series) -> pd.Series:
    """Mean target by month and weekday over the training rows; NaN for an unseen pair."""
    dates = dates_of(daily)
    keys = pd.DataFrame({"month": dates.dt.month, "weekday": dates.dt.day_of_week})
    training = keys[train].assign(y=target_values(daily, target)[train])
    means = training.groupby(["month", "weekday"])["y"].mean()
    wanted = pd.MultiIndex.from_frame(keys[rows])
    return pd.Series(means.reindex(wanted).to_numpy(), index=daily.index[rows])


def baseline_forecasts(
    daily: pd.DataFrame, target: str, train: pd.Series, rows: pd.Series, horizon_days: int
) -> dict[str, pd.Series]:
    """Every baseline's forecast for the selected rows, in BASELINES order. Each uses at
    most what the model knows at the horizon: counts up to `horizon_days` before the day
    (the same weekday a week earlier is known for any horizon up to a week), or only the
    training period."""
    return {
        "latest_day": latest_day(daily, target, rows, horizon_days),
        "same_weekday_last_week": same_weekday_last_week(daily, target, rows),
        "seasonal_mean": seasonal_mean(daily, target, train, rows),
    }


# --- scores ----------------------------------------------------------------------------


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
        "r2": 1 - float(np.sum(errors**2)) / spread if spread > 0 else np.nan,
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
