"""Drift: has the data the model lives on changed? Checked like for like, and backtested.

The recent window (the last `window_days` days up to a day, "as of") is compared with the
same calendar window of each of the `reference_years` years before, pooled: the same days
of the year, the same length. So the season is in both samples and is not drift, while a
warmer winter or a wetter spring than in the same weeks of earlier years are. Each feature
is compared with the two-sample Kolmogorov-Smirnov test and the population stability index
(PSI). With `alarm_on: both` an alarm needs both over their
thresholds: on a window of a few weeks the PSI alone moves past 0.2 by chance (its bins
hold a handful of days each), and a KS statistic above 0.3 without a large PSI is a shape
change too small to act on.

Only the inputs are compared: the model's weather, calendar and categorical features that
are columns of the daily table. The target is not: the drift of the counts is what the
model's live error (bikeflow.live_error) judges, against what the backtest says is normal;
the target's own drift alarm fired at 11 of the 72 quiet month ends of 2014-2019 and told
no one anything. History features are computed from columns that are compared themselves
(or from the target), and a date-derived feature differs by construction.

`drift_backtest` runs the same check as of every month end of the history, so the
monitor's own false-alarm rate (every compared feature counts) and its delay on a known
change are measured, not assumed.

Nothing here looks at today's date: results change only when the data do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from bikeflow.features import Features, dates_of
from bikeflow.formats import iso

# A bin one window leaves empty gets this share instead of 0, so the PSI stays finite.
PSI_EPSILON = 1e-4
ALARM_RULES = ("both", "either")
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
    window_days: int
    reference_years: int
    bins: int
    psi_threshold: float
    ks_threshold: float
    alarm_on: str  # "both" or "either"

    @classmethod
    def from_config(cls, monitoring: dict) -> DriftSettings:
        """From the `monitoring.drift` section of the config."""
        settings = cls(
            window_days=monitoring["window_days"],
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
    group: str  # the feature group: weather, calendar or categorical
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
    daily: pd.DataFrame, *, features: Features, settings: DriftSettings
) -> list[Column]:
    """The model's weather, calendar and categorical features that are columns of the daily
    table, on every day."""
    columns = []
    for group in ("weather", "calendar", "categorical"):
        for name in getattr(features, group):
            if name not in daily.columns:
                continue
            if group == "categorical":
                codes, categories = as_codes(daily[name])
                columns.append(Column(name, group, codes, settings.window_days, categories))
            else:
                values = (
                    pd.to_numeric(daily[name])
                    .astype("Float64")
                    .to_numpy(dtype=float, na_value=np.nan)
                )
                columns.append(Column(name, group, values, settings.window_days))
    return columns


def not_compared(features: Features, compared: list[Column]) -> list[dict]:
    """The features left out, and why: history features are computed from the counts and
    from columns compared themselves; a feature made from the date differs by construction."""
    names = {column.name for column in compared}
    return [
        {
            "feature": name,
            "reason": "computed from earlier days of the counts and of columns compared themselves"
            if name in features.history
            else "counts time: a later window differs by construction",
        }
        for name in features.columns
        if name not in names
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


def drift_report(daily: pd.DataFrame, *, features: Features, settings: DriftSettings) -> dict:
    """Each compared feature, as of the daily table's last day."""
    daily = daily.reset_index(drop=True)
    dates = dates_of(daily)
    columns = compared_columns(daily, features=features, settings=settings)
    rows, by_length = check(columns, dates, dates.max(), settings)
    checked = {row["feature"] for row in rows}
    return {
        "as_of": iso(dates.max()),
        "reference_years": settings.reference_years,
        "alarm_on": settings.alarm_on,
        "psi_bins": settings.bins,
        "psi_threshold": settings.psi_threshold,
        "ks_threshold": settings.ks_threshold,
        "window": by_length[settings.window_days].describe(),
        "drifted": [row["feature"] for row in rows if row["drifted"]],
        "features": rows,
        "without_reference": [
            {
                "feature": name,
                "reason": "the daily table does not reach a year before this window",
            }
            for name in [column.name for column in columns if column.name not in checked]
        ],
        "not_compared": not_compared(features, columns),
    }


# --- the monitor's backtest: the same check as of every month end ----------------------


def month_ends(dates: pd.Series) -> pd.DatetimeIndex:
    return pd.date_range(dates.min(), dates.max(), freq="ME")


def drift_backtest(
    daily: pd.DataFrame, *, features: Features, settings: DriftSettings
) -> pd.DataFrame:
    """The drift check as of every month end of the daily table, one row per month end and
    compared column (BACKTEST_COLUMNS); month ends before a column's first reference year
    have no row for it. Empty when the history is shorter than a year and a window."""
    daily = daily.reset_index(drop=True)
    dates = dates_of(daily)
    columns = compared_columns(daily, features=features, settings=settings)
    rows = []
    for as_of in month_ends(dates):
        checked, _ = check(columns, dates, as_of, settings)
        rows += [{"month_end": iso(as_of)} | row for row in checked]
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def backtest_summary(alarms: pd.DataFrame, *, quiet_period: dict) -> dict:
    """What the monitor's backtest measured: how often it alarmed, on any compared feature,
    in a period known to be quiet (false alarms), and the alarms per feature and year."""
    evaluated = sorted(alarms["month_end"].unique())
    summary = {
        "month_ends": {
            "count": len(evaluated),
            "first": evaluated[0] if evaluated else None,
            "last": evaluated[-1] if evaluated else None,
        },
        "quiet_period": quiet_period_alarms(alarms, **quiet_period),
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
    months = sorted(inside["month_end"].unique())
    alarmed = inside[inside["drifted"].astype(bool)]
    by_month = alarmed.groupby("month_end", sort=True)["feature"].agg(list)
    result = {
        "start": start,
        "end": end,
        "features": sorted(inside["feature"].unique().tolist()),
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
