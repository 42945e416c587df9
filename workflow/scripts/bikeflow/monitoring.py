"""Watch the data the model lives on: feature drift, the sources' freshness and the days the
model got most wrong.

Nothing here looks at today's date: freshness is measured between the sources, so results
change only when the data do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from bikeflow.model import (
    TIME_INDEX_FEATURES,
    Features,
    dates_of,
    feature_frame,
    iso,
    target_values,
    time_split,
    usable,
)

WEATHER_COLUMNS = [
    "precipitation_mm",
    "snowfall_mm",
    "snow_depth_mm",
    "tmax_c",
    "tmin_c",
    "wind_mean_m_s",
]
COUNT_COLUMNS = ["total", "west", "east"]
# A bin one window leaves empty gets this share instead of 0, so the PSI stays finite.
PSI_EPSILON = 1e-4
WORST_DAY_COLUMNS = [
    "date",
    "actual",
    "predicted",
    "error",
    "abs_error",
    *WEATHER_COLUMNS,
    "complete",
    "counter_issue",
    "holiday",
]


# --- drift -----------------------------------------------------------------------------


def quantile_edges(reference: np.ndarray, bins: int) -> np.ndarray:
    """Inner bin edges at the reference's quantiles, duplicates merged: the bins are
    (-inf, e1), [e1, e2), ..., [e_last, inf). A feature with a heavy point mass (dry days)
    gets fewer, wider bins rather than empty ones; when the mass is the reference's minimum,
    the first bin holds only values below anything the reference has seen."""
    quantiles = np.quantile(reference, np.linspace(0, 1, bins + 1))
    return np.unique(quantiles[1:-1])


def shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return counts / len(values)


def psi_of_shares(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index: sum over bins of (c - r) * ln(c / r)."""
    reference = np.maximum(reference, PSI_EPSILON)
    current = np.maximum(current, PSI_EPSILON)
    return float(np.sum((current - reference) * np.log(current / reference)))


def psi(reference: np.ndarray, current: np.ndarray, bins: int) -> float:
    """PSI of a numeric feature over `bins` quantile bins of the reference."""
    edges = quantile_edges(reference, bins)
    return psi_of_shares(shares(reference, edges), shares(current, edges))


def categorical_psi(reference: np.ndarray, current: np.ndarray) -> float:
    """PSI of a categorical feature, one bin per category seen in either window."""
    categories = np.unique(np.concatenate([reference, current]))
    return psi_of_shares(
        np.array([np.mean(reference == category) for category in categories]),
        np.array([np.mean(current == category) for category in categories]),
    )


def feature_drift(
    name: str,
    reference: np.ndarray,
    current: np.ndarray,
    *,
    categorical: bool,
    bins: int,
    psi_threshold: float,
    ks_threshold: float,
) -> dict:
    """KS test and PSI of one feature's two samples (missing values dropped)."""
    reference = reference[~np.isnan(reference)]
    current = current[~np.isnan(current)]
    row = {
        "feature": name,
        "kind": "categorical" if categorical else "numeric",
        "reference_rows": len(reference),
        "current_rows": len(current),
    }
    if len(reference) == 0 or len(current) == 0:
        return {**row, "ks_statistic": None, "ks_pvalue": None, "psi": None, "drifted": False}
    ks = ks_2samp(reference, current)
    index = categorical_psi(reference, current) if categorical else psi(reference, current, bins)
    return {
        **row,
        "ks_statistic": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "psi": index,
        "drifted": bool(index > psi_threshold or ks.statistic > ks_threshold),
    }


def as_numbers(column: pd.Series, categorical: bool) -> np.ndarray:
    """Float values for the tests; a categorical column as the codes of its sorted
    categories (any type, booleans and strings too), NaN where missing."""
    if not categorical:
        return column.astype(float).to_numpy()
    codes, _ = pd.factorize(column, sort=True)
    return np.where(codes >= 0, codes, np.nan).astype(float)


