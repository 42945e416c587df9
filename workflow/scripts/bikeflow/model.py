"""The model: a scikit-learn pipeline that forecasts a day's count from what is known when the
forecast is issued (bikeflow.features, bikeflow.publication), its evaluation as the live
forecasts will be evaluated, and permutation importance.

The model forecasts the ratio of the day's count to a recent level (`model.level`, a history
feature): trees cannot extrapolate, so a model of counts would cut a level it has never
seen (a pandemic, a boom) at the edge of its training range, while a ratio follows it.

It learns from simulated issues: every usable day in turn is taken as the last known count,
with `lead_samples` leads drawn from the publication pattern (and whether the weather of the
day forecast was published by then), so the model is trained on the leads and the weather
it is asked about. Recent days weigh more (`recency_half_life_days`): the world changes.

The holdout and the rolling-origin backtest issue forecasts on every run day, as the
scheduled refresh does, and score each (issue, day) pair when its count is known: the
error at a lead is the error a published forecast at that lead should expect.

Everything here is deterministic: fixed seeds, no early stopping (its validation split is
random), and each fit limited to one OpenMP thread, so results do not depend on how many
cores a run has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from bikeflow.features import (
    BASELINES,
    DAY,
    Days,
    ModelSettings,
    baseline_forecasts,
    feature_frame,
    level_of,
)
from bikeflow.publication import ISSUE_COLUMNS, Publication, weather_known

# The only types of a saved model outside skops' defaults; every consumer loads the model
# with `persistence.load_model(path, trusted=TRUSTED_TYPES)`, so anything else is refused.
TRUSTED_TYPES = [
    "bikeflow.model.LevelRatioRegressor",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]
# One row per (issue, day) forecast: what was known, what came, what each predictor said.
FORECAST_COLUMNS = [*ISSUE_COLUMNS, "weather_known", "actual", "model", *BASELINES]
# The history the first training row needs: a month of days before its last count.
WARM_UP_DAYS = 28


class LevelRatioRegressor(RegressorMixin, BaseEstimator):
    """`estimator` fitted on log((count + 1) / (level + 1)); predictions are scaled back by
    the level, the first known of `level_columns` in each row."""

    def __init__(self, estimator=None, level_columns=("same_weekday_mean_4_weeks",)):
        self.estimator = estimator
        self.level_columns = level_columns

    def fit(self, X: pd.DataFrame, y, sample_weight=None):
        ratio = np.log1p(np.asarray(y, dtype=float)) - np.log1p(self._level(X))
        weights = {} if sample_weight is None else {"regressor__sample_weight": sample_weight}
        self.estimator_ = clone(self.estimator).fit(X, ratio, **weights)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.expm1(np.log1p(self._level(X)) + self.estimator_.predict(X))

    def _level(self, X: pd.DataFrame) -> np.ndarray:
        return level_of(X, self.level_columns)


def build_model(settings: ModelSettings) -> LevelRatioRegressor:
    """One-hot encoding of the categorical features, numeric ones passed through (missing
    values allowed), gradient-boosted trees (no early stopping: its random validation split
    would make the model change for no reason), all inside the level ratio."""
    features = settings.features
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
        **settings.regressor, early_stopping=False, random_state=settings.random_state
    )
    return LevelRatioRegressor(
        Pipeline([("encode", encode), ("regressor", trees)]), settings.level_columns
    )


def predict(model, X: pd.DataFrame) -> np.ndarray:
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.predict(X)


# --- training --------------------------------------------------------------------------


def training_pairs(
    days: Days, until: pd.Timestamp, publication: Publication, settings: ModelSettings
) -> pd.DataFrame:
    """Simulated issues for training: every day up to `until` taken as the last known count,
    `lead_samples` times, each with a gap drawn from the publication pattern and a lead up to
    that issue's last forecast day; only days forecast up to `until` (their count is known).
    The draws for a day do not depend on how many days follow it, so a month of new data
    leaves the older rows as they were."""
    gaps = publication.gaps()
    lasts = pd.date_range(days.start + WARM_UP_DAYS * DAY, until - DAY, freq="D")
    draws = np.random.default_rng(settings.random_state).random(
        (len(lasts), settings.lead_samples, 2)
    )
    chosen = gaps.iloc[(draws[..., 0] * len(gaps)).astype(int).ravel()]
    issue_gap = chosen["issue_gap"].to_numpy()
    leads = 1 + (draws[..., 1].ravel() * (issue_gap + publication.days_ahead)).astype(int)
    last = np.repeat(lasts.to_numpy(), settings.lead_samples)
    pairs = pd.DataFrame(
        {
            "issue_date": last + issue_gap * DAY,
            "last_count_day": last,
            "last_weather_day": last + chosen["weather_gap"].to_numpy() * DAY,
            "date": last + leads * DAY,
            "lead_days": leads,
        }
    )
    return pairs[pairs["date"] <= until].reset_index(drop=True)


def fit(days: Days, until: pd.Timestamp, publication: Publication, settings: ModelSettings):
    """The model fitted on the simulated issues whose days are known by `until`, recent days
    weighing more."""
    pairs = training_pairs(days, until, publication, settings)
    X = feature_frame(days, pairs, settings.features)
    y = days.at("target", days.positions(pairs["date"]))
    trainable = ~np.isnan(y) & ~np.isnan(level_of(X, settings.level_columns))
    if not trainable.any():
        raise ValueError(f"no usable training days up to {until:%Y-%m-%d}")
    age = ((until - pairs["date"]) // DAY).to_numpy(dtype=float)
    weights = 0.5 ** (age / settings.recency_half_life_days)
    model = build_model(settings)
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(X[trainable], y[trainable], sample_weight=weights[trainable])
    return model, int(trainable.sum())


# --- forecasts as the live ones are made -----------------------------------------------


def simulated_pairs(
    days: Days, publication: Publication, first_run: pd.Timestamp, last_run: pd.Timestamp
) -> pd.DataFrame:
    """The (issue, day) pairs the runs from `first_run` to `last_run` would have forecast,
    kept where the day's count is known (to score them) and forecast no earlier than
    `first_run`'s counts allow."""
    pairs = publication.forecast_days(publication.issues(first_run, last_run))
    actual = days.at("target", days.positions(pairs["date"]))
    pairs = pairs.assign(weather_known=weather_known(pairs), actual=actual)
    return pairs[~np.isnan(actual)].reset_index(drop=True)


