"""Small source files in the exact formats upstream serves, made by the tests.

Fremont Bridge: the data.seattle.gov export (`MM/DD/YYYY hh:mm:ss AM/PM`, local time, one
row per hour, Total = West + East), and the labels older exports had. GHCN-Daily: the NCEI
"access" CSV, every value quoted, values right-aligned, an `<ELEMENT>_ATTRIBUTES` column after
each element, more element columns than the pipeline uses; and the other layout NOAA serves,
a Climate Data Online export. Tests mutate these to make bad inputs.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, timedelta
from pathlib import Path

FREMONT_PREFIX = "Fremont Bridge Sidewalks, south of N 34th St"
FREMONT_HEADER = [
    "Date",
    f"{FREMONT_PREFIX} Total",
    f"{FREMONT_PREFIX} Cyclist West Sidewalk",
    f"{FREMONT_PREFIX} Cyclist East Sidewalk",
]
FREMONT_DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"
# Headers of older exports (config/README.md, "Upstream column history"): total, west, east.
FREMONT_2019_TO_2023_HEADER = [
    "Date",
    FREMONT_PREFIX,  # the total, without " Total"
    f"{FREMONT_PREFIX} Cyclist West Sidewalk",
    f"{FREMONT_PREFIX} Cyclist East Sidewalk",
]
FREMONT_SIDEWALK_HEADER = [
    "Date",
    "Fremont Bridge Total",
    "Fremont Bridge East Sidewalk",
    "Fremont Bridge West Sidewalk",
]

GHCN_ELEMENTS = ["PRCP", "SNOW", "SNWD", "TMAX", "TMIN", "AWND", "TAVG", "WDF2", "WT01"]
GHCN_STATION = ["USW00024233", "47.4444", "-122.3139", "112.8", "SEATTLE TACOMA AIRPORT, WA US"]
GHCN_HEADER = ["STATION", "DATE", "LATITUDE", "LONGITUDE", "ELEVATION", "NAME"] + [
    column for element in GHCN_ELEMENTS for column in (element, f"{element}_ATTRIBUTES")
]


def day_factor(day: date) -> float:
    """How busy a day is: a weekly rhythm, a season, and the day's weather in ghcn_row (warm
    days busier, wet days quieter), so a model has something to learn that the naive
    baselines do not know."""
    seed = day.toordinal()
    rain_mm = (seed * 37) % 90 / 10  # ghcn_row's PRCP, in tenths of mm
    tmax_c = (60 + (seed * 13) % 120) / 10  # ghcn_row's TMAX, in tenths of degrees
    season = 1 + 0.35 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 100) / 365)
    weather = (1 + 0.03 * (tmax_c - 12)) * (1 - 0.5 * rain_mm / 9)
    return (0.5 if day.weekday() >= 5 else 1.0) * season * weather


def hourly_count(day: date, hour: int) -> tuple[int, int]:
    """A deterministic (west, east) pair with a commute shape, scaled by the day_factor."""
    commute = 3 if hour in (7, 8, 16, 17) else 1
    base = 0 if hour < 5 else 10 * commute * day_factor(day)
    west = int(base) + day.day % 5
    east = int(base * 1.3) + hour % 3
    return west, east


def fremont_rows(start: date, days: int) -> list[list[str]]:
    """One row per hour for `days` days from `start`, 24 rows a day as the export has them."""
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for hour in range(24):
            west, east = hourly_count(day, hour)
            stamp = datetime(day.year, day.month, day.day, hour).strftime(FREMONT_DATE_FORMAT)
            rows.append([stamp, str(west + east), str(west), str(east)])
    return rows


def ghcn_row(
    day: date,
    values: dict[str, int | None] | None = None,
    attributes: dict[str, str] | None = None,
    station: str = GHCN_STATION[0],
) -> list[str]:
    """One GHCN-Daily row; `values` overrides the element values (None = missing),
    `attributes` an element's "MFLAG,QFLAG,SFLAG[,OBSTIME]"."""
    seed = day.toordinal()
    defaults = {
        "PRCP": (seed * 37) % 90,
        "SNOW": 0,
        "SNWD": 0,
        "TMAX": 60 + (seed * 13) % 120,
        "TMIN": 10 + (seed * 7) % 50,
        "AWND": 20 + (seed * 11) % 40,
        "TAVG": 40 + (seed * 5) % 60,
        "WDF2": 180,
        "WT01": None,
    }
    defaults.update(values or {})
    row = [station, day.isoformat(), *GHCN_STATION[1:]]
    for element in GHCN_ELEMENTS:
        value = defaults[element]
        if value is None:
            row += ["", ""]
        else:
            obs_time = ",2400" if element in ("PRCP", "TMAX", "TMIN") else ","
            flags = (attributes or {}).get(element, f",,W{obs_time}")
            row += [f"{value:>5}", flags]
    return row


