"""The config checked before anything runs, with a message of a few lines that names the key.

The JSON Schema (workflow/schemas/config.schema.yaml) checks types and names; its own error
message repeats the schema around the one useful line, so `schema_problem` keeps that line
and the key's dotted path. What a schema cannot know is checked here too: a time zone that
exists, a holiday calendar the holidays package has, one source of each role, sources' schema
and issue files that exist, a counts schema that gives what the pipeline relies on, and a model
target among its count columns. Called by the Snakefile, in the driver's environment, from the
repository root (paths in the config are relative to it).
"""

from __future__ import annotations

import difflib
import zoneinfo
from pathlib import Path

import yaml

from bikeflow.dataset import DATE, TIMESTAMP, TOTAL, count_columns, read_schema

ROLES = ("counts", "weather")


def schema_problem(error) -> str:
    """A jsonschema ValidationError as "config key `a.b.c`: message"."""
    path = ".".join(str(part) for part in error.absolute_path) or "(the top level)"
    return f"config key `{path}`: {error.message}"


def problems(config: dict, root: Path = Path(".")) -> list[str]:
    """What is wrong with a config that passed its schema, one line each (empty when fine).
    `root` is the repository, which the config's paths are relative to."""
    found = role_problems(config["sources"])
    if not found:
        found += source_problems(config, root)
    return [
        *found,
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


def source_problems(config: dict, root: Path) -> list[str]:
    """The sources' files exist and fit their roles; the model's target is a count column."""
    found = []
    schemas = {}
    for name, source in config["sources"].items():
        key = f"sources.{name}"
        path = root / source["schema"]
        if not path.is_file():
            found.append(f"config key `{key}.schema`: no file {source['schema']!r}")
            continue
        try:
            schemas[name] = read_schema(path)
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            reason = " ".join(str(error).split())
            found.append(f"config key `{key}.schema`: {source['schema']} is not YAML: {reason}")
            continue
        if "issues" in source and source["role"] != "counts":
            found.append(f"config key `{key}.issues`: only the counts source has curated issues")
        elif "issues" in source and not (root / source["issues"]).is_file():
            found.append(f"config key `{key}.issues`: no file {source['issues']!r}")
    for name, schema in schemas.items():
        role = config["sources"][name]["role"]
        checks = {"counts": counts_schema_problems, "weather": weather_schema_problems}[role]
        found += [
            f"config key `sources.{name}.schema`: {config['sources'][name]['schema']} {problem}"
            for problem in checks(schema)
        ]
        if role == "counts" and not found:
            found += target_problems(config["model"]["target"], schema)
    return found


def tidy_fields(schema: dict) -> dict[str, dict]:
    return {field["tidy_name"]: field for field in schema.get("fields", []) if "tidy_name" in field}


def counts_schema_problems(schema: dict) -> list[str]:
    """What the pipeline needs of the counts source: the hour of each row, with the format
    its timestamps are written in, and the whole count, both as tidy names."""
    fields = tidy_fields(schema)
    found = []
    if TIMESTAMP not in fields:
        found.append(f"has no field with `tidy_name: {TIMESTAMP}` (the start of each row's hour)")
    elif fields[TIMESTAMP].get("type") != "datetime" or "format" not in fields[TIMESTAMP]:
        found.append(
            f"field {fields[TIMESTAMP]['name']!r} (`tidy_name: {TIMESTAMP}`) needs "
            '`type: datetime` and the `format` its values are written in (e.g. "%d.%m.%Y %H:%M")'
        )
    if TOTAL not in fields:
        found.append(f"has no field with `tidy_name: {TOTAL}` (the whole count of the hour)")
    return found


def weather_schema_problems(schema: dict) -> list[str]:
    if DATE in tidy_fields(schema):
        return []
    return [f"has no field with `tidy_name: {DATE}` (the day of each row)"]


def target_problems(target: str, counts_schema: dict) -> list[str]:
    names = [column.name for column in count_columns(counts_schema)]
    if target in names:
        return []
    return [
        f"config key `model.target`: {target!r} is not a count column of the counts source "
        f"(its schema's tidy names: {', '.join(names)})"
    ]


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
