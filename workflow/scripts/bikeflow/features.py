"""What a forecast may know, as data: the model's features, the honest time split, the naive
baselines and the scores. pandas and NumPy only, so that monitoring and reporting can use
them without loading scikit-learn.

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
than came).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
