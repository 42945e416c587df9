"""Calendar features of a day: weekday, holidays (the holidays package) and daylight (astral)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import holidays
import pandas as pd
from astral import Observer
from astral.sun import daylight


def calendar_features(
    dates: pd.Series,
    *,
    latitude: float,
    longitude: float,
    timezone: str,
    holiday_country: str,
    holiday_subdivision: str | None = None,
) -> pd.DataFrame:
    """weekday (0 = Monday), is_weekend, holiday (name or ''), is_holiday, daylight_hours."""
    days = pd.to_datetime(dates)
    # No dates, no years: an empty frame has no min (NaN), which is no year to ask about.
    years = range(days.dt.year.min(), days.dt.year.max() + 1) if len(days) else []
    calendar = holidays.country_holidays(holiday_country, subdiv=holiday_subdivision, years=years)
    names = [calendar.get(day, "") for day in dates]
    return pd.DataFrame(
        {
            "weekday": days.dt.day_of_week.to_numpy(),
            "is_weekend": (days.dt.day_of_week >= 5).to_numpy(),
            "holiday": names,
            "is_holiday": [name != "" for name in names],
            "daylight_hours": daylight_hours(dates, latitude, longitude, timezone),
        },
        index=dates.index,
    )


def daylight_hours(
    dates: pd.Series, latitude: float, longitude: float, timezone: str
) -> list[float]:
    """Hours from sunrise to sunset at the location, rounded to the minute's precision."""
    observer = Observer(latitude=latitude, longitude=longitude)
    zone = ZoneInfo(timezone)
    hours = []
    for day in dates:
        sunrise, sunset = daylight(observer, date=day, tzinfo=zone)
        hours.append(round((sunset - sunrise).total_seconds() / 3600, 3))
    return hours


def calendar_of(dates: pd.Series, tables: dict) -> pd.DataFrame:
    """calendar_features with the place and holidays of the config's `tables` section."""
    return calendar_features(
        dates,
        latitude=tables["location"]["latitude"],
        longitude=tables["location"]["longitude"],
        timezone=tables["timezone"],
        holiday_country=tables["holidays"]["country"],
        holiday_subdivision=tables["holidays"].get("subdivision"),
    )
