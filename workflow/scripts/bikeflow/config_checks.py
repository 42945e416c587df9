"""The config checked before anything runs, with a message of a few lines that names the key.

The JSON Schema (workflow/schemas/config.schema.yaml) checks types and names; its own error
message repeats the schema around the one useful line, so `schema_problem` keeps that line
and the key's dotted path. What a schema cannot know is checked here too: a time zone that
exists, a holiday calendar the holidays package has, one source of each role, a model level
among the history features. Called by the Snakefile, in the driver's environment.
"""

from __future__ import annotations

import difflib
import zoneinfo

ROLES = ("counts", "weather")


def schema_problem(error) -> str:
    """A jsonschema ValidationError as "config key `a.b.c`: message"."""
    path = ".".join(str(part) for part in error.absolute_path) or "(the top level)"
    return f"config key `{path}`: {error.message}"


def problems(config: dict) -> list[str]:
    """What is wrong with a config that passed its schema, one line each (empty when fine)."""
    return [
        *role_problems(config["sources"]),
        *timezone_problems(config["tables"]["timezone"]),
        *holiday_problems(config["tables"]["holidays"]),
    ]


def role_problems(sources: dict) -> list[str]:
    roles = {name: source["role"] for name, source in sources.items()}
    found = []
    for role in ROLES:
        having = sorted(name for name, value in roles.items() if value == role)
        if len(having) != 1:
            found.append(
                f"config key `sources.<name>.role`: exactly one source must be the {role} "
                f"source, not {len(having)} ({', '.join(having) or 'none'})"
            )
    return found


def timezone_problems(timezone: str) -> list[str]:
    known = zoneinfo.available_timezones()
    if timezone in known:
        return []
    close = difflib.get_close_matches(timezone, sorted(known), n=1, cutoff=0.9)
    hint = f"; did you mean {close[0]!r}?" if close else " (an IANA name such as 'Europe/Paris')"
    return [f"config key `tables.timezone`: no time zone {timezone!r}{hint}"]


def holiday_problems(calendar: dict) -> list[str]:
    import holidays  # here, not at the top: most runs never need its calendars listed

    country, subdivision = calendar["country"], calendar.get("subdivision")
    supported = holidays.list_supported_countries()
    if country not in supported:
        return [
            f"config key `tables.holidays.country`: the holidays package has no calendar for "
            f"{country!r} (ISO 3166 codes such as 'US', 'FR')"
        ]
    if subdivision is not None and subdivision not in supported[country]:
        return [
            f"config key `tables.holidays.subdivision`: {country} has no subdivision "
            f"{subdivision!r}; it has {', '.join(supported[country]) or 'none'}"
        ]
    return []
