"""The model's primary alarm: its live error against the error the backtest says is normal.

As of a day (the last published count), the forecasts for the `window_days` days up to it
are compared with what was expected of them when they were issued: the ratio of their
absolute errors to their expected absolute errors (each forecast carries its own, from its
lead and whether its weather was known; bikeflow.calibration). The alarm fires when the
ratio is above `max_ratio`. Run as of every month end of the backtest, on the backtest's
own forecasts calibrated as the published ones are, the same rule gives the alarm's false
alarms in a quiet period and its delay after a known change: measured, not assumed.

Nothing here reads the clock or a later count than the evaluation day: the live state is
computed from the issued records and the counts published since.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bikeflow.formats import iso
from bikeflow.publication import SourcePublication

TIMELINE_COLUMNS = ["as_of", "forecasts", "mae", "expected_mae", "ratio", "coverage"]


@dataclass(frozen=True)
class LiveErrorSettings:
    window_days: int
    max_ratio: float

    @classmethod
    def from_config(cls, live_error: dict) -> LiveErrorSettings:
        return cls(live_error["window_days"], live_error["max_ratio"])


def window(scored: pd.DataFrame, as_of: pd.Timestamp, days: int) -> dict:
    """The scored forecasts (date, actual, forecast, expected_abs_error, lower, upper) of the
    `days` days up to `as_of`, summed up."""
    inside = scored[(scored["date"] > as_of - pd.Timedelta(days=days)) & (scored["date"] <= as_of)]
    inside = inside.dropna(subset=["expected_abs_error"])
    if inside.empty:
        return {
            "as_of": iso(as_of),
            "forecasts": 0,
            "mae": None,
            "expected_mae": None,
            "ratio": None,
            "coverage": None,
        }
    errors = (inside["forecast"] - inside["actual"]).abs()
    covered = (inside["actual"] >= inside["lower"]) & (inside["actual"] <= inside["upper"])
    expected = float(inside["expected_abs_error"].sum())
    return {
        "as_of": iso(as_of),
        "forecasts": len(inside),
        "mae": float(errors.mean()),
        "expected_mae": float(inside["expected_abs_error"].mean()),
        "ratio": float(errors.sum()) / expected if expected > 0 else None,
        "coverage": float(covered.mean()),
    }


def timeline(scored: pd.DataFrame, as_ofs, days: int) -> pd.DataFrame:
    """window() as of each day of `as_ofs`."""
    return pd.DataFrame(
        [window(scored, pd.Timestamp(day), days) for day in as_ofs], columns=TIMELINE_COLUMNS
    )


def alarming(ratio, max_ratio: float) -> bool:
    return (
        ratio is not None
        and not (isinstance(ratio, float) and np.isnan(ratio))
        and ratio > max_ratio
    )


def backtest_summary(
    months: pd.DataFrame,
    settings: LiveErrorSettings,
    quiet_period: dict,
    known_change: dict,
    counts: SourcePublication,
) -> dict:
    """What the alarm, applied to the backtest's timeline, measured: false alarms in the
    quiet period (nothing changed how people ride: every alarm there is a false one) and the
    delay after the known change, counted to the day its counts were published (when people
    would have been told)."""
    months = months.dropna(subset=["ratio"])
    months = months.assign(alarm=[alarming(ratio, settings.max_ratio) for ratio in months["ratio"]])
    quiet = months[
        (months["as_of"] >= quiet_period["start"]) & (months["as_of"] <= quiet_period["end"])
    ]
    monitored_before = bool((months["as_of"] < known_change["date"]).any())
    after = months[(months["as_of"] >= known_change["date"]) & months["alarm"]]
    summary = {
        "window_days": settings.window_days,
        "max_ratio": settings.max_ratio,
        "month_ends": len(months),
        "quiet_period": {
            **quiet_period,
            "month_ends": len(quiet),
            "alarm_month_ends": int(quiet["alarm"].sum()),
            "false_alarm_rate": float(quiet["alarm"].mean()) if len(quiet) else None,
            "alarms": quiet.loc[quiet["alarm"], "as_of"].tolist(),
        },
        "known_change": {
            **known_change,
            "monitored_before": monitored_before,
            "first_alarm": None,
            "published": None,
            "days_after": None,
        },
    }
    if monitored_before and not after.empty:
        first = pd.Timestamp(after["as_of"].iloc[0])
        published = first_run_knowing(first, counts)
        summary["known_change"] |= {
            "first_alarm": iso(first),
            "published": iso(published),
            "days_after": (published - pd.Timestamp(known_change["date"])).days,
        }
    return summary


def first_run_knowing(day: pd.Timestamp, counts: SourcePublication) -> pd.Timestamp:
    """The first run day on which the counts of `day` are published."""
    runs = pd.date_range(day, day + pd.Timedelta(days=400), freq="D")
    return runs[np.argmax(counts.last_day(runs) >= day)]


def state(
    scored: pd.DataFrame, as_of: pd.Timestamp, settings: LiveErrorSettings, backtest: dict
) -> dict:
    """The live alarm as of the last published count: the window's numbers, the threshold,
    and what the backtest measured of the same rule."""
    numbers = window(scored, as_of, settings.window_days)
    return {
        **numbers,
        "window_days": settings.window_days,
        "max_ratio": settings.max_ratio,
        "alarm": alarming(numbers["ratio"], settings.max_ratio),
        "backtest": {
            "false_alarm_rate": backtest["quiet_period"]["false_alarm_rate"],
            "quiet_period": {
                key: backtest["quiet_period"][key]
                for key in ("start", "end", "month_ends", "alarm_month_ends")
            },
            "known_change": backtest["known_change"],
        },
    }
