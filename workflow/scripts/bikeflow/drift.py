"""Drift: has the data the model lives on changed? Checked like for like, and backtested.

The recent window (the last `window_days` days up to a day, "as of") is compared with the
same calendar window of each of the `reference_years` years before, pooled: the same days
of the year, the same length. So the season is in both samples and is not drift, while a
warmer winter, a wetter spring or fewer bicycles than in the same weeks of earlier years
are. Each feature is compared with the two-sample Kolmogorov-Smirnov test and the
population stability index (PSI). With `alarm_on: both` an alarm needs both over their
thresholds: on a window of a few weeks the PSI alone moves past 0.2 by chance (its bins
hold a handful of days each), and a KS statistic above 0.3 without a large PSI is a shape
change too small to act on.

The target has its own, shorter window (`target_window_days`): counts are dense and a
change in how people ride shows within weeks, while weather needs a season to say
anything. Features derived from the target's history or from the date are not compared:
the target is compared itself, and a date-derived feature differs by construction.

`drift_backtest` runs the same check as of every month end of the history, so the
monitor's own false-alarm rate and its delay on a known change are measured, not assumed.

Nothing here looks at today's date: results change only when the data do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from bikeflow.features import (
    DATE_FEATURES,
    HISTORY_FEATURES,
    Features,
    dates_of,
    feature_frame,
    known_target,
)
from bikeflow.formats import iso
from bikeflow.monitoring import WEATHER_COLUMNS

# A bin one window leaves empty gets this share instead of 0, so the PSI stays finite.
PSI_EPSILON = 1e-4
ALARM_RULES = ("both", "either")
# What a compared column is, for people and for the monitor backtest's false-alarm rate.
GROUPS = {column: "weather" for column in WEATHER_COLUMNS} | {"daylight_hours": "daylight"}
ENVIRONMENT_GROUPS = ("weather", "daylight")  # not changed by people: alarms there are noise
BACKTEST_COLUMNS = [
    "month_end",
    "feature",
    "group",
    "reference_years",
    "reference_rows",
    "current_rows",
    "psi",
    "ks_statistic",
    "drifted",
]


@dataclass(frozen=True)
class DriftSettings:
    window_days: int  # features
    target_window_days: int
    reference_years: int
    bins: int
    psi_threshold: float
    ks_threshold: float
    alarm_on: str  # "both" or "either"

    @classmethod
    def from_config(cls, monitoring: dict) -> DriftSettings:
        """From the `monitoring` section of the config (or the subset of it a rule gets)."""
        settings = cls(
            window_days=monitoring["drift_window_days"],
            target_window_days=monitoring["target_window_days"],
            reference_years=monitoring["reference_years"],
            bins=monitoring["psi_bins"],
            psi_threshold=monitoring["psi_threshold"],
            ks_threshold=monitoring["ks_threshold"],
            alarm_on=monitoring["alarm_on"],
        )
        if settings.alarm_on not in ALARM_RULES:
            raise ValueError(f"alarm_on must be one of {ALARM_RULES}, not {settings.alarm_on!r}")
        return settings


# --- the statistics --------------------------------------------------------------------


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


@dataclass(frozen=True)
class Column:
    """One compared column over the whole daily table: float values (categorical ones as
    codes of `categories`), NaN where unknown."""

    name: str
    group: str  # weather, daylight, calendar or target
    values: np.ndarray
    window_days: int
    categories: tuple | None = None  # the labels of a categorical column's codes

    @property
    def categorical(self) -> bool:
        return self.categories is not None


def compare(
    column: Column, reference: np.ndarray, current: np.ndarray, settings: DriftSettings
) -> dict:
    """KS and PSI of one column's two samples (missing values dropped), the numbers a person
    needs to see why it alarmed (means, or the category whose share moved most), and the
    verdict."""
    reference = reference[~np.isnan(reference)]
    current = current[~np.isnan(current)]
    row = {
        "feature": column.name,
        "group": column.group,
        "kind": "categorical" if column.categorical else "numeric",
        "window_days": column.window_days,
        "reference_rows": len(reference),
        "current_rows": len(current),
    }
    if len(reference) == 0 or len(current) == 0:
        return row | {
            "ks_statistic": None,
            "ks_pvalue": None,
            "psi": None,
            "psi_exceeded": False,
            "ks_exceeded": False,
            "drifted": False,
        }
    # The asymptotic p-value: the exact one fails (with a warning) on the large, tied
    # samples of daily weather, and the p-value is shown, never used for the verdict.
    ks = ks_2samp(reference, current, method="asymp")
    if column.categorical:
        index = categorical_psi(reference, current)
        row |= largest_share_change(column.categories, reference, current)
    else:
        index = psi(reference, current, settings.bins)
        row |= {"reference_mean": float(reference.mean()), "current_mean": float(current.mean())}
    psi_exceeded = above(index, settings.psi_threshold)
    ks_exceeded = above(float(ks.statistic), settings.ks_threshold)
    both = settings.alarm_on == "both"
    return row | {
        "ks_statistic": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "psi": index,
        "psi_exceeded": psi_exceeded,
        "ks_exceeded": ks_exceeded,
        "drifted": (psi_exceeded and ks_exceeded) if both else (psi_exceeded or ks_exceeded),
    }


def above(value: float, threshold: float) -> bool:
    """Strictly above, floating-point noise aside: the KS statistic is a difference of two
    step functions, and 27/90 can come out as 0.30000000000000004 or 0.29999999999999993
    depending on how it was summed; either is "at 0.3", not above it."""
    return value > threshold and not math.isclose(value, threshold, rel_tol=1e-9)


def largest_share_change(categories: tuple, reference: np.ndarray, current: np.ndarray) -> dict:
    """The category whose share of days moved most between the windows."""
    moves = [
        (abs(np.mean(current == code) - np.mean(reference == code)), code)
        for code in range(len(categories))
    ]
    _, code = max(moves, key=lambda move: (move[0], -move[1]))
    return {
        "category": str(categories[code]),
        "reference_share": float(np.mean(reference == code)),
        "current_share": float(np.mean(current == code)),
    }


# --- what is compared, and over which days ---------------------------------------------


def as_codes(column: pd.Series) -> tuple[np.ndarray, tuple]:
    """A categorical column as float codes of its sorted categories (any type, booleans
    and strings too), NaN where missing, and the categories."""
    codes, categories = pd.factorize(column, sort=True)
    return np.where(codes >= 0, codes, np.nan).astype(float), tuple(categories.tolist())


def compared_columns(
    daily: pd.DataFrame, *, target: str, features: Features, settings: DriftSettings
) -> list[Column]:
    """The model's features that are columns of the daily table, on every day, then the
    target on usable days only (the days the model learns from and is scored on)."""
    read = Features(
        tuple(name for name in features.numeric if name in daily.columns),
        tuple(name for name in features.categorical if name in daily.columns),
    )
    X = feature_frame(daily, read, target=target, horizon_days=1)  # no history: any horizon
    columns = []
    for name in read.columns:
        group = GROUPS.get(name, "calendar")
        if name in features.categorical:
            codes, categories = as_codes(X[name])
            columns.append(Column(name, group, codes, settings.window_days, categories))
        else:
            values = X[name].astype(float).to_numpy()
            columns.append(Column(name, group, values, settings.window_days))
    target_column = Column(
        target, "target", known_target(daily, target), settings.target_window_days
    )
    return [*columns, target_column]


def not_compared(features: Features) -> list[dict]:
    reasons = {
        **dict.fromkeys(DATE_FEATURES, "counts time: a later window differs by construction"),
        **dict.fromkeys(
            HISTORY_FEATURES,
            "computed from earlier days of columns compared themselves (the target, the weather)",
        ),
    }
    return [
        {"feature": name, "reason": reasons[name]} for name in features.columns if name in reasons
    ]


@dataclass(frozen=True)
class Windows:
    """The current window and its like-for-like reference windows, one per reference year
    (labelled by the year its window ends in), as boolean masks over the daily table."""

    days: int
    current: tuple[pd.Timestamp, pd.Timestamp]
    references: list[tuple[int, pd.Timestamp, pd.Timestamp]]
    current_mask: np.ndarray
    reference_mask: np.ndarray

    def describe(self) -> dict:
        return {
            "days": self.days,
            "current": {"start": iso(self.current[0]), "end": iso(self.current[1])},
            "reference": [
                {"year": year, "start": iso(start), "end": iso(end)}
                for year, start, end in self.references
            ],
        }


def windows(dates: pd.Series, as_of: pd.Timestamp, days: int, years: int) -> Windows:
    """The `days` days ending `as_of`, and the same calendar days in each of the `years`
    years before whose window lies wholly within the table (29 February maps to the 28th)."""
    first = dates.min()
    span = pd.Timedelta(days=days - 1)
    references = []
    for back in range(years, 0, -1):
        end = as_of - pd.DateOffset(years=back)
        if end - span >= first:
            references.append((end.year, end - span, end))
    reference_mask = np.zeros(len(dates), dtype=bool)
    for _, start, end in references:
        reference_mask |= ((dates >= start) & (dates <= end)).to_numpy()
    current_mask = ((dates >= as_of - span) & (dates <= as_of)).to_numpy()
    return Windows(days, (as_of - span, as_of), references, current_mask, reference_mask)


def check(
    columns: list[Column], dates: pd.Series, as_of: pd.Timestamp, settings: DriftSettings
) -> tuple[list[dict], dict[int, Windows]]:
    """Every column compared as of one day: its rows (columns without a reference year
    left out) and the windows used, by window length."""
    by_length = {
        days: windows(dates, as_of, days, settings.reference_years)
        for days in sorted({column.window_days for column in columns})
    }
    rows = []
    for column in columns:
        window = by_length[column.window_days]
        if not window.references:
            continue
        row = compare(
            column,
            column.values[window.reference_mask],
            column.values[window.current_mask],
            settings,
        )
        rows.append(row | {"reference_years": len(window.references)})
    return rows, by_length


# --- the report: drift as of the last day ----------------------------------------------


def drift_report(
    daily: pd.DataFrame, *, target: str, features: Features, settings: DriftSettings
) -> dict:
    """Each compared feature and the target, as of the daily table's last day."""
    daily = daily.reset_index(drop=True)
    dates = dates_of(daily)
    columns = compared_columns(daily, target=target, features=features, settings=settings)
    rows, by_length = check(columns, dates, dates.max(), settings)
    lengths = {"features": settings.window_days, "target": settings.target_window_days}
    checked = {row["feature"] for row in rows}
    return {
        "as_of": iso(dates.max()),
        "reference_years": settings.reference_years,
        "alarm_on": settings.alarm_on,
        "psi_bins": settings.bins,
        "psi_threshold": settings.psi_threshold,
        "ks_threshold": settings.ks_threshold,
        "windows": {name: by_length[days].describe() for name, days in lengths.items()},
        "drifted": [row["feature"] for row in rows if row["drifted"]],
        "features": rows,
        "without_reference": [
            {
                "feature": name,
                "reason": "the daily table does not reach a year before this window",
            }
            for name in [column.name for column in columns if column.name not in checked]
        ],
        "not_compared": not_compared(features),
    }


