"""bikeflow.datapackage: the tables described as a frictionless data package, and validated."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from support.data import ghcn_rows
from support.sources import CONFIG, COUNTS
from support.tables import SCHEMAS

from bikeflow.atomic import write_text
from bikeflow.datapackage import data_package, package_json, table_resource
from bikeflow.dataset import count_columns, table_words
from bikeflow.table_io import write_table
from bikeflow.table_schemas import table_schema as written_for
from bikeflow.validation import load_schema_descriptor, validate_package


def table_schema(name: str) -> dict:
    """A tidy table's schema as the workflow writes it for the configured dataset."""
    template = load_schema_descriptor(SCHEMAS / "tables" / f"{name}.schema.yaml")
    return written_for(template, table_words(CONFIG), count_columns(COUNTS.schema))


def test_table_resource_records_size_hash_and_relative_path(tmp_path, daily_table):
    package_dir = tmp_path / "results"
    csv_path = package_dir / "tables" / "daily.csv"
    write_table(daily_table, csv_path, package_dir / "tables" / "daily.parquet")
    schema = table_schema("daily")
    resource = table_resource("daily", csv_path, schema, package_dir, "Daily traffic.")
    content = csv_path.read_bytes()
    assert resource["path"] == "tables/daily.csv"
    assert resource["bytes"] == len(content) == csv_path.stat().st_size
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", resource["hash"])
    assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    assert resource["name"] == "daily"
    assert resource["title"] == schema["title"]
    assert resource["description"] == "Daily traffic."
    assert "title" not in resource["schema"]
    assert "description" not in resource["schema"]
    assert resource["schema"]["fields"] == schema["fields"]
    assert resource["schema"]["primaryKey"] == ["date"]
    assert "title" in schema and "description" in schema  # the caller's schema is untouched


def test_table_resource_with_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text(Path("results/tables/weather.csv"), "date\n2021-01-01\n")
    resource = table_resource(
        "weather", "results/tables/weather.csv", table_schema("weather"), "results/tables", "W"
    )
    assert resource["path"] == "weather.csv"
    assert resource["bytes"] == len(b"date\n2021-01-01\n")


def build_package(package_dir: Path) -> dict:
    resources = [
        table_resource(
            name,
            package_dir / f"{name}.csv",
            table_schema(name),
            package_dir,
            "Sea-Tac, in °C and mm",
        )
        for name in ("daily", "weather")
    ]
    return data_package(
        name="fremont-bridge-bicycle-weather",
        title="Fremont Bridge bicycle traffic and Sea-Tac weather",
        description="Test package.",
        sources=[{"title": "GHCN-Daily", "path": "https://example.org/USW00024233.csv"}],
        resources=resources,
    )


@pytest.fixture
def package_dir(tmp_path, daily_table, read_weather):
    directory = tmp_path / "tables"
    write_table(daily_table, directory / "daily.csv", directory / "daily.parquet")
    weather = read_weather(ghcn_rows(date(2021, 3, 13), 3))
    write_table(weather, directory / "weather.csv", directory / "weather.parquet")
    return directory


def test_package_json_is_stable(package_dir):
    first, second = build_package(package_dir), build_package(package_dir)
    text = package_json(first)
    assert text == package_json(second)
    assert text.endswith("}\n")
    assert "\r" not in text
    assert "°C" in text  # not escaped
    assert json.loads(text) == first
    assert first["profile"] == "tabular-data-package"
    assert [resource["name"] for resource in first["resources"]] == ["daily", "weather"]


def test_package_validates_and_a_changed_table_does_not(package_dir):
    package = build_package(package_dir)
    checked = validate_package(package, package_dir)
    assert checked.valid, [problem.describe() for problem in checked.problems]
    csv_path = package_dir / "weather.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace(b"2021-03-14", b"2021-03-16"))
    assert not validate_package(package, package_dir).valid
