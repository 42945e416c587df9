"""The configured sources as the tests see them: config/config.yaml and the sources' Table
Schemas, read once. The fixtures are written in these formats (support.data), so the tests
follow whatever counter a fork configures.

Some tests are about the real Fremont Bridge export itself (the labels its columns had
upstream, the sidewalks' names in messages): they are marked `about_fremont` and skip when
another counter is configured, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import yaml

from bikeflow.dataset import TIMESTAMP, TOTAL, count_columns, read_schema
from support.workflow import REPOSITORY

CONFIG = yaml.safe_load((REPOSITORY / "config/config.yaml").read_text(encoding="utf-8"))
SOURCE_OF_ROLE = {source["role"]: name for name, source in CONFIG["sources"].items()}


@dataclass(frozen=True)
class CountsSource:
    """The counts source's file format, from its schema."""

    name: str  # the source's name in the config
    schema: dict
    header: list[str]  # every field's label, in the schema's order
    timestamp: str  # the label of the field with tidy_name timestamp
    date_format: str  # its strftime format
    total: str  # the label of the total
    parts: list[str]  # labels of the columns the total is the sum of (rowSums), if any
    count_labels: list[str]  # every count column's label: the total, the parts, the rest
    tidy: dict[str, str]  # label -> tidy name, for the fields kept
    required_values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def configured(cls) -> CountsSource:
        name = SOURCE_OF_ROLE["counts"]
        source = CONFIG["sources"][name]
        schema = read_schema(REPOSITORY / source["schema"])
        tidy = {f["name"]: f["tidy_name"] for f in schema["fields"] if "tidy_name" in f}
        label_of = {tidy_name: label for label, tidy_name in tidy.items()}
        total = label_of[TOTAL]
        sums = [rule for rule in schema.get("rowSums", []) if rule["total"] == total]
        parts = list(sums[0]["parts"]) if sums else []
        counts = [label_of[column.name] for column in count_columns(schema)]
        rest = [label for label in counts if label != total and label not in parts]
        timestamp = label_of[TIMESTAMP]
        return cls(
            name=name,
            schema=schema,
            header=[f["name"] for f in schema["fields"]],
            timestamp=timestamp,
            date_format=next(f["format"] for f in schema["fields"] if f["name"] == timestamp),
            total=total,
            parts=parts,
            count_labels=[total, *parts, *rest],
            tidy=tidy,
            required_values=dict(source.get("required_values", {})),
        )

    def tidy_names(self) -> list[str]:
        """The count columns' tidy names, in the order of count_labels."""
        return [self.tidy[label] for label in self.count_labels]


@dataclass(frozen=True)
class WeatherSource:
    name: str
    schema: dict
    required_values: dict[str, str]

    @classmethod
    def configured(cls) -> WeatherSource:
        name = SOURCE_OF_ROLE["weather"]
        source = CONFIG["sources"][name]
        return cls(
            name=name,
            schema=read_schema(REPOSITORY / source["schema"]),
            required_values=dict(source.get("required_values", {})),
        )


COUNTS = CountsSource.configured()
WEATHER = WeatherSource.configured()

# The Fremont Bridge export's own labels, as data.seattle.gov writes them.
FREMONT_TOTAL = "Fremont Bridge Sidewalks, south of N 34th St Total"
about_fremont = pytest.mark.skipif(
    COUNTS.total != FREMONT_TOTAL,
    reason="about the Fremont Bridge export's own columns; another counter is configured",
)
