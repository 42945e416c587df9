"""What a forecast may know, as data: the model's settings and features, the naive baselines
and the scores. pandas and NumPy only, so that monitoring and reporting can use them without
loading scikit-learn.

A forecast is made for a pair (issue, day): issued on the issue date, for a day after the
last count known then (bikeflow.publication says which days those are). Its features come in
four groups, by when they are known:

- weather: the day's observed weather, known only when the day is not after the last
  published weather day; otherwise missing, and the model (trained on such rows too)
  forecasts from the calendar and the history alone: climatology, in effect;
- calendar: known for any day (daylight hours, the day of the year, weekday, holidays);
- history: computed from the counts up to the last known count day, never later
  (HISTORY_FEATURES), and the lead itself;
- categorical ones are one-hot encoded (weekday, holiday).

Usable days are complete, outside every curated counter issue and have a target value. The
history reads usable days only, and of those not the days with any `history_excludes`
weather above zero (snow stops cyclists: a snowy week says nothing about the usual level).

Errors are `predicted - actual` throughout (positive: the forecast expected more bicycles
than came).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)
WEEK = 7

# History features: a fixed name, or a pattern whose number is a window. The descriptions
# are for people (model card, config/README.md).
HISTORY_FEATURES = {
    "lead_days": "days between the last known count and the day forecast",
    "latest_count": "the count on the last known day (missing when that day is not usable)",
    "recent_mean_N_days": "the mean count of the usable days among the N days ending on the "
    "last known day",
    "same_weekday_mean_N_weeks": "the mean count of the N latest known days on the same "
    "weekday as the day forecast",
    "same_weekday_COLUMN": "the mean of a weather column over those same-weekday days (how "
    "the weather was when the level was measured)",
}
RECENT = re.compile(r"^recent_mean_(\d+)_days$")
SAME_WEEKDAY = re.compile(r"^same_weekday_mean_(\d+)_weeks$")
SAME_WEEKDAY_WEATHER = re.compile(r"^same_weekday_(?!mean_\d+_weeks$)(\w+)$")
# Computed from the date, not read from the daily table.
DATE_FEATURES = {
    "day_of_year": lambda dates: dates.dt.day_of_year,
    "weekday": lambda dates: dates.dt.day_of_week,
}
# History features that are counts, so a forecast can scale from them (model.level).
LEVEL_KINDS = ("latest", "recent", "same_weekday")
# The level the model scales from when a history feature is missing, in this order.
LEVEL_FALLBACKS = ("recent_mean_28_days", "recent_mean_7_days", "latest_count")

# Naive forecasts, held to what the model knows at the same lead (see baseline_forecasts).
BASELINES = ("latest_day", "same_weekday_latest", "seasonal_mean")


@dataclass(frozen=True)
class Features:
    """The model's input columns, by when they are known."""

    weather: tuple[str, ...]
    calendar: tuple[str, ...]
    history: tuple[str, ...]
    categorical: tuple[str, ...]

    @classmethod
    def from_config(cls, features: dict) -> Features:
        return cls(*(tuple(features[group]) for group in cls.__dataclass_fields__))

    @property
    def numeric(self) -> list[str]:
        return [*self.weather, *self.calendar, *self.history]

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def as_dict(self) -> dict[str, list[str]]:
        return {group: list(getattr(self, group)) for group in self.__dataclass_fields__}


@dataclass(frozen=True)
class ModelSettings:
    """Everything that defines the model, from the config's `model` section."""

    target: str
    features: Features
    level: str
    history_excludes: tuple[str, ...]
    recency_half_life_days: float
    lead_samples: int
    random_state: int
    regressor: dict

    @classmethod
    def from_config(cls, model: dict) -> ModelSettings:
        settings = cls(
            target=model["target"],
            features=Features.from_config(model["features"]),
            level=model["level"],
            history_excludes=tuple(model["history_excludes"]),
            recency_half_life_days=model["recency_half_life_days"],
            lead_samples=model["lead_samples"],
            random_state=model["random_state"],
            regressor=dict(model["regressor"]),
        )
        for name in settings.features.history:
            history_kind(name)  # raises for an unknown history feature
        counts = [n for n in settings.features.history if history_kind(n)[0] in LEVEL_KINDS]
        if settings.level not in counts:
            raise ValueError(
                f"model.level {settings.level!r} is not one of the history features that are "
                f"counts: {', '.join(counts) or 'none'}"
            )
        return settings

    @property
    def level_columns(self) -> tuple[str, ...]:
        """The level first, then the fallbacks the features include."""
        fallbacks = [name for name in LEVEL_FALLBACKS if name in self.features.history]
        return tuple(dict.fromkeys([self.level, *fallbacks]))


