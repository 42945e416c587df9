"""The tidy tables' Table Schemas, written for the configured dataset.

The schemas in workflow/schemas/tables/ are templates: their words in braces ({counter},
{weather_station}, {timezone}, {holidays}) come from the configuration
(bikeflow.dataset.table_words), and a field named "{count}" stands for every count column of
the counts source, in its schema's order, with {title} its words. So the data package
describes a fork's own counter, with its own count columns, and nobody edits these files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bikeflow.dataset import CountColumn

COUNT_FIELD = "{count}"


def table_schema(template: dict, words: Mapping[str, str], counts: Sequence[CountColumn]) -> dict:
    """The schema `template` describes, for this dataset's words and count columns."""
    fields = []
    for field in template["fields"]:
        if field["name"] == COUNT_FIELD:
            fields += [
                _filled(field, {**words, "count": column.name, "title": column.title})
                for column in counts
            ]
        else:
            fields.append(_filled(field, words))
    return {
        **_filled({k: v for k, v in template.items() if k != "fields"}, words),
        "fields": fields,
    }


def _filled(value: Any, words: Mapping[str, str]) -> Any:
    """Every string in `value` (a descriptor or part of one) with its words filled in."""
    if isinstance(value, str):
        return value.format_map(words)
    if isinstance(value, dict):
        return {key: _filled(item, words) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, words) for item in value]
    return value
