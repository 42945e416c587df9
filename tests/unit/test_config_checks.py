"""bikeflow.config_checks: the config's problems in a line each, naming the key."""

from __future__ import annotations

import jsonschema
import pytest
import yaml
from support.workflow import REPOSITORY

from bikeflow.config_checks import problems, schema_problem

CONFIG = yaml.safe_load((REPOSITORY / "config/config.yaml").read_text())
SCHEMA = yaml.safe_load((REPOSITORY / "workflow/schemas/config.schema.yaml").read_text())


def changed(section: str, **values) -> dict:
    return CONFIG | {section: CONFIG[section] | values}


def test_the_shipped_config_has_no_problem():
    assert problems(CONFIG, REPOSITORY) == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            changed("tables", timezone="America/Seatle"),
            "config key `tables.timezone`: no time zone 'America/Seatle' (an IANA name such "
            "as 'Europe/Paris')",
        ),
        (
            changed("tables", timezone="Europe/Pari"),
            "config key `tables.timezone`: no time zone 'Europe/Pari'; did you mean "
            "'Europe/Paris'?",
        ),
        (
            changed("tables", holidays={"country": "ZZ"}),
            "config key `tables.holidays.country`: the holidays package has no calendar for 'ZZ' "
            "(ISO 3166 codes such as 'US', 'FR')",
        ),
    ],
)
def test_a_time_zone_or_calendar_that_does_not_exist_is_named_by_its_key(config, message):
    assert problems(config, REPOSITORY) == [message]


def test_an_unknown_subdivision_lists_the_ones_there_are():
    (found,) = problems(
        changed("tables", holidays={"country": "FR", "subdivision": "XX"}), REPOSITORY
    )
    assert found.startswith("config key `tables.holidays.subdivision`: FR has no subdivision 'XX';")


def test_each_role_needs_exactly_one_source():
    sources = {name: source | {"role": "counts"} for name, source in CONFIG["sources"].items()}
    assert problems(CONFIG | {"sources": sources}, REPOSITORY) == [
        "config key `sources.<name>.role`: exactly one source must be the counts source, not 2 "
        f"({', '.join(sorted(CONFIG['sources']))})",
        "config key `sources.<name>.role`: exactly one source must be the weather source, not 0 "
        "(none)",
    ]


def test_a_schema_error_is_one_line_with_the_keys_path():
    config = changed("download", retries="five")
    error = next(jsonschema.Draft202012Validator(SCHEMA).iter_errors(config))
    assert schema_problem(error) == "config key `download.retries`: 'five' is not of type 'integer'"


COUNTS = next(name for name, source in CONFIG["sources"].items() if source["role"] == "counts")
WEATHER = next(name for name, source in CONFIG["sources"].items() if source["role"] == "weather")


def with_source(name: str, **values) -> dict:
    return CONFIG | {"sources": CONFIG["sources"] | {name: CONFIG["sources"][name] | values}}


def counts_schema_file(tmp_path, change) -> str:
    """The configured counts schema, changed by `change(schema)`, in a file of its own."""
    schema = yaml.safe_load((REPOSITORY / CONFIG["sources"][COUNTS]["schema"]).read_text())
    change(schema)
    path = tmp_path / "counts.schema.yaml"
    path.write_text(yaml.safe_dump(schema))
    return str(path)


def field_of(schema: dict, tidy_name: str) -> dict:
    return next(field for field in schema["fields"] if field.get("tidy_name") == tidy_name)


def test_a_schema_file_that_is_not_there_is_named_by_its_key():
    config = with_source(COUNTS, schema="workflow/schemas/sources/nowhere.schema.yaml")
    assert problems(config, REPOSITORY) == [
        f"config key `sources.{COUNTS}.schema`: no file "
        "'workflow/schemas/sources/nowhere.schema.yaml'"
    ]


def test_a_counts_schema_without_a_total_or_a_timestamp_says_what_it_lacks(tmp_path):
    def without_roles(schema):
        field_of(schema, "total").pop("tidy_name")
        field_of(schema, "timestamp").pop("format")

    path = counts_schema_file(tmp_path, without_roles)
    found = problems(with_source(COUNTS, schema=path), REPOSITORY)
    assert found[0].startswith(f"config key `sources.{COUNTS}.schema`: {path} field ")
    assert found[0].endswith(
        "(`tidy_name: timestamp`) needs `type: datetime` and the `format` its values are "
        'written in (e.g. "%d.%m.%Y %H:%M")'
    )
    assert found[1] == (
        f"config key `sources.{COUNTS}.schema`: {path} has no field with `tidy_name: total` "
        "(the whole count of the hour)"
    )
    assert len(found) == 2


def test_the_target_must_be_a_count_column_of_the_counts_source(tmp_path):
    def renamed_parts(schema):
        for position, field in enumerate(
            f for f in schema["fields"] if f.get("tidy_name") not in (None, "timestamp", "total")
        ):
            field["tidy_name"] = f"part_{position}"

    path = counts_schema_file(tmp_path, renamed_parts)
    config = with_source(COUNTS, schema=path) | {"model": CONFIG["model"] | {"target": "west"}}
    (found,) = problems(config, REPOSITORY)
    assert found.startswith(
        "config key `model.target`: 'west' is not a count column of the counts source "
        "(its schema's tidy names: total, part_0"
    )


def test_curated_issues_belong_to_the_counts_source_and_must_exist():
    weather = with_source(WEATHER, issues="resources/counter_issues.csv")
    assert problems(weather, REPOSITORY) == [
        f"config key `sources.{WEATHER}.issues`: only the counts source has curated issues"
    ]
    missing = with_source(COUNTS, issues="resources/nowhere.csv")
    assert problems(missing, REPOSITORY) == [
        f"config key `sources.{COUNTS}.issues`: no file 'resources/nowhere.csv'"
    ]
