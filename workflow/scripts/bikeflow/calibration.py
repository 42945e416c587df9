"""What error to expect of a forecast, and its interval, learned from past forecast errors.

Errors grow with the lead and are larger when the day's weather was not known, so both are
learned per group: lead band (`forecasts.lead_bands`) and whether the weather was known.
The interval is the forecast scaled by the group's quantiles of log((actual + 1) /
(forecast + 1)), so it holds its share (`forecasts.interval`) at any level of traffic.
The expected absolute error is the relative MAE (sum of absolute errors over sum of
forecasts) of the group in the season of the day forecast, times the forecast: a wet or
snowy winter day empties the bridge, so the same forecast misses by more in winter, and the
live-error alarm would otherwise fire every winter. (Intervals split by season as well hold
2 to 4 points less than their share in the backtest: a season has too few errors for its
tails.) Errors are relative because the level moves (a pandemic halved it).

Each forecast of the backtest is calibrated from the folds before its own, over the
`calibration_years` before its origin, exactly as a published forecast is calibrated from
the backtest as it stood: so the backtest's coverage and its expected errors are the ones
the published forecasts should have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bikeflow.publication import band_labels, lead_band

# A group with fewer forecasts than this borrows from its band and weather, then its band,
# then from all forecasts.
MIN_FORECASTS = 30
WEATHER = {True: "observed", False: "unknown"}
# Meteorological seasons, by month (northern hemisphere names; the grouping is what counts).
SEASONS = {12: "DJF", 1: "DJF", 2: "DJF", 3: "MAM", 4: "MAM", 5: "MAM"}
SEASONS |= {6: "JJA", 7: "JJA", 8: "JJA", 9: "SON", 10: "SON", 11: "SON"}
GROUP = ["band", "weather", "season"]


@dataclass(frozen=True)
class CalibrationSettings:
    lead_bands: tuple[int, ...]  # upper bounds of the bands but the last
    interval: float  # the share of days an interval should hold
    years: float  # how far back the errors a calibration learns from reach

    @classmethod
    def from_config(cls, forecasts: dict) -> CalibrationSettings:
        return cls(
            tuple(forecasts["lead_bands"]), forecasts["interval"], forecasts["calibration_years"]
        )

    @property
    def quantiles(self) -> tuple[float, float]:
        return (1 - self.interval) / 2, (1 + self.interval) / 2


def log_ratio(actual, forecast) -> np.ndarray:
    return np.log1p(np.asarray(actual, dtype=float)) - np.log1p(np.asarray(forecast, dtype=float))


def groups(forecasts: pd.DataFrame, settings: CalibrationSettings) -> pd.DataFrame:
    """Each forecast's band, weather label and season."""
    return pd.DataFrame(
        {
            "band": lead_band(forecasts["lead_days"], list(settings.lead_bands)),
            "weather": [WEATHER[bool(known)] for known in forecasts["weather_known"]],
            "season": pd.to_datetime(forecasts["date"]).dt.month.map(SEASONS).to_numpy(),
        },
        index=forecasts.index,
    )


def calibrate(errors: pd.DataFrame, settings: CalibrationSettings) -> pd.DataFrame:
    """One row per band, weather and season: forecasts, relative_mae (of the season), and
    lower_ratio and upper_ratio (of the band and weather), from past forecasts (date,
    lead_days, weather_known, actual, model). A thin group borrows from the wider ones."""
    errors = errors[errors["model"].notna()]
    table = groups(errors, settings).assign(
        absolute=(errors["model"] - errors["actual"]).abs(),
        forecast=errors["model"],
        ratio=log_ratio(errors["actual"], errors["model"]),
    )
    rows = []
    for band in band_labels(list(settings.lead_bands)):
        in_band = table[table["band"] == band]
        for weather in WEATHER.values():
            alike = in_band[in_band["weather"] == weather]
            interval = ratio_quantiles(first_large_enough(alike, in_band, table), settings)
            for season in dict.fromkeys(SEASONS.values()):
                group = first_large_enough(alike[alike["season"] == season], alike, in_band, table)
                rows.append(
                    {
                        "band": band,
                        "weather": weather,
                        "season": season,
                        "forecasts": len(group),
                        "relative_mae": relative_mae(group),
                        **interval,
                    }
                )
    return pd.DataFrame(rows)


def first_large_enough(*groups: pd.DataFrame) -> pd.DataFrame:
    return next((group for group in groups if len(group) >= MIN_FORECASTS), groups[-1])


def relative_mae(group: pd.DataFrame) -> float:
    total = group["forecast"].sum()
    return float(group["absolute"].sum() / total) if total > 0 else np.nan


def ratio_quantiles(group: pd.DataFrame, settings: CalibrationSettings) -> dict:
    if group.empty:
        return {"lower_ratio": np.nan, "upper_ratio": np.nan}
    low, high = np.quantile(group["ratio"], settings.quantiles)
    return {"lower_ratio": float(np.exp(low)), "upper_ratio": float(np.exp(high))}


def apply(
    calibration: pd.DataFrame, forecasts: pd.DataFrame, settings: CalibrationSettings
) -> pd.DataFrame:
    """expected_abs_error, lower and upper for each forecast (lead_days, weather_known, model)."""
    labels = groups(forecasts, settings)
    keyed = calibration.set_index(GROUP)
    found = keyed.reindex(pd.MultiIndex.from_frame(labels[GROUP]))
    forecast = forecasts["model"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "expected_abs_error": found["relative_mae"].to_numpy() * forecast,
            "lower": np.maximum(0.0, (forecast + 1) * found["lower_ratio"].to_numpy() - 1),
            "upper": (forecast + 1) * found["upper_ratio"].to_numpy() - 1,
        },
        index=forecasts.index,
    )


def rolling(forecasts: pd.DataFrame, settings: CalibrationSettings) -> pd.DataFrame:
    """Backtest forecasts (with `origin`) with expected_abs_error, lower and upper, each fold
    calibrated from the forecasts of the folds before it dated within `years` of its origin
    and not after the last count published then (the fold's first last_count_day): an error
    is known only once its count is; the first fold has nothing to learn from and gets none."""
    pieces = []
    for origin, fold in forecasts.groupby("origin", sort=True):
        since = origin - pd.DateOffset(days=round(365.25 * settings.years))
        known = fold["last_count_day"].min()
        past = forecasts[
            (forecasts["origin"] < origin)
            & (forecasts["date"] >= since)
            & (forecasts["date"] <= known)
        ]
        if past.empty:
            expected = pd.DataFrame(
                np.nan, index=fold.index, columns=["expected_abs_error", "lower", "upper"]
            )
        else:
            expected = apply(calibrate(past, settings), fold, settings)
        pieces.append(fold.join(expected))
    return (
        pd.concat(pieces).sort_index()
        if pieces
        else forecasts.assign(expected_abs_error=np.nan, lower=np.nan, upper=np.nan)
    )


def latest(forecasts: pd.DataFrame, settings: CalibrationSettings) -> pd.DataFrame:
    """The calibration a forecast issued now gets: from the forecasts of the last `years`."""
    since = forecasts["date"].max() - pd.DateOffset(days=round(365.25 * settings.years))
    return calibrate(forecasts[forecasts["date"] > since], settings)


def inside(actual, lower, upper) -> np.ndarray:
    actual = np.asarray(actual, dtype=float)
    return (actual >= np.asarray(lower, dtype=float)) & (actual <= np.asarray(upper, dtype=float))
