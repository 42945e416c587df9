"""Drift settings and daily histories for the drift and results README unit tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bikeflow.drift import (
    DriftSettings,
    backtest_summary,
    drift_report,
)
from support.daily_frames import FEATURES, synthetic_daily

SETTINGS = DriftSettings(
    window_days=30,
    reference_years=2,
    bins=5,
    psi_threshold=0.2,
    ks_threshold=0.3,
    alarm_on="both",
)


def settings(**changes) -> DriftSettings:
    return DriftSettings(**(SETTINGS.__dict__ | changes))


def three_years() -> pd.DataFrame:
    """2018 to 2020: every year has the same seasons (weather, daylight and traffic)."""
    return synthetic_daily(date(2018, 1, 1), 3 * 365 + 1)  # to 2020-12-31


def drift_of(daily: pd.DataFrame, **changes) -> dict:
    return drift_report(daily, features=FEATURES, settings=settings(**changes))


def summary_of(alarms: pd.DataFrame) -> dict:
    return backtest_summary(alarms, quiet_period={"start": "2019-01-01", "end": "2019-12-31"})
