"""From hourly counts to a daily table: sum, judge completeness, flag, join with weather.

The completeness rule (also in config/README.md and the daily table's schema):
a day is complete when every hour that exists on that local calendar day has a count
in every count column (the total and its parts).
That is 24 hours, except on the spring-forward day of daylight-saving time, which has 23
(the export keeps a blank row for the 02:00 that does not exist). The export folds the
repeated fall-back hour into one row, so that day counts 24 too. An incomplete day keeps
its observed hours in `hours_observed` and has no totals: a partial sum is not a day's
traffic, and summing it silently would read as a quiet day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

HOURS_IN_DAY = 24


@dataclass(frozen=True)
class Coverage:
    """First and last day of the two sources and of the range both have (None when they
    share no day). `names` are the sources' names in the config, for messages and JSON."""

    counts: tuple[date, date]
    weather: tuple[date, date]
    common: tuple[date, date] | None
    names: tuple[str, str] = ("counts", "weather")

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

    def ranges_text(self) -> str:
        """Each source's range by name: "fremont_bridge 2020-01-01 to 2021-06-30; ..."."""
        spans = zip(self.names, (self.counts, self.weather), strict=True)
        return "; ".join(f"{name} {start} to {end}" for name, (start, end) in spans)

    def to_dict(self) -> dict:
        """The record results/tables/coverage.json holds: each source's first and last day
        (with its role in the daily table) and the common range with its length in days."""

        def span(pair):
            return {"first_day": str(pair[0]), "last_day": str(pair[1])}

        common = None
        if self.common is not None:
            common = {**span(self.common), "days": (self.common[1] - self.common[0]).days + 1}
        counts_name, weather_name = self.names
        return {
            "sources": {
                counts_name: {"role": "counts", **span(self.counts)},
                weather_name: {"role": "weather", **span(self.weather)},
            },
            "common": common,
        }

    @classmethod
    def from_dict(cls, record: dict) -> Coverage:
        by_role = {source["role"]: (name, source) for name, source in record["sources"].items()}

        def span(entry):
            return (date.fromisoformat(entry["first_day"]), date.fromisoformat(entry["last_day"]))

        common = record["common"]
        return cls(
            counts=span(by_role["counts"][1]),
            weather=span(by_role["weather"][1]),
            common=None if common is None else span(common),
            names=(by_role["counts"][0], by_role["weather"][0]),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        return cls.from_dict(json.loads(text))


def no_overlap_problem(span: Coverage) -> str | None:
    """Why no daily table can be built from the two sources, or None when they share days."""
    if span.common is not None:
        return None
    counts_name, weather_name = span.names
    return (
        f"{counts_name} and {weather_name} have no day in common ({span.ranges_text()}), "
        "so there is no daily table to build. Is each source's url (sources.<name>.url "
        "in the config) the data meant?"
    )


def holdout_start(last_day: date, months: int) -> date:
    """First day of a holdout of the last `months` calendar months up to `last_day`."""
    return (pd.Timestamp(last_day) + pd.Timedelta(days=1) - pd.DateOffset(months=months)).date()


def holdout_problem(span: Coverage, holdout_months: int) -> str | None:
    """Why the common range is too short for the model's holdout, or None: the model
    needs days to train on before the holdout, the last `holdout_months` months."""
    if span.common is None:
        return no_overlap_problem(span)
    first, last = span.common
    start = holdout_start(last, holdout_months)
    if first < start:
        return None
    days = (last - first).days + 1
    return (
        f"The overlap of the sources is too short for the model: {span.names[0]} and "
        f"{span.names[1]} share {first} to {last} ({days} days; {span.ranges_text()}), "
        f"but the holdout (model.holdout_months: {holdout_months}) alone takes the last "
        f"{holdout_months} months, from {start}, leaving no day before it to train on."
    )


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


def coverage(
    daily_counts: pd.DataFrame,
    weather: pd.DataFrame,
    names: tuple[str, str] = ("counts", "weather"),
) -> Coverage:
    """The date ranges of counts and weather (each has at least one row: validated sources
    have rows) and of the days both have; `names` are the two sources' names."""
    counts = _first_and_last_day(daily_counts["date"])
    observed = _first_and_last_day(weather["date"])
    start, end = max(counts[0], observed[0]), min(counts[1], observed[1])
    common = (start, end) if start <= end else None
    return Coverage(counts=counts, weather=observed, common=common, names=names)


def _first_and_last_day(dates: pd.Series) -> tuple[date, date]:
    return pd.Timestamp(dates.min()).date(), pd.Timestamp(dates.max()).date()


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
