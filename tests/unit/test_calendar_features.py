"""bikeflow.calendar_features: holidays, weekday and weekend, daylight in Seattle.

The library is tested at a place whose holidays and daylight are known here, whatever counter
the configuration names."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from bikeflow.calendar_features import calendar_features

SEATTLE = {
    "latitude": 47.6475,
    "longitude": -122.3497,
    "timezone": "America/Los_Angeles",
    "holiday_country": "US",
}


def features(days: list[date], index=None) -> pd.DataFrame:
    return calendar_features(pd.Series(days, index=index), **SEATTLE)


@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        (date(2021, 7, 5), "Independence"),  # the 4th was a Sunday: observed on Monday
        (date(2021, 11, 25), "Thanksgiving"),
        (date(2020, 12, 25), "Christmas"),
        (date(2021, 1, 1), "New Year"),
        (date(2021, 3, 2), None),
    ],
)
def test_holidays(day, name_part):
    row = features([date(2020, 12, 24), day]).iloc[1]  # the dates span two years
    if name_part is None:
        assert row["holiday"] == ""
        assert not row["is_holiday"]
    else:
        assert name_part in row["holiday"]
        assert row["is_holiday"]


@pytest.mark.parametrize(
    ("day", "weekday", "weekend"),
    [
        (date(2021, 3, 5), 4, False),  # Friday
        (date(2021, 3, 6), 5, True),  # Saturday
        (date(2021, 3, 7), 6, True),  # Sunday
        (date(2021, 3, 8), 0, False),  # Monday
    ],
)
def test_weekday_and_weekend(day, weekday, weekend):
    row = features([day]).iloc[0]
    assert row["weekday"] == weekday
    assert row["is_weekend"] == weekend


def test_daylight_hours_in_seattle():
    june, march, december = features([date(2021, 6, 21), date(2021, 3, 20), date(2021, 12, 21)])[
        "daylight_hours"
    ]
    assert june > 15.9
    assert 12.0 < march < 12.3  # equinox: a little over 12 h, sunrise to sunset
    assert december < 8.5


def test_calendar_features_of_no_days_is_an_empty_table():
    empty = features([])
    assert empty.empty
    assert list(empty.columns) == [
        "weekday",
        "is_weekend",
        "holiday",
        "is_holiday",
        "daylight_hours",
    ]


def test_calendar_features_align_with_the_dates_index():
    index = pd.Index([10, 11, 12])
    result = features([date(2021, 3, 5), date(2021, 3, 6), date(2021, 3, 7)], index=index)
    assert result.index.equals(index)
    assert list(result.columns) == [
        "weekday",
        "is_weekend",
        "holiday",
        "is_holiday",
        "daylight_hours",
    ]
    assert result["weekday"].tolist() == [4, 5, 6]
