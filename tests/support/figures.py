"""The figure scripts loaded as modules, and synthetic inputs of the shapes their rule gives."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.calibration import CalibrationSettings, rolling
from bikeflow.evaluation import fold_scores
from bikeflow.features import Days
from bikeflow.forecast import scores_by_band
from bikeflow.formats import json_text
from bikeflow.live_error import LiveErrorSettings, timeline
from bikeflow.live_error import backtest_summary as live_error_summary
from bikeflow.model import backtest, backtest_folds, fold_at, run_fold
from support import daily_frames
from support.workflow import REPOSITORY

SCRIPTS = REPOSITORY / "workflow/scripts"

RULES = REPOSITORY / "workflow/rules/common.smk"


def figures_by_category() -> dict[str, dict[str, dict[str, str]]]:
    """FIGURES_BY_CATEGORY from common.smk: a literal dict, read without running Snakemake."""
    text = RULES.read_text(encoding="utf-8")
    block = re.search(r"^FIGURES_BY_CATEGORY = (\{.*?^\})", text, re.DOTALL | re.MULTILINE)
    assert block, "common.smk defines FIGURES_BY_CATEGORY as a dict literal"
    return ast.literal_eval(block.group(1))


def figure_inputs() -> dict[str, dict[str, str]]:
    """Each figure's named inputs, whatever its category."""
    return {
        figure: inputs
        for figures in figures_by_category().values()
        for figure, inputs in figures.items()
    }


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


@functools.cache
def model_outputs() -> dict:
    """What the model and forecast rules write, made by the library itself from two synthetic
    years: the holdout's forecasts, the backtest's folds and monthly timeline, the live-error
    alarm's backtest, and the backtest's forecasts scored as published ones would be."""
    settings, publication = daily_frames.SETTINGS, daily_frames.PUBLICATION
    days = Days.from_daily(daily_frames.synthetic_daily(START, DAYS), settings)
    last = pd.Timestamp(START) + pd.Timedelta(days=DAYS - 1)
    holdout, _ = run_fold(days, fold_at("2020-09-01", last, publication), publication, settings)
    folds = backtest_folds(days, publication, "2019-07-01", 3)
    calibration = CalibrationSettings((7, 14, 28), 0.8, 1)
    forecasts = rolling(backtest(days, publication, settings, folds)[0], calibration)
    scored = forecasts.rename(columns={"model": "forecast"})
    month_ends = pd.date_range(forecasts["date"].min(), last, freq="ME")
    months = timeline(scored, month_ends, 30)
    monitor = live_error_summary(
        months,
        LiveErrorSettings(30, 2.0),
        {"start": "2019-01-01", "end": "2019-12-31"},
        {"date": "2020-03-01", "label": "Test event", "description": "A change"},
        publication.counts,
    )
    return {
        "holdout": holdout,
        "months": months,
        "folds": fold_scores(forecasts),
        "monitor": json.loads(json_text(monitor)),
        "scores": scores_by_band(scored.dropna(subset=["expected_abs_error"]), [7, 14, 28]),
    }


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
        "days": 90,
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
        "window": window,
        "features": rows,
        "drifted": [row["feature"] for row in rows if row["drifted"]],
    }


def drift_backtest() -> tuple[pd.DataFrame, dict]:
    """An alarm timeline of 2016-2021 with a gap (month ends without a reference year for one
    feature) and its summary."""
    rng = np.random.default_rng(5)
    rows = []
    for month in pd.date_range("2016-01-31", "2021-12-31", freq="ME"):
        for feature, group in (
            ("tmax_c", "weather"),
            ("weekday", "categorical"),
            ("precipitation_mm", "weather"),
        ):
            if feature == "precipitation_mm" and month.year == 2017 and month.month < 4:
                continue
            wet = feature == "precipitation_mm" and month >= pd.Timestamp("2020-03-31")
            shift = 0.4 if wet else 0
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
            "features": ["precipitation_mm", "tmax_c", "weekday"],
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
        elif name in ("holdout", "months", "folds", "scores"):
            model_outputs()[name].to_csv(path, index=False, date_format="%Y-%m-%d")
        elif name == "monitor":
            path.write_text(json.dumps(model_outputs()["monitor"]), encoding="utf-8")
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
        "lead_bands": [7, 14, 28],
        "counts": {"total": "Test total", "part_a": "Test part A"},
    }
)


def draw(figure: str, directory: Path, context: plotting.Context = CONTEXT) -> Figure:
    """Draw the figure as its job does (plotting.draw_figure), from synthetic input files."""
    return plotting.draw_figure(load(figure).draw, write_inputs(figure, directory), context)
