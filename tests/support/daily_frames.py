"""Synthetic daily tables, model settings and a publication pattern for the model and
monitoring unit tests."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from bikeflow.features import Features, ModelSettings
from bikeflow.publication import Publication, SourcePublication

# Small and quick; the shape of the config's `model.regressor`.
REGRESSOR = {
    "max_iter": 30,
    "learning_rate": 0.2,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 5,
    "l2_regularization": 0.0,
}
# The model's inputs, by when they are known.
FEATURES = Features(
    weather=("tmax_c", "precipitation_mm"),
    calendar=("daylight_hours", "day_of_year"),
    history=("lead_days", "latest_count", "recent_mean_7_days", "same_weekday_mean_4_weeks"),
    categorical=("weekday", "is_holiday"),
)
SETTINGS = ModelSettings(
    target="total",
    features=FEATURES,
    level="same_weekday_mean_4_weeks",
    history_excludes=("snowfall_mm", "snow_depth_mm"),
    recency_half_life_days=365,
    lead_samples=2,
    random_state=0,
    regressor=REGRESSOR,
)
# As the config's sources publish: counts monthly on the 5th, weather daily two days behind.
PUBLICATION = Publication(
    SourcePublication("month", day=5), SourcePublication("day", lag_days=2), days_ahead=7
)


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
