"""The tidy tables as the workflow publishes them, written by hand for the CI package's
tests: results/tables/<table>.csv with the fields of their Table Schemas, the data package
that gives each table's primary key (the real schemas, as rule datapackage copies them), and
coverage.json naming the source of each role."""

from __future__ import annotations

import json
from datetime import date, timedelta

import yaml

from support.gitrepo import Repository
from support.workflow import REPOSITORY

SOURCES = {"counts": "fremont_bridge", "weather": "seatac_weather"}
HOURLY_FIELDS = ["timestamp", "date", "hour", "total", "west", "east"]
WEATHER_FIELDS = ["date", "precipitation_mm", "tmax_c"]  # a few: the changelog reads any
DAILY_FIELDS = ["date", "total", "complete", "counter_issue"]


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(count)]


def csv_text(fields: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in [fields, *rows]) + "\n"


def hourly(first: date, count: int, hours: int = 24) -> list[list[str]]:
    """`hours` rows a day (24: hourly_counts.csv as it is; fewer: smaller tests)."""
    return [
        [f"{day}T{hour:02}:00:00", str(day), str(hour), str(hour + 1), "1", str(hour)]
        for day in days(first, count)
        for hour in range(hours)
    ]


def weather(first: date, count: int) -> list[list[str]]:
    return [[str(day), "0.5", f"{10 + day.day % 7}.0"] for day in days(first, count)]


def daily(first: date, count: int) -> list[list[str]]:
    return [[str(day), str(100 + day.day), "True", ""] for day in days(first, count)]


def write_tables(
    repository: Repository,
    hourly_rows: list[list[str]],
    weather_rows: list[list[str]],
    daily_rows: list[list[str]],
) -> None:
    """The three tables, their data package and coverage.json (each source's last day is
    its table's last row's)."""
    tables = {
        "hourly_counts": (HOURLY_FIELDS, hourly_rows),
        "weather": (WEATHER_FIELDS, weather_rows),
        "daily": (DAILY_FIELDS, daily_rows),
    }
    for table, (fields, rows) in tables.items():
        repository.write(f"results/tables/{table}.csv", csv_text(fields, rows))
    schemas = REPOSITORY / "workflow/schemas/tables"
    package = {
        "name": "tables",
        "resources": [
            {
                "name": table,
                "path": f"{table}.csv",
                "schema": yaml.safe_load((schemas / f"{table}.schema.yaml").read_text()),
            }
            for table in tables
        ],
    }
    repository.write("results/tables/datapackage.json", json.dumps(package, indent=2))

    def span(rows: list[list[str]], day_at: int) -> dict[str, str]:
        return {"first_day": rows[0][day_at], "last_day": rows[-1][day_at]}

    coverage = {
        "sources": {
            SOURCES["counts"]: {"role": "counts", **span(hourly_rows, 1)},
            SOURCES["weather"]: {"role": "weather", **span(weather_rows, 0)},
        }
    }
    repository.write("results/tables/coverage.json", json.dumps(coverage, indent=2))