def ghcn_rows(start: date, days: int, station: str = GHCN_STATION[0]) -> list[list[str]]:
    return [ghcn_row(start + timedelta(days=offset), station=station) for offset in range(days)]


def fremont_text(rows: list[list[str]], header: list[str] = FREMONT_HEADER) -> str:
    """As the portal writes it: only fields containing commas are quoted."""
    return _csv_text([header, *rows], quoting=csv.QUOTE_MINIMAL)


def ghcn_text(rows: list[list[str]], header: list[str] = GHCN_HEADER) -> str:
    """As NCEI writes it: every non-empty value quoted, missing values as empty fields."""
    lines = [",".join(f'"{cell}"' if cell != "" else "" for cell in row) for row in [header, *rows]]
    return "\n".join(lines) + "\n"


# A Climate Data Online export of the same station ("Daily Summaries" as CSV): no
# _ATTRIBUTES columns, DATE without dashes, wind in m/s with a decimal point.
CDO_HEADER = ["STATION", "NAME", "DATE", "AWND", "PRCP", "SNOW", "SNWD", "TAVG", "TMAX", "TMIN"]


def cdo_text(start: date, days: int) -> str:
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        seed = day.toordinal()
        wind, rain = 2 + (seed * 11) % 40 / 10, (seed * 37) % 90
        tmax, tmin = 60 + (seed * 13) % 120, 10 + (seed * 7) % 50
        rows.append(
            [GHCN_STATION[0], GHCN_STATION[4], day.strftime("%Y%m%d"), f"{wind:.2f}", str(rain)]
            + ["0", "0", "", str(tmax), str(tmin)]
        )
    return _csv_text([CDO_HEADER, *rows], quoting=csv.QUOTE_ALL)


def drop_column(text: str, label: str) -> str:
    """The same CSV without the column `label` (header and values)."""
    table = list(csv.reader(io.StringIO(text)))
    index = table[0].index(label)
    return _csv_text([row[:index] + row[index + 1 :] for row in table], quoting=csv.QUOTE_ALL)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _csv_text(rows: list[list[str]], quoting: int) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


COUNTS_START, COUNTS_DAYS = date(2020, 1, 1), 547  # to 2021-06-30
WEATHER_START, WEATHER_DAYS = date(2019, 12, 1), 568  # to 2021-06-20: ends before the counts


def counts_fixture(days: int = COUNTS_DAYS) -> bytes:
    """Counts from 2020-01-01 as the portal exports them: the non-existent 02:00 of each
    spring-forward day is a blank row, and one ordinary hour (2021-02-10 09:00) is blank."""
    rows = fremont_rows(COUNTS_START, days)
    blank = {"03/08/2020 02:00:00 AM", "03/14/2021 02:00:00 AM", "02/10/2021 09:00:00 AM"}
    for row in rows:
        if row[0] in blank:
            row[1:] = ["", "", ""]
    return fremont_text(rows).encode()


def weather_fixture(days: int = WEATHER_DAYS) -> bytes:
    return ghcn_text(ghcn_rows(WEATHER_START, days)).encode()
