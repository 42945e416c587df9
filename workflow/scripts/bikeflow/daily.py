"""From hourly counts to a daily table: sum, judge completeness, flag, join with weather.

The completeness rule (also in config/README.md and the daily table's schema):
a day is complete when every hour that exists on that local calendar day has a count
on every sidewalk.
That is 24 hours, except on the spring-forward day of daylight-saving time, which has 23
(the export keeps a blank row for the 02:00 that does not exist). The export folds the
repeated fall-back hour into one row, so that day counts 24 too. An incomplete day keeps
its observed hours in `hours_observed` and has no totals: a partial sum is not a day's
traffic, and summing it silently would read as a quiet day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

HOURS_IN_DAY = 24


@dataclass(frozen=True)
class Coverage:
    """Date ranges of the two sources and of the table built from both."""

    counts: tuple[date, date]
    weather: tuple[date, date]
    common: tuple[date, date] | None

    def describe(self) -> str:
        counts = f"counts {self.counts[0]} to {self.counts[1]}"
        weather = f"weather {self.weather[0]} to {self.weather[1]}"
        if self.common is None:
            return f"The sources do not overlap ({counts}; {weather})."
        start, end = self.common
        return f"Covers {start} to {end}, the days both sources have ({counts}; {weather})."

    @property
    def truncated(self) -> bool:
        """True when one source reaches beyond the common range and was cut."""
        return self.common is None or self.counts != self.weather

    def to_dict(self) -> dict:
        def pair(span):
            return None if span is None else {"start": str(span[0]), "end": str(span[1])}

        return {
            "counts": pair(self.counts),
            "weather": pair(self.weather),
            "common": pair(self.common),
        }


def hours_expected(dates: pd.Series, timezone: str) -> pd.Series:
    """Hours that exist on each local day, capped at 24 (see the module docstring)."""
    midnight = pd.to_datetime(dates).dt.tz_localize(timezone)
    next_midnight = (pd.to_datetime(dates) + pd.Timedelta(days=1)).dt.tz_localize(timezone)
    length = (next_midnight - midnight) / pd.Timedelta(hours=1)
    return length.clip(upper=HOURS_IN_DAY).astype(int)


def existing_local_hours(timestamps: pd.Series, timezone: str) -> pd.Series:
    """False for a local time that does not exist (the skipped spring-forward hour)."""
    repeated_as_first = np.zeros(len(timestamps), dtype=bool)  # fall-back hour: either is fine
    local = timestamps.dt.tz_localize(timezone, ambiguous=repeated_as_first, nonexistent="NaT")
    return local.notna()


def aggregate_daily(hourly: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """One row per day: totals of complete days, hours observed and expected, complete."""
    counts = [column for column in hourly.columns if column not in ("timestamp", "date", "hour")]
    observed = hourly.dropna(subset=counts, how="any")  # a partly blank hour is not observed
    observed = observed[existing_local_hours(observed["timestamp"], timezone)]
    grouped = observed.groupby("date")
    daily = grouped[counts].sum(min_count=1)
    daily["hours_observed"] = grouped.size()
    daily = daily.reindex(sorted(hourly["date"].unique())).rename_axis("date").reset_index()
    daily["hours_observed"] = daily["hours_observed"].fillna(0).astype(int)
    daily["hours_expected"] = hours_expected(daily["date"], timezone)
    daily["complete"] = daily["hours_observed"] >= daily["hours_expected"]
    daily[counts] = daily[counts].astype("Int64").where(daily["complete"])
    return daily[["date", *counts, "hours_observed", "hours_expected", "complete"]]


def flag_counter_issues(daily: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Add `counter_issue`: the reasons of every curated issue covering the day ('' if none).

    `issues` has start and end (inclusive dates) and a reason, as in
    resources/counter_issues.csv, validated against its schema before it gets here.
    """
    reasons = [[] for _ in range(len(daily))]
    dates = daily["date"].to_numpy()
    for issue in issues.itertuples(index=False):
        for position in np.flatnonzero((dates >= issue.start) & (dates <= issue.end)):
            reasons[position].append(issue.reason)
    return daily.assign(counter_issue=["; ".join(day) for day in reasons])


def coverage(daily_counts: pd.DataFrame, weather: pd.DataFrame) -> Coverage:
    counts = (daily_counts["date"].min(), daily_counts["date"].max())
    observed = (weather["date"].min(), weather["date"].max())
    start, end = max(counts[0], observed[0]), min(counts[1], observed[1])
    return Coverage(counts=counts, weather=observed, common=(start, end) if start <= end else None)


def join_weather(daily_counts: pd.DataFrame, weather: pd.DataFrame) -> pd.DataFrame:
    """Counts and weather side by side, for every day in the range both sources cover.

    A day inside that range that the weather file lacks keeps its counts and has
    missing weather; days outside it are left out (see Coverage.describe).
    """
    span = coverage(daily_counts, weather).common
    if span is None:
        return daily_counts.iloc[0:0].merge(weather.iloc[0:0], on="date")
    in_range = daily_counts[(daily_counts["date"] >= span[0]) & (daily_counts["date"] <= span[1])]
    return in_range.merge(weather, on="date", how="left", validate="one_to_one")
