"""Read validated raw sources into tidy tables with the names and units people use.

The raw schemas (workflow/schemas/sources/) say which columns to keep (`tidy_name`) and
how to convert units (`scale`); these functions only apply them. Input is assumed valid:
validation has run and passed before any of this is called.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

GHCN_ATTRIBUTES_SUFFIX = "_ATTRIBUTES"
GHCN_QFLAG_POSITION = 1  # attributes are "MFLAG,QFLAG,SFLAG[,OBSTIME]"


def tidy_names(schema: dict) -> dict[str, str]:
    """Raw column label -> tidy column name, for the fields the schema keeps."""
    return {field["name"]: field["tidy_name"] for field in schema["fields"] if "tidy_name" in field}


def read_hourly_counts(path: str | Path, schema: dict) -> pd.DataFrame:
    """Hourly counts: timestamp (local time), date, hour and one integer column per count.

    A blank count stays missing (<NA>); the daily aggregation decides what that means.
    """
    names = tidy_names(schema)
    timestamp_label = next(label for label, name in names.items() if name == "timestamp")
    timestamp_format = next(f["format"] for f in schema["fields"] if f["name"] == timestamp_label)
    raw = pd.read_csv(path, usecols=list(names), dtype=str, keep_default_na=False)
    hourly = raw.rename(columns=names)
    hourly["timestamp"] = pd.to_datetime(hourly["timestamp"], format=timestamp_format)
    counts = [name for name in names.values() if name != "timestamp"]
    for column in counts:
        hourly[column] = pd.to_numeric(hourly[column].str.strip()).astype("Int64")
    hourly = hourly.sort_values("timestamp", ignore_index=True)
    hourly.insert(1, "date", hourly["timestamp"].dt.date)
    hourly.insert(2, "hour", hourly["timestamp"].dt.hour)
    return hourly[["timestamp", "date", "hour", *counts]]


def read_daily_weather(path: str | Path, schema: dict) -> pd.DataFrame:
    """Daily weather in tidy units; a value whose GHCN QFLAG is set becomes missing.

    `quality_flagged` lists, per day, the elements dropped for a failed quality check.
    """
    fields = [field for field in schema["fields"] if "tidy_name" in field]
    elements = [field for field in fields if "scale" in field]
    date_field = next(field for field in fields if field["tidy_name"] == "date")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    weather = pd.DataFrame({"date": pd.to_datetime(raw[date_field["name"]]).dt.date})
    failed = pd.DataFrame(index=raw.index)
    for field in elements:
        label = field["name"]
        value = pd.to_numeric(raw[label].str.strip()).astype(float) * field["scale"]
        failed[label] = quality_check_failed(raw[label + GHCN_ATTRIBUTES_SUFFIX]) & value.notna()
        weather[field["tidy_name"]] = value.mask(failed[label]).round(decimals_of(field["scale"]))
    weather["quality_flagged"] = [";".join(failed.columns[day]) for day in failed.to_numpy()]
    return weather.sort_values("date", ignore_index=True)


def quality_check_failed(attributes: pd.Series) -> pd.Series:
    """True where the QFLAG within GHCN's "MFLAG,QFLAG,SFLAG[,OBSTIME]" is set."""
    qflag = (
        attributes.str.split(",").str[GHCN_QFLAG_POSITION].astype("string").fillna("").str.strip()
    )
    return qflag != ""


def decimals_of(scale: float) -> int:
    """Decimals a scaled value can carry: 0.1 -> 1, 1 -> 0 (rounding away float noise)."""
    return max(0, -Decimal(repr(scale)).normalize().as_tuple().exponent)
