"""The dataset as the configuration and the sources' Table Schemas describe it: its count
columns and their names in words, its weather columns, and the words the pages use.

Nothing here knows a particular counter: a fork describes its own in config/config.yaml
(`dataset`, `sources`, `tables`) and in its sources' schemas (`tidy_name`, `title`), and every
table, figure and page follows. Light on imports (yaml only): the Snakefile reads it while the
workflow is parsed, before any rule runs.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

# The tidy names the pipeline itself relies on: the counts source must give each row's hour
# (`timestamp`) and the whole count (`total`, which the figures draw); its other count
# columns (parts of the total, such as directions) are free to name.
TIMESTAMP = "timestamp"
TOTAL = "total"
# The weather source's tidy day column.
DATE = "date"


@dataclass(frozen=True)
class CountColumn:
    """A count column of the tidy tables: its tidy name and what it counts, in words (the
    source field's `title`, e.g. "West sidewalk"; the tidy name when it has none)."""

    name: str
    title: str


def read_schema(path: str | Path) -> dict:
    """A Table Schema descriptor from its YAML (or JSON) file."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def count_columns(counts_schema: dict) -> list[CountColumn]:
    """The counts source's count columns, in the schema's order: every field it keeps
    (`tidy_name`) but the timestamp."""
    return [
        CountColumn(field["tidy_name"], field.get("title", field["tidy_name"]))
        for field in counts_schema["fields"]
        if "tidy_name" in field and field["tidy_name"] != TIMESTAMP
    ]


def count_titles(counts_schema: dict) -> dict[str, str]:
    """Tidy count name -> its words, for figures and pages."""
    return {column.name: column.title for column in count_columns(counts_schema)}


def weather_columns(weather_schema: dict) -> list[str]:
    """The weather source's measured columns in the tidy tables (fields with a `scale`), in
    the schema's order."""
    return [
        field["tidy_name"]
        for field in weather_schema["fields"]
        if "tidy_name" in field and "scale" in field
    ]


def slug(text: str) -> str:
    """A name for machines, as a data package's name must be (lower-case ASCII letters,
    digits, hyphens): 'Fremont Bridge' -> 'fremont-bridge', 'Zählstelle Süd' ->
    'zahlstelle-sud'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def table_words(config: dict) -> dict[str, str]:
    """The words the tidy tables' schemas are written with (bikeflow.table_schemas)."""
    holidays = config["tables"]["holidays"]
    calendar = holidays["country"] + (
        f"-{holidays['subdivision']}" if holidays.get("subdivision") else ""
    )
    return {
        "counter": config["dataset"]["counter"],
        "weather_station": config["dataset"]["weather_station"],
        "timezone": config["tables"]["timezone"],
        "holidays": calendar,
    }


def link(url: str, page_dir: str) -> str:
    """A source's `url` as a link on a page in `page_dir` (both relative to the repository
    root): a URL as it is, a path in the repository (the demo's sources) relative to the page,
    so it leads to the file on GitHub and in a clone."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", url):
        return url
    return Path(os.path.relpath(url, page_dir)).as_posix()
