"""Small tidy tables for the unit tests: the sources in their real formats, read and aggregated."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bikeflow.calendar_features import calendar_features
from support.data import GHCN_HEADER
from support.workflow import REPOSITORY

SCHEMAS = REPOSITORY / "workflow" / "schemas"

TIMEZONE = "America/Los_Angeles"

FREMONT_BRIDGE = {"latitude": 47.6475, "longitude": -122.3497}

COUNTS = ["total", "west", "east"]


def blank(row: list[str]) -> list[str]:
    """The same Fremont row with its three counts blank, as the export writes a lost hour."""
    return [row[0], "", "", ""]


def set_qflag(row: list[str], element: str, qflag: str = "X") -> list[str]:
    position = GHCN_HEADER.index(f"{element}_ATTRIBUTES")
    row[position] = f",{qflag},W,2400"
    return row


def issues_frame(*issues: tuple[date, date, str]) -> pd.DataFrame:
    return pd.DataFrame(issues, columns=["start", "end", "reason"])


def features(days: list[date], index=None) -> pd.DataFrame:
    return calendar_features(
        pd.Series(days, index=index),
        **FREMONT_BRIDGE,
        timezone=TIMEZONE,
        holiday_country="US",
    )