def forecast_pairs(
    model, days: Days, pairs: pd.DataFrame, settings: ModelSettings, train_until: pd.Timestamp
) -> pd.DataFrame:
    """FORECAST_COLUMNS: the model's and the baselines' forecasts for each pair."""
    X = feature_frame(days, pairs, settings.features)
    forecasts = pairs.assign(
        model=predict(model, X) if len(pairs) else [],
        **baseline_forecasts(days, pairs, train_until),
    )
    return forecasts[FORECAST_COLUMNS]


@dataclass(frozen=True)
class Fold:
    origin: pd.Timestamp  # the first run day that uses this fold's model
    last_run: pd.Timestamp
    train_until: pd.Timestamp  # the last count published on the origin


def run_fold(
    days: Days, fold: Fold, publication: Publication, settings: ModelSettings
) -> tuple[pd.DataFrame, int]:
    """The fold's model, fitted on the counts published by its origin, forecasting every
    pair its runs issue; and its number of training rows."""
    pairs = simulated_pairs(days, publication, fold.origin, fold.last_run)
    if pairs.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS), 0
    model, rows = fit(days, fold.train_until, publication, settings)
    return forecast_pairs(model, days, pairs, settings, fold.train_until), rows


def fold_at(origin, last_run, publication: Publication) -> Fold:
    origin, last_run = pd.Timestamp(origin), pd.Timestamp(last_run)
    return Fold(origin, last_run, publication.counts.last_day(pd.DatetimeIndex([origin]))[0])


def backtest_folds(
    days: Days, publication: Publication, first_origin: str, step_months: int
) -> list[Fold]:
    """A fold every `step_months` from `first_origin`: its model serves the run days until
    the next fold's origin (the last one until the last day of the data), as a model
    retrained every `step_months` would. Only folds with history before them."""
    last_day = days.last
    origins = pd.date_range(first_origin, last_day, freq=pd.DateOffset(months=step_months))
    folds = []
    for origin, following in zip(origins, [*origins[1:], last_day + DAY], strict=True):
        fold = fold_at(origin, following - DAY, publication)
        if fold.train_until > days.start + WARM_UP_DAYS * DAY:
            folds.append(fold)
    return folds


def backtest(
    days: Days,
    publication: Publication,
    settings: ModelSettings,
    folds: list[Fold],
    n_jobs: int = 1,
) -> tuple[pd.DataFrame, list[int]]:
    """Every fold's forecasts (FORECAST_COLUMNS plus `origin`), and each fold's training
    rows. Folds run in `n_jobs` processes, each fit on one thread: the numbers do not
    depend on it."""
    results = Parallel(n_jobs=n_jobs)(
        delayed(run_fold)(days, fold, publication, settings) for fold in folds
    )
    frames = [
        forecasts.assign(origin=fold.origin)
        for fold, (forecasts, _) in zip(folds, results, strict=True)
        if not forecasts.empty
    ]
    combined = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*FORECAST_COLUMNS, "origin"])
    )
    return combined, [rows for _, rows in results]


# --- permutation importance ------------------------------------------------------------


def importance_table(
    model, X: pd.DataFrame, y: np.ndarray, repeats: int, random_state: int
) -> pd.DataFrame:
    """Permutation importance of each input column on the given rows: how much the MAE grows
    (bicycles per day) when that column is shuffled; most important first."""
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
