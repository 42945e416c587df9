"""Small tidy tables for the unit tests: the sources in their real formats, read and aggregated."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bikeflow.calendar_features import calendar_features
from support.data import GHCN_HEADER, blank_counts
from support.sources import CONFIG, COUNTS
from support.workflow import REPOSITORY

SCHEMAS = REPOSITORY / "workflow" / "schemas"

# The configured counter's place and calendar.
TIMEZONE = CONFIG["tables"]["timezone"]
LOCATION = dict(CONFIG["tables"]["location"])
HOLIDAYS = CONFIG["tables"]["holidays"]["country"]

# The tidy count columns: the total, then its parts.
COUNT_NAMES = COUNTS.tidy_names()

blank = blank_counts  # a row with every count blank, as the export writes a lost hour


def set_qflag(row: list[str], element: str, qflag: str = "X") -> list[str]:
    position = GHCN_HEADER.index(f"{element}_ATTRIBUTES")
    row[position] = f",{qflag},W,2400"
    return row


def issues_frame(*issues: tuple[date, date, str]) -> pd.DataFrame:
    return pd.DataFrame(issues, columns=["start", "end", "reason"])


def features(days: list[date], index=None) -> pd.DataFrame:
    return calendar_features(
        pd.Series(days, index=index),
        **LOCATION,
        timezone=TIMEZONE,
        holiday_country=HOLIDAYS,
    )
