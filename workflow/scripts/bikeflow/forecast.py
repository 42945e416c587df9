"""Issued forecasts: made from what is known on the issue date, kept as records, scored when
the counts arrive.

A record is one CSV per issue date (results/forecasts/issued/<issue date>.csv): every day
from the day after the last published count to `days_ahead` days after the issue date, its
lead, whether its weather was observed, the forecast, its interval and the error expected of
it (bikeflow.calibration), the sha256 of the model that made it and of each source's data.
Once written it is never rewritten, by a code change or by a forced re-run: it is what was
said. Scores and alarms are computed from records and the counts published later, never from
a forecast made again with hindsight.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bikeflow.calibration import WEATHER
from bikeflow.features import DAY, Days, ModelSettings, known_target
from bikeflow.publication import ISSUE_COLUMNS, by_band

RECORD_COLUMNS = [
    "issue_date",
    "date",
    "lead_days",
    "weather",
    "forecast",
    "lower",
    "upper",
    "expected_abs_error",
    "model_sha256",
]
SHA256_SUFFIX = "_sha256"
SCORE_COLUMNS = [
    "band",
    "forecasts",
    "weather_observed",
    "mae",
    "expected_mae",
    "ratio",
    "bias",
    "coverage",
]


class RecordError(ValueError):
    """An issued record that cannot be read as one: it is never rewritten to mend it."""


def issue_dates(coverage: dict) -> dict[str, pd.Timestamp]:
    """issue_date, last_count_day and last_weather_day from results/tables/coverage.json: the
    issue date is the last day the sources cover, so unchanged data give the same issue."""
    by_role = {source["role"]: source for source in coverage["sources"].values()}
    counts = pd.Timestamp(by_role["counts"]["last_day"])
    weather = pd.Timestamp(by_role["weather"]["last_day"])
    return {
        "issue_date": max(counts, weather),
        "last_count_day": counts,
        "last_weather_day": weather,
    }


def live_days(
    daily: pd.DataFrame, weather: pd.DataFrame, calendar: pd.DataFrame, settings: ModelSettings
) -> Days:
    """The daily table, then the days after it: their published weather and their calendar
    (`calendar` has a row per later day), with no count."""
    last = pd.to_datetime(daily["date"]).max()
    later = calendar.assign(date=pd.to_datetime(calendar["date"]))
    later = later[later["date"] > last]
    observed = weather.assign(date=pd.to_datetime(weather["date"]))
    later = later.merge(observed, on="date", how="left", suffixes=("", "_weather"))
    later = later.assign(complete=False, counter_issue="")
    later[settings.target] = pd.array([pd.NA] * len(later), dtype="Int64")
    extended = pd.concat(
        [daily.assign(date=pd.to_datetime(daily["date"])), later], ignore_index=True
    )
    return Days.from_daily(extended[[*daily.columns]], settings)


def days_to_forecast(dates: dict[str, pd.Timestamp], days_ahead: int) -> pd.DataFrame:
    """ISSUE_COLUMNS of the issue: the day after the last count to `days_ahead` after it."""
    days = pd.date_range(dates["last_count_day"] + DAY, dates["issue_date"] + days_ahead * DAY)
    pairs = pd.DataFrame({"date": days, **{key: value for key, value in dates.items()}})
    pairs["lead_days"] = ((pairs["date"] - pairs["last_count_day"]) // DAY).astype(int)
    return pairs[ISSUE_COLUMNS]


def make_record(
    pairs: pd.DataFrame, predicted, expected: pd.DataFrame, sha256s: dict[str, str]
) -> pd.DataFrame:
    """RECORD_COLUMNS and one `<source>_sha256` column per source: each pair's forecast,
    rounded to whole bicycles, with its interval and expected error (bikeflow.calibration)
    and what it was made from (`sha256s`: the model's under "model", then each source's)."""
    known = (pairs["date"] <= pairs["last_weather_day"]).to_numpy()
    record = pd.DataFrame(
        {
            "issue_date": pairs["issue_date"].dt.strftime("%Y-%m-%d"),
            "date": pairs["date"].dt.strftime("%Y-%m-%d"),
            "lead_days": pairs["lead_days"],
            "weather": [WEATHER[bool(value)] for value in known],
            "forecast": whole(predicted),
            "lower": whole(expected["lower"]),
            "upper": whole(expected["upper"]),
            "expected_abs_error": whole(expected["expected_abs_error"]),
            "model_sha256": sha256s["model"],
        }
    )
    for source, sha256 in sha256s.items():
        if source != "model":
            record[source + SHA256_SUFFIX] = sha256
    return record


def whole(values) -> pd.array:
    return pd.array(np.round(np.asarray(values, dtype=float)), dtype="Int64")


def read_record(path: str | Path) -> pd.DataFrame:
    """An issued record, checked: the columns a record has and one issue date, the one its
    file is named after."""
    path = Path(path)
    try:
        record = pd.read_csv(path, dtype={"issue_date": str, "date": str, "weather": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise RecordError(f"{path}: not a forecast record ({error})") from error
    missing = [column for column in RECORD_COLUMNS if column not in record.columns]
    if missing:
        raise RecordError(f"{path}: not a forecast record, no column {', '.join(missing)}")
    issued = set(record["issue_date"])
    if issued != {path.stem}:
        raise RecordError(f"{path}: holds issue dates {sorted(issued)}, not only {path.stem}")
    return record


def read_records(paths) -> pd.DataFrame:
    """Every record, one after the other (the archive, read as one table)."""
    frames = [read_record(path)[RECORD_COLUMNS] for path in sorted(map(str, paths))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RECORD_COLUMNS)


def score(records: pd.DataFrame, daily: pd.DataFrame, target: str) -> pd.DataFrame:
    """The recorded forecasts of days whose count has since been published and is usable,
    with that count in `actual`; dates as datetimes."""
    counts = pd.Series(known_target(daily, target), index=pd.to_datetime(daily["date"]))
    records = records.assign(
        issue_date=pd.to_datetime(records["issue_date"]), date=pd.to_datetime(records["date"])
    )
    records["actual"] = counts.reindex(records["date"]).to_numpy()
    scored = records.dropna(subset=["actual", "forecast"]).reset_index(drop=True)
    for column in ["forecast", "lower", "upper", "expected_abs_error"]:
        scored[column] = scored[column].astype(float)
    scored["weather_known"] = scored["weather"] == WEATHER[True]
    return scored


def scores_by_band(scored: pd.DataFrame, bands: list[int]) -> pd.DataFrame:
    """How the published forecasts did, by lead band and over all leads: forecasts scored,
    the share whose weather was observed, live MAE, the MAE expected when they were issued,
    their ratio, mean error and the share of counts inside the interval."""
    rows = []
    for band, group in by_band(scored, bands):
        errors = group["forecast"] - group["actual"]
        expected = group["expected_abs_error"]
        rows.append(
            {
                "band": band,
                "forecasts": len(group),
                "weather_observed": float(group["weather_known"].mean()),
                "mae": float(errors.abs().mean()),
                "expected_mae": float(expected.mean()),
                "ratio": float(errors.abs().sum() / expected.sum()) if expected.sum() > 0 else None,
                "bias": float(errors.mean()),
                "coverage": float(
                    (
                        (group["actual"] >= group["lower"]) & (group["actual"] <= group["upper"])
                    ).mean()
                ),
            }
        )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