# --- the monitor's backtest: the same check as of every month end ----------------------


def month_ends(dates: pd.Series) -> pd.DatetimeIndex:
    return pd.date_range(dates.min(), dates.max(), freq="ME")


def drift_backtest(
    daily: pd.DataFrame, *, target: str, features: Features, settings: DriftSettings
) -> pd.DataFrame:
    """The drift check as of every month end of the daily table, one row per month end and
    compared column (BACKTEST_COLUMNS); month ends before a column's first reference year
    have no row for it. Empty when the history is shorter than a year and a window."""
    daily = daily.reset_index(drop=True)
    dates = dates_of(daily)
    columns = compared_columns(daily, target=target, features=features, settings=settings)
    rows = []
    for as_of in month_ends(dates):
        checked, _ = check(columns, dates, as_of, settings)
        rows += [{"month_end": iso(as_of)} | row for row in checked]
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def backtest_summary(
    alarms: pd.DataFrame,
    *,
    target: str,
    quiet_period: dict,
    known_change: dict,
) -> dict:
    """What the monitor's backtest measured: how often it alarmed on weather or daylight
    in a period known to be quiet (false alarms: nobody changed the weather), how long the
    target's alarm took after a known change, and the alarms per feature and year."""
    evaluated = sorted(alarms["month_end"].unique())
    summary = {
        "month_ends": {
            "count": len(evaluated),
            "first": evaluated[0] if evaluated else None,
            "last": evaluated[-1] if evaluated else None,
        },
        "quiet_period": quiet_period_alarms(alarms, **quiet_period),
        "known_change": change_detection(alarms, target, **known_change),
        "alarms_by_year": alarms_by_year(alarms),
    }
    if not evaluated:
        summary["note"] = (
            "No month end has a reference year: the daily table covers less than a year "
            "and a window, so the monitor cannot be backtested yet."
        )
    return summary


