"""The figure scripts loaded as modules, and synthetic inputs of the shapes their rule gives."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from support.workflow import REPOSITORY

SCRIPTS = REPOSITORY / "workflow/scripts"

RULES = REPOSITORY / "workflow/rules/common.smk"


def figure_inputs() -> dict[str, dict[str, str]]:
    """FIGURE_INPUTS from common.smk: a literal dict, read without running Snakemake."""
    text = RULES.read_text(encoding="utf-8")
    block = re.search(r"^FIGURE_INPUTS = (\{.*?^\})", text, re.DOTALL | re.MULTILINE)
    assert block, "common.smk defines FIGURE_INPUTS as a dict literal"
    return ast.literal_eval(block.group(1))


def load(figure: str) -> ModuleType:
    """A figure script as a module; its Snakemake part runs only as __main__."""
    path = SCRIPTS / f"figure_{figure}.py"
    spec = importlib.util.spec_from_file_location(f"figure_{figure}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


START = dt.date(2019, 1, 1)

DAYS = 2 * 365


def daily_table() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = [START + dt.timedelta(days=offset) for offset in range(DAYS)]
    stamps = pd.to_datetime(pd.Series(dates))
    season = 2500 + 1200 * np.sin(2 * np.pi * (stamps.dt.day_of_year.to_numpy() - 100) / 365)
    weekend = stamps.dt.day_of_week.to_numpy() >= 5
    west = (season * np.where(weekend, 0.3, 0.45) + rng.normal(0, 100, DAYS)).round()
    east = (season * np.where(weekend, 0.3, 0.55) + rng.normal(0, 100, DAYS)).round()
    incomplete = np.zeros(DAYS, dtype=bool)
    incomplete[[0, 40, 41, 42, 300]] = True
    west, east = west.clip(0), east.clip(0)
    total = pd.array(west + east, dtype="Int64")
    total[incomplete] = pd.NA
    tmax = 14 + 9 * np.sin(2 * np.pi * (stamps.dt.day_of_year.to_numpy() - 110) / 365)
    rain = np.where(rng.random(DAYS) < 0.5, 0.0, rng.gamma(0.8, 6, DAYS)).round(1)
    return pd.DataFrame(
        {
            "date": dates,
            "total": total,
            "west": pd.array(np.where(incomplete, None, west), dtype="Int64"),
            "east": pd.array(np.where(incomplete, None, east), dtype="Int64"),
            "complete": ~incomplete,
            "counter_issue": "",
            "precipitation_mm": rain,
            "snowfall_mm": 0.0,
            "snow_depth_mm": 0.0,
            "tmax_c": (tmax + rng.normal(0, 3, DAYS)).round(1),
            "tmin_c": (tmax - 8 + rng.normal(0, 2, DAYS)).round(1),
            "wind_mean_m_s": rng.uniform(1, 7, DAYS).round(1),
            "weekday": stamps.dt.day_of_week.astype("int32").to_numpy(),
            "is_weekend": weekend,
            "holiday": "",
            "is_holiday": False,
            "daylight_hours": (12.2 + 3.8 * np.sin(2 * np.pi * (stamps.dt.day_of_year - 80) / 365))
            .round(3)
            .to_numpy(),
        }
    )


def hourly_counts() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    timestamps = pd.date_range("2019-01-01", periods=60 * 24, freq="h")
    hour = timestamps.hour.to_numpy()
    level = 20 + 300 * np.exp(-((hour - 8) ** 2) / 2) + 350 * np.exp(-((hour - 17) ** 2) / 3)
    west = pd.array(rng.poisson(level * 0.45), dtype="Int64")
    east = pd.array(rng.poisson(level * 0.55), dtype="Int64")
    total = west + east
    total[[5, 6, 700]] = pd.NA  # blank hours
    return pd.DataFrame(
        {
            "timestamp": timestamps,
            "date": timestamps.date,
            "hour": hour.astype("int32"),
            "total": total,
            "west": west,
            "east": east,
        }
    )


def holdout_predictions() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    dates = pd.date_range("2020-06-01", periods=120, freq="D")
    actual = (2500 + 800 * np.sin(np.arange(120) / 9) + rng.normal(0, 200, 120)).round()
    return pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "actual": actual.astype(int),
            "model": (actual + rng.normal(50, 250, 120)).round(1),
            "same_weekday_last_week": np.r_[[np.nan] * 7, actual[:-7]],
            "seasonal_mean": np.full(120, 2600.0),
        }
    )


def backtest() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(4)
    days, folds = [], []
    for origin in pd.date_range("2018-01-01", "2020-10-01", freq="3MS"):
        dates = pd.date_range(origin, periods=91, freq="D")
        actual = 2500 + rng.normal(0, 300, 91)
        shift = 1200 if origin >= pd.Timestamp("2020-03-01") else 0
        predicted = actual + shift + rng.normal(0, 300, 91)
        days.append(
            pd.DataFrame(
                {
                    "origin": origin.strftime("%Y-%m-%d"),
                    "date": dates.strftime("%Y-%m-%d"),
                    "actual": actual.round(),
                    "predicted": predicted.round(1),
                }
            )
        )
        error = predicted - actual
        folds.append(
            {
                "origin": origin.strftime("%Y-%m-%d"),
                "train_start": "2012-10-03",
                "train_end": (origin - pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                "test_start": dates[0].strftime("%Y-%m-%d"),
                "test_end": dates[-1].strftime("%Y-%m-%d"),
                "rows": 91,
                "mae": float(np.abs(error).mean()),
                "rmse": float(np.sqrt((error**2).mean())),
                "r2": 0.4,
            }
        )
    return pd.concat(days, ignore_index=True), pd.DataFrame(folds)


FEATURES = ["daylight_hours", "tmax_c", "precipitation_mm", "year", "weekday", "is_holiday"]


# The model's history features: long names (the figure must still fit) and not weather.
HISTORY_FEATURES = ["latest_count", "recent_mean_7_days", "same_weekday_precipitation_4_weeks"]


def permutation_importance() -> pd.DataFrame:
    means = [310.0, 420.0, 260.0, 140.0, 900.0, -2.0, 650.0, 120.0, 35.0]
    return pd.DataFrame(
        {
            "feature": FEATURES + HISTORY_FEATURES,
            "importance_mean": means,
            "importance_std": [abs(mean) * 0.1 for mean in means],
        }
    )


def drift_report() -> dict:
    psi = [0.05, 0.31, 0.0, 4.2, 0.01, 0.02]  # year far beyond the axis cut
    ks = [0.1, 0.35, 0.02, 1.0, 0.02, 0.0]
    rows = [
        {
            "feature": feature,
            "group": "weather",
            "ks_statistic": k,
            "ks_pvalue": 0.01,
            "psi": p,
            "drifted": p > 0.2 and k > 0.3,
        }
        for feature, p, k in zip(FEATURES, psi, ks, strict=True)
    ]
    window = {
        "current": {"start": "2021-10-03", "end": "2021-12-31"},
        "reference": [
            {"year": year, "start": f"{year}-10-03", "end": f"{year}-12-31"}
            for year in (2017, 2018, 2019, 2020)
        ],
    }
    return {
        "as_of": "2021-12-31",
        "alarm_on": "both",
        "psi_threshold": 0.2,
        "ks_threshold": 0.3,
        "windows": {"features": window | {"days": 90}, "target": window | {"days": 30}},
        "features": rows,
        "drifted": [row["feature"] for row in rows if row["drifted"]],
    }


def drift_backtest() -> tuple[pd.DataFrame, dict]:
    """An alarm timeline of 2016-2021 with a gap (a month end without reference for the
    target) and its summary."""
    rng = np.random.default_rng(5)
    rows = []
    for month in pd.date_range("2016-01-31", "2021-12-31", freq="ME"):
        for feature, group in (("tmax_c", "weather"), ("weekday", "calendar"), ("total", "target")):
            if feature == "total" and month.year == 2017 and month.month < 4:
                continue
            shift = 0.4 if feature == "total" and month >= pd.Timestamp("2020-03-31") else 0
            ks = float(rng.uniform(0, 0.25) + shift)
            rows.append(
                {
                    "month_end": month.strftime("%Y-%m-%d"),
                    "feature": feature,
                    "group": group,
                    "reference_years": 4,
                    "reference_rows": 360,
                    "current_rows": 90,
                    "psi": ks * 2,
                    "ks_statistic": ks,
                    "drifted": ks > 0.3,
                }
            )
    alarms = pd.DataFrame(rows)
    summary = {
        "month_ends": {"count": 72, "first": "2016-01-31", "last": "2021-12-31"},
        "quiet_period": {
            "start": "2016-01-01",
            "end": "2019-12-31",
            "month_ends": 48,
            "alarm_month_ends": 0,
            "false_alarm_rate": 0.0,
            "alarms": [],
        },
        "known_change": {
            "date": "2020-03-01",
            "description": "the pandemic",
            "feature": "total",
            "monitored_before": True,
            "alarm_at_month_end_before": False,
            "first_alarm": "2020-03-31",
            "days_after": 30,
        },
    }
    return alarms, summary


def write_inputs(figure: str, directory: Path) -> dict[str, Path]:
    """The figure's inputs as files, named as the rule names them."""
    paths = {name: directory / Path(path).name for name, path in figure_inputs()[figure].items()}
    for name, path in paths.items():
        if name == "daily":
            daily_table().to_parquet(path)
        elif name == "hourly":
            hourly_counts().to_parquet(path)
        elif name == "predictions":
            holdout_predictions().to_csv(path, index=False)
        elif name in ("days", "folds"):
            backtest()[0 if name == "days" else 1].to_csv(path, index=False)
        elif name == "importance":
            permutation_importance().to_csv(path, index=False)
        elif name == "drift":
            path.write_text(json.dumps(drift_report()), encoding="utf-8")
        elif name == "alarms":
            drift_backtest()[0].to_csv(path, index=False)
        elif name == "summary":
            path.write_text(json.dumps(drift_backtest()[1]), encoding="utf-8")
        else:
            raise AssertionError(f"no synthetic input for {figure}.{name}")
    return paths


# What the rule's params give the figures, in words that are not the real dataset's, so a
# figure that shows them took them from its context.
CONTEXT = plotting.Context.from_params(
    {
        "dataset": {"counter": "Test Counter", "weather_station": "Test Station"},
        "events": [{"date": "2020-03-01", "label": "Test event", "description": "A change"}],
    }
)


def draw(figure: str, directory: Path, context: plotting.Context = CONTEXT) -> Figure:
    """Draw the figure as its job does (plotting.draw_figure), from synthetic input files."""
    return plotting.draw_figure(load(figure).draw, write_inputs(figure, directory), context)