# --- rows ------------------------------------------------------------------------------


def dates_of(table: pd.DataFrame) -> pd.Series:
    """The `date` column as datetime64 (the daily table stores datetime.date)."""
    return pd.to_datetime(table["date"])


def target_values(daily: pd.DataFrame, target: str) -> pd.Series:
    """The target as float, NaN where the count is missing."""
    return daily[target].astype("Float64").astype(float)


def usable(daily: pd.DataFrame, target: str) -> pd.Series:
    """Days fit to learn from and to score on: complete, no counter issue, a target value."""
    return daily["complete"].astype(bool) & (daily["counter_issue"] == "") & daily[target].notna()


def known_target(daily: pd.DataFrame, target: str) -> np.ndarray:
    """The target where the day is usable, NaN elsewhere (a known wrong count is unknown)."""
    return target_values(daily, target).where(usable(daily, target)).to_numpy()


@dataclass(frozen=True)
class Days:
    """Consecutive days from `start`, one row each: `target` (usable counts), `history` (what
    the history features may read) and every other column of the daily table, as observed."""

    start: pd.Timestamp
    table: pd.DataFrame  # indexed by position: row i is start + i days

    @classmethod
    def from_daily(cls, daily: pd.DataFrame, settings: ModelSettings) -> Days:
        dates = dates_of(daily)
        table = daily.drop(columns="date").set_index(pd.DatetimeIndex(dates))
        table = table.assign(target=known_target(daily, settings.target))
        excluded = np.zeros(len(table), dtype=bool)
        for column in settings.history_excludes:
            excluded |= table[column].astype(float).fillna(0).to_numpy() > 0
        table["history"] = table["target"].where(~excluded)
        every_day = pd.date_range(dates.min(), dates.max(), freq="D")
        return cls(dates.min(), table.reindex(every_day).reset_index(drop=True))

    @property
    def last(self) -> pd.Timestamp:
        return self.start + (len(self.table) - 1) * DAY

    def positions(self, days: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        return ((pd.to_datetime(pd.Series(days)) - self.start) // DAY).to_numpy(dtype=int)

    def at(self, column: str, positions: np.ndarray) -> np.ndarray:
        """The column's values at `positions` as float, NaN outside the table."""
        values = self.table[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        out = np.full(len(positions), np.nan)
        inside = (positions >= 0) & (positions < len(values))
        out[inside] = values[positions[inside]]
        return out

    def values(self, column: str, positions: np.ndarray) -> np.ndarray:
        """The column's values at `positions` as they are; every position must be a day of
        the table (categorical columns have no missing value to put elsewhere)."""
        if len(positions) and (positions.min() < 0 or positions.max() >= len(self.table)):
            raise ValueError(f"days outside {self.start:%Y-%m-%d} + {len(self.table)} days")
        return self.table[column].to_numpy()[positions]


def mean_of_known(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Row means over the known (non-NaN) entries; NaN for a row with none."""
    values = np.column_stack(columns)
    known = ~np.isnan(values)
    total = np.where(known, values, 0.0).sum(axis=1)
    count = known.sum(axis=1)
    return np.divide(total, count, out=np.full(len(values), np.nan), where=count > 0)


# --- features --------------------------------------------------------------------------


def history_kind(name: str) -> tuple[str, int | str | None]:
    """What a history feature computes: ("lead", None), ("latest", None), ("recent", days),
    ("same_weekday", weeks) or ("same_weekday_weather", column)."""
    if name == "lead_days":
        return "lead", None
    if name == "latest_count":
        return "latest", None
    if match := RECENT.match(name):
        return "recent", int(match[1])
    if match := SAME_WEEKDAY.match(name):
        return "same_weekday", int(match[1])
    if match := SAME_WEEKDAY_WEATHER.match(name):
        return "same_weekday_weather", match[1]
    raise ValueError(f"{name!r} is not a history feature: {', '.join(HISTORY_FEATURES)}")


def same_weekday_positions(last: np.ndarray, day: np.ndarray, weeks: int) -> list[np.ndarray]:
    """Positions of the `weeks` latest days on or before `last` with `day`'s weekday."""
    back = -(-(day - last) // WEEK)  # whole weeks back to the first one at or before `last`
    return [day - WEEK * (back + week) for week in range(weeks)]


def history_features(days: Days, pairs: pd.DataFrame, names: Sequence[str]) -> dict:
    """Each named history feature for every pair, from the days up to its last count day."""
    last = days.positions(pairs["last_count_day"])
    day = days.positions(pairs["date"])
    weeks = max([n for kind, n in map(history_kind, names) if kind == "same_weekday"] or [4])
    same_weekday = same_weekday_positions(last, day, weeks)
    same_weekday_counts = [days.at("history", position) for position in same_weekday]
    features = {}
    for name in names:
        kind, n = history_kind(name)
        if kind == "lead":
            features[name] = (day - last).astype(float)
        elif kind == "latest":
            features[name] = days.at("history", last)
        elif kind == "recent":
            features[name] = mean_of_known([days.at("history", last - k) for k in range(n)])
        elif kind == "same_weekday":
            features[name] = mean_of_known(same_weekday_counts[:n])
        else:  # the weather on the same-weekday days whose count is known
            features[name] = mean_of_known(
                [
                    np.where(np.isnan(count), np.nan, days.at(n, position))
                    for count, position in zip(same_weekday_counts, same_weekday, strict=True)
                ]
            )
    return features


def feature_frame(days: Days, pairs: pd.DataFrame, features: Features) -> pd.DataFrame:
    """The model's input for each pair: weather where known (missing otherwise), calendar,
    history as of the last count day; numeric columns as float, categorical as they are."""
    day = days.positions(pairs["date"])
    known = (pairs["date"] <= pairs["last_weather_day"]).to_numpy()
    history = history_features(days, pairs, features.history)
    dates = pd.to_datetime(pairs["date"]).reset_index(drop=True)
    columns = {}
    for name in features.columns:
        if name in history:
            column = history[name]
        elif name in DATE_FEATURES:
            column = DATE_FEATURES[name](dates).to_numpy()
        elif name in days.table.columns:
            column = days.values(name, day)
        else:
            raise ValueError(f"feature {name!r} is neither a daily-table column nor derived")
        if name in features.numeric:
            column = pd.array(column, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
        if name in features.weather:
            column = np.where(known, column, np.nan)
        columns[name] = column
    return pd.DataFrame(columns)


def level_of(X: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The level each forecast scales from: the first of `columns` that is known."""
    level = np.full(len(X), np.nan)
    for column in columns:
        level = np.where(np.isnan(level), X[column].to_numpy(dtype=float), level)
    return level


# --- baselines -------------------------------------------------------------------------


def baseline_forecasts(days: Days, pairs: pd.DataFrame, train_until: pd.Timestamp) -> dict:
    """Every baseline's forecast for each pair, knowing what the model knows: the count of the
    last known day; the latest known count on the same weekday (up to 8 weeks back); the mean
    of the day's month and weekday over the usable days up to `train_until`."""
    last = days.positions(pairs["last_count_day"])
    day = days.positions(pairs["date"])
    same_weekday = np.full(len(pairs), np.nan)
    for position in same_weekday_positions(last, day, 8):
        same_weekday = np.where(np.isnan(same_weekday), days.at("target", position), same_weekday)
    return {
        "latest_day": days.at("target", last),
        "same_weekday_latest": same_weekday,
        "seasonal_mean": seasonal_mean(days, pd.to_datetime(pairs["date"]), train_until),
    }


def seasonal_mean(days: Days, dates: pd.Series, train_until: pd.Timestamp) -> np.ndarray:
    """Mean usable count by month and weekday up to `train_until`; NaN for an unseen pair."""
    every_day = pd.date_range(days.start, periods=len(days.table), freq="D")
    history = pd.DataFrame(
        {"month": every_day.month, "weekday": every_day.day_of_week, "y": days.table["target"]}
    )
    means = history[np.asarray(every_day <= train_until)].groupby(["month", "weekday"])["y"].mean()
    wanted = pd.MultiIndex.from_arrays([dates.dt.month, dates.dt.day_of_week])
    return means.reindex(wanted).to_numpy(dtype=float)


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
