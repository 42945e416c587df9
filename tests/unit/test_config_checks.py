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
    assert problems(CONFIG) == []


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
    assert problems(config) == [message]


def test_an_unknown_subdivision_lists_the_ones_there_are():
    (found,) = problems(changed("tables", holidays={"country": "FR", "subdivision": "XX"}))
    assert found.startswith("config key `tables.holidays.subdivision`: FR has no subdivision 'XX';")


def test_each_role_needs_exactly_one_source():
    sources = {name: source | {"role": "counts"} for name, source in CONFIG["sources"].items()}
    assert problems(CONFIG | {"sources": sources}) == [
        "config key `sources.<name>.role`: exactly one source must be the counts source, not 2 "
        "(fremont_bridge, seatac_weather)",
        "config key `sources.<name>.role`: exactly one source must be the weather source, not 0 "
        "(none)",
    ]


def test_a_schema_error_is_one_line_with_the_keys_path():
    config = changed("download", retries="five")
    error = next(jsonschema.Draft202012Validator(SCHEMA).iter_errors(config))
    assert schema_problem(error) == "config key `download.retries`: 'five' is not of type 'integer'"
