"""Synthetic daily tables for the model and monitoring unit tests, and a model fitted on them."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from bikeflow.features import Features
from bikeflow.model import fit_and_evaluate

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


# The model's kind of inputs: the day's weather and calendar, and the counts known before.
FORECAST_FEATURES = Features(
    numeric=(
        "daylight_hours",
        "tmax_c",
        "precipitation_mm",
        "latest_count",
        "same_weekday_mean_4_weeks",
    ),
    categorical=("weekday", "is_holiday"),
)


def evaluate(daily: pd.DataFrame, min_improvement: float = 0.1, months: int = 3):
    return fit_and_evaluate(
        daily,
        target="total",
        features=FORECAST_FEATURES,
        horizon_days=1,
        holdout_months=months,
        regressor=REGRESSOR,
        random_state=0,
        min_improvement=min_improvement,
    )
