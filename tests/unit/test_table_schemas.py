"""bikeflow.table_schemas: the tidy tables' schemas written for the configured dataset, and the
templates in workflow/schemas/tables/ written for a counter that is not the example's."""

from __future__ import annotations

import re

import pytest
from support.tables import SCHEMAS

from bikeflow.dataset import CountColumn
from bikeflow.table_schemas import table_schema
from bikeflow.validation import load_schema_descriptor

WORDS = {
    "counter": "Test Bridge",
    "weather_station": "Test Airport",
    "timezone": "Europe/Berlin",
    "holidays": "DE",
}
COUNTS = [CountColumn("total", "Both directions"), CountColumn("inbound", "Into town")]


def test_a_count_field_stands_for_every_count_column_with_its_words():
    template = {
        "title": "Counts at {counter}",
        "fields": [
            {"name": "date", "type": "date", "description": "Local day ({timezone})."},
            {"name": "{count}", "type": "integer", "description": "{title}: bicycles."},
            {"name": "note", "type": "string"},
        ],
        "primaryKey": ["date"],
    }
    assert table_schema(template, WORDS, COUNTS) == {
        "title": "Counts at Test Bridge",
        "fields": [
            {"name": "date", "type": "date", "description": "Local day (Europe/Berlin)."},
            {"name": "total", "type": "integer", "description": "Both directions: bicycles."},
            {"name": "inbound", "type": "integer", "description": "Into town: bicycles."},
            {"name": "note", "type": "string"},
        ],
        "primaryKey": ["date"],
    }
    assert template["fields"][1]["name"] == "{count}"  # the template is untouched


@pytest.mark.parametrize("table", ["hourly_counts", "daily", "weather"])
def test_the_tables_templates_speak_of_the_configured_dataset_only(table):
    template = load_schema_descriptor(SCHEMAS / "tables" / f"{table}.schema.yaml")
    schema = table_schema(template, WORDS, COUNTS)
    text = repr(schema)
    for word in ("Fremont", "Seattle", "Sea-Tac", "sidewalk", "US federal", "Los_Angeles"):
        assert word not in text, word
    assert not re.search(r"\{\w+\}", text), "a word in braces was not filled in"
    names = [field["name"] for field in schema["fields"]]
    if table != "weather":
        assert names[names.index("total") + 1] == "inbound"
