"""Small source files in the formats of the configured sources, made by the tests.

The counts: whatever counter config/config.yaml names, in the format its Table Schema
describes (field names and order, the timestamp's `format`, a total that is the sum of its
parts when the schema says so in `rowSums`), one row per hour in local time, the hour that
does not exist on the spring-forward day written blank. So a fork's tests run on files in
its own counter's format, with no test edited. GHCN-Daily: the NCEI "access" CSV of the
station the config requires (every value quoted, values right-aligned, an
`<ELEMENT>_ATTRIBUTES` column after each element, more element columns than the pipeline
uses), and the other layout NOAA serves, a Climate Data Online export. Tests mutate these to
make bad inputs.

The headers the Fremont Bridge export had before (FREMONT_*) are kept for the tests of that
export's history, which skip when another counter is configured (support.sources).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from support.sources import CONFIG, COUNTS, WEATHER

# The configured counter's file: its header in the schema's order, the timestamp's label and
# format, its total and the parts that sum to it (support.sources reads them from the schema).
COUNTS_HEADER = COUNTS.header
COUNTS_DATE_FORMAT = COUNTS.date_format

# The Fremont Bridge export (data.seattle.gov), for the tests of its upstream history.
FREMONT_PREFIX = "Fremont Bridge Sidewalks, south of N 34th St"
FREMONT_HEADER = [
    "Date",
    f"{FREMONT_PREFIX} Total",
    f"{FREMONT_PREFIX} Cyclist West Sidewalk",
    f"{FREMONT_PREFIX} Cyclist East Sidewalk",
]
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
# The station the weather source must be (its `required_values`), with Sea-Tac's place.
GHCN_STATION = [
    WEATHER.required_values.get("STATION", "USW00024233"),
    "47.4444",
    "-122.3139",
    "112.8",
    "SEATTLE TACOMA AIRPORT, WA US",
]
GHCN_HEADER = ["STATION", "DATE", "LATITUDE", "LONGITUDE", "ELEVATION", "NAME"] + [
    column for element in GHCN_ELEMENTS for column in (element, f"{element}_ATTRIBUTES")
]
TIMEZONE = CONFIG["tables"]["timezone"]


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


def hourly_parts(day: date, hour: int) -> list[int]:
    """Deterministic counts of the counter's parts (COUNTS.parts; one value when it has no
    parts, standing for the total), with a commute shape, scaled by the day_factor."""
    commute = 3 if hour in (7, 8, 16, 17) else 1
    base = 0 if hour < 5 else 10 * commute * day_factor(day)
    offsets = [day.day % 5, hour % 3]
    return [
        int(base * (1 + 0.3 * part)) + offsets[part % 2]
        for part in range(max(1, len(COUNTS.parts)))
    ]


def hourly_count(day: date, hour: int) -> tuple[int, ...]:
    """The hour's counts in the order of COUNTS.count_labels (the total, then the parts)."""
    parts = hourly_parts(day, hour)
    return (sum(parts), *parts) if COUNTS.parts else tuple(parts)


def counts_row(stamp: datetime, counts: tuple[int, ...] | None) -> list[str]:
    """One row of the counter's file: the timestamp in its format, the counts in their
    columns (blank when `counts` is None), any other column the value the config requires."""
    cells = {COUNTS.timestamp: stamp.strftime(COUNTS.date_format), **COUNTS.required_values}
    values = [None] * len(COUNTS.count_labels) if counts is None else counts
    for label, value in zip(COUNTS.count_labels, values, strict=True):
        cells[label] = "" if value is None else str(value)
    return [cells.get(label, "") for label in COUNTS.header]


def counts_rows(start: date, days: int) -> list[list[str]]:
    """One row per hour for `days` days from `start`, 24 rows a day."""
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for hour in range(24):
            stamp = datetime(day.year, day.month, day.day, hour)
            rows.append(counts_row(stamp, hourly_count(day, hour)))
    return rows


def count_cells(row: list[str]) -> list[str]:
    """The count cells of a row of counts_rows(), in the order of COUNTS.count_labels."""
    return [row[COUNTS.header.index(label)] for label in COUNTS.count_labels]


def blank_counts(row: list[str]) -> list[str]:
    """The same row with every count blank, as an export writes an hour not counted."""
    return [
        "" if label in COUNTS.count_labels else cell
        for label, cell in zip(COUNTS.header, row, strict=True)
    ]


def nonexistent_hours(start: date, days: int, timezone: str = TIMEZONE) -> list[datetime]:
    """The local hours in the days from `start` that do not exist in `timezone` (the hour
    skipped when the clocks go forward)."""
    zone = ZoneInfo(timezone)
    missing = []
    for offset in range(days * 24):
        stamp = datetime.combine(start, datetime.min.time()) + timedelta(hours=offset)
        round_trip = stamp.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        if round_trip.replace(tzinfo=None) != stamp:
            missing.append(stamp)
    return missing


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


def counts_text(rows: list[list[str]], header: list[str] = COUNTS_HEADER) -> str:
    """As a portal writes it: only fields containing commas are quoted."""
    return _csv_text([header, *rows], quoting=csv.QUOTE_MINIMAL)


# The names the counts' generators had when only the Fremont Bridge was configured; tests/ci
# still uses them. They write the configured counter's format.
fremont_rows, fremont_text = counts_rows, counts_text


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
# An ordinary hour the fixture leaves blank: that day is incomplete.
BLANK_HOUR = datetime(2021, 2, 10, 9)


def counts_fixture(days: int = COUNTS_DAYS) -> bytes:
    """Counts from 2020-01-01 as a portal exports them: the hour that does not exist on each
    spring-forward day is a blank row, and one ordinary hour (BLANK_HOUR) is blank."""
    blank = {hour.strftime(COUNTS.date_format) for hour in nonexistent_hours(COUNTS_START, days)}
    blank.add(BLANK_HOUR.strftime(COUNTS.date_format))
    rows = [
        blank_counts(row) if row[COUNTS.header.index(COUNTS.timestamp)] in blank else row
        for row in counts_rows(COUNTS_START, days)
    ]
    return counts_text(rows).encode()


def weather_fixture(days: int = WEATHER_DAYS) -> bytes:
    return ghcn_text(ghcn_rows(WEATHER_START, days)).encode()
