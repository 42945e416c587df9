"""bikeflow.dataset: a source's count and weather columns, and its words, from the config and
the sources' schemas."""

from __future__ import annotations

from bikeflow.dataset import (
    CountColumn,
    count_columns,
    count_titles,
    link,
    slug,
    table_words,
    weather_columns,
)

COUNTS_SCHEMA = {
    "fields": [
        {"name": "Zeit", "tidy_name": "timestamp", "type": "datetime", "format": "%d.%m.%Y %H:%M"},
        {"name": "Gesamt", "tidy_name": "total", "title": "Both directions", "type": "integer"},
        {"name": "Station", "type": "string"},
        {"name": "Stadteinwärts", "tidy_name": "inbound", "title": "Into town", "type": "integer"},
        {"name": "Stadtauswärts", "tidy_name": "outbound", "type": "integer"},
    ]
}


def test_count_columns_are_the_kept_fields_but_the_timestamp_in_the_schemas_order():
    assert count_columns(COUNTS_SCHEMA) == [
        CountColumn("total", "Both directions"),
        CountColumn("inbound", "Into town"),
        CountColumn("outbound", "outbound"),  # no title: its name
    ]
    assert count_titles(COUNTS_SCHEMA) == {
        "total": "Both directions",
        "inbound": "Into town",
        "outbound": "outbound",
    }


def test_weather_columns_are_the_measured_elements():
    schema = {
        "fields": [
            {"name": "STATION"},
            {"name": "DATE", "tidy_name": "date"},
            {"name": "TMAX", "tidy_name": "tmax_c", "scale": 0.1},
            {"name": "TMAX_ATTRIBUTES"},
            {"name": "PRCP", "tidy_name": "precipitation_mm", "scale": 0.1},
        ]
    }
    assert weather_columns(schema) == ["tmax_c", "precipitation_mm"]


def test_table_words_name_the_counter_the_station_the_zone_and_the_calendar():
    config = {
        "dataset": {"title": "T", "counter": "Test Bridge", "weather_station": "Test Airport"},
        "tables": {"timezone": "Europe/Berlin", "holidays": {"country": "DE", "subdivision": "BE"}},
    }
    assert table_words(config) == {
        "counter": "Test Bridge",
        "weather_station": "Test Airport",
        "timezone": "Europe/Berlin",
        "holidays": "DE-BE",
    }


def test_a_slug_is_lower_case_words_joined_by_hyphens():
    assert slug("Fremont Bridge") == "fremont-bridge"
    assert slug("  Zählstelle: Ring (Süd) ") == "zahlstelle-ring-sud"


def test_a_url_is_linked_as_it_is_and_a_repository_path_relative_to_the_page():
    url = "https://example.org/counts.csv?accessType=DOWNLOAD"
    assert link(url, "results") == url
    assert link("file:///data/counts.csv", "results") == "file:///data/counts.csv"
    assert link(".test/data/counts.csv", "results") == "../.test/data/counts.csv"
    assert link(".test/data/counts.csv", "results/tables") == "../../.test/data/counts.csv"
