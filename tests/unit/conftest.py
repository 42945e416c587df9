"""Fixtures shared by several unit-test modules: small tables read from files in the
real upstream formats, and synthetic days with a model fitted on them."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from support.daily_frames import PUBLICATION, SETTINGS, synthetic_daily
from support.data import (
    COUNTS_HEADER,
    counts_rows,
    counts_text,
    ghcn_rows,
    ghcn_text,
    nonexistent_hours,
    write,
)
from support.sources import COUNTS, WEATHER
from support.tables import (
    TIMEZONE,
    blank,
    features,
    issues_frame,
    set_qflag,
)

from bikeflow.daily import (
    aggregate_daily,
    flag_counter_issues,
    join_weather,
)
from bikeflow.features import Days
from bikeflow.model import fit
from bikeflow.sources import read_daily_weather, read_hourly_counts


@pytest.fixture(scope="module")
def counts_schema() -> dict:
    """The configured counts source's schema."""
    return COUNTS.schema


@pytest.fixture(scope="module")
def weather_schema() -> dict:
    return WEATHER.schema


@pytest.fixture
def read_counts(tmp_path, counts_schema):
    def read(rows: list[list[str]], header: list[str] = COUNTS_HEADER) -> pd.DataFrame:
        return read_hourly_counts(
            write(tmp_path / "counts.csv", counts_text(rows, header)), counts_schema
        )

    return read


@pytest.fixture
def read_weather(tmp_path, weather_schema):
    def read(rows: list[list[str]]) -> pd.DataFrame:
        return read_daily_weather(write(tmp_path / "ghcn.csv", ghcn_text(rows)), weather_schema)

    return read


@pytest.fixture
def daily_table(read_counts, read_weather):
    """A daily table as the pipeline builds it: blanks, flags, missing weather, calendar."""
    start = date(2021, 3, 13)
    rows = counts_rows(start, 4)
    for hour in nonexistent_hours(start, 4):  # a spring-forward day: still complete
        position = (hour.date() - start).days * 24 + hour.hour
        rows[position] = blank(rows[position])
    rows[48 + 9] = blank(rows[48 + 9])  # 2021-03-15 incomplete
    weather_rows = ghcn_rows(date(2021, 3, 13), 4)
    set_qflag(weather_rows[0], "TMAX")
    del weather_rows[3]
    weather = read_weather(weather_rows)
    daily = aggregate_daily(read_counts(rows), TIMEZONE)
    daily = flag_counter_issues(
        daily, issues_frame((date(2021, 3, 15), date(2021, 3, 15), "outage, 09:00"))
    )
    table = join_weather(daily, weather).reset_index(drop=True)
    return pd.concat([table, features(table["date"].tolist())], axis=1)


@pytest.fixture(scope="module")
def two_years() -> pd.DataFrame:
    return synthetic_daily(date(2019, 1, 1), 731)  # to 2020-12-31


@pytest.fixture(scope="module")
def fitted(two_years):
    """A model fitted on the two years up to 2020-10-31, and their days."""
    days = Days.from_daily(two_years, SETTINGS)
    model, _ = fit(days, pd.Timestamp("2020-10-31"), PUBLICATION, SETTINGS)
    return model, days