def drift_report(
    daily: pd.DataFrame,
    *,
    target: str,
    features: Features,
    holdout_months: int,
    window_days: int,
    bins: int,
    psi_threshold: float,
    ks_threshold: float,
) -> dict:
    """Compare the training period (the days before the holdout) with the last
    `window_days` days of the daily table, feature by feature and for the target.

    Features are taken on every day of each window (missing values dropped); the target
    only on usable days, the ones the model learns from and is scored on.
    """
    daily = daily.reset_index(drop=True)
    dates = dates_of(daily)
    split = time_split(daily, target, holdout_months)
    windows = {
        "reference": (dates < split.start).to_numpy(),
        "current": (dates > dates.max() - pd.Timedelta(days=window_days)).to_numpy(),
    }
    X = feature_frame(daily, features)
    ok = usable(daily, target).to_numpy()
    compared = [name for name in features.columns if name not in TIME_INDEX_FEATURES]
    columns = {name: as_numbers(X[name], name in features.categorical) for name in compared}
    columns[target] = np.where(ok, target_values(daily, target).to_numpy(), np.nan)

    results = [
        feature_drift(
            name,
            values[windows["reference"]],
            values[windows["current"]],
            categorical=name in features.categorical,
            bins=bins,
            psi_threshold=psi_threshold,
            ks_threshold=ks_threshold,
        )
        for name, values in columns.items()
    ]
    results[-1]["kind"] = "target"

    def window(mask: np.ndarray) -> dict:
        chosen = dates[mask]
        if chosen.empty:
            return {"start": None, "end": None, "days": 0, "usable_days": 0}
        return {
            "start": iso(chosen.min()),
            "end": iso(chosen.max()),
            "days": int(mask.sum()),
            "usable_days": int((mask & ok).sum()),
        }

    return {
        "reference": {"description": "the training period: every day before the holdout"}
        | window(windows["reference"]),
        "current": {"description": f"the last {window_days} days of the daily table"}
        | window(windows["current"]),
        "psi_bins": bins,
        "psi_threshold": psi_threshold,
        "ks_threshold": ks_threshold,
        "drifted": [row["feature"] for row in results if row["drifted"]],
        "features": results,
        "not_compared": [
            {"feature": name, "reason": "counts time: the current window is later by construction"}
            for name in features.columns
            if name in TIME_INDEX_FEATURES
        ],
    }


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


def daily_health(daily: pd.DataFrame) -> dict:
    dates = dates_of(daily)
    complete = daily["complete"].astype(bool)
    weather = [column for column in WEATHER_COLUMNS if column in daily.columns]
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
        counts_name: observed_range(hourly, [c for c in COUNT_COLUMNS if c in hourly.columns]),
        weather_name: observed_range(weather, [c for c in WEATHER_COLUMNS if c in weather.columns]),
    }
    sources = source_health(ranges, staleness_days)
    newest = max((source["last"] for source in sources if source["last"]), default=None)
    return {
        "newest_observation": newest,
        "staleness_days": staleness_days,
        "stale_sources": [source["name"] for source in sources if source["stale"]],
        "sources": sources,
        "daily_table": daily_health(daily),
    }


# --- worst days ------------------------------------------------------------------------


def worst_days(predictions: pd.DataFrame, daily: pd.DataFrame, count: int) -> pd.DataFrame:
    """The `count` holdout days with the largest absolute error (error = predicted - actual),
    with their weather and flags; ties by date."""
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(predictions["date"]),
            "actual": predictions["actual"].astype(float),
            "predicted": predictions["model"].astype(float),
        }
    )
    table["error"] = table["predicted"] - table["actual"]
    table["abs_error"] = table["error"].abs()
    table = table.sort_values(["abs_error", "date"], ascending=[False, True], kind="stable")
    context = daily.assign(date=dates_of(daily))
    columns = [column for column in WORST_DAY_COLUMNS[5:] if column in context.columns]
    table = table.head(count).merge(context[["date", *columns]], on="date", how="left")
    table["date"] = table["date"].dt.strftime("%Y-%m-%d")
    table["actual"] = table["actual"].round().astype("Int64")
    for column in ["predicted", "error", "abs_error"]:
        table[column] = table[column].round(1)
    return table[["date", "actual", "predicted", "error", "abs_error", *columns]]
