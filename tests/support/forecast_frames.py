"""Small forecast tables for the unit tests of calibration, evaluation and the issued
records: few rows, numbers chosen to be checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bikeflow.calibration import CalibrationSettings
from bikeflow.forecast import RECORD_COLUMNS


def days(first: str, count: int) -> pd.DatetimeIndex:
    return pd.date_range(first, periods=count, freq="D")


def forecasts(dates, *, actual, model, lead_days=3, weather_known=True, **columns) -> pd.DataFrame:
    """Forecasts of `dates` (date, lead_days, weather_known, actual, model and any other
    column); a single value is used on every row, a list cycles over the rows."""
    dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    values = {
        "lead_days": lead_days,
        "weather_known": weather_known,
        "actual": actual,
        "model": model,
        **columns,
    }
    return pd.DataFrame(
        {"date": dates, **{name: cycle(v, len(dates)) for name, v in values.items()}}
    )


def cycle(value, length: int) -> np.ndarray:
    values = np.atleast_1d(np.asarray(value, dtype=object if isinstance(value, str) else None))
    return np.resize(values, length)


def settings(lead_bands=(7,), interval=0.8, years=2.0) -> CalibrationSettings:
    return CalibrationSettings(tuple(lead_bands), interval, years)


def record(issue_date: str, first_day: str, count: int, **columns) -> pd.DataFrame:
    """An issued record (RECORD_COLUMNS and one source sha256): `count` days from `first_day`,
    leads from 1, weather observed, forecast 1000 in 800 to 1200 expecting 100 off."""
    dates = days(first_day, count)
    frame = pd.DataFrame(
        {
            "issue_date": issue_date,
            "date": dates.strftime("%Y-%m-%d"),
            "lead_days": np.arange(1, count + 1),
            "weather": "observed",
            "forecast": 1000,
            "lower": 800,
            "upper": 1200,
            "expected_abs_error": 100,
            "model_sha256": "a" * 64,
            "fremont_bridge_sha256": "b" * 64,
        }
    )
    for name, value in columns.items():
        frame[name] = cycle(value, count)
    return frame[[*RECORD_COLUMNS, "fremont_bridge_sha256"]]


def daily_counts(first_day: str, totals) -> pd.DataFrame:
    """A daily table's count columns: complete days without a counter issue."""
    return pd.DataFrame(
        {
            "date": days(first_day, len(totals)).date,
            "total": pd.array(totals, dtype="Int64"),
            "complete": True,
            "counter_issue": "",
        }
    )
