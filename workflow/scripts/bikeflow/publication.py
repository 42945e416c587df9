"""When the sources publish their data, and so what a forecast issued on a day may know.

A source publishes on a pattern (`sources.<name>.published` in the config): every day, up to
a few days before (`every: day`, `lag_days`), or once a month, everything up to the end of
the month before (`every: month`, `day`: the day of the month it appears). On a run day the
counts are known up to the counts source's last published day, the weather up to the
weather source's. The issue date of a forecast is the last day the sources cover (the later
of the two), so it comes from the data, never from the clock; the forecast covers every day
from the day after the last published count to `days_ahead` days after the issue date. Its
lead is the number of days between the last known count and the day forecast, and the
weather of a day is known when that day is not after the weather's last published day.

The holdout, the backtest and the live forecasts all follow this one rule, so the error the
backtest measures at a lead is the error a published forecast at that lead should expect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)
ISSUE_COLUMNS = ["issue_date", "last_count_day", "last_weather_day", "date", "lead_days"]


@dataclass(frozen=True)
class SourcePublication:
    """One source's publication pattern."""

    every: str  # "day" or "month"
    lag_days: int = 0  # every day: the last published day is this many days before
    day: int = 1  # every month: on this day, up to the end of the month before

    @classmethod
    def from_config(cls, published: dict) -> SourcePublication:
        if published["every"] == "day":
            return cls("day", lag_days=published["lag_days"])
        return cls("month", day=published["day"])

    def last_day(self, runs: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """The last day with data on each run day."""
        runs = pd.DatetimeIndex(runs).normalize()
        if self.every == "day":
            return runs - self.lag_days * DAY
        month_start = runs.to_period("M").to_timestamp()
        before_release = runs.day < self.day
        month_start = month_start.where(~before_release, month_start - pd.DateOffset(months=1))
        return pd.DatetimeIndex(month_start) - DAY


@dataclass(frozen=True)
class Publication:
    """The counts' and the weather's patterns, and how far ahead forecasts go."""

    counts: SourcePublication
    weather: SourcePublication
    days_ahead: int

    @classmethod
    def from_config(cls, counts: dict, weather: dict, days_ahead: int) -> Publication:
        return cls(
            SourcePublication.from_config(counts),
            SourcePublication.from_config(weather),
            days_ahead,
        )

    def issues(self, first_run, last_run) -> pd.DataFrame:
        """The issues made by the runs from `first_run` to `last_run`: issue_date,
        last_count_day and last_weather_day, one row per issue date (a run whose issue date
        was issued before issues nothing new: the first issue stands, as a record does)."""
        runs = pd.date_range(first_run, last_run, freq="D")
        counts = self.counts.last_day(runs)
        weather = self.weather.last_day(runs)
        issues = pd.DataFrame(
            {
                "issue_date": np.maximum(counts, weather),
                "last_count_day": counts,
                "last_weather_day": weather,
            }
        )
        return issues.drop_duplicates("issue_date", keep="first").reset_index(drop=True)

    def forecast_days(self, issues: pd.DataFrame) -> pd.DataFrame:
        """Every (issue, day) pair the issues forecast: ISSUE_COLUMNS, one row per day from
        the day after the last count to `days_ahead` days after the issue date."""
        first = issues["last_count_day"] + DAY
        last = issues["issue_date"] + self.days_ahead * DAY
        lengths = ((last - first) // DAY + 1).clip(lower=0).to_numpy(dtype=int)
        rows = issues.loc[issues.index.repeat(lengths)].reset_index(drop=True)
        steps = np.concatenate([np.arange(length) for length in lengths]) if len(rows) else []
        rows["date"] = rows["last_count_day"] + (np.asarray(steps, dtype=int) + 1) * DAY
        rows["lead_days"] = ((rows["date"] - rows["last_count_day"]) // DAY).astype(int)
        return rows[ISSUE_COLUMNS]

    def gaps(self) -> pd.DataFrame:
        """How far an issue's known data reach past the last count, over a year of runs:
        weather_gap (last weather day - last count day) and issue_gap (issue date - last
        count day), one row per issue. Training draws its leads from these, so the model
        learns the leads and the weather it will be asked about."""
        issues = self.issues("2001-01-01", "2001-12-31")
        return pd.DataFrame(
            {
                "weather_gap": (issues["last_weather_day"] - issues["last_count_day"]) // DAY,
                "issue_gap": (issues["issue_date"] - issues["last_count_day"]) // DAY,
            }
        )


def weather_known(pairs: pd.DataFrame) -> np.ndarray:
    """True where the day forecast is not after the last published weather day."""
    return (pairs["date"] <= pairs["last_weather_day"]).to_numpy()


def lead_band(leads, upper_bounds: list[int]) -> np.ndarray:
    """The band of each lead as text: with bounds [7, 14, 28], "1-7", "8-14", "15-28", "29+"."""
    labels = band_labels(upper_bounds)
    positions = np.searchsorted(np.asarray(upper_bounds), np.asarray(leads), side="left")
    return np.asarray(labels, dtype=object)[positions]


def band_labels(upper_bounds: list[int]) -> list[str]:
    lowers = [1, *(bound + 1 for bound in upper_bounds)]
    return [f"{low}-{high}" for low, high in zip(lowers, upper_bounds, strict=False)] + [
        f"{lowers[-1]}+"
    ]


ALL = "all"  # the label of every lead together, after the bands


def by_band(forecasts: pd.DataFrame, upper_bounds: list[int]):
    """(label, rows) for each lead band that has rows (by `lead_days`), then (ALL, every row)
    if there is any: the rows of a table reported by lead."""
    labels = lead_band(forecasts["lead_days"], upper_bounds)
    for band in [*band_labels(upper_bounds), ALL]:
        group = forecasts if band == ALL else forecasts[labels == band]
        if not group.empty:
            yield band, group
