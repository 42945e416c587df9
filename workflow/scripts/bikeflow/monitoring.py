"""Watch the data the model lives on: the sources' freshness, the daily table's gaps and
the days the model got most wrong (drift has its own module, bikeflow.drift).

Nothing here looks at today's date: freshness is measured between the sources, so results
change only when the data do.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bikeflow.formats import iso

# The hourly table's columns that are not counts, and the weather table's that are not values.
HOURLY_KEYS = ("timestamp", "date", "hour")
WEATHER_KEYS = ("date", "quality_flagged")
# What a worst day's row carries besides its weather (the weather columns come first).
WORST_DAY_FORECAST = ["date", "actual", "predicted", "error", "abs_error"]
WORST_DAY_FLAGS = ["complete", "counter_issue", "holiday"]


def count_columns_of(hourly: pd.DataFrame) -> list[str]:
    """The count columns of the hourly table (the counts source's, whatever their names)."""
    return [column for column in hourly.columns if column not in HOURLY_KEYS]


def weather_columns_of(weather: pd.DataFrame) -> list[str]:
    """The value columns of the weather table."""
    return [column for column in weather.columns if column not in WEATHER_KEYS]


def worst_day_columns(weather_columns: Sequence[str]) -> list[str]:
    """The columns of worst_days.csv, when the daily table has them all."""
    return [*WORST_DAY_FORECAST, *weather_columns, *WORST_DAY_FLAGS]


def _dates_of(table: pd.DataFrame) -> pd.Series:
    """The `date` column as datetime64 (the tables store datetime.date)."""
    return pd.to_datetime(table["date"])


# --- data health -----------------------------------------------------------------------


def observed_range(table: pd.DataFrame, value_columns: Sequence[str]) -> tuple | None:
    """First and last date with at least one value in `value_columns`, or None."""
    observed = table.loc[table[list(value_columns)].notna().any(axis=1), "date"]
    if observed.empty:
        return None
    dates = pd.to_datetime(observed)
    return dates.min(), dates.max()


def source_health(ranges: dict[str, tuple | None], staleness_days: int) -> list[dict]:
    """Each source's first and last observation and how many days its last one lags the
    newest source's; stale when the lag exceeds `staleness_days` (or it has no data)."""
    lasts = [span[1] for span in ranges.values() if span is not None]
    newest = max(lasts) if lasts else None
    sources = []
    for name, span in ranges.items():
        if span is None:
            sources.append(
                {"name": name, "first": None, "last": None, "lag_days": None, "stale": True}
            )
            continue
        lag = (newest - span[1]).days
        sources.append(
            {
                "name": name,
                "first": iso(span[0]),
                "last": iso(span[1]),
                "lag_days": lag,
                "stale": lag > staleness_days,
            }
        )
    return sources


def daily_health(daily: pd.DataFrame, weather_columns: Sequence[str]) -> dict:
    dates = _dates_of(daily)
    complete = daily["complete"].astype(bool)
    weather = [column for column in weather_columns if column in daily.columns]
    missing = daily[weather].isna()
    return {
        "rows": len(daily),
        "start": iso(dates.min()) if len(daily) else None,
        "end": iso(dates.max()) if len(daily) else None,
        "complete_days": int(complete.sum()),
        "incomplete_days": int((~complete).sum()),
        "counter_issue_days": int((daily["counter_issue"] != "").sum()),
        "missing_weather_days": int(missing.any(axis=1).sum()),
        "missing_weather_by_element": {column: int(missing[column].sum()) for column in weather},
        # Values GHCN's own quality control failed: blanked in the tables, counted here.
        "quality_flagged_days": int((daily["quality_flagged"] != "").sum())
        if "quality_flagged" in daily.columns
        else 0,
    }


def health_report(
    hourly: pd.DataFrame,
    weather: pd.DataFrame,
    daily: pd.DataFrame,
    staleness_days: int,
    names: tuple[str, str] = ("counts", "weather"),
) -> dict:
    """Freshness of each source (the counts in hourly_counts, the weather in weather), under
    `names` (the sources' names in config), and the daily table's coverage and gaps."""
    counts_name, weather_name = names
    ranges = {
        counts_name: observed_range(hourly, count_columns_of(hourly)),
        weather_name: observed_range(weather, weather_columns_of(weather)),
    }
    sources = source_health(ranges, staleness_days)
    newest = max((source["last"] for source in sources if source["last"]), default=None)
    return {
        "newest_observation": newest,
        "staleness_days": staleness_days,
        "stale_sources": [source["name"] for source in sources if source["stale"]],
        "sources": sources,
        "daily_table": daily_health(daily, weather_columns_of(weather)),
    }


# --- worst days ------------------------------------------------------------------------


def worst_days(
    forecasts: pd.DataFrame, daily: pd.DataFrame, count: int, weather_columns: Sequence[str]
) -> pd.DataFrame:
    """The `count` holdout days with the largest mean absolute error over their forecasts
    (each day is forecast by several issues, at several leads; error = predicted - actual),
    with their weather (`weather_columns` of the daily table) and flags; ties by date."""
    errors = forecasts.assign(
        date=pd.to_datetime(forecasts["date"]),
        error=forecasts["model"].astype(float) - forecasts["actual"].astype(float),
    )
    by_day = errors.groupby("date")
    table = pd.DataFrame(
        {
            "actual": by_day["actual"].first().astype(float),
            "predicted": by_day["model"].mean(),
            "error": by_day["error"].mean(),
            "abs_error": by_day["error"].apply(lambda error: error.abs().mean()),
        }
    ).reset_index()
    table = table.sort_values(["abs_error", "date"], ascending=[False, True], kind="stable")
    context = daily.assign(date=_dates_of(daily))
    columns = [column for column in [*weather_columns, *WORST_DAY_FLAGS] if column in context]
    table = table.head(count).merge(context[["date", *columns]], on="date", how="left")
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    table["actual"] = table["actual"].round().astype("Int64")
    for column in ["predicted", "error", "abs_error"]:
        table[column] = table[column].round(1)
    return table[["date", "actual", "predicted", "error", "abs_error", *columns]]
