"""Forecasts scored as people should read them: by lead band, against the naive baselines on
the same (issue, day) pairs, and the quality gate on the holdout. pandas and NumPy only: the
live scoring of published forecasts uses the same tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bikeflow.features import BASELINES, scores
from bikeflow.publication import ALL, by_band
from bikeflow.quality_gate import quality_gate

FOLD_COLUMNS = ["origin", "first_day", "last_day", "forecasts", "mean_actual", "bias"]
FOLD_COLUMNS += ["mae", "rmse", "r2"]


def scored(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The forecasts every predictor made (model and baselines scored on the same pairs)."""
    return forecasts.dropna(subset=["actual", "model", *BASELINES]).reset_index(drop=True)


def mae(forecast, actual) -> float:
    return float(np.mean(np.abs(np.asarray(forecast, float) - np.asarray(actual, float))))


def band_scores(forecasts: pd.DataFrame, bands: list[int]) -> pd.DataFrame:
    """One row per lead band and one for all leads: forecasts, the share whose weather was
    known, each predictor's MAE, the best baseline, and the model's improvement on it."""
    forecasts = scored(forecasts)
    rows = []
    for band, group in by_band(forecasts, bands):
        errors = {name: mae(group[name], group["actual"]) for name in ["model", *BASELINES]}
        best = min(BASELINES, key=lambda name: (errors[name], name))
        rows.append(
            {
                "band": band,
                "forecasts": len(group),
                "weather_known": float(group["weather_known"].astype(bool).mean()),
                **{f"{name}_mae": errors[name] for name in ["model", *BASELINES]},
                "best_baseline": best,
                "improvement": 1 - errors["model"] / errors[best] if errors[best] > 0 else None,
            }
        )
    return pd.DataFrame(rows)


def holdout_metrics(forecasts: pd.DataFrame, bands: list[int], min_improvement: float) -> dict:
    """Scores of the model and each baseline over every holdout forecast, by lead band, and
    the quality gate on all leads together."""
    rows = scored(forecasts)
    if rows.empty:
        raise ValueError("no holdout forecast has a count and every baseline")
    results = {name: scores(rows["actual"], rows[name]) for name in ["model", *BASELINES]}
    gate = quality_gate(
        results["model"]["mae"], {name: results[name]["mae"] for name in BASELINES}, min_improvement
    )
    return {
        "scores": results,
        "by_lead": band_scores(rows, bands).to_dict("records"),
        "quality_gate": gate,
    }


def fold_scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    """One row per backtest fold: its forecasts and the model's scores on them."""
    rows = []
    for origin, fold in scored(forecasts).groupby("origin", sort=True):
        errors = fold["model"] - fold["actual"]
        rows.append(
            {
                "origin": origin,
                "first_day": fold["date"].min(),
                "last_day": fold["date"].max(),
                "forecasts": len(fold),
                "mean_actual": float(fold["actual"].mean()),
                "bias": float(errors.mean()),
                **scores(fold["actual"], fold["model"]),
            }
        )
    return pd.DataFrame(rows, columns=FOLD_COLUMNS)


def lead_scores_by_year(forecasts: pd.DataFrame, bands: list[int]) -> pd.DataFrame:
    """band_scores over the whole backtest (period "all") and for each year of forecast days,
    with the interval coverage and the expected MAE of the calibrated forecasts."""
    forecasts = scored(forecasts)
    years = forecasts["date"].dt.year
    tables = []
    for period, group in [(ALL, forecasts), *((str(y), g) for y, g in forecasts.groupby(years))]:
        table = band_scores(group, bands)
        extra = calibrated_by_band(group, bands)
        tables.append(table.merge(extra, on="band", how="left").assign(period=period))
    columns = ["period", *tables[0].columns.drop("period")] if tables else ["period"]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame()


def calibrated_by_band(forecasts: pd.DataFrame, bands: list[int]) -> pd.DataFrame:
    """expected_mae and coverage by band, over the forecasts a calibration applied to."""
    calibrated = forecasts.dropna(subset=["expected_abs_error", "lower", "upper"])
    rows = []
    for band, group in by_band(calibrated, bands):
        inside = (group["actual"] >= group["lower"]) & (group["actual"] <= group["upper"])
        rows.append(
            {
                "band": band,
                "calibrated": len(group),
                "expected_mae": float(group["expected_abs_error"].mean()),
                "calibrated_mae": mae(group["model"], group["actual"]),
                "coverage": float(inside.mean()),
            }
        )
    return pd.DataFrame(
        rows, columns=["band", "calibrated", "expected_mae", "calibrated_mae", "coverage"]
    )