def quiet_period_alarms(alarms: pd.DataFrame, start: str, end: str) -> dict:
    inside = alarms[(alarms["month_end"] >= start) & (alarms["month_end"] <= end)]
    environment = inside[inside["group"].isin(ENVIRONMENT_GROUPS)]
    months = sorted(environment["month_end"].unique())
    alarmed = environment[environment["drifted"].astype(bool)]
    by_month = alarmed.groupby("month_end", sort=True)["feature"].agg(list)
    result = {
        "start": start,
        "end": end,
        "groups": list(ENVIRONMENT_GROUPS),
        "month_ends": len(months),
        "alarm_month_ends": len(by_month),
        "false_alarm_rate": len(by_month) / len(months) if months else None,
        "alarms": [
            {"month_end": month, "features": features} for month, features in by_month.items()
        ],
    }
    if not months:
        result["note"] = "No month end of this period has a reference year in the data."
    return result


def change_detection(alarms: pd.DataFrame, target: str, date: str, description: str) -> dict:
    """The first month end on or after `date` at which the target alarmed, and whether the
    monitor was running before it (a month end before the change with a reference year):
    without one, an alarm after the change says nothing about the delay."""
    rows = alarms[alarms["feature"] == target]
    before = rows[rows["month_end"] < date]
    after = rows[(rows["month_end"] >= date) & rows["drifted"].astype(bool)]
    result = {
        "date": date,
        "description": description,
        "feature": target,
        "monitored_before": not before.empty,
        "alarm_at_month_end_before": bool(before["drifted"].iloc[-1]) if not before.empty else None,
        "first_alarm": None,
        "days_after": None,
    }
    if before.empty:
        result["note"] = "The history does not reach back to a month end before the change."
    elif not after.empty:
        first = after["month_end"].iloc[0]
        result["first_alarm"] = first
        result["days_after"] = (pd.Timestamp(first) - pd.Timestamp(date)).days
    return result


def alarms_by_year(alarms: pd.DataFrame) -> dict:
    """Month ends with an alarm, per feature and year, and the month ends checked per year."""
    if alarms.empty:
        return {"years": [], "month_ends": [], "features": {}}
    table = alarms.assign(year=alarms["month_end"].str[:4].astype(int))
    years = sorted(table["year"].unique().tolist())
    checked = table.groupby("year")["month_end"].nunique().reindex(years, fill_value=0)
    # Features in the order checked: the last month end has every column with a reference.
    order = pd.unique(
        pd.concat(
            [table.loc[table["month_end"] == table["month_end"].max(), "feature"], table["feature"]]
        )
    )
    counts = (
        table.assign(drifted=table["drifted"].astype(bool))
        .pivot_table(index="feature", columns="year", values="drifted", aggfunc="sum")
        .reindex(index=order, columns=years)
        .fillna(0)
        .astype(int)
    )
    return {
        "years": years,
        "month_ends": checked.tolist(),
        "features": {feature: counts.loc[feature].tolist() for feature in counts.index},
    }
